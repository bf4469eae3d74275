/* aduanactl: the operators' tool. A table of commands, each with its help
 * text; every command but `check` talks to aduanad on its socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "classifier.h"
#include "config.h"
#include "flowrec.h"
#include "grant.h"
#include "policy.h"
#include "proto.h"

#define CTL_DEFAULT_SOCKET "/run/aduana/aduanad.sock"
#define CTL_TIMEOUT_MS	   60000

/* Exit statuses (README "Exit statuses"). */
enum {
	CTL_OK = 0,
	CTL_FAIL = 1,	 /* aduanad unreachable, a runtime failure */
	CTL_USAGE = 2,	 /* bad usage, a rejected config, an error answer */
	CTL_REFUSED = 3, /* the caller's role does not allow the request */
	CTL_BROKEN = 4,	 /* audit: the chain does not verify */
};

static const char *ctl_socket = CTL_DEFAULT_SOCKET;

struct ctl_cmd {
	const char *name;
	const char *synopsis;
	const char *help;
	int (*run)(int argc, char **argv);
};

static const struct ctl_cmd *ctl_find(const char *name);

static int ctl_help_cmd(const struct ctl_cmd *c, FILE *out)
{
	fprintf(out, "NAME\n    aduanactl %s\n\nSYNOPSIS\n    aduanactl [--socket PATH] %s\n\n%s",
		c->name, c->synopsis, c->help);
	return 0;
}

/* Common options: --json, --help. Returns the index of the first other
 * argument, or -1 after printing help (exit 0) / -2 on an error. */
static bool ctl_json;

static int ctl_call(uint8_t type, const char *body, size_t len, char **reply, uint32_t *rlen)
{
	uint8_t t;
	int fd = proto_connect(ctl_socket), rc;

	if (fd < 0) {
		fprintf(stderr, "aduanactl: cannot reach aduanad at %s: %s\n", ctl_socket,
			strerror(-fd));
		return 1;
	}
	rc = proto_call(fd, type, body, len, CTL_TIMEOUT_MS, &t, reply, rlen);
	close(fd);
	if (rc) {
		fprintf(stderr, "aduanactl: aduanad at %s: %s\n", ctl_socket, strerror(-rc));
		return 1;
	}
	if (t == PROTO_ERROR) {
		char msg[2048], refused[8];
		bool is_refusal = proto_json_get(*reply, *rlen, "refused", refused, sizeof(refused),
						 NULL) == 0 &&
				  strcmp(refused, "true") == 0;

		if (proto_json_get(*reply, *rlen, "error", msg, sizeof(msg), NULL) != 0)
			snprintf(msg, sizeof(msg), "%.*s", (int)*rlen, *reply);
		if (ctl_json)
			printf("%s\n", *reply);
		else
			fprintf(stderr, "aduanactl: %s\n", msg);
		free(*reply);
		*reply = NULL;
		return is_refusal ? CTL_REFUSED : CTL_USAGE;
	}
	if (t != (type | PROTO_REPLY)) {
		fprintf(stderr, "aduanactl: unexpected answer type 0x%02x\n", t);
		free(*reply);
		*reply = NULL;
		return 1;
	}
	return 0;
}

/* Parse the options of a command: the shared ones plus extra (a getopt
 * long table, may be NULL). Calls on_opt for each extra. */
static int ctl_opts(const struct ctl_cmd *c, int argc, char **argv, const struct option *extra,
		    int (*on_opt)(int opt, const char *arg, void *a), void *a)
{
	struct option all[16];
	int n = 0, opt;

	all[n++] = (struct option){"json", no_argument, NULL, 'j'};
	all[n++] = (struct option){"help", no_argument, NULL, 'h'};
	for (; extra && extra->name && n < 15; extra++)
		all[n++] = *extra;
	all[n] = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+h", all, NULL)) != -1) {
		if (opt == 'j') {
			ctl_json = true;
		} else if (opt == 'h') {
			ctl_help_cmd(c, stdout);
			return -1;
		} else if (opt == '?' || !on_opt || on_opt(opt, optarg, a) != 0) {
			fprintf(stderr, "Try 'aduanactl %s --help'.\n", c->name);
			return -2;
		}
	}
	return optind;
}

#define CTL_OPTS(c, extra, fn, a)                                                                  \
	int first_ = ctl_opts(c, argc, argv, extra, fn, a);                                        \
	if (first_ == -1)                                                                          \
		return 0;                                                                          \
	if (first_ < 0)                                                                            \
	return 2

/* --- check --- */

static int ctl_check(int argc, char **argv)
{
	const struct ctl_cmd *c = ctl_find("check");
	struct cls_engine *e;
	struct policy *p;
	char err[1024];
	size_t off = 0;
	char out[2048];

	CTL_OPTS(c, NULL, NULL, NULL);
	if (argc - first_ != 1) {
		fprintf(stderr,
			"aduanactl check: expected one CONF. Try 'aduanactl check --help'.\n");
		return 2;
	}
	p = config_load(argv[first_], 0, err, sizeof(err));
	e = p ? cls_engine_create(p->classes_path, p->lists_path, err, sizeof(err)) : NULL;
	if (!e) {
		if (ctl_json) {
			off = (size_t)snprintf(out, sizeof(out), "{\"ok\":false,\"error\":");
			proto_json_str(out, sizeof(out), &off, err);
			printf("%s}\n", out);
		} else {
			fprintf(stderr, "%s\n", err);
		}
		policy_free(p);
		return 2;
	}
	if (ctl_json) {
		off = (size_t)snprintf(out, sizeof(out), "{\"ok\":true,\"file\":");
		proto_json_str(out, sizeof(out), &off, argv[first_]);
		printf("%s,\"zones\":%u,\"profiles\":%u,\"endpoints\":%u,\"sha256\":\"%s\"}\n", out,
		       p->n_zones, p->n_profiles, p->n_endpoints, p->hash);
	} else {
		printf("%s: ok: %u zones, %u profiles, %u endpoints; sha256 %s\n", argv[first_],
		       p->n_zones, p->n_profiles, p->n_endpoints, p->hash);
	}
	cls_engine_destroy(e);
	policy_free(p);
	return 0;
}

/* --- status --- */

static int ctl_status(int argc, char **argv)
{
	const struct ctl_cmd *c = ctl_find("status");
	char *reply, key[64], val[512];
	uint32_t len;
	size_t pos = 0;
	int rc;

	CTL_OPTS(c, NULL, NULL, NULL);
	if (argc > first_) {
		fprintf(stderr, "aduanactl status: no arguments. Try 'aduanactl status --help'.\n");
		return 2;
	}
	rc = ctl_call(PROTO_STATUS, NULL, 0, &reply, &len);
	if (rc)
		return rc;
	if (ctl_json) {
		printf("%s\n", reply);
	} else {
		printf("%-32s %s\n", "COUNTER", "VALUE");
		while (proto_json_next(reply, len, &pos, key, sizeof(key), val, sizeof(val),
				       NULL) == 1)
			printf("%-32s %s\n", key, val);
	}
	free(reply);
	return 0;
}

/* --- flows --- */

struct ctl_flows_opts {
	char body[2048];
	size_t off;
	bool bad;
	bool open;
};

/* "30s", "15m", "2h", "7d", or an RFC 3339 UTC time. */
static int ctl_since(const char *s, uint64_t *ms)
{
	struct timespec now;
	char *end;
	double v;
	uint64_t mult;

	if (flowrec_time(s, ms) == 0)
		return 0;
	v = strtod(s, &end);
	if (end == s || v < 0)
		return -EINVAL;
	switch (*end) {
	case 's':
		mult = 1000;
		break;
	case 'm':
		mult = 60000;
		break;
	case 'h':
		mult = 3600000;
		break;
	case 'd':
		mult = 86400000;
		break;
	default:
		return -EINVAL;
	}
	if (end[1])
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	*ms = (uint64_t)now.tv_sec * 1000u - (uint64_t)(v * (double)mult);
	return 0;
}

static int ctl_flows_opt(int opt, const char *arg, void *a)
{
	static const char *const keys[] = {"zone", "verdict", "host", "class", "since_ms", "limit"};
	struct ctl_flows_opts *o = a;
	uint64_t ms;
	char num[32];

	if (opt == 7) {
		o->open = true;
		return 0;
	}
	if (opt < 1 || opt > 6)
		return -1;
	if (strchr(arg, '\n'))
		return -1;
	if (opt == 5) {
		if (ctl_since(arg, &ms) != 0) {
			fprintf(stderr, "aduanactl flows: --since: expected 30s, 15m, 2h, 7d or an "
					"RFC 3339 UTC time\n");
			return -1;
		}
		snprintf(num, sizeof(num), "%" PRIu64, ms);
		arg = num;
	}
	if (opt == 6 && (atoi(arg) < 1 || atoi(arg) > 100000)) {
		fprintf(stderr, "aduanactl flows: --limit: expected 1..100000\n");
		return -1;
	}
	if (opt == 2 && strcmp(arg, "allow") != 0 && strcmp(arg, "drop") != 0 &&
	    strcmp(arg, "pending") != 0) {
		fprintf(stderr, "aduanactl flows: --verdict: expected allow, drop or pending "
				"(pending: --open only)\n");
		return -1;
	}
	o->off += (size_t)snprintf(o->body + o->off, sizeof(o->body) - o->off, "%s=%s\n",
				   keys[opt - 1], arg);
	return o->off < sizeof(o->body) ? 0 : -1;
}

static int ctl_flows(int argc, char **argv)
{
	static const struct option extra[] = {
		{"zone", required_argument, NULL, 1},
		{"verdict", required_argument, NULL, 2},
		{"host", required_argument, NULL, 3},
		{"class", required_argument, NULL, 4},
		{"since", required_argument, NULL, 5},
		{"limit", required_argument, NULL, 6},
		{"open", no_argument, NULL, 7},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("flows");
	struct ctl_flows_opts o = {0};
	char *reply, *line, *save = NULL;
	uint32_t len;
	int rc;

	CTL_OPTS(c, extra, ctl_flows_opt, &o);
	if (argc > first_) {
		fprintf(stderr, "aduanactl flows: unexpected '%s'. Try 'aduanactl flows --help'.\n",
			argv[first_]);
		return 2;
	}
	if (o.open) {
		/* aduanad forwards the filters to the dataplane's open-flow dump */
		if (o.off + 7 >= sizeof(o.body))
			return 2;
		memmove(o.body + 7, o.body, o.off);
		memcpy(o.body, "open=1\n", 7);
		o.off += 7;
	}
	rc = ctl_call(PROTO_FLOWS, o.body, o.off, &reply, &len);
	if (rc)
		return rc;
	if (o.open) {
		/* The first line sums the dump up: to stderr, so that stdout
		 * stays flow records only. */
		char *nl = memchr(reply, '\n', len);
		size_t hl = nl ? (size_t)(nl - reply) + 1 : len;
		struct {
			unsigned long long open, matched;
			unsigned shown, unanswered;
		} h = {0};
		const char *p;

		if ((p = strstr(reply, "\"open_flows\":")) && p < reply + hl)
			h.open = strtoull(p + 13, NULL, 10);
		if ((p = strstr(reply, "\"matched\":")) && p < reply + hl)
			h.matched = strtoull(p + 10, NULL, 10);
		if ((p = strstr(reply, "\"shown\":")) && p < reply + hl)
			h.shown = (unsigned)strtoul(p + 8, NULL, 10);
		if ((p = strstr(reply, "\"workers_unanswered\":")) && p < reply + hl)
			h.unanswered = (unsigned)strtoul(p + 21, NULL, 10);
		fprintf(stderr, "aduanactl flows: %llu open flows, %llu matched, %u shown%s\n",
			h.open, h.matched, h.shown,
			h.unanswered ? " (some workers did not answer in time)" : "");
		memmove(reply, reply + hl, len - hl);
		len -= (uint32_t)hl;
		reply[len] = '\0';
	}
	if (ctl_json) {
		fwrite(reply, 1, len, stdout);
	} else {
		printf("%-24s %-8s %-5s %-40s %-40s %-20s %-14s %-7s %s\n", "END", "ZONE", "PROTO",
		       "SOURCE", "DESTINATION", "APP", "CLASS", "VERDICT", "REASON");
		for (line = strtok_r(reply, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct flowrec r;
			char err[64], a[64], b[64];

			if (flowrec_parse(line, strlen(line), &r, err, sizeof(err)) != 0)
				continue;
			snprintf(a, sizeof(a), r.family == 6 ? "[%s]:%u" : "%s:%u", r.src_s,
				 r.sport);
			snprintf(b, sizeof(b), r.family == 6 ? "[%s]:%u" : "%s:%u", r.dst_s,
				 r.dport);
			printf("%-24s %-8s %-5s %-40s %-40s %-20s %-14s %-7s %s\n", r.ts_end,
			       r.zone, r.proto, a, b, r.app, r.has_cls ? r.cls : "-", r.verdict,
			       r.reason);
		}
	}
	free(reply);
	return 0;
}

/* --- reload --- */

static int ctl_approval_opt(int opt, const char *arg, void *a)
{
	if (opt != 1 || !arg[0] || strlen(arg) > 200 || strchr(arg, '\n')) {
		fprintf(stderr, "aduanactl: --approval: expected a reference of 1..200 characters "
				"on one line\n");
		return -1;
	}
	*(const char **)a = arg;
	return 0;
}

static int ctl_reload(int argc, char **argv)
{
	static const struct option extra[] = {
		{"approval", required_argument, NULL, 1},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("reload");
	char *reply, abs[4096], v[256], body[4400];
	const char *path = "", *approval = NULL;
	uint32_t len;
	int rc;

	CTL_OPTS(c, extra, ctl_approval_opt, &approval);
	if (argc - first_ > 1) {
		fprintf(stderr,
			"aduanactl reload: at most one CONF. Try 'aduanactl reload --help'.\n");
		return 2;
	}
	if (argc - first_ == 1) {
		/* aduanad resolves paths in its own directory: send ours whole. */
		if (!realpath(argv[first_], abs)) {
			fprintf(stderr, "aduanactl reload: %s: %s\n", argv[first_],
				strerror(errno));
			return 2;
		}
		path = abs;
	}
	if (strchr(path, '\n')) {
		fprintf(stderr, "aduanactl reload: a path with a newline is not supported\n");
		return 2;
	}
	snprintf(body, sizeof(body), "%s%s%s", path, approval ? "\napproval=" : "",
		 approval ? approval : "");
	rc = ctl_call(PROTO_RELOAD, body, strlen(body), &reply, &len);
	if (rc)
		return rc;
	if (ctl_json) {
		printf("%s\n", reply);
	} else {
		char ver[32], prev[32], rej[32], rcu[32], restart[256];

		proto_json_get(reply, len, "policy_version", ver, sizeof(ver), NULL);
		proto_json_get(reply, len, "previous_version", prev, sizeof(prev), NULL);
		proto_json_get(reply, len, "policy_hash", v, sizeof(v), NULL);
		proto_json_get(reply, len, "flows_to_rejudge", rej, sizeof(rej), NULL);
		proto_json_get(reply, len, "rcu_wait_us", rcu, sizeof(rcu), NULL);
		if (proto_json_get(reply, len, "restart_needed", restart, sizeof(restart), NULL))
			restart[0] = '\0';
		printf("reloaded: policy version %s -> %s, sha256 %s\n"
		       "open flows to be re-judged at their next packet: %s\n"
		       "workers quiescent after %s us\n",
		       prev, ver, v, rej, rcu);
		if (strcmp(restart, "[]") != 0 && restart[0])
			printf("not applied until a restart: %s\n", restart);
	}
	free(reply);
	return 0;
}


/* --- grants --- */

struct ctl_grant_opts {
	char body[4096];
	size_t off;
	bool all;
};

static int ctl_grant_opt(int opt, const char *arg, void *a)
{
	static const char *const keys[] = {"src", "dst", "for", "approval", "reason"};
	struct ctl_grant_opts *o = a;

	if (opt == 6) {
		o->all = true;
		return 0;
	}
	if (opt < 1 || opt > 5)
		return -1;
	if (strchr(arg, '\n')) {
		fprintf(stderr, "aduanactl grant: --%s: no newlines\n", keys[opt - 1]);
		return -1;
	}
	o->off += (size_t)snprintf(o->body + o->off, sizeof(o->body) - o->off, "%s=%s\n",
				   keys[opt - 1], arg);
	if (o->off >= sizeof(o->body)) {
		fprintf(stderr, "aduanactl grant: request too long\n");
		return -1;
	}
	return 0;
}

/* One grant object (aduanad's JSON) as a table row. */
static void ctl_grant_row(const char *obj, size_t len)
{
	char id[16], src[80], dst[96], until[32], state[16], appr[80], reason[256];

	if (proto_json_get(obj, len, "id", id, sizeof(id), NULL) != 0)
		return;
	proto_json_get(obj, len, "src", src, sizeof(src), NULL);
	proto_json_get(obj, len, "dst", dst, sizeof(dst), NULL);
	proto_json_get(obj, len, "until", until, sizeof(until), NULL);
	proto_json_get(obj, len, "state", state, sizeof(state), NULL);
	proto_json_get(obj, len, "approval", appr, sizeof(appr), NULL);
	if (proto_json_get(obj, len, "reason", reason, sizeof(reason), NULL) != 0 ||
	    strcmp(reason, "null") == 0)
		snprintf(reason, sizeof(reason), "-");
	printf("%-6s %-20s %-36s %-21s %-8s %-24s %s\n", id, src, dst, until, state, appr, reason);
}

static int ctl_grant(int argc, char **argv)
{
	static const struct option extra[] = {
		{"src", required_argument, NULL, 1},	  {"dst", required_argument, NULL, 2},
		{"for", required_argument, NULL, 3},	  {"approval", required_argument, NULL, 4},
		{"reason", required_argument, NULL, 5}, {NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("grant");
	struct ctl_grant_opts o = {0};
	char *reply, obj[4096], dp[600];
	uint32_t len;
	int rc;

	CTL_OPTS(c, extra, ctl_grant_opt, &o);
	if (argc > first_) {
		fprintf(stderr, "aduanactl grant: unexpected '%s'. Try 'aduanactl grant --help'.\n",
			argv[first_]);
		return 2;
	}
	rc = ctl_call(PROTO_GRANT_ADD, o.body, o.off, &reply, &len);
	if (rc)
		return rc;
	if (ctl_json) {
		printf("%.*s\n", (int)len, reply);
	} else if (proto_json_get(reply, len, "grant", obj, sizeof(obj), NULL) == 0) {
		char id[16], src[80], dst[96], until[32], appr[80];

		proto_json_get(obj, strlen(obj), "id", id, sizeof(id), NULL);
		proto_json_get(obj, strlen(obj), "src", src, sizeof(src), NULL);
		proto_json_get(obj, strlen(obj), "dst", dst, sizeof(dst), NULL);
		proto_json_get(obj, strlen(obj), "until", until, sizeof(until), NULL);
		proto_json_get(obj, strlen(obj), "approval", appr, sizeof(appr), NULL);
		if (proto_json_get(reply, len, "dataplane", dp, sizeof(dp), NULL) != 0)
			snprintf(dp, sizeof(dp), "?");
		printf("grant %s: %s -> %s until %s (approval %s)\ndataplane: %s\n", id, src, dst,
		       until, appr, dp);
	}
	free(reply);
	return 0;
}

static int ctl_grants(int argc, char **argv)
{
	static const struct option extra[] = {
		{"all", no_argument, NULL, 6},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("grants");
	struct ctl_grant_opts o = {0};
	char *reply, *line, *save = NULL;
	uint32_t len;
	int rc;

	CTL_OPTS(c, extra, ctl_grant_opt, &o);
	if (argc > first_) {
		fprintf(stderr, "aduanactl grants: no arguments. Try 'aduanactl grants --help'.\n");
		return 2;
	}
	rc = ctl_call(PROTO_GRANT_LIST, o.all ? "all=1" : "", o.all ? 5 : 0, &reply, &len);
	if (rc)
		return rc;
	if (ctl_json) {
		fwrite(reply, 1, len, stdout);
	} else {
		printf("%-6s %-20s %-36s %-21s %-8s %-24s %s\n", "ID", "SRC", "DST", "UNTIL", "STATE",
		       "APPROVAL", "REASON");
		for (line = strtok_r(reply, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			ctl_grant_row(line, strlen(line));
	}
	free(reply);
	return 0;
}

static int ctl_revoke(int argc, char **argv)
{
	const struct ctl_cmd *c = ctl_find("revoke");
	char *reply, dp[600];
	uint32_t len;
	int rc;

	CTL_OPTS(c, NULL, NULL, NULL);
	if (argc - first_ != 1) {
		fprintf(stderr, "aduanactl revoke: expected one grant ID. Try 'aduanactl revoke "
				"--help'.\n");
		return 2;
	}
	rc = ctl_call(PROTO_GRANT_DEL, argv[first_], strlen(argv[first_]), &reply, &len);
	if (rc)
		return rc;
	if (ctl_json) {
		printf("%.*s\n", (int)len, reply);
	} else {
		if (proto_json_get(reply, len, "dataplane", dp, sizeof(dp), NULL) != 0)
			snprintf(dp, sizeof(dp), "?");
		printf("grant %s revoked; its open flows are cut at their next packet\n"
		       "dataplane: %s\n",
		       argv[first_], dp);
	}
	free(reply);
	return 0;
}

/* --- simulate --- */

struct ctl_sim_opts {
	const char *pcap, *running, *aduana;
};

static int ctl_sim_opt(int opt, const char *arg, void *a)
{
	struct ctl_sim_opts *o = a;

	if (opt == 1)
		o->pcap = arg;
	else if (opt == 2)
		o->running = arg;
	else if (opt == 3)
		o->aduana = arg;
	else
		return -1;
	return 0;
}

/* The dataplane binary: --aduana, $ADUANA_BIN, beside aduanactl (a build
 * tree), or the installed one. */
static int ctl_sim_binary(const char *opt, char *out, size_t size)
{
	static const char *const std[] = {"/usr/sbin/aduana", "/usr/local/sbin/aduana"};
	char self[PATH_MAX - 32];
	ssize_t n;
	unsigned i;

	if (opt || getenv("ADUANA_BIN")) {
		snprintf(out, size, "%s", opt ? opt : getenv("ADUANA_BIN"));
		return access(out, X_OK) == 0 ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, size, "%s/aduana", self);
			if (access(out, X_OK) == 0)
				return 0;
			snprintf(out, size, "%s/../sbin/aduana", self);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	for (i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
		snprintf(out, size, "%s", std[i]);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* One offline replay: the dataplane's own --replay, one worker, records to
 * log. Returns 0, or 1 with its error output on stderr. */
static int ctl_sim_replay(const char *bin, const char *pcap, const char *conf, const char *log,
			  const char *errfile)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR), ef = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (devnull < 0 || ef < 0)
			_exit(127);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(ef, 2);
		execl(bin, bin, "--replay", pcap, "-c", conf, "--flow-log", log, "--workers", "1",
		      "-q", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		FILE *f = fopen(errfile, "r");
		char line[512];

		fprintf(stderr, "aduanactl simulate: the replay of %s through %s failed:\n", pcap,
			conf);
		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "  %s", line);
		if (f)
			fclose(f);
		return 1;
	}
	return 0;
}

struct ctl_sim_rec {
	char key[200];
	struct flowrec r;
	char *line;
};

static int ctl_sim_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ctl_sim_rec *)a)->key, ((const struct ctl_sim_rec *)b)->key);
}

/* A flow log's records, sorted by flow (5-tuple and start). */
static struct ctl_sim_rec *ctl_sim_load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct ctl_sim_rec *v = NULL;
	size_t cap = 0, cnt = 0, lcap = 0;
	char *line = NULL, err[128];
	ssize_t len;

	if (!f)
		return NULL;
	while ((len = getline(&line, &lcap, f)) > 0) {
		struct ctl_sim_rec *r;

		if (cnt == cap) {
			struct ctl_sim_rec *t = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (!t)
				break;
			v = t;
		}
		r = &v[cnt];
		if (flowrec_parse(line, (size_t)len, &r->r, err, sizeof(err)) != 0)
			continue;
		snprintf(r->key, sizeof(r->key), "%s|%s|%u|%s|%u|%s", r->r.proto, r->r.src_s,
			 r->r.sport, r->r.dst_s, r->r.dport, r->r.ts_start);
		r->line = strndup(line, (size_t)len);
		cnt++;
	}
	free(line);
	fclose(f);
	if (v)
		qsort(v, cnt, sizeof(*v), ctl_sim_cmp);
	*n = cnt;
	if (!v)
		v = calloc(1, sizeof(*v));
	return v;
}

static void ctl_sim_print(const struct ctl_sim_rec *a, const struct ctl_sim_rec *b)
{
	const struct flowrec *r = a ? &a->r : &b->r;
	char flow[160];

	if (ctl_json) {
		char out[2048];
		size_t off = 0;

		off += (size_t)snprintf(out, sizeof(out), "{\"proto\":\"%s\",\"src\":\"%s\",\"sport\":%u,"
					"\"dst\":\"%s\",\"dport\":%u,\"ts_start\":\"%s\",\"zone\":",
					r->proto, r->src_s, r->sport, r->dst_s, r->dport, r->ts_start);
		proto_json_str(out, sizeof(out), &off, r->zone);
		off += (size_t)snprintf(out + off, sizeof(out) - off, ",\"app\":");
		proto_json_str(out, sizeof(out), &off, r->app);
		off += (size_t)snprintf(out + off, sizeof(out) - off, ",\"class\":");
		proto_json_str(out, sizeof(out), &off, r->has_cls ? r->cls : NULL);
		off += (size_t)snprintf(out + off, sizeof(out) - off, ",\"sni\":");
		proto_json_str(out, sizeof(out), &off, r->has_sni ? r->sni : NULL);
		off += (size_t)snprintf(out + off, sizeof(out) - off, ",\"host\":");
		proto_json_str(out, sizeof(out), &off, r->has_host ? r->host : NULL);
		off += (size_t)snprintf(out + off, sizeof(out) - off, ",\"running\":");
		if (a) {
			off += (size_t)snprintf(out + off, sizeof(out) - off,
						"{\"verdict\":\"%s\",\"reason\":", a->r.verdict);
			proto_json_str(out, sizeof(out), &off, a->r.reason);
			off += (size_t)snprintf(out + off, sizeof(out) - off, "}");
		} else {
			off += (size_t)snprintf(out + off, sizeof(out) - off, "null");
		}
		off += (size_t)snprintf(out + off, sizeof(out) - off, ",\"candidate\":");
		if (b) {
			off += (size_t)snprintf(out + off, sizeof(out) - off,
						"{\"verdict\":\"%s\",\"reason\":", b->r.verdict);
			proto_json_str(out, sizeof(out), &off, b->r.reason);
			off += (size_t)snprintf(out + off, sizeof(out) - off, "}");
		} else {
			off += (size_t)snprintf(out + off, sizeof(out) - off, "null");
		}
		printf("%s}\n", out);
		return;
	}
	snprintf(flow, sizeof(flow), r->family == 6 ? "%s [%s]:%u -> [%s]:%u" : "%s %s:%u -> %s:%u",
		 r->proto, r->src_s, r->sport, r->dst_s, r->dport);
	printf("%-26s %-52s %-8s %-20s %-14s %-5s %-26s %-5s %s\n", r->ts_start, flow, r->zone,
	       r->app, r->has_cls ? r->cls : "-", a ? a->r.verdict : "-", a ? a->r.reason : "-",
	       b ? b->r.verdict : "-", b ? b->r.reason : "-");
}

static int ctl_simulate(int argc, char **argv)
{
	static const struct option extra[] = {
		{"pcap", required_argument, NULL, 1},
		{"running", required_argument, NULL, 2},
		{"aduana", required_argument, NULL, 3},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("simulate");
	struct ctl_sim_opts o = {0};
	char running[PATH_MAX], cand[PATH_MAX], bin[PATH_MAX], dir[] = "/tmp/aduana-simulate-XXXXXX",
							       la[PATH_MAX + 16], lb[PATH_MAX + 16],
							       ea[PATH_MAX + 16], pcap_err[PCAP_ERRBUF_SIZE];
	char err[1024], hash[80] = "";
	struct ctl_sim_rec *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	unsigned changed = 0, a2d = 0, d2a = 0, other = 0;
	struct policy *p;
	pcap_t *pc;
	int rc = 1;

	CTL_OPTS(c, extra, ctl_sim_opt, &o);
	if (!o.pcap || argc - first_ > 1) {
		fprintf(stderr, "aduanactl simulate: expected --pcap FILE [CONF]. Try 'aduanactl "
				"simulate --help'.\n");
		return 2;
	}
	/* The capture: readable, and a capture. */
	pc = pcap_open_offline(o.pcap, pcap_err);
	if (!pc) {
		fprintf(stderr, "aduanactl simulate: --pcap %s: %s\n", o.pcap, pcap_err);
		return 2;
	}
	pcap_close(pc);
	/* The running policy: the file the dataplane enforces (its status
	 * names it), unless --running says otherwise. */
	if (o.running) {
		snprintf(running, sizeof(running), "%s", o.running);
	} else {
		char *reply;
		uint32_t len;
		bool json = ctl_json;

		ctl_json = false;
		rc = ctl_call(PROTO_STATUS, NULL, 0, &reply, &len);
		ctl_json = json;
		if (rc) {
			fprintf(stderr, "aduanactl simulate: the running policy is aduanad's to tell "
					"(or give --running CONF)\n");
			return rc;
		}
		if (proto_json_get(reply, len, "dp_policy_source", running, sizeof(running),
				   NULL) != 0) {
			fprintf(stderr, "aduanactl simulate: the dataplane is not running, so there "
					"is no running policy; give --running CONF\n");
			free(reply);
			return 1;
		}
		proto_json_get(reply, len, "dp_policy_hash", hash, sizeof(hash), NULL);
		free(reply);
	}
	snprintf(cand, sizeof(cand), "%s", argc - first_ == 1 ? argv[first_] : running);
	/* Both must load (every error names FILE:LINE), and the class map and
	 * lists compile, before anything runs. */
	for (int k = 0; k < 2; k++) {
		const char *path = k ? cand : running;
		struct cls_engine *e;

		p = config_load(path, 0, err, sizeof(err));
		e = p ? cls_engine_create(p->classes_path, p->lists_path, err, sizeof(err)) : NULL;
		if (!e) {
			fprintf(stderr, "aduanactl simulate: %s\n", err);
			policy_free(p);
			return 2;
		}
		if (!k && hash[0] && strcmp(hash, p->hash) != 0)
			fprintf(stderr,
				"aduanactl simulate: note: %s changed since the dataplane loaded it; "
				"the running side replays the file as it is now\n",
				path);
		cls_engine_destroy(e);
		policy_free(p);
	}
	if (ctl_sim_binary(o.aduana, bin, sizeof(bin)) != 0) {
		fprintf(stderr, "aduanactl simulate: cannot find the aduana binary (--aduana PATH or "
				"$ADUANA_BIN)\n");
		return 1;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "aduanactl simulate: %s\n", strerror(errno));
		return 1;
	}
	snprintf(la, sizeof(la), "%s/running.jsonl", dir);
	snprintf(lb, sizeof(lb), "%s/candidate.jsonl", dir);
	snprintf(ea, sizeof(ea), "%s/stderr", dir);
	/* The running dataplane is not touched: each side is an offline
	 * replay of its own. */
	if (ctl_sim_replay(bin, o.pcap, running, la, ea) || ctl_sim_replay(bin, o.pcap, cand, lb, ea))
		goto out;
	ra = ctl_sim_load(la, &na);
	rb = ctl_sim_load(lb, &nb);
	if (!ra || !rb) {
		fprintf(stderr, "aduanactl simulate: cannot read the replays' flow logs\n");
		goto out;
	}
	if (!ctl_json)
		printf("%-26s %-52s %-8s %-20s %-14s %-32s %s\n", "START", "FLOW", "ZONE", "APP",
		       "CLASS", "RUNNING", "CANDIDATE");
	while (i < na || j < nb) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(ra[i].key, rb[j].key);

		if (cmp == 0) {
			if (strcmp(ra[i].r.verdict, rb[j].r.verdict) != 0) {
				ctl_sim_print(&ra[i], &rb[j]);
				changed++;
				if (strcmp(ra[i].r.verdict, "allow") == 0)
					a2d++;
				else
					d2a++;
			}
			i++;
			j++;
		} else if (cmp < 0) {
			ctl_sim_print(&ra[i++], NULL);
			other++;
		} else {
			ctl_sim_print(NULL, &rb[j++]);
			other++;
		}
	}
	if (!ctl_json)
		printf("%zu flows replayed; %u would change verdict (%u allow -> drop, %u drop -> "
		       "allow)%s\nrunning: %s\ncandidate: %s\n",
		       na, changed, a2d, d2a,
		       other ? "; records present on one side only are listed with '-'" : "",
		       running, cand);
	rc = 0;
out:
	for (i = 0; ra && i < na; i++)
		free(ra[i].line);
	for (i = 0; rb && i < nb; i++)
		free(rb[i].line);
	free(ra);
	free(rb);
	unlink(la);
	unlink(lb);
	unlink(ea);
	rmdir(dir);
	return rc;
}

/* --- audit --- */

/* Terminal-safe: control characters from the logs (an SNI is chosen by
 * whoever sent it) never reach the terminal as such. */
static const char *ctl_safe(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 1 < size; in++)
		out[o++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
	out[o] = '\0';
	return out;
}

struct ctl_since_opt {
	uint64_t since_ms;
	const char *file, *zone, *html;
};

static int ctl_since_opt(int opt, const char *arg, void *a)
{
	struct ctl_since_opt *o = a;

	switch (opt) {
	case 1:
		if (ctl_since(arg, &o->since_ms) != 0) {
			fprintf(stderr,
				"aduanactl: --since: expected 30s, 15m, 2h, 7d or an RFC 3339 "
				"UTC time\n");
			return -1;
		}
		return 0;
	case 2:
		o->file = arg;
		return 0;
	case 3:
		if (!arg[0] || strchr(arg, '\n') || strlen(arg) > 79) {
			fprintf(stderr, "aduanactl: --zone: expected a zone name\n");
			return -1;
		}
		o->zone = arg;
		return 0;
	case 4:
		o->html = arg;
		return 0;
	}
	return -1;
}

struct ctl_lines {
	char *buf;
	size_t len, cap;
	uint64_t n;
	uint64_t since_ms;
};

static int ctl_lines_cb(void *arg, const char *line, size_t len, uint64_t ms)
{
	struct ctl_lines *l = arg;

	if (ms < l->since_ms)
		return 0;
	if (l->len + len + 1 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;
		char *nb;

		while (cap < l->len + len + 1)
			cap *= 2;
		nb = realloc(l->buf, cap);
		if (!nb)
			return 1;
		l->buf = nb;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, line, len);
	l->buf[l->len + len] = '\n';
	l->len += len + 1;
	l->n++;
	return 0;
}

static void ctl_audit_row(const char *line, size_t len)
{
	char seq[24] = "?", tm[40] = "?", who[512] = "", user[80] = "?", uid[16] = "-",
	     role[16] = "?", act[64] = "?", res[16] = "?", appr[256] = "", det[2048] = "", s1[80],
	     s2[256], s3[2048], s4[80];

	proto_json_get(line, len, "seq", seq, sizeof(seq), NULL);
	proto_json_get(line, len, "time", tm, sizeof(tm), NULL);
	if (proto_json_get(line, len, "who", who, sizeof(who), NULL) == 0) {
		proto_json_get(who, strlen(who), "user", user, sizeof(user), NULL);
		proto_json_get(who, strlen(who), "uid", uid, sizeof(uid), NULL);
		proto_json_get(who, strlen(who), "role", role, sizeof(role), NULL);
	}
	proto_json_get(line, len, "action", act, sizeof(act), NULL);
	proto_json_get(line, len, "result", res, sizeof(res), NULL);
	if (proto_json_get(line, len, "approval", appr, sizeof(appr), NULL) ||
	    !strcmp(appr, "null"))
		snprintf(appr, sizeof(appr), "-");
	proto_json_get(line, len, "detail", det, sizeof(det), NULL);
	snprintf(who, sizeof(who), "%s(%s)", ctl_safe(user, s1, sizeof(s1)), uid);
	printf("%-6s %-27s %-20s %-8s %-10s %-8s %-16s %s\n", seq, tm, who, role,
	       ctl_safe(act, s4, sizeof(s4)), res, ctl_safe(appr, s2, sizeof(s2)),
	       ctl_safe(det, s3, sizeof(s3)));
}

static int ctl_audit(int argc, char **argv)
{
	static const struct option extra[] = {
		{"since", required_argument, NULL, 1},
		{"file", required_argument, NULL, 2},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("audit");
	struct ctl_since_opt o = {0};
	char *reply = NULL, *entries, *line, *save = NULL, ok[8] = "false", why[512] = "",
	     head[80] = "", hs[24] = "0", bs[24] = "0", n[24] = "0", w[512];
	uint32_t len;
	size_t mlen;
	int rc;
	char body[64];

	CTL_OPTS(c, extra, ctl_since_opt, &o);
	if (argc > first_) {
		fprintf(stderr, "aduanactl audit: unexpected '%s'. Try 'aduanactl audit --help'.\n",
			argv[first_]);
		return 2;
	}
	if (o.file) {
		/* A copy, checked here: no daemon, no daemon head. */
		struct ctl_lines l = {.since_ms = o.since_ms};
		struct audit_verify v;
		size_t off;

		rc = audit_verify_file(o.file, &v, ctl_lines_cb, &l);
		if (rc) {
			fprintf(stderr, "aduanactl audit: %s: %s\n", o.file, strerror(-rc));
			return 1;
		}
		reply = malloc(l.len + 2048);
		if (!reply)
			return 1;
		off = (size_t)snprintf(
			reply, 2048,
			"{\"ok\":%s,\"entries\":%llu,\"head_seq\":%llu,\"head\":\"%s\","
			"\"broken_seq\":%llu,\"broken_line\":%llu,\"why\":",
			v.ok ? "true" : "false", (unsigned long long)v.entries,
			(unsigned long long)v.head_seq, v.head, (unsigned long long)v.broken_seq,
			(unsigned long long)v.broken_line);
		proto_json_str(reply, 2048, &off, v.ok ? NULL : v.why);
		off += (size_t)snprintf(reply + off, 2048 - off, ",\"file\":");
		proto_json_str(reply, 2048, &off, o.file);
		off += (size_t)snprintf(reply + off, 2048 - off, ",\"shown\":%llu,\"omitted\":0}\n",
					(unsigned long long)l.n);
		if (l.len)
			memcpy(reply + off, l.buf, l.len);
		len = (uint32_t)(off + l.len);
		reply[len] = '\0'; /* as proto_call's answers are */
		free(l.buf);
	} else {
		snprintf(body, sizeof(body), o.since_ms ? "since_ms=%" PRIu64 : "", o.since_ms);
		rc = ctl_call(PROTO_AUDIT, body, strlen(body), &reply, &len);
		if (rc)
			return rc;
	}
	entries = memchr(reply, '\n', len);
	mlen = entries ? (size_t)(entries - reply) : len;
	entries = entries ? entries + 1 : reply + len;
	proto_json_get(reply, mlen, "ok", ok, sizeof(ok), NULL);
	proto_json_get(reply, mlen, "why", why, sizeof(why), NULL);
	proto_json_get(reply, mlen, "head", head, sizeof(head), NULL);
	proto_json_get(reply, mlen, "head_seq", hs, sizeof(hs), NULL);
	proto_json_get(reply, mlen, "broken_seq", bs, sizeof(bs), NULL);
	proto_json_get(reply, mlen, "entries", n, sizeof(n), NULL);
	if (ctl_json) {
		bool first = true;

		printf("%.*s,\"list\":[", (int)mlen - 1, reply);
		for (line = strtok_r(entries, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			printf("%s%s", first ? "" : ",", line);
			first = false;
		}
		printf("]}\n");
	} else {
		printf("%-6s %-27s %-20s %-8s %-10s %-8s %-16s %s\n", "SEQ", "TIME", "WHO(UID)",
		       "ROLE", "ACTION", "RESULT", "APPROVAL", "DETAIL");
		for (line = strtok_r(entries, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			ctl_audit_row(line, strlen(line));
		if (strcmp(ok, "true") == 0)
			printf("audit chain: ok: %s entries, head seq %s, sha256 %s\n", n, hs,
			       head);
		else
			printf("audit chain: BROKEN: %s\n", ctl_safe(why, w, sizeof(w)));
	}
	free(reply);
	return strcmp(ok, "true") == 0 ? 0 : CTL_BROKEN;
}

/* --- report --- */

/* A member of one report line; "" when absent, "-" for null. */
static const char *rp(const char *line, const char *key, char *out, size_t size)
{
	bool is_str = false;

	if (proto_json_get(line, strlen(line), key, out, size, &is_str) != 0)
		out[0] = '\0';
	else if (!is_str && strcmp(out, "null") == 0)
		snprintf(out, size, "-");
	return out;
}

static bool rp_is(const char *line, const char *t)
{
	char v[32];

	return strcmp(rp(line, "t", v, sizeof(v)), t) == 0;
}

/* The lines of kind t, in order; n lines at most (0: all). cb gets each. */
#define RP_EACH(lines, nlines, t, var)                                                             \
	for (size_t i_ = 0; i_ < (nlines); i_++)                                                   \
		for (const char *var = (lines)[i_]; var && rp_is(var, t); var = NULL)

static void ctl_report_table(char **L, size_t n)
{
	char a[256], b[256], cc[256], d[256], e[256], s1[256], s2[256], s3[256];
	const char *m = NULL;

	for (size_t i = 0; i < n; i++)
		if (rp_is(L[i], "meta"))
			m = L[i];
	if (!m)
		return;
	printf("COMPLIANCE REPORT  flows ending %s .. %s", rp(m, "first", a, sizeof(a)),
	       rp(m, "last", b, sizeof(b)));
	if (strcmp(rp(m, "since", a, sizeof(a)), "-") != 0)
		printf("  since %s", a);
	if (strcmp(rp(m, "zone", a, sizeof(a)), "-") != 0)
		printf("  zone %s", ctl_safe(a, s1, sizeof(s1)));
	printf("\n\n%-10s %-10s %-10s %-12s %s\n", "FLOWS", "ALLOWED", "BLOCKED", "GRANT_FLOWS",
	       "EXCEPTIONS");
	printf("%-10s %-10s %-10s %-12s %s\n", rp(m, "flows", a, 32), rp(m, "allowed", b, 32),
	       rp(m, "blocked", cc, 32), rp(m, "grant_flows", d, 32),
	       rp(m, "exception_flows", e, 32));
	printf("\nPER ZONE\n%-16s %-10s %-10s %-12s %s\n", "ZONE", "FLOWS", "BLOCKED",
	       "GRANT_FLOWS", "EXCEPTIONS");
	RP_EACH(L, n, "zone", l)
	printf("%-16s %-10s %-10s %-12s %s\n", ctl_safe(rp(l, "zone", a, 256), s1, 256),
	       rp(l, "flows", b, 32), rp(l, "blocked", cc, 32), rp(l, "grant_flows", d, 32),
	       rp(l, "exception_flows", e, 32));
	printf("\nBLOCKED PER CLASS\n%-24s %s\n", "CLASS", "BLOCKED");
	RP_EACH(L, n, "class", l)
	printf("%-24s %s\n", ctl_safe(rp(l, "class", a, 256), s1, 256), rp(l, "blocked", b, 32));
	printf("\nBLOCKED ATTEMPTS PER ZONE, HOST AND CLASS\n%-16s %-40s %-20s %s\n", "ZONE",
	       "HOST", "CLASS", "ATTEMPTS");
	RP_EACH(L, n, "blocked", l)
	printf("%-16s %-40s %-20s %s\n", ctl_safe(rp(l, "zone", a, 256), s1, 256),
	       ctl_safe(rp(l, "host", b, 256), s2, 256), ctl_safe(rp(l, "class", cc, 256), s3, 256),
	       rp(l, "attempts", d, 32));
	printf("\nTOP BLOCKED DESTINATIONS\n%-60s %s\n", "DESTINATION", "ATTEMPTS");
	RP_EACH(L, n, "destination", l)
	printf("%-60s %s\n", ctl_safe(rp(l, "destination", a, 256), s1, 256),
	       rp(l, "attempts", b, 32));
	printf("\nGRANTS USED\n%-14s %-16s %-40s %-24s %s\n", "GRANT", "ZONE", "HOST", "APPROVAL",
	       "FLOWS");
	RP_EACH(L, n, "grant", l)
	printf("%-14s %-16s %-40s %-24s %s\n", ctl_safe(rp(l, "reason", a, 256), s1, 256),
	       ctl_safe(rp(l, "zone", b, 256), s2, 256), ctl_safe(rp(l, "host", cc, 256), s3, 256),
	       ctl_safe(rp(l, "approval", d, 256), e, 256), rp(l, "flows", s1, 32));
	printf("\nEXCEPTIONS (FAIL-CLOSED EVENTS)\n%-28s %-16s %-40s %s\n", "REASON", "ZONE",
	       "HOST", "FLOWS");
	RP_EACH(L, n, "exception", l)
	printf("%-28s %-16s %-40s %s\n", ctl_safe(rp(l, "reason", a, 256), s1, 256),
	       ctl_safe(rp(l, "zone", b, 256), s2, 256), ctl_safe(rp(l, "host", cc, 256), s3, 256),
	       rp(l, "flows", d, 32));
}

/* One object: {"meta":{...},"zones":[...],"classes":[...],"blocked":[...],
 * "destinations":[...],"grants":[...],"exceptions":[...]}, each element
 * the line without its "t" member. */
static void ctl_report_json(char **L, size_t n)
{
	static const char *const kinds[][2] = {
		{"zone", "zones"},	{"class", "classes"},
		{"blocked", "blocked"}, {"destination", "destinations"},
		{"grant", "grants"},	{"exception", "exceptions"},
	};
	const char *m = "{}";

	for (size_t i = 0; i < n; i++)
		if (rp_is(L[i], "meta"))
			m = L[i];
	/* Every line starts {"t":"KIND", (report.h): drop that member. */
	printf("{\"meta\":{%s", strchr(m, ',') ? strchr(m, ',') + 1 : "}");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		bool first = true;

		printf(",\"%s\":[", kinds[k][1]);
		RP_EACH(L, n, kinds[k][0], l)
		{
			printf("%s{%s", first ? "" : ",", strchr(l, ',') + 1);
			first = false;
		}
		printf("]");
	}
	printf("}\n");
}

/* HTML: every string from the store is escaped (a hostname is whatever
 * the client sent); control characters are dropped. */
static void h_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				fputc(*s, f);
		}
	}
}

/* A horizontal bar chart as inline SVG: labels[i], values[i] (and, when
 * total is given, a lighter bar behind for total[i]). */
static void h_bars(FILE *f, const char *id, const char *title, char labels[][256],
		   const long long *values, const long long *total, size_t n, const char *unit)
{
	long long max = 1;
	const int lw = 220, bw = 420, rh = 26, top = 8;
	size_t i;

	for (i = 0; i < n; i++) {
		if (values[i] > max)
			max = values[i];
		if (total && total[i] > max)
			max = total[i];
	}
	fprintf(f, "<figure class=\"chart\" id=\"%s\"><figcaption>", id);
	h_esc(f, title);
	fprintf(f,
		"</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		"width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
		lw + bw + 80, n * rh + top * 2 + (n ? 0 : rh), lw + bw + 80,
		n * rh + top * 2 + (n ? 0 : rh));
	if (!n)
		fprintf(f, "<text x=\"4\" y=\"%d\" class=\"none\">none</text>\n", top + 16);
	for (i = 0; i < n; i++) {
		int y = top + (int)i * rh, w = (int)((double)values[i] * bw / (double)max);

		fprintf(f, "<g class=\"bar\" data-label=\"");
		h_esc(f, labels[i]);
		fprintf(f, "\" data-value=\"%lld\"", values[i]);
		if (total)
			fprintf(f, " data-total=\"%lld\"", total[i]);
		fprintf(f, "><title>");
		h_esc(f, labels[i]);
		fprintf(f, ": %lld %s", values[i], unit);
		if (total)
			fprintf(f, " of %lld flows", total[i]);
		fprintf(f, "</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", lw - 8, y + 17);
		h_esc(f, labels[i]);
		fprintf(f, "</text>");
		if (total)
			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				"class=\"total\"/>",
				lw, y + 3, (int)((double)total[i] * bw / (double)max), rh - 6);
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"value\"/>"
			"<text x=\"%d\" y=\"%d\">%lld</text></g>\n",
			lw, y + 3, w > 0 ? w : 1, rh - 6, lw + (w > 0 ? w : 1) + 6, y + 17,
			values[i]);
	}
	fprintf(f, "</svg></figure>\n");
}

/* A table row: cells are {text, is_number}. */
static void h_row(FILE *f, const char *const *cells, const bool *num, size_t n, const char *cls)
{
	fprintf(f, "<tr class=\"%s\">", cls);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, num[i] ? "<td class=\"num\">" : "<td>");
		h_esc(f, cells[i]);
		fprintf(f, "</td>");
	}
	fprintf(f, "</tr>\n");
}

static void h_head(FILE *f, const char *const *cols, size_t n)
{
	fprintf(f, "<thead><tr>");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "<th>%s</th>", cols[i]);
	fprintf(f, "</tr></thead><tbody>\n");
}

/* A table with no rows says so. */
static void h_empty(FILE *f, char **L, size_t n, const char *t, int cols)
{
	for (size_t i = 0; i < n; i++)
		if (rp_is(L[i], t))
			return;
	fprintf(f, "<tr class=\"empty\"><td colspan=\"%d\" class=\"none\">none</td></tr>\n", cols);
}

static int ctl_report_html(char **L, size_t n, const char *path)
{
	static const char css[] =
		"body{font-family:DejaVu Sans,Arial,sans-serif;margin:2em;color:#222}"
		"h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;"
		"border-bottom:1px solid #bbb}"
		".meta{color:#555}.cards{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}"
		".card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;min-width:8em}"
		".card b{display:block;font-size:1.6em}"
		"table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
		"th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
		"td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}"
		"figure{margin:.5em 0}figcaption{font-weight:bold;margin-bottom:.3em}"
		"svg text{font-size:12px;fill:#222}rect.value{fill:#c0392b}rect.total{fill:#d5dbe0}"
		".none{color:#777;font-style:italic}"
		"@page{size:A4;margin:15mm}"
		"@media print{body{margin:0;font-size:10pt}section{break-inside:avoid}"
		"h2{break-after:avoid}.card{border-color:#999}}";
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	char a[256], b[256], cc[256], d[256], e[256];
	char(*labels)[256] = calloc(n + 1, 256);
	long long *vals = calloc(n + 1, sizeof(long long)), *tot = calloc(n + 1, sizeof(long long));
	const char *m = NULL;
	size_t k;

	if (!f || !labels || !vals || !tot) {
		fprintf(stderr, "aduanactl report: %s: %s\n", path, strerror(errno));
		free(labels);
		free(vals);
		free(tot);
		if (f && f != stdout)
			fclose(f);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (rp_is(L[i], "meta"))
			m = L[i];
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>aduana compliance report</title>\n<style>%s</style></head>\n<body>\n",
		css);
	fprintf(f, "<h1>aduana compliance report</h1>\n<p class=\"meta\">Flows ending <span "
		   "id=\"first\">");
	h_esc(f, rp(m, "first", a, sizeof(a)));
	fprintf(f, "</span> to <span id=\"last\">");
	h_esc(f, rp(m, "last", a, sizeof(a)));
	fprintf(f, "</span>; since <span id=\"since\">");
	h_esc(f, strcmp(rp(m, "since", a, sizeof(a)), "-") ? a : "the start of the store");
	fprintf(f, "</span>; zone <span id=\"zone\">");
	h_esc(f, strcmp(rp(m, "zone", a, sizeof(a)), "-") ? a : "all");
	fprintf(f, "</span>; generated <span id=\"generated\">");
	h_esc(f, rp(m, "generated", a, sizeof(a)));
	fprintf(f, "</span>.</p>\n<div class=\"cards\">\n");
	{
		static const char *const keys[][2] = {
			{"flows", "Flows"},
			{"allowed", "Allowed"},
			{"blocked", "Blocked attempts"},
			{"grant_flows", "Flows under a grant"},
			{"exception_flows", "Exceptions (fail-closed)"},
		};
		for (k = 0; k < 5; k++) {
			fprintf(f, "<div class=\"card\"><b id=\"total-%s\">", keys[k][0]);
			h_esc(f, rp(m, keys[k][0], a, sizeof(a)));
			fprintf(f, "</b>%s</div>\n", keys[k][1]);
		}
	}
	fprintf(f, "</div>\n<section id=\"charts\"><h2>Blocked attempts</h2>\n");
	k = 0;
	RP_EACH(L, n, "class", l)
	{
		rp(l, "class", labels[k], 256);
		if (!strcmp(labels[k], "-"))
			snprintf(labels[k], 256, "(no class)");
		vals[k++] = atoll(rp(l, "blocked", a, 32));
	}
	h_bars(f, "chart-class", "Blocked attempts per class", labels, vals, NULL, k, "blocked");
	k = 0;
	RP_EACH(L, n, "zone", l)
	{
		rp(l, "zone", labels[k], 256);
		vals[k] = atoll(rp(l, "blocked", a, 32));
		tot[k++] = atoll(rp(l, "flows", a, 32));
	}
	h_bars(f, "chart-zone", "Blocked attempts per zone (grey: all flows)", labels, vals, tot, k,
	       "blocked");
	fprintf(f, "</section>\n<section id=\"zones\"><h2>Per zone</h2><table>");
	{
		static const char *const cols[] = {"Zone", "Flows", "Blocked", "Under a grant",
						   "Exceptions"};
		static const bool num[] = {false, true, true, true, true};

		h_head(f, cols, 5);
		RP_EACH(L, n, "zone", l)
		{
			const char *cells[] = {rp(l, "zone", a, 256), rp(l, "flows", b, 32),
					       rp(l, "blocked", cc, 32),
					       rp(l, "grant_flows", d, 32),
					       rp(l, "exception_flows", e, 32)};
			h_row(f, cells, num, 5, "zone");
		}
		h_empty(f, L, n, "zone", 5);
	}
	fprintf(f, "</tbody></table></section>\n<section id=\"blocked\"><h2>Blocked attempts per "
		   "zone, host and class</h2><table>");
	{
		static const char *const cols[] = {"Zone", "Host", "Class", "Attempts"};
		static const bool num[] = {false, false, false, true};

		h_head(f, cols, 4);
		RP_EACH(L, n, "blocked", l)
		{
			const char *cells[] = {rp(l, "zone", a, 256), rp(l, "host", b, 256),
					       rp(l, "class", cc, 256), rp(l, "attempts", d, 32)};
			h_row(f, cells, num, 4, "blocked");
		}
		h_empty(f, L, n, "blocked", 4);
	}
	fprintf(f, "</tbody></table></section>\n<section id=\"destinations\"><h2>Top blocked "
		   "destinations</h2><table>");
	{
		static const char *const cols[] = {"Destination (SNI, host or address)",
						   "Attempts"};
		static const bool num[] = {false, true};

		h_head(f, cols, 2);
		RP_EACH(L, n, "destination", l)
		{
			const char *cells[] = {rp(l, "destination", a, 256),
					       rp(l, "attempts", b, 32)};
			h_row(f, cells, num, 2, "destination");
		}
		h_empty(f, L, n, "destination", 2);
	}
	fprintf(f,
		"</tbody></table></section>\n<section id=\"grants\"><h2>Grants used</h2><table>");
	{
		static const char *const cols[] = {"Grant", "Zone", "Host", "Approval", "Flows"};
		static const bool num[] = {false, false, false, false, true};

		h_head(f, cols, 5);
		RP_EACH(L, n, "grant", l)
		{
			const char *cells[] = {rp(l, "reason", a, 256), rp(l, "zone", b, 256),
					       rp(l, "host", cc, 256), rp(l, "approval", d, 256),
					       rp(l, "flows", e, 32)};
			h_row(f, cells, num, 5, "grant");
		}
		h_empty(f, L, n, "grant", 5);
	}
	fprintf(f, "</tbody></table></section>\n<section id=\"exceptions\"><h2>Exceptions "
		   "(fail-closed events)</h2><table>");
	{
		static const char *const cols[] = {"Reason", "Zone", "Host", "Flows"};
		static const bool num[] = {false, false, false, true};

		h_head(f, cols, 4);
		RP_EACH(L, n, "exception", l)
		{
			const char *cells[] = {rp(l, "reason", a, 256), rp(l, "zone", b, 256),
					       rp(l, "host", cc, 256), rp(l, "flows", d, 32)};
			h_row(f, cells, num, 4, "exception");
		}
		h_empty(f, L, n, "exception", 4);
	}
	fprintf(f, "</tbody></table></section>\n<p class=\"meta\">From aduanad's flow store; the "
		   "flow log has every record behind these figures (aduanactl flows).</p>\n"
		   "</body></html>\n");
	free(labels);
	free(vals);
	free(tot);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "aduanactl report: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int ctl_report(int argc, char **argv)
{
	static const struct option extra[] = {
		{"since", required_argument, NULL, 1},
		{"zone", required_argument, NULL, 3},
		{"html", required_argument, NULL, 4},
		{NULL, 0, NULL, 0},
	};
	const struct ctl_cmd *c = ctl_find("report");
	struct ctl_since_opt o = {0};
	char body[256], *reply, **L = NULL, *line, *save = NULL;
	size_t n = 0, off = 0;
	uint32_t len;
	int rc;

	CTL_OPTS(c, extra, ctl_since_opt, &o);
	if (argc > first_) {
		fprintf(stderr,
			"aduanactl report: unexpected '%s'. Try 'aduanactl report --help'.\n",
			argv[first_]);
		return 2;
	}
	if (o.since_ms)
		off += (size_t)snprintf(body + off, sizeof(body) - off, "since_ms=%" PRIu64 "\n",
					o.since_ms);
	if (o.zone)
		off += (size_t)snprintf(body + off, sizeof(body) - off, "zone=%s\n", o.zone);
	rc = ctl_call(PROTO_REPORT, body, off, &reply, &len);
	if (rc)
		return rc;
	L = calloc(len / 8 + 2, sizeof(*L));
	if (!L) {
		free(reply);
		return 1;
	}
	for (line = strtok_r(reply, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		L[n++] = line;
	rc = 0;
	if (o.html)
		rc = ctl_report_html(L, n, o.html);
	if (ctl_json)
		ctl_report_json(L, n);
	else if (!o.html || strcmp(o.html, "-") != 0)
		ctl_report_table(L, n);
	free(L);
	free(reply);
	return rc;
}

static int ctl_help(int argc, char **argv);

static const struct ctl_cmd ctl_cmds[] = {
	{"check", "check [--json] CONF",
	 "DESCRIPTION\n"
	 "    Validate CONF offline, as a start or a reload would: the loader, the class\n"
	 "    map and the Hyperscan compile of every list. Needs no daemon.\n\n"
	 "EXIT STATUS\n"
	 "    0 valid (prints a summary and the sha256); 2 invalid: the error names its\n"
	 "    file and line.\n",
	 ctl_check},
	{"status", "status [--json]",
	 "DESCRIPTION\n"
	 "    aduanad's counters (records received, stored, duplicate, exports) and the\n"
	 "    dataplane's (prefixed dp_: packets, drops by reason, policy version and\n"
	 "    hash, record stream queue), one per line, or one JSON object; the audit\n"
	 "    log's head (audit_head_seq, audit_head) and who you are to aduanad\n"
	 "    (caller, caller_role).\n",
	 ctl_status},
	{"flows",
	 "flows [--open] [--zone Z] [--verdict allow|drop|pending] [--host H] [--class C] [--since D] "
	 "[--limit N] [--json]",
	 "DESCRIPTION\n"
	 "    Finished flows from aduanad's store, newest first. --host matches the\n"
	 "    source, destination, SNI or HTTP host; --since takes 30s, 15m, 2h, 7d or an\n"
	 "    RFC 3339 UTC time; --limit defaults to 100. --json prints the records as\n"
	 "    JSON lines (the flow-log format, README).\n"
	 "    --open shows the flows open now instead, from the dataplane's tables (the\n"
	 "    workers copy them between bursts); ts_end is their latest packet, and\n"
	 "    --host matches an address or a part of the flow's name. A summary line\n"
	 "    (open, matched, shown) goes to stderr.\n",
	 ctl_flows},
	{"reload", "reload [--approval REF] [--json] [CONF]",
	 "DESCRIPTION\n"
	 "    Validate CONF (default: aduanad's 'policy'), then have the dataplane swap\n"
	 "    to it: the new snapshot is published with one atomic store and the old one\n"
	 "    freed after every worker passed a quiescent point. Prints the new version\n"
	 "    and hash and how many open flows will be re-judged at their next packet.\n"
	 "    A rejected config changes nothing; the error names its file and line.\n"
	 "    Sizes (dataplane.*), log.flow_log, classes and lists need a restart; the\n"
	 "    answer lists those that changed. Admin only. --approval REF is written\n"
	 "    to the audit log with the entry (who, when, the hashes before and after).\n\n"
	 "EXIT STATUS\n"
	 "    0 swapped; 2 rejected; 1 aduanad or the dataplane unreachable; 3 refused\n"
	 "    (your role is not admin).\n",
	 ctl_reload},
	{"grant",
	 "grant --src ADDR|ZONE --dst HOST|ADDR[:PORT] --for DURATION --approval REF "
	 "[--reason TEXT] [--json]",
	 "DESCRIPTION\n"
	 "    An approved, time-limited exception (DESIGN 4, rule 1): flows from --src\n"
	 "    (an inside address, prefix or zone name) to --dst that the zone would drop\n"
	 "    are allowed, with reason grant:<id>, and their records carry the approval\n"
	 "    reference. It ends by itself after --for (90s, 30m, 8h, 7d; at most 90d);\n"
	 "    its open flows are then cut at their next packet, as a reload does.\n\n"
	 "    --dst ADDR[/LEN][:PORT] allows everything to that address (and port).\n"
	 "    --dst HOST[:PORT] allows TLS whose SNI, or HTTP whose Host, is HOST\n"
	 "    (\"*.example.org\" for names below it), to addresses the zone's resolver\n"
	 "    answered for HOST: SNI alone never allows, and another name, another\n"
	 "    protocol or an address DNS did not give stay dropped. The integrity checks\n"
	 "    of DESIGN 4.2 still apply, and exceptions (malformed, midstream, ...) stay.\n"
	 "    --approval REF names the written approval (1..64 of A-Z a-z 0-9 . _ : / # +\n"
	 "    -); --reason is free text (at most 200 bytes).\n\n"
	 "    aduanad keeps grants in its store: they survive a restart of aduanad or of\n"
	 "    the dataplane (pushed again at each connect). New flows are judged with\n"
	 "    the grant; a flow already dropped stays dropped until it times out.\n\n"
	 "EXAMPLES\n"
	 "    aduanactl grant --src 10.10.1.5 --dst files.partner.example:443 --for 8h \\\n"
	 "        --approval COMM-2026-117 --reason 'E2M export to partner'\n\n"
	 "EXIT STATUS\n"
	 "    0 granted; 2 refused (the message says why); 1 aduanad unreachable; 3 refused\n"
	 "    (your role is not admin). Every grant and every refusal is audited.\n",
	 ctl_grant},
	{"grants", "grants [--all] [--json]",
	 "DESCRIPTION\n"
	 "    The live grants: ID, source, destination, end (UTC), state, approval and\n"
	 "    reason. --all adds those that expired or were revoked (newest first).\n"
	 "    --json prints one JSON object per line.\n",
	 ctl_grants},
	{"revoke", "revoke [--json] ID",
	 "DESCRIPTION\n"
	 "    End grant ID now. Its open flows are cut at their next packet (judged\n"
	 "    again by the policy, as after a reload); their records keep the approval.\n\n"
	 "EXIT STATUS\n"
	 "    0 revoked; 2 no live grant ID; 1 aduanad unreachable; 3 refused (your role\n"
	 "    is not admin). Audited.\n",
	 ctl_revoke},
	{"simulate", "simulate --pcap FILE [--running CONF] [--aduana PATH] [--json] [CONF]",
	 "DESCRIPTION\n"
	 "    What would this change break? Replays the capture offline through the\n"
	 "    candidate policy CONF and through the running one, each with the\n"
	 "    dataplane's own replay mode (aduana --replay, one worker), and lists the\n"
	 "    flows whose verdict differs, with both reasons. The running dataplane is\n"
	 "    not touched. The running policy is the file the dataplane enforces (from\n"
	 "    aduanad's status), or --running CONF; CONF defaults to that same file as it\n"
	 "    is on disk now (what a plain reload would load). Grants are not applied on\n"
	 "    either side. --aduana names the dataplane binary (default: beside\n"
	 "    aduanactl, then /usr/sbin/aduana). --json prints one JSON object per\n"
	 "    differing flow: 5-tuple, ts_start, zone, app, class, sni, host, and\n"
	 "    running/candidate {verdict, reason}.\n\n"
	 "EXIT STATUS\n"
	 "    0 done (differences or not); 2 a bad capture or config (the error names\n"
	 "    FILE:LINE); 1 aduanad unreachable or a replay failed.\n",
	 ctl_simulate},
	{"audit", "audit [--since D] [--file COPY] [--json]",
	 "DESCRIPTION\n"
	 "    aduanad's audit log: every change (reload, grant, revoke) and every\n"
	 "    refusal, with who (uid, user, groups, role), when, what, the result, the\n"
	 "    policy's sha256 before and after and the approval reference. The whole\n"
	 "    chain is verified from its first entry: each entry's hash, its prev (the\n"
	 "    hash of the entry before) and its seq, and that the file ends with the last\n"
	 "    entry aduanad wrote. The first entry that breaks it is named. --since\n"
	 "    shows only entries from then on (30s, 15m, 2h, 7d or RFC 3339 UTC); the\n"
	 "    check still covers the whole file. --file checks a copy of the log here,\n"
	 "    without aduanad (compare its head with the one syslog received).\n\n"
	 "EXIT STATUS\n"
	 "    0 the chain holds; 4 it is broken; 1 aduanad unreachable or the file\n"
	 "    unreadable; 3 refused (no role).\n",
	 ctl_audit},
	{"report", "report [--since D] [--zone Z] [--html FILE] [--json]",
	 "DESCRIPTION\n"
	 "    The compliance report, computed by aduanad from its flow store: totals;\n"
	 "    per zone flows, blocked attempts, flows under a grant and exceptions;\n"
	 "    blocked attempts per class and per zone, host (the inside host) and class;\n"
	 "    the top 10 blocked destinations (SNI, else HTTP host, else address);\n"
	 "    grants used (flows with reason grant:<id>, with the approval reference\n"
	 "    their records carry); and exceptions (reason exception:*, the fail-closed\n"
	 "    events). --since (30s, 15m, 2h, 7d or RFC 3339 UTC) counts flows that\n"
	 "    ended from then on; --zone one zone. --html FILE also writes one\n"
	 "    self-contained, printable HTML page with inline SVG charts (FILE - : to\n"
	 "    stdout, instead of the table). --json prints one object.\n",
	 ctl_report},
	{"help", "help [COMMAND]",
	 "DESCRIPTION\n    The list of commands, or one command's help.\n", ctl_help},
};

static const struct ctl_cmd *ctl_find(const char *name)
{
	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

static void ctl_usage(FILE *out)
{
	fputs("NAME\n"
	      "    aduanactl - operate aduana: check and reload policy, status, flows,\n"
	      "    grants, what-if simulation, the audit trail and the compliance report\n\n"
	      "SYNOPSIS\n"
	      "    aduanactl [--socket PATH] COMMAND [OPTIONS] [ARGS]\n\n"
	      "COMMANDS\n",
	      out);
	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		fprintf(out, "    %s\n", ctl_cmds[i].synopsis);
	fputs("\nOPTIONS\n"
	      "    --socket PATH   aduanad's socket (default " CTL_DEFAULT_SOCKET
	      ", or $ADUANA_SOCKET)\n"
	      "    --json          machine-readable output, on every command with a table\n"
	      "    -h, --help      this text; 'aduanactl COMMAND --help' for one command\n\n"
	      "EXIT STATUS\n"
	      "    0 success; 1 aduanad unreachable or a runtime failure; 2 bad usage, a\n"
	      "    rejected config or an error answer; 3 refused: the caller's role does not\n"
	      "    allow it (the message names the role needed and yours); 4 audit: the\n"
	      "    chain is broken.\n",
	      out);
}

static int ctl_help(int argc, char **argv)
{
	const struct ctl_cmd *c;

	if (argc < 2) {
		ctl_usage(stdout);
		return 0;
	}
	c = ctl_find(argv[1]);
	if (!c) {
		fprintf(stderr, "aduanactl: no command '%s'\n", argv[1]);
		return 2;
	}
	return ctl_help_cmd(c, stdout);
}

int main(int argc, char **argv)
{
	const struct ctl_cmd *c;
	int i = 1;

	if (getenv("ADUANA_SOCKET"))
		ctl_socket = getenv("ADUANA_SOCKET");
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			ctl_socket = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			ctl_socket = argv[i] + 9;
			i++;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			ctl_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "aduanactl: unknown option '%s'. Try 'aduanactl --help'.\n",
				argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	c = ctl_find(argv[i]);
	if (!c) {
		fprintf(stderr, "aduanactl: no command '%s'. Try 'aduanactl --help'.\n", argv[i]);
		return 2;
	}
	return c->run(argc - i, argv + i);
}
