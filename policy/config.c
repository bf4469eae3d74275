/* config.c - libconfig file -> policy snapshot (DESIGN 3.4).
 *
 * The file is read once into memory: the same bytes are hashed and parsed,
 * so the hash printed in the audit log is the hash of what was enforced.
 * Validation is strict (unknown keys and names are errors) because a typo
 * in an inspection policy silently fails open otherwise.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"

/* A policy is a few kilobytes; anything this big is the wrong file. */
#define CONFIG_FILE_MAX (16u << 20)
/* Indexes are stored in 16 bits (profile allow lists, decision args). */
#define CONFIG_ITEMS_MAX UINT16_MAX
#define CONFIG_HOST_MAX	 253
#define CONFIG_LABEL_MAX 63

struct config_ctx {
	const char *path;
	char *err;
	size_t errlen;
	struct policy *p;
};

static const char *const config_top_keys[] = {
	"version", "dataplane", "log",	    "classes", "lists",
	"unzoned", "endpoints", "profiles", "zones",   NULL,
};
static const char *const config_dataplane_keys[] = {
	"workers",
	"flows_per_worker",
	"classify_packets",
	"classify_seconds",
	"dns_ttl_max",
	"first_drop_records",
	"timeouts",
	NULL,
};
/* In enum policy_timeout order. */
static const char *const config_timeout_keys[] = {
	"tcp", "tcp_closed", "udp", "icmp", "other", "tcp_syn", "dropped", NULL,
};
/* Half-open and dropped flows are what an outsider can create at will:
 * seconds, not minutes (DESIGN 4.1). */
static const uint32_t config_timeout_defaults[POLICY_TO_COUNT] = {3600, 10, 120, 30, 60, 10, 10};
static const char *const config_log_keys[] = {"flow_log", NULL};
static const char *const config_endpoint_keys[] = {
	"name", "addresses", "hosts", "ports", "apps", "shared_front", NULL,
};
static const char *const config_profile_keys[] = {
	"name", "default", "inbound", "on_giveup", "on_exception", "guess", "allow", "block", NULL,
};
static const char *const config_zone_keys[] = {"name", "subnets", "profile", NULL};

/* Array elements and some groups carry no line of their own in libconfig;
 * the nearest ancestor that does is the best place to point the operator. */
static unsigned config_line(const config_setting_t *s)
{
	for (; s; s = config_setting_parent(s))
		if (config_setting_source_line(s))
			return config_setting_source_line(s);
	return 1;
}

static int config_fail(struct config_ctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages quote the operator's text, which may hold escaped control
 * characters; the contract is one line, and a terminal must not be driven
 * by a config file. */
static void config_sanitize(char *msg)
{
	for (; *msg; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			*msg = '?';
}

/* Write "FILE:LINE: message" into the caller's buffer; returns -EINVAL so
 * that callers can `return config_fail(...)`. */
static int config_fail(struct config_ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || c->errlen == 0)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "%s:%u: ", c->path, config_line(s));
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	config_sanitize(c->err);
	return -EINVAL;
}

/* "a, b, c" from a NULL-terminated list, for messages that say what would
 * have been valid. */
static void config_join(char *buf, size_t size, const char *const *words)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *words && used < size; words++) {
		int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", *words);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static bool config_in(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (strcmp(*words, w) == 0)
			return true;
	return false;
}

static int config_check_keys(struct config_ctx *c, const config_setting_t *group, const char *where,
			     const char *const *keys)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		char valid[256];

		if (name && config_in(keys, name))
			continue;
		config_join(valid, sizeof(valid), keys);
		return config_fail(c, s, "unknown key '%s' %s%s (valid keys: %s)",
				   name ? name : "?", where ? "in " : "at the top level",
				   where ? where : "", valid);
	}
	return 0;
}

static int config_get_int(struct config_ctx *c, const config_setting_t *s, const char *where,
			  const char *what, long long min, long long max, long long *out)
{
	long long v;
	int type = config_setting_type(s);

	*out = 0;
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return config_fail(c, s, "%s: %s must be an integer", where, what);
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return config_fail(c, s, "%s: %s must be between %lld and %lld (got %lld)", where,
				   what, min, max, v);
	*out = v;
	return 0;
}

static int config_get_string(struct config_ctx *c, const config_setting_t *s, const char *where,
			     const char *what, const char **out)
{
	*out = "";
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return config_fail(c, s, "%s: %s must be a string in double quotes", where, what);
	*out = config_setting_get_string(s);
	return 0;
}

/* A list of values may be written [ ... ] or ( ... ); both are fine. */
static int config_get_seq(struct config_ctx *c, const config_setting_t *s, const char *where,
			  const char *what, unsigned *len)
{
	*len = 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return config_fail(c, s, "%s: %s must be a list, e.g. [ \"a\", \"b\" ]", where,
				   what);
	*len = (unsigned)config_setting_length(s);
	return 0;
}

static bool config_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= POLICY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

/* The label used in messages for element idx of a list ("endpoint 'x'", or
 * "endpoint #2" when it has no usable name yet). */
static void config_label(char *buf, size_t size, const char *kind, const config_setting_t *elem,
			 unsigned idx)
{
	const char *name = NULL;

	if (config_setting_is_group(elem))
		config_setting_lookup_string(elem, "name", &name);
	if (name && config_name_valid(name))
		snprintf(buf, size, "%s '%s'", kind, name);
	else
		snprintf(buf, size, "%s #%u", kind, idx + 1);
}

/* The element's name, checked and copied. */
static int config_get_name(struct config_ctx *c, const config_setting_t *elem, const char *label,
			   char out[POLICY_NAME_MAX])
{
	const config_setting_t *s = config_setting_get_member(elem, "name");
	const char *name;
	int ret;

	if (!s)
		return config_fail(c, elem, "%s: missing 'name'", label);
	ret = config_get_string(c, s, label, "name", &name);
	if (ret < 0)
		return ret;
	if (!config_name_valid(name))
		return config_fail(c, s,
				   "%s: bad name '%s' (use 1 to %d of the characters A-Z a-z 0-9 "
				   "_ . -)",
				   label, name, POLICY_NAME_MAX - 1);
	memcpy(out, name, strlen(name) + 1);
	return 0;
}

/* Each of list's elements must be a group; returns their count. */
static int config_get_groups(struct config_ctx *c, const config_setting_t *list, const char *what,
			     const char *kind, unsigned *len)
{
	unsigned i, n;

	if (!config_setting_is_list(list))
		return config_fail(c, list, "%s must be a list of groups: ( { ... }, { ... } )",
				   what);
	n = (unsigned)config_setting_length(list);
	if (n > CONFIG_ITEMS_MAX)
		return config_fail(c, list, "too many %s (at most %u)", what, CONFIG_ITEMS_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);

		if (!config_setting_is_group(e))
			return config_fail(c, e, "%s #%u must be a group { name = ...; ... }", kind,
					   i + 1);
	}
	*len = n;
	return 0;
}

static void config_prefix_format(const struct policy_prefix *pfx, char *buf, size_t size)
{
	static const uint8_t v4map[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char addr[INET6_ADDRSTRLEN];

	if (pfx->len >= 96 && memcmp(pfx->addr, v4map, sizeof(v4map)) == 0) {
		inet_ntop(AF_INET, pfx->addr + 12, addr, sizeof(addr));
		snprintf(buf, size, "%s/%u", addr, pfx->len - 96u);
	} else {
		inet_ntop(AF_INET6, pfx->addr, addr, sizeof(addr));
		snprintf(buf, size, "%s/%u", addr, pfx->len);
	}
}

static int config_parse_dataplane(struct config_ctx *c, const config_setting_t *root)
{
	struct policy_dataplane *dp = &c->p->dp;
	const config_setting_t *g, *s, *to;
	long long v;
	unsigned i;
	int ret;

	dp->workers = 1;
	dp->flows_per_worker = 262144;
	dp->classify_packets = 32;
	dp->classify_seconds = 10;
	dp->dns_ttl_max = 3600;
	dp->first_drop_records = 10000;
	memcpy(dp->timeouts, config_timeout_defaults, sizeof(dp->timeouts));

	g = config_setting_get_member(root, "dataplane");
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return config_fail(c, g, "dataplane must be a group { workers = ...; }");
	ret = config_check_keys(c, g, "dataplane", config_dataplane_keys);
	if (ret < 0)
		return ret;

	if ((s = config_setting_get_member(g, "workers"))) {
		ret = config_get_int(c, s, "dataplane", "workers", 1, 64, &v);
		if (ret < 0)
			return ret;
		dp->workers = (unsigned)v;
	}
	if ((s = config_setting_get_member(g, "flows_per_worker"))) {
		ret = config_get_int(c, s, "dataplane", "flows_per_worker", 1, 16777216, &v);
		if (ret < 0)
			return ret;
		dp->flows_per_worker = (uint32_t)v;
	}
	if ((s = config_setting_get_member(g, "classify_packets"))) {
		ret = config_get_int(c, s, "dataplane", "classify_packets", 1, 255, &v);
		if (ret < 0)
			return ret;
		dp->classify_packets = (unsigned)v;
	}
	if ((s = config_setting_get_member(g, "classify_seconds"))) {
		ret = config_get_int(c, s, "dataplane", "classify_seconds", 1, 3600, &v);
		if (ret < 0)
			return ret;
		dp->classify_seconds = (uint32_t)v;
	}
	if ((s = config_setting_get_member(g, "dns_ttl_max"))) {
		ret = config_get_int(c, s, "dataplane", "dns_ttl_max", 5, 86400, &v);
		if (ret < 0)
			return ret;
		dp->dns_ttl_max = (uint32_t)v;
	}

	if ((s = config_setting_get_member(g, "first_drop_records"))) {
		ret = config_get_int(c, s, "dataplane", "first_drop_records", 0, 100000000, &v);
		if (ret < 0)
			return ret;
		dp->first_drop_records = (uint32_t)v;
	}

	to = config_setting_get_member(g, "timeouts");
	if (!to)
		return 0;
	if (!config_setting_is_group(to))
		return config_fail(c, to, "dataplane: timeouts must be a group { tcp = ...; }");
	ret = config_check_keys(c, to, "dataplane.timeouts", config_timeout_keys);
	if (ret < 0)
		return ret;
	for (i = 0; i < POLICY_TO_COUNT; i++) {
		s = config_setting_get_member(to, config_timeout_keys[i]);
		if (!s)
			continue;
		ret = config_get_int(c, s, "dataplane.timeouts", config_timeout_keys[i], 1, 86400,
				     &v);
		if (ret < 0)
			return ret;
		dp->timeouts[i] = (uint32_t)v;
	}
	return 0;
}

static int config_parse_log(struct config_ctx *c, const config_setting_t *root)
{
	const config_setting_t *g, *s;
	const char *str;
	int ret;

	g = config_setting_get_member(root, "log");
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return config_fail(c, g, "log must be a group { flow_log = \"...\"; }");
	ret = config_check_keys(c, g, "log", config_log_keys);
	if (ret < 0)
		return ret;
	s = config_setting_get_member(g, "flow_log");
	if (!s)
		return 0;
	ret = config_get_string(c, s, "log", "flow_log", &str);
	if (ret < 0)
		return ret;
	if (strlen(str) >= sizeof(c->p->flow_log))
		return config_fail(c, s, "log: flow_log is too long (at most %zu bytes)",
				   sizeof(c->p->flow_log) - 1);
	strcpy(c->p->flow_log, str);
	return 0;
}

/* classes and lists are named relative to the config file, so a config
 * directory can be moved or checked out anywhere as a whole. */
static int config_parse_path(struct config_ctx *c, const config_setting_t *root, const char *key,
			     const char *dflt, char out[POLICY_PATH_MAX])
{
	const config_setting_t *s = config_setting_get_member(root, key);
	const char *val = dflt, *slash;
	int ret, n;

	if (s) {
		ret = config_get_string(c, s, "top level", key, &val);
		if (ret < 0)
			return ret;
		if (!*val)
			return config_fail(c, s, "%s must not be empty", key);
	}
	slash = strrchr(c->path, '/');
	if (val[0] == '/' || !slash)
		n = snprintf(out, POLICY_PATH_MAX, "%s", val);
	else
		n = snprintf(out, POLICY_PATH_MAX, "%.*s/%s", (int)(slash - c->path), c->path, val);
	if (n < 0 || n >= POLICY_PATH_MAX)
		return config_fail(c, s, "%s: resolved path is too long (at most %d bytes)", key,
				   POLICY_PATH_MAX - 1);
	return 0;
}

/* Check a host pattern and write its canonical form (lower case, without
 * the trailing dot) into out. Names are compared byte for byte with what
 * TLS and HTTP carry, which is punycode for internationalised names. */
static int config_host_normalize(struct config_ctx *c, const config_setting_t *s, const char *label,
				 const char *in, char out[CONFIG_HOST_MAX + 1])
{
	size_t i, n = strlen(in), label_len = 0;
	char *name;

	for (i = 0; i < n; i++)
		if ((unsigned char)in[i] >= 0x80)
			return config_fail(c, s,
					   "%s: host '%s' is not ASCII: write internationalised "
					   "names in punycode (xn--...)",
					   label, in);
	if (n && in[n - 1] == '.')
		n--;
	if (n > CONFIG_HOST_MAX)
		goto bad;
	memcpy(out, in, n);
	out[n] = '\0';
	if (n >= 2 && out[0] == '*' && out[1] == '.')
		name = out + 2;
	else
		name = out;
	if (!*name)
		goto bad;
	for (i = 0; name[i]; i++) {
		char *ch = &name[i];

		if (*ch >= 'A' && *ch <= 'Z')
			*ch = (char)(*ch - 'A' + 'a');
		if (*ch == '.') {
			if (label_len == 0)
				goto bad;
			label_len = 0;
			continue;
		}
		if (!((*ch >= 'a' && *ch <= 'z') || (*ch >= '0' && *ch <= '9') || *ch == '-'))
			goto bad;
		if (++label_len > CONFIG_LABEL_MAX)
			goto bad;
	}
	if (label_len == 0)
		goto bad;
	return 0;
bad:
	return config_fail(c, s,
			   "%s: bad host '%s' (letters, digits, '-' and '.', optionally starting "
			   "with '*.')",
			   label, in);
}

static int config_parse_prefixes(struct config_ctx *c, const config_setting_t *s, const char *label,
				 const char *what, struct policy_prefix **out, unsigned *n_out)
{
	unsigned i, n;
	int ret;

	ret = config_get_seq(c, s, label, what, &n);
	if (ret < 0)
		return ret;
	if (n == 0)
		return config_fail(c, s, "%s: %s must not be empty", label, what);
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return config_fail(c, s, "out of memory");
	*n_out = n;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *text;

		ret = config_get_string(c, e, label, what, &text);
		if (ret < 0)
			return ret;
		if (policy_prefix_parse(text, &(*out)[i]) < 0)
			return config_fail(c, e,
					   "%s: bad address '%s' in %s (expected a.b.c.d[/len] or "
					   "an IPv6 address[/len])",
					   label, text, what);
	}
	return 0;
}

static int config_parse_endpoint(struct config_ctx *c, const config_setting_t *g, unsigned idx)
{
	struct policy_endpoint *ep = &c->p->endpoints[idx];
	const config_setting_t *s;
	char label[POLICY_NAME_MAX + 16];
	unsigned i, j, n;
	int ret;

	config_label(label, sizeof(label), "endpoint", g, idx);
	ret = config_check_keys(c, g, label, config_endpoint_keys);
	if (ret < 0)
		return ret;
	ret = config_get_name(c, g, label, ep->name);
	if (ret < 0)
		return ret;
	for (i = 0; i < idx; i++)
		if (strcmp(c->p->endpoints[i].name, ep->name) == 0)
			return config_fail(
				c, g, "endpoint '%s' is defined twice (first at line %u)", ep->name,
				config_line(config_setting_get_elem(config_setting_parent(g), i)));

	s = config_setting_get_member(g, "addresses");
	if (!s)
		return config_fail(c, g, "%s: missing 'addresses'", label);
	ret = config_parse_prefixes(c, s, label, "addresses", &ep->prefixes, &ep->n_prefixes);
	if (ret < 0)
		return ret;

	if ((s = config_setting_get_member(g, "hosts"))) {
		ret = config_get_seq(c, s, label, "hosts", &n);
		if (ret < 0)
			return ret;
		if (n) {
			ep->hosts = calloc(n, sizeof(*ep->hosts));
			if (!ep->hosts)
				return config_fail(c, s, "out of memory");
			ep->n_hosts = n;
		}
		for (i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, i);
			char host[CONFIG_HOST_MAX + 1];
			const char *text;

			ret = config_get_string(c, e, label, "hosts", &text);
			if (ret < 0)
				return ret;
			ret = config_host_normalize(c, e, label, text, host);
			if (ret < 0)
				return ret;
			ep->hosts[i] = strdup(host);
			if (!ep->hosts[i])
				return config_fail(c, e, "out of memory");
		}
	}

	if ((s = config_setting_get_member(g, "ports"))) {
		ret = config_get_seq(c, s, label, "ports", &n);
		if (ret < 0)
			return ret;
		if (n) {
			ep->ports = calloc(n, sizeof(*ep->ports));
			if (!ep->ports)
				return config_fail(c, s, "out of memory");
			ep->n_ports = n;
		}
		for (i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, i);
			long long v;

			ret = config_get_int(c, e, label, "a port", 1, 65535, &v);
			if (ret < 0)
				return ret;
			ep->ports[i] = (uint16_t)v;
			for (j = 0; j < i; j++)
				if (ep->ports[j] == ep->ports[i])
					return config_fail(c, e, "%s: port %lld is listed twice",
							   label, v);
		}
	}

	if ((s = config_setting_get_member(g, "apps"))) {
		ret = config_get_seq(c, s, label, "apps", &n);
		if (ret < 0)
			return ret;
		if (n) {
			ep->apps = calloc(n, sizeof(*ep->apps));
			if (!ep->apps)
				return config_fail(c, s, "out of memory");
			ep->n_apps = n;
		}
		for (i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, i);
			const char *text;

			ret = config_get_string(c, e, label, "apps", &text);
			if (ret < 0)
				return ret;
			if (!config_name_valid(text))
				return config_fail(c, e,
						   "%s: bad app '%s' (an nDPI protocol name such "
						   "as \"TLS\" or \"SMTP\": A-Z a-z 0-9 _ . -)",
						   label, text);
			ep->apps[i] = strdup(text);
			if (!ep->apps[i])
				return config_fail(c, e, "out of memory");
		}
	}
	if ((s = config_setting_get_member(g, "shared_front"))) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return config_fail(c, s, "%s: shared_front must be true or false", label);
		ep->shared_front = config_setting_get_bool(s) != 0;
	}
	return 0;
}

static int config_parse_endpoints(struct config_ctx *c, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root, "endpoints");
	unsigned i, n;
	int ret;

	if (!list)
		return 0;
	ret = config_get_groups(c, list, "endpoints", "endpoint", &n);
	if (ret < 0 || n == 0)
		return ret;
	c->p->endpoints = calloc(n, sizeof(*c->p->endpoints));
	if (!c->p->endpoints)
		return config_fail(c, list, "out of memory");
	c->p->n_endpoints = n;
	for (i = 0; i < n; i++) {
		ret = config_parse_endpoint(c, config_setting_get_elem(list, i), i);
		if (ret < 0)
			return ret;
	}
	c->p->no_apps = true;
	for (i = 0; i < n; i++)
		if (c->p->endpoints[i].n_apps)
			c->p->no_apps = false;
	return 0;
}

static int config_get_action(struct config_ctx *c, const config_setting_t *g, const char *label,
			     const char *key, int dflt, uint8_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *text;
	int ret;

	if (!s) {
		if (dflt < 0)
			return config_fail(c, g, "%s: missing '%s' (\"allow\" or \"drop\")", label,
					   key);
		*out = (uint8_t)dflt;
		return 0;
	}
	ret = config_get_string(c, s, label, key, &text);
	if (ret < 0)
		return ret;
	if (strcmp(text, "allow") == 0)
		*out = POLICY_ACT_ALLOW;
	else if (strcmp(text, "drop") == 0)
		*out = POLICY_ACT_DROP;
	else
		return config_fail(c, s, "%s: %s must be \"allow\" or \"drop\" (got \"%s\")", label,
				   key, text);
	return 0;
}

static int config_parse_allow(struct config_ctx *c, const config_setting_t *s, const char *label,
			      struct policy_profile *prof)
{
	unsigned i, j, k, n;
	int ret;

	ret = config_get_seq(c, s, label, "allow", &n);
	if (ret < 0 || n == 0)
		return ret;
	prof->allow = calloc(n, sizeof(*prof->allow));
	if (!prof->allow)
		return config_fail(c, s, "out of memory");
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *name;

		ret = config_get_string(c, e, label, "allow", &name);
		if (ret < 0)
			return ret;
		for (j = 0; j < c->p->n_endpoints; j++)
			if (strcmp(c->p->endpoints[j].name, name) == 0)
				break;
		if (j == c->p->n_endpoints)
			return config_fail(c, e, "%s: unknown endpoint '%s' in allow", label, name);
		for (k = 0; k < prof->n_allow; k++)
			if (prof->allow[k] == j)
				return config_fail(c, e,
						   "%s: endpoint '%s' is listed twice in allow",
						   label, name);
		prof->allow[prof->n_allow++] = (uint16_t)j;
	}
	return 0;
}

static int config_parse_block(struct config_ctx *c, const config_setting_t *s, const char *label,
			      struct policy_profile *prof)
{
	unsigned i, n, cls;
	int ret;

	ret = config_get_seq(c, s, label, "block", &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *names[POLICY_CLASS_COUNT];
		char valid[512];
		const char *name;

		ret = config_get_string(c, e, label, "block", &name);
		if (ret < 0)
			return ret;
		cls = policy_class_from_name(name);
		if (cls == POLICY_CLASS_NONE) {
			for (cls = 1; cls < POLICY_CLASS_COUNT; cls++)
				names[cls - 1] = policy_class_name(cls);
			names[POLICY_CLASS_COUNT - 1] = NULL;
			config_join(valid, sizeof(valid), names);
			return config_fail(c, e,
					   "%s: unknown class '%s' in block (valid classes: %s)",
					   label, name, valid);
		}
		if (prof->block_mask & (1u << cls))
			return config_fail(c, e, "%s: class '%s' is listed twice in block", label,
					   name);
		prof->block_mask |= 1u << cls;
	}
	return 0;
}

static int config_parse_profile(struct config_ctx *c, const config_setting_t *g, unsigned idx)
{
	struct policy_profile *prof = &c->p->profiles[idx];
	const config_setting_t *s;
	char label[POLICY_NAME_MAX + 16];
	unsigned i;
	int ret;

	config_label(label, sizeof(label), "profile", g, idx);
	ret = config_check_keys(c, g, label, config_profile_keys);
	if (ret < 0)
		return ret;
	ret = config_get_name(c, g, label, prof->name);
	if (ret < 0)
		return ret;
	for (i = 0; i < idx; i++)
		if (strcmp(c->p->profiles[i].name, prof->name) == 0)
			return config_fail(
				c, g, "profile '%s' is defined twice (first at line %u)",
				prof->name,
				config_line(config_setting_get_elem(config_setting_parent(g), i)));

	/* Inbound is closed unless asked for; the fail-closed actions follow
	 * the default, so a drop-by-default profile fails closed. */
	ret = config_get_action(c, g, label, "default", -1, &prof->default_action);
	if (ret == 0)
		ret = config_get_action(c, g, label, "inbound", POLICY_ACT_DROP,
					&prof->inbound_action);
	if (ret == 0)
		ret = config_get_action(c, g, label, "on_giveup", prof->default_action,
					&prof->on_giveup);
	if (ret == 0)
		ret = config_get_action(c, g, label, "on_exception", prof->default_action,
					&prof->on_exception);
	if (ret < 0)
		return ret;
	/* A guess waits for DPI where the default allows (an intranet web
	 * server on 8080 is not a proxy), and blocks at once where it drops. */
	prof->guess_blocks = prof->default_action == POLICY_ACT_DROP;
	if ((s = config_setting_get_member(g, "guess"))) {
		const char *text;

		ret = config_get_string(c, s, label, "guess", &text);
		if (ret < 0)
			return ret;
		if (strcmp(text, "block") == 0)
			prof->guess_blocks = true;
		else if (strcmp(text, "wait") == 0)
			prof->guess_blocks = false;
		else
			return config_fail(c, s,
					   "%s: guess must be \"block\" or \"wait\" (got \"%s\")",
					   label, text);
	}

	if ((s = config_setting_get_member(g, "allow"))) {
		ret = config_parse_allow(c, s, label, prof);
		if (ret < 0)
			return ret;
	}
	if ((s = config_setting_get_member(g, "block"))) {
		ret = config_parse_block(c, s, label, prof);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int config_parse_profiles(struct config_ctx *c, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root, "profiles");
	unsigned i, n;
	int ret;

	if (!list)
		return 0;
	ret = config_get_groups(c, list, "profiles", "profile", &n);
	if (ret < 0 || n == 0)
		return ret;
	c->p->profiles = calloc(n, sizeof(*c->p->profiles));
	if (!c->p->profiles)
		return config_fail(c, list, "out of memory");
	c->p->n_profiles = n;
	for (i = 0; i < n; i++) {
		ret = config_parse_profile(c, config_setting_get_elem(list, i), i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int config_parse_zone(struct config_ctx *c, const config_setting_t *g, unsigned idx)
{
	struct policy *p = c->p;
	struct policy_zone *z = &p->zones[idx];
	struct policy_prefix *pfx = NULL;
	const config_setting_t *s;
	char label[POLICY_NAME_MAX + 16];
	const char *prof_name;
	unsigned i, j, n_pfx = 0;
	int ret;

	config_label(label, sizeof(label), "zone", g, idx);
	ret = config_check_keys(c, g, label, config_zone_keys);
	if (ret < 0)
		return ret;
	ret = config_get_name(c, g, label, z->name);
	if (ret < 0)
		return ret;
	/* The flow log writes "none" for traffic outside every zone. */
	if (strcmp(z->name, "none") == 0)
		return config_fail(c, g,
				   "zone name 'none' is reserved (the flow log uses it for "
				   "traffic outside every zone)");
	for (i = 0; i < idx; i++)
		if (strcmp(p->zones[i].name, z->name) == 0)
			return config_fail(
				c, g, "zone '%s' is defined twice (first at line %u)", z->name,
				config_line(config_setting_get_elem(config_setting_parent(g), i)));

	s = config_setting_get_member(g, "profile");
	if (!s)
		return config_fail(c, g, "%s: missing 'profile'", label);
	ret = config_get_string(c, s, label, "profile", &prof_name);
	if (ret < 0)
		return ret;
	for (i = 0; i < p->n_profiles; i++)
		if (strcmp(p->profiles[i].name, prof_name) == 0)
			break;
	if (i == p->n_profiles)
		return config_fail(c, s, "%s: unknown profile '%s'", label, prof_name);
	z->profile = i;

	s = config_setting_get_member(g, "subnets");
	if (!s)
		return config_fail(c, g, "%s: missing 'subnets'", label);
	ret = config_parse_prefixes(c, s, label, "subnets", &pfx, &n_pfx);
	if (ret < 0)
		goto out_free_pfx;

	/* One address must have one zone: the same subnet twice would make
	 * the zone depend on the order of the file. Nested subnets are fine:
	 * the longest prefix wins. */
	for (i = 0; i < n_pfx; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct policy_zone_prefix *zp;
		char text[INET6_ADDRSTRLEN + 8];

		for (j = 0; j < p->n_zone_prefixes; j++) {
			zp = &p->zone_prefixes[j];
			if (zp->pfx.len != pfx[i].len || memcmp(zp->pfx.addr, pfx[i].addr, 16))
				continue;
			config_prefix_format(&pfx[i], text, sizeof(text));
			if (zp->zone == idx)
				ret = config_fail(c, e, "%s: subnet %s is listed twice", label,
						  text);
			else
				ret = config_fail(c, e, "%s: subnet %s is already in zone '%s'",
						  label, text, p->zones[zp->zone].name);
			goto out_free_pfx;
		}
		zp = &p->zone_prefixes[p->n_zone_prefixes++];
		zp->pfx = pfx[i];
		zp->zone = (uint16_t)idx;
	}
	ret = 0;
out_free_pfx:
	free(pfx);
	return ret;
}

static int config_zone_prefix_cmp(const void *a, const void *b)
{
	const struct policy_zone_prefix *x = a, *y = b;

	if (x->pfx.len != y->pfx.len)
		return x->pfx.len > y->pfx.len ? -1 : 1;
	return memcmp(x->pfx.addr, y->pfx.addr, 16);
}

static int config_parse_zones(struct config_ctx *c, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root, "zones");
	unsigned i, n, total = 0;
	int ret;

	if (!list)
		return 0;
	ret = config_get_groups(c, list, "zones", "zone", &n);
	if (ret < 0 || n == 0)
		return ret;
	/* Size the prefix table up front from the subnets lists; their shape
	 * is checked properly in config_parse_zone(). */
	for (i = 0; i < n; i++) {
		const config_setting_t *s =
			config_setting_get_member(config_setting_get_elem(list, i), "subnets");

		if (s && config_setting_is_aggregate(s))
			total += (unsigned)config_setting_length(s);
	}
	c->p->zones = calloc(n, sizeof(*c->p->zones));
	c->p->zone_prefixes = calloc(total ? total : 1, sizeof(*c->p->zone_prefixes));
	if (!c->p->zones || !c->p->zone_prefixes)
		return config_fail(c, list, "out of memory");
	c->p->n_zones = n;
	for (i = 0; i < n; i++) {
		ret = config_parse_zone(c, config_setting_get_elem(list, i), i);
		if (ret < 0)
			return ret;
	}
	/* Longest first, so that policy_zone_find's first hit is the longest
	 * match. Prefixes are unique, so the order is total. */
	qsort(c->p->zone_prefixes, c->p->n_zone_prefixes, sizeof(*c->p->zone_prefixes),
	      config_zone_prefix_cmp);
	return 0;
}

static int config_parse_version(struct config_ctx *c, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "version");
	long long v;

	if (!s)
		return config_fail(c, root, "missing 'version = 1;' (the config format version)");
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return config_fail(c, s, "version must be the integer 1");
	v = config_setting_get_int64(s);
	if (v != 1)
		return config_fail(
			c, s, "unsupported config version %lld (this aduana reads version 1)", v);
	return 0;
}

/* Read the whole file; *text is NUL-terminated and owned by the caller. */
static int config_read_all(struct config_ctx *c, char **text, size_t *size)
{
	struct stat st;
	size_t used = 0;
	char *buf;
	int fd, ret;

	fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(c->err, c->errlen, "%s:0: cannot open: %s", c->path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(c->err, c->errlen, "%s:0: cannot stat: %s", c->path, strerror(-ret));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > CONFIG_FILE_MAX) {
		ret = -EINVAL;
		snprintf(c->err, c->errlen, "%s:0: not a regular file of at most %u bytes", c->path,
			 CONFIG_FILE_MAX);
		goto out_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		snprintf(c->err, c->errlen, "%s:0: out of memory", c->path);
		goto out_close;
	}
	/* Read up to the size seen by fstat; a file that grows meanwhile is
	 * cut there, and the hash still covers exactly what is parsed. */
	while (used < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(c->err, c->errlen, "%s:0: cannot read: %s", c->path,
				 strerror(-ret));
			goto out_free_buf;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*text = buf;
	*size = used;
	ret = 0;
	goto out_close;
out_free_buf:
	free(buf);
out_close:
	close(fd);
	return ret;
}

/* libconfig would stop at a NUL byte and would pull in @include files that
 * the hash does not cover; refuse both so that the hash means "this policy". */
static int config_check_text(struct config_ctx *c, const char *text, size_t size)
{
	unsigned line = 1;
	bool bol = true;
	size_t i;

	for (i = 0; i < size; i++) {
		if (text[i] == '\0') {
			snprintf(c->err, c->errlen, "%s:%u: NUL byte in the file", c->path, line);
			return -EINVAL;
		}
		if (text[i] == '\n') {
			line++;
			bol = true;
			continue;
		}
		if (bol && (text[i] == ' ' || text[i] == '\t'))
			continue;
		if (bol && strncmp(text + i, "@include", 8) == 0) {
			snprintf(c->err, c->errlen,
				 "%s:%u: @include is not supported: keep the policy in one file, "
				 "so that its hash covers all of it",
				 c->path, line);
			return -EINVAL;
		}
		bol = false;
	}
	return 0;
}

struct policy *config_load(const char *path, uint32_t version, char *err, size_t errlen)
{
	static char dummy_err[1];
	struct config_ctx ctx = {.path = path, .err = err, .errlen = errlen};
	struct config_ctx *c = &ctx;
	config_setting_t *root;
	struct policy *p;
	config_t cfg;
	size_t size = 0;
	char *text = NULL;

	if (!err || errlen == 0) {
		c->err = dummy_err;
		c->errlen = sizeof(dummy_err);
	}
	c->err[0] = '\0';
	if (!path) {
		snprintf(c->err, c->errlen, "(null):0: no config file given");
		return NULL;
	}
	if (strlen(path) >= sizeof(p->source)) {
		snprintf(c->err, c->errlen, "%s:0: path is too long (at most %zu bytes)", path,
			 sizeof(p->source) - 1);
		return NULL;
	}
	if (config_read_all(c, &text, &size) < 0)
		return NULL;
	if (config_check_text(c, text, size) < 0)
		goto out_free_text;

	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(c->err, c->errlen, "%s:0: out of memory", path);
		goto out_free_text;
	}
	c->p = p;
	p->version = version;
	strcpy(p->source, path);
	sha256_hex(text, size, p->hash);

	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		snprintf(c->err, c->errlen, "%s:%d: %s", path, config_error_line(&cfg),
			 config_error_text(&cfg));
		config_sanitize(c->err);
		goto out_destroy_cfg;
	}
	root = config_root_setting(&cfg);
	if (config_check_keys(c, root, NULL, config_top_keys) < 0 ||
	    config_parse_version(c, root) < 0 || config_parse_dataplane(c, root) < 0 ||
	    config_parse_log(c, root) < 0 ||
	    config_get_action(c, root, "config", "unzoned", POLICY_ACT_DROP, &p->unzoned_action) <
		    0 ||
	    config_parse_path(c, root, "classes", "classes.conf", p->classes_path) < 0 ||
	    config_parse_path(c, root, "lists", "lists", p->lists_path) < 0 ||
	    config_parse_endpoints(c, root) < 0 || config_parse_profiles(c, root) < 0 ||
	    config_parse_zones(c, root) < 0)
		goto out_destroy_cfg;

	config_destroy(&cfg);
	free(text);
	return p;

out_destroy_cfg:
	config_destroy(&cfg);
	policy_free(p);
out_free_text:
	free(text);
	return NULL;
}
