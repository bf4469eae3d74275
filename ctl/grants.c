/* aduanad's grants (see grants.h). */
#include "grants.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "grant.h"
#include "proto.h"
#include "store.h"

struct grants {
	sqlite3 *db;
};

static const char grants_schema[] =
	"CREATE TABLE IF NOT EXISTS grants("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, src TEXT NOT NULL, dst TEXT NOT NULL,"
	" created INTEGER NOT NULL, until INTEGER NOT NULL, approval TEXT NOT NULL,"
	" reason TEXT, uid INTEGER, state TEXT NOT NULL DEFAULT 'active',"
	" ended INTEGER, ended_uid INTEGER);"
	"CREATE INDEX IF NOT EXISTS grants_state ON grants(state, until);";

struct grants *grants_open(struct store *s, char *err, size_t errlen)
{
	struct grants *g = calloc(1, sizeof(*g));
	char *msg = NULL;

	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->db = store_db(s);
	if (sqlite3_exec(g->db, grants_schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "grants table: %s", msg ? msg : "schema failed");
		sqlite3_free(msg);
		free(g);
		return NULL;
	}
	return g;
}

void grants_close(struct grants *g)
{
	free(g);
}

int grants_duration(const char *s, uint64_t *seconds)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return -EINVAL;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (v > GRANTS_FOR_MAX / mult)
		return -EINVAL;
	*seconds = v * mult;
	return 0;
}

static void grants_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One row as a JSON object. */
static size_t grants_row_json(sqlite3_stmt *st, uint64_t now, char *out, size_t size)
{
	char created[32], until[32], ended[32];
	const char *state = (const char *)sqlite3_column_text(st, 8);
	int64_t u = sqlite3_column_int64(st, 4);
	size_t off = 0;

	/* An active row past its end is expired, even before the tick marks it. */
	if (state && strcmp(state, "active") == 0 && (uint64_t)u <= now)
		state = "expired";
	grants_time(created, sizeof(created), sqlite3_column_int64(st, 3));
	grants_time(until, sizeof(until), u);
	off += (size_t)snprintf(out + off, size - off, "{\"id\":%lld,\"src\":",
				(long long)sqlite3_column_int64(st, 0));
	proto_json_str(out, size, &off, (const char *)sqlite3_column_text(st, 1));
	off += (size_t)snprintf(out + off, size - off, ",\"dst\":");
	proto_json_str(out, size, &off, (const char *)sqlite3_column_text(st, 2));
	off += (size_t)snprintf(out + off, size - off,
				",\"created\":\"%s\",\"until\":\"%s\",\"until_epoch\":%lld,"
				"\"approval\":",
				created, until, (long long)u);
	proto_json_str(out, size, &off, (const char *)sqlite3_column_text(st, 5));
	off += (size_t)snprintf(out + off, size - off, ",\"reason\":");
	proto_json_str(out, size, &off, (const char *)sqlite3_column_text(st, 6));
	off += (size_t)snprintf(out + off, size - off, ",\"uid\":%lld,\"state\":\"%s\"",
				(long long)sqlite3_column_int64(st, 7), state ? state : "?");
	if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
		grants_time(ended, sizeof(ended), sqlite3_column_int64(st, 9));
		off += (size_t)snprintf(out + off, size - off, ",\"ended\":\"%s\"", ended);
	}
	off += (size_t)snprintf(out + off, size - off, "}");
	return off < size ? off : size - 1;
}

#define GRANTS_COLS "id, src, dst, created, until, approval, reason, uid, state, ended"

/* A line for the dataplane from a row's columns. */
static int grants_dpline(sqlite3_stmt *st, char *out, size_t size, char *err, size_t errlen)
{
	struct policy_grant g;
	char line[GRANT_LINE_MAX];

	snprintf(line, sizeof(line), "id=%lld src=%s dst=%s from=%lld until=%lld approval=%s",
		 (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
		 sqlite3_column_text(st, 2), (long long)sqlite3_column_int64(st, 3),
		 (long long)sqlite3_column_int64(st, 4), sqlite3_column_text(st, 5));
	if (grant_parse_line(line, &g, err, errlen) != 0)
		return -EINVAL;
	grant_format(&g, out, size);
	return 0;
}

/* Room for one more live grant (host: by name) in the dataplane's table:
 * at most GRANT_MAX, GRANT_HOST_SLOTS of them by host name. A grant stored
 * past either made every later sync (the "replace" after each connect)
 * fail as a whole: a restarted dataplane then held none of them. */
static int grants_room(struct grants *g, uint64_t now, bool host, char *reply, size_t size)
{
	sqlite3_stmt *st = NULL;
	unsigned live = 0, hosts = 0;
	struct policy_grant pg;
	char err[256];

	if (sqlite3_prepare_v2(g->db, "SELECT dst FROM grants WHERE state = 'active' AND until > ?",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(reply, size, "grant: store: %s", sqlite3_errmsg(g->db));
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *dst = (const char *)sqlite3_column_text(st, 0);

		live++;
		memset(&pg, 0, sizeof(pg));
		if (dst && grant_parse_dst(dst, &pg, err, sizeof(err)) == 0 && pg.host[0])
			hosts++;
	}
	sqlite3_finalize(st);
	if (live >= GRANT_MAX) {
		snprintf(reply, size,
			 "grant: %u grants are live, the most the dataplane holds; revoke one "
			 "first",
			 live);
		return -ENOSPC;
	}
	if (host && hosts >= GRANT_HOST_SLOTS) {
		snprintf(reply, size,
			 "grant: %u grants by host name are live, the most the dataplane holds at "
			 "once; revoke one first, or grant an address",
			 hosts);
		return -ENOSPC;
	}
	return 0;
}

long grants_add(struct grants *g, const char *req, size_t len, const struct policy *pol,
		uint64_t now, uint32_t uid, char *reply, size_t size, char *dpline, size_t dpsize)
{
	char buf[GRANTS_REQ_MAX + 1], *line, *save = NULL, err[256], src[80],
		dst[GRANT_HOST_MAX + 64];
	const char *v_src = NULL, *v_dst = NULL, *v_for = NULL, *v_appr = NULL, *v_reason = NULL;
	struct policy_grant pg;
	sqlite3_stmt *st = NULL;
	uint64_t dur;
	long id;
	size_t i;

	if (len > GRANTS_REQ_MAX) {
		snprintf(reply, size, "grant: request too long (at most %d bytes)", GRANTS_REQ_MAX);
		return -EMSGSIZE;
	}
	if (memchr(req, '\0', len)) {
		snprintf(reply, size, "grant: bad request");
		return -EINVAL;
	}
	memcpy(buf, req, len);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq) {
			snprintf(reply, size, "grant: expected key=value lines");
			return -EINVAL;
		}
		*eq++ = '\0';
		if (strcmp(line, "src") == 0)
			v_src = eq;
		else if (strcmp(line, "dst") == 0)
			v_dst = eq;
		else if (strcmp(line, "for") == 0)
			v_for = eq;
		else if (strcmp(line, "approval") == 0)
			v_appr = eq;
		else if (strcmp(line, "reason") == 0)
			v_reason = eq;
		else {
			snprintf(reply, size, "grant: unknown key '%.32s'", line);
			return -EINVAL;
		}
	}
	if (!v_src || !v_dst || !v_for) {
		snprintf(reply, size, "grant: --src, --dst and --for are required");
		return -EINVAL;
	}
	if (!v_appr || !*v_appr) {
		snprintf(reply, size,
			 "grant: --approval REF is required (the written approval this grant "
			 "carries out)");
		return -EINVAL;
	}
	if (!grant_approval_ok(v_appr)) {
		snprintf(reply, size, "grant: --approval: expected 1..64 of [A-Za-z0-9._:/#+-]");
		return -EINVAL;
	}
	if (grants_duration(v_for, &dur) != 0) {
		snprintf(reply, size,
			 "grant: --for '%.32s': expected a duration like 90s, 30m, 8h, 7d (at most "
			 "90d)",
			 v_for);
		return -EINVAL;
	}
	if (v_reason) {
		if (strlen(v_reason) > GRANTS_REASON_MAX) {
			snprintf(reply, size, "grant: --reason: at most %d bytes", GRANTS_REASON_MAX);
			return -EINVAL;
		}
		for (i = 0; v_reason[i]; i++)
			if ((unsigned char)v_reason[i] < 0x20 || v_reason[i] == 0x7f) {
				snprintf(reply, size, "grant: --reason: no control characters");
				return -EINVAL;
			}
	}
	memset(&pg, 0, sizeof(pg));
	if (grant_parse_src(v_src, &pg, err, sizeof(err)) != 0 ||
	    grant_parse_dst(v_dst, &pg, err, sizeof(err)) != 0 ||
	    (pol && grant_check(&pg, pol, err, sizeof(err)) != 0)) {
		snprintf(reply, size, "grant: %s", err);
		return -EINVAL;
	}
	{
		int rc = grants_room(g, now, pg.host[0] != '\0', reply, size);

		if (rc)
			return rc;
	}
	grant_src_str(&pg, src, sizeof(src));
	grant_dst_str(&pg, dst, sizeof(dst));
	if (sqlite3_prepare_v2(g->db,
			       "INSERT INTO grants(src, dst, created, until, approval, reason, uid)"
			       " VALUES(?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out_db;
	sqlite3_bind_text(st, 1, src, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, dst, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)(now + dur));
	sqlite3_bind_text(st, 5, v_appr, -1, SQLITE_TRANSIENT);
	if (v_reason)
		sqlite3_bind_text(st, 6, v_reason, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, uid);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out_db;
	sqlite3_finalize(st);
	id = (long)sqlite3_last_insert_rowid(g->db);
	if (sqlite3_prepare_v2(g->db, "SELECT " GRANTS_COLS " FROM grants WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		goto out_db;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out_db;
	grants_row_json(st, now, reply, size);
	if (grants_dpline(st, dpline, dpsize, err, sizeof(err)) != 0) {
		sqlite3_finalize(st);
		snprintf(reply, size, "grant: %s", err);
		return -EINVAL;
	}
	sqlite3_finalize(st);
	return id;
out_db:
	snprintf(reply, size, "grant: store: %s", sqlite3_errmsg(g->db));
	sqlite3_finalize(st);
	return -EIO;
}

long grants_revoke(struct grants *g, const char *req, size_t len, uint64_t now, uint32_t uid,
		   char *reply, size_t size)
{
	char buf[32], *end;
	unsigned long long id;
	sqlite3_stmt *st = NULL;

	if (len == 0 || len >= sizeof(buf)) {
		snprintf(reply, size, "revoke: expected a grant id");
		return -EINVAL;
	}
	memcpy(buf, req, len);
	buf[len] = '\0';
	errno = 0;
	id = strtoull(buf, &end, 10);
	if (!isdigit((unsigned char)buf[0]) || *end || errno || id == 0 || id > UINT32_MAX) {
		snprintf(reply, size, "revoke: '%.20s' is not a grant id", buf);
		return -EINVAL;
	}
	if (sqlite3_prepare_v2(g->db,
			       "UPDATE grants SET state = 'revoked', ended = ?, ended_uid = ?"
			       " WHERE id = ? AND state = 'active' AND until > ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto out_db;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out_db;
	sqlite3_finalize(st);
	if (sqlite3_changes(g->db) != 1) {
		snprintf(reply, size, "revoke: no live grant %llu", id);
		return -ENOENT;
	}
	if (sqlite3_prepare_v2(g->db, "SELECT " GRANTS_COLS " FROM grants WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		goto out_db;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	if (sqlite3_step(st) == SQLITE_ROW)
		grants_row_json(st, now, reply, size);
	sqlite3_finalize(st);
	return (long)id;
out_db:
	snprintf(reply, size, "revoke: store: %s", sqlite3_errmsg(g->db));
	sqlite3_finalize(st);
	return -EIO;
}

long grants_list(struct grants *g, bool all, uint64_t now, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	size_t off = 0;
	int rc;

	rc = sqlite3_prepare_v2(
		g->db,
		all ? "SELECT " GRANTS_COLS " FROM grants ORDER BY (state = 'active' AND until > ?1)"
		      " DESC, id DESC LIMIT 1000"
		    : "SELECT " GRANTS_COLS " FROM grants WHERE state = 'active' AND until > ?1"
		      " ORDER BY id",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while (sqlite3_step(st) == SQLITE_ROW && off + 1024 < size) {
		off += grants_row_json(st, now, out + off, size - off);
		out[off++] = '\n';
	}
	out[off] = '\0';
	sqlite3_finalize(st);
	return (long)off;
}

long grants_sync_body(struct grants *g, uint64_t now, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	char err[256];
	size_t off;

	if (sqlite3_prepare_v2(g->db,
			       "SELECT " GRANTS_COLS " FROM grants WHERE state = 'active'"
			       " AND until > ? ORDER BY id LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int(st, 2, GRANT_MAX);
	off = (size_t)snprintf(out, size, "replace\n");
	while (sqlite3_step(st) == SQLITE_ROW && off + GRANT_LINE_MAX + 2 < size) {
		if (grants_dpline(st, out + off, size - off, err, sizeof(err)) != 0)
			continue; /* cannot happen: checked when added */
		off += strlen(out + off);
		out[off++] = '\n';
		out[off] = '\0';
	}
	sqlite3_finalize(st);
	return (long)off;
}

unsigned grants_expire(struct grants *g, uint64_t now, uint32_t *ids, unsigned max)
{
	sqlite3_stmt *st = NULL;
	unsigned n = 0;

	if (sqlite3_prepare_v2(g->db,
			       "SELECT id FROM grants WHERE state = 'active' AND until <= ?"
			       " ORDER BY id LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int(st, 2, (int)max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n && sqlite3_prepare_v2(g->db,
				    "UPDATE grants SET state = 'expired', ended = until"
				    " WHERE state = 'active' AND until <= ?",
				    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return n;
}
