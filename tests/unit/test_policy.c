/* test_policy.c - the policy evaluator (DESIGN 4), rule by rule.
 *
 * The snapshot under test is built by config_load() from the inline config
 * below, so these tests also pin down what a config means; grants have no
 * config syntax (aduanad adds them) and come from their text form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "grant.h"
#include "policy.h"
#include "unit.h"

/* The shipped E2M policy plus what the tests need: an endpoint without apps
 * or hosts ("backup"), IPv6 endpoint addresses, an office subnet nested in
 * the e2m /16, a zone whose profile lets inbound traffic in, and a
 * punycode host. */
static const char test_policy_conf[] =
	"version = 1;\n"
	"endpoints = (\n"
	"  { name = \"boc_mail\"; addresses = [ \"192.0.2.25/32\" ];\n"
	"    hosts = [ \"mail.customs.example\" ];\n"
	"    ports = [ 25, 465, 587, 993, 995 ]; apps = [ \"SMTP\", \"SMTPS\", \"IMAPS\", "
	"\"POPS\" ]; },\n"
	"  { name = \"e2m\"; addresses = [ \"198.51.100.0/28\", \"2001:db8:e2e::/64\" ];\n"
	"    hosts = [ \"e2m.customs.example\", \"*.e2m.customs.example\", "
	"\"xn--bcher-kva.example\" ];\n"
	"    ports = [ 443 ]; apps = [ \"TLS\" ]; },\n"
	"  { name = \"dns\"; addresses = [ \"192.0.2.53/32\" ]; ports = [ 53 ]; apps = [ \"DNS\" "
	"]; "
	"},\n"
	"  { name = \"backup\"; addresses = [ \"203.0.113.7/32\", \"2001:db8:bac::7\" ]; ports = [ "
	"22 "
	"]; }\n"
	");\n"
	"profiles = (\n"
	"  { name = \"e2m-strict\"; default = \"drop\"; inbound = \"drop\"; on_giveup = \"drop\";\n"
	"    on_exception = \"drop\"; allow = [ \"boc_mail\", \"e2m\", \"dns\", \"backup\" ];\n"
	"    block = [ \"file_sharing\", \"social\", \"proxy\", \"p2p\", \"remote_access\", "
	"\"vpn\",\n"
	"              \"mail\", \"webmail\", \"encrypted_dns\", \"storage\", \"document_upload\" "
	"]; "
	"},\n"
	"  { name = \"office\"; default = \"allow\"; inbound = \"drop\"; on_giveup = \"allow\";\n"
	"    on_exception = \"allow\"; allow = [ ]; block = [ \"p2p\", \"remote_access\", "
	"\"proxy\" "
	"]; },\n"
	"  { name = \"servers\"; default = \"allow\"; inbound = \"allow\"; on_giveup = \"drop\";\n"
	"    on_exception = \"allow\"; guess = \"block\"; block = [ \"p2p\" ]; }\n"
	");\n"
	"zones = (\n"
	"  { name = \"e2m\"; subnets = [ \"10.10.0.0/16\", \"2001:db8:e2::/48\" ]; profile = "
	"\"e2m-strict\"; },\n"
	"  { name = \"office\"; subnets = [ \"10.20.0.0/16\", \"10.10.99.0/24\" ]; profile = "
	"\"office\"; },\n"
	"  { name = \"dmz\"; subnets = [ \"10.30.0.0/24\" ]; profile = \"servers\"; }\n"
	");\n";

enum { Z_E2M = 0, Z_OFFICE = 1, Z_DMZ = 2 };

static struct policy *P;

static int test_policy_init(void)
{
	char err[512];
	const char *path = unit_write_tmp("policy.conf", test_policy_conf);

	if (!path)
		return 1;
	P = config_load(path, 3, err, sizeof(err));
	unlink(path);
	if (!P) {
		fprintf(stderr, "test config: %s\n", err);
		return 1;
	}
	return 0;
}

static int test_policy_fini(void)
{
	policy_free(P);
	P = NULL;
	return 0;
}

static void test_addr(const char *text, uint8_t out[16])
{
	struct policy_prefix pfx;

	memset(out, 0, 16);
	if (policy_prefix_parse(text, &pfx) == 0)
		memcpy(out, pfx.addr, 16);
	else
		CU_FAIL("bad address in test");
}

/* A TCP flow opened from local (inside) to remote:port, as the dataplane
 * describes it at its first packet. */
static struct policy_flow test_flow(const char *local, const char *remote, uint16_t port)
{
	struct policy_flow f;

	memset(&f, 0, sizeof(f));
	test_addr(local, f.local);
	test_addr(remote, f.remote);
	f.zone = policy_zone_find(P, f.local);
	f.outbound = true;
	f.l4proto = 6;
	f.remote_port = port;
	f.local_port = 50000;
	f.now = 1000;
	return f;
}

/* The same flow after classification found TLS with this SNI. */
static struct policy_flow test_flow_tls(const char *local, const char *remote, uint16_t port,
					const char *sni)
{
	struct policy_flow f = test_flow(local, remote, port);

	f.app_master = "TLS";
	f.app_known = true;
	f.sni = sni;
	return f;
}

/* Inbound: remote opened the flow to local:port. */
static struct policy_flow test_flow_in(const char *local, uint16_t port, const char *remote)
{
	struct policy_flow f = test_flow(local, remote, 40000);

	f.outbound = false;
	f.local_port = port;
	return f;
}

static const char *test_verdict_name(unsigned v)
{
	return v == POLICY_ALLOW ? "allow" : v == POLICY_DROP ? "drop" : "pending";
}

/* Evaluate f and check the verdict and the reason string; on a mismatch
 * say which line expected what, since CUnit only prints the expression. */
static void test_expect_at(int line, const struct policy_flow *f, unsigned verdict,
			   const char *reason)
{
	struct policy_decision d;
	char got[128];

	memset(&d, 0xa5, sizeof(d));
	policy_evaluate(P, f, &d);
	if (d.reason == POLICY_R_GRANT && grant_of(f->grants, &d))
		snprintf(got, sizeof(got), "grant:%u", grant_of(f->grants, &d)->id);
	else
		policy_reason_format(P, &d, got, sizeof(got));
	if (d.verdict != verdict || strcmp(got, reason) != 0)
		fprintf(stderr, "\n  line %d: expected %s %s, got %s %s\n", line,
			test_verdict_name(verdict), reason, test_verdict_name(d.verdict), got);
	CU_ASSERT_EQUAL(d.verdict, verdict);
	CU_ASSERT_STRING_EQUAL(got, reason);
}

#define EXPECT(f, verdict, reason) test_expect_at(__LINE__, &(f), verdict, reason)

static void test_prefix_parse(void)
{
	struct policy_prefix pfx;
	static const uint8_t v4[4] = {192, 0, 2, 1};
	static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4/33",
		"1.2.3.4/",
		"1.2.3.4/-1",
		"1.2.3.4/+8",
		"/8",
		"1.2.3.4 ",
		" 1.2.3.4",
		"1.2.3.256",
		"::/129",
		"2001:db8::g",
		"localhost",
		"1.2.3.4/8x",
		"::1/",
		"1.2.3.4/0008",
		"fe80::1%eth0",
		"::1/1/2",
		"1.2.3.4/08",
		"1.2.3.4/ 8",
	};
	uint8_t addr[16];
	unsigned i;

	CU_ASSERT_EQUAL(policy_prefix_parse("192.0.2.1", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.len, 128);
	CU_ASSERT_EQUAL(memcmp(pfx.addr, mapped, 16), 0);
	policy_addr_from_v4(addr, v4);
	CU_ASSERT_EQUAL(memcmp(addr, mapped, 16), 0);

	CU_ASSERT_EQUAL(policy_prefix_parse("10.0.0.0/8", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.len, 8 + 96);
	CU_ASSERT_EQUAL(policy_prefix_parse("0.0.0.0/0", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.len, 96);
	CU_ASSERT_TRUE(policy_prefix_match(&pfx, addr));

	/* Host bits are masked off, so equal subnets compare equal. */
	CU_ASSERT_EQUAL(policy_prefix_parse("10.1.2.3/16", &pfx), 0);
	test_addr("10.1.0.0", addr);
	CU_ASSERT_EQUAL(memcmp(pfx.addr, addr, 16), 0);
	CU_ASSERT_EQUAL(policy_prefix_parse("10.1.255.255/17", &pfx), 0);
	test_addr("10.1.128.0", addr);
	CU_ASSERT_EQUAL(memcmp(pfx.addr, addr, 16), 0);
	test_addr("10.1.127.255", addr);
	CU_ASSERT_FALSE(policy_prefix_match(&pfx, addr));
	test_addr("10.1.128.0", addr);
	CU_ASSERT_TRUE(policy_prefix_match(&pfx, addr));

	CU_ASSERT_EQUAL(policy_prefix_parse("2001:db8:e2::/48", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.len, 48);
	test_addr("2001:db8:e2:ffff::1", addr);
	CU_ASSERT_TRUE(policy_prefix_match(&pfx, addr));
	test_addr("2001:db8:e3::1", addr);
	CU_ASSERT_FALSE(policy_prefix_match(&pfx, addr));
	CU_ASSERT_EQUAL(policy_prefix_parse("2001:DB8::1", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.len, 128);
	CU_ASSERT_EQUAL(policy_prefix_parse("2001:db8::ff/121", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.addr[15], 0x80);
	CU_ASSERT_EQUAL(policy_prefix_parse("::/0", &pfx), 0);
	CU_ASSERT_EQUAL(pfx.len, 0);
	CU_ASSERT_TRUE(policy_prefix_match(&pfx, addr));
	/* IPv4 written as IPv6 would match IPv4 packets: refused, say it in
	 * IPv4. And no IPv6 prefix, however short, covers IPv4 (DESIGN 4.1). */
	CU_ASSERT_EQUAL(policy_prefix_parse("::ffff:192.0.2.1", &pfx), -EINVAL);
	CU_ASSERT_EQUAL(policy_prefix_parse("::ffff:0:0/96", &pfx), -EINVAL);
	CU_ASSERT_EQUAL(policy_prefix_parse("::/0", &pfx), 0);
	CU_ASSERT_FALSE(policy_prefix_match(&pfx, mapped));
	CU_ASSERT_EQUAL(policy_prefix_parse("::/64", &pfx), 0);
	CU_ASSERT_FALSE(policy_prefix_match(&pfx, mapped));
	CU_ASSERT_EQUAL(policy_prefix_parse("192.0.2.0/24", &pfx), 0);
	CU_ASSERT_TRUE(policy_prefix_match(&pfx, mapped));
	CU_ASSERT_EQUAL(policy_prefix_parse("0.0.0.0/0", &pfx), 0);
	CU_ASSERT_TRUE(policy_prefix_match(&pfx, mapped));
	CU_ASSERT_FALSE(policy_prefix_match(&pfx, addr));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = policy_prefix_parse(bad[i], &pfx);

		if (ret != -EINVAL)
			fprintf(stderr, "\n  accepted '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(ret, -EINVAL);
	}
	CU_ASSERT_EQUAL(policy_prefix_parse(NULL, &pfx), -EINVAL);
}

/* policy_prefix_match compares words under a mask: at every length, it
 * agrees with a bit-by-bit reading of the prefix. */
static void test_prefix_every_len(void)
{
	static const char *const bases[] = {"2001:db8:e2:ffff:8000:1:ff00:ff", "::",
					    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
	struct policy_prefix pfx;
	uint8_t addr[16];
	unsigned b, len, flip, bad = 0;

	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		for (len = 0; len <= 128; len++) {
			test_addr(bases[b], pfx.addr);
			pfx.len = (uint8_t)len;
			for (unsigned i = 0; i < 128; i++) /* masked to len, as parsed */
				if (i >= len)
					pfx.addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
			/* flip each bit of the prefix's own address in turn:
			 * a match only when the bit lies outside the prefix */
			for (flip = 0; flip < 128; flip++) {
				bool want = flip >= len;

				memcpy(addr, pfx.addr, 16);
				addr[flip / 8] ^= (uint8_t)(0x80u >> (flip % 8));
				if (policy_addr_is_v4(addr) && len < 96)
					want = false;
				if (policy_prefix_match(&pfx, addr) != want)
					bad++;
			}
			memcpy(addr, pfx.addr, 16);
			if (!policy_addr_is_v4(addr) && !policy_prefix_match(&pfx, addr))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	pfx.len = 129; /* not made by the parser: never matches */
	CU_ASSERT_FALSE(policy_prefix_match(&pfx, addr));
}

static void test_zone_find(void)
{
	uint8_t addr[16];
	unsigned i;

	test_addr("10.10.1.1", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), Z_E2M);
	/* 10.10.99.0/24 (office) is inside 10.10.0.0/16 (e2m): longest wins,
	 * whatever the order in the file. */
	test_addr("10.10.99.5", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), Z_OFFICE);
	test_addr("10.10.98.255", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), Z_E2M);
	test_addr("10.20.3.4", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), Z_OFFICE);
	test_addr("2001:db8:e2::5", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), Z_E2M);
	test_addr("10.30.0.255", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), Z_DMZ);
	test_addr("10.30.1.0", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), -1);
	test_addr("8.8.8.8", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), -1);
	test_addr("2001:db8:e3::5", addr);
	CU_ASSERT_EQUAL(policy_zone_find(P, addr), -1);

	CU_ASSERT_EQUAL(P->n_zone_prefixes, 5);
	for (i = 1; i < P->n_zone_prefixes; i++)
		CU_ASSERT_TRUE(P->zone_prefixes[i - 1].pfx.len >= P->zone_prefixes[i].pfx.len);
}

static void test_host_match(void)
{
	CU_ASSERT_TRUE(policy_host_match("e2m.customs.example", "e2m.customs.example"));
	CU_ASSERT_TRUE(policy_host_match("e2m.customs.example", "E2M.Customs.EXAMPLE"));
	CU_ASSERT_TRUE(policy_host_match("e2m.customs.example", "e2m.customs.example."));
	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", "e2m.customs.example.."));
	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", "x.e2m.customs.example"));
	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", "e2m.customs.exampl"));
	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", "ae2m.customs.example"));

	CU_ASSERT_TRUE(policy_host_match("*.example.org", "a.example.org"));
	CU_ASSERT_TRUE(policy_host_match("*.example.org", "a.b.example.org"));
	CU_ASSERT_TRUE(policy_host_match("*.example.org", "A.Example.Org."));
	CU_ASSERT_FALSE(policy_host_match("*.example.org", "example.org"));
	CU_ASSERT_FALSE(policy_host_match("*.example.org", "example.org."));
	CU_ASSERT_FALSE(policy_host_match("*.example.org", ".example.org"));
	CU_ASSERT_FALSE(policy_host_match("*.example.org", "aexample.org"));
	CU_ASSERT_FALSE(policy_host_match("*.example.org", "a.example.org.evil"));

	CU_ASSERT_TRUE(policy_host_match("xn--bcher-kva.example", "xn--bcher-kva.example"));
	CU_ASSERT_TRUE(policy_host_match("xn--bcher-kva.example", "XN--BCHER-KVA.example."));
	CU_ASSERT_FALSE(policy_host_match("xn--bcher-kva.example", "bcher-kva.example"));

	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", NULL));
	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", ""));
	CU_ASSERT_FALSE(policy_host_match("e2m.customs.example", "."));
	CU_ASSERT_FALSE(policy_host_match(NULL, "e2m.customs.example"));
	CU_ASSERT_FALSE(policy_host_match("", "e2m.customs.example"));
}

static void test_app_match(void)
{
	/* nDPI "TLS.Google": master TLS, app Google. */
	CU_ASSERT_TRUE(policy_app_match("TLS", "TLS", "Google"));
	CU_ASSERT_TRUE(policy_app_match("Google", "TLS", "Google"));
	CU_ASSERT_TRUE(policy_app_match("tls", "TLS", "Google"));
	CU_ASSERT_TRUE(policy_app_match("SMTP", NULL, "SMTP"));
	CU_ASSERT_TRUE(policy_app_match("SMTP", "SMTP", NULL));
	CU_ASSERT_FALSE(policy_app_match("TLS", "QUIC", "Google"));
	CU_ASSERT_FALSE(policy_app_match("TLS", NULL, NULL));
	CU_ASSERT_FALSE(policy_app_match("TL", "TLS", "Google"));
	CU_ASSERT_FALSE(policy_app_match(NULL, "TLS", "Google"));
}

static void test_passthrough(void)
{
	struct policy_flow f = test_flow("172.16.0.1", "8.8.8.8", 6881);

	CU_ASSERT_EQUAL(f.zone, -1);
	EXPECT(f, POLICY_ALLOW, "passthrough");
	f.cls = POLICY_CLASS_p2p;
	f.app = "BitTorrent";
	f.app_known = true;
	EXPECT(f, POLICY_ALLOW, "passthrough");
	f.outbound = false;
	EXPECT(f, POLICY_ALLOW, "passthrough");
}

/* A table of one grant, from its text form. */
static struct policy_grants test_grants;

static struct policy_grant *test_grant_set(const char *line)
{
	char err[256];
	int rc;

	memset(&test_grants, 0, sizeof(test_grants));
	rc = grant_parse_line(line, &test_grants.g[0], err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\n  grant '%s': %s\n", line, err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	test_grants.n = 1;
	test_grants.gen = 1;
	test_grants.resolved_for = P->version;
	test_grants.g[0].learn_bit = GRANT_LEARN_BIT0;
	grant_fix(&test_grants.g[0], P);
	return &test_grants.g[0];
}

static void test_grant(void)
{
	struct policy_flow f = test_flow("10.10.1.1", "8.8.8.8", 22);

	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.grants = &test_grants;
	test_grant_set("id=4242 src=e2m dst=8.8.8.8 from=0 until=2000 approval=E2M-1");
	/* An address grant beats the strict default at packet 1. */
	EXPECT(f, POLICY_ALLOW, "grant:4242");
	/* It also beats a blocked class (DESIGN 4: rule 1). */
	f.cls = POLICY_CLASS_remote_access;
	f.app = "SSH";
	f.app_known = true;
	EXPECT(f, POLICY_ALLOW, "grant:4242");

	test_grant_set("id=4242 src=10.10.1.0/24 dst=8.8.8.8:22 from=900 until=2000 "
		       "approval=E2M-1");
	EXPECT(f, POLICY_ALLOW, "grant:4242");
	/* Each field narrows it. */
	f.now = 2000; /* ended: back to the policy */
	EXPECT(f, POLICY_DROP, "class:remote_access");
	f.now = 899; /* not yet */
	EXPECT(f, POLICY_DROP, "class:remote_access");
	f.now = 1999;
	EXPECT(f, POLICY_ALLOW, "grant:4242");
	f.remote_port = 23;
	EXPECT(f, POLICY_DROP, "class:remote_access");
	f.remote_port = 22;
	test_addr("8.8.4.4", f.remote);
	EXPECT(f, POLICY_DROP, "class:remote_access");
	test_addr("8.8.8.8", f.remote);
	test_addr("10.10.2.1", f.local);
	EXPECT(f, POLICY_DROP, "class:remote_access");
	test_addr("10.10.1.1", f.local);
	EXPECT(f, POLICY_ALLOW, "grant:4242");

	/* A zone grant: only that zone's flows. */
	test_grant_set("id=7 src=office dst=8.8.8.8 from=0 until=2000 approval=E2M-1");
	EXPECT(f, POLICY_DROP, "class:remote_access");
	/* After a reload the zone is found by name. */
	test_grants.resolved_for = P->version + 1;
	test_grant_set("id=7 src=e2m dst=8.8.8.8 from=0 until=2000 approval=E2M-1");
	test_grants.resolved_for = P->version + 1;
	test_grants.g[0].zone = Z_OFFICE; /* stale index: not used */
	EXPECT(f, POLICY_ALLOW, "grant:7");

	/* Never inbound: a grant is from its src to its dst. */
	test_grant_set("id=8 src=e2m dst=8.8.8.8 from=0 until=2000 approval=E2M-1");
	f = test_flow_in("10.10.1.1", 22, "8.8.8.8");
	f.grants = &test_grants;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
}

/* A host grant is an endpoint of DNS-learned addresses, TLS or HTTP with
 * its name: SNI alone, a guess, another name, another address or another
 * protocol get nothing from it. */
static void test_grant_host(void)
{
	struct policy_flow f = test_flow("10.10.1.1", "203.0.113.80", 443);
	bool tls_only;

	f.grants = &test_grants;
	test_grant_set("id=9 src=10.10.1.1 dst=files.partner.example:443 from=0 until=2000 "
		       "approval=CMO-04");
	/* Not a learned address: dropped at packet 1 as before. */
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.app_master = "TLS";
	f.app_known = true;
	f.sni = "files.partner.example";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");

	/* Learned for the grant's name: a candidate, classified first. */
	f = test_flow("10.10.1.1", "203.0.113.80", 443);
	f.grants = &test_grants;
	f.learned = 1ull << GRANT_LEARN_BIT0;
	EXPECT(f, POLICY_PENDING, "none");
	CU_ASSERT_EQUAL(policy_flow_apps(P, &f, &tls_only), POLICY_APPS_CHECKED);
	CU_ASSERT_FALSE(tls_only);
	/* The config's endpoints declare applications (e2m): it says so.
	 * Were none to, a host grant still makes the flow checked. */
	CU_ASSERT_FALSE(P->no_apps);
	P->no_apps = true;
	CU_ASSERT_EQUAL(policy_flow_apps(P, &f, &tls_only), POLICY_APPS_CHECKED);
	f.grants = NULL;
	CU_ASSERT_EQUAL(policy_flow_apps(P, &f, &tls_only), POLICY_APPS_FREE);
	f.grants = &test_grants;
	P->no_apps = false;
	CU_ASSERT_TRUE(policy_payload_plausible(P, &f, true, (const uint8_t *)"\x16\x03\x01", 3));
	CU_ASSERT_TRUE(policy_payload_plausible(P, &f, true, (const uint8_t *)"GET / ", 6));
	CU_ASSERT_FALSE(policy_payload_plausible(P, &f, true, (const uint8_t *)"SSH-2.0", 7));
	/* TLS and HTTP run over TCP only: over UDP no first bytes fit. */
	f.l4proto = 17;
	CU_ASSERT_FALSE(policy_payload_plausible(P, &f, true, (const uint8_t *)"\x16\x03\x01", 3));
	CU_ASSERT_FALSE(policy_payload_plausible(P, &f, true, (const uint8_t *)"GET / ", 6));
	f.l4proto = 6;
	f.app_master = "TLS";
	f.app_known = true;
	f.sni = "files.partner.example";
	EXPECT(f, POLICY_ALLOW, "grant:9");
	f.sni = "FILES.partner.example.";
	EXPECT(f, POLICY_ALLOW, "grant:9");
	f.sni = "evil.example";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.sni = NULL;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.sni = "files.partner.example";
	f.app_guessed = true;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.app_guessed = false;
	f.app_master = "SSH";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* Plain HTTP by its Host. */
	f.app_master = "HTTP";
	f.sni = NULL;
	f.host = "files.partner.example";
	EXPECT(f, POLICY_ALLOW, "grant:9");
	/* Another port, another source, after the end: nothing. */
	f.remote_port = 8443;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.remote_port = 443;
	test_addr("10.10.1.2", f.local);
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	test_addr("10.10.1.1", f.local);
	f.now = 2000;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.now = 1000;
	EXPECT(f, POLICY_ALLOW, "grant:9");
	/* DNS answers for the name teach the grant's bit. */
	CU_ASSERT_EQUAL(policy_learn_mask(P, &test_grants, "files.partner.example"),
			1ull << GRANT_LEARN_BIT0);
	CU_ASSERT_EQUAL(policy_learn_mask(P, &test_grants, "e2m.customs.example"), 1ull << 1);
	CU_ASSERT_EQUAL(policy_learn_mask(P, NULL, "files.partner.example"), 0);
}

/* The text form: what aduanad sends and --grants reads. */
static void test_grant_text(void)
{
	static const char *const bad_dst[] = {
		"",	       "10.10.1.300",	   "1.2.3.4:0",		"1.2.3.4:65536",
		"1.2.3.4:x",   "host",		   "a..b",		"-a.b",
		"[2001:db8::1", "[2001:db8::1]x", "ex ample.org",	"1.2.3.4/33",
		"example.123", "xn--\x01.example", "a-very-very-very-very-very-very-very-very-long-name.example.org.x.y.z",
	};
	static const char *const bad_src[] = {"", "10.10.1.300", "Not A Zone", "zone.x", "1.2.3.4/40"};
	struct policy_grant g;
	char err[256], line[GRANT_LINE_MAX];
	unsigned i;

	for (i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		CU_ASSERT_EQUAL(grant_parse_dst(bad_dst[i], &g, err, sizeof(err)), -EINVAL);
		if (grant_parse_dst(bad_dst[i], &g, err, sizeof(err)) == 0)
			fprintf(stderr, "\n  dst '%s' accepted\n", bad_dst[i]);
	}
	for (i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++)
		CU_ASSERT_EQUAL(grant_parse_src(bad_src[i], &g, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(grant_parse_dst("[2001:db8::1]:443", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(g.port, 443);
	CU_ASSERT_EQUAL(grant_parse_dst("2001:db8::/32", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(g.port, 0);
	CU_ASSERT_EQUAL(grant_parse_dst("*.Files.Example:8443", &g, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(g.host, "*.files.example");
	CU_ASSERT_FALSE(grant_approval_ok(""));
	CU_ASSERT_FALSE(grant_approval_ok("has space"));
	CU_ASSERT_FALSE(grant_approval_ok("a\"b"));
	CU_ASSERT_TRUE(grant_approval_ok("CMO-04-2019/E2M#12"));

	/* Round trip. */
	CU_ASSERT_EQUAL(grant_parse_line("id=3 src=10.10.0.0/16 dst=[2001:db8::1]:443 from=5 "
					 "until=10 approval=A-1 # comment",
					 &g, err, sizeof(err)),
			0);
	grant_format(&g, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, "id=3 src=10.10.0.0/16 dst=[2001:db8::1]:443 from=5 "
				     "until=10 approval=A-1");
	CU_ASSERT_EQUAL(grant_parse_line("  # nothing", &g, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(grant_parse_line("id=3 src=e2m dst=1.2.3.4 from=5 until=5 approval=A",
					 &g, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(grant_parse_line("id=3 src=e2m dst=1.2.3.4 until=9", &g, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(grant_parse_line("id=0 src=e2m dst=1.2.3.4 until=9 approval=A", &g, err,
					 sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(grant_parse_line("id=1 src=e2m dst=1.2.3.4 until=9 approval=A bogus=1",
					 &g, err, sizeof(err)),
			-EINVAL);
	/* Checked against the snapshot: a zone that exists, a source in one. */
	CU_ASSERT_EQUAL(grant_parse_src("nozone", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), -ENOENT);
	CU_ASSERT_EQUAL(grant_parse_src("172.16.0.1", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), -ENOENT);
	CU_ASSERT_EQUAL(grant_parse_src("10.10.1.1", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), 0);
	/* A prefix is addresses of one zone. 10.10.0.0/16 is e2m's subnet, but
	 * office's 10.10.99.0/24 is carved out of it: a grant from it would
	 * open office hosts too. 10.10.0.0/15 reaches past e2m. */
	CU_ASSERT_EQUAL(grant_parse_src("10.10.1.0/24", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_parse_src("10.10.99.0/25", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_parse_src("10.10.0.0/16", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "covers addresses of zone office"));
	CU_ASSERT_EQUAL(grant_parse_src("10.10.0.0/15", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not all in zone e2m"));
	CU_ASSERT_EQUAL(grant_parse_src("2001:db8:e2::/48", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_parse_src("2001:db8:e2::/47", &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(grant_check(&g, P, err, sizeof(err)), -EINVAL);
}

static void test_endpoint_packet1(void)
{
	/* backup has no apps and no hosts: address and port are all there is
	 * to match, so it allows at the first packet. */
	struct policy_flow f = test_flow("10.10.1.1", "203.0.113.7", 22);

	EXPECT(f, POLICY_ALLOW, "allow:backup");
	/* Even if classification later calls it remote access: the endpoint
	 * was declared for anything on that port. */
	f.cls = POLICY_CLASS_remote_access;
	f.app = "SSH";
	f.app_known = true;
	EXPECT(f, POLICY_ALLOW, "allow:backup");

	f = test_flow("10.10.1.1", "203.0.113.7", 23);
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow("10.10.1.1", "203.0.113.8", 22);
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
}

static void test_strict_packet1_drop(void)
{
	static const char *const remotes[] = {"8.8.8.8", "198.51.100.16", "192.0.2.26",
					      "192.0.2.54"};
	unsigned i;

	/* Nothing can allow these: dropped at packet 1, never PENDING, and
	 * still dropped whatever classification finds later. */
	for (i = 0; i < sizeof(remotes) / sizeof(remotes[0]); i++) {
		struct policy_flow f = test_flow("10.10.1.1", remotes[i], 443);

		EXPECT(f, POLICY_DROP, "default:e2m-strict");
		f.app_master = "TLS";
		f.sni = "e2m.customs.example"; /* SNI alone never allows */
		EXPECT(f, POLICY_DROP, "default:e2m-strict");
		f.app_known = true;
		EXPECT(f, POLICY_DROP, "default:e2m-strict");
		f.giveup = true;
		EXPECT(f, POLICY_DROP, "default:e2m-strict");
	}
}

static void test_wrong_port(void)
{
	struct policy_flow f = test_flow("10.10.1.1", "198.51.100.1", 80);

	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow_tls("10.10.1.1", "198.51.100.1", 8443, "e2m.customs.example");
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow("10.10.1.1", "192.0.2.25", 443);
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow("10.10.1.1", "192.0.2.53", 853); /* DoT to the resolver */
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
}

static void test_endpoint_apps(void)
{
	struct policy_flow f = test_flow("10.10.1.1", "198.51.100.1", 443);

	/* Address and port match, app unknown yet: keep classifying. */
	EXPECT(f, POLICY_PENDING, "none");
	f.sni = "e2m.customs.example"; /* SNI seen, app not final yet */
	EXPECT(f, POLICY_PENDING, "none");

	f = test_flow_tls("10.10.1.1", "198.51.100.1", 443, "e2m.customs.example");
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.sni = "E2M.customs.example.";
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.sni = "api.e2m.customs.example";
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.sni = "a.b.e2m.customs.example";
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.sni = "xn--bcher-kva.example";
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	/* "TLS" matches nDPI's TLS.Google (master TLS, app Google). */
	f.sni = "e2m.customs.example";
	f.app = "Google";
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.app = NULL;

	/* Foreign names on the E2M address: the default. */
	f.sni = "www.google.com";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.sni = "customs.example";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.sni = "e2m.customs.example.evil.example";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* TLS without SNI cannot prove where it goes. */
	f.sni = NULL;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* The HTTP Host counts when there is no SNI... */
	f.app_master = "HTTP";
	f.host = "e2m.customs.example";
	EXPECT(f, POLICY_DROP, "default:e2m-strict"); /* ...but HTTP is not declared */
	f.app_master = "TLS";
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.host = NULL;

	/* A guessed TLS (port 443) never allows. */
	f = test_flow_tls("10.10.1.1", "198.51.100.1", 443, "e2m.customs.example");
	f.app_guessed = true;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f.app_known = false;
	EXPECT(f, POLICY_PENDING, "none");
	f.giveup = true;
	EXPECT(f, POLICY_DROP, "exception:giveup");

	/* An allowed endpoint comes before a blocked class. */
	f = test_flow_tls("10.10.1.1", "198.51.100.1", 443, "e2m.customs.example");
	f.cls = POLICY_CLASS_document_upload;
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.sni = "upload.evil.example";
	EXPECT(f, POLICY_DROP, "class:document_upload");
}

static void test_remote_access_to_e2m(void)
{
	/* RDP on the E2M server's address and port: the endpoint declares TLS,
	 * not RDP, so this is remote access. */
	struct policy_flow f = test_flow("10.10.1.1", "198.51.100.1", 443);

	EXPECT(f, POLICY_PENDING, "none");
	f.app = "RDP";
	f.app_known = true;
	f.cls = POLICY_CLASS_remote_access;
	EXPECT(f, POLICY_DROP, "class:remote_access");
	/* With the SNI of the E2M server too. */
	f.sni = "e2m.customs.example";
	EXPECT(f, POLICY_DROP, "class:remote_access");
	/* On RDP's own port it never gets that far. */
	f = test_flow("10.10.1.1", "198.51.100.1", 3389);
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* A guessed class blocks too: on an endpoint's address and port once
	 * classification gives up (before that, DPI may still find TLS). */
	f = test_flow("10.10.1.1", "198.51.100.1", 443);
	f.app = "RDP";
	f.app_guessed = true;
	f.cls = POLICY_CLASS_remote_access;
	EXPECT(f, POLICY_PENDING, "none");
	f.giveup = true;
	EXPECT(f, POLICY_DROP, "class:remote_access");
}

static void test_non_web_endpoints(void)
{
	/* SMTP carries no SNI or Host: the endpoint's hosts do not apply. */
	struct policy_flow f = test_flow("10.10.1.1", "192.0.2.25", 25);

	EXPECT(f, POLICY_PENDING, "none");
	f.app_master = "SMTP";
	f.app_known = true;
	EXPECT(f, POLICY_ALLOW, "allow:boc_mail");
	/* Mail submission with TLS: nDPI says SMTPS with an SNI, which must
	 * then be the relay's. */
	f = test_flow("10.10.1.1", "192.0.2.25", 465);
	f.app_master = "SMTPS";
	f.app_known = true;
	f.sni = "mail.customs.example";
	EXPECT(f, POLICY_ALLOW, "allow:boc_mail");
	f.sni = "smtp.gmail.com";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* Plain TLS on the mail ports is not a declared app. */
	f = test_flow_tls("10.10.1.1", "192.0.2.25", 465, "mail.customs.example");
	EXPECT(f, POLICY_DROP, "default:e2m-strict");

	f = test_flow("10.10.1.1", "192.0.2.53", 53);
	f.l4proto = 17;
	EXPECT(f, POLICY_PENDING, "none");
	f.app_master = "DNS";
	f.app_known = true;
	f.dns_query = "e2m.customs.example";
	EXPECT(f, POLICY_ALLOW, "allow:dns");
	/* Something else to port 53 on the resolver. */
	f.app_master = "OpenVPN";
	f.cls = POLICY_CLASS_vpn;
	EXPECT(f, POLICY_DROP, "class:vpn");
	f.cls = POLICY_CLASS_NONE;
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
}

static void test_office_classes(void)
{
	struct policy_flow f = test_flow("10.20.1.1", "8.8.8.8", 6881);

	CU_ASSERT_EQUAL(f.zone, Z_OFFICE);
	/* Default allow: nothing is decided before classification. */
	EXPECT(f, POLICY_PENDING, "none");
	/* A guess from the port waits for DPI where the default allows... */
	f.cls = POLICY_CLASS_p2p;
	f.app_guessed = true;
	EXPECT(f, POLICY_PENDING, "none");
	/* ...and blocks when DPI gives up on the flow... */
	f.giveup = true;
	EXPECT(f, POLICY_DROP, "class:p2p");
	/* ...or confirms it. */
	f.giveup = false;
	f.app_guessed = false;
	f.app_known = true;
	EXPECT(f, POLICY_DROP, "class:p2p");
	/* A profile with guess = "block" drops the guess at once. */
	f = test_flow("10.30.0.10", "8.8.8.8", 6881);
	CU_ASSERT_EQUAL(f.zone, Z_DMZ);
	f.cls = POLICY_CLASS_p2p;
	f.app_guessed = true;
	EXPECT(f, POLICY_DROP, "class:p2p");

	f = test_flow_tls("10.20.1.1", "157.240.1.35", 443, "www.facebook.com");
	f.app = "Facebook";
	f.cls = POLICY_CLASS_social; /* not blocked for the office */
	EXPECT(f, POLICY_ALLOW, "default:office");
	f.cls = POLICY_CLASS_proxy;
	EXPECT(f, POLICY_DROP, "class:proxy");

	/* Nested office subnet inside the e2m /16 follows the office. */
	f = test_flow("10.10.99.1", "8.8.8.8", 3389);
	CU_ASSERT_EQUAL(f.zone, Z_OFFICE);
	EXPECT(f, POLICY_PENDING, "none");
	f.app = "RDP";
	f.app_known = true;
	f.cls = POLICY_CLASS_remote_access;
	EXPECT(f, POLICY_DROP, "class:remote_access");

	/* Giveup: the office's on_giveup is allow. */
	f = test_flow("10.20.1.1", "8.8.8.8", 9999);
	f.giveup = true;
	EXPECT(f, POLICY_ALLOW, "exception:giveup");
	/* A known app is judged by the default, not the giveup. */
	f.app_known = true;
	f.app = "Unknown_but_final";
	EXPECT(f, POLICY_ALLOW, "default:office");
}

/* A partial answer (nDPI not done yet) lets an endpoint allow and a class
 * block, but an allowing default waits for the final answer. */
static void test_partial_app(void)
{
	struct policy_flow f = test_flow_tls("10.20.1.1", "203.0.113.7", 443, "x.example");

	f.app_partial = true;
	EXPECT(f, POLICY_PENDING, "none");
	f.app = "AnyDesk"; /* the certificate came: a blocked class */
	f.cls = POLICY_CLASS_remote_access;
	EXPECT(f, POLICY_DROP, "class:remote_access");
	f.app = NULL;
	f.cls = POLICY_CLASS_NONE;
	f.app_partial = false;
	EXPECT(f, POLICY_ALLOW, "default:office");
	/* the budget spent: the partial answer is all there is */
	f.app_partial = true;
	f.giveup = true;
	EXPECT(f, POLICY_ALLOW, "default:office");

	/* strict: the endpoint allows on a partial TLS answer with its SNI... */
	f = test_flow_tls("10.10.1.1", "198.51.100.1", 443, "e2m.customs.example");
	f.app_partial = true;
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	/* ...and a dropping default does not wait for a foreign SNI */
	f.sni = "evil.example";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
}

/* A port guess blocks, except on the way to a declared endpoint and in a
 * profile whose guesses wait. */
static void test_guess_vs_endpoint(void)
{
	struct policy_flow f = test_flow("10.10.1.1", "192.0.2.25", 587);

	f.app_master = "SMTP";
	f.app_guessed = true;
	f.cls = POLICY_CLASS_mail;
	EXPECT(f, POLICY_PENDING, "none"); /* the mail relay: wait for DPI */
	f.app_guessed = false;
	f.app_known = true;
	EXPECT(f, POLICY_ALLOW, "allow:boc_mail");
	/* the same guess elsewhere in the office waits for DPI (guesses
	 * wait where the default allows) */
	f = test_flow("10.20.1.1", "203.0.113.5", 1080);
	f.app_master = "SOCKS";
	f.app_guessed = true;
	f.cls = POLICY_CLASS_proxy;
	EXPECT(f, POLICY_PENDING, "none");
	f.giveup = true;
	EXPECT(f, POLICY_DROP, "class:proxy");
	/* at give-up a guessed class to an endpoint address blocks */
	f = test_flow("10.10.1.1", "192.0.2.25", 587);
	f.app_master = "SMTP";
	f.app_guessed = true;
	f.cls = POLICY_CLASS_mail;
	f.giveup = true;
	EXPECT(f, POLICY_DROP, "class:mail");
}

static void test_strict_giveup(void)
{
	/* A candidate endpoint kept the flow open; classification gave up. */
	struct policy_flow f = test_flow("10.10.1.1", "198.51.100.1", 443);

	f.giveup = true;
	EXPECT(f, POLICY_DROP, "exception:giveup");
}

static void test_inbound(void)
{
	/* Strict zone: inbound drops at the first packet, before anything
	 * about the flow is known. */
	struct policy_flow f = test_flow_in("10.10.1.1", 443, "8.8.8.8");

	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* Inbound is not an outbound endpoint flow. */
	f = test_flow_in("10.10.1.1", 443, "198.51.100.1");
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow_in("10.20.1.1", 80, "8.8.8.8");
	EXPECT(f, POLICY_DROP, "default:office");

	/* The dmz's profile lets inbound in, after classification. */
	f = test_flow_in("10.30.0.10", 443, "8.8.8.8");
	CU_ASSERT_EQUAL(f.zone, Z_DMZ);
	EXPECT(f, POLICY_PENDING, "none");
	f.app_master = "TLS";
	f.app_known = true;
	EXPECT(f, POLICY_ALLOW, "default:servers");
	/* Remote access is blocked inbound even though the profile does not
	 * list it. */
	f.app_master = "RDP";
	f.cls = POLICY_CLASS_remote_access;
	EXPECT(f, POLICY_DROP, "class:remote_access");
	f.app_known = false;
	f.app_guessed = true;
	EXPECT(f, POLICY_DROP, "class:remote_access");
	/* Listed classes block. */
	f.cls = POLICY_CLASS_p2p;
	EXPECT(f, POLICY_DROP, "class:p2p");
	/* Unlisted ones do not. */
	f.cls = POLICY_CLASS_social;
	f.app_known = true;
	f.app_guessed = false;
	EXPECT(f, POLICY_ALLOW, "default:servers");
	/* Giveup: servers' on_giveup is drop. */
	f = test_flow_in("10.30.0.10", 443, "8.8.8.8");
	f.giveup = true;
	EXPECT(f, POLICY_DROP, "exception:giveup");

	/* The dmz's outbound follows its default (allow). */
	f = test_flow("10.30.0.10", "8.8.8.8", 443);
	f.app_known = true;
	f.app_master = "TLS";
	EXPECT(f, POLICY_ALLOW, "default:servers");
}

static void test_ipv6(void)
{
	struct policy_flow f =
		test_flow_tls("2001:db8:e2::5", "2001:db8:e2e::1", 443, "e2m.customs.example");

	CU_ASSERT_EQUAL(f.zone, Z_E2M);
	EXPECT(f, POLICY_ALLOW, "allow:e2m");
	f.sni = "www.example.com";
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow("2001:db8:e2::5", "2001:db8:e2e::1", 443);
	EXPECT(f, POLICY_PENDING, "none");
	f = test_flow("2001:db8:e2::5", "2001:db8:bac::7", 22);
	EXPECT(f, POLICY_ALLOW, "allow:backup");
	f = test_flow("2001:db8:e2::5", "2001:db8:ffff::1", 443);
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	/* An IPv4 endpoint never matches an IPv6 flow to a look-alike. */
	f = test_flow("2001:db8:e2::5", "::c633:6401", 443); /* ::198.51.100.1 */
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow_in("2001:db8:e2::5", 22, "2001:db8:bac::7");
	EXPECT(f, POLICY_DROP, "default:e2m-strict");
	f = test_flow("2001:db8:1::5", "2001:db8:bac::7", 22);
	EXPECT(f, POLICY_ALLOW, "passthrough");
}

static void test_bad_zone_index(void)
{
	struct policy_flow f = test_flow("10.10.1.1", "203.0.113.7", 22);

	f.zone = (int)P->n_zones;
	EXPECT(f, POLICY_DROP, "none");
}

static void test_exception_actions(void)
{
	struct policy_decision d;
	char buf[64];

	policy_exception(P, Z_E2M, POLICY_EXC_flow_table_full, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_DROP);
	CU_ASSERT_EQUAL(d.reason, POLICY_R_EXCEPTION);
	CU_ASSERT_EQUAL(d.arg, POLICY_EXC_flow_table_full);
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "exception:flow_table_full");
	policy_exception(P, Z_E2M, POLICY_EXC_giveup, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_DROP);

	policy_exception(P, Z_OFFICE, POLICY_EXC_midstream, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_ALLOW);
	CU_ASSERT_EQUAL(d.arg, POLICY_EXC_midstream);
	policy_exception(P, Z_OFFICE, POLICY_EXC_giveup, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_ALLOW);

	/* servers: on_exception allow, on_giveup drop. */
	policy_exception(P, Z_DMZ, POLICY_EXC_fragment, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_ALLOW);
	policy_exception(P, Z_DMZ, POLICY_EXC_giveup, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_DROP);
	CU_ASSERT_EQUAL(d.reason, POLICY_R_EXCEPTION);
	CU_ASSERT_EQUAL(d.arg, POLICY_EXC_giveup);

	/* No zone: passthrough traffic is not protected. */
	policy_exception(P, -1, POLICY_EXC_malformed, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_ALLOW);
	CU_ASSERT_EQUAL(d.reason, POLICY_R_EXCEPTION);
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "exception:malformed");
}

static void test_reason_format(void)
{
	struct policy_decision d = {POLICY_ALLOW, POLICY_R_ENDPOINT, 1};
	char buf[64];
	int n;

	n = policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "allow:e2m");
	CU_ASSERT_EQUAL(n, 9);
	d = (struct policy_decision){POLICY_DROP, POLICY_R_CLASS, POLICY_CLASS_encrypted_dns};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "class:encrypted_dns");
	d = (struct policy_decision){POLICY_DROP, POLICY_R_DEFAULT, 0};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "default:e2m-strict");
	d = (struct policy_decision){POLICY_DROP, POLICY_R_EXCEPTION, POLICY_EXC_reassembly};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "exception:reassembly");
	d = (struct policy_decision){POLICY_ALLOW, POLICY_R_PASSTHROUGH, 0};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "passthrough");
	d = (struct policy_decision){POLICY_PENDING, POLICY_R_NONE, 0};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "none");

	/* Grants print their id, not their index: the grant table has it. */
	test_grant_set("id=77 src=e2m dst=1.2.3.4 until=9 approval=A");
	d = (struct policy_decision){POLICY_ALLOW, POLICY_R_GRANT, 0};
	CU_ASSERT_EQUAL(grant_of(&test_grants, &d)->id, 77);
	d.arg = 1;
	CU_ASSERT_PTR_NULL(grant_of(&test_grants, &d));
	CU_ASSERT_PTR_NULL(grant_of(NULL, &d));

	/* snprintf-style: the full length, the text cut to the buffer. */
	d = (struct policy_decision){POLICY_DROP, POLICY_R_DEFAULT, 0};
	n = policy_reason_format(P, &d, buf, 8);
	CU_ASSERT_EQUAL(n, (int)strlen("default:e2m-strict"));
	CU_ASSERT_STRING_EQUAL(buf, "default");

	/* Out-of-range args do not read past the snapshot. */
	d = (struct policy_decision){POLICY_ALLOW, POLICY_R_ENDPOINT, 999};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "allow:?");
	d = (struct policy_decision){POLICY_ALLOW, POLICY_R_GRANT, 0};
	policy_reason_format(P, &d, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "grant:?");
}

static void test_names(void)
{
	unsigned i;

	CU_ASSERT_PTR_NULL(policy_class_name(POLICY_CLASS_NONE));
	CU_ASSERT_PTR_NULL(policy_class_name(POLICY_CLASS_COUNT));
	CU_ASSERT_STRING_EQUAL(policy_class_name(POLICY_CLASS_file_sharing), "file_sharing");
	CU_ASSERT_STRING_EQUAL(policy_class_name(POLICY_CLASS_document_upload), "document_upload");
	for (i = 1; i < POLICY_CLASS_COUNT; i++)
		CU_ASSERT_EQUAL(policy_class_from_name(policy_class_name(i)), i);
	CU_ASSERT_EQUAL(policy_class_from_name("torrent"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(policy_class_from_name(""), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(policy_class_from_name(NULL), POLICY_CLASS_NONE);

	CU_ASSERT_STRING_EQUAL(policy_exception_name(POLICY_EXC_flow_table_full),
			       "flow_table_full");
	CU_ASSERT_STRING_EQUAL(policy_exception_name(POLICY_EXC_giveup), "giveup");
	CU_ASSERT_PTR_NULL(policy_exception_name(POLICY_EXC_COUNT));
	policy_free(NULL);
}

static CU_TestInfo test_policy_tests[] = {
	{"partial application answer", test_partial_app},
	{"port guess and endpoints", test_guess_vs_endpoint},
	{"prefix parse and match", test_prefix_parse},
	{"prefix match at every length", test_prefix_every_len},
	{"zone by longest prefix", test_zone_find},
	{"host matcher", test_host_match},
	{"app matcher", test_app_match},
	{"no zone: passthrough", test_passthrough},
	{"grants come first", test_grant},
	{"host grants: learned address, TLS or HTTP, its name", test_grant_host},
	{"grant text form and checks", test_grant_text},
	{"endpoint without apps allows at packet 1", test_endpoint_packet1},
	{"strict zone drops non-endpoints at packet 1", test_strict_packet1_drop},
	{"wrong port drops", test_wrong_port},
	{"endpoint apps and hosts", test_endpoint_apps},
	{"RDP to the E2M address is remote access", test_remote_access_to_e2m},
	{"non-web endpoints (SMTP, DNS)", test_non_web_endpoints},
	{"office classes and default", test_office_classes},
	{"strict giveup", test_strict_giveup},
	{"inbound", test_inbound},
	{"IPv6 zone and endpoints", test_ipv6},
	{"zone index out of range fails closed", test_bad_zone_index},
	{"exception actions per zone", test_exception_actions},
	{"reason strings", test_reason_format},
	{"class and exception names", test_names},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("policy", test_policy_init, test_policy_fini, test_policy_tests);
}
