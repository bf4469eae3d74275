/* hs.c - domain lists -> one Hyperscan database; payload marks (hs.h).
 *
 * Every list line becomes one expression, all flagged CASELESS|SINGLEMATCH,
 * with id = class << 24 | entry index, so a match tells the class directly
 * and the entry (for the "longest pattern wins" rule) without a search.
 */
#include "hs.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>

#include "policy.h"
#include "sha256.h"

#define HS_ID_CLASS_SHIFT 24
#define HS_ID_INDEX_MASK  ((1u << HS_ID_CLASS_SHIFT) - 1)
#define HS_LINE_MAX	  1024 /* a list line longer than this is refused */

struct hs_entry {
	uint16_t spec; /* literal characters of a domain pattern, 0 for re: */
	uint8_t cls;
};

/* A payload signature (<class>.sig): the regex is in the payload database;
 * these are the checks Hyperscan cannot express. */
struct hs_sig {
	char family[HS_FAMILY_MAX + 1];
	uint8_t cls;
	uint8_t l4proto; /* 6, 17, or 0 = either */
	uint8_t dir;	 /* HS_DIR_* */
	uint8_t len_kind; /* 0 none, else bytes of the length field (2/4), | 0x80 LE */
	uint16_t len_off; /* the field's offset */
	int32_t len_add;  /* field + len_add == payload bytes */
	uint16_t size;	  /* exact payload bytes, 0 = any */
	uint8_t n_ports;
	bool confirm; /* only confirms nDPI's protocol (classes.conf confirm) */
	bool first;   /* a flow's first payloads only: not for hs_match_late */
	uint16_t ports[HS_SIG_PORTS]; /* responder ports, none = any */
};

struct hs_lists {
	hs_database_t *db;     /* NULL when there are no patterns */
	hs_scratch_t *scratch; /* prototype for hs_clone_scratch */
	struct hs_entry *entries;
	unsigned n;
	hs_database_t *sig_db; /* payload signatures, NULL when none */
	/* The lines hs_match_late reads over UDP (UDP or either, not
	 * "first", not "confirm"), ids as in sig_db: a datagram of a decided
	 * flow is scanned against these few, not every line (the whole set
	 * cost about 180 cycles a datagram, measured; docs/classification.md) */
	hs_database_t *late_db;
	hs_scratch_t *sig_scratch; /* for both */
	/* Before late_db is scanned: the late lines (late_ids, at most 64)
	 * whose match can start with a datagram's first byte (late_first, a
	 * bit per line, hs_first_set), of which one must pass its cheap
	 * checks (hs_sig_checks: direction, port, size, length field), or
	 * nothing can match and no scan is made. late_pre false: no such
	 * filter (more than 64 lines). */
	uint64_t late_first[256];
	uint32_t late_ids[64];
	bool late_pre;
	struct hs_sig *sigs;
	unsigned n_sigs;
};

struct hs_matcher {
	const struct hs_lists *l;
	hs_scratch_t *scratch;
	hs_scratch_t *sig_scratch;
};

/* Load-time state: the expressions and where each came from. */
struct hs_loader {
	const char *dir;
	char *err;
	size_t errlen;
	char **exprs;
	char **keys;  /* normalised pattern text, for duplicate checks */
	char **files; /* file of each expression (shared strings) */
	unsigned *lines;
	struct hs_entry *entries;
	struct hs_sig *sigs; /* signature loader only */
	unsigned n, cap;
	char **file_names; /* owned, one per file read */
	unsigned n_files;
};

/* clang-format off */
static const char *const hs_class_names[POLICY_CLASS_COUNT] = {
	[POLICY_CLASS_NONE] = NULL,
#define X(n) [POLICY_CLASS_##n] = #n,
	POLICY_CLASSES(X)
#undef X
};
/* clang-format on */

static unsigned hs_class_from_name(const char *name, size_t len)
{
	for (unsigned c = 1; c < POLICY_CLASS_COUNT; c++)
		if (strlen(hs_class_names[c]) == len && memcmp(hs_class_names[c], name, len) == 0)
			return c;
	return POLICY_CLASS_NONE;
}

static void hs_lists_error(struct hs_loader *ld, const char *file, unsigned line, const char *fmt,
			   ...) __attribute__((format(printf, 4, 5)));

static void hs_lists_error(struct hs_loader *ld, const char *file, unsigned line, const char *fmt,
			   ...)
{
	size_t off;
	va_list ap;

	if (!ld->err || ld->errlen == 0)
		return;
	snprintf(ld->err, ld->errlen, "%s:%u: ", file, line);
	off = strlen(ld->err);
	va_start(ap, fmt);
	vsnprintf(ld->err + off, ld->errlen - off, fmt, ap);
	va_end(ap);
}

static int hs_loader_grow(struct hs_loader *ld)
{
	unsigned cap = ld->cap ? ld->cap * 2 : 64;
	void *p;

#define HS_GROW(field)                                                                             \
	do {                                                                                       \
		p = realloc(ld->field, cap * sizeof(*ld->field));                                  \
		if (!p)                                                                            \
			return -ENOMEM;                                                            \
		ld->field = p;                                                                     \
	} while (0)
	HS_GROW(exprs);
	HS_GROW(keys);
	HS_GROW(files);
	HS_GROW(lines);
	HS_GROW(entries);
	HS_GROW(sigs);
#undef HS_GROW
	ld->cap = cap;
	return 0;
}

/* ASCII only, whatever the locale: a list is bytes, not text. */
static bool hs_is_label_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* Turn a domain pattern (already lower case, comment and blanks removed)
 * into an anchored regex. Only [a-z0-9_-] pass through unescaped; '.' is
 * escaped and '*' becomes a label wildcard, so no list line can inject
 * regex syntax. */
static int hs_domain_regex(struct hs_loader *ld, const char *file, unsigned line, char *pat,
			   char **out_re, uint16_t *spec)
{
	size_t len = strlen(pat), cap, o = 0, lit = 0;
	bool sub_only = false;
	char *re, *p;

	if (len > 1 && pat[len - 1] == '.')
		pat[--len] = '\0';
	for (p = pat; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (hs_is_label_char(ch))
			lit++;
		else if (ch != '.' && ch != '*')
			goto bad_char;
	}
	if (len > 253) {
		hs_lists_error(ld, file, line, "name pattern longer than 253 characters");
		return -EINVAL;
	}
	if (lit == 0) {
		hs_lists_error(ld, file, line, "\"%s\" has no literal label", pat);
		return -EINVAL;
	}
	if (strncmp(pat, "*.", 2) == 0) {
		sub_only = true;
		pat += 2;
	}
	/* Labels: non-empty, at most 63 characters. */
	for (p = pat;;) {
		size_t l = strcspn(p, ".");

		if (l == 0 || l > 63) {
			hs_lists_error(ld, file, line, "\"%s\": %s label", pat,
				       l ? "a too long" : "an empty");
			return -EINVAL;
		}
		if (!p[l])
			break;
		p += l + 1;
	}

	cap = 32 + 6 * strlen(pat);
	re = malloc(cap);
	if (!re)
		return -ENOMEM;
	o += (size_t)snprintf(re + o, cap - o, "%s", sub_only ? "[^.]\\." : "(?:^|\\.)");
	for (p = pat; *p; p++) {
		if (*p == '.') {
			re[o++] = '\\';
			re[o++] = '.';
		} else if (*p == '*') {
			/* A whole-label '*' needs at least one character. */
			bool whole = (p == pat || p[-1] == '.') && (p[1] == '.' || !p[1]);

			o += (size_t)snprintf(re + o, cap - o, "%s", whole ? "[^.]+" : "[^.]*");
		} else {
			re[o++] = *p;
		}
	}
	snprintf(re + o, cap - o, "\\.?\\z");
	*out_re = re;
	*spec = (uint16_t)(lit + 1); /* + 1: any domain pattern beats a regex */
	return 0;

bad_char:
	if ((unsigned char)*p >= ' ' && (unsigned char)*p < 0x7f)
		hs_lists_error(ld, file, line,
			       "invalid character '%c' in \"%s\" (a domain pattern is letters, "
			       "digits, '-', '_', '.' and '*'; use re: for a regex)",
			       *p, pat);
	else
		hs_lists_error(ld, file, line,
			       "invalid byte \\x%02x in \"%s\" (write internationalised names in "
			       "their punycode xn-- form)",
			       (unsigned char)*p, pat);
	return -EINVAL;
}

static int hs_add_line(struct hs_loader *ld, const char *file, unsigned line, char *text,
		       unsigned cls)
{
	struct hs_entry ent = {.cls = (uint8_t)cls};
	char *re = NULL, *key;
	int rc;

	if (ld->n >= HS_ID_INDEX_MASK) {
		hs_lists_error(ld, file, line, "too many patterns");
		return -E2BIG;
	}
	if (strncmp(text, "re:", 3) == 0) {
		const char *r = text + 3;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r) {
			hs_lists_error(ld, file, line, "empty regex");
			return -EINVAL;
		}
		re = strdup(r);
		key = strdup(text);
	} else {
		for (char *p = text; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		rc = hs_domain_regex(ld, file, line, text, &re, &ent.spec);
		if (rc)
			return rc;
		key = strdup(text);
	}
	if (!re || !key) {
		free(re);
		free(key);
		return -ENOMEM;
	}
	if (ld->n == ld->cap && hs_loader_grow(ld)) {
		free(re);
		free(key);
		return -ENOMEM;
	}
	ld->exprs[ld->n] = re;
	ld->keys[ld->n] = key;
	ld->files[ld->n] = (char *)file;
	ld->lines[ld->n] = line;
	ld->entries[ld->n] = ent;
	ld->n++;
	return 0;
}

static int hs_lists_read_file(struct hs_loader *ld, const char *file, unsigned cls)
{
	char buf[HS_LINE_MAX + 2];
	unsigned line = 0;
	int rc = 0;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		rc = -errno;
		hs_lists_error(ld, file, 0, "cannot read: %s", strerror(-rc));
		return rc;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		char *s = buf, *e;

		line++;
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n' && !feof(f)) {
			hs_lists_error(ld, file, line, "line longer than %d characters",
				       HS_LINE_MAX);
			rc = -EINVAL;
			break;
		}
		e = strchr(s, '#');
		if (e)
			*e = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*s)
			continue;
		rc = hs_add_line(ld, file, line, s, cls);
		if (rc)
			break;
	}
	if (!rc && ferror(f)) {
		hs_lists_error(ld, file, line, "read error");
		rc = -EIO;
	}
	fclose(f);
	return rc;
}

static int hs_cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hs_cmp_key(const void *a, const void *b, void *arg)
{
	char **keys = arg;

	return strcmp(keys[*(const unsigned *)a], keys[*(const unsigned *)b]);
}

/* The same pattern in two places is an error: in two classes it would be
 * ambiguous, in one it is a leftover the operator should know about. */
static int hs_lists_check_duplicates(struct hs_loader *ld)
{
	unsigned *idx;
	int rc = 0;

	if (ld->n < 2)
		return 0;
	idx = malloc(ld->n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (unsigned i = 0; i < ld->n; i++)
		idx[i] = i;
	qsort_r(idx, ld->n, sizeof(*idx), hs_cmp_key, ld->keys);
	for (unsigned i = 1; i < ld->n; i++) {
		unsigned a = idx[i - 1], b = idx[i];

		if (strcmp(ld->keys[a], ld->keys[b]) != 0)
			continue;
		if (a > b) {
			unsigned t = a;

			a = b;
			b = t;
		}
		hs_lists_error(ld, ld->files[b], ld->lines[b], "\"%s\" is already listed at %s:%u",
			       ld->keys[b], ld->files[a], ld->lines[a]);
		rc = -EINVAL;
		break;
	}
	free(idx);
	return rc;
}

/* Parse one unsigned number (decimal) of at most max; false on junk. */
static bool hs_parse_uint(const char *t, unsigned long max, unsigned long *out)
{
	char *end;

	if (*t < '0' || *t > '9')
		return false;
	errno = 0;
	*out = strtoul(t, &end, 10);
	return !errno && !*end && *out <= max;
}

/* "len=le32@19+23": the 4-byte little-endian field at offset 19, plus 23,
 * is the payload size. Widths 16 and 32, le or be; the addend may be
 * negative. */
static bool hs_parse_len(const char *t, struct hs_sig *sig)
{
	unsigned long off;
	long add;
	char kind[5], *end, offbuf[8];
	const char *at = strchr(t, '@'), *pm;

	if (!at)
		return false;
	memcpy(kind, t, 4);
	kind[4] = '\0';
	if (strncmp(t, "u8@", 3) == 0) {
		sig->len_kind = 1;
		at = t + 2;
	} else if (at - t != 4) {
		return false;
	} else if (strcmp(kind, "le16") == 0)
		sig->len_kind = 0x80 | 2;
	else if (strcmp(kind, "be16") == 0)
		sig->len_kind = 2;
	else if (strcmp(kind, "le32") == 0)
		sig->len_kind = 0x80 | 4;
	else if (strcmp(kind, "be32") == 0)
		sig->len_kind = 4;
	else
		return false;
	pm = at + 1 + strcspn(at + 1, "+-");
	if (!*pm || (size_t)(pm - at - 1) >= sizeof(offbuf))
		return false;
	memcpy(offbuf, at + 1, (size_t)(pm - at - 1));
	offbuf[pm - at - 1] = '\0';
	if (!hs_parse_uint(offbuf, 1024, &off))
		return false;
	errno = 0;
	add = strtol(pm, &end, 10);
	if (errno || *end || add < -65535 || add > 65535)
		return false;
	sig->len_off = (uint16_t)off;
	sig->len_add = (int32_t)add;
	return true;
}

/* FAMILY TRANSPORT DIR [port=N,..] [size=N] [len=KIND@OFF+ADD] re:REGEX */
static int hs_add_sig_line(struct hs_loader *ld, const char *file, unsigned line, char *text,
			   unsigned cls)
{
	struct hs_sig sig = {.cls = (uint8_t)cls};
	char *re, *tok, *save = NULL, *rx = strstr(text, "re:");
	unsigned field = 0;

	if (ld->n >= HS_ID_INDEX_MASK) {
		hs_lists_error(ld, file, line, "too many signatures");
		return -E2BIG;
	}
	if (!rx) {
		hs_lists_error(ld, file, line, "no re:REGEX (FAMILY TRANSPORT DIR [options] re:REGEX)");
		return -EINVAL;
	}
	*rx = '\0';
	rx += 3;
	while (*rx == ' ' || *rx == '\t')
		rx++;
	if (!*rx) {
		hs_lists_error(ld, file, line, "empty regex");
		return -EINVAL;
	}
	for (tok = strtok_r(text, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), field++) {
		unsigned long v;

		if (field == 0) {
			size_t fl = strlen(tok);

			if (fl > HS_FAMILY_MAX || strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
							      "OPQRSTUVWXYZ0123456789_-") != fl) {
				hs_lists_error(ld, file, line,
					       "bad family \"%s\" (letters, digits, '_', '-'; at "
					       "most %d)",
					       tok, HS_FAMILY_MAX);
				return -EINVAL;
			}
			memcpy(sig.family, tok, fl + 1);
		} else if (field == 1) {
			if (strcmp(tok, "tcp") == 0)
				sig.l4proto = 6;
			else if (strcmp(tok, "udp") == 0)
				sig.l4proto = 17;
			else if (strcmp(tok, "any") != 0)
				goto bad_transport;
		} else if (field == 2) {
			if (strcmp(tok, "out") == 0)
				sig.dir = HS_DIR_OUT;
			else if (strcmp(tok, "in") == 0)
				sig.dir = HS_DIR_IN;
			else if (strcmp(tok, "any") == 0)
				sig.dir = HS_DIR_OUT | HS_DIR_IN;
			else
				goto bad_dir;
		} else if (strncmp(tok, "port=", 5) == 0) {
			char *ps = NULL, *pt;

			for (pt = strtok_r(tok + 5, ",", &ps); pt; pt = strtok_r(NULL, ",", &ps)) {
				if (sig.n_ports == HS_SIG_PORTS || !hs_parse_uint(pt, 65535, &v) ||
				    v == 0) {
					hs_lists_error(ld, file, line,
						       "bad port \"%s\" (1-65535, at most %d)", pt,
						       HS_SIG_PORTS);
					return -EINVAL;
				}
				sig.ports[sig.n_ports++] = (uint16_t)v;
			}
		} else if (strncmp(tok, "size=", 5) == 0) {
			if (!hs_parse_uint(tok + 5, 65535, &v) || v == 0) {
				hs_lists_error(ld, file, line, "bad size \"%s\"", tok + 5);
				return -EINVAL;
			}
			sig.size = (uint16_t)v;
		} else if (strcmp(tok, "confirm") == 0) {
			sig.confirm = true;
		} else if (strcmp(tok, "first") == 0) {
			sig.first = true;
		} else if (strncmp(tok, "len=", 4) == 0) {
			if (!hs_parse_len(tok + 4, &sig)) {
				hs_lists_error(ld, file, line,
					       "bad length check \"%s\" (len=le32@OFFSET+ADD; u8, le16, "
					       "be16, le32, be32)",
					       tok + 4);
				return -EINVAL;
			}
		} else {
			hs_lists_error(ld, file, line,
				       "unknown option \"%s\" (port=, size=, len=, confirm, first)", tok);
			return -EINVAL;
		}
	}
	if (field < 3) {
		hs_lists_error(ld, file, line, "expected FAMILY TRANSPORT DIR [options] re:REGEX");
		return -EINVAL;
	}
	re = strdup(rx);
	if (!re)
		return -ENOMEM;
	if (ld->n == ld->cap && hs_loader_grow(ld)) {
		free(re);
		return -ENOMEM;
	}
	ld->exprs[ld->n] = re;
	ld->keys[ld->n] = NULL;
	ld->files[ld->n] = (char *)file;
	ld->lines[ld->n] = line;
	ld->sigs[ld->n] = sig;
	ld->n++;
	return 0;

bad_transport:
	hs_lists_error(ld, file, line, "transport \"%s\" is not tcp, udp or any", tok);
	return -EINVAL;
bad_dir:
	hs_lists_error(ld, file, line, "direction \"%s\" is not out, in or any", tok);
	return -EINVAL;
}

static int hs_sigs_read_file(struct hs_loader *ld, const char *file, unsigned cls)
{
	char buf[HS_LINE_MAX + 2];
	unsigned line = 0;
	int rc = 0;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		rc = -errno;
		hs_lists_error(ld, file, 0, "cannot read: %s", strerror(-rc));
		return rc;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		char *p = buf, *e;

		line++;
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n' && !feof(f)) {
			hs_lists_error(ld, file, line, "line longer than %d characters",
				       HS_LINE_MAX);
			rc = -EINVAL;
			break;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		/* Only whole-line comments: a regex may hold '#'. */
		if (!*p || *p == '#')
			continue;
		rc = hs_add_sig_line(ld, file, line, p, cls);
		if (rc)
			break;
	}
	if (!rc && ferror(f)) {
		hs_lists_error(ld, file, line, "read error");
		rc = -EIO;
	}
	fclose(f);
	return rc;
}

static int hs_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
		return (ch | 0x20) - 'a' + 10;
	return -1;
}

/* One byte of a regex at *pp, as a literal or a \xHH or punctuation
 * escape: the byte, with *pp past it; -1 for anything else (a class
 * escape, a metacharacter). */
static int hs_re_byte(const char **pp)
{
	const char *p = *pp;

	if (*p == '\\') {
		if (p[1] == 'x' && hs_hexval(p[2]) >= 0 && hs_hexval(p[3]) >= 0) {
			*pp = p + 4;
			return hs_hexval(p[2]) << 4 | hs_hexval(p[3]);
		}
		if (p[1] && !((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z') &&
		    !(p[1] >= '0' && p[1] <= '9')) {
			*pp = p + 2;
			return (uint8_t)p[1];
		}
		return -1;
	}
	if (!*p || strchr(".^$|()[]{}*+?", *p))
		return -1;
	*pp = p + 1;
	return (uint8_t)*p;
}

/* Whether a regex has an alternative at its top level ("^a|b"), outside
 * every group and class: then its first atom does not bound the bytes a
 * match starts with. Errs towards yes where the regex is not plain. */
static bool hs_re_top_alt(const char *p)
{
	unsigned depth = 0;

	for (; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return true;
			continue;
		}
		if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']') /* a ']' first in a class is a literal */
				p++;
			for (; *p && *p != ']'; p++)
				if (*p == '\\' && !*++p)
					return true;
				else if (*p == '[')
					return true; /* a POSIX class: not plain */
			if (!*p)
				return true;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (!depth--)
				return true;
		} else if (*p == '|' && !depth) {
			return true;
		}
	}
	return depth != 0;
}

/* The bytes a match of an anchored regex can start with: its first atom
 * (after "^") when that is a literal, an escape of one, \d, or a class
 * of those, not made optional by its quantifier; every byte otherwise
 * (a dot, a group, an unanchored regex, an alternative at the top level).
 * Errs only towards more bytes. */
static void hs_first_set(const char *re, uint8_t set[32])
{
	const char *p = re;
	uint8_t got[32];
	int b;

	memset(set, 0xff, 32);
	if (*p++ != '^' || hs_re_top_alt(p))
		return;
	memset(got, 0, sizeof(got));
	if (*p == '[') {
		bool neg = p[1] == '^';

		p += neg ? 2 : 1;
		/* A ']' first in a class is one of its bytes, not its end. */
		if (*p == ']') {
			got[']' >> 3] |= (uint8_t)(1u << (']' & 7));
			p++;
		}
		while (*p && *p != ']') {
			int lo, hi;

			if (p[0] == '\\' && p[1] == 'd') {
				for (lo = '0'; lo <= '9'; lo++)
					got[lo >> 3] |= (uint8_t)(1u << (lo & 7));
				p += 2;
				continue;
			}
			if ((lo = hs_re_byte(&p)) < 0) {
				/* a '.' '$' ... is a literal inside a class */
				if (!*p || *p == '\\' || *p == '[')
					return;
				lo = (uint8_t)*p++;
			}
			hi = lo;
			if (p[0] == '-' && p[1] && p[1] != ']') {
				p++;
				if ((hi = hs_re_byte(&p)) < 0) {
					if (!*p || *p == '\\' || *p == '[')
						return;
					hi = (uint8_t)*p++;
				}
			}
			for (b = lo; b <= hi; b++)
				got[b >> 3] |= (uint8_t)(1u << (b & 7));
		}
		if (*p != ']')
			return;
		p++;
		if (neg)
			for (b = 0; b < 32; b++)
				got[b] = (uint8_t)~got[b];
	} else if (p[0] == '\\' && p[1] == 'd') {
		for (b = '0'; b <= '9'; b++)
			got[b >> 3] |= (uint8_t)(1u << (b & 7));
		p += 2;
	} else {
		if ((b = hs_re_byte(&p)) < 0)
			return;
		got[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
	/* a quantifier that allows none of it: the next atom may start */
	if (*p == '?' || *p == '*' || (p[0] == '{' && p[1] == '0') ||
	    (p[0] == '{' && p[1] == ','))
		return;
	memcpy(set, got, 32);
}


/* ---- compiled databases, kept between runs (ADUANA_HS_CACHE) ----
 *
 * Compiling the lists is most of a start (about 0.7 s of 1 s for the
 * shipped lists): a restart, a reload with unchanged lists and every test
 * replay pay it again for the same database. With ADUANA_HS_CACHE naming a
 * directory, each compiled database is kept there under the SHA-256 of
 * everything its compile read: the Hyperscan version, the host platform,
 * the mode and each expression with its flags and id. A file is used only
 * when its own SHA-256 (in its header) still matches its bytes and
 * Hyperscan accepts it; anything else (missing, short, altered, another
 * platform) is compiled afresh and written again. The directory must be
 * owned by us or root and writable by no one else, or it is not used: a
 * database there decides verdicts. */

#define HS_CACHE_MAGIC "aduana-hsdb-1\n"

static const char *hs_cache_dir(void)
{
	static int warned;
	const char *dir = getenv("ADUANA_HS_CACHE");
	struct stat st;

	if (!dir || !dir[0])
		return NULL;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022)) {
		if (!warned++)
			fprintf(stderr,
				"aduana: ADUANA_HS_CACHE=%s is not a directory of ours that "
				"no one else can write; compiling without it\n",
				dir);
		return NULL;
	}
	return dir;
}

static void hs_cache_key(const char *const *exprs, const unsigned *flags, const unsigned *ids,
			 unsigned n, char hex[SHA256_HEX_SIZE])
{
	struct sha256_ctx c;
	hs_platform_info_t plat;
	uint8_t d[SHA256_DIGEST_SIZE];
	uint32_t v;

	memset(&plat, 0, sizeof(plat));
	hs_populate_platform(&plat);
	sha256_init(&c);
	sha256_update(&c, HS_CACHE_MAGIC, sizeof(HS_CACHE_MAGIC));
	sha256_update(&c, hs_version(), strlen(hs_version()) + 1);
	sha256_update(&c, &plat, sizeof(plat));
	v = HS_MODE_BLOCK;
	sha256_update(&c, &v, sizeof(v));
	sha256_update(&c, &n, sizeof(n));
	for (unsigned i = 0; i < n; i++) {
		v = (uint32_t)strlen(exprs[i]);
		sha256_update(&c, &flags[i], sizeof(flags[i]));
		sha256_update(&c, &ids[i], sizeof(ids[i]));
		sha256_update(&c, &v, sizeof(v));
		sha256_update(&c, exprs[i], v);
	}
	sha256_final(&c, d);
	for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* The database kept under key, or NULL. */
static hs_database_t *hs_cache_get(const char *dir, const char *key)
{
	char path[4096], *buf = NULL;
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t hdr = sizeof(HS_CACHE_MAGIC) - 1 + SHA256_DIGEST_SIZE;
	hs_database_t *db = NULL;
	struct sha256_ctx c;
	struct stat st;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s.hsdb", dir, key) >= (int)sizeof(path))
		return NULL;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size <= hdr ||
	    st.st_size > (1 << 30) || (st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & 022))
		goto out;
	buf = malloc((size_t)st.st_size);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto out;
	if (memcmp(buf, HS_CACHE_MAGIC, sizeof(HS_CACHE_MAGIC) - 1) != 0)
		goto out;
	sha256_init(&c);
	sha256_update(&c, buf + hdr, (size_t)st.st_size - hdr);
	sha256_final(&c, d);
	if (memcmp(d, buf + sizeof(HS_CACHE_MAGIC) - 1, SHA256_DIGEST_SIZE) != 0)
		goto out;
	if (hs_deserialize_database(buf + hdr, (size_t)st.st_size - hdr, &db) != HS_SUCCESS)
		db = NULL;
out:
	free(buf);
	fclose(f);
	return db;
}

/* Keep db under key; a failure only costs the next start a compile. */
static void hs_cache_put(const char *dir, const char *key, const hs_database_t *db)
{
	char path[4096], tmp[4096], *bytes = NULL;
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	size_t len = 0;
	bool ok;
	FILE *f;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s.hsdb", dir, key) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, key) >= (int)sizeof(tmp))
		return;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	sha256_init(&c);
	sha256_update(&c, bytes, len);
	sha256_final(&c, d);
	fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(bytes);
		return;
	}
	ok = fwrite(HS_CACHE_MAGIC, 1, sizeof(HS_CACHE_MAGIC) - 1, f) ==
		     sizeof(HS_CACHE_MAGIC) - 1 &&
	     fwrite(d, 1, sizeof(d), f) == sizeof(d) && fwrite(bytes, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
	free(bytes);
}

/* hs_compile_multi in block mode for this host, through the cache. */
static hs_error_t hs_compile_kept(const char *const *exprs, const unsigned *flags,
				  const unsigned *ids, unsigned n, hs_database_t **db,
				  hs_compile_error_t **cerr)
{
	const char *dir = hs_cache_dir();
	char key[SHA256_HEX_SIZE];
	hs_error_t rc;

	if (dir) {
		hs_cache_key(exprs, flags, ids, n, key);
		*db = hs_cache_get(dir, key);
		if (*db)
			return HS_SUCCESS;
	}
	rc = hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, db, cerr);
	if (rc == HS_SUCCESS && dir)
		hs_cache_put(dir, key, *db);
	return rc;
}
static int hs_sigs_compile(struct hs_loader *ld, struct hs_lists *l)
{
	hs_compile_error_t *cerr = NULL;
	unsigned *flags, *ids;
	int rc = 0;

	if (ld->n == 0)
		return 0;
	flags = malloc(ld->n * sizeof(*flags));
	ids = malloc(ld->n * sizeof(*ids));
	if (!flags || !ids) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (unsigned i = 0; i < ld->n; i++) {
		flags[i] = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
		ids[i] = i;
	}
	if (hs_compile_kept((const char *const *)ld->exprs, flags, ids, ld->n, &l->sig_db,
			    &cerr) != HS_SUCCESS) {
		if (cerr && cerr->expression >= 0 && (unsigned)cerr->expression < ld->n)
			hs_lists_error(ld, ld->files[cerr->expression], ld->lines[cerr->expression],
				       "bad signature regex \"%s\": %s", ld->exprs[cerr->expression],
				       cerr->message);
		else
			hs_lists_error(ld, ld->dir, 0, "hyperscan: %s",
				       cerr ? cerr->message : "compile failed");
		hs_free_compile_error(cerr);
		l->sig_db = NULL;
		rc = -EINVAL;
		goto out_free;
	}
	if (hs_alloc_scratch(l->sig_db, &l->sig_scratch) != HS_SUCCESS) {
		hs_lists_error(ld, ld->dir, 0, "hyperscan: cannot allocate scratch");
		rc = -ENOMEM;
		goto out_free;
	}
	{
		const char **late = malloc(ld->n * sizeof(*late));
		unsigned n_late = 0;

		if (!late) {
			rc = -ENOMEM;
			goto out_free;
		}
		for (unsigned i = 0; i < ld->n; i++) {
			const struct hs_sig *g = &ld->sigs[i];

			if ((g->l4proto == 17 || g->l4proto == 0) && !g->first && !g->confirm) {
				late[n_late] = ld->exprs[i];
				flags[n_late] = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
				ids[n_late++] = i;
			}
		}
		l->late_pre = n_late <= sizeof(l->late_ids) / sizeof(l->late_ids[0]);
		for (unsigned j = 0; l->late_pre && j < n_late; j++) {
			uint8_t set[32];

			hs_first_set(late[j], set);
			l->late_ids[j] = ids[j];
			for (unsigned b = 0; b < 256; b++)
				if (set[b >> 3] & (1u << (b & 7)))
					l->late_first[b] |= 1ull << j;
		}
		/* Each of these compiled once already, in sig_db. */
		if (n_late &&
		    (hs_compile_kept(late, flags, ids, n_late, &l->late_db, &cerr) != HS_SUCCESS ||
		     hs_alloc_scratch(l->late_db, &l->sig_scratch) != HS_SUCCESS)) {
			hs_lists_error(ld, ld->dir, 0, "hyperscan: %s",
				       cerr ? cerr->message : "late signatures failed");
			hs_free_compile_error(cerr);
			free(late);
			rc = -EINVAL;
			goto out_free;
		}
		free(late);
	}
	l->sigs = malloc(ld->n * sizeof(*l->sigs));
	if (!l->sigs) {
		rc = -ENOMEM;
		goto out_free;
	}
	memcpy(l->sigs, ld->sigs, ld->n * sizeof(*l->sigs));
	l->n_sigs = ld->n;
out_free:
	free(flags);
	free(ids);
	return rc;
}

/* Read every <class>EXT file of the directory, in name order, with rd. */
static int hs_lists_read_dir(struct hs_loader *ld, const char *ext,
			     int (*rd)(struct hs_loader *, const char *, unsigned))
{
	struct dirent *de;
	char **names = NULL;
	unsigned n = 0, cap = 0;
	int rc = 0;
	DIR *d;

	d = opendir(ld->dir);
	if (!d) {
		rc = -errno;
		hs_lists_error(ld, ld->dir, 0, "cannot open list directory: %s", strerror(-rc));
		return rc;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ext) != 0)
			continue;
		if (n == cap) {
			void *p = realloc(names, (cap ? cap * 2 : 16) * sizeof(*names));

			if (!p) {
				rc = -ENOMEM;
				goto out_free_names;
			}
			names = p;
			cap = cap ? cap * 2 : 16;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = -ENOMEM;
			goto out_free_names;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), hs_cmp_name);

	ld->file_names = calloc(n ? n : 1, sizeof(*ld->file_names));
	if (!ld->file_names) {
		rc = -ENOMEM;
		goto out_free_names;
	}
	for (unsigned i = 0; i < n && !rc; i++) {
		size_t stem = strlen(names[i]) - 4;
		unsigned cls = hs_class_from_name(names[i], stem);
		char *path;

		if (asprintf(&path, "%s/%s", ld->dir, names[i]) < 0) {
			rc = -ENOMEM;
			break;
		}
		ld->file_names[ld->n_files++] = path;
		if (cls == POLICY_CLASS_NONE) {
			hs_lists_error(ld, path, 0,
				       "unknown class \"%.*s\" (list files are <class>%s)",
				       (int)stem, names[i], ext);
			rc = -EINVAL;
			break;
		}
		rc = rd(ld, path, cls);
	}

out_free_names:
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int hs_lists_compile(struct hs_loader *ld, struct hs_lists *l)
{
	hs_compile_error_t *cerr = NULL;
	unsigned *flags, *ids;
	int rc = 0;

	if (ld->n == 0)
		return 0;
	flags = malloc(ld->n * sizeof(*flags));
	ids = malloc(ld->n * sizeof(*ids));
	if (!flags || !ids) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (unsigned i = 0; i < ld->n; i++) {
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
		ids[i] = (unsigned)ld->entries[i].cls << HS_ID_CLASS_SHIFT | i;
	}
	if (hs_compile_kept((const char *const *)ld->exprs, flags, ids, ld->n, &l->db, &cerr) !=
	    HS_SUCCESS) {
		if (cerr && cerr->expression >= 0 && (unsigned)cerr->expression < ld->n)
			hs_lists_error(ld, ld->files[cerr->expression], ld->lines[cerr->expression],
				       "bad pattern \"%s\": %s", ld->keys[cerr->expression],
				       cerr->message);
		else
			hs_lists_error(ld, ld->dir, 0, "hyperscan: %s",
				       cerr ? cerr->message : "compile failed");
		hs_free_compile_error(cerr);
		l->db = NULL;
		rc = -EINVAL;
		goto out_free;
	}
	if (hs_alloc_scratch(l->db, &l->scratch) != HS_SUCCESS) {
		hs_lists_error(ld, ld->dir, 0, "hyperscan: cannot allocate scratch");
		rc = -ENOMEM;
		goto out_free;
	}
	l->entries = malloc(ld->n * sizeof(*l->entries));
	if (!l->entries) {
		rc = -ENOMEM;
		goto out_free;
	}
	memcpy(l->entries, ld->entries, ld->n * sizeof(*l->entries));
	l->n = ld->n;
out_free:
	free(flags);
	free(ids);
	return rc;
}

static void hs_loader_free(struct hs_loader *ld)
{
	for (unsigned i = 0; i < ld->n; i++) {
		free(ld->exprs[i]);
		free(ld->keys[i]);
	}
	free(ld->exprs);
	free(ld->keys);
	free(ld->files);
	free(ld->lines);
	free(ld->entries);
	free(ld->sigs);
	for (unsigned i = 0; i < ld->n_files; i++)
		free(ld->file_names[i]);
	free(ld->file_names);
}

struct hs_lists *hs_lists_load(const char *dir, char *err, size_t errlen)
{
	struct hs_loader ld = {.dir = dir, .err = err, .errlen = errlen};
	struct hs_loader sl = {.dir = dir, .err = err, .errlen = errlen};
	struct hs_lists *l;
	int rc = -ENOMEM;

	if (err && errlen)
		err[0] = '\0';
	l = calloc(1, sizeof(*l));
	if (l && !dir)
		return l; /* no list directory: an empty set */
	if (l) {
		rc = hs_lists_read_dir(&ld, ".txt", hs_lists_read_file);
		if (!rc)
			rc = hs_lists_check_duplicates(&ld);
		if (!rc)
			rc = hs_lists_compile(&ld, l);
		if (!rc)
			rc = hs_lists_read_dir(&sl, ".sig", hs_sigs_read_file);
		if (!rc)
			rc = hs_sigs_compile(&sl, l);
	}
	hs_loader_free(&ld);
	hs_loader_free(&sl);
	if (rc) {
		/* Every other failure has written its own message. */
		if (err && errlen && !err[0])
			snprintf(err, errlen, "%s:0: %s", dir, strerror(-rc));
		hs_lists_free(l);
		return NULL;
	}
	return l;
}

void hs_lists_free(struct hs_lists *l)
{
	if (!l)
		return;
	hs_free_scratch(l->scratch);
	hs_free_database(l->db);
	free(l->entries);
	hs_free_scratch(l->sig_scratch);
	hs_free_database(l->sig_db);
	hs_free_database(l->late_db);
	free(l->sigs);
	free(l);
}

unsigned hs_lists_count(const struct hs_lists *l)
{
	return l->n;
}

struct hs_matcher *hs_matcher_create(const struct hs_lists *l)
{
	struct hs_matcher *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->l = l;
	if ((l->scratch && hs_clone_scratch(l->scratch, &m->scratch) != HS_SUCCESS) ||
	    (l->sig_scratch && hs_clone_scratch(l->sig_scratch, &m->sig_scratch) != HS_SUCCESS)) {
		hs_matcher_free(m);
		return NULL;
	}
	return m;
}

void hs_matcher_free(struct hs_matcher *m)
{
	if (!m)
		return;
	hs_free_scratch(m->scratch);
	hs_free_scratch(m->sig_scratch);
	free(m);
}

struct hs_match_ctx {
	const struct hs_lists *l;
	unsigned best; /* entry index, or UINT32_MAX */
};

static int hs_on_match(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *arg)
{
	struct hs_match_ctx *c = arg;
	unsigned idx = id & HS_ID_INDEX_MASK;

	(void)from;
	(void)to;
	(void)flags;
	/* Longest domain pattern wins; on a tie the earlier line (file order). */
	if (c->best == UINT32_MAX || c->l->entries[idx].spec > c->l->entries[c->best].spec ||
	    (c->l->entries[idx].spec == c->l->entries[c->best].spec && idx < c->best))
		c->best = idx;
	return 0;
}

size_t hs_name_host_len(const char *name, size_t len)
{
	const char *colon = len && name[0] != '[' ? memchr(name, ':', len) : NULL;

	return colon && colon > name ? (size_t)(colon - name) : len;
}

unsigned hs_match_name(struct hs_matcher *m, const char *name, size_t len)
{
	struct hs_match_ctx c = {.l = m->l, .best = UINT32_MAX};

	if (!m->l->db || !name || len == 0)
		return POLICY_CLASS_NONE;
	len = hs_name_host_len(name, len);
	if (len > HS_NAME_MAX)
		len = HS_NAME_MAX;
	if (hs_scan(m->l->db, name, (unsigned)len, 0, m->scratch, hs_on_match, &c) != HS_SUCCESS)
		return POLICY_CLASS_NONE;
	return c.best == UINT32_MAX ? POLICY_CLASS_NONE : m->l->entries[c.best].cls;
}

unsigned hs_sigs_count(const struct hs_lists *l)
{
	return l->n_sigs;
}

struct hs_sig_ctx {
	const struct hs_lists *l;
	const uint8_t *p;
	size_t n;
	uint8_t l4proto;
	uint8_t dir;
	uint16_t resp_port;
	bool late;	   /* hs_match_late: lines marked first do not count */
	unsigned best;	   /* signature index, or UINT32_MAX */
	unsigned classes; /* bit per class of every line whose checks pass */
};

static bool hs_sig_checks(const struct hs_sig *sig, const struct hs_sig_ctx *c)
{
	if (sig->l4proto && sig->l4proto != c->l4proto)
		return false;
	if (!(sig->dir & c->dir))
		return false;
	if (sig->size && sig->size != c->n)
		return false;
	if (sig->n_ports) {
		unsigned i;

		for (i = 0; i < sig->n_ports && sig->ports[i] != c->resp_port; i++)
			;
		if (i == sig->n_ports)
			return false;
	}
	if (sig->len_kind) {
		unsigned w = sig->len_kind & 0x7f;
		uint64_t v = 0;

		if ((size_t)sig->len_off + w > c->n)
			return false;
		for (unsigned i = 0; i < w; i++) {
			unsigned b = (sig->len_kind & 0x80) ? w - 1 - i : i;

			v = v << 8 | c->p[sig->len_off + b];
		}
		if ((int64_t)v + sig->len_add != (int64_t)c->n)
			return false;
	}
	return true;
}

static int hs_on_sig(unsigned int id, unsigned long long from, unsigned long long to,
		     unsigned int flags, void *arg)
{
	struct hs_sig_ctx *c = arg;

	(void)from;
	(void)to;
	(void)flags;
	/* The first line (file order) whose checks pass wins; a confirm line
	 * only counts in the classes seen. */
	if (id < c->l->n_sigs && !(c->late && c->l->sigs[id].first) &&
	    hs_sig_checks(&c->l->sigs[id], c)) {
		c->classes |= 1u << c->l->sigs[id].cls;
		if (id < c->best && !c->l->sigs[id].confirm)
			c->best = id;
	}
	return 0;
}

static unsigned hs_match_sigs(struct hs_matcher *m, const uint8_t *p, size_t n, uint8_t l4proto,
			      bool from_initiator, uint16_t resp_port, bool late,
			      const char **family, unsigned *classes)
{
	struct hs_sig_ctx c = {.l = m->l,
			       .p = p,
			       .n = n,
			       .l4proto = l4proto,
			       .dir = from_initiator ? HS_DIR_OUT : HS_DIR_IN,
			       .resp_port = resp_port,
			       .late = late,
			       .best = UINT32_MAX};
	const hs_database_t *db = late && l4proto == 17 ? m->l->late_db : m->l->sig_db;

	if (family)
		*family = NULL;
	if (classes)
		*classes = 0;
	if (!db || !p || n == 0)
		return POLICY_CLASS_NONE;
	if (db == m->l->late_db && m->l->late_pre) {
		uint64_t may = m->l->late_first[p[0]];

		while (may && !hs_sig_checks(&m->l->sigs[m->l->late_ids[__builtin_ctzll(may)]], &c))
			may &= may - 1;
		if (!may)
			return POLICY_CLASS_NONE; /* no late line can match */
	}
	if (hs_scan(db, (const char *)p, (unsigned)(n < HS_SCAN_MAX ? n : HS_SCAN_MAX), 0,
		    m->sig_scratch, hs_on_sig, &c) != HS_SUCCESS)
		return POLICY_CLASS_NONE;
	if (classes)
		*classes = c.classes;
	if (c.best == UINT32_MAX)
		return POLICY_CLASS_NONE;
	if (family)
		*family = m->l->sigs[c.best].family;
	return m->l->sigs[c.best].cls;
}

unsigned hs_match_payload(struct hs_matcher *m, const uint8_t *p, size_t n, uint8_t l4proto,
			  bool from_initiator, uint16_t resp_port, const char **family,
			  unsigned *classes)
{
	return hs_match_sigs(m, p, n, l4proto, from_initiator, resp_port, false, family, classes);
}

unsigned hs_match_late(struct hs_matcher *m, const uint8_t *p, size_t n, uint8_t l4proto,
		       bool from_initiator, uint16_t resp_port)
{
	return hs_match_sigs(m, p, n, l4proto, from_initiator, resp_port, true, NULL, NULL);
}

/* The signatures are file-format magic numbers, not site data, so they
 * live here rather than in a list. */
static bool hs_docsig_at(const uint8_t *p, size_t n)
{
	static const uint8_t ole2[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};

	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return true;
	if (n >= 8 && memcmp(p, ole2, 8) == 0)
		return true;
	if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return true;
	return false;
}

bool hs_docsig_match(const uint8_t *p, size_t n)
{
	size_t off = 0;

	if (!p)
		return false;
	if (hs_docsig_at(p, n))
		return true;
	while (off + 4 < n) {
		const uint8_t *q = memmem(p + off, n - off, "\r\n\r\n", 4);

		if (!q)
			break;
		off = (size_t)(q - p) + 4;
		if (hs_docsig_at(p + off, n - off))
			return true;
	}
	return false;
}

bool hs_tor_name(const char *name, size_t len)
{
	size_t mid;

	if (!name || len < 4 + 4 + 4 || len > 4 + 25 + 4 || memcmp(name, "www.", 4) != 0 ||
	    (memcmp(name + len - 4, ".com", 4) != 0 && memcmp(name + len - 4, ".net", 4) != 0))
		return false;
	mid = len - 8;
	for (size_t i = 0; i < mid; i++) {
		char ch = name[4 + i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7')))
			return false;
	}
	return true;
}

size_t hs_http_lead(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (p && i < n && (p[i] == '\r' || p[i] == '\n' || p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

bool hs_webdav_match(const uint8_t *p, size_t n)
{
	static const char *const methods[] = {"PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ",
					      "MOVE ",	   "LOCK ",	 "UNLOCK "};
	size_t scan, lead = hs_http_lead(p, n);

	if (!p)
		return false;
	p += lead;
	n -= lead;
	scan = n < 2048 ? n : 2048;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);

		if (n > ml && memcmp(p, methods[i], ml) == 0)
			return memmem(p + ml, scan - ml, " HTTP/", 6) != NULL;
	}
	return false;
}

size_t hs_authority_host(const char *s, size_t n, char *out, size_t size)
{
	size_t start = 0, end = n;

	if (!s || !out || size == 0)
		return 0;
	out[0] = '\0';
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		if (!rb)
			return 0;
		start = 1;
		end = (size_t)(rb - s);
	} else {
		const char *colon = memchr(s, ':', n);

		/* One colon followed by digits only is a port; anything else
		 * (a bare IPv6 address) is left whole. */
		if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) {
			size_t i = (size_t)(colon - s) + 1;

			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == n)
				end = (size_t)(colon - s);
		}
	}
	if (end <= start || end - start >= size)
		return 0;
	memcpy(out, s + start, end - start);
	out[end - start] = '\0';
	return end - start;
}

/* The request line's method at p: letters of either case (Squid takes
 * "connect"), at most 15, then white space (SP or HTAB, as Squid's relaxed
 * parser takes). Its length, 0 when there is none; *target: the first byte
 * after the white space. */
/* White space between a request line's fields as a relaxed parser takes
 * it: SP and HT (RFC 9112 3), and VT, FF and a bare CR, which Squid takes
 * too (relaxed_header_parser, on by default: red team, the seventeenth
 * session, a CONNECT with VT between its fields went unread). A CR is
 * bare when a byte other than LF follows it here. */
static inline bool hs_line_ws(const uint8_t *p, size_t i, size_t n)
{
	uint8_t b = p[i];

	return b == ' ' || b == '\t' || b == '\v' || b == '\f' ||
	       (b == '\r' && i + 1 < n && p[i + 1] != '\n');
}

/* A byte of a method: a token's (RFC 9110 5.6.2 tchar: letters, digits
 * and !#$%&'*+-.^_`|~). nginx takes A-Z, '_' and '-'; llhttp knows
 * M-SEARCH; Apache and Go take any token, and Go answers an unknown one
 * with 405 and keeps the connection (red team round 12, the
 * twenty-second session: six requests with the method M2 or X.Y!, then
 * a GET for m.vk.com, left the flow unread: rt12_method_digit_vk,
 * rt12_method_tchar_vk; the eighteenth session's M-SEARCH ahead of a GET
 * hid one too). */
static inline bool hs_method_byte(uint8_t b)
{
	return ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
	       b == '_' || b == '.' || b == '!' || b == '#' || b == '$' || b == '%' || b == '&' ||
	       b == '\'' || b == '*' || b == '+' || b == '^' || b == '`' || b == '|' || b == '~';
}

/* Whether a method of m bytes at p holds more than letters, '-' and '_'. */
static bool hs_method_odd(const uint8_t *p, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		if (!((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') && p[i] != '-' && p[i] != '_')
			return true;
	return false;
}

/* A method's letters at most: servers take a method token of any length
 * (nginx answers one it does not know with 405 and keeps the connection),
 * so reading stopped at 3 to 31 letters let a request with a 2- or 40-letter
 * method, then any other, go unread (red team round 11, the twenty-first
 * session: rt11_first_longmethod_vk, rt11_first_shortmethod_vk). The
 * bound is a request line's room in common servers (nginx's 8 KiB).
 * A method with other token bytes (digits, '.', '+'...) is one only on a
 * whole request line that ends in a version: Go, which takes any token,
 * refuses a line without one (400, closed), and so the first lines of
 * other text protocols ("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", an IMAP
 * tag "a001 LOGIN ...") stay what they are. */
#define HS_METHOD_MAX 8192

static size_t hs_method(const uint8_t *p, size_t n, const uint8_t **target)
{
	size_t m, t;

	for (m = 0; m < n && m < HS_METHOD_MAX && hs_method_byte(p[m]); m++)
		;
	if (m < 1 || m >= HS_METHOD_MAX || m >= n || !hs_line_ws(p, m, n))
		return 0;
	if (hs_method_odd(p, m) && !hs_http_versioned(p, n))
		return 0;
	for (t = m; t < n && hs_line_ws(p, t, n); t++)
		;
	*target = p + t;
	return m;
}

/* The end of the request target at t: the next white space (a relaxed
 * parser's, hs_line_ws), or the end of what is here. */
static const uint8_t *hs_target_end(const uint8_t *t, const uint8_t *end)
{
	while (t < end && *t != ' ' && *t != '\t' && *t != '\v' && *t != '\f' && *t != '\r' &&
	       *t != '\n')
		t++;
	return t;
}

/* Whether a request target is in absolute-form (RFC 9112 3.2.2: a scheme,
 * then "://"), which a client sends to a proxy only. Any scheme: Squid
 * gateways ftp:// too (red team, the seventeenth session). The authority
 * starts at *a. */
static bool hs_absolute_form(const uint8_t *t, const uint8_t *end, const uint8_t **a)
{
	const uint8_t *p = t;

	if (p >= end || !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		return false;
	while (p < end && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') ||
			   *p == '+' || *p == '-' || *p == '.'))
		p++;
	if (end - p < 3 || p[0] != ':' || p[1] != '/' || p[2] != '/')
		return false;
	*a = p + 3;
	return true;
}

size_t hs_connect_target(const uint8_t *p, size_t n, char *out, size_t size)
{
	const uint8_t *t, *te;
	size_t lead = hs_http_lead(p, n);

	if (!p || !out || size == 0)
		return 0;
	out[0] = '\0';
	p += lead;
	n -= lead;
	if (n > HS_HEAD_MAX)
		n = HS_HEAD_MAX;
	if (hs_method(p, n, &t) != 7 || strncasecmp((const char *)p, "CONNECT", 7) != 0)
		return 0;
	te = hs_target_end(t, p + n);
	if (te == p + n) /* cut by the segment */
		return 0;
	return hs_authority_host((const char *)t, (size_t)(te - t), out, size);
}

/* Characters an authority (host[:port], [v6]:port) may hold. */
static bool hs_authority_ok(const uint8_t *a, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = a[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == ':' ||
		      ch == '[' || ch == ']'))
			return false;
	}
	return true;
}

static bool hs_prefix_nocase(const uint8_t *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && strncasecmp((const char *)p, lit, l) == 0;
}

/* A header field's value from a (after the ':') to le (its line's LF, or
 * the end of what is here): without the one CR before the LF and the
 * spaces and tabs around it, in [*v, *ve). Any other CR stays in the
 * value, where the callers refuse it. */
static void hs_value_trim(const uint8_t *a, const uint8_t *le, const uint8_t **v,
			  const uint8_t **ve)
{
	const uint8_t *b = le > a && le[-1] == '\r' ? le - 1 : le;

	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	*v = a;
	*ve = b;
}

/* The Host header of the request head at p (n bytes, the request line
 * first): the first one's value, without the white space around it, in
 * [*vp, *vep). Lines end in CRLF or in a bare LF (nginx, Node and Squid
 * take both); an empty line ends the head. 1 when found, 2 when the head
 * has more than one (servers differ on which counts: RFC 9112 3.2 says
 * refuse), 3 when it is one folded onto the next line (obs-fold: nginx
 * refuses it, Apache reads it), 0 when there is none, -1 when the segment
 * cuts the first. */
static int hs_host_field(const uint8_t *p, size_t n, const uint8_t **vp, const uint8_t **vep)
{
	const uint8_t *end = p + n, *line = memchr(p, '\n', n);
	int found = 0;

	while (line && ++line < end) {
		const uint8_t *le = memchr(line, '\n', (size_t)(end - line)), *v, *ve;

		if (*line == '\n' || (*line == '\r' && line + 1 < end && line[1] == '\n'))
			break; /* the empty line: the head ends */
		if (hs_prefix_nocase(line, (size_t)(end - line), "host:")) {
			if (found)
				return 2;
			if (!le)
				return -1;
			hs_value_trim(line + 5, le, &v, &ve);
			/* An empty value continued on the next line (obs-fold,
			 * RFC 9112 5.2): Apache joins the lines, and serves
			 * the host there (red team, the seventeenth session:
			 * "Host:\r\n m.vk.com"). That line is the value. */
			if (v == ve && le + 1 < end && (le[1] == ' ' || le[1] == '\t')) {
				const uint8_t *fe = memchr(le + 1, '\n', (size_t)(end - le - 1));

				if (!fe)
					return -1;
				hs_value_trim(le + 1, fe, &v, &ve);
				le = fe;
				found = 3;
			} else {
				found = 1;
			}
			*vp = v;
			*vep = ve;
		}
		line = le;
	}
	return found;
}

/* A protocol an Upgrade header names (RFC 9110 7.8: name["/"version]),
 * w of len bytes: one that is no tunnel to elsewhere. A WebSocket (RFC
 * 6455: to the server itself), HTTP/2 (h2c, read as such), HTTP itself,
 * or TLS on the same connection (RFC 2817). */
static bool hs_upgrade_word_ok(const uint8_t *w, size_t len)
{
	const uint8_t *sl = memchr(w, '/', len);
	size_t nl = sl ? (size_t)(sl - w) : len;

	return (nl == 9 && strncasecmp((const char *)w, "websocket", 9) == 0) ||
	       (nl == 3 && strncasecmp((const char *)w, "h2c", 3) == 0) ||
	       (nl == 4 && strncasecmp((const char *)w, "HTTP", 4) == 0) ||
	       (nl == 3 && strncasecmp((const char *)w, "TLS", 3) == 0);
}

/* Whether the head at p (n bytes, its request line first) asks, in an
 * Upgrade header, for any other protocol: a tunnel the server opens to
 * wherever the request names, a proxy. MASQUE over HTTP/1.1 (RFC 9298
 * connect-udp, RFC 9484 connect-ip, draft-ietf-httpbis-connect-tcp's
 * connect-tcp), and whatever else a server may take, as an HTTP/2
 * extended CONNECT's :protocol other than websocket is (h2.c; red team
 * round 39, rt39_masque_udp_vk, rt39_masque_ip, rt39_connect_tcp_px:
 * any Upgrade only ended the reading, and the office went on). Every
 * word of every Upgrade line and of the lines folded onto one (RFC 9112
 * 5.2: a server that joins them reads their words too) counts; a line
 * not whole yet is judged when it is. */
static bool hs_upgrade_proxy(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *line = memchr(p, '\n', n);
	bool in = false, any = false, word = false;

	while (line && ++line < end) {
		const uint8_t *le = memchr(line, '\n', (size_t)(end - line)), *v, *ve;
		bool fold = *line == ' ' || *line == '\t';

		/* an Upgrade value with no word in it (`Upgrade: ,`): a
		 * tunnel to a protocol no one named (hs_head_asks takes any
		 * value for a tunnel; red team round 40, rt40_up_comma_px) */
		if (!fold && in && any && !word)
			return true;
		if (*line == '\n' || (*line == '\r' && line + 1 < end && line[1] == '\n'))
			break; /* the empty line: the head ends */
		if (!le)
			break;
		if (fold) {
			v = line; /* folded onto the line before */
		} else {
			in = hs_prefix_nocase(line, (size_t)(le - line), "upgrade:");
			any = word = false;
			v = in ? line + 8 : le;
		}
		if (in) {
			ve = le > v && le[-1] == '\r' ? le - 1 : le;
			while (v < ve) {
				const uint8_t *w;

				while (v < ve && (*v == ' ' || *v == '\t' || *v == ',')) {
					any |= *v == ',';
					v++;
				}
				for (w = v; v < ve && *v != ' ' && *v != '\t' && *v != ','; v++)
					;
				if (v > w) {
					if (!hs_upgrade_word_ok(w, (size_t)(v - w)))
						return true;
					any = word = true;
				}
			}
		}
		line = le;
	}
	return false;
}

unsigned hs_http_request_check(const uint8_t *p, size_t n)
{
	const uint8_t *sp, *end, *v, *ve, *a;
	unsigned out = 0;
	size_t m;

	if (!p)
		return 0;
	if (n > HS_HEAD_MAX)
		n = HS_HEAD_MAX;
	/* Servers skip empty lines before the request line (RFC 9112 2.2),
	 * some any white space (Squid): so do we. */
	m = hs_http_lead(p, n);
	p += m;
	n -= m;
	if (n < 4)
		return 0;
	/* A request line: a method token (any case: Squid reads lower case
	 * too), white space (one SP, or what a relaxed parser takes). */
	m = hs_method(p, n, &sp);
	if (!m)
		return 0;
	out |= HS_HTTP_REQUEST;
	/* the target runs to white space, or past this segment: judge what
	 * is here */
	end = hs_target_end(sp, p + n);
	if (m == 7 && strncasecmp((const char *)p, "CONNECT", 7) == 0) {
		out |= HS_HTTP_PROXY;
		if (!hs_authority_ok(sp, (size_t)(end - sp)))
			out |= HS_HTTP_MALFORMED;
	} else if (m > 7 && strncasecmp((const char *)p, "CONNECT", 7) == 0) {
		/* the MASQUE drafts' CONNECT-UDP and CONNECT-IP (red team
		 * round 39, rt39_connect_udp_px), and any other of the kind */
		out |= HS_HTTP_PROXY;
	} else if (hs_absolute_form(sp, end, &a)) {
		/* absolute-form: what a client sends to a proxy (RFC 9112 3.2.2) */
		const uint8_t *ae;

		out |= HS_HTTP_PROXY;
		for (ae = a; ae < end && *ae != '/' && *ae != '?' && *ae != '#'; ae++)
			;
		if (!hs_authority_ok(a, (size_t)(ae - a)))
			out |= HS_HTTP_MALFORMED;
	}
	if (memchr(p, '\0', (size_t)(end - p)))
		out |= HS_HTTP_MALFORMED;
	/* The Host header, within the request head present here (cut by
	 * the segment: nothing to judge yet); two of them are malformed. */
	switch (hs_host_field(p, n, &v, &ve)) {
	case 2:
	case 3:
		out |= HS_HTTP_MALFORMED;
		/* fall through */
	case 1:
		if (!hs_authority_ok(v, (size_t)(ve - v)))
			out |= HS_HTTP_MALFORMED;
		break;
	default:
		break;
	}
	if (hs_upgrade_proxy(p, n))
		out |= HS_HTTP_PROXY;
	return out;
}

size_t hs_http_host(const uint8_t *p, size_t n, char *out, size_t size)
{
	const uint8_t *v, *ve;
	size_t lead = hs_http_lead(p, n);

	if (!p || !out || size == 0)
		return 0;
	out[0] = '\0';
	if (!(hs_http_request_check(p, n) & HS_HTTP_REQUEST))
		return 0;
	p += lead;
	n -= lead;
	if (n > HS_HEAD_MAX)
		n = HS_HEAD_MAX;
	/* None, cut by the segment, or not a host: no name. Of two, the
	 * first (Node serves it; nginx refuses the request). */
	if (hs_host_field(p, n, &v, &ve) < 1 || !hs_authority_ok(v, (size_t)(ve - v)))
		return 0;
	return hs_authority_host((const char *)v, (size_t)(ve - v), out, size);
}

/* Value of a header line at line (name of nlen bytes and ':' first, any
 * case), trimmed of white space, in [*v, *ve); false for another header. */
static bool hs_header_value(const uint8_t *line, const uint8_t *le, const char *name, size_t nlen,
			    const uint8_t **v, const uint8_t **ve)
{
	if ((size_t)(le - line) <= nlen || line[nlen] != ':' ||
	    strncasecmp((const char *)line, name, nlen) != 0)
		return false;
	hs_value_trim(line + nlen + 1, le, v, ve);
	return true;
}

/* One line from *at within p[..end): its end (the LF) or NULL. */
static const uint8_t *hs_line(const uint8_t *at, const uint8_t *end)
{
	return at < end ? memchr(at, '\n', (size_t)(end - at)) : NULL;
}

/* The chunked body from p on (n bytes here), its state in c: the bytes
 * of it that are here, up to its end (c->st 0 then), as servers read one
 * (leading zeros in a size, extensions after ';' or white space, a chunk
 * followed by CRLF or a bare LF, trailer lines to an empty one). A size
 * over 2^32 - 1, a byte no size line has, or a chunk not followed by a
 * line end is malformed (*malformed, c->st 0). */
size_t hs_chunk_feed(struct hs_chunk *c, const uint8_t *p, size_t n, bool *malformed)
{
	size_t i = 0;

	while (i < n && c->st) {
		uint8_t b = p[i];
		int h;

		switch (c->st) {
		case HS_CH_SIZE0:
		case HS_CH_SIZE:
			if ((h = hs_hexval((char)b)) >= 0) {
				if (c->left >> 28)
					goto bad;
				c->left = c->left << 4 | (uint32_t)h;
				c->st = HS_CH_SIZE;
			} else if (c->st == HS_CH_SIZE0) {
				goto bad;
			} else if (b == '\n') {
				c->st = c->left ? HS_CH_DATA : HS_CH_TBOL;
			} else if (b == ';' || b == '\r' || b == ' ' || b == '\t') {
				c->st = HS_CH_EXT;
			} else {
				goto bad;
			}
			i++;
			break;
		case HS_CH_EXT:
			if (b == '\n')
				c->st = c->left ? HS_CH_DATA : HS_CH_TBOL;
			i++;
			break;
		case HS_CH_DATA: {
			size_t k = n - i < c->left ? n - i : c->left;

			c->left -= (uint32_t)k;
			i += k;
			if (!c->left)
				c->st = HS_CH_DEND;
			break;
		}
		case HS_CH_DEND:
			if (b == '\r')
				c->st = HS_CH_DCR;
			else if (b == '\n')
				c->st = HS_CH_SIZE0;
			else
				goto bad;
			i++;
			break;
		case HS_CH_DCR:
			if (b != '\n')
				goto bad;
			c->st = HS_CH_SIZE0;
			i++;
			break;
		case HS_CH_TBOL:
			c->st = b == '\n' ? 0 : b == '\r' ? HS_CH_TCR : HS_CH_TLINE;
			i++;
			break;
		case HS_CH_TCR:
			c->st = b == '\n' ? 0 : HS_CH_TLINE;
			i++;
			break;
		default: /* HS_CH_TLINE */
			if (b == '\n')
				c->st = HS_CH_TBOL;
			i++;
			break;
		}
	}
	return i;
bad:
	*malformed = true;
	c->st = 0;
	return i;
}

/* hs_http_body_end, and with ch (not NULL): a chunked body that goes on
 * past p leaves its state in *ch (ch->st set) instead of being not whole. */
static size_t hs_body_end(const uint8_t *p, size_t n, size_t head, bool *malformed,
			  uint64_t *cl_end, struct hs_chunk *ch)
{
	const uint8_t *end = p + n, *he = p + head, *line, *le;
	uint64_t cl = 0;
	bool has_cl = false, chunked = false, has_te = false;

	*malformed = false;
	if (cl_end)
		*cl_end = 0;
	if (!p || head == 0 || head > n)
		return 0;
	line = p + hs_http_lead(p, head);
	line = memchr(line, '\n', (size_t)(he - line)); /* past the request line */
	for (line = line ? line + 1 : he; line < he; line = le + 1) {
		const uint8_t *v, *ve;

		le = hs_line(line, he);
		if (!le)
			break;
		if (hs_header_value(line, le, "content-length", 14, &v, &ve)) {
			/* Digits, leading zeros as many as they come (nginx,
			 * llhttp, Apache and Squid read "0002" as 2); a list
			 * of the same value (RFC 9110 8.6, Squid takes
			 * "2, 2"). Beyond 15 significant digits no body fits
			 * what we hold: malformed, as anything else is. */
			const uint8_t *q = v;

			if (v == ve) {
				*malformed = true;
				return 0;
			}
			while (q < ve) {
				uint64_t x = 0;
				unsigned sig = 0;
				const uint8_t *d0 = q;

				while (q < ve && *q == '0')
					q++;
				for (; q < ve && *q >= '0' && *q <= '9'; q++) {
					if (++sig > 15) {
						*malformed = true;
						return 0;
					}
					x = x * 10 + (uint64_t)(*q - '0');
				}
				if (q == d0 || (has_cl && x != cl)) {
					*malformed = true;
					return 0;
				}
				has_cl = true;
				cl = x;
				while (q < ve && (*q == ' ' || *q == '\t'))
					q++;
				if (q < ve) {
					if (*q != ',') {
						*malformed = true;
						return 0;
					}
					q++;
					while (q < ve && (*q == ' ' || *q == '\t'))
						q++;
					if (q == ve) {
						*malformed = true;
						return 0;
					}
				}
			}
		} else if (hs_header_value(line, le, "transfer-encoding", 17, &v, &ve)) {
			if (has_te || ve - v != 7 ||
			    strncasecmp((const char *)v, "chunked", 7) != 0) {
				*malformed = true;
				return 0;
			}
			has_te = chunked = true;
		}
	}
	if (has_cl && has_te) {
		*malformed = true;
		return 0;
	}
	if (has_cl) {
		if (cl_end)
			*cl_end = head + cl;
		return cl <= (uint64_t)(n - head) ? head + (size_t)cl : 0;
	}
	if (!chunked)
		return head;
	/* chunk-size [ext] CRLF chunk CRLF ... 0 [ext] CRLF trailer CRLF */
	{
		struct hs_chunk c = {0, HS_CH_SIZE0};
		size_t k = hs_chunk_feed(&c, he, (size_t)(end - he), malformed);

		if (*malformed)
			return 0;
		if (c.st) {
			if (ch)
				*ch = c;
			return 0;
		}
		return head + k;
	}
}

size_t hs_http_body_end(const uint8_t *p, size_t n, size_t head, bool *malformed, uint64_t *cl_end)
{
	return hs_body_end(p, n, head, malformed, cl_end, NULL);
}

/* Every line start in p (n bytes) that begins a request line, visited (at
 * most 64): past a framing we cannot follow, any of them may be the next
 * request a server reads. */
static void hs_http_lines(const uint8_t *p, size_t n, hs_http_visit_fn visit, void *arg)
{
	const uint8_t *end = p + n, *line = p;

	for (unsigned k = 0; k < 64 && line < end;) {
		unsigned http;
		const uint8_t *lf;

		/* past empty lines: each request line is visited once */
		line += hs_http_lead(line, (size_t)(end - line));
		if (line >= end)
			break;
		http = hs_http_request_check(line, (size_t)(end - line));

		if (http & HS_HTTP_REQUEST) {
			k++;
			visit(arg, line, (size_t)(end - line), http);
		}
		lf = memchr(line, '\n', (size_t)(end - line));
		if (!lf)
			break;
		line = lf + 1;
	}
}

/* Whether a request target may start at t (left bytes of it here, the
 * rest to come) behind the method at p (m bytes), as servers parse one
 * (nginx, Go's url.ParseRequestURI, Apache, llhttp): origin-form "/...",
 * "*", absolute-form "scheme://...", or an authority behind CONNECT. A
 * line of text ("The quick brown fox", rsyslog's octet-counted "512 <30>1
 * ...") is none: sent without a line end, it filled the first-bytes slot
 * and was refused as a request line too long (red team round 14, the
 * twenty-second session: rt14_text_line_ok, rt14_syslog_octet_ok). */
static bool hs_target_may_start(const uint8_t *p, size_t m, const uint8_t *t, size_t left)
{
	size_t i, k;

	if (!left || t[0] == '/' || t[0] == '*')
		return true;
	if (m == 7 && strncasecmp((const char *)p, "CONNECT", 7) == 0)
		return ((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z') || (t[0] >= '0' && t[0] <= '9') ||
		       t[0] == '[' || t[0] == '_' || t[0] == '-';
	if (!((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z'))
		return false;
	for (i = 1; i < left && (((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z') ||
				 (t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' ||
				 t[i] == '.');
	     i++)
		;
	k = left - i < 3 ? left - i : 3;
	return memcmp(t + i, "://", k) == 0;
}

/* Whether p (n bytes, no whole line) may be the start of a request line
 * whose rest is still to come: after the white space servers skip, the
 * bytes of a method (as hs_method reads one) that the bytes end in or
 * follow with white space and more, and no control byte but the white
 * space a relaxed parser takes. */
static bool hs_request_prefix(const uint8_t *p, size_t n)
{
	size_t i = hs_http_lead(p, n), m = 0;

	if (i == n || memchr(p + i, '\n', n - i))
		return false;
	for (; i < n && hs_method_byte(p[i]); i++)
		if (++m >= HS_METHOD_MAX)
			return false;
	if (!m)
		return false;
	/* White space right after the method, where there is more: a line of
	 * printable bytes without any (a base64 upload, red team round 13:
	 * rt13_office_b64_doc_ok, rt13_office_b64_pdf_ok) is no request line
	 * cut by the segment, and was refused once it filled what we keep */
	if (i < n && !hs_line_ws(p, i, n))
		return false;
	{
		size_t t = i;

		while (t < n && hs_line_ws(p, t, n))
			t++;
		if (!hs_target_may_start(p + i - m, m, p + t, n - t))
			return false;
	}
	for (; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\v' && p[i] != '\f') ||
		    p[i] == 0x7f)
			return false;
	return true;
}

bool hs_http_versioned(const uint8_t *p, size_t n)
{
	size_t at, e;
	const uint8_t *lf;

	if (!p)
		return false;
	at = hs_http_lead(p, n);
	lf = memchr(p + at, '\n', n - at);
	if (!lf)
		return false;
	e = (size_t)(lf - p);
	/* white space after the version (nginx takes spaces there) */
	while (e > at && (p[e - 1] == '\r' || p[e - 1] == ' ' || p[e - 1] == '\t'))
		e--;
	/* <digits>.<digits> after HTTP/ (any case; llhttp takes 2.0 too),
	 * or after RTSP/ behind GET or POST (llhttp serves those as HTTP
	 * requests: red team, the eighteenth session), after white space of
	 * a relaxed parser; not the HTTP/2 preface's "PRI * HTTP/2.0". */
	{
		size_t d = e;
		bool rtsp;

		while (d > at && p[d - 1] >= '0' && p[d - 1] <= '9')
			d--;
		if (d == e || d < at + 2 || p[d - 1] != '.')
			return false;
		d--;
		e = d;
		while (d > at && p[d - 1] >= '0' && p[d - 1] <= '9')
			d--;
		if (d == e || d < at + 6)
			return false;
		rtsp = strncasecmp((const char *)p + d - 5, "RTSP/", 5) == 0;
		if (strncasecmp((const char *)p + d - 5, "HTTP/", 5) != 0 && !rtsp)
			return false;
		d -= 5;
		if (d <= at || !hs_line_ws(p, d - 1, n))
			return false;
		if (rtsp)
			return (strncasecmp((const char *)p + at, "GET", 3) == 0 ||
				strncasecmp((const char *)p + at, "POST", 4) == 0) &&
			       hs_line_ws(p, at + ((p[at] | 0x20) == 'g' ? 3 : 4), n);
		return !(n - at >= 4 && memcmp(p + at, "PRI ", 4) == 0);
	}
}

unsigned hs_head_asks(const uint8_t *p, size_t n)
{
	const uint8_t *end, *line, *le;
	unsigned out = 0;
	size_t lead;

	if (!p)
		return 0;
	if (n > HS_HEAD_MAX)
		n = HS_HEAD_MAX;
	lead = hs_http_lead(p, n);
	if (n - lead >= 4 && memcmp(p + lead, "PRI ", 4) == 0)
		out |= HS_HEAD_H2C;
	if (n - lead >= 8 && strncasecmp((const char *)p + lead, "CONNECT", 7) == 0)
		out |= HS_HEAD_TUNNEL;
	end = p + n;
	line = memchr(p + lead, '\n', n - lead);
	for (line = line ? line + 1 : end; line < end; line = le + 1) {
		const uint8_t *v, *ve;

		le = hs_line(line, end);
		if (!le || le == line || (le == line + 1 && line[0] == '\r'))
			break;
		if (hs_header_value(line, le, "http2-settings", 14, &v, &ve))
			out |= HS_HEAD_H2C_UP;
		if (hs_header_value(line, le, "upgrade", 7, &v, &ve) && v < ve) {
			out |= HS_HEAD_TUNNEL;
			for (; v + 3 <= ve; v++)
				if (strncasecmp((const char *)v, "h2c", 3) == 0)
					out |= HS_HEAD_H2C_UP;
		}
	}
	return out;
}

bool hs_http_starts(const uint8_t *p, size_t n)
{
	size_t lead;

	if (!p)
		return false;
	/* A first line not whole yet is judged as the start of one (its
	 * target too: hs_request_prefix), not as a method and white space */
	lead = hs_http_lead(p, n);
	if (lead < n && !memchr(p + lead, '\n', n - lead))
		return hs_request_prefix(p, n);
	return hs_http_request_check(p, n) & HS_HTTP_REQUEST;
}

uint64_t hs_http_requests(const uint8_t *p, size_t n, bool body, struct hs_chunk *ch,
			  hs_http_visit_fn visit, void *arg, size_t *partial)
{
	const uint8_t *p0 = p;
	bool bad = false;

	if (partial)
		*partial = SIZE_MAX;
	if (!p)
		return 0;
	/* the rest of a chunked body the last head declared */
	if (ch && ch->st) {
		size_t k = hs_chunk_feed(ch, p, n, &bad);

		if (bad) {
			visit(arg, NULL, 0, HS_HTTP_MALFORMED);
			hs_http_lines(p + k, n - k, visit, arg);
			return 0;
		}
		if (ch->st)
			return 0;
		p += k;
		n -= k;
		body = false;
	}
	while (n) {
		unsigned http = hs_http_request_check(p, n);
		size_t end, next;
		uint64_t cl_end;

		if (!(http & HS_HTTP_REQUEST)) {
			/* the first bytes of a request line, cut by the
			 * segment: its head comes whole with the next one */
			if (partial && !body && hs_request_prefix(p, n)) {
				*partial = (size_t)(p - p0);
			} else if (!body && hs_http_lead(p, n) < n) {
				/* Bytes that start no request where one may
				 * start: a server answers them with an error
				 * and closes, or reads a method we do not;
				 * the caller is told (a tunnel after an
				 * upgrade is one), and any line of them that
				 * starts a request is read. */
				visit(arg, p, n, HS_HTTP_NOREQ);
				hs_http_lines(p, n, visit, arg);
			}
			return 0;
		}
		/* Bytes of a request's body that look like a request: a
		 * server does not read them as one; only their names are
		 * judged (an upload of a text that quotes a request is no
		 * proxy use: red team, the seventeenth session, a text/plain
		 * POST whose body began "See http://..." was refused). */
		if (body) {
			visit(arg, p, n, http | HS_HTTP_BODY);
			return 0;
		}
		visit(arg, p, n, http);
		end = hs_http_head_end(p, n);
		if (!end) {
			if (partial)
				*partial = (size_t)(p - p0); /* a head cut by the segment */
			return 0;
		}
		next = hs_body_end(p, n, end, &bad, &cl_end, ch);
		if (bad) {
			/* A framing we cannot follow as every server would:
			 * whatever starts a line after the head may be the
			 * next request a server reads (red team review, the
			 * seventeenth session: "Content-Length: 0002" hid the
			 * GET after it, when the bytes right after the head
			 * alone were read). */
			visit(arg, NULL, 0, HS_HTTP_MALFORMED);
			hs_http_lines(p + end, n - end, visit, arg);
			return 0;
		}
		if (!next)
			return cl_end > n ? cl_end - n : 0; /* a body goes on past p */
		if (next >= n)
			return 0;
		p += next;
		n -= next;
	}
	return 0;
}

size_t hs_http_head_end(const uint8_t *p, size_t n)
{
	const uint8_t *end, *line, *start;
	size_t lead = hs_http_lead(p, n);

	if (!p)
		return 0;
	if (n > HS_HEAD_MAX)
		n = HS_HEAD_MAX;
	if (lead >= n)
		return 0;
	start = p + lead;
	end = p + n;
	for (line = memchr(start, '\n', (size_t)(end - start)); line && ++line < end;
	     line = memchr(line, '\n', (size_t)(end - line))) {
		if (*line == '\n')
			return (size_t)(line + 1 - p);
		if (*line == '\r' && line + 1 < end && line[1] == '\n')
			return (size_t)(line + 2 - p);
	}
	return 0;
}
