/* store.h - aduanad's SQLite store of flow records: WAL, batched
 * transactions, indexes for time, zone, host and verdict, duplicate
 * records (a stream re-sent after a reconnect) ignored by stream id and
 * sequence number, and retention by age and size in small slices.
 * aduanad's thread only (aduanactl reads through aduanad).
 */
#ifndef ADUANA_STORE_H
#define ADUANA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flowrec;
struct store;

/* Filters of a query; NULL / 0 fields are not applied. */
struct store_filter {
	const char *zone, *verdict, *host, *cls;
	uint64_t since_ms; /* ts_end >= since_ms */
	unsigned limit;	   /* 0: 100 */
};

/* Open (create) the database at path. NULL with err. */
struct store *store_open(const char *path, char *err, size_t errlen);

/* Add one record to the open batch (a transaction is begun if none).
 * stream NULL: an import, never deduplicated. Returns 1 stored, 0 a
 * duplicate, or -EIO. */
int store_add(struct store *s, const char *stream, uint64_t seq, const struct flowrec *r,
	      const char *line, size_t len);

/* Records in the open batch. */
unsigned store_pending(const struct store *s);

/* Commit the open batch. 0 or -EIO. */
int store_commit(struct store *s);

/* Delete at most slice records older than max_age_ms (0: no age limit) or,
 * while the live data passes max_bytes (0: no size limit), the oldest.
 * Its own short transaction; call it between batches. Returns records
 * deleted, or -EIO. */
int store_retain(struct store *s, uint64_t now_ms, uint64_t max_age_ms, uint64_t max_bytes,
		 unsigned slice);

/* Call cb with each matching record's JSON line, newest first. Returns the
 * number of rows, or -EIO/-EINVAL. */
int store_query(struct store *s, const struct store_filter *f,
		int (*cb)(void *arg, const char *line, size_t len), void *arg);

/* Rows in the store, and bytes the live pages take. */
void store_size(struct store *s, uint64_t *rows, uint64_t *bytes);

/* The open database, for aduanad's other tables (grants.c) and the
 * report's read-only queries (report.c), on aduanad's thread. */
struct sqlite3;
struct sqlite3 *store_db(struct store *s);

/* Commit what is pending and close. Accepts NULL. */
void store_close(struct store *s);

#endif
