/* grant.c - grants: parsing, text form, checks (see grant.h). */
#include "grant.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char grant_app_tls[] = "TLS";
static char grant_app_http[] = "HTTP";

static int grant_fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	char shown[72];
	size_t i;

	/* What the operator typed, shown safely and short. */
	for (i = 0; what && what[i] && i < sizeof(shown) - 4; i++)
		shown[i] = isprint((unsigned char)what[i]) ? what[i] : '?';
	if (what && what[i])
		memcpy(shown + i, "...", 3), i += 3;
	shown[i] = '\0';
	snprintf(err, errlen, fmt, shown);
	return -EINVAL;
}

static bool grant_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int grant_parse_src(const char *s, struct policy_grant *g, char *err, size_t errlen)
{
	size_t i, n = s ? strlen(s) : 0;

	memset(&g->local, 0, sizeof(g->local));
	g->zone_name[0] = '\0';
	if (n == 0)
		return grant_fail(err, errlen, "src: empty%s", "");
	if (policy_prefix_parse(s, &g->local) == 0)
		return 0;
	/* A zone name: what config.c accepts for names (lower case here). */
	if (n >= POLICY_NAME_MAX || strchr(s, '.') || strchr(s, ':') || strchr(s, '/'))
		return grant_fail(err, errlen,
				  "src '%s': not an address, a prefix or a zone name", s);
	for (i = 0; i < n; i++)
		if (!grant_name_char(s[i]))
			return grant_fail(err, errlen,
					  "src '%s': not an address, a prefix or a zone name", s);
	memcpy(g->zone_name, s, n + 1);
	return 0;
}

/* A host name as the policy reads names: labels of [a-z0-9-_], 1..63
 * bytes, at least two labels, an optional leading "*." and no trailing
 * dot; the last label is not all digits (that is a bad address). */
static bool grant_host_ok(const char *h)
{
	size_t n = strlen(h), lab = 0, labels = 1, i;
	bool digits = true;

	if (h[0] == '*' && h[1] == '.')
		h += 2, n -= 2;
	if (n == 0 || n >= GRANT_HOST_MAX - 2 || h[0] == '.' || h[n - 1] == '.' ||
	    h[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
			labels++;
			digits = true;
			continue;
		}
		if (!grant_name_char(h[i]))
			return false;
		digits &= isdigit((unsigned char)h[i]) != 0;
		if (++lab > 63)
			return false;
	}
	return labels >= 2 && !digits;
}

static int grant_port(const char *p, uint16_t *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)p[0]) || (p[0] == '0'))
		return -EINVAL;
	v = strtoul(p, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int grant_parse_dst(const char *s, struct policy_grant *g, char *err, size_t errlen)
{
	char buf[GRANT_HOST_MAX + 64], *colon, *addr = buf;
	size_t n = s ? strlen(s) : 0, i;

	memset(&g->remote, 0, sizeof(g->remote));
	g->host[0] = '\0';
	g->port = 0;
	if (n == 0)
		return grant_fail(err, errlen, "dst: empty%s", "");
	if (n >= sizeof(buf))
		return grant_fail(err, errlen, "dst '%s': too long", s);
	memcpy(buf, s, n + 1);
	if (buf[0] == '[') {
		/* [v6]:port */
		char *close = strchr(buf, ']');

		if (!close)
			return grant_fail(err, errlen, "dst '%s': expected [IPV6]:PORT", s);
		*close = '\0';
		addr = buf + 1;
		if (close[1] == ':') {
			if (grant_port(close + 2, &g->port) != 0)
				return grant_fail(err, errlen, "dst '%s': bad port (1..65535)", s);
		} else if (close[1]) {
			return grant_fail(err, errlen, "dst '%s': expected [IPV6]:PORT", s);
		}
	} else if ((colon = strchr(buf, ':')) && !strchr(colon + 1, ':')) {
		/* One colon: ADDR:PORT or HOST:PORT (IPv6 has more). */
		*colon = '\0';
		if (grant_port(colon + 1, &g->port) != 0)
			return grant_fail(err, errlen, "dst '%s': bad port (1..65535)", s);
	}
	if (policy_prefix_parse(addr, &g->remote) == 0)
		return 0;
	memset(&g->remote, 0, sizeof(g->remote));
	if (addr != buf || strchr(addr, ':') || strchr(addr, '/'))
		return grant_fail(err, errlen, "dst '%s': not an address, a prefix or a host name",
				  s);
	for (i = 0; addr[i]; i++)
		addr[i] = (char)tolower((unsigned char)addr[i]);
	if (!grant_host_ok(addr))
		return grant_fail(err, errlen,
				  "dst '%s': not an address, a prefix or a host name "
				  "(names: letters, digits, '-', at least two labels, at most 61 "
				  "bytes)",
				  s);
	snprintf(g->host, sizeof(g->host), "%s", addr);
	return 0;
}

bool grant_approval_ok(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n >= GRANT_APPROVAL_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._:/#+-", s[i]))
			return false;
	return true;
}

static int grant_u64(const char *v, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

int grant_parse_line(const char *line, struct policy_grant *g, char *err, size_t errlen)
{
	char buf[GRANT_LINE_MAX], *tok, *save = NULL, *hash;
	unsigned seen = 0;
	uint64_t v;
	size_t n = strlen(line);

	memset(g, 0, sizeof(*g));
	if (n >= sizeof(buf))
		return grant_fail(err, errlen, "grant line too long (%s)", "max 511 bytes");
	memcpy(buf, line, n + 1);
	hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	for (tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return grant_fail(err, errlen, "expected key=value, got '%s'", tok);
		*eq++ = '\0';
		if (strcmp(tok, "id") == 0) {
			if (grant_u64(eq, &v) != 0 || v == 0 || v > UINT32_MAX)
				return grant_fail(err, errlen, "id '%s': expected 1..4294967295",
						  eq);
			g->id = (uint32_t)v;
			seen |= 1;
		} else if (strcmp(tok, "src") == 0) {
			if (grant_parse_src(eq, g, err, errlen) != 0)
				return -EINVAL;
			seen |= 2;
		} else if (strcmp(tok, "dst") == 0) {
			if (grant_parse_dst(eq, g, err, errlen) != 0)
				return -EINVAL;
			seen |= 4;
		} else if (strcmp(tok, "from") == 0) {
			if (grant_u64(eq, &g->from) != 0)
				return grant_fail(err, errlen, "from '%s': expected epoch seconds",
						  eq);
		} else if (strcmp(tok, "until") == 0) {
			if (grant_u64(eq, &g->until) != 0 || g->until > UINT32_MAX)
				return grant_fail(err, errlen,
						  "until '%s': expected epoch seconds", eq);
			seen |= 8;
		} else if (strcmp(tok, "approval") == 0) {
			if (!grant_approval_ok(eq))
				return grant_fail(err, errlen,
						  "approval '%s': expected 1..64 of "
						  "[A-Za-z0-9._:/#+-]",
						  eq);
			snprintf(g->approval, sizeof(g->approval), "%s", eq);
			seen |= 16;
		} else {
			return grant_fail(err, errlen, "unknown key '%s'", tok);
		}
	}
	if (seen == 0)
		return 1;
	if (seen != 31)
		return grant_fail(err, errlen, "%s",
				  "a grant needs id, src, dst, until and approval");
	if (g->until <= g->from)
		return grant_fail(err, errlen, "%s", "until must come after from");
	return 0;
}

void grant_src_str(const struct policy_grant *g, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	const struct policy_prefix *p = &g->local;

	if (g->zone_name[0]) {
		snprintf(buf, size, "%s", g->zone_name);
		return;
	}
	if (policy_addr_is_v4(p->addr) && p->len >= 96) {
		inet_ntop(AF_INET, p->addr + 12, a, sizeof(a));
		if (p->len == 128)
			snprintf(buf, size, "%s", a);
		else
			snprintf(buf, size, "%s/%u", a, p->len - 96);
	} else {
		inet_ntop(AF_INET6, p->addr, a, sizeof(a));
		if (p->len == 128)
			snprintf(buf, size, "%s", a);
		else
			snprintf(buf, size, "%s/%u", a, p->len);
	}
}

void grant_dst_str(const struct policy_grant *g, char *buf, size_t size)
{
	char a[GRANT_HOST_MAX + INET6_ADDRSTRLEN];
	const struct policy_prefix *p = &g->remote;
	bool v6 = false;

	if (g->host[0]) {
		snprintf(a, sizeof(a), "%s", g->host);
	} else if (policy_addr_is_v4(p->addr) && p->len >= 96) {
		char t[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, p->addr + 12, t, sizeof(t));
		if (p->len == 128)
			snprintf(a, sizeof(a), "%s", t);
		else
			snprintf(a, sizeof(a), "%s/%u", t, p->len - 96);
	} else {
		char t[INET6_ADDRSTRLEN];

		v6 = true;
		inet_ntop(AF_INET6, p->addr, t, sizeof(t));
		if (p->len == 128)
			snprintf(a, sizeof(a), "%s", t);
		else
			snprintf(a, sizeof(a), "%s/%u", t, p->len);
	}
	if (!g->port)
		snprintf(buf, size, "%s", a);
	else if (v6)
		snprintf(buf, size, "[%s]:%u", a, g->port);
	else
		snprintf(buf, size, "%s:%u", a, g->port);
}

int grant_format(const struct policy_grant *g, char *buf, size_t size)
{
	char src[80], dst[GRANT_HOST_MAX + 64];

	grant_src_str(g, src, sizeof(src));
	grant_dst_str(g, dst, sizeof(dst));
	return snprintf(buf, size, "id=%u src=%s dst=%s from=%" PRIu64 " until=%" PRIu64
			" approval=%s",
			g->id, src, dst, g->from, g->until, g->approval);
}

int grant_check(const struct policy_grant *g, const struct policy *p, char *err, size_t errlen)
{
	unsigned i;
	int z, other = -1;
	bool within = false;
	char src[80];

	if (g->zone_name[0]) {
		for (i = 0; i < p->n_zones; i++)
			if (strcmp(p->zones[i].name, g->zone_name) == 0)
				return 0;
		snprintf(err, errlen, "src '%s': no such zone in %s", g->zone_name, p->source);
		return -ENOENT;
	}
	z = policy_zone_find(p, g->local.addr);
	grant_src_str(g, src, sizeof(src));
	if (z < 0) {
		snprintf(err, errlen,
			 "src %s is in no zone of %s: its flows are not judged, nothing to grant",
			 src, p->source);
		return -ENOENT;
	}
	/* A prefix is addresses of one zone: inside one of its subnets, with
	 * no subnet of another zone (a longer one, carved out of it) inside:
	 * else the grant would reach hosts of a zone it does not name. */
	for (i = 0; i < p->n_zone_prefixes; i++) {
		const struct policy_zone_prefix *zp = &p->zone_prefixes[i];

		if (zp->zone == z && zp->pfx.len <= g->local.len &&
		    policy_prefix_match(&zp->pfx, g->local.addr))
			within = true;
		if (zp->zone != z && other < 0 && zp->pfx.len > g->local.len &&
		    policy_prefix_match(&g->local, zp->pfx.addr))
			other = zp->zone;
	}
	if (!within || other >= 0) {
		snprintf(err, errlen,
			 "src %s is not all in zone %s of %s%s%s: a grant's source is a zone, or "
			 "addresses of one",
			 src, p->zones[z].name, p->source,
			 other >= 0 ? "; it covers addresses of zone " : "",
			 other >= 0 ? p->zones[other].name : "");
		return -EINVAL;
	}
	return 0;
}

void grant_fix(struct policy_grant *g, const struct policy *p)
{
	unsigned i;

	g->zone = -1;
	if (g->zone_name[0] && p)
		for (i = 0; i < p->n_zones; i++)
			if (strcmp(p->zones[i].name, g->zone_name) == 0)
				g->zone = (int)i;
	memset(&g->ep, 0, sizeof(g->ep));
	if (!g->host[0])
		return;
	snprintf(g->ep.name, sizeof(g->ep.name), "grant:%u", g->id);
	g->ep_hosts[0] = g->host;
	g->ep.hosts = g->ep_hosts;
	g->ep.n_hosts = 1;
	g->ep_apps[0] = grant_app_tls;
	g->ep_apps[1] = grant_app_http;
	g->ep.apps = g->ep_apps;
	g->ep.n_apps = 2;
	if (g->port) {
		g->ep_ports[0] = g->port;
		g->ep.ports = g->ep_ports;
		g->ep.n_ports = 1;
	}
}

const struct policy_grant *grant_of(const struct policy_grants *t,
				    const struct policy_decision *d)
{
	if (!t || d->reason != POLICY_R_GRANT || d->arg >= t->n)
		return NULL;
	return &t->g[d->arg];
}
