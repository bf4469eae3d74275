/* fuzz_tls.c - libFuzzer target for the ClientHello reader (classifiers/tls.c).
 *
 * Input: byte 0 holds the number of cuts (low 3 bits) and a buffer choice
 * (bits 3-4); then 2 bytes per cut (little-endian offsets into the stream,
 * taken modulo its length); the rest is the client's stream. The stream is
 * read whole, at the cuts, and one byte per call: the three readings must
 * agree exactly (the reader's answer may not depend on segmentation), and a
 * finished hello must satisfy the header's promises. Any breach aborts.
 * Seeds: tests/fuzz/seeds_tls.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fz_buf[5][TLS_CH_MAX];

/* tls_ch_names' names: what its header promises, and whether the strict
 * reader's name (want) is among them. */
struct fz_names {
	const char *want;
	int found;
	unsigned n;
	uint64_t h; /* the names in order, hashed (FNV-1a) */
};

static void fz_name(void *arg, const char *name, size_t len)
{
	struct fz_names *a = arg;

	if (len < 1 || len > 253 || memchr(name, 0, len)) {
		fprintf(stderr, "fuzz_tls: tls_ch_names gave a name of %zu bytes\n", len);
		abort();
	}
	for (size_t i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			abort();
	a->n++;
	for (size_t i = 0; i < len; i++)
		a->h = (a->h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	a->h = (a->h ^ 0x100) * 0x100000001b3ull; /* the end of a name */
	if (a->want && strlen(a->want) == len && memcmp(a->want, name, len) == 0)
		a->found = 1;
}

#define FZ_CHECK(c)                                                                                \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_tls: %s:%d: %s\n", __FILE__, __LINE__, #c);          \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static int fz_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* What a DONE reader promises. */
static void fz_check_done(const struct tls_ch *s, size_t stream_len)
{
	const struct tls_ch_info *in = &s->info;
	enum tls_ch_reason r;

	FZ_CHECK(s->reason == TLS_CH_R_none);
	FZ_CHECK(strlen(in->sni) == in->sni_len);
	FZ_CHECK(in->has_sni == (in->sni_len > 0));
	if (in->has_sni) {
		FZ_CHECK(tls_name_valid((const uint8_t *)in->sni, in->sni_len, &r));
		for (size_t i = 0; i < in->sni_len; i++)
			FZ_CHECK(!(in->sni[i] >= 'A' && in->sni[i] <= 'Z'));
		FZ_CHECK(tls_name_agrees(in->sni, in->sni));
	}
	FZ_CHECK(in->hello_size >= 4 && in->hello_size <= s->cap && in->hello_size <= TLS_CH_MAX);
	FZ_CHECK(in->stream_bytes <= stream_len);
	FZ_CHECK(in->stream_bytes == in->hello_size + 5u * in->records);
	FZ_CHECK(in->records >= 1);
	FZ_CHECK(in->record_version >= 0x0301 && in->record_version <= 0x0303);
	FZ_CHECK(in->legacy_version >= 0x0301 && in->legacy_version <= 0x0303);
	FZ_CHECK(in->n_extensions <= TLS_CH_MAX_EXT);
	FZ_CHECK(in->has_alpn == (in->alpn != NULL));
	if (in->has_alpn) {
		FZ_CHECK(in->alpn >= s->buf && in->alpn + in->alpn_size <= s->buf + in->hello_size);
		FZ_CHECK(in->n_alpn >= 1 && in->n_alpn <= in->alpn_size / 2);
	}
}

/* Two readers of the same stream must have said the same. */
static void fz_same(const struct tls_ch *a, int sa, const struct tls_ch *b, int sb)
{
	const struct tls_ch_info *x = &a->info, *y = &b->info;

	FZ_CHECK(sa == sb);
	FZ_CHECK(a->reason == b->reason);
	if (sa != TLS_CH_DONE)
		return;
	FZ_CHECK(strcmp(x->sni, y->sni) == 0);
	FZ_CHECK(x->has_sni == y->has_sni && x->has_ech == y->has_ech &&
		 x->has_alpn == y->has_alpn && x->has_grease == y->has_grease &&
		 x->has_supported_versions == y->has_supported_versions);
	FZ_CHECK(x->record_version == y->record_version && x->legacy_version == y->legacy_version &&
		 x->max_version == y->max_version && x->n_extensions == y->n_extensions &&
		 x->n_alpn == y->n_alpn && x->alpn_size == y->alpn_size &&
		 x->hello_size == y->hello_size && x->stream_bytes == y->stream_bytes &&
		 x->records == y->records);
	if (x->has_alpn)
		FZ_CHECK(memcmp(x->alpn, y->alpn, x->alpn_size) == 0);
}

static void fz_check_status(const struct tls_ch *s, int st)
{
	FZ_CHECK(st >= TLS_CH_NEED_MORE && st <= TLS_CH_MALFORMED);
	FZ_CHECK(s->reason < TLS_CH_R_COUNT);
	FZ_CHECK((st == TLS_CH_MALFORMED) == (s->reason != TLS_CH_R_none));
	FZ_CHECK(strcmp(tls_ch_reason_name(s->reason), "?") != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = {TLS_CH_MAX, 600, 4, 0};
	struct tls_ch whole, cut, bytes;
	size_t ncut, pos[8], from, cap, len;
	const uint8_t *stream;
	int sw, sc, sb;

	if (size < 1)
		return 0;
	ncut = data[0] & 7;
	cap = caps[(data[0] >> 3) & 3];
	if (size < 1 + 2 * ncut)
		return 0;
	stream = data + 1 + 2 * ncut;
	len = size - 1 - 2 * ncut;
	for (size_t i = 0; i < ncut; i++)
		pos[i] = (size_t)(data[1 + 2 * i] | data[2 + 2 * i] << 8) % (len + 1);
	qsort(pos, ncut, sizeof(pos[0]), fz_cmp_size);

	/* Whole, with the full buffer: the reference. */
	tls_ch_init(&whole, fz_buf[0], TLS_CH_MAX);
	sw = tls_ch_feed(&whole, stream, len);
	fz_check_status(&whole, sw);
	if (sw == TLS_CH_DONE)
		fz_check_done(&whole, len);

	/* The lenient reading (tls_ch_names) reads at least what the strict
	 * reader read: a hello it accepts, and its name among the names. */
	{
		struct fz_names a = {
			sw == TLS_CH_DONE && whole.info.has_sni ? whole.info.sni : NULL, 0, 0, 0};
		int sn = tls_ch_names(stream, len, fz_buf[3], TLS_CH_MAX, fz_name, &a);

		FZ_CHECK(sn == TLS_CH_NEED_MORE || sn == TLS_CH_DONE || sn == TLS_CH_NOT_TLS);
		FZ_CHECK(sn != TLS_CH_NEED_MORE || a.n == 0);
		if (sw == TLS_CH_DONE)
			FZ_CHECK(sn == TLS_CH_DONE && (!a.want || a.found));

		/* The same stream growing: at the fuzzer's cuts, then whole
		 * (tls_ch_names_more): the same answer and the same names in
		 * the same order, reported once; a call after the answer gives
		 * it again and reports nothing. */
		struct fz_names b = {NULL, 0, 0, 0};
		struct tls_names_at at;
		int sm = TLS_CH_NEED_MORE;

		memset(&at, 0, sizeof(at));
		for (size_t i = 0; i <= ncut; i++) {
			size_t to = i < ncut ? pos[i] : len;
			int st = tls_ch_names_more(&at, stream, to, fz_buf[4], TLS_CH_MAX, fz_name,
						   &b);

			FZ_CHECK(sm == TLS_CH_NEED_MORE || st == sm);
			sm = st;
		}
		FZ_CHECK(sm == sn && b.n == a.n && b.h == a.h);
		FZ_CHECK((int)tls_ch_names_more(&at, stream, len, fz_buf[4], TLS_CH_MAX, fz_name,
						&b) == sn);
		FZ_CHECK(b.n == a.n);
	}

	/* At the fuzzer's cuts, with the chosen buffer. */
	tls_ch_init(&cut, cap ? fz_buf[1] : NULL, cap);
	sc = TLS_CH_NEED_MORE;
	from = 0;
	for (size_t i = 0; i <= ncut; i++) {
		size_t to = i < ncut ? pos[i] : len;
		int st = tls_ch_feed(&cut, stream + from, to - from);

		fz_check_status(&cut, st);
		/* Once decided, it stays decided. */
		FZ_CHECK(sc == TLS_CH_NEED_MORE || st == sc);
		sc = st;
		from = to;
	}
	if (cap == TLS_CH_MAX) {
		fz_same(&whole, sw, &cut, sc);
	} else if (sc == TLS_CH_DONE) {
		/* A smaller buffer may refuse (too_long), never read otherwise. */
		fz_check_done(&cut, len);
		fz_same(&whole, sw, &cut, sc);
	} else if (sc != TLS_CH_MALFORMED || cut.reason != TLS_CH_R_too_long) {
		fz_same(&whole, sw, &cut, sc);
	}

	/* One byte per call. */
	tls_ch_init(&bytes, fz_buf[2], TLS_CH_MAX);
	sb = TLS_CH_NEED_MORE;
	for (size_t i = 0; i < len && sb == TLS_CH_NEED_MORE; i++)
		sb = tls_ch_feed(&bytes, stream + i, 1);
	fz_same(&whole, sw, &bytes, sb);

	/* The comparison with nDPI's name: case does not count, a changed
	 * byte does, nDPI's tail of a long name agrees. */
	if (sw == TLS_CH_DONE && whole.info.has_sni) {
		const struct tls_ch_info *in = &whole.info;
		char other[TLS_CH_NAME_MAX + 1];

		for (size_t i = 0; i <= in->sni_len; i++)
			other[i] = in->sni[i] >= 'a' && in->sni[i] <= 'z' ? (char)(in->sni[i] - 32)
									  : in->sni[i];
		FZ_CHECK(tls_name_agrees(in->sni, other));
		other[in->sni_len / 2] = '#';
		FZ_CHECK(!tls_name_agrees(in->sni, other));
		FZ_CHECK(!tls_name_agrees(in->sni, NULL));
		if (in->sni_len > TLS_NDPI_NAME_MAX)
			FZ_CHECK(tls_name_agrees(in->sni,
						 in->sni + in->sni_len - TLS_NDPI_NAME_MAX));
	}
	return 0;
}
