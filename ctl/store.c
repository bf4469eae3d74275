/* The SQLite flow store (see store.h). */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowrec.h"

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins;
	bool in_txn;
	unsigned pending;
	uint64_t rows; /* kept up to date without COUNT(*) */
};

static const char store_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS flows("
	" id INTEGER PRIMARY KEY, stream TEXT, seq INTEGER,"
	" ts_start INTEGER NOT NULL, ts_end INTEGER NOT NULL,"
	" zone TEXT, dir TEXT, proto TEXT, src TEXT, sport INTEGER, dst TEXT, dport INTEGER,"
	" app TEXT, class TEXT, sni TEXT, host TEXT, dns_query TEXT,"
	" verdict TEXT, reason TEXT, policy_version INTEGER,"
	" pkts_out INTEGER, bytes_out INTEGER, pkts_in INTEGER, bytes_in INTEGER,"
	" dropped_pkts INTEGER, line TEXT NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS flows_stream_seq ON flows(stream, seq)"
	" WHERE stream IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS flows_time ON flows(ts_end);"
	"CREATE INDEX IF NOT EXISTS flows_zone ON flows(zone, ts_end);"
	"CREATE INDEX IF NOT EXISTS flows_verdict ON flows(verdict, ts_end);"
	"CREATE INDEX IF NOT EXISTS flows_src ON flows(src);"
	"CREATE INDEX IF NOT EXISTS flows_dst ON flows(dst);"
	"CREATE INDEX IF NOT EXISTS flows_sni ON flows(sni);";

static const char store_insert[] =
	"INSERT OR IGNORE INTO flows(stream, seq, ts_start, ts_end, zone, dir, proto, src, sport,"
	" dst, dport, app, class, sni, host, dns_query, verdict, reason, policy_version,"
	" pkts_out, bytes_out, pkts_in, bytes_in, dropped_pkts, line)"
	" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st;
	char *msg = NULL;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open(path, &s->db) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(s->db));
		goto out_close;
	}
	sqlite3_busy_timeout(s->db, 2000);
	if (sqlite3_exec(s->db, store_schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path, msg ? msg : "schema failed");
		sqlite3_free(msg);
		goto out_close;
	}
	if (sqlite3_prepare_v2(s->db, store_insert, -1, &s->ins, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(s->db));
		goto out_close;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM flows", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			s->rows = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return s;
out_close:
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

static void store_text(sqlite3_stmt *st, int i, const char *v, bool present)
{
	if (present)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int store_add(struct store *s, const char *stream, uint64_t seq, const struct flowrec *r,
	      const char *line, size_t len)
{
	sqlite3_stmt *st = s->ins;
	int i = 1, rc;

	if (!s->in_txn) {
		if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return -EIO;
		s->in_txn = true;
	}
	sqlite3_reset(st);
	store_text(st, i++, stream, stream != NULL);
	if (stream)
		sqlite3_bind_int64(st, i++, (sqlite3_int64)seq);
	else
		sqlite3_bind_null(st, i++);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->ms_start);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->ms_end);
	store_text(st, i++, r->zone, true);
	store_text(st, i++, r->dir, true);
	store_text(st, i++, r->proto, true);
	store_text(st, i++, r->src_s, true);
	sqlite3_bind_int(st, i++, r->sport);
	store_text(st, i++, r->dst_s, true);
	sqlite3_bind_int(st, i++, r->dport);
	store_text(st, i++, r->app, true);
	store_text(st, i++, r->cls, r->has_cls);
	store_text(st, i++, r->sni, r->has_sni);
	store_text(st, i++, r->host, r->has_host);
	store_text(st, i++, r->dns_query, r->has_dns);
	store_text(st, i++, r->verdict, true);
	store_text(st, i++, r->reason, true);
	sqlite3_bind_int64(st, i++, r->policy_version);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->pkts_out);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->bytes_out);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->pkts_in);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->bytes_in);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)r->dropped_pkts);
	while (len && line[len - 1] == '\n')
		len--;
	sqlite3_bind_text(st, i++, line, (int)len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	s->pending++;
	if (sqlite3_changes(s->db) == 0)
		return 0;
	s->rows++;
	return 1;
}

unsigned store_pending(const struct store *s)
{
	return s->pending;
}

int store_commit(struct store *s)
{
	if (!s->in_txn)
		return 0;
	s->in_txn = false;
	s->pending = 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -EIO;
	}
	return 0;
}

static int64_t store_pragma(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void store_size(struct store *s, uint64_t *rows, uint64_t *bytes)
{
	int64_t pages = store_pragma(s, "PRAGMA page_count");
	int64_t free_pages = store_pragma(s, "PRAGMA freelist_count");
	int64_t psize = store_pragma(s, "PRAGMA page_size");

	*rows = s->rows;
	*bytes = pages > 0 && free_pages >= 0 && psize > 0
			 ? (uint64_t)((pages - free_pages) * psize)
			 : 0;
}

static int store_delete(struct store *s, const char *sql, int64_t arg, unsigned slice)
{
	sqlite3_stmt *st;
	int n;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, arg);
	sqlite3_bind_int(st, 2, (int)slice);
	n = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(s->db) : -EIO;
	sqlite3_finalize(st);
	if (n > 0)
		s->rows -= (uint64_t)n < s->rows ? (uint64_t)n : s->rows;
	return n;
}

int store_retain(struct store *s, uint64_t now_ms, uint64_t max_age_ms, uint64_t max_bytes,
		 unsigned slice)
{
	uint64_t rows, bytes;
	int n = 0, rc;

	if (store_commit(s) != 0)
		return -EIO;
	if (max_age_ms && now_ms > max_age_ms) {
		rc = store_delete(s,
				  "DELETE FROM flows WHERE id IN (SELECT id FROM flows WHERE"
				  " ts_end < ?1 ORDER BY ts_end LIMIT ?2)",
				  (int64_t)(now_ms - max_age_ms), slice);
		if (rc < 0)
			return rc;
		n += rc;
	}
	if (max_bytes && (unsigned)n < slice) {
		store_size(s, &rows, &bytes);
		if (bytes > max_bytes) {
			rc = store_delete(s,
					  "DELETE FROM flows WHERE id IN (SELECT id FROM flows"
					  " WHERE ?1 = ?1 ORDER BY id LIMIT ?2)",
					  0, slice - (unsigned)n);
			if (rc < 0)
				return rc;
			n += rc;
		}
	}
	return n;
}

int store_query(struct store *s, const struct store_filter *f,
		int (*cb)(void *arg, const char *line, size_t len), void *arg)
{
	char sql[1024];
	sqlite3_stmt *st;
	size_t off;
	int i = 1, n = 0, rc;

	off = (size_t)snprintf(sql, sizeof(sql), "SELECT line FROM flows WHERE 1");
	if (f->zone)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND zone = ?");
	if (f->verdict)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND verdict = ?");
	if (f->cls)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND class = ?");
	if (f->host)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off,
					" AND (src = ?10 OR dst = ?10 OR sni = ?10 OR host = ?10)");
	if (f->since_ms)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, " AND ts_end >= ?");
	snprintf(sql + off, sizeof(sql) - off, " ORDER BY ts_end DESC, id DESC LIMIT ?");
	/* The host parameter is numbered ?10 (used four times); the others
	 * are bound in order below, skipping it. */
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EINVAL;
	if (f->zone)
		sqlite3_bind_text(st, i++, f->zone, -1, SQLITE_TRANSIENT);
	if (f->verdict)
		sqlite3_bind_text(st, i++, f->verdict, -1, SQLITE_TRANSIENT);
	if (f->cls)
		sqlite3_bind_text(st, i++, f->cls, -1, SQLITE_TRANSIENT);
	if (f->host)
		sqlite3_bind_text(st, 10, f->host, -1, SQLITE_TRANSIENT);
	i = f->host ? 11 : i;
	if (f->since_ms)
		sqlite3_bind_int64(st, i++, (sqlite3_int64)f->since_ms);
	sqlite3_bind_int(st, i, f->limit ? (int)f->limit : 100);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (cb(arg, line, (size_t)sqlite3_column_bytes(st, 0)) != 0)
			break;
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -EIO;
}

struct sqlite3 *store_db(struct store *s)
{
	return s->db;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_commit(s);
	sqlite3_finalize(s->ins);
	sqlite3_close(s->db);
	free(s);
}
