/* grants.h - aduanad's grants: validated requests from aduanactl, kept in
 * the SQLite store (table `grants`, so they outlive aduanad), with their
 * approval reference, reason, who and when; expired by time; and the text
 * lines (policy/grant.h) pushed to the dataplane, all of them again at
 * each connect. aduanad's thread only. docs/control.md.
 */
#ifndef ADUANA_GRANTS_H
#define ADUANA_GRANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct policy;
struct grants;

#define GRANTS_REQ_MAX	  2048		   /* bytes of one request */
#define GRANTS_REASON_MAX 200		   /* bytes of a reason */
#define GRANTS_FOR_MAX	  (90u * 86400u) /* the longest grant */

/* Create the table if needed. NULL with err. */
struct grants *grants_open(struct store *s, char *err, size_t errlen);
void grants_close(struct grants *g);

/* A request "src=..\ndst=..\nfor=..\napproval=..\n[reason=..]\n": checked
 * (and against pol when not NULL: the zone exists, the source is in one),
 * stored, and answered as a JSON object in reply; *dpline gets the line
 * for the dataplane. uid: who asked. Returns the new id, or -errno with
 * the message in reply (nothing stored). */
long grants_add(struct grants *g, const char *req, size_t len, const struct policy *pol,
		uint64_t now, uint32_t uid, char *reply, size_t size, char *dpline, size_t dpsize);

/* Revoke a live grant (body: its id). Returns the id, or -errno with the
 * message in reply. */
long grants_revoke(struct grants *g, const char *req, size_t len, uint64_t now, uint32_t uid,
		   char *reply, size_t size);

/* The grants as JSON lines into out (all: ended ones too, newest first),
 * live ones first. Returns bytes written or -errno. */
long grants_list(struct grants *g, bool all, uint64_t now, char *out, size_t size);

/* "replace\n" and one line per live grant: what the dataplane must hold.
 * Returns bytes written or -errno. */
long grants_sync_body(struct grants *g, uint64_t now, char *out, size_t size);

/* Mark the grants that ended by now as expired; their ids into ids (at
 * most max). Returns how many. */
unsigned grants_expire(struct grants *g, uint64_t now, uint32_t *ids, unsigned max);

/* Parse a duration: "90", "90s", "15m", "2h", "7d". 0 or -EINVAL. */
int grants_duration(const char *s, uint64_t *seconds);

#endif
