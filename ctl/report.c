/* The compliance report's queries (see report.h). */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "proto.h"
#include "store.h"

#define REPORT_MAX PROTO_BODY_MAX

/* ?1: since (ms), ?2: zone or NULL. */
#define W      " FROM flows WHERE ts_end >= ?1 AND (?2 IS NULL OR zone = ?2)"
#define INSIDE "CASE WHEN dir = 'out' THEN src ELSE dst END"

static const struct {
	const char *t, *sql;
} report_q[] = {
	{"zone", "SELECT zone, COUNT(*) AS flows, SUM(verdict = 'drop') AS blocked,"
		 " SUM(reason LIKE 'grant:%') AS grant_flows,"
		 " SUM(reason LIKE 'exception:%') AS exception_flows" W
		 " GROUP BY zone ORDER BY blocked DESC, zone"},
	{"class", "SELECT class, COUNT(*) AS blocked" W " AND verdict = 'drop'"
		  " GROUP BY class ORDER BY blocked DESC, class"},
	{"blocked", "SELECT zone, " INSIDE " AS host, class, COUNT(*) AS attempts" W
		    " AND verdict = 'drop' GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 LIMIT 1000"},
	{"destination", "SELECT COALESCE(sni, host, dst) AS destination, COUNT(*) AS attempts" W
			" AND verdict = 'drop' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"},
	{"grant",
	 "SELECT reason, zone, " INSIDE " AS host,"
	 " CASE WHEN json_valid(line) THEN json_extract(line, '$.approval') END AS approval,"
	 " COUNT(*) AS flows" W " AND reason LIKE 'grant:%'"
	 " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3"},
	{"exception", "SELECT reason, zone, " INSIDE " AS host, COUNT(*) AS flows" W
		      " AND reason LIKE 'exception:%' GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3"},
};

struct report_buf {
	char *b;
	size_t len, cap;
	bool full;
};

/* Room for n more bytes (up to the frame's limit). */
static bool report_room(struct report_buf *r, size_t n)
{
	size_t cap;
	char *nb;

	if (r->len + n + 1 <= r->cap)
		return true;
	if (r->len + n + 1 > REPORT_MAX) {
		r->full = true;
		return false;
	}
	cap = r->cap ? r->cap : 65536;
	while (cap < r->len + n + 1)
		cap *= 2;
	if (cap > REPORT_MAX)
		cap = REPORT_MAX;
	nb = realloc(r->b, cap);
	if (!nb) {
		r->full = true;
		return false;
	}
	r->b = nb;
	r->cap = cap;
	return true;
}

static void report_ms(char *out, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char ts[32];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%03dZ", ts, (int)(ms % 1000));
}

/* One row as a flat JSON object: integers as numbers, NULL as null,
 * everything else as an escaped string. */
static int report_row(struct report_buf *r, const char *t, sqlite3_stmt *st)
{
	char line[4096];
	size_t off;
	int i, n = sqlite3_column_count(st);

	off = (size_t)snprintf(line, sizeof(line), "{\"t\":\"%s\"", t);
	for (i = 0; i < n && off < sizeof(line); i++) {
		off += (size_t)snprintf(line + off, sizeof(line) - off,
					",\"%s\":", sqlite3_column_name(st, i));
		if (off >= sizeof(line))
			break;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%lld",
						(long long)sqlite3_column_int64(st, i));
			break;
		case SQLITE_NULL:
			off += (size_t)snprintf(line + off, sizeof(line) - off, "null");
			break;
		default:
			proto_json_str(line, sizeof(line), &off,
				       (const char *)sqlite3_column_text(st, i));
		}
	}
	if (off + 3 > sizeof(line))
		return -E2BIG;
	line[off++] = '}';
	line[off++] = '\n';
	if (!report_room(r, off))
		return -E2BIG;
	memcpy(r->b + r->len, line, off);
	r->len += off;
	return 0;
}

static sqlite3_stmt *report_prep(sqlite3 *db, const char *sql, uint64_t since_ms, const char *zone,
				 char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "report: %s", sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since_ms);
	if (zone)
		sqlite3_bind_text(st, 2, zone, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	return st;
}

int report_build(struct store *s, uint64_t since_ms, const char *zone, char **out, size_t *len,
		 char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	struct report_buf r = {0};
	sqlite3_stmt *st;
	char meta[2048], a[40], b[40], now_s[40];
	struct timespec now;
	size_t off = 0;
	unsigned q;
	int rc;

	st = report_prep(
		db,
		"SELECT COUNT(*), COALESCE(SUM(verdict = 'allow'), 0),"
		" COALESCE(SUM(verdict = 'drop'), 0),"
		" COALESCE(SUM(reason LIKE 'grant:%'), 0),"
		" COALESCE(SUM(reason LIKE 'exception:%'), 0), MIN(ts_start), MAX(ts_end)" W,
		since_ms, zone, err, errlen);
	if (!st)
		return -EIO;
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "report: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -EIO;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	report_ms(now_s, sizeof(now_s), (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	off = (size_t)snprintf(meta, sizeof(meta),
			       "{\"t\":\"meta\",\"generated\":\"%s\",\"since\":", now_s);
	if (since_ms) {
		report_ms(a, sizeof(a), (int64_t)since_ms);
		off += (size_t)snprintf(meta + off, sizeof(meta) - off, "\"%s\"", a);
	} else {
		off += (size_t)snprintf(meta + off, sizeof(meta) - off, "null");
	}
	off += (size_t)snprintf(meta + off, sizeof(meta) - off, ",\"zone\":");
	proto_json_str(meta, sizeof(meta), &off, zone);
	if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
		off += (size_t)snprintf(meta + off, sizeof(meta) - off,
					",\"first\":null,\"last\":null");
	} else {
		report_ms(a, sizeof(a), sqlite3_column_int64(st, 5));
		report_ms(b, sizeof(b), sqlite3_column_int64(st, 6));
		off += (size_t)snprintf(meta + off, sizeof(meta) - off,
					",\"first\":\"%s\",\"last\":\"%s\"", a, b);
	}
	off += (size_t)snprintf(
		meta + off, sizeof(meta) - off,
		",\"flows\":%lld,\"allowed\":%lld,\"blocked\":%lld,"
		"\"grant_flows\":%lld,\"exception_flows\":%lld}\n",
		(long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1),
		(long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3),
		(long long)sqlite3_column_int64(st, 4));
	sqlite3_finalize(st);
	if (off >= sizeof(meta) || !report_room(&r, off)) {
		snprintf(err, errlen, "report: out of memory");
		free(r.b);
		return -ENOMEM;
	}
	memcpy(r.b, meta, off);
	r.len = off;
	for (q = 0; q < sizeof(report_q) / sizeof(report_q[0]); q++) {
		st = report_prep(db, report_q[q].sql, since_ms, zone, err, errlen);
		if (!st) {
			free(r.b);
			return -EIO;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (report_row(&r, report_q[q].t, st) != 0)
				break;
		sqlite3_finalize(st);
		if (r.full) {
			snprintf(err, errlen,
				 "report: larger than a frame (1 MiB); narrow it "
				 "with --since or --zone");
			free(r.b);
			return -E2BIG;
		}
		if (rc != SQLITE_DONE) {
			snprintf(err, errlen, "report: %s", sqlite3_errmsg(db));
			free(r.b);
			return -EIO;
		}
	}
	r.b[r.len] = '\0';
	*out = r.b;
	*len = r.len;
	return 0;
}
