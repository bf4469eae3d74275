/* test_config.c - the config loader (DESIGN 3.4): the shipped policy loads
 * as written, and each kind of mistake is refused with its line and a
 * message an operator can act on. Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "sha256.h"
#include "unit.h"

#define SHIPPED "conf/aduana.conf"

static bool test_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int test_zone_of(const struct policy *p, const char *text)
{
	struct policy_prefix pfx;

	if (policy_prefix_parse(text, &pfx) < 0)
		return -2;
	return policy_zone_find(p, pfx.addr);
}

static int test_find_profile(const struct policy *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->n_profiles; i++)
		if (strcmp(p->profiles[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Load text from a scratch file; the file is removed again. */
static struct policy *test_load(const char *text, char *err, size_t errlen, char *path_out)
{
	const char *path = unit_write_tmp("config.conf", text);
	struct policy *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	if (path_out)
		strcpy(path_out, path);
	p = config_load(path, 1, err, errlen);
	unlink(path);
	return p;
}

static void test_shipped(void)
{
	char err[512] = "";
	struct policy *p = config_load(SHIPPED, 42, err, sizeof(err));
	const struct policy_profile *strict, *office;
	const struct policy_endpoint *ep;
	int si, oi;
	unsigned cls, i;

	if (!p)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->version, 42);
	CU_ASSERT_STRING_EQUAL(p->source, SHIPPED);
	CU_ASSERT_EQUAL(strlen(p->hash), 64);
	CU_ASSERT_EQUAL(strspn(p->hash, "0123456789abcdef"), 64);

	CU_ASSERT_EQUAL(p->n_endpoints, 3);
	CU_ASSERT_EQUAL(p->n_profiles, 2);
	CU_ASSERT_EQUAL(p->n_zones, 2);
	CU_ASSERT_EQUAL(p->n_zone_prefixes, 3);

	CU_ASSERT_EQUAL(p->dp.workers, 1);
	CU_ASSERT_EQUAL(p->dp.flows_per_worker, 262144);
	CU_ASSERT_EQUAL(p->dp.classify_packets, 32);
	CU_ASSERT_EQUAL(p->dp.first_drop_records, 10000);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_TCP], 3600);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_TCP_CLOSED], 10);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_UDP], 120);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_ICMP], 30);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_OTHER], 60);
	CU_ASSERT_STRING_EQUAL(p->flow_log, "/var/log/aduana/flows.jsonl");
	CU_ASSERT_TRUE(test_ends_with(p->classes_path, "conf/classes.conf"));
	CU_ASSERT_TRUE(test_ends_with(p->lists_path, "conf/lists"));

	ep = &p->endpoints[0];
	CU_ASSERT_STRING_EQUAL(ep->name, "boc_mail");
	CU_ASSERT_EQUAL(ep->n_prefixes, 1);
	CU_ASSERT_EQUAL(ep->prefixes[0].len, 32 + 96);
	CU_ASSERT_EQUAL(ep->n_ports, 5);
	CU_ASSERT_EQUAL(ep->ports[0], 25);
	CU_ASSERT_EQUAL(ep->ports[4], 995);
	CU_ASSERT_EQUAL(ep->n_apps, 4);
	CU_ASSERT_STRING_EQUAL(ep->apps[3], "POPS");
	CU_ASSERT_EQUAL(ep->n_hosts, 1);
	CU_ASSERT_STRING_EQUAL(ep->hosts[0], "mail.customs.example");
	ep = &p->endpoints[1];
	CU_ASSERT_STRING_EQUAL(ep->name, "e2m");
	CU_ASSERT_EQUAL(ep->prefixes[0].len, 28 + 96);
	CU_ASSERT_EQUAL(ep->n_hosts, 2);
	CU_ASSERT_STRING_EQUAL(ep->hosts[1], "*.e2m.customs.example");
	ep = &p->endpoints[2];
	CU_ASSERT_STRING_EQUAL(ep->name, "dns");
	CU_ASSERT_EQUAL(ep->n_hosts, 0);

	si = test_find_profile(p, "e2m-strict");
	oi = test_find_profile(p, "office");
	CU_ASSERT_FATAL(si >= 0 && oi >= 0);
	strict = &p->profiles[si];
	office = &p->profiles[oi];
	CU_ASSERT_EQUAL(strict->default_action, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(strict->inbound_action, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(strict->on_giveup, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(strict->on_exception, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(strict->n_allow, 3);
	for (i = 0; i < strict->n_allow && i < 3; i++)
		CU_ASSERT_EQUAL(strict->allow[i], i);
	for (cls = 1; cls < POLICY_CLASS_COUNT; cls++)
		CU_ASSERT_TRUE(strict->block_mask & (1u << cls));
	CU_ASSERT_FALSE(strict->block_mask & 1u);
	CU_ASSERT_EQUAL(office->default_action, POLICY_ACT_ALLOW);
	CU_ASSERT_EQUAL(office->inbound_action, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(office->on_giveup, POLICY_ACT_ALLOW);
	CU_ASSERT_EQUAL(office->on_exception, POLICY_ACT_ALLOW);
	/* guesses: block where the default drops, wait where it allows */
	CU_ASSERT_TRUE(strict->guess_blocks);
	CU_ASSERT_FALSE(office->guess_blocks);
	CU_ASSERT_EQUAL(office->n_allow, 0);
	CU_ASSERT_EQUAL(office->block_mask, (1u << POLICY_CLASS_p2p) |
						    (1u << POLICY_CLASS_remote_access) |
						    (1u << POLICY_CLASS_proxy));

	CU_ASSERT_STRING_EQUAL(p->zones[0].name, "e2m");
	CU_ASSERT_EQUAL(p->zones[0].profile, (unsigned)si);
	CU_ASSERT_STRING_EQUAL(p->zones[1].name, "office");
	CU_ASSERT_EQUAL(p->zones[1].profile, (unsigned)oi);
	CU_ASSERT_EQUAL(test_zone_of(p, "10.10.1.1"), 0);
	CU_ASSERT_EQUAL(test_zone_of(p, "2001:db8:e2::5"), 0);
	CU_ASSERT_EQUAL(test_zone_of(p, "10.20.3.4"), 1);
	CU_ASSERT_EQUAL(test_zone_of(p, "8.8.8.8"), -1);
	CU_ASSERT_EQUAL(test_zone_of(p, "192.0.2.25"), -1);
	CU_ASSERT_EQUAL(p->zone_prefixes[0].pfx.len, 16 + 96);
	CU_ASSERT_EQUAL(p->zone_prefixes[2].pfx.len, 48);

	policy_free(p);
}

/* The hash is of the file's bytes: the same as sha256sum would print. */
static void test_hash_is_of_the_file(void)
{
	static const char text[] = "version = 1;\n";
	char err[256], hex[SHA256_HEX_SIZE];
	struct policy *p = test_load(text, err, sizeof(err), NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sha256_hex(text, strlen(text), hex);
	CU_ASSERT_STRING_EQUAL(p->hash, hex);
	policy_free(p);
}

static void test_sha256(void)
{
	static const struct {
		const char *in, *hex;
	} vec[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqk"
		 "lm"
		 "nopqrlmnopqrsmnopqrstnopqrstu",
		 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	struct sha256_ctx ctx;
	uint8_t md[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE], *million;
	unsigned i;
	size_t off, step;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		sha256_hex(vec[i].in, strlen(vec[i].in), hex);
		CU_ASSERT_STRING_EQUAL(hex, vec[i].hex);
	}

	/* One million 'a', fed in uneven pieces to exercise the buffering. */
	million = malloc(1000000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(million);
	memset(million, 'a', 1000000);
	sha256_init(&ctx);
	for (off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 191 + 1)
		sha256_update(&ctx, million + off, off + step > 1000000 ? 1000000 - off : step);
	sha256_final(&ctx, md);
	sha256_hex(million, 1000000, hex);
	free(million);
	CU_ASSERT_STRING_EQUAL(hex,
			       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	CU_ASSERT_EQUAL(md[0], 0xcd);
	CU_ASSERT_EQUAL(md[31], 0xd0);
}

static void test_defaults(void)
{
	static const char text[] = "version = 1;\n"
				   "profiles = (\n"
				   "  { name = \"closed\"; default = \"drop\"; },\n"
				   "  { name = \"open\"; default = \"allow\"; }\n"
				   ");\n";
	char err[256], path[512];
	struct policy *p = test_load(text, err, sizeof(err), path);
	char *slash = strrchr(path, '/');
	char expect[600];

	if (!p)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->dp.workers, 1);
	CU_ASSERT_EQUAL(p->dp.flows_per_worker, 262144);
	CU_ASSERT_EQUAL(p->dp.classify_packets, 32);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_TCP], 3600);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_OTHER], 60);
	CU_ASSERT_STRING_EQUAL(p->flow_log, "");
	/* Relative to the config's directory, not the current one. */
	snprintf(expect, sizeof(expect), "%.*s/classes.conf", (int)(slash - path), path);
	CU_ASSERT_STRING_EQUAL(p->classes_path, expect);
	snprintf(expect, sizeof(expect), "%.*s/lists", (int)(slash - path), path);
	CU_ASSERT_STRING_EQUAL(p->lists_path, expect);
	CU_ASSERT_EQUAL(p->n_endpoints, 0);
	CU_ASSERT_EQUAL(p->n_zones, 0);

	/* inbound defaults to drop; on_giveup and on_exception follow the
	 * default, so a closed profile fails closed. */
	CU_ASSERT_EQUAL(p->n_profiles, 2);
	CU_ASSERT_EQUAL(p->profiles[0].inbound_action, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(p->profiles[0].on_giveup, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(p->profiles[0].on_exception, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(p->profiles[1].inbound_action, POLICY_ACT_DROP);
	CU_ASSERT_EQUAL(p->profiles[1].on_giveup, POLICY_ACT_ALLOW);
	CU_ASSERT_EQUAL(p->profiles[1].on_exception, POLICY_ACT_ALLOW);
	CU_ASSERT_EQUAL(p->profiles[1].n_allow, 0);
	CU_ASSERT_EQUAL(p->profiles[1].block_mask, 0);
	policy_free(p);
}

static void test_normalised(void)
{
	static const char text[] =
		"version = 1;\n"
		"dataplane = { workers = 64; flows_per_worker = 16777216; classify_packets = 255;\n"
		"  timeouts = { tcp = 86400; udp = 1; }; };\n"
		"log = { flow_log = \"-\"; };\n"
		"classes = \"/etc/aduana/classes.conf\";\n"
		"lists = \"data/lists\";\n"
		"endpoints = (\n"
		"  { name = \"Web_1.x-y\"; addresses = ( \"10.1.2.3/16\", \"2001:DB8::1/32\" );\n"
		"    hosts = ( \"WWW.Example.ORG.\", \"*.Example.org\", \"xn--bcher-kva.example\" "
		");\n"
		"    apps = [ ]; ports = ( 1, 65535 ); }\n"
		");\n";
	char err[256];
	struct policy *p = test_load(text, err, sizeof(err), NULL);
	struct policy_prefix want;
	const struct policy_endpoint *ep;

	if (!p)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->dp.workers, 64);
	CU_ASSERT_EQUAL(p->dp.flows_per_worker, 16777216);
	CU_ASSERT_EQUAL(p->dp.classify_packets, 255);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_TCP], 86400);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_UDP], 1);
	CU_ASSERT_EQUAL(p->dp.timeouts[POLICY_TO_ICMP], 30);
	CU_ASSERT_STRING_EQUAL(p->flow_log, "-");
	CU_ASSERT_STRING_EQUAL(p->classes_path, "/etc/aduana/classes.conf");
	CU_ASSERT_TRUE(test_ends_with(p->lists_path, "/data/lists"));

	CU_ASSERT_EQUAL_FATAL(p->n_endpoints, 1);
	ep = &p->endpoints[0];
	CU_ASSERT_STRING_EQUAL(ep->name, "Web_1.x-y");
	CU_ASSERT_EQUAL_FATAL(ep->n_prefixes, 2);
	CU_ASSERT_EQUAL(policy_prefix_parse("10.1.0.0/16", &want), 0);
	CU_ASSERT_EQUAL(memcmp(&ep->prefixes[0], &want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(policy_prefix_parse("2001:db8::/32", &want), 0);
	CU_ASSERT_EQUAL(memcmp(&ep->prefixes[1], &want, sizeof(want)), 0);
	CU_ASSERT_EQUAL_FATAL(ep->n_hosts, 3);
	CU_ASSERT_STRING_EQUAL(ep->hosts[0], "www.example.org");
	CU_ASSERT_STRING_EQUAL(ep->hosts[1], "*.example.org");
	CU_ASSERT_STRING_EQUAL(ep->hosts[2], "xn--bcher-kva.example");
	CU_ASSERT_EQUAL(ep->n_apps, 0);
	CU_ASSERT_EQUAL_FATAL(ep->n_ports, 2);
	CU_ASSERT_EQUAL(ep->ports[1], 65535);
	policy_free(p);
}

/* The load must fail with "PATH:LINE: ..." and the message must carry
 * keyword. The whole message is printed on a mismatch. */
static void test_bad_at(int tline, const char *text, unsigned line, const char *keyword)
{
	char err[512] = "", path[512], want[600];
	struct policy *p = test_load(text, err, sizeof(err), path);

	snprintf(want, sizeof(want), "%s:%u: ", path, line);
	if (p || strncmp(err, want, strlen(want)) != 0 || !strstr(err, keyword))
		fprintf(stderr, "\n  line %d: want '%s...%s', got '%s'\n", tline, want, keyword,
			p ? "(loaded)" : err);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, keyword));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	policy_free(p);
}

#define BAD(text, line, keyword) test_bad_at(__LINE__, text, line, keyword)

/* A valid prologue for cases about zones and profiles. */
#define EP                                                                                         \
	"version = 1;\n"                                                                           \
	"endpoints = ( { name = \"e2m\"; addresses = [ \"198.51.100.0/28\" ]; } );\n"
#define PROF EP "profiles = ( { name = \"strict\"; default = \"drop\"; allow = [ \"e2m\" ]; } );\n"

static void test_bad_syntax(void)
{
	BAD("version = 1;\n"
	    "dataplane = {\n"
	    "  workers = ;\n"
	    "};\n",
	    3, "syntax error");
	BAD("version = 1;\n"
	    "log = { flow_log = \"a\"; flow_log = \"b\"; };\n",
	    2, "duplicate setting");
}

static void test_bad_unknown_top_key(void)
{
	BAD("version = 1;\n"
	    "\n"
	    "zone = ( );\n",
	    3, "unknown key 'zone' at the top level");
}

static void test_bad_unknown_dataplane_key(void)
{
	BAD("version = 1;\n"
	    "dataplane = {\n"
	    "  wrokers = 2;\n"
	    "};\n",
	    3, "unknown key 'wrokers' in dataplane (valid keys: workers,");
	BAD("version = 1;\n"
	    "dataplane = { timeouts = {\n"
	    "  tcp_fin = 2; }; };\n",
	    3, "unknown key 'tcp_fin' in dataplane.timeouts");
	BAD("version = 1;\n"
	    "log = { flowlog = \"-\"; };\n",
	    2, "unknown key 'flowlog' in log");
}

static void test_bad_unknown_endpoint_key(void)
{
	BAD("version = 1;\n"
	    "endpoints = (\n"
	    "  { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "    port = [ 443 ]; }\n"
	    ");\n",
	    4, "unknown key 'port' in endpoint 'x'");
	BAD(PROF "zones = ( { name = \"z\"; subnets = [ \"10.0.0.0/8\" ];\n"
		 "  profile = \"strict\"; inbound = \"drop\"; } );\n",
	    5, "unknown key 'inbound' in zone 'z'");
	BAD(EP "profiles = ( {\n"
	       " name = \"p\"; default = \"drop\"; blocks = [ ]; } );\n",
	    4, "unknown key 'blocks' in profile 'p'");
}

static void test_bad_dataplane_values(void)
{
	BAD("version = 1;\n"
	    "dataplane = { workers = 0; };\n",
	    2, "workers must be between 1 and 64 (got 0)");
	BAD("version = 1;\n"
	    "dataplane = { workers = 65; };\n",
	    2, "workers must be between 1 and 64 (got 65)");
	BAD("version = 1;\n"
	    "dataplane = { workers = \"2\"; };\n",
	    2, "workers must be an integer");
	BAD("version = 1;\n"
	    "dataplane = {\n"
	    "  classify_packets = 256; };\n",
	    3, "classify_packets must be between 1 and 255");
	BAD("version = 1;\n"
	    "dataplane = { first_drop_records = -1; };\n",
	    2, "first_drop_records must be between 0 and 100000000 (got -1)");
	BAD("version = 1;\n"
	    "dataplane = { flows_per_worker = 16777217; };\n",
	    2, "flows_per_worker must be between 1 and 16777216");
	BAD("version = 1;\n"
	    "dataplane = { timeouts = { udp = 0; }; };\n",
	    2, "udp must be between 1 and 86400");
	BAD("version = 1;\n"
	    "dataplane = { timeouts = { icmp = 1.5; }; };\n",
	    2, "icmp must be an integer");
	BAD("version = 1;\n"
	    "dataplane = 4;\n",
	    2, "dataplane must be a group");
	BAD("version = 1;\n"
	    "log = { flow_log = 1; };\n",
	    2, "flow_log must be a string");
	BAD("version = 1;\n"
	    "classes = \"\";\n",
	    2, "classes must not be empty");
}

static void test_bad_prefix(void)
{
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [\n"
	    "  \"10.0.0.0/8\",\n"
	    "  \"10.0.0.300/8\" ]; } );\n",
	    4, "endpoint 'x': bad address '10.0.0.300/8'");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"10.0.0.0/33\" ]; } );\n",
	    2, "bad address '10.0.0.0/33'");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"2001:db8::/129\" ]; } );\n",
	    2, "bad address '2001:db8::/129'");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\";\n"
	    " addresses = [ ]; } );\n",
	    3, "addresses must not be empty");
	BAD("version = 1;\n"
	    "endpoints = (\n"
	    " { name = \"x\"; ports = [ 1 ]; } );\n",
	    3, "endpoint 'x': missing 'addresses'");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = \"10.0.0.1\"; } );\n",
	    2, "addresses must be a list");
	BAD(PROF "zones = ( { name = \"z\"; subnets = [ \"10.0.0.0/8\",\n"
		 " \"10.0.0/8\" ]; profile = \"strict\"; } );\n",
	    5, "zone 'z': bad address '10.0.0/8' in subnets");
	BAD(PROF "zones = ( { name = \"z\";\n"
		 " subnets = [ ]; profile = \"strict\"; } );\n",
	    5, "subnets must not be empty");
}

static void test_bad_port(void)
{
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  ports = [ 0 ]; } );\n",
	    3, "port must be between 1 and 65535 (got 0)");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  ports = [ 443,\n"
	    "  70000 ]; } );\n",
	    4, "port must be between 1 and 65535 (got 70000)");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  ports = [ 443, 25, 443 ]; } );\n",
	    3, "port 443 is listed twice");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  ports = [ \"https\" ]; } );\n",
	    3, "port must be an integer");
}

static void test_bad_endpoint_name(void)
{
	BAD("version = 1;\n"
	    "endpoints = (\n"
	    "  { name = \"x\"; addresses = [ \"192.0.2.1\" ]; },\n"
	    "  { name = \"y\"; addresses = [ \"192.0.2.2\" ]; },\n"
	    "  { name = \"x\"; addresses = [ \"192.0.2.3\" ]; }\n"
	    ");\n",
	    5, "endpoint 'x' is defined twice (first at line 3)");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"mail relay\"; addresses = [ \"192.0.2.1\" ]; } );\n",
	    2, "bad name 'mail relay'");
	BAD("version = 1;\n"
	    "endpoints = ( { name = "
	    "\"a23456789012345678901234567890123456789012345678\"; addresses = [ \"192.0.2.1\" ]; "
	    "} "
	    ");\n",
	    2, "bad name");
	BAD("version = 1;\n"
	    "endpoints = ( { addresses = [ \"192.0.2.1\" ]; },\n"
	    "  { name = \"y\";\n"
	    "    addresses = [ \"192.0.2.1\" ]; } );\n",
	    2, "endpoint #1: missing 'name'");
	BAD("version = 1;\n"
	    "endpoints = { name = \"x\"; };\n",
	    2, "endpoints must be a list of groups");
	BAD("version = 1;\n"
	    "endpoints = ( \"x\" );\n",
	    2, "endpoint #1 must be a group");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    " apps = [ \"TLS\", \"Google Drive\" ]; } );\n",
	    3, "bad app 'Google Drive'");
}

static void test_bad_host(void)
{
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"b\xc3\xbc"
	    "cher.example\" ]; } );\n",
	    3, "punycode (xn--");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"a..example\" ]; } );\n",
	    3, "bad host 'a..example'");
	/* An escaped newline in the text does not break the one-line error. */
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"a\\nb.example\" ]; } );\n",
	    3, "bad host 'a?b.example'");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"a.*.example\" ]; } );\n",
	    3, "bad host");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"*\" ]; } );\n",
	    3, "bad host");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"under_score.example\" ]; } );\n",
	    3, "bad host");
	BAD("version = 1;\n"
	    "endpoints = ( { name = \"x\"; addresses = [ \"192.0.2.1\" ];\n"
	    "  hosts = [ \"https://e2m.example/\" ]; } );\n",
	    3, "bad host");
}

static void test_bad_allow(void)
{
	BAD(EP "profiles = (\n"
	       "  { name = \"strict\"; default = \"drop\";\n"
	       "    allow = [ \"e2m\", \"e2n\" ]; }\n"
	       ");\n",
	    5, "profile 'strict': unknown endpoint 'e2n' in allow");
	BAD(EP "profiles = ( { name = \"strict\"; default = \"drop\";\n"
	       " allow = [ \"e2m\", \"e2m\" ]; } );\n",
	    4, "endpoint 'e2m' is listed twice in allow");
}

static void test_bad_block(void)
{
	BAD(EP "profiles = ( { name = \"strict\"; default = \"drop\";\n"
	       "  block = [ \"p2p\",\n"
	       "    \"torrent\" ]; } );\n",
	    5, "unknown class 'torrent' in block (valid classes: file_sharing, social,");
	BAD(EP "profiles = ( { name = \"strict\"; default = \"drop\";\n"
	       "  block = [ \"P2P\" ]; } );\n",
	    4, "document_upload)");
	BAD(EP "profiles = ( { name = \"strict\"; default = \"drop\";\n"
	       "  block = [ \"p2p\", \"vpn\", \"p2p\" ]; } );\n",
	    4, "class 'p2p' is listed twice");
}

static void test_bad_action(void)
{
	BAD(EP "profiles = ( { name = \"strict\";\n"
	       "  default = \"deny\"; } );\n",
	    4, "profile 'strict': default must be \"allow\" or \"drop\" (got \"deny\")");
	BAD(EP "profiles = ( { name = \"strict\"; default = \"drop\";\n"
	       "  on_giveup = \"Drop\"; } );\n",
	    4, "on_giveup must be \"allow\" or \"drop\"");
	BAD(EP "profiles = ( { name = \"strict\"; default = \"allow\";\n"
	       "  guess = \"drop\"; } );\n",
	    4, "profile 'strict': guess must be \"block\" or \"wait\" (got \"drop\")");
	BAD(EP "profiles = ( { name = \"strict\"; default = \"drop\"; inbound = true; } );\n", 3,
	    "inbound must be a string");
	BAD(EP "profiles = (\n"
	       "  { name = \"strict\"; inbound = \"drop\"; } );\n",
	    4, "profile 'strict': missing 'default'");
	BAD(EP "profiles = (\n"
	       "  { name = \"p\"; default = \"drop\"; },\n"
	       "  { name = \"p\"; default = \"allow\"; } );\n",
	    5, "profile 'p' is defined twice (first at line 4)");
}

static void test_bad_version(void)
{
	BAD("# no version\n"
	    "dataplane = { workers = 1; };\n",
	    1, "missing 'version");
	BAD("# a future format\n"
	    "version = 2;\n",
	    2, "unsupported config version 2");
	BAD("version = \"1\";\n", 1, "version must be the integer 1");
}

static void test_bad_zone_subnets(void)
{
	BAD(PROF "zones = (\n"
		 "  { name = \"e2m\"; subnets = [ \"10.10.0.0/16\", \"10.20.0.0/16\" ]; profile = "
		 "\"strict\"; },\n"
		 "  { name = \"office\"; subnets = [ \"10.30.0.0/16\",\n"
		 "      \"10.20.0.0/16\" ]; profile = \"strict\"; }\n"
		 ");\n",
	    7, "zone 'office': subnet 10.20.0.0/16 is already in zone 'e2m'");
	/* Same subnet written differently: host bits and case do not hide it. */
	BAD(PROF
	    "zones = (\n"
	    "  { name = \"a\"; subnets = [ \"2001:db8:e2::/48\" ]; profile = \"strict\"; },\n"
	    "  { name = \"b\"; subnets = [ \"2001:DB8:E2:1::1/48\" ]; profile = \"strict\"; }\n"
	    ");\n",
	    6, "subnet 2001:db8:e2::/48 is already in zone 'a'");
	BAD(PROF "zones = (\n"
		 "  { name = \"a\"; subnets = [ \"10.1.0.0/16\", \"10.1.2.3/16\" ]; profile = "
		 "\"strict\"; }\n"
		 ");\n",
	    5, "zone 'a': subnet 10.1.0.0/16 is listed twice");
	BAD(PROF "zones = (\n"
		 "  { name = \"a\"; subnets = [ \"10.1.0.0/16\" ]; profile = \"strict\"; },\n"
		 "  { name = \"a\"; subnets = [ \"10.2.0.0/16\" ]; profile = \"strict\"; }\n"
		 ");\n",
	    6, "zone 'a' is defined twice");
	BAD(PROF "zones = (\n"
		 "  { name = \"none\"; subnets = [ \"10.1.0.0/16\" ]; profile = \"strict\"; }\n"
		 ");\n",
	    5, "reserved");
}

static void test_bad_zone_profile(void)
{
	BAD(PROF "zones = ( { name = \"z\"; subnets = [ \"10.0.0.0/8\" ];\n"
		 "  profile = \"strikt\"; } );\n",
	    5, "zone 'z': unknown profile 'strikt'");
	BAD(PROF "zones = (\n"
		 "  { name = \"z\"; subnets = [ \"10.0.0.0/8\" ]; } );\n",
	    5, "zone 'z': missing 'profile'");
}

static void test_bad_file(void)
{
	char err[256];
	struct policy *p = config_load("/nonexistent/aduana.conf", 1, err, sizeof(err));

	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/aduana.conf:0: cannot open"));
	/* @include would put policy outside the hash. */
	BAD("version = 1;\n"
	    "  @include \"more.conf\"\n",
	    2, "@include is not supported");
	/* libconfig would stop reading at a NUL and ignore the rest. */
	{
		static const char nul[] = "version = 1;\nendpoints = ();\n\0zones = 3;\n";
		const char *path = unit_tmp_path("nul.conf");
		FILE *f = fopen(path, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fwrite(nul, 1, sizeof(nul) - 1, f), sizeof(nul) - 1);
		fclose(f);
		CU_ASSERT_PTR_NULL(config_load(path, 1, err, sizeof(err)));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3: NUL byte"));
		unlink(path);
	}
	/* A short error buffer is cut, never overrun; no buffer is fine. */
	{
		char small[8];
		const char *path = unit_write_tmp("short.conf", "version = 2;\n");

		CU_ASSERT_PTR_NULL(config_load(path, 1, small, sizeof(small)));
		CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
		CU_ASSERT_PTR_NULL(config_load(path, 1, NULL, 0));
		unlink(path);
	}
}

static CU_TestInfo test_config_tests[] = {
	{"the shipped aduana.conf", test_shipped},
	{"hash is the file's sha-256", test_hash_is_of_the_file},
	{"sha-256 vectors", test_sha256},
	{"defaults", test_defaults},
	{"values are normalised", test_normalised},
	{"syntax error", test_bad_syntax},
	{"unknown top-level key", test_bad_unknown_top_key},
	{"unknown key in dataplane/log", test_bad_unknown_dataplane_key},
	{"unknown key in endpoint/profile/zone", test_bad_unknown_endpoint_key},
	{"dataplane values out of range", test_bad_dataplane_values},
	{"bad prefix", test_bad_prefix},
	{"bad port", test_bad_port},
	{"bad or duplicate endpoint name", test_bad_endpoint_name},
	{"bad host", test_bad_host},
	{"unknown endpoint in allow", test_bad_allow},
	{"unknown class in block", test_bad_block},
	{"bad action", test_bad_action},
	{"missing or wrong version", test_bad_version},
	{"same subnet twice", test_bad_zone_subnets},
	{"unknown profile in zone", test_bad_zone_profile},
	{"unreadable and unsafe files", test_bad_file},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("config", NULL, NULL, test_config_tests);
}
