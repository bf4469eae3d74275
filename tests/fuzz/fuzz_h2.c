/* fuzz_h2.c - libFuzzer target for the h2c reader (classifiers/h2.c).
 *
 * Input: the client's frames after the preface and an empty SETTINGS
 * (prepended here, so that the fuzzer starts at the frames). The stream is
 * read by three readers with h2_read_all(), each name fn gives collected:
 *
 *   whole: one call with all len bytes.
 *   exact: growing (as the first-bytes slot grows), but a call that would
 *          end the reading before len is undone (the reader is plain data,
 *          copied back) and made with all len bytes instead. Its status,
 *          reason, name and names must equal whole's: the reading may not
 *          depend on segmentation up to the call that decides.
 *   grown: growing, as the dataplane feeds it; it decides on some k <= len
 *          bytes. Blocks past k are not its to see, so:
 *          - MALFORMED (or NOT_H2) there is whole's answer too, same reason:
 *            the bytes it refused are whole's too, read the same way, and
 *            nothing before them refused;
 *          - DONE there: whole is DONE with the same name, or MALFORMED (a
 *            later block in (k, len] refused); either way the names grown
 *            reported are the first ones whole reported, in order (whole
 *            reports as it goes, so before any later refusal too).
 *          With k == len it is the exact reader's case: all must equal.
 *
 * Every name reported (and name) must be one the header promises: lower
 * case, no userinfo, at most H2_NAME_MAX bytes, never ""; at most
 * 1 + H2_MORE_MAX of them; name (when not "") the first. The input is also
 * decoded as one HPACK block. Any breach aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fz_pre[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0";
#define FZ_PRE (sizeof(fz_pre) - 1)

/* The names fn was given, each followed by '\n' (no host byte). */
struct fz_names {
	char text[(1 + H2_MORE_MAX) * (H2_NAME_MAX + 1) + 1];
	size_t len;
	unsigned n;
};

static struct h2_reader fz_whole, fz_grow, fz_snap;
static struct fz_names fz_nw, fz_ng;
static struct h2_hpack fz_t;

static void fz_check_name(const char *n, size_t len)
{
	if (len > H2_NAME_MAX || strlen(n) != len)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((n[i] >= 'A' && n[i] <= 'Z') || n[i] == '@' || n[i] == '\n')
			abort();
}

static void fz_name(void *arg, const char *name, size_t len)
{
	struct fz_names *ns = arg;

	fz_check_name(name, len);
	if (len == 0 || ns->n >= 1 + H2_MORE_MAX)
		abort();
	memcpy(ns->text + ns->len, name, len);
	ns->len += len;
	ns->text[ns->len++] = '\n';
	ns->text[ns->len] = '\0';
	ns->n++;
}

static void fz_fail(const char *who, enum h2_status s1, unsigned r1, const char *n1,
		    enum h2_status s2, unsigned r2, const char *n2)
{
	fprintf(stderr, "h2 %s: whole %d/%u/%s [%s], other %d/%u/%s [%s]\n", who, s1, r1,
		s1 == H2_DONE ? n1 : "-", fz_nw.text, s2, r2, s2 == H2_DONE ? n2 : "-", fz_ng.text);
	abort();
}

/* A DONE result's name: checked, and first of the names when not "". */
static void fz_check_done(const char *n, const struct fz_names *ns)
{
	size_t nl = strlen(n);

	fz_check_name(n, nl);
	if (nl && (ns->len <= nl || memcmp(ns->text, n, nl) != 0 || ns->text[nl] != '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char n1[H2_NAME_CAP], n2[H2_NAME_CAP];
	unsigned r1 = 0, r2 = 0;
	enum h2_status s1, s2 = H2_NEED_MORE;
	uint8_t *s = malloc(FZ_PRE + size + 1);
	size_t len = FZ_PRE + size, k, step = 1 + len / 13;

	if (!s)
		return 0;
	memcpy(s, fz_pre, FZ_PRE);
	memcpy(s + FZ_PRE, data, size);

	memset(&fz_nw, 0, sizeof(fz_nw));
	h2_reader_init(&fz_whole);
	s1 = h2_read_all(&fz_whole, s, len, n1, sizeof(n1), &r1, fz_name, &fz_nw);
	if (s1 == H2_DONE)
		fz_check_done(n1, &fz_nw);
	else if (n1[0])
		abort();

	/* exact: the deciding call made with all the bytes. */
	memset(&fz_ng, 0, sizeof(fz_ng));
	h2_reader_init(&fz_grow);
	for (k = 0; k < len; k += step) {
		fz_snap = fz_grow;
		s2 = h2_read_all(&fz_grow, s, k, n2, sizeof(n2), &r2, fz_name, &fz_ng);
		if (s2 != H2_NEED_MORE) {
			fz_grow = fz_snap;
			memset(&fz_ng, 0, sizeof(fz_ng));
			break;
		}
	}
	s2 = h2_read_all(&fz_grow, s, len, n2, sizeof(n2), &r2, fz_name, &fz_ng);
	if (s1 != s2 || r1 != r2 || strcmp(n1, n2) != 0 || strcmp(fz_nw.text, fz_ng.text) != 0)
		fz_fail("exact", s1, r1, n1, s2, r2, n2);

	/* grown: the deciding call on the bytes it has. */
	memset(&fz_ng, 0, sizeof(fz_ng));
	h2_reader_init(&fz_grow);
	for (k = 0;; k += step) {
		if (k > len)
			k = len;
		s2 = h2_read_all(&fz_grow, s, k, n2, sizeof(n2), &r2, fz_name, &fz_ng);
		if (s2 != H2_NEED_MORE || k == len)
			break;
	}
	if (k == len) {
		if (s1 != s2 || r1 != r2 || strcmp(n1, n2) != 0 ||
		    strcmp(fz_nw.text, fz_ng.text) != 0)
			fz_fail("grown", s1, r1, n1, s2, r2, n2);
	} else if (s2 != H2_DONE) {
		if (s1 != s2 || r1 != r2)
			fz_fail("grown", s1, r1, n1, s2, r2, n2);
	} else {
		fz_check_done(n2, &fz_ng);
		if ((s1 != H2_DONE && s1 != H2_MALFORMED) ||
		    (s1 == H2_DONE && strcmp(n1, n2) != 0) || fz_ng.len > fz_nw.len ||
		    memcmp(fz_ng.text, fz_nw.text, fz_ng.len) != 0)
			fz_fail("grown", s1, r1, n1, s2, r2, n2);
	}

	/* The input as one header block, from a fresh table. */
	memcpy(s, data, size);
	h2_hpack_init(&fz_t);
	h2_hpack_decode(&fz_t, s, size, n1, sizeof(n1), &r1, NULL, NULL);
	free(s);
	return 0;
}
