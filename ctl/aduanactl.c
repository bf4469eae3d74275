/* aduanactl: the operators' tool. A table of commands, each with its help
 * text; every command but `check` talks to aduanad on its socket.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classifier.h"
#include "config.h"
#include "flowrec.h"
#include "policy.h"
#include "proto.h"

#define CTL_DEFAULT_SOCKET "/run/aduana/aduanad.sock"
#define CTL_TIMEOUT_MS	   60000

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
		char msg[2048];

		if (proto_json_get(*reply, *rlen, "error", msg, sizeof(msg), NULL) != 0)
			snprintf(msg, sizeof(msg), "%.*s", (int)*rlen, *reply);
		if (ctl_json)
			printf("%s\n", *reply);
		else
			fprintf(stderr, "aduanactl: %s\n", msg);
		free(*reply);
		*reply = NULL;
		return 2;
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

static int ctl_reload(int argc, char **argv)
{
	const struct ctl_cmd *c = ctl_find("reload");
	char *reply, abs[4096], v[256];
	const char *path = "";
	uint32_t len;
	int rc;

	CTL_OPTS(c, NULL, NULL, NULL);
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
	rc = ctl_call(PROTO_RELOAD, path, strlen(path), &reply, &len);
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
	 "    hash, record stream queue), one per line, or one JSON object.\n",
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
	{"reload", "reload [--json] [CONF]",
	 "DESCRIPTION\n"
	 "    Validate CONF (default: aduanad's 'policy'), then have the dataplane swap\n"
	 "    to it: the new snapshot is published with one atomic store and the old one\n"
	 "    freed after every worker passed a quiescent point. Prints the new version\n"
	 "    and hash and how many open flows will be re-judged at their next packet.\n"
	 "    A rejected config changes nothing; the error names its file and line.\n"
	 "    Sizes (dataplane.*), log.flow_log, classes and lists need a restart; the\n"
	 "    answer lists those that changed.\n\n"
	 "EXIT STATUS\n"
	 "    0 swapped; 2 rejected; 1 aduanad or the dataplane unreachable.\n",
	 ctl_reload},
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
	      "    aduanactl - operate aduana: check and reload policy, status, flows\n\n"
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
	      "    0 success; 1 aduanad unreachable or a runtime failure; 2 bad usage or a\n"
	      "    rejected config.\n",
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
