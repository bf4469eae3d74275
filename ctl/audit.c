/* The hash-chained audit log (see audit.h). */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "flowrec.h"
#include "proto.h"
#include "roles.h"
#include "sha256.h"

#define AUDIT_SUFFIX	 ",\"hash\":\""
#define AUDIT_SUFFIX_LEN (sizeof(AUDIT_SUFFIX) - 1 + 64 + 2) /* ,"hash":"<64>"} */

static const char audit_zero[AUDIT_HASH_HEX] =
	"0000000000000000000000000000000000000000000000000000000000000000";

struct audit {
	int fd;
	char path[4096];
	uint64_t seq;
	char head[AUDIT_HASH_HEX];
	char last[AUDIT_LINE_MAX];
	size_t last_len;
	uint64_t written, errors, reopened;
};

static bool audit_is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The hash an entry must carry: sha256 of body (everything before
 * `,"hash":`) followed by "}". */
static void audit_hash_body(const char *body, size_t len, char hex[AUDIT_HASH_HEX])
{
	struct sha256_ctx c;
	uint8_t md[SHA256_DIGEST_SIZE];
	static const char digits[] = "0123456789abcdef";

	sha256_init(&c);
	sha256_update(&c, body, len);
	sha256_update(&c, "}", 1);
	sha256_final(&c, md);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

bool audit_line_check(const char *line, size_t len, char hash[AUDIT_HASH_HEX],
		      char prev[AUDIT_HASH_HEX], uint64_t *seq)
{
	char want[AUDIT_HASH_HEX], v[80];
	const char *h;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	hash[0] = prev[0] = '\0';
	*seq = 0;
	if (proto_json_get(line, len, "seq", v, sizeof(v), NULL) == 0)
		*seq = strtoull(v, NULL, 10);
	if (proto_json_get(line, len, "prev", v, sizeof(v), NULL) == 0 && strlen(v) == 64)
		memcpy(prev, v, AUDIT_HASH_HEX);
	if (len < AUDIT_SUFFIX_LEN + 1 || line[0] != '{')
		return false;
	h = line + len - AUDIT_SUFFIX_LEN;
	if (memcmp(h, AUDIT_SUFFIX, sizeof(AUDIT_SUFFIX) - 1) != 0 || line[len - 1] != '}' ||
	    line[len - 2] != '"')
		return false;
	h += sizeof(AUDIT_SUFFIX) - 1;
	if (!audit_is_hex64(h))
		return false;
	memcpy(hash, h, 64);
	hash[64] = '\0';
	audit_hash_body(line, (size_t)(line + len - AUDIT_SUFFIX_LEN - line), want);
	return strcmp(want, hash) == 0;
}

int audit_verify_file(const char *path, struct audit_verify *v,
		      int (*cb)(void *arg, const char *line, size_t len, uint64_t ms), void *arg)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, hash[AUDIT_HASH_HEX], prev[AUDIT_HASH_HEX], expect[AUDIT_HASH_HEX],
	     tv[64];
	size_t cap = 0;
	ssize_t n;
	uint64_t seq, last_seq = 0, ms;
	bool calls = cb != NULL;

	memset(v, 0, sizeof(*v));
	v->ok = true;
	memcpy(v->head, audit_zero, AUDIT_HASH_HEX);
	if (!f)
		return -errno;
	memcpy(expect, audit_zero, AUDIT_HASH_HEX);
	while ((n = getline(&line, &cap, f)) > 0) {
		bool good;
		char why[256] = "";

		v->entries++;
		good = audit_line_check(line, (size_t)n, hash, prev, &seq);
		if (!good) {
			snprintf(why, sizeof(why),
				 hash[0] ? "its hash does not match its content: the entry was "
					   "edited"
					 : "not an audit entry (no hash): the line was edited or "
					   "cut");
		} else if (strcmp(prev, expect) != 0) {
			if (v->entries == 1)
				snprintf(why, sizeof(why),
					 "its prev is not the start of a chain: entries before it "
					 "were removed");
			else
				snprintf(why, sizeof(why),
					 "its prev does not match the hash of the entry before "
					 "(seq %llu): an entry was removed, inserted or rewritten",
					 (unsigned long long)last_seq);
		} else if (seq != last_seq + 1 && v->entries > 1) {
			snprintf(why, sizeof(why), "its seq follows %llu: entries were renumbered",
				 (unsigned long long)last_seq);
		}
		if (why[0] && v->ok) {
			v->ok = false;
			v->broken_seq = seq;
			v->broken_line = v->entries;
			if (seq)
				snprintf(v->why, sizeof(v->why), "entry seq %llu (line %llu): %s",
					 (unsigned long long)seq, (unsigned long long)v->entries,
					 why);
			else
				snprintf(v->why, sizeof(v->why), "line %llu: %s",
					 (unsigned long long)v->entries, why);
		}
		/* Go on from what the line says, so one break is named once. */
		if (hash[0])
			memcpy(expect, hash, AUDIT_HASH_HEX);
		last_seq = seq ? seq : last_seq + 1;
		v->head_seq = seq;
		memcpy(v->head, hash[0] ? hash : audit_zero, AUDIT_HASH_HEX);
		if (calls) {
			ms = 0;
			if (proto_json_get(line, (size_t)n, "time", tv, sizeof(tv), NULL) == 0)
				flowrec_time(tv, &ms);
			while (n && line[n - 1] == '\n')
				n--;
			if (cb(arg, line, (size_t)n, ms) != 0)
				calls = false;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

struct audit *audit_open(const char *path, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));
	struct audit_verify v;
	int rc;

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(a->path, sizeof(a->path), "%s", path);
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		snprintf(err, errlen, "audit log %s: %s", path, strerror(errno));
		free(a);
		return NULL;
	}
	rc = audit_verify_file(path, &v, NULL, NULL);
	if (rc) {
		snprintf(err, errlen, "audit log %s: cannot read: %s", path, strerror(-rc));
		close(a->fd);
		free(a);
		return NULL;
	}
	if (!v.ok)
		fprintf(stderr, "aduanad: audit log %s: the chain is broken at %s\n", path, v.why);
	a->seq = v.head_seq;
	memcpy(a->head, v.head, AUDIT_HASH_HEX);
	return a;
}

/* The file at the path must be the one a->fd writes: a log replaced
 * behind aduanad (sed -i, mv, rm) would otherwise take every later entry
 * into an unlinked file that nobody can read, and that is gone at the next
 * start. Reopened, the next entry lands at the path; its prev names the
 * head aduanad wrote last, so a replaced file shows the break. */
static void audit_reopen_if_replaced(struct audit *a)
{
	struct stat fst, pst;
	int fd;

	if (fstat(a->fd, &fst) == 0 && stat(a->path, &pst) == 0 && fst.st_dev == pst.st_dev &&
	    fst.st_ino == pst.st_ino)
		return;
	fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		fprintf(stderr,
			"aduanad: audit log %s was replaced and cannot be opened again: %s\n",
			a->path, strerror(errno));
		return;
	}
	fprintf(stderr,
		"aduanad: audit log %s was replaced or removed behind aduanad; opened "
		"again (its chain will show the break)\n",
		a->path);
	close(a->fd);
	a->fd = fd;
	a->reopened++;
}

static void audit_add(char *b, size_t size, size_t *off, const char *fmt, const char *s)
{
	if (*off >= size)
		return;
	*off += (size_t)snprintf(b + *off, size - *off, fmt, "");
	if (*off < size)
		proto_json_str(b, size, off, s);
}

long long audit_append(struct audit *a, const struct peer *who, const char *action, int result,
		       const char *detail, const char *hash_before, const char *hash_after,
		       const char *approval)
{
	static const char *const results[] = {"ok", "refused", "error"};
	char *b = a->last, hash[AUDIT_HASH_HEX], ts[40], cut[AUDIT_DETAIL_MAX + 4], acut[264];
	size_t size = sizeof(a->last) - AUDIT_SUFFIX_LEN - 2, off;
	struct timespec now;
	struct tm tm;
	unsigned i;
	ssize_t w;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	off = (size_t)snprintf(b, size, "{\"seq\":%llu,\"time\":\"%s.%06ldZ\",\"who\":",
			       (unsigned long long)(a->seq + 1), ts, now.tv_nsec / 1000);
	if (who) {
		off += (size_t)snprintf(b + off, size - off,
					"{\"uid\":%u,\"user\":", (unsigned)who->uid);
		proto_json_str(b, size, &off, who->user);
		off += (size_t)snprintf(b + off, size - off, ",\"gid\":%u,\"pid\":%d,\"gids\":[",
					(unsigned)who->gid, (int)who->pid);
		for (i = 0; i < who->n_groups && off < size; i++)
			off += (size_t)snprintf(b + off, size - off, "%s%u", i ? "," : "",
						(unsigned)who->groups[i]);
		off += (size_t)snprintf(b + off, size - off, "],\"groups\":[");
		for (i = 0; i < who->n_groups && off < size; i++) {
			if (i)
				b[off++] = ',';
			proto_json_str(b, size, &off,
				       who->group_names[i][0] ? who->group_names[i] : NULL);
		}
		off += (size_t)snprintf(b + off, size - off, "],\"role\":\"%s\"}",
					role_name(who->role));
	} else {
		off += (size_t)snprintf(b + off, size - off,
					"{\"uid\":null,\"user\":\"aduanad\",\"role\":\"system\"}");
	}
	audit_add(b, size, &off, ",\"action\":%s", action);
	off += (size_t)snprintf(b + off, size - off, ",\"result\":\"%s\"",
				results[(unsigned)result < 3 ? result : 2]);
	if (detail && strlen(detail) > AUDIT_DETAIL_MAX) {
		snprintf(cut, sizeof(cut), "%.*s...", AUDIT_DETAIL_MAX, detail);
		detail = cut;
	}
	if (approval && strlen(approval) > 256) {
		snprintf(acut, sizeof(acut), "%.256s...", approval);
		approval = acut;
	}
	audit_add(b, size, &off, ",\"detail\":%s", detail);
	audit_add(b, size, &off, ",\"hash_before\":%s",
		  hash_before && *hash_before ? hash_before : NULL);
	audit_add(b, size, &off, ",\"hash_after\":%s",
		  hash_after && *hash_after ? hash_after : NULL);
	audit_add(b, size, &off, ",\"approval\":%s", approval && *approval ? approval : NULL);
	audit_add(b, size, &off, ",\"prev\":%s", a->head);
	if (off >= size) {
		a->errors++;
		return -E2BIG;
	}
	audit_hash_body(b, off, hash);
	off += (size_t)snprintf(b + off, sizeof(a->last) - off, AUDIT_SUFFIX "%s\"}\n", hash);
	audit_reopen_if_replaced(a);
	w = write(a->fd, b, off);
	if (w != (ssize_t)off || fsync(a->fd) != 0) {
		int e = w < 0 ? errno : EIO;

		a->errors++;
		a->last_len = 0;
		fprintf(stderr, "aduanad: audit log %s: append failed: %s\n", a->path, strerror(e));
		return -e;
	}
	a->seq++;
	memcpy(a->head, hash, AUDIT_HASH_HEX);
	a->last_len = off - 1; /* without the newline */
	a->written++;
	return (long long)a->seq;
}

void audit_head(const struct audit *a, uint64_t *seq, char hash[AUDIT_HASH_HEX])
{
	*seq = a->seq;
	memcpy(hash, a->head, AUDIT_HASH_HEX);
}

const char *audit_last_line(const struct audit *a, size_t *len)
{
	*len = a->last_len;
	return a->last_len ? a->last : NULL;
}

void audit_stats(const struct audit *a, uint64_t *written, uint64_t *errors)
{
	*written = a->written;
	*errors = a->errors;
}

int audit_room(struct audit *a, char *why, size_t size)
{
	struct statvfs sv;
	unsigned long long avail;

	audit_reopen_if_replaced(a);
	if (fstatvfs(a->fd, &sv) != 0) {
		int e = errno;

		snprintf(why, size, "audit log %s: %s", a->path, strerror(e));
		return -e;
	}
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail < AUDIT_ROOM) {
		snprintf(why, size, "audit log %s: %llu bytes free on its filesystem, %d needed",
			 a->path, avail, AUDIT_ROOM);
		return -ENOSPC;
	}
	return 0;
}

const char *audit_path(const struct audit *a)
{
	return a->path;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}
