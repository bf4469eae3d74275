/* audit.h - aduanad's append-only, hash-chained audit log (README "Audit
 * trail"). One JSON line per entry: every change (reload, grant add and
 * remove) and every refusal. Each entry carries the sha256 of the one
 * before ("prev") and its own ("hash": the sha256 of the line with its
 * hash member left out, i.e. of the bytes before `,"hash":` followed by
 * `}`). The file is opened O_APPEND and each entry is fsync'd before
 * audit_append returns. aduanad's thread only; audit_verify_file is also
 * used by aduanactl (audit --file) to check a copy off the box.
 */
#ifndef ADUANA_AUDIT_H
#define ADUANA_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct peer;
struct audit;

enum audit_result {
	AUDIT_OK = 0,	   /* the change was made */
	AUDIT_REFUSED = 1, /* the caller's role does not allow it */
	AUDIT_ERROR = 2,   /* allowed, but it failed (rejected config, dataplane away...) */
};

#define AUDIT_HASH_HEX	 65 /* 64 hex digits and the NUL */
#define AUDIT_LINE_MAX	 16384
#define AUDIT_DETAIL_MAX 1024 /* bytes of detail kept; longer is cut, marked "..." */

/* Open (create, mode 0640) path for appending and find the chain's head
 * (the last entry's seq and hash). A broken chain is reported on stderr
 * and appending goes on from the last entry, so the break stays visible.
 * NULL with err. */
struct audit *audit_open(const char *path, char *err, size_t errlen);

/* Append one entry and fsync it. who: the caller (NULL: aduanad itself,
 * e.g. a grant that expired). action: "reload", "grant", "revoke", ...
 * result: enum audit_result. detail: the arguments and, for a refusal or
 * an error, why (may be NULL). hash_before/hash_after: the running
 * policy's sha256 before and after (NULL: unknown). approval: the
 * approval reference the caller gave (NULL: none). Returns the entry's seq
 * (> 0), or -errno (the entry is then not in the file; counted). */
long long audit_append(struct audit *a, const struct peer *who, const char *action, int result,
		       const char *detail, const char *hash_before, const char *hash_after,
		       const char *approval);

/* The chain's head: the last entry's seq and hash (seq 0 and 64 zeros when
 * the log is empty), and that entry's line (NULL when none this run). */
void audit_head(const struct audit *a, uint64_t *seq, char hash[AUDIT_HASH_HEX]);
const char *audit_last_line(const struct audit *a, size_t *len);

/* Entries written and append errors since open. */
void audit_stats(const struct audit *a, uint64_t *written, uint64_t *errors);

const char *audit_path(const struct audit *a);

/* Whether the log can take the entries of a change: AUDIT_ROOM bytes free
 * on its filesystem. 0, or -ENOSPC (or the fstatvfs error) with why. */
#define AUDIT_ROOM (4 * AUDIT_LINE_MAX)
int audit_room(struct audit *a, char *why, size_t size);

void audit_close(struct audit *a);

/* The verdict on a whole file. */
struct audit_verify {
	bool ok;
	uint64_t entries;	   /* lines read */
	uint64_t head_seq;	   /* the last entry's seq as written */
	char head[AUDIT_HASH_HEX]; /* the last entry's hash as written */
	uint64_t broken_seq;	   /* the first entry that breaks the chain (0: ok, or no seq) */
	uint64_t broken_line;	   /* its line number, from 1 */
	char why[320];		   /* what is wrong with it */
};

/* Read path from the start and check every entry: its own hash, its prev
 * against the entry before, and seq counting up by one. The first break is
 * kept in v. cb (may be NULL) gets every line with its time (ms since the
 * epoch, 0 if unreadable); a non-zero return stops the calls, not the
 * check. Returns 0 (v says whether the chain holds), or -errno when the
 * file cannot be read. */
int audit_verify_file(const char *path, struct audit_verify *v,
		      int (*cb)(void *arg, const char *line, size_t len, uint64_t ms), void *arg);

/* Check one line alone: returns true when its hash matches its content;
 * fills hash (as written), prev and seq when present. */
bool audit_line_check(const char *line, size_t len, char hash[AUDIT_HASH_HEX],
		      char prev[AUDIT_HASH_HEX], uint64_t *seq);

#endif
