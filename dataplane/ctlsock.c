/* The dataplane's private control socket (see ctlsock.h, docs/control.md).
 *
 * One listening unix stream socket, a few clients, all non-blocking and
 * polled with a zero timeout from the main lcore's loop. One client at a
 * time may subscribe to the record stream; records wait in a bounded queue
 * until that client acknowledges them, so a daemon that goes away and
 * comes back gets every record it had not stored (at least once: it drops
 * duplicates by stream id and sequence number).
 */
#include "ctlsock.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_rcu_qsbr.h>

#include "arena.h"
#include "classifier.h"
#include "config.h"
#include "flow.h"
#include "flowlog.h"
#include "grantreg.h"
#include "policy.h"
#include "proto.h"
#include "stats.h"
#include "worker.h"

#define CS_CLIENTS   8
#define CS_REC_MAX   65536u	 /* records queued for the stream (power of two) */
#define CS_BYTES_MAX (64u << 20) /* ...and their bytes */
#define CS_OUT_MAX   (4u << 20)	 /* bytes queued on one connection */
#define CS_HIST	     16		 /* retired snapshots kept to name their records */
#define CS_LINE_MAX  2048

struct cs_rec {
	char *line; /* the JSON line, newline included */
	uint32_t len;
};

struct cs_client {
	struct proto_conn c;
	bool closing; /* answered a framing error: close once flushed */
	uint32_t gen; /* bumped at each close: a late answer finds its asker gone */
};

/* An open-flow dump in progress (flowdump.h): the workers fill their own
 * buffers; the answer goes out once all are done or the deadline passed. */
#define CS_DUMP_LIMIT 100000u
#define CS_DUMP_MS    2000u

struct cs_dump {
	bool active;
	int client;
	uint32_t gen;
	uint32_t limit;
	uint64_t deadline; /* TSC */
};

struct ctlsock {
	char path[108];
	int lfd;
	struct dp *dp;
	struct policy **pol;
	struct worker *workers;
	const struct cls_engine *cls;
	struct grant_reg *grants; /* grantreg.h; NULL: grants are refused */
	struct cs_client cl[CS_CLIENTS];
	int sub; /* index of the subscribed client, -1 */
	char stream_id[40];

	/* Record queue: counters run forever; slot = counter % CS_REC_MAX.
	 * The record at counter n has sequence number n + 1. */
	struct cs_rec *q;
	uint64_t head; /* oldest not acknowledged */
	uint64_t sent; /* next to send to the subscriber */
	uint64_t tail; /* next free */
	uint64_t q_bytes;
	uint64_t n_queued, n_dropped, n_sent, n_resent;

	struct policy *hist[CS_HIST];
	unsigned n_hist;
	uint32_t reloads, reload_errors;
	uint64_t last_rcu_cycles;
	uint64_t bad_requests;
	struct cs_dump dump;
	uint64_t dumps;
};

static void cs_client_close(struct ctlsock *cs, int i)
{
	proto_conn_close(&cs->cl[i].c);
	cs->cl[i].closing = false;
	cs->cl[i].gen++;
	if (cs->sub == i) {
		cs->sub = -1;
		cs->n_resent += cs->sent - cs->head;
		cs->sent = cs->head; /* unacknowledged records go again */
	}
}

struct ctlsock *ctlsock_create(const char *path, const char *group, struct dp *dp, struct policy **pol,
			       struct worker *workers, const struct cls_engine *cls,
			       char *err, size_t errlen)
{
	struct group *gr;
	mode_t old_mask;
	int rc;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctlsock *cs;
	unsigned i;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--ctl %s: path too long", path);
		return NULL;
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		goto out_nomem;
	cs->q = calloc(CS_REC_MAX, sizeof(*cs->q));
	if (!cs->q)
		goto out_free_cs;
	snprintf(cs->path, sizeof(cs->path), "%s", path);
	cs->dp = dp;
	cs->pol = pol;
	cs->workers = workers;
	cs->cls = cls;
	cs->sub = -1;
	for (i = 0; i < CS_CLIENTS; i++)
		cs->cl[i].c.fd = -1;
	snprintf(cs->stream_id, sizeof(cs->stream_id), "%" PRIx64 "-%x",
		 (uint64_t)time(NULL) * 1000000u + rte_rdtsc() % 1000000u, (unsigned)getpid());

	memcpy(sa.sun_path, path, strlen(path) + 1);
	cs->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->lfd < 0)
		goto out_errno;
	if (group) {
		gr = getgrnam(group);
		if (!gr) {
			snprintf(err, errlen, "--ctl-group %s: no such group", group);
			close(cs->lfd);
			goto out_quiet;
		}
	} else {
		gr = getgrnam("aduana"); /* the package's group for aduanad */
	}
	unlink(path); /* a stale socket from an earlier run */
	/* Created 0660 at once (no window with wider modes, no chmod by path
	 * in a directory aduanad owns), then given the group by path without
	 * following a link someone may have put there since. */
	old_mask = umask(0117);
	rc = bind(cs->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc != 0 || (gr && lchown(path, (uid_t)-1, gr->gr_gid) != 0) ||
	    listen(cs->lfd, CS_CLIENTS) != 0)
		goto out_close;
	return cs;

out_close:
	close(cs->lfd);
out_errno:
	snprintf(err, errlen, "--ctl %s: %s", path, strerror(errno));
out_quiet:
	free(cs->q);
	free(cs);
	return NULL;
out_free_cs:
	free(cs);
out_nomem:
	snprintf(err, errlen, "--ctl: out of memory");
	return NULL;
}

static void cs_error(struct ctlsock *cs, int i, const char *msg)
{
	char body[512];
	size_t off = 0;

	cs->bad_requests++;
	off = (size_t)snprintf(body, sizeof(body), "{\"error\":");
	proto_json_str(body, sizeof(body), &off, msg);
	snprintf(body + off, sizeof(body) - off, "}");
	proto_conn_send(&cs->cl[i].c, PROTO_ERROR, body, strlen(body));
}

static void cs_status(struct ctlsock *cs, int i)
{
	const struct policy *pol = *cs->pol;
	char *body = malloc(16384);
	struct stats s;
	struct arena_stats heap = {0};
	uint64_t open = 0;
	size_t off = 0;
	unsigned w;

	if (!body) {
		cs_error(cs, i, "out of memory");
		return;
	}
	memset(&s, 0, sizeof(s));
	/* Read without locks: a reading may be a few packets behind. */
	for (w = 0; w < cs->dp->n_workers; w++) {
		struct arena_stats as;

		stats_add(&s, &cs->workers[w].st);
		open += flow_count(cs->workers[w].ft);
		cls_worker_heap_stats(cs->workers[w].cls, &as);
		heap.allocs += as.allocs;
		heap.frees += as.frees;
		heap.bytes_in_use += as.bytes_in_use;
		heap.high_water += as.high_water;
		heap.failures += as.failures;
	}
#define ADD(...) off += (size_t)snprintf(body + off, 16384 - off, __VA_ARGS__)
	ADD("{\"policy_version\":%u,\"policy_hash\":\"%s\",\"policy_source\":", pol->version,
	    pol->hash);
	proto_json_str(body, 16384, &off, pol->source);
	ADD(",\"mode\":\"%s\",\"workers\":%u,\"flows_open\":%" PRIu64,
	    cs->dp->replay ? "replay" : "live", cs->dp->n_workers, open);
	for (w = 0; w < STATS_COUNT; w++)
		ADD(",\"%s\":%" PRIu64, stats_counter_name(w), s.c[w]);
	for (w = 0; w < STATS_DROP_COUNT; w++)
		ADD(",\"drop_%s\":%" PRIu64, stats_drop_name(w), s.drop[w]);
	/* nDPI's heap, the workers' arenas together (high water: the sum of
	 * each worker's). */
	ADD(",\"ndpi_heap_allocs\":%" PRIu64 ",\"ndpi_heap_frees\":%" PRIu64
	    ",\"ndpi_heap_in_use\":%" PRIu64 ",\"ndpi_heap_high_water\":%" PRIu64
	    ",\"ndpi_heap_failures\":%" PRIu64,
	    heap.allocs, heap.frees, heap.bytes_in_use, heap.high_water, heap.failures);
	ADD(",\"stream_id\":\"%s\",\"stream_subscribed\":%s,\"stream_queued\":%" PRIu64
	    ",\"stream_pending\":%" PRIu64 ",\"stream_acked\":%" PRIu64
	    ",\"stream_dropped\":%" PRIu64 ",\"stream_resent\":%" PRIu64
	    ",\"reloads\":%u,\"reload_errors\":%u,\"grants\":%u"
	    ",\"bad_requests\":%" PRIu64 "}",
	    cs->stream_id, cs->sub >= 0 ? "true" : "false", cs->n_queued, cs->tail - cs->head,
	    cs->head, cs->n_dropped, cs->n_resent, cs->reloads, cs->reload_errors,
	    grant_reg_count(cs->grants), cs->bad_requests);
#undef ADD
	proto_conn_send(&cs->cl[i].c, PROTO_STATUS | PROTO_REPLY, body, strlen(body));
	free(body);
}

/* Keep a retired snapshot for naming records; past CS_HIST, free the
 * oldest (no worker can read any of them: the RCU wait came first). */
static void cs_retire(struct ctlsock *cs, struct policy *old)
{
	if (cs->n_hist == CS_HIST) {
		policy_free(cs->hist[0]);
		memmove(cs->hist, cs->hist + 1, sizeof(cs->hist[0]) * (CS_HIST - 1));
		cs->n_hist--;
	}
	cs->hist[cs->n_hist++] = old;
}

/* What a reload cannot change: these are read once at start. */
static void cs_restart_needed(const struct policy *a, const struct policy *b, char *buf,
			      size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
#define NEED(cond, name)                                                                           \
	do {                                                                                       \
		if (cond)                                                                          \
			off += (size_t)snprintf(buf + off, size - off, "%s\"%s\"", off ? "," : "", \
						name);                                             \
	} while (0)
	NEED(a->dp.workers != b->dp.workers, "dataplane.workers");
	NEED(a->dp.flows_per_worker != b->dp.flows_per_worker, "dataplane.flows_per_worker");
	NEED(memcmp(a->dp.timeouts, b->dp.timeouts, sizeof(a->dp.timeouts)) != 0,
	     "dataplane.timeouts");
	NEED(strcmp(a->flow_log, b->flow_log) != 0, "log.flow_log");
	NEED(strcmp(a->classes_path, b->classes_path) != 0, "classes");
	NEED(strcmp(a->lists_path, b->lists_path) != 0, "lists");
#undef NEED
}

static void cs_reload(struct ctlsock *cs, int i, const uint8_t *body, uint32_t len)
{
	struct policy *old = *cs->pol, *pol;
	char path[POLICY_PATH_MAX], err[1024], reply[2048], restart[256];
	uint64_t t0, t1, open = 0;
	size_t off = 0;
	unsigned w;

	if (len >= sizeof(path) || memchr(body, '\0', len)) {
		cs_error(cs, i, "reload: bad path");
		return;
	}
	if (len) {
		memcpy(path, body, len);
		path[len] = '\0';
	} else {
		snprintf(path, sizeof(path), "%s", old->source);
	}
	/* Built here, off the fast path; workers keep the old one meanwhile. */
	pol = config_load(path, old->version + 1, err, sizeof(err));
	if (!pol) {
		cs->reload_errors++;
		cs_error(cs, i, err);
		return;
	}
	cs_restart_needed(old, pol, restart, sizeof(restart));
	for (w = 0; w < cs->dp->n_workers; w++)
		open += flow_count(cs->workers[w].ft);
	/* One store publishes the whole snapshot (release: its contents are
	 * visible before the pointer). Then wait until every worker has been
	 * quiescent once: none can still hold the old pointer. */
	__atomic_store_n(&cs->dp->policy, pol, __ATOMIC_RELEASE);
	*cs->pol = pol;
	t0 = rte_rdtsc();
	if (cs->dp->qsbr)
		rte_rcu_qsbr_synchronize(cs->dp->qsbr, RTE_QSBR_THRID_INVALID);
	t1 = rte_rdtsc();
	cs->last_rcu_cycles = t1 - t0;
	cs_retire(cs, old);
	grant_reg_rebind(cs->grants); /* zone names to the new snapshot's indexes */
	cs->reloads++;
	off = (size_t)snprintf(
		reply, sizeof(reply),
		"{\"policy_version\":%u,\"previous_version\":%u,\"policy_hash\":\"%s\","
		"\"previous_hash\":\"%s\",\"flows_to_rejudge\":%" PRIu64
		",\"rcu_wait_us\":%.1f,\"restart_needed\":[%s],\"source\":",
		pol->version, old->version, pol->hash, old->hash, open,
		(double)cs->last_rcu_cycles * 1e6 / (double)rte_get_tsc_hz(), restart);
	proto_json_str(reply, sizeof(reply), &off, pol->source);
	snprintf(reply + off, sizeof(reply) - off, "}");
	proto_conn_send(&cs->cl[i].c, PROTO_RELOAD | PROTO_REPLY, reply, strlen(reply));
}

static void cs_subscribe(struct ctlsock *cs, int i)
{
	char body[128];

	if (cs->sub >= 0 && cs->sub != i)
		cs_client_close(cs, cs->sub); /* the newest daemon wins */
	cs->sub = i;
	cs->sent = cs->head;
	snprintf(body, sizeof(body), "{\"stream_id\":\"%s\",\"first_seq\":%" PRIu64 "}",
		 cs->stream_id, cs->head + 1);
	proto_conn_send(&cs->cl[i].c, PROTO_SUBSCRIBE | PROTO_REPLY, body, strlen(body));
}

static void cs_ack(struct ctlsock *cs, int i, const uint8_t *body, uint32_t len)
{
	uint64_t seq = 0;
	unsigned k;

	if (i != cs->sub || len != 8) {
		cs_error(cs, i, "ack: not subscribed, or not an 8-byte sequence number");
		return;
	}
	for (k = 0; k < 8; k++)
		seq = seq << 8 | body[k];
	if (seq > cs->sent) /* cannot acknowledge what was never sent */
		seq = cs->sent;
	while (cs->head < seq) {
		struct cs_rec *r = &cs->q[cs->head % CS_REC_MAX];

		cs->q_bytes -= r->len;
		free(r->line);
		r->line = NULL;
		cs->head++;
	}
}


/* --- the open-flow dump --- */

static int cs_class_find(const char *name)
{
	for (unsigned c = 0; c < POLICY_CLASS_COUNT; c++) {
		const char *n = policy_class_name(c);

		if (n && strcmp(n, name) == 0)
			return (int)c;
	}
	return -1;
}

/* Parse a flows request (key=value lines, as aduanad's store takes them)
 * into a filter. NULL on success, else what was wrong. */
static const char *cs_flows_filter(const struct policy *pol, const uint8_t *body, uint32_t len,
				   struct flowdump_filter *flt, uint32_t *limit)
{
	char req[2048], *line, *save = NULL, *eq, *end;
	unsigned long long v;
	unsigned z;

	memset(flt, 0, sizeof(*flt));
	flt->zone = -2;
	flt->verdict = -1;
	flt->cls = -1;
	*limit = 1000;
	if (len >= sizeof(req))
		return "flows: request too long";
	if (memchr(body, '\0', len))
		return "flows: NUL in request";
	memcpy(req, body, len);
	req[len] = '\0';
	for (line = strtok_r(req, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq)
			return "flows: expected key=value lines";
		*eq++ = '\0';
		if (strcmp(line, "zone") == 0) {
			for (z = 0; z < pol->n_zones && strcmp(pol->zones[z].name, eq) != 0; z++)
				;
			if (z == pol->n_zones && strcmp(eq, "none") != 0)
				return "flows: no such zone in the running policy";
			flt->zone = z == pol->n_zones ? -1 : (int16_t)z;
		} else if (strcmp(line, "verdict") == 0) {
			if (strcmp(eq, "allow") == 0)
				flt->verdict = POLICY_ALLOW;
			else if (strcmp(eq, "drop") == 0)
				flt->verdict = POLICY_DROP;
			else if (strcmp(eq, "pending") == 0)
				flt->verdict = POLICY_PENDING;
			else
				return "flows: verdict: expected allow, drop or pending";
		} else if (strcmp(line, "class") == 0) {
			int c = cs_class_find(eq);

			if (c < 0)
				return "flows: no such class";
			flt->cls = (int16_t)c;
		} else if (strcmp(line, "host") == 0) {
			struct in_addr a4;

			if (inet_pton(AF_INET, eq, &a4) == 1) {
				flt->has_addr = 1;
				flt->family = 4;
				memcpy(flt->addr + 12, &a4, 4);
			} else if (inet_pton(AF_INET6, eq, flt->addr) == 1) {
				flt->has_addr = 1;
				flt->family = 6;
			} else if (!*eq || strlen(eq) >= sizeof(flt->name)) {
				return "flows: host: expected an address or a name of 1 to 63 bytes";
			} else {
				snprintf(flt->name, sizeof(flt->name), "%s", eq);
			}
		} else if (strcmp(line, "since_ms") == 0) {
			errno = 0;
			v = strtoull(eq, &end, 10);
			if (errno || end == eq || *end || v > UINT64_MAX / 1000000u)
				return "flows: since_ms: expected milliseconds since the epoch";
			flt->since_ns = v * 1000000u;
		} else if (strcmp(line, "limit") == 0) {
			errno = 0;
			v = strtoull(eq, &end, 10);
			if (errno || end == eq || *end || v < 1 || v > CS_DUMP_LIMIT)
				return "flows: limit: expected 1..100000";
			*limit = (uint32_t)v;
		} else {
			return "flows: unknown filter (zone, verdict, host, class, since_ms, limit)";
		}
	}
	return NULL;
}

static void cs_flows(struct ctlsock *cs, int i, const uint8_t *body, uint32_t len)
{
	struct flowdump_filter flt;
	const char *bad;
	uint32_t limit;
	unsigned w;

	bad = cs_flows_filter(*cs->pol, body, len, &flt, &limit);
	if (bad) {
		cs_error(cs, i, bad);
		return;
	}
	if (cs->dump.active) {
		cs_error(cs, i, "flows: a dump is already in progress; try again");
		return;
	}
	for (w = 0; w < cs->dp->n_workers; w++) {
		struct flowdump *d = &cs->workers[w].dump;

		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE) != d->req) {
			/* A worker that never finished an earlier dump (it
			 * stopped): its buffer may still be written. */
			cs_error(cs, i, "flows: a worker has not answered an earlier dump");
			return;
		}
		if (d->cap < limit) {
			struct flowlog_rec *b = realloc(d->buf, (size_t)limit * sizeof(*b));

			if (!b) {
				cs_error(cs, i, "flows: out of memory");
				return;
			}
			d->buf = b;
			d->cap = limit;
		}
	}
	for (w = 0; w < cs->dp->n_workers; w++) {
		struct flowdump *d = &cs->workers[w].dump;

		d->flt = flt;
		d->n = d->pos = d->seen = d->total = 0;
		__atomic_store_n(&d->req, d->req + 1, __ATOMIC_RELEASE);
	}
	cs->dump = (struct cs_dump){
		.active = true,
		.client = i,
		.gen = cs->cl[i].gen,
		.limit = limit,
		.deadline = rte_rdtsc() + rte_get_tsc_hz() / 1000 * CS_DUMP_MS,
	};
	cs->dumps++;
}

static int cs_rec_newest_first(const void *a, const void *b)
{
	const struct flowlog_rec *x = *(const struct flowlog_rec *const *)a;
	const struct flowlog_rec *y = *(const struct flowlog_rec *const *)b;

	return x->ts_end < y->ts_end ? 1 : x->ts_end > y->ts_end ? -1 : 0;
}

/* The answer: one summary line, then the flows as flow-log lines (ts_end
 * is the last packet so far), newest first, up to the limit and the frame
 * size. */
static void cs_dump_answer(struct ctlsock *cs, unsigned unanswered)
{
	struct cs_dump *dd = &cs->dump;
	const struct flowlog_rec **all = NULL;
	uint64_t seen = 0, total = 0;
	size_t n = 0, k, off, cap = PROTO_BODY_MAX;
	char *body = NULL, line[CS_LINE_MAX];
	unsigned w, shown = 0;
	bool truncated = false;

	dd->active = false;
	if (cs->cl[dd->client].c.fd < 0 || cs->cl[dd->client].gen != dd->gen)
		return; /* the asker left */
	for (w = 0; w < cs->dp->n_workers; w++) {
		struct flowdump *d = &cs->workers[w].dump;

		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE) != d->req)
			continue;
		n += d->n;
		seen += d->seen;
		total += d->total;
	}
	body = malloc(cap);
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!body || !all) {
		cs_error(cs, dd->client, "flows: out of memory");
		goto out;
	}
	n = 0;
	for (w = 0; w < cs->dp->n_workers; w++) {
		struct flowdump *d = &cs->workers[w].dump;

		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE) != d->req)
			continue;
		for (k = 0; k < d->n; k++)
			all[n++] = &d->buf[k];
	}
	qsort(all, n, sizeof(*all), cs_rec_newest_first);
	off = 256; /* room for the summary line, written last at the front */
	for (k = 0; k < n && shown < dd->limit; k++) {
		FILE *f = fmemopen(line, sizeof(line), "w");
		long l;

		if (!f)
			break;
		flowlog_write(f, all[k], ctlsock_policy(cs, *cs->pol, all[k]->policy_version),
			      cs->cls);
		l = ftell(f);
		fclose(f);
		if (l <= 0 || l >= (long)sizeof(line) - 1)
			continue;
		if (off + (size_t)l > cap) {
			truncated = true;
			break;
		}
		memcpy(body + off, line, (size_t)l);
		off += (size_t)l;
		shown++;
	}
	{
		char head[256];
		int h = snprintf(head, sizeof(head),
				 "{\"open_flows\":%" PRIu64 ",\"matched\":%" PRIu64
				 ",\"shown\":%u,\"truncated\":%s,\"workers\":%u,"
				 "\"workers_unanswered\":%u}\n",
				 total, seen, shown, truncated || seen > shown ? "true" : "false",
				 cs->dp->n_workers, unanswered);

		memmove(body + 256 - h, head, (size_t)h);
		proto_conn_send(&cs->cl[dd->client].c, PROTO_FLOWS | PROTO_REPLY,
				body + 256 - h, off - 256 + (size_t)h);
	}
out:
	free(all);
	free(body);
}

static void cs_dump_poll(struct ctlsock *cs)
{
	unsigned w, pending = 0;

	if (!cs->dump.active)
		return;
	for (w = 0; w < cs->dp->n_workers; w++) {
		struct flowdump *d = &cs->workers[w].dump;

		pending += __atomic_load_n(&d->done, __ATOMIC_ACQUIRE) != d->req;
	}
	if (pending && rte_rdtsc() < cs->dump.deadline)
		return;
	cs_dump_answer(cs, pending);
}

static void cs_grant(struct ctlsock *cs, int i, uint8_t type, const uint8_t *body, uint32_t len)
{
	char *reply = malloc(65536);

	if (!reply) {
		cs_error(cs, i, "out of memory");
		return;
	}
	if (grant_reg_request(cs->grants, type, body, len, reply, 65536) == 0)
		proto_conn_send(&cs->cl[i].c, type | PROTO_REPLY, reply, strlen(reply));
	else
		cs_error(cs, i, reply);
	free(reply);
}

static void cs_request(struct ctlsock *cs, int i, uint8_t type, const uint8_t *body, uint32_t len)
{
	char msg[96];

	switch (type) {
	case PROTO_STATUS:
		cs_status(cs, i);
		break;
	case PROTO_RELOAD:
		cs_reload(cs, i, body, len);
		break;
	case PROTO_SUBSCRIBE:
		cs_subscribe(cs, i);
		break;
	case PROTO_ACK:
		cs_ack(cs, i, body, len);
		break;
	case PROTO_FLOWS:
		cs_flows(cs, i, body, len);
		break;
	case PROTO_GRANT_ADD:
	case PROTO_GRANT_DEL:
	case PROTO_GRANT_LIST:
		cs_grant(cs, i, type, body, len);
		break;
	default:
		snprintf(msg, sizeof(msg), "unknown request type 0x%02x", type);
		cs_error(cs, i, msg);
	}
}

static void cs_read(struct ctlsock *cs, int i)
{
	struct cs_client *cl = &cs->cl[i];
	const uint8_t *body;
	uint8_t type;
	uint32_t len;
	long n;
	int rc;

	n = proto_conn_read(&cl->c);
	while ((rc = proto_conn_next(&cl->c, &type, &body, &len)) == 1) {
		cs_request(cs, i, type, body, len);
		if (cl->c.fd < 0) /* replaced subscriber closed meanwhile */
			return;
		proto_conn_pop(&cl->c, len);
	}
	if (rc < 0) {
		cs_error(cs, i,
			 rc == -EPROTONOSUPPORT ? "unsupported protocol version (this is 1)"
			 : rc == -EMSGSIZE	? "frame too large"
						: "not a frame (bad magic)");
		cl->closing = true;
		cl->c.in_len = cl->c.in_off = 0;
		return;
	}
	if (n < 0) /* the peer closed; half a frame left there is dropped */
		cs_client_close(cs, i);
}

/* Feed the subscriber as much as its connection buffer takes. */
static void cs_stream(struct ctlsock *cs)
{
	uint8_t buf[8 + CS_LINE_MAX];
	struct cs_client *cl;

	if (cs->sub < 0)
		return;
	cl = &cs->cl[cs->sub];
	while (cs->sent < cs->tail) {
		struct cs_rec *r = &cs->q[cs->sent % CS_REC_MAX];
		uint64_t seq = cs->sent + 1;

		for (int k = 0; k < 8; k++)
			buf[k] = (uint8_t)(seq >> (56 - 8 * k));
		memcpy(buf + 8, r->line, r->len);
		if (proto_conn_send(&cl->c, PROTO_RECORD, buf, 8 + r->len) != 0)
			break;
		cs->n_sent++;
		cs->sent++;
	}
}

void ctlsock_poll(struct ctlsock *cs)
{
	struct pollfd pfd[CS_CLIENTS + 1];
	int i, n = 0, idx[CS_CLIENTS + 1];

	if (!cs)
		return;
	cs_dump_poll(cs);
	cs_stream(cs);
	pfd[n].fd = cs->lfd;
	pfd[n].events = POLLIN;
	idx[n++] = -1;
	for (i = 0; i < CS_CLIENTS; i++) {
		if (cs->cl[i].c.fd < 0)
			continue;
		if (proto_conn_flush(&cs->cl[i].c) < 0) {
			cs_client_close(cs, i);
			continue;
		}
		if (cs->cl[i].closing && cs->cl[i].c.out_len == 0) {
			cs_client_close(cs, i);
			continue;
		}
		pfd[n].fd = cs->cl[i].c.fd;
		pfd[n].events = cs->cl[i].closing ? 0 : POLLIN;
		idx[n++] = i;
	}
	if (poll(pfd, (nfds_t)n, 0) <= 0)
		return;
	for (int k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (idx[k] < 0) {
			int fd;

			/* Everyone waiting; more than CS_CLIENTS at once see EOF. */
			while ((fd = accept4(cs->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
				for (i = 0; i < CS_CLIENTS && cs->cl[i].c.fd >= 0; i++)
					;
				if (i == CS_CLIENTS ||
				    proto_conn_init(&cs->cl[i].c, fd, CS_OUT_MAX) != 0) {
					close(fd);
					if (i < CS_CLIENTS)
						cs->cl[i].c.fd = -1;
				}
			}
			continue;
		}
		i = idx[k];
		if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
			cs_read(cs, i);
	}
	cs_stream(cs);
	for (i = 0; i < CS_CLIENTS; i++)
		if (cs->cl[i].c.fd >= 0 && proto_conn_flush(&cs->cl[i].c) < 0)
			cs_client_close(cs, i);
}

void ctlsock_set_grants(struct ctlsock *cs, struct grant_reg *grants)
{
	if (cs)
		cs->grants = grants;
}

const struct policy *ctlsock_policy(const struct ctlsock *cs, const struct policy *cur,
				    uint32_t version)
{
	unsigned i;

	if (!cs || cur->version == version)
		return cur;
	for (i = 0; i < cs->n_hist; i++)
		if (cs->hist[i]->version == version)
			return cs->hist[i];
	return cur;
}

void ctlsock_record(struct ctlsock *cs, const struct flowlog_rec *rec)
{
	char line[CS_LINE_MAX];
	struct cs_rec *r;
	FILE *f;
	long n;

	if (!cs)
		return;
	if (cs->tail - cs->head >= CS_REC_MAX || cs->q_bytes >= CS_BYTES_MAX) {
		cs->n_dropped++;
		return;
	}
	f = fmemopen(line, sizeof(line), "w");
	if (!f) {
		cs->n_dropped++;
		return;
	}
	flowlog_write(f, rec, ctlsock_policy(cs, *cs->pol, rec->policy_version), cs->cls);
	n = ftell(f);
	fclose(f);
	r = &cs->q[cs->tail % CS_REC_MAX];
	if (n <= 0 || n >= (long)sizeof(line) - 1 || !(r->line = malloc((size_t)n))) {
		cs->n_dropped++;
		return;
	}
	memcpy(r->line, line, (size_t)n);
	r->len = (uint32_t)n;
	cs->q_bytes += (uint64_t)n;
	cs->tail++;
	cs->n_queued++;
}

void ctlsock_finish(struct ctlsock *cs, unsigned linger_ms)
{
	struct timespec t0, t;

	if (!cs)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ctlsock_poll(cs);
		if (cs->head == cs->tail)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= linger_ms)
			break;
		usleep(1000);
	}
	fprintf(stderr,
		"aduana: ctl: stream %s: %" PRIu64 " records queued, %" PRIu64
		" acknowledged, %" PRIu64 " dropped (queue full), %" PRIu64
		" unacknowledged at exit\n",
		cs->stream_id, cs->n_queued, cs->head, cs->n_dropped, cs->tail - cs->head);
}

void ctlsock_destroy(struct ctlsock *cs)
{
	unsigned i;

	if (!cs)
		return;
	for (i = 0; i < CS_CLIENTS; i++)
		if (cs->cl[i].c.fd >= 0)
			proto_conn_close(&cs->cl[i].c);
	close(cs->lfd);
	unlink(cs->path);
	for (; cs->head < cs->tail; cs->head++)
		free(cs->q[cs->head % CS_REC_MAX].line);
	for (i = 0; i < cs->n_hist; i++)
		policy_free(cs->hist[i]);
	/* The workers have stopped: their dump buffers are ours again. */
	for (i = 0; i < cs->dp->n_workers; i++) {
		free(cs->workers[i].dump.buf);
		cs->workers[i].dump.buf = NULL;
		cs->workers[i].dump.cap = 0;
	}
	free(cs->q);
	free(cs);
}
