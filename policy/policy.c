/* policy.c - evaluation of a flow against a policy snapshot (DESIGN 4).
 *
 * Everything here is read-only on the snapshot and allocation-free, so
 * workers may call it on the packet path; only policy_free() writes.
 */
#include "policy.h"

#include "grant.h"

#include "dns.h" /* dataplane/: the DNS wire format, pure C */

#include <arpa/inet.h>
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const policy_class_names[POLICY_CLASS_COUNT] = {[POLICY_CLASS_NONE] = NULL,
#define X(n) [POLICY_CLASS_##n] = #n,
								   POLICY_CLASSES(X)
#undef X
};

static const char *const policy_exception_names[POLICY_EXC_COUNT] = {
#define X(n) [POLICY_EXC_##n] = #n,
	POLICY_EXCEPTIONS(X)
#undef X
};

const char *policy_class_name(unsigned cls)
{
	return cls < POLICY_CLASS_COUNT ? policy_class_names[cls] : NULL;
}

const char *policy_exception_name(unsigned e)
{
	return e < POLICY_EXC_COUNT ? policy_exception_names[e] : NULL;
}

unsigned policy_class_from_name(const char *name)
{
	unsigned i;

	if (!name)
		return POLICY_CLASS_NONE;
	for (i = 1; i < POLICY_CLASS_COUNT; i++)
		if (strcmp(policy_class_names[i], name) == 0)
			return i;
	return POLICY_CLASS_NONE;
}

bool policy_addr_is_v4(const uint8_t addr[16])
{
	uint64_t hi;
	uint32_t mid;

	/* ::ffff:0:0/96, as two words rather than a memcmp call */
	memcpy(&hi, addr, 8);
	memcpy(&mid, addr + 8, 4);
	return hi == 0 && mid == htonl(0xffff);
}

void policy_addr_from_v4(uint8_t out[16], const uint8_t v4[4])
{
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

/* Clear the host bits so that equal prefixes compare equal byte for byte
 * (config.c relies on this to find a subnet listed in two zones). */
static void policy_prefix_mask(struct policy_prefix *pfx)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned bits = pfx->len > i * 8 ? pfx->len - i * 8 : 0;

		if (bits < 8)
			pfx->addr[i] &= (uint8_t)(0xff00u >> bits);
	}
}

/* A strict decimal length: digits only, no sign, no spaces, no leading
 * zero, at most max. Anything looser lets typos through as valid prefixes. */
static int policy_prefix_len_parse(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int policy_prefix_parse(const char *text, struct policy_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct policy_prefix pfx;
	uint8_t v4[4];
	unsigned len;
	char *slash;
	size_t n;

	if (!text || !out)
		return -EINVAL;
	n = strlen(text);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';

	memset(&pfx, 0, sizeof(pfx));
	if (inet_pton(AF_INET, buf, v4) == 1) {
		len = 32;
		if (slash && policy_prefix_len_parse(slash, 32, &len) < 0)
			return -EINVAL;
		policy_addr_from_v4(pfx.addr, v4);
		pfx.len = (uint8_t)(len + 96);
	} else if (inet_pton(AF_INET6, buf, pfx.addr) == 1) {
		len = 128;
		if (slash && policy_prefix_len_parse(slash, 128, &len) < 0)
			return -EINVAL;
		pfx.len = (uint8_t)len;
		/* Would match IPv4 packets: say it in IPv4. */
		if (len >= 96 && policy_addr_is_v4(pfx.addr))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	/* Host bits are accepted and dropped: "10.1.2.3/16" means 10.1.0.0/16,
	 * as most routers read it. */
	policy_prefix_mask(&pfx);
	*out = pfx;
	return 0;
}

bool policy_prefix_match(const struct policy_prefix *pfx, const uint8_t addr[16])
{
	unsigned len = pfx->len;
	uint64_t a0, a1, p0, p1, m0, m1;

	/* An IPv4 prefix is 96 bits or longer; a shorter one is IPv6 and may
	 * cover ::ffff:0:0/96 ("::/0"), which is not IPv4 space to it. */
	if (len < 96 && policy_addr_is_v4(addr))
		return false;
	if (len > 128) /* not a prefix the config makes: fail closed */
		return false;
	/* Two 64-bit words under the prefix's mask, in network order: every
	 * new flow matches several prefixes (zones, endpoints). */
	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	memcpy(&p0, pfx->addr, 8);
	memcpy(&p1, pfx->addr + 8, 8);
	m0 = len >= 64 ? ~0ull : len == 0 ? 0 : ~0ull << (64 - len);
	m1 = len <= 64 ? 0 : len >= 128 ? ~0ull : ~0ull << (128 - len);
	return (((be64toh(a0) ^ be64toh(p0)) & m0) | ((be64toh(a1) ^ be64toh(p1)) & m1)) == 0;
}

int policy_zone_find(const struct policy *p, const uint8_t addr[16])
{
	unsigned i;

	/* zone_prefixes is sorted longest first, so the first hit is the
	 * longest match. */
	for (i = 0; i < p->n_zone_prefixes; i++)
		if (policy_prefix_match(&p->zone_prefixes[i].pfx, addr))
			return p->zone_prefixes[i].zone;
	return -1;
}

bool policy_host_match(const char *pattern, const char *host)
{
	size_t plen, hlen;

	if (!pattern || !host || !*pattern || !*host)
		return false;
	plen = strlen(pattern);
	hlen = strlen(host);
	/* "name." is the same name, fully qualified. */
	if (host[hlen - 1] == '.')
		hlen--;
	if (pattern[plen - 1] == '.')
		plen--;
	if (hlen == 0)
		return false;

	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.x.y" stands for names below x.y only: the host needs at
		 * least one label in front of ".x.y", so x.y itself and
		 * ".x.y" do not match. */
		size_t slen = plen - 1; /* ".x.y" */

		if (hlen <= slen)
			return false;
		return strncasecmp(host + hlen - slen, pattern + 1, slen) == 0;
	}
	return hlen == plen && strncasecmp(host, pattern, plen) == 0;
}

uint64_t policy_endpoints_for_host(const struct policy *p, const char *host)
{
	uint64_t mask = 0;
	unsigned i, j;

	for (i = 0; i < p->n_endpoints && i < POLICY_LEARN_ENDPOINTS; i++)
		for (j = 0; j < p->endpoints[i].n_hosts; j++)
			if (policy_host_match(p->endpoints[i].hosts[j], host)) {
				mask |= 1ull << i;
				break;
			}
	return mask;
}

uint64_t policy_learn_mask(const struct policy *p, const struct policy_grants *t,
			   const char *host)
{
	uint64_t mask = policy_endpoints_for_host(p, host);
	unsigned i;

	for (i = 0; t && i < t->n; i++)
		if (t->g[i].host[0] && t->g[i].learn_bit < 64 &&
		    policy_host_match(t->g[i].host, host))
			mask |= 1ull << t->g[i].learn_bit;
	return mask;
}

bool policy_app_match(const char *name, const char *app_master, const char *app)
{
	if (!name)
		return false;
	return (app_master && strcasecmp(name, app_master) == 0) ||
	       (app && strcasecmp(name, app) == 0);
}

static void policy_decide(struct policy_decision *d, unsigned verdict, unsigned reason,
			  unsigned arg)
{
	d->verdict = (uint8_t)verdict;
	d->reason = (uint8_t)reason;
	d->arg = (uint16_t)arg;
}

static unsigned policy_action_verdict(uint8_t action)
{
	return action == POLICY_ACT_ALLOW ? POLICY_ALLOW : POLICY_DROP;
}

/* An endpoint is a candidate when the flow goes to one of its addresses
 * (configured, or learned from a DNS answer for one of its names) and
 * ports: the part of the match known from the first packet. */
static bool policy_endpoint_candidate(const struct policy_endpoint *ep, unsigned idx,
				      const struct policy_flow *f)
{
	bool addr_ok = idx < 64 && (f->learned & (1ull << idx));
	unsigned i;

	for (i = 0; i < ep->n_prefixes && !addr_ok; i++)
		addr_ok = policy_prefix_match(&ep->prefixes[i], f->remote);
	if (!addr_ok)
		return false;
	if (ep->n_ports == 0)
		return true;
	for (i = 0; i < ep->n_ports; i++)
		if (ep->ports[i] == f->remote_port)
			return true;
	return false;
}

/* A grant covers the flow's source and time: an outbound flow of its zone
 * or from its address, within [from, until). */
static bool policy_grant_src_ok(const struct policy *p, const struct policy_grants *t,
				const struct policy_grant *g, const struct policy_flow *f)
{
	if (!f->outbound || f->zone < 0 || (unsigned)f->zone >= p->n_zones || f->now < g->from ||
	    f->now >= g->until)
		return false;
	if (!g->zone_name[0])
		return policy_prefix_match(&g->local, f->local);
	/* Zone indexes are the snapshot's the table was built for; right
	 * after a reload, compare by name. */
	if (t->resolved_for == p->version)
		return g->zone == f->zone;
	return strcmp(p->zones[f->zone].name, g->zone_name) == 0;
}

/* A host grant is a candidate like an endpoint: the flow goes to an address
 * DNS taught for its name (a resolver's answer to this zone), on its port.
 * The name itself is read later (SNI, Host). */
static bool policy_grant_candidate(const struct policy *p, const struct policy_grants *t,
				   const struct policy_grant *g, const struct policy_flow *f)
{
	return g->host[0] && policy_grant_src_ok(p, t, g, f) &&
	       policy_endpoint_candidate(&g->ep, g->learn_bit, f);
}

static bool policy_endpoint_app_matches(const struct policy_endpoint *ep,
					const struct policy_flow *f);

/* What a grant allows: everything to its address (and port), or TLS and
 * HTTP whose name (SNI, Host) is its host, on a candidate address. A
 * guessed application never matches. */
static bool policy_grant_matches(const struct policy *p, const struct policy_grants *t,
				 const struct policy_grant *g, const struct policy_flow *f)
{
	if (g->host[0])
		return policy_grant_candidate(p, t, g, f) && f->app_known && !f->app_guessed &&
		       policy_endpoint_app_matches(&g->ep, f);
	return policy_grant_src_ok(p, t, g, f) && policy_prefix_match(&g->remote, f->remote) &&
	       (g->port == 0 || g->port == f->remote_port);
}

static bool policy_app_is_tls(const char *app)
{
	static const char *const tls[] = {"TLS",   "SMTPS", "IMAPS", "POPS", "POP3S",
					  "HTTPS", "FTPS",  "LDAPS", "DoT"};
	unsigned i;

	for (i = 0; i < sizeof(tls) / sizeof(tls[0]); i++)
		if (strcasecmp(app, tls[i]) == 0)
			return true;
	return false;
}

/* The next candidate endpoint (by address or learned address, and port)
 * among those the flow's profile allows, from *pos on; NULL at the end. Only
 * outbound flows of a zone have candidates. */
static const struct policy_endpoint *
policy_next_candidate(const struct policy *p, const struct policy_flow *f, unsigned *pos)
{
	const struct policy_profile *prof;

	if (f->zone < 0 || (unsigned)f->zone >= p->n_zones || !f->outbound)
		return NULL;
	prof = &p->profiles[p->zones[f->zone].profile];
	while (*pos < prof->n_allow) {
		unsigned idx = prof->allow[(*pos)++];

		if (policy_endpoint_candidate(&p->endpoints[idx], idx, f))
			return &p->endpoints[idx];
	}
	/* Then the host grants, as endpoints declaring TLS and HTTP. */
	while (f->grants && *pos - prof->n_allow < f->grants->n) {
		const struct policy_grant *g = &f->grants->g[*pos - prof->n_allow];

		(*pos)++;
		if (policy_grant_candidate(p, f->grants, g, f))
			return &g->ep;
	}
	return NULL;
}

enum policy_apps policy_flow_apps(const struct policy *p, const struct policy_flow *f,
				  bool *tls_only)
{
	const struct policy_endpoint *ep;
	unsigned pos = 0, j;
	bool any = false;

	*tls_only = true;
	/* No endpoint declares applications and no grant could: no candidate
	 * can have any, so none needs looking for (every new flow asks). */
	if (p->no_apps && !(f->grants && f->grants->n))
		return POLICY_APPS_FREE;
	while ((ep = policy_next_candidate(p, f, &pos))) {
		if (ep->n_apps == 0)
			return POLICY_APPS_FREE; /* anything goes on this one */
		any = true;
		for (j = 0; j < ep->n_apps; j++)
			*tls_only &= policy_app_is_tls(ep->apps[j]);
	}
	return any ? POLICY_APPS_CHECKED : POLICY_APPS_FREE;
}

bool policy_flow_declares(const struct policy *p, const struct policy_flow *f, const char *app)
{
	const struct policy_endpoint *ep;
	unsigned pos = 0, j;

	while ((ep = policy_next_candidate(p, f, &pos)))
		for (j = 0; j < ep->n_apps; j++)
			if (strcasecmp(ep->apps[j], app) == 0)
				return true;
	return false;
}

bool policy_flow_declares_only(const struct policy *p, const struct policy_flow *f, const char *app)
{
	const struct policy_endpoint *ep;
	unsigned pos = 0, j;
	bool any = false;

	while ((ep = policy_next_candidate(p, f, &pos))) {
		if (ep->n_apps == 0)
			return false;
		for (j = 0; j < ep->n_apps; j++) {
			if (strcasecmp(ep->apps[j], app) != 0)
				return false;
			any = true;
		}
	}
	return any;
}

bool policy_flow_shared_front(const struct policy *p, const struct policy_flow *f)
{
	const struct policy_endpoint *ep;
	unsigned pos = 0;

	while ((ep = policy_next_candidate(p, f, &pos)))
		if (ep->shared_front)
			return true;
	return false;
}

static bool policy_prefix_ci(const uint8_t *d, size_t n, const char *lit)
{
	size_t i, m = strlen(lit);

	for (i = 0; i < m && i < n; i++)
		if (toupper(d[i]) != toupper((unsigned char)lit[i]))
			return false;
	return true; /* a short first segment: what is there fits */
}

/* A DNS message as a resolver parses it (dataplane/dns.h, the wire
 * format): a standard query of one question from the client, its answer
 * (QR set) from the server, then exactly the records it counts, each
 * whole, and nothing after them. A UDP datagram is one whole message;
 * over TCP the first bytes are messages after their 2-byte lengths, the
 * last one perhaps cut by the segment's end (conform.c reads the rest). */
static bool policy_dns_plausible(const struct policy_flow *f, bool query, const uint8_t *d,
				 size_t n)
{
	unsigned flags = query ? DNS_WIRE_QUERY : 0;

	if (f->l4proto == 6) {
		struct dns_wire_stream s = {0};

		return dns_wire_feed(&s, flags, d, n) == DNS_WIRE_OK;
	}
	return dns_wire_check(d, n, flags) == DNS_WIRE_OK;
}

/* The first bytes of one application in one direction. NULL: no check. */
static int policy_app_plausible(const char *app, const struct policy_flow *f, bool client,
				const uint8_t *d, size_t n)
{
	static const char *const methods[] = {"GET ",	 "POST ",    "HEAD ",  "PUT ",
					      "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "};
	static const char *const tcp_only[] = {"SMTP", "HTTP", "SSH", "POP3", "IMAP"};
	unsigned i;

	/* TLS (and every TLS-wrapped protocol), SMTP, HTTP, SSH, POP3 and
	 * IMAP run over TCP only: no UDP datagram starts one of them, however
	 * its first bytes look. */
	if (f->l4proto == 17) {
		if (policy_app_is_tls(app))
			return 0;
		for (i = 0; i < sizeof(tcp_only) / sizeof(tcp_only[0]); i++)
			if (strcasecmp(app, tcp_only[i]) == 0)
				return 0;
	}
	if (policy_app_is_tls(app)) {
		if (client)
			return d[0] == 0x16 && (n < 2 || d[1] == 3) && (n < 3 || d[2] <= 4);
		return (d[0] == 0x16 || d[0] == 0x15) && (n < 2 || d[1] == 3);
	}
	if (strcasecmp(app, "SMTP") == 0) {
		if (!client) /* a reply code: 220 greeting, or 421/554 refusals */
			return d[0] >= '2' && d[0] <= '5';
		return policy_prefix_ci(d, n, "EHLO") || policy_prefix_ci(d, n, "HELO") ||
		       policy_prefix_ci(d, n, "QUIT");
	}
	if (strcasecmp(app, "DNS") == 0)
		return policy_dns_plausible(f, client, d, n);
	if (strcasecmp(app, "HTTP") == 0) {
		if (!client)
			return policy_prefix_ci(d, n, "HTTP/");
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (policy_prefix_ci(d, n, methods[i]))
				return true;
		return false;
	}
	if (strcasecmp(app, "SSH") == 0)
		return policy_prefix_ci(d, n, "SSH-");
	if (strcasecmp(app, "POP3") == 0)
		return client || d[0] == '+' || d[0] == '-';
	if (strcasecmp(app, "IMAP") == 0)
		return client || d[0] == '*';
	return -1;
}

bool policy_payload_plausible(const struct policy *p, const struct policy_flow *f, bool from_init,
			      const uint8_t *d, size_t n)
{
	const struct policy_endpoint *ep;
	unsigned pos = 0, j;

	if (n == 0 || f->zone < 0 || !f->outbound)
		return true;
	while ((ep = policy_next_candidate(p, f, &pos))) {
		if (ep->n_apps == 0)
			return true;
		for (j = 0; j < ep->n_apps; j++)
			if (policy_app_plausible(ep->apps[j], f, from_init, d, n) != 0)
				return true;
	}
	return false;
}

static bool policy_is_web_name(const char *name)
{
	static const char *const web[] = {"TLS", "HTTP", "QUIC", "HTTP_Proxy", "HTTP_Connect"};
	unsigned i;

	if (!name)
		return false;
	for (i = 0; i < sizeof(web) / sizeof(web[0]); i++)
		if (strcasecmp(name, web[i]) == 0)
			return true;
	return false;
}

/* Web flows carry a name (SNI, Host) that the endpoint's hosts must match;
 * other protocols (SMTP, DNS, ...) have no such name to check. */
static bool policy_flow_is_web(const struct policy_flow *f)
{
	return f->sni || f->host || policy_is_web_name(f->app_master) || policy_is_web_name(f->app);
}

static bool policy_endpoint_app_matches(const struct policy_endpoint *ep,
					const struct policy_flow *f)
{
	const char *name;
	bool ok = ep->n_apps == 0;
	unsigned i;

	for (i = 0; i < ep->n_apps && !ok; i++)
		ok = policy_app_match(ep->apps[i], f->app_master, f->app);
	if (!ok)
		return false;
	if (ep->n_hosts == 0 || !policy_flow_is_web(f))
		return true;
	name = f->sni ? f->sni : f->host;
	if (!name)
		return false;
	for (i = 0; i < ep->n_hosts; i++)
		if (policy_host_match(ep->hosts[i], name))
			return true;
	return false;
}

static bool policy_class_blocked(const struct policy_profile *prof, unsigned cls)
{
	return cls != POLICY_CLASS_NONE && cls < POLICY_CLASS_COUNT &&
	       (prof->block_mask & (1u << cls));
}

static void policy_evaluate_inbound(const struct policy_profile *prof, unsigned prof_idx,
				    const struct policy_flow *f, struct policy_decision *d)
{
	if (prof->inbound_action == POLICY_ACT_DROP) {
		policy_decide(d, POLICY_DROP, POLICY_R_DEFAULT, prof_idx);
		return;
	}
	/* Remote access opened from outside is a way in: never allowed, even
	 * when the profile lets other inbound traffic through. */
	if (f->cls == POLICY_CLASS_remote_access || policy_class_blocked(prof, f->cls)) {
		policy_decide(d, POLICY_DROP, POLICY_R_CLASS, f->cls);
		return;
	}
	if (f->app_known && (!f->app_partial || f->giveup))
		policy_decide(d, POLICY_ALLOW, POLICY_R_DEFAULT, prof_idx);
	else if (f->giveup)
		policy_decide(d, policy_action_verdict(prof->on_giveup), POLICY_R_EXCEPTION,
			      POLICY_EXC_giveup);
	else
		policy_decide(d, POLICY_PENDING, POLICY_R_NONE, 0);
}

static void policy_evaluate_outbound(const struct policy *p, const struct policy_profile *prof,
				     unsigned prof_idx, const struct policy_flow *f,
				     struct policy_decision *d)
{
	bool any_candidate = false;
	unsigned i, first = UINT_MAX;

	/* a. An endpoint that declares no apps and no hosts is fully judged by
	 * address and port, so the flow is allowed at its first packet. */
	for (i = 0; i < prof->n_allow; i++) {
		const struct policy_endpoint *ep = &p->endpoints[prof->allow[i]];

		if (!policy_endpoint_candidate(ep, prof->allow[i], f))
			continue;
		any_candidate = true;
		if (first == UINT_MAX)
			first = prof->allow[i];
		if (ep->n_apps == 0 && ep->n_hosts == 0) {
			policy_decide(d, POLICY_ALLOW, POLICY_R_ENDPOINT, prof->allow[i]);
			return;
		}
	}
	/* a'. A TCP connection to an endpoint's address and port that ended
	 * without a byte of payload either way carried no application, so
	 * none the endpoint does not declare: the endpoint's, as its packets
	 * were (the loser of a Happy Eyeballs race, a pool's spare
	 * connection: red team round 22, he_loser_rst_ok, pool_unused_ok,
	 * had been logged as dropped give-ups). */
	if (f->empty && first != UINT_MAX) {
		policy_decide(d, POLICY_ALLOW, POLICY_R_ENDPOINT, first);
		return;
	}
	/* A host grant's candidate waits for its name like an endpoint's. */
	for (i = 0; !any_candidate && f->grants && i < f->grants->n; i++)
		any_candidate = policy_grant_candidate(p, f->grants, &f->grants->g[i], f);

	/* b. Otherwise the application (and, for web flows, the name) must
	 * match too. A guess from the port or the address never allows: the
	 * point is that "TCP to 443" is not "TLS to the E2M server". */
	if (any_candidate && f->app_known && !f->app_guessed) {
		for (i = 0; i < prof->n_allow; i++) {
			const struct policy_endpoint *ep = &p->endpoints[prof->allow[i]];

			if (policy_endpoint_candidate(ep, prof->allow[i], f) &&
			    policy_endpoint_app_matches(ep, f)) {
				policy_decide(d, POLICY_ALLOW, POLICY_R_ENDPOINT, prof->allow[i]);
				return;
			}
		}
	}

	/* c. A blocked class drops, guessed or not; but a guess does not cut
	 * short a flow to a declared endpoint, whose own check (by DPI) is
	 * still to come: the agency's SMTP relay "looks like mail" by port.
	 * Nor, in a profile whose guesses wait (the default where the default
	 * allows), any flow: HTTP to an intranet server on 8080 is not a
	 * proxy. Once classification gives up, the guess is all there is. */
	if (policy_class_blocked(prof, f->cls) &&
	    !(f->app_guessed && (any_candidate || !prof->guess_blocks) && !f->giveup)) {
		policy_decide(d, POLICY_DROP, POLICY_R_CLASS, f->cls);
		return;
	}

	/* d. Nothing could ever allow it and the default is drop: drop now,
	 * so that no packet leaks while the classifier makes up its mind. */
	if (!any_candidate && prof->default_action == POLICY_ACT_DROP) {
		policy_decide(d, POLICY_DROP, POLICY_R_DEFAULT, prof_idx);
		return;
	}

	/* e. An allowing default waits until the classifier has said all it
	 * will: "TLS" at the ClientHello may be "TLS.AnyDesk" at the
	 * certificate. A dropping default has nothing to wait for. */
	if (f->app_known &&
	    (!f->app_partial || f->giveup || prof->default_action == POLICY_ACT_DROP))
		policy_decide(d, policy_action_verdict(prof->default_action), POLICY_R_DEFAULT,
			      prof_idx);
	else if (f->giveup)
		policy_decide(d, policy_action_verdict(prof->on_giveup), POLICY_R_EXCEPTION,
			      POLICY_EXC_giveup);
	else
		policy_decide(d, POLICY_PENDING, POLICY_R_NONE, 0);
}

void policy_evaluate(const struct policy *p, const struct policy_flow *f, struct policy_decision *d)
{
	unsigned i, prof_idx;

	if (f->zone < 0) {
		policy_decide(d, POLICY_ALLOW, POLICY_R_PASSTHROUGH, 0);
		return;
	}
	/* A zone index from another snapshot is a caller bug; fail closed
	 * rather than read past the array. */
	if ((unsigned)f->zone >= p->n_zones) {
		policy_decide(d, POLICY_DROP, POLICY_R_NONE, 0);
		return;
	}

	/* 1. An active grant allows (grant.h). Exceptions were decided
	 * before the evaluator is asked, and stay. */
	for (i = 0; f->grants && i < f->grants->n; i++) {
		if (policy_grant_matches(p, f->grants, &f->grants->g[i], f)) {
			policy_decide(d, POLICY_ALLOW, POLICY_R_GRANT, i);
			return;
		}
	}

	prof_idx = p->zones[f->zone].profile;
	if (f->outbound)
		policy_evaluate_outbound(p, &p->profiles[prof_idx], prof_idx, f, d);
	else
		policy_evaluate_inbound(&p->profiles[prof_idx], prof_idx, f, d);
}

void policy_exception(const struct policy *p, int zone, enum policy_exception e,
		      struct policy_decision *d)
{
	const struct policy_profile *prof;
	uint8_t action;

	/* A zone's address arriving from outside is forged, whatever the
	 * zone's profile: there is nothing to weigh. */
	if (e == POLICY_EXC_spoofed) {
		policy_decide(d, POLICY_DROP, POLICY_R_EXCEPTION, e);
		return;
	}
	if (e == POLICY_EXC_unzoned) {
		policy_decide(d, policy_action_verdict(p->unzoned_action), POLICY_R_EXCEPTION, e);
		return;
	}
	/* Passthrough traffic is not ours to protect. */
	if (zone < 0) {
		policy_decide(d, POLICY_ALLOW, POLICY_R_EXCEPTION, e);
		return;
	}
	if ((unsigned)zone >= p->n_zones) {
		policy_decide(d, POLICY_DROP, POLICY_R_EXCEPTION, e);
		return;
	}
	prof = &p->profiles[p->zones[zone].profile];
	action = e == POLICY_EXC_giveup ? prof->on_giveup : prof->on_exception;
	policy_decide(d, policy_action_verdict(action), POLICY_R_EXCEPTION, e);
}

int policy_reason_format(const struct policy *p, const struct policy_decision *d, char *buf,
			 size_t size)
{
	const char *name;

	switch (d->reason) {
	case POLICY_R_ENDPOINT:
		name = p && d->arg < p->n_endpoints ? p->endpoints[d->arg].name : "?";
		return snprintf(buf, size, "allow:%s", name);
	case POLICY_R_CLASS:
		name = policy_class_name(d->arg);
		return snprintf(buf, size, "class:%s", name ? name : "?");
	case POLICY_R_DEFAULT:
		name = p && d->arg < p->n_profiles ? p->profiles[d->arg].name : "?";
		return snprintf(buf, size, "default:%s", name);
	case POLICY_R_GRANT: /* the id is the grant table's: grant_of() */
		return snprintf(buf, size, "grant:?");
	case POLICY_R_EXCEPTION:
		name = policy_exception_name(d->arg);
		return snprintf(buf, size, "exception:%s", name ? name : "?");
	case POLICY_R_PASSTHROUGH:
		return snprintf(buf, size, "passthrough");
	default:
		return snprintf(buf, size, "none");
	}
}

void policy_free(struct policy *p)
{
	unsigned i, j;

	if (!p)
		return;
	for (i = 0; i < p->n_endpoints; i++) {
		struct policy_endpoint *ep = &p->endpoints[i];

		free(ep->prefixes);
		for (j = 0; j < ep->n_hosts; j++)
			free(ep->hosts[j]);
		free(ep->hosts);
		free(ep->ports);
		for (j = 0; j < ep->n_apps; j++)
			free(ep->apps[j]);
		free(ep->apps);
	}
	free(p->endpoints);
	for (i = 0; i < p->n_profiles; i++)
		free(p->profiles[i].allow);
	free(p->profiles);
	free(p->zones);
	free(p->zone_prefixes);
	free(p);
}
