/* test_classmap.c - conf/classes.conf against the linked nDPI's names, and
 * the loader's errors. Runs from the repository root. */
#include <string.h>
#include <unistd.h>

#include <ndpi_api.h>

#include "classmap.h"
#include "policy.h"
#include "unit.h"

#define CLASSES_CONF "conf/classes.conf"

static struct ndpi_detection_module_struct *ndpi;
static struct classmap *shipped;
static char shipped_err[512];

static int suite_init(void)
{
	ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (!ndpi)
		return 1;
	ndpi_finalize_initialization(ndpi);
	shipped = classmap_load(CLASSES_CONF, ndpi, shipped_err, sizeof(shipped_err));
	return 0;
}

static int suite_fini(void)
{
	classmap_free(shipped);
	if (ndpi)
		ndpi_exit_detection_module(ndpi);
	return 0;
}

static uint16_t proto_id(const char *name)
{
	unsigned n = ndpi_get_num_supported_protocols(ndpi);

	for (unsigned id = 0; id < n; id++)
		if (strcmp(ndpi_get_proto_name(ndpi, (uint16_t)id), name) == 0)
			return (uint16_t)id;
	CU_FAIL_FATAL("protocol name missing from nDPI");
	return 0;
}

static unsigned cat_id(const char *name)
{
	int c = ndpi_get_category_id(ndpi, (char *)name);

	CU_ASSERT_FATAL(c >= 0);
	return (unsigned)c;
}

static unsigned proto_cls(const char *name)
{
	return classmap_proto(shipped, proto_id(name));
}

static void test_shipped_loads(void)
{
	if (!shipped)
		fprintf(stderr, "\n  %s\n", shipped_err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
	CU_ASSERT_STRING_EQUAL(shipped_err, "");
	CU_ASSERT(classmap_count(shipped) > 80);
}

static void test_remote_access(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
	CU_ASSERT_EQUAL(proto_cls("RDP"), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(proto_cls("TeamViewer"), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(proto_cls("AnyDesk"), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(proto_cls("VNC"), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(proto_cls("SSH"), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(proto_cls("Telnet"), POLICY_CLASS_remote_access);
	/* TLS.AnyDesk: the app part decides. */
	CU_ASSERT_EQUAL(classmap_lookup(shipped, proto_id("TLS"), proto_id("AnyDesk"),
					cat_id("RemoteAccess")),
			POLICY_CLASS_remote_access);
}

static void test_other_classes(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
	CU_ASSERT_EQUAL(proto_cls("BitTorrent"), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(proto_cls("eDonkey"), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(proto_cls("Gnutella"), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(proto_cls("OpenVPN"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(proto_cls("WireGuard"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(proto_cls("IPsec"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(proto_cls("PPTP"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(proto_cls("Tor"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(proto_cls("SOCKS"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(proto_cls("HTTP_Connect"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(proto_cls("HTTP_Proxy"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(proto_cls("Dropbox"), POLICY_CLASS_file_sharing);
	CU_ASSERT_EQUAL(proto_cls("FTP_CONTROL"), POLICY_CLASS_storage);
	CU_ASSERT_EQUAL(proto_cls("FTP_DATA"), POLICY_CLASS_storage);
	CU_ASSERT_EQUAL(proto_cls("SMBv1"), POLICY_CLASS_storage);
	CU_ASSERT_EQUAL(proto_cls("SMBv23"), POLICY_CLASS_storage);
	CU_ASSERT_EQUAL(proto_cls("NFS"), POLICY_CLASS_storage);
	CU_ASSERT_EQUAL(proto_cls("RSYNC"), POLICY_CLASS_storage);
	CU_ASSERT_EQUAL(proto_cls("SMTP"), POLICY_CLASS_mail);
	CU_ASSERT_EQUAL(proto_cls("IMAPS"), POLICY_CLASS_mail);
	CU_ASSERT_EQUAL(proto_cls("GMail"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(proto_cls("DoH_DoT"), POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(proto_cls("DNScrypt"), POLICY_CLASS_encrypted_dns);
	/* Ordinary protocols stay unclassified. */
	CU_ASSERT_EQUAL(proto_cls("TLS"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(proto_cls("HTTP"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(proto_cls("DNS"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(proto_cls("Unknown"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(classmap_proto(shipped, 65535), POLICY_CLASS_NONE);
}

static void test_app_before_master(void)
{
	uint16_t tls = proto_id("TLS"), fb = proto_id("Facebook");

	CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
	/* TLS.Facebook -> social through Facebook. */
	CU_ASSERT_EQUAL(classmap_lookup(shipped, tls, fb, cat_id("SocialNetwork")),
			POLICY_CLASS_social);
	CU_ASSERT_EQUAL(classmap_lookup(shipped, tls, fb, cat_id("Web")), POLICY_CLASS_social);
	/* HTTP_Connect.Google: the app has no class, the master does. */
	CU_ASSERT_EQUAL(classmap_lookup(shipped, proto_id("HTTP_Connect"), proto_id("Google"),
					cat_id("Web")),
			POLICY_CLASS_proxy);
	/* Both parts mapped: the app part wins (IMAPS.GMail -> webmail). */
	CU_ASSERT_EQUAL(
		classmap_lookup(shipped, proto_id("IMAPS"), proto_id("GMail"), cat_id("Email")),
		POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(classmap_lookup(shipped, tls, 0, cat_id("Web")), POLICY_CLASS_NONE);
}

static void test_categories(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
	CU_ASSERT_EQUAL(classmap_category(shipped, cat_id("RemoteAccess")),
			POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(classmap_category(shipped, cat_id("SocialNetwork")), POLICY_CLASS_social);
	CU_ASSERT_EQUAL(classmap_category(shipped, cat_id("VPN")), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(classmap_category(shipped, cat_id("Email")), POLICY_CLASS_mail);
	CU_ASSERT_EQUAL(classmap_category(shipped, cat_id("Web")), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(classmap_category(shipped, 100000), POLICY_CLASS_NONE);
	/* A category alone classifies (TLS.Likee would be social anyway; use an
	 * unmapped protocol of a mapped category). */
	CU_ASSERT_EQUAL(classmap_lookup(shipped, proto_id("TLS"), proto_id("Google"),
					cat_id("SocialNetwork")),
			POLICY_CLASS_social);
	/* The protocol beats the category: Tor's category is VPN, its class proxy;
	 * GMail's category is Email, its class webmail. */
	CU_ASSERT_EQUAL(classmap_lookup(shipped, proto_id("TLS"), proto_id("Tor"), cat_id("VPN")),
			POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(
		classmap_lookup(shipped, proto_id("QUIC"), proto_id("GMail"), cat_id("Email")),
		POLICY_CLASS_webmail);
}

/* Load text from a scratch file; returns the map (or NULL) and the error. */
static struct classmap *load_text(const char *name, const char *text, char *err, size_t errlen)
{
	const char *path = unit_write_tmp(name, text);
	struct classmap *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	m = classmap_load(path, ndpi, err, errlen);
	unlink(path);
	return m;
}

static void assert_error(const char *text, const char *line_and_msg)
{
	char err[512], want[512];
	struct classmap *m = load_text("bad.conf", text, err, sizeof(err));

	CU_ASSERT_PTR_NULL(m);
	classmap_free(m);
	snprintf(want, sizeof(want), "%s:%s", unit_tmp_path("bad.conf"), line_and_msg);
	if (strstr(err, want) != err)
		fprintf(stderr, "\n  got:  %s\n  want: %s...\n", err, want);
	CU_ASSERT(strstr(err, want) == err);
}

static void test_errors(void)
{
	/* Unknown protocol name: FILE:LINE of the element. */
	assert_error("classes = {\n  p2p = { protocols = [ \"BitTorrent\",\n"
		     "    \"BitTorent\" ]; };\n};\n",
		     "3: unknown nDPI protocol \"BitTorent\"");
	/* Unknown category. */
	assert_error("classes = {\n  social = {\n    categories = [ \"SocialNetworks\" ];\n"
		     "  };\n};\n",
		     "3: unknown nDPI category \"SocialNetworks\"");
	/* Unknown class. */
	assert_error("classes = {\n  p2p = { protocols = [ \"BitTorrent\" ]; };\n"
		     "  remote = { protocols = [ \"RDP\" ]; };\n};\n",
		     "3: unknown class \"remote\"");
	/* Unknown key inside a class. */
	assert_error("classes = {\n  vpn = {\n    protocol = [ \"OpenVPN\" ];\n  };\n};\n",
		     "3: unknown key \"protocol\" in class vpn");
	/* Unknown top-level key. */
	assert_error("version = 1;\nclass = { };\n", "2: unknown key \"class\"");
	/* The same name in two classes. */
	assert_error("classes = {\n  vpn = { protocols = [ \"Tor\" ]; };\n"
		     "  proxy = { protocols = [ \"Tor\" ]; };\n};\n",
		     "3: \"Tor\" is already mapped to vpn at line 2");
	/* Unknown and Unspecified cannot be classed. */
	assert_error("classes = {\n  p2p = { protocols = [ \"Unknown\" ]; };\n};\n",
		     "2: \"Unknown\" cannot be given a class");
	/* Not a string. */
	assert_error("classes = {\n  p2p = { protocols = [ 3 ]; };\n};\n",
		     "2: protocols must be strings");
	/* confirm names a protocol of its own class only. */
	assert_error("classes = {\n  proxy = { protocols = [ \"SOCKS\" ];\n"
		     "    confirm = [ \"Tor\" ]; };\n};\n",
		     "3: confirm: \"Tor\" is not one of the protocols of proxy");
	assert_error("classes = {\n  proxy = { protocols = [ \"SOCKS\" ];\n"
		     "    confirm = [ 3 ]; };\n};\n",
		     "3: confirm must be strings");
	/* libconfig syntax error keeps libconfig's line. */
	assert_error("classes = {\n  p2p = { protocols = [ \"BitTorrent\" ; };\n};\n",
		     "2: syntax error");
}

static void test_ok_variants(void)
{
	char err[512];
	struct classmap *m;

	/* Case-insensitive names are accepted (unique in nDPI 4.2), and an
	 * operator can add a name without rebuilding. */
	m = load_text("ok.conf",
		      "classes = {\n  p2p = { protocols = [ \"bittorrent\" ]; };\n"
		      "  social = { protocols = [ \"Sina(Weibo)\", \"Z39.50\" ]; };\n"
		      "  document_upload = { };\n};\n",
		      err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(classmap_proto(m, proto_id("BitTorrent")), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(classmap_proto(m, proto_id("Z39.50")), POLICY_CLASS_social);
	CU_ASSERT_EQUAL(classmap_count(m), 3);
	classmap_free(m);

	/* confirm: the shipped map holds SOCKS and WireGuard to a signature,
	 * and nothing else. */
	CU_ASSERT_TRUE(classmap_confirm(shipped, proto_id("SOCKS")));
	CU_ASSERT_TRUE(classmap_confirm(shipped, proto_id("WireGuard")));
	CU_ASSERT_FALSE(classmap_confirm(shipped, proto_id("OpenVPN")));
	CU_ASSERT_FALSE(classmap_confirm(shipped, proto_id("Tor")));
	CU_ASSERT_FALSE(classmap_confirm(shipped, 0));
	CU_ASSERT_FALSE(classmap_confirm(shipped, 65535));
	CU_ASSERT_EQUAL(proto_cls("SOCKS"), POLICY_CLASS_proxy);

	/* A missing file. */
	m = classmap_load("/nonexistent/classes.conf", ndpi, err, sizeof(err));
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT(strncmp(err, "/nonexistent/classes.conf:0: cannot read", 40) == 0);
	classmap_free(NULL);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"shipped classes.conf loads", test_shipped_loads},
		{"remote access protocols", test_remote_access},
		{"p2p, vpn, proxy, storage, mail, ...", test_other_classes},
		{"app part before master part", test_app_before_master},
		{"category mapping and protocol precedence", test_categories},
		{"errors name FILE:LINE", test_errors},
		{"case, odd names, missing file", test_ok_variants},
		CU_TEST_INFO_NULL,
	};

	return unit_run("classmap", suite_init, suite_fini, tests);
}
