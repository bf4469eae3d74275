/* fuzz_http.c - libFuzzer target for the HTTP/1 request reader
 * (classifiers/hs.c): the functions the dataplane reads a client's bytes
 * with (judge.c, judge_http_more and the first-bytes slot).
 *
 * Input: a client's bytes. Checked, any breach aborts:
 *
 *   - every pointer hs_http_requests() visits lies in the input, with its
 *     n the rest of the input from there; *partial is SIZE_MAX or an
 *     offset in the input where a visited request or a request line's
 *     first bytes start;
 *   - a request line (HS_HTTP_REQUEST) starts, after the lead white space,
 *     with a token byte (RFC 9110 5.6.2) followed later by white space; and
 *     one whose method holds bytes other than letters, '-' and '_' is whole
 *     and versioned (hs_http_versioned); and, on a whole first line, one
 *     hs_http_starts() takes;
 *   - hs_http_host() and hs_connect_target() give a NUL-terminated name of
 *     the length they return, within the buffer, and only for a request
 *     line; of host characters unless the request is malformed (refused);
 *   - the chunk reader consumes no more than it is given, in one call or
 *     byte by byte, and the two end in the same state with the same verdict
 *     (the dataplane feeds it a segment at a time);
 *   - where the input cut at some point ends in a cut head
 *     (*partial) at a request the whole input's reading visits, reading
 *     from there to the input's end visits the same requests as the whole
 *     reading does from there (the dataplane's carry: the kept head and
 *     the next segment).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_VISITS 4096

struct fz_visits {
	const uint8_t *base;
	size_t size;
	size_t n;
	size_t at[FZ_MAX_VISITS]; /* offsets of request-line visits */
	unsigned http[FZ_MAX_VISITS];
};

static struct fz_visits fz_a, fz_b;

static bool fz_tchar(uint8_t b)
{
	return ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || (b >= '0' && b <= '9') ||
	       (b && strchr("!#$%&'*+-.^_`|~", b));
}

static void fz_visit(void *arg, const uint8_t *p, size_t n, unsigned http)
{
	struct fz_visits *v = arg;

	if (!p) {
		if (n || http != HS_HTTP_MALFORMED)
			abort();
		return;
	}
	if (p < v->base || p > v->base + v->size || n != (size_t)(v->base + v->size - p))
		abort();
	if ((http & HS_HTTP_REQUEST) && !(http & HS_HTTP_BODY) && v->n < FZ_MAX_VISITS) {
		v->at[v->n] = (size_t)(p - v->base);
		v->http[v->n++] = http;
	}
}

static void fz_check_name(const char *out, size_t len, size_t cap, bool malformed)
{
	size_t i;

	if (len >= cap || out[len] != '\0' || (!malformed && strlen(out) != len))
		abort();
	/* a malformed request's name is whatever it held, NUL included (it
	 * is an exception: judge.c) */
	for (i = 0; i < len && !malformed; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c <= ' ' || c == 0x7f || c == '/' || c == '@' || c == '\\')
			abort();
	}
}

static void fz_check_line(const uint8_t *p, size_t n)
{
	unsigned http = hs_http_request_check(p, n);
	size_t lead = hs_http_lead(p, n), m = 0;
	bool odd = false;
	char out[300];
	size_t len;

	if (lead > n)
		abort();
	if (http & HS_HTTP_REQUEST) {
		while (lead + m < n && fz_tchar(p[lead + m])) {
			uint8_t b = p[lead + m];

			if (!((b | 0x20) >= 'a' && (b | 0x20) <= 'z') && b != '-' && b != '_')
				odd = true;
			m++;
		}
		if (m == 0 || lead + m >= n)
			abort();
		if (odd && !hs_http_versioned(p, n))
			abort();
		/* a whole first line that is a request line starts one (a cut
		 * one is judged by its target too: hs_request_prefix) */
		if (memchr(p + lead, '\n', n - lead) && !hs_http_starts(p, n))
			abort();
	}
	len = hs_http_host(p, n, out, sizeof(out));
	if (len) {
		if (!(http & HS_HTTP_REQUEST))
			abort();
		fz_check_name(out, len, sizeof(out), http & HS_HTTP_MALFORMED);
	}
	len = hs_connect_target(p, n, out, sizeof(out));
	if (len) {
		if (!(http & HS_HTTP_REQUEST) || !(http & HS_HTTP_PROXY))
			abort();
		fz_check_name(out, len, sizeof(out), http & HS_HTTP_MALFORMED);
	}
	(void)hs_head_asks(p, n);
	(void)hs_webdav_match(p, n);
	if (hs_http_head_end(p, n) > n)
		abort();
}

static void fz_chunks(const uint8_t *data, size_t size)
{
	struct hs_chunk a = {0, 0}, b = {0, 0};
	bool bad_a = false, bad_b = false;
	size_t used_a, used_b = 0, i;

	/* a chunked body from its first size line */
	a.st = b.st = HS_CH_SIZE0;
	used_a = hs_chunk_feed(&a, data, size, &bad_a);
	if (used_a > size)
		abort();
	for (i = 0; i < size && b.st && !bad_b; i++)
		used_b += hs_chunk_feed(&b, data + i, 1, &bad_b);
	if (bad_a != bad_b)
		abort();
	if (!bad_a && (a.st != b.st || a.left != b.left || used_a != used_b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_chunk ch = {0, 0};
	size_t partial = 0, cut, i, j;
	uint8_t *copy;

	if (size > 65536)
		return 0;
	/* an exact-size heap copy, so that ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fz_check_line(copy, size);

	memset(&fz_a, 0, sizeof(fz_a));
	fz_a.base = copy;
	fz_a.size = size;
	(void)hs_http_requests(copy, size, false, &ch, fz_visit, &fz_a, &partial);
	if (partial != SIZE_MAX && partial > size)
		abort();

	/* Cut at a point the first byte picks: the first part alone, then
	 * from its partial offset (or its end) to the input's end. */
	cut = size ? data[0] % (size + 1) : 0;
	memset(&ch, 0, sizeof(ch));
	memset(&fz_b, 0, sizeof(fz_b));
	fz_b.base = copy;
	fz_b.size = cut;
	partial = 0;
	(void)hs_http_requests(copy, cut, false, &ch, fz_visit, &fz_b, &partial);
	if (partial != SIZE_MAX && partial > cut)
		abort();
	/* Where no chunked body runs on and the first part ended in a cut
	 * head at a request the whole reading visited too, the rest read
	 * from there visits what the whole reading visits from there. */
	if (partial != SIZE_MAX && !ch.st) {
		for (i = 0; i < fz_a.n && fz_a.at[i] != partial; i++)
			;
		if (i < fz_a.n) {
			struct hs_chunk ch2 = {0, 0};
			size_t p2 = 0;

			memset(&fz_b, 0, sizeof(fz_b));
			fz_b.base = copy + partial;
			fz_b.size = size - partial;
			(void)hs_http_requests(copy + partial, size - partial, false, &ch2, fz_visit,
					       &fz_b, &p2);
			/* the same requests from there, in the same
			 * order, with the same bits: the reading does
			 * not depend on where the segment was cut */
			if (fz_b.n != fz_a.n - i)
				abort();
			for (j = 0; j < fz_b.n; j++)
				if (fz_b.at[j] + partial != fz_a.at[i + j] ||
				    fz_b.http[j] != fz_a.http[i + j])
					abort();
		}
	}
	fz_chunks(copy, size);
	free(copy);
	return 0;
}
