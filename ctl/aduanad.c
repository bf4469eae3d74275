/* aduanad: the unprivileged control daemon. It takes the flow-record stream
 * from the dataplane's private socket, stores it (SQLite), exports it (JSON
 * lines, syslog, IPFIX), and serves aduanactl on the operators' socket:
 * status, flows, reload (validated here first, then swapped by the
 * dataplane), grants (kept here, pushed to the dataplane). One thread, one
 * poll loop. docs/control.md.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <libconfig.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "classifier.h"
#include "config.h"
#include "export_ipfix.h"
#include "export_json.h"
#include "flowrec.h"
#include "grants.h"
#include "policy.h"
#include "proto.h"
#include "sha256.h"
#include "report.h"
#include "roles.h"
#include "store.h"

#define D_CLIENTS     16
/* One caller below admin may not hold the socket: each uid gets at most
 * D_PER_UID connections, and the last D_ADMIN_SLOTS are for admins, so
 * connections left open (or half a frame, forever) cannot lock an admin
 * out of revoke or reload. */
#define D_PER_UID     4
#define D_ADMIN_SLOTS 4
#define D_OUT_MAX     (8u << 20)
#define D_BATCH_MS    100  /* a batch commits after this long... */
#define D_RETRY_MS    500  /* dataplane reconnect pace */
#define D_RETAIN_MS   1000 /* one retention slice per second */
#define D_RETAIN_ROWS 2000
#define D_CALL_MS     30000
#define D_HEAD_MS     60000 /* the audit head to syslog/IPFIX; also after each entry */

struct d_conf {
	char dataplane[108], socket[108], policy[PATH_MAX];
	char store[PATH_MAX];
	unsigned batch;
	uint64_t max_age_ms, max_bytes;
	char json[PATH_MAX];
	uint64_t json_max;
	unsigned json_keep;
	char syslog[256], facility[16];
	uint32_t pen, domain;
	unsigned refresh;
	char collectors[8][128];
	unsigned n_collectors;
	char audit[PATH_MAX];  /* default: audit.jsonl beside the store */
	char socket_group[64]; /* "": the process's own group */
	struct roles roles;
};

#define D_VALID_KEEP 8

/* Refusals a caller may write to the audit log: D_REFUSE_BURST at once,
 * then one per D_REFUSE_MS. A viewer sending refused requests in a loop
 * wrote ~5 MB/s of entries (each fsynced) until the disk was full; past
 * the quota a refusal is still answered and counted, and the caller's next
 * entry says how many were not written. */
#define D_REFUSE_BURST 20
#define D_REFUSE_MS    6000
#define D_REFUSERS     64

struct d_refuser {
	uid_t uid;
	bool used;
	uint64_t tat;	    /* GCRA: when the caller's quota is whole again */
	uint64_t unwritten; /* refusals not written since its last entry */
};

struct d_ctx {
	struct d_conf cf;
	struct store *store;
	struct export_json *json;
	struct export_syslog *sys;
	struct export_ipfix *ipfix;
	struct grants *grants;
	int lfd;
	struct proto_conn cl[D_CLIENTS];
	struct peer peer[D_CLIENTS]; /* who is on each client connection */
	struct audit *audit;
	uint64_t audit_head_at;
	struct proto_conn dp; /* the record stream; fd -1 when away */
	char stream[40];
	uint64_t last_seq, acked_seq;
	uint64_t dp_retry_at, batch_since, retain_at;
	uint64_t n_received, n_stored, n_dup, n_bad, n_imported, n_commits, n_connects, n_retained,
		n_store_errors;
	/* Digests of input sets (config, class map, every list file) that
	 * validated in full: the same bytes compile the same way, so a reload
	 * of one of them skips the Hyperscan compile (d_inputs_digest). */
	uint8_t valid[D_VALID_KEEP][SHA256_DIGEST_SIZE];
	unsigned n_valid, valid_next;
	uint64_t n_validated, n_validated_cached;
	struct d_refuser refusers[D_REFUSERS];
	uint64_t n_refusals, n_refusals_unwritten;
};

static volatile sig_atomic_t d_quit, d_hup;

static void d_signal(int sig)
{
	if (sig == SIGHUP)
		d_hup = 1;
	else
		d_quit = 1;
}

static uint64_t d_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t d_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void d_usage(FILE *out)
{
	fputs("NAME\n"
	      "    aduanad - aduana's control daemon: flow store, exports, operators' socket\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    aduanad -c CONF\n"
	      "    aduanad -c CONF --import FILE|-\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Runs unprivileged (systemd: User=aduana). Connects to the dataplane's\n"
	      "    private control socket, subscribes to its flow-record stream and\n"
	      "    acknowledges records once they are committed to the SQLite store, so\n"
	      "    records are not lost while aduanad restarts (the dataplane keeps a\n"
	      "    bounded queue and counts what it had to drop). Every stored record\n"
	      "    is also written as a JSON line to a rotating file, sent to syslog\n"
	      "    (RFC 5424) and exported to IPFIX collectors (RFC 7011, UDP or TCP).\n"
	      "    aduanactl talks to aduanad on the operators' socket, where each caller\n"
	      "    (SO_PEERCRED, SO_PEERGROUPS) gets the role the config's `roles` give\n"
	      "    it (viewer, operator, admin); every change and every refusal goes to\n"
	      "    the hash-chained audit log, whose head is sent to syslog and IPFIX.\n"
	      "\n"
	      "OPTIONS\n"
	      "    -c, --config CONF   daemon configuration (see conf/aduanad.conf)\n"
	      "    --import FILE|-     store and export the flow-log JSON lines of FILE\n"
	      "                        (a replay's --flow-log), then exit\n"
	      "    -h, --help          this text\n"
	      "\n"
	      "SIGNALS\n"
	      "    SIGHUP reopens the JSON log (after logrotate); SIGTERM, SIGINT commit\n"
	      "    and exit.\n"
	      "\n"
	      "FILES\n"
	      "    /etc/aduana/aduanad.conf, /run/aduana/aduanad.sock,\n"
	      "    /var/lib/aduana/flows.db, /var/lib/aduana/audit.jsonl,\n"
	      "    /var/log/aduana/flows.jsonl\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 on a clean stop, 1 on a runtime failure, 2 on bad arguments or config.\n",
	      out);
}

/* --- configuration --- */

static int d_conf_fail(char *err, size_t errlen, const char *path, const config_setting_t *s,
		       const char *msg)
{
	snprintf(err, errlen, "%s:%d: %s", path, s ? config_setting_source_line(s) : 1, msg);
	return -EINVAL;
}

static int d_conf_keys(const config_setting_t *g, const char *const *keys, const char *path,
		       char *err, size_t errlen)
{
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		const char *const *k;
		char msg[160];

		for (k = keys; *k && strcmp(*k, name ? name : "") != 0; k++)
			;
		if (!*k) {
			snprintf(msg, sizeof(msg), "unknown key '%s'", name ? name : "?");
			return d_conf_fail(err, errlen, path, e, msg);
		}
	}
	return 0;
}

static int d_conf_str(const config_setting_t *g, const char *key, char *out, size_t size,
		      bool required, const char *path, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	char msg[160];
	const char *v;

	if (!s) {
		if (!required)
			return 0;
		snprintf(msg, sizeof(msg), "'%s' is required", key);
		return d_conf_fail(err, errlen, path, g, msg);
	}
	v = config_setting_get_string(s);
	if (!v || strlen(v) >= size) {
		snprintf(msg, sizeof(msg), "'%s': expected a string shorter than %zu", key, size);
		return d_conf_fail(err, errlen, path, s, msg);
	}
	snprintf(out, size, "%s", v);
	return 0;
}

static int d_conf_int(const config_setting_t *g, const char *key, long long lo, long long hi,
		      uint64_t *out, const char *path, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	char msg[160];
	long long v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		snprintf(msg, sizeof(msg), "'%s': expected an integer", key);
		return d_conf_fail(err, errlen, path, s, msg);
	}
	v = config_setting_get_int64(s);
	if (v < lo || v > hi) {
		snprintf(msg, sizeof(msg), "'%s': expected %lld..%lld, got %lld", key, lo, hi, v);
		return d_conf_fail(err, errlen, path, s, msg);
	}
	*out = (uint64_t)v;
	return 0;
}

static int d_conf_load(const char *path, struct d_conf *cf, char *err, size_t errlen)
{
	static const char *const top[] = {"dataplane", "socket",       "policy", "store",
					  "json",      "syslog",       "ipfix",	 "audit",
					  "roles",     "socket_group", NULL};
	static const char *const k_store[] = {"path", "batch", "max_age_days", "max_mbytes", NULL};
	static const char *const k_json[] = {"path", "max_mbytes", "keep", NULL};
	static const char *const k_syslog[] = {"target", "facility", NULL};
	static const char *const k_ipfix[] = {"enterprise", "domain", "template_refresh",
					      "collectors", NULL};
	config_t c;
	config_setting_t *root, *g, *l;
	uint64_t v;
	int rc = -EINVAL;

	memset(cf, 0, sizeof(*cf));
	snprintf(cf->dataplane, sizeof(cf->dataplane), "/run/aduana/dataplane.sock");
	snprintf(cf->socket, sizeof(cf->socket), "/run/aduana/aduanad.sock");
	snprintf(cf->policy, sizeof(cf->policy), "/etc/aduana/aduana.conf");
	snprintf(cf->facility, sizeof(cf->facility), "local0");
	cf->batch = 512;
	cf->json_keep = 5;
	cf->pen = 32473; /* RFC 5612's documentation PEN: set your own */
	cf->domain = 1;
	cf->refresh = 60;
	roles_default(&cf->roles);
	config_init(&c);
	if (!config_read_file(&c, path)) {
		if (config_error_type(&c) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&c),
				 config_error_text(&c));
		goto out;
	}
	root = config_root_setting(&c);
	if (d_conf_keys(root, top, path, err, errlen) ||
	    d_conf_str(root, "dataplane", cf->dataplane, sizeof(cf->dataplane), false, path, err,
		       errlen) ||
	    d_conf_str(root, "socket", cf->socket, sizeof(cf->socket), false, path, err, errlen) ||
	    d_conf_str(root, "policy", cf->policy, sizeof(cf->policy), false, path, err, errlen) ||
	    d_conf_str(root, "audit", cf->audit, sizeof(cf->audit), false, path, err, errlen) ||
	    d_conf_str(root, "socket_group", cf->socket_group, sizeof(cf->socket_group), false,
		       path, err, errlen))
		goto out;
	g = config_setting_get_member(root, "roles");
	if (g && roles_conf(g, &cf->roles, path, err, errlen) != 0)
		goto out;
	g = config_setting_get_member(root, "store");
	if (!g || !config_setting_is_group(g)) {
		d_conf_fail(err, errlen, path, g ? g : root,
			    "'store' group with a path is required");
		goto out;
	}
	if (d_conf_keys(g, k_store, path, err, errlen) ||
	    d_conf_str(g, "path", cf->store, sizeof(cf->store), true, path, err, errlen))
		goto out;
	v = cf->batch;
	if (d_conf_int(g, "batch", 1, 100000, &v, path, err, errlen))
		goto out;
	cf->batch = (unsigned)v;
	v = 0;
	if (d_conf_int(g, "max_age_days", 0, 36500, &v, path, err, errlen))
		goto out;
	cf->max_age_ms = v * 86400000ull;
	v = 0;
	if (d_conf_int(g, "max_mbytes", 0, 1 << 24, &v, path, err, errlen))
		goto out;
	cf->max_bytes = v << 20;
	g = config_setting_get_member(root, "json");
	if (g) {
		v = 0;
		if (d_conf_keys(g, k_json, path, err, errlen) ||
		    d_conf_str(g, "path", cf->json, sizeof(cf->json), true, path, err, errlen) ||
		    d_conf_int(g, "max_mbytes", 0, 1 << 20, &v, path, err, errlen))
			goto out;
		cf->json_max = v << 20;
		v = cf->json_keep;
		if (d_conf_int(g, "keep", 0, 1000, &v, path, err, errlen))
			goto out;
		cf->json_keep = (unsigned)v;
	}
	g = config_setting_get_member(root, "syslog");
	if (g &&
	    (d_conf_keys(g, k_syslog, path, err, errlen) ||
	     d_conf_str(g, "target", cf->syslog, sizeof(cf->syslog), true, path, err, errlen) ||
	     d_conf_str(g, "facility", cf->facility, sizeof(cf->facility), false, path, err,
			errlen)))
		goto out;
	g = config_setting_get_member(root, "ipfix");
	if (g) {
		if (d_conf_keys(g, k_ipfix, path, err, errlen))
			goto out;
		v = cf->pen;
		if (d_conf_int(g, "enterprise", 1, UINT32_MAX, &v, path, err, errlen))
			goto out;
		cf->pen = (uint32_t)v;
		v = cf->domain;
		if (d_conf_int(g, "domain", 0, UINT32_MAX, &v, path, err, errlen))
			goto out;
		cf->domain = (uint32_t)v;
		v = cf->refresh;
		if (d_conf_int(g, "template_refresh", 1, 86400, &v, path, err, errlen))
			goto out;
		cf->refresh = (unsigned)v;
		l = config_setting_get_member(g, "collectors");
		if (l) {
			int i, n = config_setting_length(l);

			if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
				d_conf_fail(err, errlen, path, l, "'collectors': expected a list");
				goto out;
			}
			for (i = 0; i < n; i++) {
				const char *sv = config_setting_get_string_elem(l, i);

				if (!sv || strlen(sv) >= sizeof(cf->collectors[0]) || i >= 8) {
					d_conf_fail(err, errlen, path, l,
						    "'collectors': at most 8 strings "
						    "\"udp:HOST:PORT\" or \"tcp:HOST:PORT\"");
					goto out;
				}
				snprintf(cf->collectors[cf->n_collectors++],
					 sizeof(cf->collectors[0]), "%s", sv);
			}
		}
	}
	if (!cf->audit[0]) {
		/* The state directory: beside the store. */
		const char *slash = strrchr(cf->store, '/');
		int dl = slash ? (int)(slash - cf->store) : 0;

		if ((size_t)dl + 13 >= sizeof(cf->audit)) {
			d_conf_fail(err, errlen, path, root, "'store.path' too long for 'audit'");
			goto out;
		}
		snprintf(cf->audit, sizeof(cf->audit), "%.*s%saudit.jsonl", dl, cf->store,
			 slash ? "/" : "");
	}
	if (cf->socket_group[0] && !getgrnam(cf->socket_group)) {
		const config_setting_t *sg = config_setting_get_member(root, "socket_group");
		char msg[160];

		snprintf(msg, sizeof(msg), "'socket_group': no group '%s'", cf->socket_group);
		d_conf_fail(err, errlen, path, sg, msg);
		goto out;
	}
	rc = 0;
out:
	config_destroy(&c);
	return rc;
}

/* --- ingestion --- */

/* One record from the stream (stream != NULL) or an import. */
static void d_ingest(struct d_ctx *x, const char *stream, uint64_t seq, const char *line,
		     size_t len)
{
	struct flowrec r;
	char err[128];
	int rc;

	x->n_received++;
	if (flowrec_parse(line, len, &r, err, sizeof(err)) != 0) {
		x->n_bad++;
		fprintf(stderr, "aduanad: record %" PRIu64 " rejected: %s\n", seq, err);
		return;
	}
	if (!x->batch_since)
		x->batch_since = d_now_ms();
	rc = store_add(x->store, stream, seq, &r, line, len);
	if (rc < 0) {
		x->n_store_errors++;
		return;
	}
	if (rc == 0) { /* re-sent after a reconnect: stored and exported already */
		x->n_dup++;
		return;
	}
	x->n_stored++;
	if (x->json)
		export_json_write(x->json, line, len);
	if (x->sys)
		export_syslog_send(x->sys, line, len, r.zone, r.verdict);
	if (x->ipfix)
		export_ipfix_record(x->ipfix, &r);
}

/* Commit, then tell the dataplane it may forget what is stored. */
static void d_commit(struct d_ctx *x)
{
	uint8_t b[8];
	int k;

	if (store_pending(x->store)) {
		if (store_commit(x->store) != 0) {
			x->n_store_errors++;
			fprintf(stderr, "aduanad: commit failed; records stay unacknowledged\n");
			return;
		}
		x->n_commits++;
	}
	x->batch_since = 0;
	if (x->ipfix)
		export_ipfix_flush(x->ipfix, d_wall_ms() / 1000);
	if (x->dp.fd >= 0 && x->last_seq > x->acked_seq) {
		for (k = 0; k < 8; k++)
			b[k] = (uint8_t)(x->last_seq >> (56 - 8 * k));
		if (proto_conn_send(&x->dp, PROTO_ACK, b, sizeof(b)) == 0)
			x->acked_seq = x->last_seq;
	}
}

/* The dataplane holds exactly the live grants: all of them again at each
 * connect (it may have restarted empty, or kept one revoked meanwhile),
 * queued behind the subscription on the stream's own connection. */
static void d_grants_sync(struct d_ctx *x)
{
	char *body = malloc(65536);
	long n;

	if (!body)
		return;
	n = grants_sync_body(x->grants, d_wall_ms() / 1000, body, 65536);
	if (n > 0 && proto_conn_send(&x->dp, PROTO_GRANT_ADD, body, (size_t)n) != 0)
		fprintf(stderr, "aduanad: could not queue the grants for the dataplane\n");
	free(body);
}

static void d_dp_close(struct d_ctx *x, const char *why)
{
	if (x->dp.fd < 0)
		return;
	d_commit(x);
	proto_conn_close(&x->dp);
	fprintf(stderr, "aduanad: dataplane stream closed: %s\n", why);
	x->dp_retry_at = d_now_ms() + D_RETRY_MS;
}

static void d_dp_connect(struct d_ctx *x)
{
	int fd;

	if (x->dp.fd >= 0 || d_now_ms() < x->dp_retry_at)
		return;
	x->dp_retry_at = d_now_ms() + D_RETRY_MS;
	fd = proto_connect(x->cf.dataplane);
	if (fd < 0)
		return;
	if (proto_conn_init(&x->dp, fd, D_OUT_MAX) != 0 ||
	    proto_conn_send(&x->dp, PROTO_SUBSCRIBE, NULL, 0) != 0) {
		proto_conn_close(&x->dp);
		return;
	}
	x->n_connects++;
	x->stream[0] = '\0';
	x->last_seq = x->acked_seq = 0;
	d_grants_sync(x);
}

static void d_dp_read(struct d_ctx *x)
{
	const uint8_t *body;
	uint8_t type;
	uint32_t len;
	long n = proto_conn_read(&x->dp);
	int rc;

	while ((rc = proto_conn_next(&x->dp, &type, &body, &len)) == 1) {
		if (type == (PROTO_SUBSCRIBE | PROTO_REPLY)) {
			char v[40];

			if (proto_json_get((const char *)body, len, "stream_id", v, sizeof(v),
					   NULL) == 0)
				snprintf(x->stream, sizeof(x->stream), "%s", v);
			fprintf(stderr, "aduanad: subscribed to dataplane stream %s\n", x->stream);
		} else if (type == PROTO_RECORD && len > 8 && x->stream[0]) {
			uint64_t seq = 0;

			for (int k = 0; k < 8; k++)
				seq = seq << 8 | body[k];
			d_ingest(x, x->stream, seq, (const char *)body + 8, len - 8);
			if (seq > x->last_seq)
				x->last_seq = seq;
			if (store_pending(x->store) >= x->cf.batch)
				d_commit(x);
		} else if (type == PROTO_ERROR) {
			fprintf(stderr, "aduanad: dataplane says: %.*s\n", (int)len, body);
		}
		proto_conn_pop(&x->dp, len);
	}
	if (rc < 0)
		d_dp_close(x, "bad frame");
	else if (n < 0)
		d_dp_close(x, n == -EPIPE ? "the dataplane went away" : strerror((int)-n));
}

/* --- operators' socket --- */

static void d_error(struct proto_conn *c, const char *msg)
{
	char body[2048];
	size_t off = (size_t)snprintf(body, sizeof(body), "{\"error\":");

	proto_json_str(body, sizeof(body), &off, msg);
	snprintf(body + off, sizeof(body) - off, "}");
	proto_conn_send(c, PROTO_ERROR, body, strlen(body));
}

/* A short request on a connection of its own, so the stream never waits
 * behind a reload. Blocking: the dataplane answers from its main lcore. */
static int d_dp_call(struct d_ctx *x, uint8_t type, const char *body, char **reply, uint32_t *rlen,
		     uint8_t *rtype)
{
	int fd = proto_connect(x->cf.dataplane), rc;

	if (fd < 0)
		return fd;
	rc = proto_call(fd, type, body, body ? strlen(body) : 0, D_CALL_MS, rtype, reply, rlen);
	close(fd);
	return rc;
}

/* --- roles and the audit trail --- */

static const char *d_req_name(uint8_t type, char *buf, size_t size)
{
	switch (type) {
	case PROTO_STATUS:
		return "status";
	case PROTO_FLOWS:
		return "flows";
	case PROTO_RELOAD:
		return "reload";
	case PROTO_GRANT_ADD:
		return "grant";
	case PROTO_GRANT_DEL:
		return "revoke";
	case PROTO_GRANT_LIST:
		return "grants";
	case PROTO_REPORT:
		return "report";
	case PROTO_AUDIT:
		return "audit";
	case PROTO_SIMULATE:
		return "simulate";
	default:
		snprintf(buf, size, "request-0x%02x", type);
		return buf;
	}
}

/* The running policy's sha256, asked of the dataplane; "" when away. */
static void d_running_hash(struct d_ctx *x, char out[AUDIT_HASH_HEX])
{
	char *reply = NULL;
	uint32_t rlen;
	uint8_t t;

	out[0] = '\0';
	if (d_dp_call(x, PROTO_STATUS, NULL, &reply, &rlen, &t) == 0 &&
	    t == (PROTO_STATUS | PROTO_REPLY) &&
	    proto_json_get(reply, rlen, "policy_hash", out, AUDIT_HASH_HEX, NULL) != 0)
		out[0] = '\0';
	free(reply);
}

/* Send the chain's head to syslog and IPFIX: after each entry (with the entry) and
 * every D_HEAD_MS, so that a rewrite of the whole file on this box
 * is caught by what left it. */
static void d_audit_head(struct d_ctx *x, bool with_entry)
{
	char head[AUDIT_HASH_HEX];
	const char *line = NULL;
	uint64_t seq;
	size_t len = 0;

	x->audit_head_at = d_now_ms() + D_HEAD_MS;
	if (!x->audit)
		return;
	audit_head(x->audit, &seq, head);
	if (with_entry)
		line = audit_last_line(x->audit, &len);
	if (x->sys)
		export_syslog_audit(x->sys, seq, head, line, len);
	if (x->ipfix)
		export_ipfix_audit(x->ipfix, seq, head);
}

/* One audit entry (audit.h), then its head to syslog. p NULL: aduanad
 * itself. For grants: d_audit(x, p, "grant", AUDIT_OK, "id=3 src=... dst=...
 * for=2h", hash, hash, approval). */
static void d_audit(struct d_ctx *x, const struct peer *p, const char *action, int result,
		    const char *detail, const char *before, const char *after, const char *approval)
{
	if (!x->audit)
		return;
	if (audit_append(x->audit, p, action, result, detail, before, after, approval) > 0)
		d_audit_head(x, true);
}

/* A request's body, printable, one line, for the audit entry. */
static void d_body_text(const uint8_t *body, uint32_t len, char *out, size_t size)
{
	size_t o = 0;
	uint32_t i;

	for (i = 0; i < len && o + 4 < size; i++) {
		if (body[i] == '\n') {
			if (i + 1 < len) {
				out[o++] = ';';
				out[o++] = ' ';
			}
		} else {
			out[o++] = body[i] >= 0x20 && body[i] < 0x7f ? (char)body[i] : '?';
		}
	}
	if (i < len && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The approval reference a request carries: an "approval=REF" line, or
 * an "approval" member of a JSON body. "" when none. */
static void d_body_approval(const uint8_t *body, uint32_t len, char *out, size_t size)
{
	const char *b = (const char *)body, *e = b + len, *l, *nl;

	out[0] = '\0';
	if (len && b[0] == '{') {
		if (proto_json_get(b, len, "approval", out, size, NULL) != 0)
			out[0] = '\0';
		return;
	}
	for (l = b; l < e; l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(e - l));
		if (!nl)
			nl = e;
		if ((size_t)(nl - l) > 9 && memcmp(l, "approval=", 9) == 0) {
			snprintf(out, size, "%.*s", (int)(nl - l - 9), l + 9);
			return;
		}
	}
}

/* Whether a refusal of p's may be written now (its quota); *unwritten
 * takes the count of its refusals not written before this one. */
static bool d_refusal_quota(struct d_ctx *x, const struct peer *p, uint64_t *unwritten)
{
	const uint64_t now = d_now_ms(), span = (uint64_t)D_REFUSE_BURST * D_REFUSE_MS;
	struct d_refuser *r = NULL, *oldest = &x->refusers[0];
	unsigned i;

	for (i = 0; i < D_REFUSERS && !r; i++) {
		if (x->refusers[i].used && x->refusers[i].uid == p->uid)
			r = &x->refusers[i];
		else if (!x->refusers[i].used || x->refusers[i].tat < oldest->tat)
			oldest = &x->refusers[i];
	}
	if (!r) {
		/* A full table forgets the caller whose quota is the most whole;
		 * its count of unwritten refusals goes to the log with it. */
		if (oldest->used && oldest->unwritten) {
			char detail[160];

			snprintf(detail, sizeof(detail),
				 "%" PRIu64 " refusals of uid %u were not written (more than %d at "
				 "once, then one per %d s)",
				 oldest->unwritten, (unsigned)oldest->uid, D_REFUSE_BURST,
				 D_REFUSE_MS / 1000);
			d_audit(x, NULL, "refusals-unwritten", AUDIT_OK, detail, "", "", "");
		}
		r = oldest;
		*r = (struct d_refuser){.uid = p->uid, .used = true, .tat = now};
	}
	if (r->tat < now)
		r->tat = now;
	if (r->tat + D_REFUSE_MS - now > span) {
		r->unwritten++;
		return false;
	}
	r->tat += D_REFUSE_MS;
	*unwritten = r->unwritten;
	r->unwritten = 0;
	return true;
}

/* Whether p may send a request of this type. A refusal is answered with
 * the role needed and the caller's, and audited with the request. */
static bool d_allowed(struct d_ctx *x, struct proto_conn *c, const struct peer *p, uint8_t type,
		      const uint8_t *body, uint32_t len)
{
	enum role need = roles_needed(type);
	char msg[512], detail[1024], args[512], name[32], appr[256], hash[AUDIT_HASH_HEX], b[1024];
	const char *what = d_req_name(type, name, sizeof(name));
	uint64_t unwritten = 0;
	size_t off;

	if (p->role >= need)
		return true;
	x->n_refusals++;
	snprintf(msg, sizeof(msg), "refused: %s needs role %s; you are %.64s (uid %u), role %s",
		 what, role_name(need), p->user, (unsigned)p->uid, role_name(p->role));
	off = (size_t)snprintf(b, sizeof(b), "{\"error\":");
	proto_json_str(b, sizeof(b), &off, msg);
	snprintf(b + off, sizeof(b) - off,
		 ",\"refused\":true,\"role_needed\":\"%s\",\"role\":\"%s\"}", role_name(need),
		 role_name(p->role));
	proto_conn_send(c, PROTO_ERROR, b, strlen(b));
	if (!d_refusal_quota(x, p, &unwritten)) {
		x->n_refusals_unwritten++;
		return false;
	}
	d_body_text(body, len, args, sizeof(args));
	d_body_approval(body, len, appr, sizeof(appr));
	off = (size_t)snprintf(detail, sizeof(detail), "%s%s%s; needs role %s, caller has role %s",
			       what, args[0] ? " " : "", args, role_name(need), role_name(p->role));
	if (unwritten && off < sizeof(detail))
		snprintf(detail + off, sizeof(detail) - off,
			 "; %" PRIu64 " earlier refusals of this caller were not written (more "
			 "than %d at once, then one per %d s)",
			 unwritten, D_REFUSE_BURST, D_REFUSE_MS / 1000);
	d_running_hash(x, hash);
	d_audit(x, p, what, AUDIT_REFUSED, detail, hash, hash, appr);
	fprintf(stderr, "aduanad: %s\n", msg);
	return false;
}

static void d_status(struct d_ctx *x, struct proto_conn *c, const struct peer *p)
{
	char *b = malloc(32768), *dp = NULL, key[64], val[256];
	uint64_t rows = 0, bytes = 0, a = 0, e = 0, m = 0;
	uint32_t dlen;
	uint8_t t;
	size_t off = 0, pos = 0;
	bool is_str;

	if (!b) {
		d_error(c, "out of memory");
		return;
	}
	store_size(x->store, &rows, &bytes);
#define ADD(...) off += (size_t)snprintf(b + off, 32768 - off, __VA_ARGS__)
	ADD("{\"records_received\":%" PRIu64 ",\"records_stored\":%" PRIu64
	    ",\"records_duplicate\":%" PRIu64 ",\"records_bad\":%" PRIu64
	    ",\"store_errors\":%" PRIu64 ",\"commits\":%" PRIu64 ",\"store_rows\":%" PRIu64
	    ",\"store_bytes\":%" PRIu64 ",\"retention_deleted\":%" PRIu64
	    ",\"dataplane_connects\":%" PRIu64 ",\"dataplane_stream\":\"%s\"",
	    x->n_received, x->n_stored, x->n_dup, x->n_bad, x->n_store_errors, x->n_commits, rows,
	    bytes, x->n_retained, x->n_connects, x->dp.fd >= 0 ? x->stream : "");
	ADD(",\"reload_validations\":%" PRIu64 ",\"reload_validations_cached\":%" PRIu64,
	    x->n_validated, x->n_validated_cached);
	ADD(",\"refusals\":%" PRIu64 ",\"refusals_unwritten\":%" PRIu64, x->n_refusals,
	    x->n_refusals_unwritten);
	if (x->json) {
		export_json_stats(x->json, &a, &e);
		ADD(",\"json_lines\":%" PRIu64 ",\"json_errors\":%" PRIu64, a, e);
	}
	if (x->sys) {
		export_syslog_stats(x->sys, &a, &e);
		ADD(",\"syslog_sent\":%" PRIu64 ",\"syslog_lost\":%" PRIu64, a, e);
	}
	if (x->ipfix) {
		export_ipfix_stats(x->ipfix, &a, &m, &e);
		ADD(",\"ipfix_records\":%" PRIu64 ",\"ipfix_messages\":%" PRIu64
		    ",\"ipfix_lost\":%" PRIu64,
		    a, m, e);
	}
	if (x->audit) {
		char head[AUDIT_HASH_HEX];
		uint64_t seq;

		audit_stats(x->audit, &a, &e);
		audit_head(x->audit, &seq, head);
		ADD(",\"audit_written\":%" PRIu64 ",\"audit_errors\":%" PRIu64
		    ",\"audit_head_seq\":%" PRIu64 ",\"audit_head\":\"%s\"",
		    a, e, seq, head);
	}
	ADD(",\"caller\":");
	proto_json_str(b, 32768, &off, p->user);
	ADD(",\"caller_role\":\"%s\"", role_name(p->role));
	/* The dataplane's own counters, flattened with a "dp_" prefix. */
	if (d_dp_call(x, PROTO_STATUS, NULL, &dp, &dlen, &t) == 0 &&
	    t == (PROTO_STATUS | PROTO_REPLY)) {
		ADD(",\"dataplane\":\"up\"");
		while (proto_json_next(dp, dlen, &pos, key, sizeof(key), val, sizeof(val),
				       &is_str) == 1 &&
		       off < 32000) {
			ADD(",\"dp_%s\":", key);
			if (is_str)
				proto_json_str(b, 32768, &off, val);
			else
				ADD("%s", val);
		}
	} else {
		ADD(",\"dataplane\":\"unreachable\"");
	}
	ADD("}");
#undef ADD
	free(dp);
	proto_conn_send(c, PROTO_STATUS | PROTO_REPLY, b, strlen(b));
	free(b);
}

struct d_flows_arg {
	char *buf;
	size_t len, cap;
};

static int d_flows_cb(void *arg, const char *line, size_t len)
{
	struct d_flows_arg *a = arg;

	if (a->len + len + 1 > a->cap)
		return 1; /* the frame is full: the newest fit */
	memcpy(a->buf + a->len, line, len);
	a->buf[a->len + len] = '\n';
	a->len += len + 1;
	return 0;
}

/* Open flows come from the dataplane's tables (its open-flow dump), with
 * the same filters; the answer is relayed as it is. */
static void d_flows_open(struct d_ctx *x, struct proto_conn *c, const char *filters)
{
	char *reply = NULL;
	uint32_t rlen = 0;
	uint8_t t = 0;

	if (d_dp_call(x, PROTO_FLOWS, filters, &reply, &rlen, &t) != 0) {
		d_error(c, "flows --open: the dataplane is not reachable");
	} else if (t == (PROTO_FLOWS | PROTO_REPLY) || t == PROTO_ERROR) {
		proto_conn_send(c, t, reply, rlen);
	} else {
		d_error(c, "flows --open: unexpected answer from the dataplane");
	}
	free(reply);
}

static void d_flows(struct d_ctx *x, struct proto_conn *c, const uint8_t *body, uint32_t len)
{
	char req[2048], *line, *save = NULL, *eq, *end;
	struct store_filter f = {0};
	struct d_flows_arg a = {0};
	int n;

	if (len >= sizeof(req)) {
		d_error(c, "flows: request too long");
		return;
	}
	memcpy(req, body, len);
	req[len] = '\0';
	if (strncmp(req, "open=1\n", 7) == 0) {
		d_flows_open(x, c, req + 7);
		return;
	}
	for (line = strtok_r(req, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq) {
			d_error(c, "flows: expected key=value lines");
			return;
		}
		*eq++ = '\0';
		if (strcmp(line, "zone") == 0)
			f.zone = eq;
		else if (strcmp(line, "verdict") == 0)
			f.verdict = eq;
		else if (strcmp(line, "host") == 0)
			f.host = eq;
		else if (strcmp(line, "class") == 0)
			f.cls = eq;
		else if (strcmp(line, "since_ms") == 0) {
			/* The dataplane's open-flow dump takes the same
			 * numbers (cs_flows_filter): a bad one is an error,
			 * not a silent 0 that would widen the query. */
			errno = 0;
			f.since_ms = strtoull(eq, &end, 10);
			if (errno || end == eq || *end || *eq == '-') {
				d_error(c, "flows: since_ms: expected milliseconds since the epoch");
				return;
			}
		} else if (strcmp(line, "limit") == 0) {
			unsigned long long v;

			errno = 0;
			v = strtoull(eq, &end, 10);
			if (errno || end == eq || *end || *eq == '-' || v < 1 || v > 100000) {
				d_error(c, "flows: limit: expected 1..100000");
				return;
			}
			f.limit = (unsigned)v;
		} else {
			d_error(c, "flows: unknown filter");
			return;
		}
	}
	a.cap = PROTO_BODY_MAX;
	a.buf = malloc(a.cap);
	if (!a.buf) {
		d_error(c, "out of memory");
		return;
	}
	n = store_query(x->store, &f, d_flows_cb, &a);
	if (n < 0)
		d_error(c, "flows: query failed");
	else
		proto_conn_send(c, PROTO_FLOWS | PROTO_REPLY, a.buf, a.len);
	free(a.buf);
}

/* Hash a file's name, size and bytes into ctx. -errno on failure. */
static int d_digest_file(struct sha256_ctx *ctx, const char *path)
{
	char buf[65536];
	uint64_t size = 0;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	sha256_update(ctx, path, strlen(path) + 1);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sha256_update(ctx, buf, n);
		size += n;
	}
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	sha256_update(ctx, &size, sizeof(size));
	return 0;
}

static int d_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The digest of everything a full validation reads: the config file, the
 * class map, and every file of the list directory (names sorted; a superset
 * of the .txt and .sig files the compile reads). -errno when one cannot be
 * read: then validate in full, uncached. */
static int d_inputs_digest(const char *conf, const struct policy *pol,
			   uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	char **names = NULL, path[PATH_MAX * 2];
	unsigned n = 0, cap = 0, i;
	struct dirent *de;
	int rc;
	DIR *d;

	sha256_init(&ctx);
	if ((rc = d_digest_file(&ctx, conf)) || (rc = d_digest_file(&ctx, pol->classes_path)))
		return rc;
	if (!pol->lists_path[0]) {
		sha256_final(&ctx, out);
		return 0;
	}
	d = opendir(pol->lists_path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap ? cap * 2 : 32) * sizeof(*names));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			names = p;
			cap = cap ? cap * 2 : 32;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc && n)
		qsort(names, n, sizeof(*names), d_cmp_str);
	for (i = 0; i < n && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", pol->lists_path, names[i]);
		rc = d_digest_file(&ctx, path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!rc)
		sha256_final(&ctx, out);
	return rc;
}

static bool d_valid_known(const struct d_ctx *x, const uint8_t dg[SHA256_DIGEST_SIZE])
{
	for (unsigned i = 0; i < x->n_valid; i++)
		if (memcmp(x->valid[i], dg, SHA256_DIGEST_SIZE) == 0)
			return true;
	return false;
}

static void d_valid_add(struct d_ctx *x, const uint8_t dg[SHA256_DIGEST_SIZE])
{
	memcpy(x->valid[x->valid_next], dg, SHA256_DIGEST_SIZE);
	x->valid_next = (x->valid_next + 1) % D_VALID_KEEP;
	if (x->n_valid < D_VALID_KEEP)
		x->n_valid++;
}

/* Validate as a start would (loader, class map, Hyperscan compile), then
 * ask the dataplane to swap. A rejected config never reaches it. Body: the
 * config path (empty: the configured one), then optional "approval=REF"
 * lines. Audited, whatever the outcome. */
static void d_reload(struct d_ctx *x, struct proto_conn *c, const struct peer *p,
		     const uint8_t *body, uint32_t len)
{
	char path[PATH_MAX], abs[PATH_MAX], err[1024],
		*reply = NULL, appr[256], before[AUDIT_HASH_HEX], after[AUDIT_HASH_HEX],
		detail[PATH_MAX + 1100];
	const uint8_t *nl = memchr(body, '\n', len);
	uint32_t plen = nl ? (uint32_t)(nl - body) : len;
	uint8_t dg[SHA256_DIGEST_SIZE];
	struct policy *pol;
	struct cls_engine *e;
	bool cached;
	uint32_t rlen;
	uint8_t t;
	int rc;

	d_body_approval(body, len, appr, sizeof(appr));
	d_running_hash(x, before);
	if (plen >= sizeof(path) || memchr(body, '\0', len)) {
		d_error(c, "reload: bad path");
		d_audit(x, p, "reload", AUDIT_ERROR, "reload: bad path", before, before, appr);
		return;
	}
	memcpy(path, body, plen);
	path[plen] = '\0';
	if (!plen)
		snprintf(path, sizeof(path), "%s", x->cf.policy);
	pol = config_load(path, 0, err, sizeof(err));
	if (!pol)
		goto rejected;
	x->n_validated++;
	cached = d_inputs_digest(path, pol, dg) == 0;
	if (cached && d_valid_known(x, dg)) {
		x->n_validated_cached++;
		policy_free(pol);
	} else {
		e = cls_engine_create(pol->classes_path, pol->lists_path, err, sizeof(err));
		policy_free(pol);
		if (!e)
			goto rejected;
		cls_engine_destroy(e);
		if (cached)
			d_valid_add(x, dg);
	}
	if (!realpath(path, abs)) {
		snprintf(err, sizeof(err), "reload: cannot resolve the path");
		goto rejected;
	}
	rc = d_dp_call(x, PROTO_RELOAD, abs, &reply, &rlen, &t);
	if (rc) {
		snprintf(err, sizeof(err),
			 "%.512s is valid, but the dataplane at %.108s did not answer (%.64s); "
			 "nothing changed",
			 path, x->cf.dataplane, strerror(-rc));
		goto rejected;
	}
	proto_conn_send(c, t, reply, rlen); /* the swap's answer, or its error */
	fprintf(stderr, "aduanad: reload %s: %.*s\n", abs, (int)rlen, reply);
	if (t == (PROTO_RELOAD | PROTO_REPLY)) {
		char ver[32] = "?", prev[32] = "?";

		if (proto_json_get(reply, rlen, "previous_hash", before, sizeof(before), NULL))
			before[0] = '\0';
		if (proto_json_get(reply, rlen, "policy_hash", after, sizeof(after), NULL))
			after[0] = '\0';
		proto_json_get(reply, rlen, "policy_version", ver, sizeof(ver), NULL);
		proto_json_get(reply, rlen, "previous_version", prev, sizeof(prev), NULL);
		snprintf(detail, sizeof(detail), "reload %s: policy version %s -> %s", abs, prev,
			 ver);
		d_audit(x, p, "reload", AUDIT_OK, detail, before, after, appr);
	} else {
		snprintf(detail, sizeof(detail), "reload %s: the dataplane refused: %.*s", abs,
			 (int)(rlen < 900 ? rlen : 900), reply);
		d_running_hash(x, after);
		d_audit(x, p, "reload", AUDIT_ERROR, detail, before, after, appr);
	}
	free(reply);
	return;
rejected:
	d_error(c, err);
	snprintf(detail, sizeof(detail), "reload %s: %s", path, err);
	d_audit(x, p, "reload", AUDIT_ERROR, detail, before, before, appr);
}

/* The compliance report (report.h). Body: "since_ms=N" and "zone=Z"
 * lines, both optional. */
static void d_report(struct d_ctx *x, struct proto_conn *c, const uint8_t *body, uint32_t len)
{
	char req[1024], *line, *save = NULL, *eq, *end, err[256], *out = NULL;
	const char *zone = NULL;
	uint64_t since = 0;
	size_t olen;

	if (len >= sizeof(req) || memchr(body, '\0', len)) {
		d_error(c, "report: request too long");
		return;
	}
	memcpy(req, body, len);
	req[len] = '\0';
	for (line = strtok_r(req, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq) {
			d_error(c, "report: expected key=value lines");
			return;
		}
		*eq++ = '\0';
		if (strcmp(line, "zone") == 0 && *eq) {
			zone = eq;
		} else if (strcmp(line, "since_ms") == 0) {
			errno = 0;
			since = strtoull(eq, &end, 10);
			if (errno || *eq < '0' || *eq > '9' || *end) {
				d_error(c,
					"report: since_ms: expected milliseconds since the epoch");
				return;
			}
		} else {
			d_error(c, "report: unknown key (expected since_ms, zone)");
			return;
		}
	}
	d_commit(x); /* what was received is counted */
	if (report_build(x->store, since, zone, &out, &olen, err, sizeof(err)) != 0) {
		d_error(c, err);
		return;
	}
	proto_conn_send(c, PROTO_REPORT | PROTO_REPLY, out, olen);
	free(out);
}

struct d_audit_arg {
	uint64_t since_ms;
	char *buf;
	size_t len, cap;
	uint64_t shown, omitted;
};

static int d_audit_cb(void *arg, const char *line, size_t len, uint64_t ms)
{
	struct d_audit_arg *a = arg;
	size_t cut;
	const char *nl;

	if (ms < a->since_ms)
		return 0;
	/* Keep the newest that fit: drop the oldest shown. */
	while (a->len + len + 1 > a->cap && a->len) {
		nl = memchr(a->buf, '\n', a->len);
		cut = nl ? (size_t)(nl - a->buf) + 1 : a->len;
		memmove(a->buf, a->buf + cut, a->len - cut);
		a->len -= cut;
		a->shown--;
		a->omitted++;
	}
	if (len + 1 > a->cap) {
		a->omitted++;
		return 0;
	}
	memcpy(a->buf + a->len, line, len);
	a->buf[a->len + len] = '\n';
	a->len += len + 1;
	a->shown++;
	return 0;
}

/* The audit log, verified from its first entry: a first line with the
 * verdict, then the entries (those since since_ms; the newest that fit in
 * a frame). */
static void d_audit_show(struct d_ctx *x, struct proto_conn *c, const uint8_t *body, uint32_t len)
{
	struct d_audit_arg a = {0};
	struct audit_verify v;
	char head[AUDIT_HASH_HEX], meta[2048], *out, *end;
	uint64_t seq;
	size_t off;
	int rc;

	if (len) {
		char req[64];

		if (len >= sizeof(req) || len < 10 || memcmp(body, "since_ms=", 9) != 0) {
			d_error(c, "audit: expected an empty body or since_ms=N");
			return;
		}
		memcpy(req, body + 9, len - 9);
		req[len - 9] = '\0';
		if (req[len - 10] == '\n')
			req[len - 10] = '\0';
		errno = 0;
		a.since_ms = strtoull(req, &end, 10);
		if (errno || req[0] < '0' || req[0] > '9' || *end) {
			d_error(c, "audit: since_ms: expected milliseconds since the epoch");
			return;
		}
	}
	if (!x->audit) {
		d_error(c, "audit: no audit log open");
		return;
	}
	a.cap = PROTO_BODY_MAX - sizeof(meta);
	a.buf = malloc(a.cap);
	out = malloc(PROTO_BODY_MAX);
	if (!a.buf || !out) {
		free(a.buf);
		free(out);
		d_error(c, "out of memory");
		return;
	}
	rc = audit_verify_file(audit_path(x->audit), &v, d_audit_cb, &a);
	if (rc) {
		snprintf(meta, sizeof(meta), "audit: cannot read %s: %s", audit_path(x->audit),
			 strerror(-rc));
		d_error(c, meta);
		goto out;
	}
	audit_head(x->audit, &seq, head);
	/* A file whose chain holds but whose head is not the last entry this
	 * daemon wrote was rewritten (or cut) behind its back. */
	if (v.ok && (v.head_seq != seq || strcmp(v.head, head) != 0)) {
		v.ok = false;
		v.broken_seq = v.head_seq;
		v.broken_line = v.entries;
		snprintf(v.why, sizeof(v.why),
			 "the file ends at seq %llu, but the last entry aduanad wrote is seq %llu "
			 "with hash %.16s...: the file was rewritten, cut or appended to",
			 (unsigned long long)v.head_seq, (unsigned long long)seq, head);
	}
	off = (size_t)snprintf(
		meta, sizeof(meta),
		"{\"ok\":%s,\"entries\":%llu,\"head_seq\":%llu,\"head\":\"%s\","
		"\"daemon_head_seq\":%llu,\"daemon_head\":\"%s\",\"broken_seq\":%llu,"
		"\"broken_line\":%llu,\"why\":",
		v.ok ? "true" : "false", (unsigned long long)v.entries,
		(unsigned long long)v.head_seq, v.head, (unsigned long long)seq, head,
		(unsigned long long)v.broken_seq, (unsigned long long)v.broken_line);
	proto_json_str(meta, sizeof(meta), &off, v.ok ? NULL : v.why);
	off += (size_t)snprintf(meta + off, sizeof(meta) - off, ",\"file\":");
	proto_json_str(meta, sizeof(meta), &off, audit_path(x->audit));
	off += (size_t)snprintf(meta + off, sizeof(meta) - off,
				",\"shown\":%llu,\"omitted\":%llu}\n", (unsigned long long)a.shown,
				(unsigned long long)a.omitted);
	memcpy(out, meta, off);
	memcpy(out + off, a.buf, a.len);
	proto_conn_send(c, PROTO_AUDIT | PROTO_REPLY, out, off + a.len);
out:
	free(a.buf);
	free(out);
}

/* --- grants --- */

static uint32_t d_peer_uid(const struct proto_conn *c)
{
	struct ucred cr;
	socklen_t n = sizeof(cr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &n) != 0)
		return UINT32_MAX;
	return cr.uid;
}

/* The policy the dataplane enforces (its status names the file), else
 * aduanad's configured one: grants are checked against its zones. */
static struct policy *d_running_policy(struct d_ctx *x, char *err, size_t errlen)
{
	char path[PATH_MAX], *st = NULL;
	uint32_t len;
	uint8_t t;
	struct policy *p;

	snprintf(path, sizeof(path), "%s", x->cf.policy);
	if (d_dp_call(x, PROTO_STATUS, NULL, &st, &len, &t) == 0 &&
	    t == (PROTO_STATUS | PROTO_REPLY))
		proto_json_get(st, len, "policy_source", path, sizeof(path), NULL);
	free(st);
	p = config_load(path, 0, err, errlen);
	return p;
}

/* Tell the dataplane; its word goes into the answer (a grant stored while
 * it is away is pushed when it comes back). */
static void d_grant_push(struct d_ctx *x, uint8_t type, const char *line, char *out, size_t size,
			 size_t *off)
{
	char *reply = NULL, msg[512];
	uint32_t rlen;
	uint8_t t;
	int rc = d_dp_call(x, type, line, &reply, &rlen, &t);

	if (rc == 0 && t == (type | PROTO_REPLY)) {
		*off += (size_t)snprintf(out + *off, size - *off, ",\"dataplane\":\"%s\"",
					 type == PROTO_GRANT_ADD ? "active" : "removed");
	} else {
		if (rc && x->dp.fd >= 0) {
			/* The stream is up, so no reconnect would send it: the
			 * live set goes now, queued on the stream's connection. */
			d_grants_sync(x);
			snprintf(msg, sizeof(msg),
				 "pending: the dataplane did not take the call (%s); the live "
				 "grants were queued on its record stream",
				 strerror(-rc));
		} else if (rc)
			snprintf(msg, sizeof(msg), "pending: dataplane unreachable (%s); sent when it "
				 "connects", strerror(-rc));
		else if (proto_json_get(reply, rlen, "error", msg + 9, sizeof(msg) - 9, NULL) == 0)
			memcpy(msg, "refused: ", 9);
		else
			snprintf(msg, sizeof(msg), "refused");
		*off += (size_t)snprintf(out + *off, size - *off, ",\"dataplane\":");
		proto_json_str(out, size, off, msg);
	}
	free(reply);
}

static void d_grant_add(struct d_ctx *x, struct proto_conn *c, const struct peer *p,
			const uint8_t *body, uint32_t len)
{
	char *out = malloc(8192), line[GRANTS_REQ_MAX], reply[4096], appr[256],
				   hash[AUDIT_HASH_HEX], detail[1024], perr[1024];
	struct policy *pol;
	size_t off = 0;
	long id;

	if (!out) {
		d_error(c, "out of memory");
		return;
	}
	d_commit(x); /* the grant's row commits on its own */
	pol = len <= GRANTS_REQ_MAX ? d_running_policy(x, perr, sizeof(perr)) : NULL;
	if (len <= GRANTS_REQ_MAX && !pol) {
		/* Unchecked, a source could be anything (0.0.0.0/0: every zone). */
		snprintf(reply, sizeof(reply),
			 "grant: the running policy cannot be read to check the source against "
			 "its zones (%.900s); nothing stored",
			 perr);
		id = -ENOENT;
	} else {
		id = grants_add(x->grants, (const char *)body, len, pol, d_wall_ms() / 1000,
				d_peer_uid(c), reply, sizeof(reply), line, sizeof(line));
	}
	policy_free(pol);
	/* Every grant, and every request refused as malformed, is audited: a
	 * grant changes what the appliance lets out as surely as a reload. */
	d_body_approval(body, len, appr, sizeof(appr));
	d_running_hash(x, hash);
	if (id < 0) {
		d_body_text(body, len, detail, sizeof(detail) / 2);
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), " -> %.400s",
			 reply);
		d_audit(x, p, "grant", AUDIT_ERROR, detail, hash, hash, appr);
		d_error(c, reply);
		free(out);
		return;
	}
	snprintf(detail, sizeof(detail), "id=%ld %.900s", id, line);
	d_audit(x, p, "grant", AUDIT_OK, detail, hash, hash, appr);
	off = (size_t)snprintf(out, 8192, "{\"grant\":%s", reply);
	d_grant_push(x, PROTO_GRANT_ADD, line, out, 8192, &off);
	snprintf(out + off, 8192 - off, "}");
	fprintf(stderr, "aduanad: grant %ld: %s\n", id, line);
	proto_conn_send(c, PROTO_GRANT_ADD | PROTO_REPLY, out, strlen(out));
	free(out);
}

static void d_grant_del(struct d_ctx *x, struct proto_conn *c, const struct peer *p,
			const uint8_t *body, uint32_t len)
{
	char out[8192], reply[4096], idbuf[24], hash[AUDIT_HASH_HEX], detail[600];
	size_t off;
	long id;

	d_commit(x);
	id = grants_revoke(x->grants, (const char *)body, len, d_wall_ms() / 1000, d_peer_uid(c),
			   reply, sizeof(reply));
	d_running_hash(x, hash);
	if (id < 0) {
		d_body_text(body, len, detail, 64);
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), " -> %.400s",
			 reply);
		d_audit(x, p, "revoke", AUDIT_ERROR, detail, hash, hash, "");
		d_error(c, reply);
		return;
	}
	snprintf(detail, sizeof(detail), "id=%ld", id);
	d_audit(x, p, "revoke", AUDIT_OK, detail, hash, hash, "");
	snprintf(idbuf, sizeof(idbuf), "%ld", id);
	off = (size_t)snprintf(out, sizeof(out), "{\"grant\":%s", reply);
	d_grant_push(x, PROTO_GRANT_DEL, idbuf, out, sizeof(out), &off);
	snprintf(out + off, sizeof(out) - off, "}");
	fprintf(stderr, "aduanad: grant %ld revoked\n", id);
	proto_conn_send(c, PROTO_GRANT_DEL | PROTO_REPLY, out, strlen(out));
}

static void d_grant_list(struct d_ctx *x, struct proto_conn *c, const uint8_t *body, uint32_t len)
{
	char *out = malloc(PROTO_BODY_MAX);
	long n;

	if (!out) {
		d_error(c, "out of memory");
		return;
	}
	n = grants_list(x->grants, len == 5 && memcmp(body, "all=1", 5) == 0, d_wall_ms() / 1000,
			out, PROTO_BODY_MAX);
	if (n < 0)
		d_error(c, "grants: query failed");
	else
		proto_conn_send(c, PROTO_GRANT_LIST | PROTO_REPLY, out, (size_t)n);
	free(out);
}

/* Grants that ended: marked, and taken from the dataplane (which also
 * ends them by its own clock). */
static void d_grants_tick(struct d_ctx *x)
{
	uint32_t ids[64];
	unsigned n = grants_expire(x->grants, d_wall_ms() / 1000, ids, 64), i;

	for (i = 0; i < n; i++) {
		char idbuf[24], *reply = NULL;
		uint32_t rlen;
		uint8_t t;

		char detail[32], hash[AUDIT_HASH_HEX];

		snprintf(idbuf, sizeof(idbuf), "%u", ids[i]);
		fprintf(stderr, "aduanad: grant %u expired\n", ids[i]);
		snprintf(detail, sizeof(detail), "id=%u", ids[i]);
		d_running_hash(x, hash);
		d_audit(x, NULL, "expire", AUDIT_OK, detail, hash, hash, "");
		if (x->dp.fd >= 0 && d_dp_call(x, PROTO_GRANT_DEL, idbuf, &reply, &rlen, &t) == 0)
			free(reply);
	}
}

static void d_client_read(struct d_ctx *x, struct proto_conn *c)
{
	const struct peer *p = &x->peer[c - x->cl];
	const uint8_t *body;
	uint8_t type;
	uint32_t len;
	long n = proto_conn_read(c);
	int rc;

	while ((rc = proto_conn_next(c, &type, &body, &len)) == 1) {
		/* The role first: a refused request is not looked at further. */
		if (!d_allowed(x, c, p, type, body, len)) {
			proto_conn_pop(c, len);
			continue;
		}
		/* A change is made only when its entry can be written: with the
		 * log's disk full, reloads and grants went on unaudited. */
		if ((type == PROTO_RELOAD || type == PROTO_GRANT_ADD || type == PROTO_GRANT_DEL) &&
		    x->audit) {
			char why[PATH_MAX + 128], msg[PATH_MAX + 256], name[32];

			if (audit_room(x->audit, why, sizeof(why)) != 0) {
				snprintf(msg, sizeof(msg),
					 "%s: not done: the audit log cannot take its entry (%s)",
					 d_req_name(type, name, sizeof(name)), why);
				d_error(c, msg);
				fprintf(stderr, "aduanad: %s\n", msg);
				proto_conn_pop(c, len);
				continue;
			}
		}
		switch (type) {
		case PROTO_STATUS:
			d_status(x, c, p);
			break;
		case PROTO_FLOWS:
			d_commit(x); /* what was received is visible */
			d_flows(x, c, body, len);
			break;
		case PROTO_RELOAD:
			d_reload(x, c, p, body, len);
			break;
		case PROTO_REPORT:
			d_report(x, c, body, len);
			break;
		case PROTO_AUDIT:
			d_audit_show(x, c, body, len);
			break;
		case PROTO_GRANT_ADD:
			d_grant_add(x, c, p, body, len);
			break;
		case PROTO_GRANT_DEL:
			d_grant_del(x, c, p, body, len);
			break;
		case PROTO_GRANT_LIST:
			d_grant_list(x, c, body, len);
			break;
		default:
			d_error(c, "unknown request type");
		}
		proto_conn_pop(c, len);
	}
	if (rc < 0) {
		d_error(c, rc == -EPROTONOSUPPORT ? "unsupported protocol version (this is 1)"
			   : rc == -EMSGSIZE	  ? "frame too large"
						  : "not a frame (bad magic)");
		proto_conn_flush(c);
		proto_conn_close(c);
		return;
	}
	if (n < 0)
		proto_conn_close(c);
}

static int d_listen(const char *path, const char *group)
{
	struct group *gr = group[0] ? getgrnam(group) : NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* 0660, group socket_group: who may connect at all; what each caller
	 * may do is its role's (roles.h), checked on every request. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, 0660) != 0 ||
	    (group[0] && (!gr || chown(path, (uid_t)-1, gr->gr_gid) != 0)) || listen(fd, 16) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Turn a connection away with an error frame (best effort: the socket's
 * buffer takes it whole or not at all), then close it. */
static void d_turn_away(int fd, const char *msg)
{
	char b[512];
	size_t off = PROTO_HDR_SIZE;

	off += (size_t)snprintf(b + off, sizeof(b) - off, "{\"error\":");
	proto_json_str(b, sizeof(b), &off, msg);
	off += (size_t)snprintf(b + off, sizeof(b) - off, "}");
	if (off < sizeof(b)) {
		proto_hdr_write((uint8_t *)b, PROTO_ERROR, (uint32_t)(off - PROTO_HDR_SIZE));
		if (send(fd, b, off, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			/* nothing more to do: the close says it */
		}
	}
	close(fd);
}

/* A new caller: its role from the kernel's credentials, then a slot if the
 * limits allow (D_PER_UID, D_ADMIN_SLOTS). */
static void d_accept(struct d_ctx *x, int fd)
{
	struct peer p;
	unsigned used = 0, mine = 0;
	int i, free_slot = -1;
	char msg[256];

	if (roles_peer(&x->cf.roles, fd, &p) != 0) {
		close(fd);
		return;
	}
	for (i = 0; i < D_CLIENTS; i++) {
		if (x->cl[i].fd < 0) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		used++;
		if (x->peer[i].uid == p.uid)
			mine++;
	}
	msg[0] = '\0';
	if (free_slot < 0)
		snprintf(msg, sizeof(msg), "busy: all %d connections are in use", D_CLIENTS);
	else if (p.role < ROLE_ADMIN && mine >= D_PER_UID)
		snprintf(msg, sizeof(msg),
			 "busy: %.64s (uid %u) already holds %u connections, the most one caller "
			 "below admin may",
			 p.user, (unsigned)p.uid, mine);
	else if (p.role < ROLE_ADMIN && used >= D_CLIENTS - D_ADMIN_SLOTS)
		snprintf(msg, sizeof(msg),
			 "busy: %u connections in use; the last %d are kept for admins", used,
			 D_ADMIN_SLOTS);
	if (msg[0] || proto_conn_init(&x->cl[free_slot], fd, D_OUT_MAX) != 0) {
		if (msg[0])
			fprintf(stderr, "aduanad: %s\n", msg);
		d_turn_away(fd, msg[0] ? msg : "cannot serve this connection");
		if (free_slot >= 0)
			x->cl[free_slot].fd = -1;
		return;
	}
	x->peer[free_slot] = p;
}

static void d_loop(struct d_ctx *x)
{
	struct pollfd pfd[D_CLIENTS + 2];
	struct proto_conn *who[D_CLIENTS + 2];
	int n, i, k;

	while (!d_quit) {
		uint64_t now = d_now_ms();

		if (d_hup) {
			d_hup = 0;
			if (x->json)
				export_json_reopen(x->json);
		}
		d_dp_connect(x);
		if (x->batch_since && now - x->batch_since >= D_BATCH_MS)
			d_commit(x);
		if (now >= x->audit_head_at)
			d_audit_head(x, false);
		if (now >= x->retain_at) {
			int del;

			x->retain_at = now + D_RETAIN_MS;
			d_commit(x);
			d_grants_tick(x);
			del = store_retain(x->store, d_wall_ms(), x->cf.max_age_ms, x->cf.max_bytes,
					   D_RETAIN_ROWS);
			if (del > 0)
				x->n_retained += (uint64_t)del;
			if (x->ipfix)
				export_ipfix_flush(x->ipfix, d_wall_ms() / 1000);
		}
		n = 0;
		pfd[n] = (struct pollfd){.fd = x->lfd, .events = POLLIN};
		who[n++] = NULL;
		if (x->dp.fd >= 0) {
			if (proto_conn_flush(&x->dp) < 0) {
				d_dp_close(x, "write failed");
			} else {
				pfd[n] = (struct pollfd){.fd = x->dp.fd, .events = POLLIN};
				who[n++] = &x->dp;
			}
		}
		for (i = 0; i < D_CLIENTS; i++) {
			if (x->cl[i].fd < 0)
				continue;
			if (proto_conn_flush(&x->cl[i]) < 0) {
				proto_conn_close(&x->cl[i]);
				continue;
			}
			pfd[n] = (struct pollfd){
				.fd = x->cl[i].fd,
				.events = (short)(POLLIN | (x->cl[i].out_len ? POLLOUT : 0))};
			who[n++] = &x->cl[i];
		}
		if (poll(pfd, (nfds_t)n, x->batch_since ? 20 : 100) <= 0)
			continue;
		for (k = 0; k < n; k++) {
			if (!pfd[k].revents)
				continue;
			if (!who[k]) {
				int fd = accept4(x->lfd, NULL, NULL, SOCK_CLOEXEC);

				if (fd < 0)
					continue;
				d_accept(x, fd);
			} else if (who[k] == &x->dp) {
				d_dp_read(x);
			} else if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
				d_client_read(x, who[k]);
			}
		}
	}
}

/* --import: a flow log's lines, stored without a stream (no dedup). */
static int d_import(struct d_ctx *x, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		fprintf(stderr, "aduanad: --import %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (n <= 1)
			continue;
		d_ingest(x, NULL, ++x->n_imported, line, (size_t)n);
		if (store_pending(x->store) >= x->cf.batch)
			d_commit(x);
	}
	d_commit(x);
	free(line);
	if (f != stdin)
		fclose(f);
	fprintf(stderr,
		"aduanad: imported %" PRIu64 " records: %" PRIu64 " stored, %" PRIu64 " rejected\n",
		x->n_received, x->n_stored, x->n_bad);
	return x->n_bad || x->n_store_errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"import", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct d_ctx x;
	const char *conf = NULL, *import = NULL;
	char err[1024];
	int c, i, status = 1;

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'i':
			import = optarg;
			break;
		case 'h':
			d_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'aduanad --help'.\n");
			return 2;
		}
	}
	if (!conf || optind < argc) {
		fprintf(stderr, "aduanad: -c CONF is required. Try 'aduanad --help'.\n");
		return 2;
	}
	if (d_conf_load(conf, &x.cf, err, sizeof(err)) != 0) {
		fprintf(stderr, "aduanad: %s\n", err);
		return 2;
	}
	x.lfd = -1;
	x.dp.fd = -1;
	for (i = 0; i < D_CLIENTS; i++)
		x.cl[i].fd = -1;
	x.store = store_open(x.cf.store, err, sizeof(err));
	if (!x.store)
		goto out_err;
	x.grants = grants_open(x.store, err, sizeof(err));
	if (!x.grants)
		goto out_err;
	if (x.cf.json[0] && !(x.json = export_json_open(x.cf.json, x.cf.json_max, x.cf.json_keep,
							err, sizeof(err))))
		goto out_err;
	if (x.cf.syslog[0] &&
	    !(x.sys = export_syslog_open(x.cf.syslog, x.cf.facility, x.cf.pen, err, sizeof(err))))
		goto out_err;
	if (x.cf.n_collectors) {
		x.ipfix = export_ipfix_create(x.cf.pen, x.cf.domain, x.cf.refresh);
		if (!x.ipfix) {
			snprintf(err, sizeof(err), "out of memory");
			goto out_err;
		}
		for (i = 0; i < (int)x.cf.n_collectors; i++)
			if (export_ipfix_add(x.ipfix, x.cf.collectors[i], err, sizeof(err)) != 0)
				goto out_err;
		export_ipfix_flush(x.ipfix, d_wall_ms() / 1000);
	}
	signal(SIGPIPE, SIG_IGN);
	if (import) {
		status = d_import(&x, import);
		goto out;
	}
	x.audit = audit_open(x.cf.audit, err, sizeof(err));
	if (!x.audit)
		goto out_err;
	x.lfd = d_listen(x.cf.socket, x.cf.socket_group);
	if (x.lfd < 0) {
		snprintf(err, sizeof(err), "socket %s (group %s): %s", x.cf.socket,
			 x.cf.socket_group[0] ? x.cf.socket_group : "of the process",
			 strerror(-x.lfd));
		goto out_err;
	}
	signal(SIGINT, d_signal);
	signal(SIGTERM, d_signal);
	signal(SIGHUP, d_signal);
	fprintf(stderr, "aduanad: serving %s; dataplane %s; store %s\n", x.cf.socket,
		x.cf.dataplane, x.cf.store);
	d_loop(&x);
	d_commit(&x);
	status = 0;
	goto out;
out_err:
	fprintf(stderr, "aduanad: %s\n", err);
	status = x.store ? 1 : 2;
out:
	for (i = 0; i < D_CLIENTS; i++)
		if (x.cl[i].fd >= 0)
			proto_conn_close(&x.cl[i]);
	if (x.dp.fd >= 0)
		proto_conn_close(&x.dp);
	if (x.lfd >= 0) {
		close(x.lfd);
		unlink(x.cf.socket);
	}
	if (x.ipfix)
		export_ipfix_flush(x.ipfix, d_wall_ms() / 1000);
	export_ipfix_destroy(x.ipfix);
	export_syslog_close(x.sys);
	export_json_close(x.json);
	grants_close(x.grants);
	store_close(x.store);
	audit_close(x.audit);
	return status;
}
