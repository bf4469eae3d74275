/* test_hs.c - domain lists compiled with Hyperscan, and the payload marks.
 * Runs from the repository root (the shipped lists are conf/lists). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs.h"
#include "policy.h"
#include "unit.h"

#define LISTS_DIR "conf/lists"

/* Make a scratch list directory holding the given (file, text) pairs. */
static const char *make_dir(const char *name, const char *const *files)
{
	static char dir[512];
	char path[700];

	snprintf(dir, sizeof(dir), "%s", unit_tmp_path(name));
	mkdir(dir, 0700);
	for (; files && files[0]; files += 2) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, files[0]);
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(files[1], f);
		fclose(f);
	}
	return dir;
}

static void remove_dir(const char *dir, const char *const *files)
{
	char path[700];

	for (; files && files[0]; files += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[0]);
		unlink(path);
	}
	rmdir(dir);
}

static unsigned match(struct hs_matcher *m, const char *name)
{
	return hs_match_name(m, name, strlen(name));
}

static void test_shipped_lists(void)
{
	char err[512];
	struct hs_lists *l = hs_lists_load(LISTS_DIR, err, sizeof(err));
	struct hs_matcher *m;

	if (!l)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT(hs_lists_count(l) > 300);
	m = hs_matcher_create(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);

	CU_ASSERT_EQUAL(match(m, "wetransfer.com"), POLICY_CLASS_file_sharing);
	CU_ASSERT_EQUAL(match(m, "www.WeTransfer.com."), POLICY_CLASS_file_sharing);
	CU_ASSERT_EQUAL(match(m, "mega.nz"), POLICY_CLASS_file_sharing);
	CU_ASSERT_EQUAL(match(m, "mail.google.com"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(match(m, "outlook.live.com"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(match(m, "mail.yahoo.com"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(match(m, "nordvpn.com"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(match(m, "api.protonvpn.ch"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(match(m, "www.expressvpn.com"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(match(m, "www.torproject.org"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "abc123.ngrok-free.app"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "router.bittorrent.com"), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(match(m, "bsky.app"), POLICY_CLASS_social);
	CU_ASSERT_EQUAL(match(m, "relay.rustdesk.com"), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(match(m, "cloudflare-dns.com"), POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(match(m, "mozilla.cloudflare-dns.com"), POLICY_CLASS_encrypted_dns);
	/* Longest pattern wins across lists. */
	CU_ASSERT_EQUAL(match(m, "proton.me"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(match(m, "account.proton.me"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(match(m, "drive.proton.me"), POLICY_CLASS_file_sharing);
	CU_ASSERT_EQUAL(match(m, "vpn-api.proton.me"), POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(match(m, "outlook.com"), POLICY_CLASS_webmail);
	CU_ASSERT_EQUAL(match(m, "smtp-mail.outlook.com"), POLICY_CLASS_mail);
	CU_ASSERT_EQUAL(match(m, "imap.gmail.com"), POLICY_CLASS_mail);
	/* Label wildcards in the shipped lists. */
	CU_ASSERT_EQUAL(match(m, "dns.quad9.net"), POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(match(m, "dns11.quad9.net"), POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(match(m, "www.quad9.net"), POLICY_CLASS_NONE);
	/* Cloud object stores are opt-in (storage.txt): ordinary web use. */
	CU_ASSERT_EQUAL(match(m, "bucket.s3.eu-west-1.amazonaws.com"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "s3-eu-west-1.amazonaws.com"), POLICY_CLASS_NONE);
	/* DNSCrypt's certificate query name. */
	CU_ASSERT_EQUAL(match(m, "2.dnscrypt-cert.example.org"), POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(match(m, "email-smtp.us-east-1.amazonaws.com"), POLICY_CLASS_mail);
	CU_ASSERT_EQUAL(match(m, "ec2.us-east-1.amazonaws.com"), POLICY_CLASS_NONE);
	/* Anchoring: no suffix-substring or prefix matches. */
	CU_ASSERT_EQUAL(match(m, "badwetransfer.com"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "wetransfer.com.evil.example"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "gmail.com"), POLICY_CLASS_NONE); /* not "mail.com" */
	CU_ASSERT_EQUAL(match(m, "www.example.org"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, ""), POLICY_CLASS_NONE);
	/* The host part: a server ends the host at its first ':' */
	CU_ASSERT_EQUAL(match(m, "bsky.app:443"), POLICY_CLASS_social);
	CU_ASSERT_EQUAL(match(m, "bsky.app.:x"), POLICY_CLASS_social);
	CU_ASSERT_EQUAL(match(m, "www.example.org:bsky.app"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(hs_match_name(m, NULL, 0), POLICY_CLASS_NONE);

	hs_matcher_free(m);
	hs_lists_free(l);
}

static const char *const patterns_files[] = {
	"proxy.txt",
	"# comment line\n"
	"\n"
	"  example.com   # trailing comment\n"
	"*.sub.example.net\n"
	"vpn*.example.org\n"
	"mail.*.example.io\n"
	"Trailing.Dot.example.\n"
	"xn--bcher-kva.example\n"
	"re:^rx[0-9]+\\.example\\.re$\n",
	"social.txt",
	"social.example.com\n",
	"notes.md",
	"this is not a list and is ignored\n",
	NULL,
};

static void test_patterns(void)
{
	const char *dir = make_dir("lists-ok", patterns_files);
	char err[512];
	struct hs_lists *l = hs_lists_load(dir, err, sizeof(err));
	struct hs_matcher *m, *m2;

	if (!l)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(hs_lists_count(l), 8);
	m = hs_matcher_create(l);
	m2 = hs_matcher_create(l); /* a second worker's scratch */
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m2);

	/* The name itself and sub-names; case; trailing dot. */
	CU_ASSERT_EQUAL(match(m, "example.com"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "x.example.com"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "a.b.c.EXAMPLE.COM"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "example.com."), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m2, "Example.Com"), POLICY_CLASS_proxy);
	/* Not a suffix substring, not a prefix, not a middle label. */
	CU_ASSERT_EQUAL(match(m, "badexample.com"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "example.com.au"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "example.co"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "example.com.."), POLICY_CLASS_NONE);
	/* A more specific pattern in another list wins. */
	CU_ASSERT_EQUAL(match(m, "social.example.com"), POLICY_CLASS_social);
	CU_ASSERT_EQUAL(match(m, "www.social.example.com"), POLICY_CLASS_social);
	/* "*.x": sub-names only. */
	CU_ASSERT_EQUAL(match(m, "a.sub.example.net"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "a.b.sub.example.net"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "sub.example.net"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "xsub.example.net"), POLICY_CLASS_NONE);
	/* '*' inside a label; a whole-label '*' is exactly one label. */
	CU_ASSERT_EQUAL(match(m, "vpn.example.org"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "vpn-fr-3.example.org"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "x.vpn12.example.org"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "xvpn.example.org"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "vpn.a.example.org"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "mail.eu.example.io"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "mail..example.io"), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(match(m, "mail.a.b.example.io"), POLICY_CLASS_NONE);
	/* A pattern written with a trailing dot and capitals. */
	CU_ASSERT_EQUAL(match(m, "trailing.dot.example"), POLICY_CLASS_proxy);
	/* IDN: the punycode name is plain ASCII. */
	CU_ASSERT_EQUAL(match(m, "xn--bcher-kva.example"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "shop.XN--BCHER-KVA.example."), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "xn--bcher-kva.example.net"), POLICY_CLASS_NONE);
	/* Raw regex lines. */
	CU_ASSERT_EQUAL(match(m, "rx42.example.re"), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(match(m, "rx.example.re"), POLICY_CLASS_NONE);

	hs_matcher_free(m);
	hs_matcher_free(m2);
	hs_lists_free(l);
	remove_dir(dir, patterns_files);
}

static void assert_list_error(const char *file, const char *text, const char *line_and_msg)
{
	const char *const files[] = {file, text, NULL};
	const char *dir = make_dir("lists-bad", files);
	char err[512], want[700];
	struct hs_lists *l = hs_lists_load(dir, err, sizeof(err));

	CU_ASSERT_PTR_NULL(l);
	hs_lists_free(l);
	snprintf(want, sizeof(want), "%s/%s:%s", dir, file, line_and_msg);
	if (strstr(err, want) != err)
		fprintf(stderr, "\n  got:  %s\n  want: %s...\n", err, want);
	CU_ASSERT(strstr(err, want) == err);
	remove_dir(dir, files);
}

static void test_errors(void)
{
	/* Characters a domain pattern cannot hold: refused with FILE:LINE. */
	assert_list_error("proxy.txt", "ok.example\nbad example.com\n",
			  "2: invalid character ' ' in \"bad example.com\"");
	assert_list_error("proxy.txt", "a.example\nb.example\nbad(x).example\n",
			  "3: invalid character '('");
	assert_list_error("vpn.txt",
			  "# IDN must be punycode\nb\xc3\xbc"
			  "cher.example\n",
			  "2: invalid byte \\xc3");
	/* Hyperscan compile errors name the line of the expression. */
	assert_list_error("p2p.txt", "fine.example\nre:^broken(\\.example$\nother.example\n",
			  "2: bad pattern \"re:^broken(\\.example$\": ");
	/* Label rules. */
	assert_list_error("p2p.txt", "a..example\n", "1: \"a..example\": an empty label");
	assert_list_error("p2p.txt", "*.*\n", "1: \"*.*\" has no literal label");
	assert_list_error("p2p.txt", "re:\n", "1: empty regex");
	/* A list file for an unknown class. */
	assert_list_error("socail.txt", "example.com\n", "0: unknown class \"socail\"");
}

static void test_duplicates(void)
{
	const char *const files[] = {
		"p2p.txt",   "a.example\nshared.example\n",
		"proxy.txt", "b.example\n\nShared.Example.\n",
		NULL,
	};
	const char *dir = make_dir("lists-dup", files);
	char err[512], want[1500];
	struct hs_lists *l = hs_lists_load(dir, err, sizeof(err));

	CU_ASSERT_PTR_NULL(l);
	snprintf(want, sizeof(want),
		 "%s/proxy.txt:3: \"shared.example\" is already listed at %s/p2p.txt:2", dir, dir);
	if (strcmp(err, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", err, want);
	CU_ASSERT_STRING_EQUAL(err, want);
	remove_dir(dir, files);
}

static void test_empty(void)
{
	const char *const files[] = {"proxy.txt", "# nothing yet\n", NULL};
	const char *dir = make_dir("lists-empty", files);
	char err[512];
	struct hs_lists *l = hs_lists_load(dir, err, sizeof(err));
	struct hs_matcher *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(hs_lists_count(l), 0);
	m = hs_matcher_create(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(match(m, "example.com"), POLICY_CLASS_NONE);
	hs_matcher_free(m);
	hs_lists_free(l);
	remove_dir(dir, files);

	l = hs_lists_load(NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(hs_lists_count(l), 0);
	hs_lists_free(l);

	l = hs_lists_load("/nonexistent/lists", err, sizeof(err));
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT(strncmp(err, "/nonexistent/lists:0: cannot open list directory", 48) == 0);
	hs_lists_free(NULL);
	hs_matcher_free(NULL);
}

#define B(s) ((const uint8_t *)(s)), (sizeof(s) - 1)
#define S(s) (s), (sizeof(s) - 1)

static void test_docsig(void)
{
	static const uint8_t ole2[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0};
	static const char post[] = "POST /upload HTTP/1.1\r\nHost: x.example\r\n"
				   "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n";
	static const char multipart[] =
		"--b0undary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.docx\""
		"\r\nContent-Type: application/octet-stream\r\n\r\nPK\x03\x04\x14\x00\x06\x00";
	static const char html[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n<html";

	CU_ASSERT_TRUE(hs_docsig_match(B("%PDF-1.4\n%\xe2\xe3")));
	CU_ASSERT_TRUE(hs_docsig_match(B("%PDF-")));
	CU_ASSERT_TRUE(hs_docsig_match(ole2, sizeof(ole2)));
	CU_ASSERT_TRUE(hs_docsig_match(ole2, 8));
	CU_ASSERT_TRUE(hs_docsig_match(B("PK\x03\x04\x14\x00\x06\x00")));
	CU_ASSERT_TRUE(hs_docsig_match(B("PK\x03\x04")));
	CU_ASSERT_TRUE(hs_docsig_match(B(post)));
	CU_ASSERT_TRUE(hs_docsig_match(B(multipart)));
	/* Short buffers: a signature cut by the end of the payload is no match. */
	CU_ASSERT_FALSE(hs_docsig_match(B("%PDF")));
	CU_ASSERT_FALSE(hs_docsig_match(B("%PD")));
	CU_ASSERT_FALSE(hs_docsig_match(ole2, 7));
	CU_ASSERT_FALSE(hs_docsig_match(B("PK\x03")));
	CU_ASSERT_FALSE(hs_docsig_match(B("\r\n\r\n%PDF")));
	CU_ASSERT_FALSE(hs_docsig_match(B("")));
	CU_ASSERT_FALSE(hs_docsig_match(NULL, 10));
	/* Near misses. */
	CU_ASSERT_FALSE(hs_docsig_match(B("%pdf-1.4")));
	CU_ASSERT_FALSE(hs_docsig_match(B("PK\x05\x06")));
	CU_ASSERT_FALSE(hs_docsig_match(B("x%PDF-1.4")));
	CU_ASSERT_FALSE(hs_docsig_match(B("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")));
	CU_ASSERT_FALSE(hs_docsig_match(B("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
	CU_ASSERT_FALSE(hs_docsig_match(B(html)));
}

static void test_webdav(void)
{
	CU_ASSERT_TRUE(hs_webdav_match(B("PROPFIND /dav/ HTTP/1.1\r\nDepth: 1\r\n")));
	CU_ASSERT_TRUE(hs_webdav_match(B("MKCOL /dav/new/ HTTP/1.1\r\n")));
	CU_ASSERT_TRUE(hs_webdav_match(B("LOCK /a.docx HTTP/1.1\r\n")));
	CU_ASSERT_TRUE(hs_webdav_match(B("MOVE /a HTTP/1.0\r\n")));
	CU_ASSERT_FALSE(hs_webdav_match(B("GET / HTTP/1.1\r\n")));
	CU_ASSERT_FALSE(hs_webdav_match(B("PUT /a.pdf HTTP/1.1\r\n")));
	CU_ASSERT_FALSE(hs_webdav_match(B("PROPFIND")));
	CU_ASSERT_FALSE(hs_webdav_match(B("MOVE north\r\n")));
	CU_ASSERT_FALSE(hs_webdav_match(B("propfind / HTTP/1.1\r\n")));
	CU_ASSERT_FALSE(hs_webdav_match(NULL, 0));
}

static void test_connect_and_authority(void)
{
	char out[HS_NAME_MAX + 1];

	CU_ASSERT_EQUAL(hs_connect_target(B("CONNECT www.example.com:443 HTTP/1.1\r\nHost: "
					    "www.example.com:443\r\n\r\n"),
					  out, sizeof(out)),
			15);
	CU_ASSERT_STRING_EQUAL(out, "www.example.com");
	CU_ASSERT_EQUAL(
		hs_connect_target(B("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n"), out, sizeof(out)),
		11);
	CU_ASSERT_STRING_EQUAL(out, "2001:db8::1");
	CU_ASSERT_EQUAL(
		hs_connect_target(B("CONNECT 192.0.2.1:8443 HTTP/1.0\r\n"), out, sizeof(out)), 9);
	CU_ASSERT_STRING_EQUAL(out, "192.0.2.1");
	CU_ASSERT_EQUAL(
		hs_connect_target(B("GET http://a.example/ HTTP/1.1\r\n"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_connect_target(B("CONNECT a.example:443"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_connect_target(B("CONNECT  HTTP/1.1"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_connect_target(B("CONNECT www.example.com:443 HTTP/1.1"), out, 8), 0);
	/* White space a server skips before the request line (RFC 9112 2.2). */
	CU_ASSERT_EQUAL(hs_http_lead(B("\r\n \tGET")), 4);
	CU_ASSERT_EQUAL(hs_http_lead(B("GET")), 0);
	CU_ASSERT_EQUAL(
		hs_connect_target(B("\r\nCONNECT m.vk.com:443 HTTP/1.1\r\n"), out, sizeof(out)), 8);
	CU_ASSERT_STRING_EQUAL(out, "m.vk.com");
	CU_ASSERT_EQUAL(hs_http_request_check(B("\r\nCONNECT a.example:443 HTTP/1.1\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("  GET http://a.example/ HTTP/1.1\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("\r\n\r\n")), 0);
	/* The Host of a request, port stripped; none when cut or odd. */
	CU_ASSERT_EQUAL(hs_http_host(B("\nGET / HTTP/1.1\r\nAccept: */*\r\nHost: M.vk.com:80 "
				       "\r\n\r\n"),
				     out, sizeof(out)),
			8);
	CU_ASSERT_STRING_EQUAL(out, "M.vk.com");
	CU_ASSERT_EQUAL(
		hs_http_host(B("GET / HTTP/1.1\r\nHost: www.facebook.com.\r\n"), out, sizeof(out)),
		17);
	CU_ASSERT_EQUAL(hs_http_host(B("GET / HTTP/1.1\r\nHost: a.exam"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_http_host(B("GET / HTTP/1.1\r\nHost: a/b\r\n"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_http_host(B("\x16\x03\x01\x00\x10Host: a\r\n"), out, sizeof(out)), 0);
	/* Lines that end in a bare LF (nginx and Node take them), white space
	 * after the value, a tab: the name servers read. */
	CU_ASSERT_EQUAL(hs_http_host(B("GET / HTTP/1.1\nAccept: */*\nHost: m.vk.com\n\n"), out,
				     sizeof(out)),
			8);
	CU_ASSERT_STRING_EQUAL(out, "m.vk.com");
	CU_ASSERT_EQUAL(hs_http_host(B("GET / HTTP/1.1\r\nX: y\nHost:\tm.vk.com\t \r\n\r\n"), out,
				     sizeof(out)),
			8);
	CU_ASSERT_STRING_EQUAL(out, "m.vk.com");
	/* Two Host fields: the first (Node serves it), and malformed. */
	CU_ASSERT_EQUAL(hs_http_host(B("GET / HTTP/1.1\r\nHost: m.vk.com\r\nHost: "
				       "www.example.org\r\n\r\n"),
				     out, sizeof(out)),
			8);
	CU_ASSERT_STRING_EQUAL(out, "m.vk.com");
	CU_ASSERT(hs_http_request_check(B("GET / HTTP/1.1\r\nHost: m.vk.com\r\nhost: "
					  "www.example.org\r\n\r\n")) &
		  HS_HTTP_MALFORMED);
	/* A Host after the head's end is the body's, not a header. */
	CU_ASSERT_EQUAL(hs_http_host(B("POST / HTTP/1.1\r\nHost: a.example\r\n\r\nHost: b\r\n"),
				     out, sizeof(out)),
			9);
	CU_ASSERT_FALSE(hs_http_request_check(B("POST / HTTP/1.1\r\nHost: a.example\r\n\r\nHost: "
						"b.example\r\n")) &
			HS_HTTP_MALFORMED);
	/* What Squid's relaxed parser takes: a lower-case method, a tab. */
	CU_ASSERT_EQUAL(hs_connect_target(B("connect m.vk.com:443 HTTP/1.1\r\n"), out, sizeof(out)),
			8);
	CU_ASSERT_STRING_EQUAL(out, "m.vk.com");
	CU_ASSERT_EQUAL(
		hs_connect_target(B("CONNECT\tm.vk.com:443\tHTTP/1.1\r\n"), out, sizeof(out)), 8);
	CU_ASSERT_EQUAL(hs_http_request_check(B("connect a.example:443 HTTP/1.1\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET\thttp://a.example/ HTTP/1.1\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	/* A tunnel's Upgrade (MASQUE over HTTP/1.1, red team round 39) and
	 * the drafts' CONNECT-UDP are proxies; a WebSocket, h2c, TLS or HTTP
	 * are not. Every word counts, on folded lines too; a line not whole
	 * yet, and the body, do not. */
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET /.well-known/masque/udp/a/443/ HTTP/1.1\r\n"
						"Host: p.example\r\nUpgrade: connect-udp\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nupgrade:CONNECT-IP\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: websocket, "
						"connect-tcp\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: websocket\r\n"
						" connect-udp\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: SPDY/3.1\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("CONNECT-UDP a.example:443 HTTP/1.1\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET /chat HTTP/1.1\r\nHost: a.example\r\n"
						"Upgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n")),
			HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n")),
			HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(hs_http_request_check(B("OPTIONS * HTTP/1.1\r\nUpgrade: TLS/1.2, TLS/1.0,"
						" HTTP/1.1\r\n\r\n")),
			HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: connect-u")),
			HS_HTTP_REQUEST);
	/* a value with no word: a tunnel to a protocol no one named */
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: ,\r\nHost: a\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: , ,\r\n\r\n")),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade:\r\n\r\n")),
			HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(hs_http_request_check(B("GET / HTTP/1.1\r\nUpgrade: websocket,\r\n\r\n")),
			HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(hs_http_request_check(B("POST / HTTP/1.1\r\nContent-Length: 23\r\n\r\n"
						"Upgrade: connect-udp\r\n")),
			HS_HTTP_REQUEST);

	CU_ASSERT_EQUAL(hs_authority_host(S("a.example:8080"), out, sizeof(out)), 9);
	CU_ASSERT_STRING_EQUAL(out, "a.example");
	CU_ASSERT_EQUAL(hs_authority_host(S("a.example"), out, sizeof(out)), 9);
	CU_ASSERT_STRING_EQUAL(out, "a.example");
	CU_ASSERT_EQUAL(hs_authority_host(S("2001:db8::1"), out, sizeof(out)), 11);
	CU_ASSERT_STRING_EQUAL(out, "2001:db8::1");
	CU_ASSERT_EQUAL(hs_authority_host(S("[2001:db8::1]"), out, sizeof(out)), 11);
	CU_ASSERT_EQUAL(hs_authority_host(S("[2001:db8::1"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_authority_host(S(":80"), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hs_authority_host(S("a.example:8080"), out, 9), 0);
}

static void test_sig_errors(void)
{
	assert_list_error("p2p.sig", "# c\nX sctp out re:^a\n",
			  "2: transport \"sctp\" is not tcp, udp or any");
	assert_list_error("p2p.sig", "X tcp both re:^a\n",
			  "1: direction \"both\" is not out, in or any");
	assert_list_error("p2p.sig", "X tcp out colour=red re:^a\n",
			  "1: unknown option \"colour=red\"");
	assert_list_error("p2p.sig", "X udp any len=le24@1+2 re:^a\n",
			  "1: bad length check \"le24@1+2\"");
	assert_list_error("p2p.sig", "X udp any port=0 re:^a\n", "1: bad port \"0\"");
	assert_list_error("p2p.sig", "X udp any ^a\n", "1: no re:REGEX");
	assert_list_error("p2p.sig", "X udp re:^a\n", "1: expected FAMILY TRANSPORT DIR");
	assert_list_error("p2p.sig", "Bad/name udp any re:^a\n", "1: bad family \"Bad/name\"");
	assert_list_error("p2p.sig", "A udp any re:^a\nB tcp in re:^(b\n",
			  "2: bad signature regex \"^(b\": ");
	assert_list_error("socail.sig", "X udp any re:^a\n", "0: unknown class \"socail\"");
}

static unsigned sig(struct hs_matcher *m, const void *p, size_t n, uint8_t l4, bool out,
		    uint16_t port, const char **fam)
{
	return hs_match_payload(m, p, n, l4, out, port, fam, NULL);
}

/* hs_match_late's filter before its scan (the late lines whose match can
 * start with the datagram's first byte, and their cheap checks) may only
 * ever skip scans that could not match: each first atom it reads, and
 * each it must take for "any byte". The lines that start with any byte
 * have checks that the other datagrams fail, so that a first byte read
 * wrong skips a scan that should have matched. */
static void test_sig_late_filter(void)
{
	const char *const files[] = {
		"vpn.sig",
		"Cls udp any re:^[\\x01-\\x04Q]\\x00\\x00\\x00\n"
		"Neg udp any port=9 re:^[^\\x00-\\x7f]NEG\n"
		"Lit udp any re:^d1:x\n"
		"Esc udp any re:^\\.DOT\n"
		"Dig udp any re:^\\d{2}DIG\n"
		"Opt udp any port=7 re:^a?OPT\n"
		"Grp udp any size=5 re:^(?:ab|cd)GRP\n"
		"Dot udp any size=7 re:^.{2}\\xffDOTS\n"
		"Port udp any port=4500 re:^PORT\n"
		"Size udp any size=8 re:^SIZE\n"
		"Len udp any len=be16@0+2 re:^..LEN\n"
		"Brk udp any re:^[]x]BRK\n"
		"Alt udp any re:^a|zALT\n"
		"First udp any first re:^FIRST\n"
		"Tcp tcp any re:^TCP\n",
		NULL,
	};
	static const struct {
		const char *p;
		size_t n;
		uint16_t port;
		unsigned cls;
	} cases[] = {
		{"\x03\x00\x00\x00", 4, 1, POLICY_CLASS_vpn},
		{"Q\x00\x00\x00", 4, 1, POLICY_CLASS_vpn},
		{"\x05\x00\x00\x00", 4, 1, POLICY_CLASS_NONE},
		{"\x80NEG", 4, 9, POLICY_CLASS_vpn},
		{"zNEG", 4, 9, POLICY_CLASS_NONE},
		{"d1:x", 4, 1, POLICY_CLASS_vpn},
		{".DOT", 4, 1, POLICY_CLASS_vpn},
		{"xDOT", 4, 1, POLICY_CLASS_NONE},
		{"42DIG", 5, 1, POLICY_CLASS_vpn},
		{"OPT", 3, 7, POLICY_CLASS_vpn},
		{"aOPT", 4, 7, POLICY_CLASS_vpn},
		{"cdGRP", 5, 1, POLICY_CLASS_vpn},
		{"\x01\x02\xff" "DOTS", 7, 1, POLICY_CLASS_vpn},
		{"PORT", 4, 4500, POLICY_CLASS_vpn},
		{"PORT", 4, 4501, POLICY_CLASS_NONE},
		{"SIZEabcd", 8, 1, POLICY_CLASS_vpn},
		{"SIZEabc", 7, 1, POLICY_CLASS_NONE},
		{"\x00\x05LEN", 7, 1, POLICY_CLASS_vpn},
		{"\x00\x06LEN", 7, 1, POLICY_CLASS_NONE},
		{"]BRK", 4, 1, POLICY_CLASS_vpn},
		{"xBRK", 4, 1, POLICY_CLASS_vpn},
		{"yBRK", 4, 1, POLICY_CLASS_NONE},
		{"qqzALT", 6, 1, POLICY_CLASS_vpn},
		{"FIRST", 5, 1, POLICY_CLASS_NONE},
		{"TCP", 3, 1, POLICY_CLASS_NONE},
	};
	const char *dir = make_dir("lists-late", files);
	char err[512];
	struct hs_lists *l = hs_lists_load(dir, err, sizeof(err));
	struct hs_matcher *m;
	unsigned i;

	if (!l)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	m = hs_matcher_create(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned got = hs_match_late(m, (const uint8_t *)cases[i].p, cases[i].n, 17, true,
					     cases[i].port);

		if (got != cases[i].cls)
			fprintf(stderr, "\n  late case %u: got %u want %u\n", i, got, cases[i].cls);
		CU_ASSERT_EQUAL(got, cases[i].cls);
	}
	/* the first payload reads the "first" line, over TCP the TCP one */
	CU_ASSERT_EQUAL(hs_match_payload(m, (const uint8_t *)"FIRST", 5, 17, true, 1, NULL, NULL),
			POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(hs_match_late(m, (const uint8_t *)"TCP", 3, 6, true, 1), POLICY_CLASS_vpn);
	hs_matcher_free(m);
	hs_lists_free(l);
	remove_dir(dir, files);
}

/* The shipped signatures (conf/lists/<class>.sig) on payloads built from
 * the public protocol descriptions they cite. */
static void test_sigs_shipped(void)
{
	char err[512];
	struct hs_lists *l = hs_lists_load(LISTS_DIR, err, sizeof(err));
	struct hs_matcher *m;
	const char *fam;
	uint8_t ping[23] = {0}, ike[28] = {0}, warp[148] = {0x01, 0x5a, 0x11, 0x3c};

	if (!l)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT(hs_sigs_count(l) >= 10);
	m = hs_matcher_create(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
#define P(x) x, sizeof(x) - 1
	CU_ASSERT_EQUAL(sig(m, P("GNUTELLA CONNECT/0.6\r\n"), 6, true, 6346, &fam), POLICY_CLASS_p2p);
	CU_ASSERT_STRING_EQUAL(fam, "Gnutella");
	CU_ASSERT_EQUAL(sig(m, P("GNUTELLA/0.6 200 OK\r\n"), 6, false, 6346, &fam),
			POLICY_CLASS_p2p);
	/* A Gnutella ping over UDP: modern GUID mark, type 0, TTL 7, length 0. */
	ping[8] = 0xff;
	ping[17] = 7;
	CU_ASSERT_EQUAL(sig(m, ping, sizeof(ping), 17, true, 6346, &fam), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(sig(m, ping, sizeof(ping), 6, true, 6346, &fam), POLICY_CLASS_NONE);
	ping[19] = 1; /* says one payload byte that is not there */
	CU_ASSERT_EQUAL(sig(m, ping, sizeof(ping), 17, true, 6346, &fam), POLICY_CLASS_NONE);
	ping[19] = 0;
	ping[8] = 0x12; /* no modern GUID mark */
	CU_ASSERT_EQUAL(sig(m, ping, sizeof(ping), 17, true, 6346, &fam), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(sig(m, P("d1:ad2:id20:abcdefghij0123456789e1:q4:pinge"), 17, true, 6881, &fam),
			POLICY_CLASS_p2p);
	/* DNSCrypt: the resolver magic, answers only. */
	CU_ASSERT_EQUAL(sig(m, P("r6fnvWj8xxxxxxxxxxxxxxxx"), 17, false, 443, &fam),
			POLICY_CLASS_encrypted_dns);
	CU_ASSERT_STRING_EQUAL(fam, "DNSCrypt");
	CU_ASSERT_EQUAL(sig(m, P("r6fnvWj8xxxxxxxxxxxxxxxx"), 17, true, 443, &fam), POLICY_CLASS_NONE);
	/* Remote desktops. */
	CU_ASSERT_EQUAL(sig(m, P("NXSH-7.10.1\n"), 6, true, 4000, &fam), POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(sig(m, P("\x01\x00\x00\x00\x01\x00\x00\x00\x08\x08"), 6, true, 4899, &fam),
			POLICY_CLASS_remote_access);
	CU_ASSERT_STRING_EQUAL(fam, "Radmin");
	CU_ASSERT_EQUAL(sig(m, P("1023\0alice\0alice\0ls -l\0"), 6, true, 514, &fam),
			POLICY_CLASS_remote_access);
	CU_ASSERT_EQUAL(sig(m, P("1023\0alice\0alice\0ls -l\0"), 6, true, 5514, &fam),
			POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(sig(m, P("\0alice\0alice\0xterm/38400\0"), 6, true, 513, &fam),
			POLICY_CLASS_remote_access);
	/* WARP: WireGuard initiation with a client id in the reserved bytes. */
	CU_ASSERT_EQUAL(sig(m, warp, sizeof(warp), 17, true, 2408, &fam), POLICY_CLASS_vpn);
	CU_ASSERT_STRING_EQUAL(fam, "CloudflareWarp");
	CU_ASSERT_EQUAL(sig(m, warp, sizeof(warp) - 1, 17, true, 2408, &fam), POLICY_CLASS_NONE);
	/* IKEv2 IKE_SA_INIT, length 28 (a header alone). */
	ike[0] = 0x11;
	ike[16] = 33;
	ike[17] = 0x20;
	ike[18] = 34;
	ike[27] = 28;
	CU_ASSERT_EQUAL(sig(m, ike, sizeof(ike), 17, true, 500, &fam), POLICY_CLASS_vpn);
	ike[27] = 29;
	CU_ASSERT_EQUAL(sig(m, ike, sizeof(ike), 17, true, 500, &fam), POLICY_CLASS_NONE);
	/* SOCKS handshakes are proxy behaviour on any port. */
	CU_ASSERT_EQUAL(sig(m, P("\x05\x01\x00"), 6, true, 9050, &fam), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(sig(m, P("\x05\x02\x00\x02"), 6, true, 1080, &fam), POLICY_CLASS_proxy);
	CU_ASSERT_EQUAL(sig(m, P("\x05\x01\x00\x00"), 6, true, 1080, &fam), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(sig(m, P("\x04\x01\x00\x50\x0a\x00\x00\x01bob\0"), 6, true, 1080, &fam),
			POLICY_CLASS_proxy);
	/* UFTP announce on its port. */
	CU_ASSERT_EQUAL(sig(m, P("\x50\x01\x00\x10"), 17, true, 1044, &fam), POLICY_CLASS_storage);
	/* OpenVPN hard resets: plain, tls-auth (SHA1), tls-crypt, over TCP. */
	CU_ASSERT_EQUAL(sig(m, P("\x38\x33\x48\x57\x70\x3d\x96\xdb\x39\0\0\0\0\0"), 17, true,
			    1194, &fam),
			POLICY_CLASS_vpn);
	CU_ASSERT_STRING_EQUAL(fam, "OpenVPN");
	CU_ASSERT_EQUAL(sig(m, P("\x38\x33\x48\x57\x70\x3d\x96\xdb\x39\0\0\0\0\1"), 17, true,
			    1194, &fam),
			POLICY_CLASS_NONE);
	{
		uint8_t c[42] = {0x38, 1, 2, 3, 4, 5, 6, 7, 8};
		uint8_t s[54] = {0x40, 9, 9, 9, 9, 9, 9, 9, 9};
		uint8_t t[56] = {0, 54, 0x38, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1, 0x63, 0xcf, 0x4f};

		memset(c + 9, 0xab, 20);
		c[32] = 1; /* replay packet id 1 */
		c[33] = 0x57; /* a timestamp of 2016 */
		CU_ASSERT_EQUAL(sig(m, c, sizeof(c), 17, true, 1194, &fam), POLICY_CLASS_vpn);
		c[33] = 0x20; /* a timestamp of 1987 */
		CU_ASSERT_EQUAL(sig(m, c, sizeof(c), 17, true, 1194, &fam), POLICY_CLASS_NONE);
		memset(s + 9, 0xcd, 20);
		s[32] = 1;
		s[33] = 0x57;
		s[37] = 1; /* one ack: message 0 of the client's session */
		memcpy(s + 42, c + 1, 8);
		CU_ASSERT_EQUAL(sig(m, s, sizeof(s), 17, false, 1194, &fam), POLICY_CLASS_vpn);
		CU_ASSERT_EQUAL(sig(m, t, sizeof(t), 6, true, 443, &fam), POLICY_CLASS_vpn);
		t[1] = 53; /* the length field disagrees */
		CU_ASSERT_EQUAL(sig(m, t, sizeof(t), 6, true, 443, &fam), POLICY_CLASS_NONE);
	}
	/* WireGuard: a handshake initiation classifies; transport data only
	 * on 51820, elsewhere it only confirms (no class, but the bit). */
	{
		uint8_t init[148] = {1}, data[69] = {4};
		unsigned classes = 0;

		CU_ASSERT_EQUAL(hs_match_payload(m, init, sizeof(init), 17, true, 4000, &fam,
						 &classes),
				POLICY_CLASS_vpn);
		CU_ASSERT_EQUAL(classes, 1u << POLICY_CLASS_vpn);
		CU_ASSERT_EQUAL(hs_match_payload(m, data, 64, 17, true, 51820, &fam, &classes),
				POLICY_CLASS_vpn);
		CU_ASSERT_EQUAL(hs_match_payload(m, data, 64, 17, true, 4000, &fam, &classes),
				POLICY_CLASS_NONE);
		CU_ASSERT_EQUAL(classes, 1u << POLICY_CLASS_vpn);
		/* A game's 69-byte datagram is no WireGuard transport message. */
		CU_ASSERT_EQUAL(hs_match_payload(m, data, sizeof(data), 17, true, 15007, &fam,
						 &classes),
				POLICY_CLASS_NONE);
		CU_ASSERT_EQUAL(classes, 0);
		/* SOCKS5 method selection: confirm only. */
		CU_ASSERT_EQUAL(hs_match_payload(m, (const uint8_t *)"\x05\x00", 2, 6, false, 1080,
						 &fam, &classes),
				POLICY_CLASS_NONE);
		CU_ASSERT_EQUAL(classes, 1u << POLICY_CLASS_proxy);
	}
	/* A line marked first (uTP's 2-byte SYN) reads first payloads only:
	 * hs_match_late skips it; a DHT query counts for both. */
	{
		uint8_t utp[20] = {0x41, 0x00};
		static const char dht[] = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";

		CU_ASSERT_EQUAL(sig(m, utp, sizeof(utp), 17, true, 6881, &fam), POLICY_CLASS_p2p);
		CU_ASSERT_EQUAL(hs_match_late(m, utp, sizeof(utp), 17, true, 6881), POLICY_CLASS_NONE);
		CU_ASSERT_EQUAL(hs_match_late(m, (const uint8_t *)dht, sizeof(dht) - 1, 17, true, 6881),
				POLICY_CLASS_p2p);
	}
	/* Tailscale disco, SoftEther's address answer. */
	{
		uint8_t disco[92] = "TS\xf0\x9f\x92\xac";

		CU_ASSERT_EQUAL(sig(m, disco, sizeof(disco), 17, true, 41641, &fam), POLICY_CLASS_vpn);
		CU_ASSERT_STRING_EQUAL(fam, "Tailscale");
	}
	CU_ASSERT_EQUAL(sig(m, P("IP=90.186.132.133,PORT=51381"), 17, false, 5004, &fam),
			POLICY_CLASS_vpn);
	CU_ASSERT_EQUAL(sig(m, P("IP=90.186.132.133,PORT=51381"), 17, true, 5004, &fam),
			POLICY_CLASS_NONE);
	/* DoT and DoQ on port 853 only. */
	CU_ASSERT_EQUAL(sig(m, P("\x16\x03\x01\x00\xc1\x01\x00\x00\xbd\x03\x03"), 6, true, 853,
			    &fam),
			POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(sig(m, P("\xc3\x00\x00\x00\x01\x08"), 17, true, 853, &fam),
			POLICY_CLASS_encrypted_dns);
	CU_ASSERT_EQUAL(sig(m, P("\xc3\x00\x00\x00\x01\x08"), 17, true, 443, &fam),
			POLICY_CLASS_NONE);
	/* AnyDesk's ALPN in a ClientHello. */
	CU_ASSERT_EQUAL(sig(m, P("\x16\x03\x01\x01\x00\x01\x00\x00\xfc\x03\x03...."
				 "\x00\x10\x00\x16\x00\x14\x13" "anydesk/6.2.0/linux"),
			    6, true, 443, &fam),
			POLICY_CLASS_remote_access);
	/* eDonkey Hello: 0xE3, length 6 (opcode, hash size and 4 bytes). */
	CU_ASSERT_EQUAL(sig(m, P("\xe3\x06\x00\x00\x00\x01\x10" "abcd"), 6, true, 4662, &fam),
			POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(sig(m, P("\xe3\x07\x00\x00\x00\x01\x10" "abcd"), 6, true, 4662, &fam),
			POLICY_CLASS_NONE);
	/* NNTP on 119; TFTP option acknowledgement. */
	CU_ASSERT_EQUAL(sig(m, P("200 news.example.net InterNetNews server INN 2.6 ready\r\n"), 6,
			    false, 119, &fam),
			POLICY_CLASS_file_sharing);
	CU_ASSERT_EQUAL(sig(m, P("200 OK\r\n"), 6, false, 80, &fam), POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(sig(m, P("\0\6blksize\0" "1468\0tsize\0" "100000\0"), 17, false, 47649,
			    &fam),
			POLICY_CLASS_storage);
	CU_ASSERT_STRING_EQUAL(fam, "TFTP");
	/* Ordinary payloads match nothing. */
	CU_ASSERT_EQUAL(sig(m, P("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), 6, true, 80, &fam),
			POLICY_CLASS_NONE);
	CU_ASSERT_EQUAL(sig(m, P("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), 6, true, 443, &fam),
			POLICY_CLASS_NONE);
	CU_ASSERT_PTR_NULL(fam);
#undef P
	hs_matcher_free(m);
	hs_lists_free(l);
}

static void test_tor_name(void)
{
#define T(x) hs_tor_name(x, sizeof(x) - 1)
	CU_ASSERT_TRUE(T("www.t3i3ru.com"));
	CU_ASSERT_TRUE(T("www.e6r5p57kbafwrxj3plz.com"));
	CU_ASSERT_TRUE(T("www.ct7ctrgb6cr7.net"));
	CU_ASSERT_FALSE(T("www.1084bets10.com")); /* 0, 1 and 8 are not base32 */
	CU_ASSERT_FALSE(T("www.abc.com"));	  /* too short */
	CU_ASSERT_FALSE(T("www.abcdefghijklmnopqrstuvwxyz.com")); /* 26: too long */
	CU_ASSERT_FALSE(T("www.Example.com"));
	CU_ASSERT_FALSE(T("www.example.org"));
	CU_ASSERT_FALSE(T("mail.example.com"));
	CU_ASSERT_FALSE(hs_tor_name(NULL, 0));
#undef T
}

static void test_http_check(void)
{
#define H(x) hs_http_request_check((const uint8_t *)x, sizeof(x) - 1)
	/* HTTP to a server on 8080 is HTTP: no proxy behaviour. */
	CU_ASSERT_EQUAL(H("GET /app HTTP/1.1\r\nHost: intranet.example:8080\r\n\r\n"),
			HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(H("GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	/* NULs and non-host characters are malformed. */
	CU_ASSERT(H("CONNECT a.exa\0mple:443 HTTP/1.1\r\n\r\n") & HS_HTTP_MALFORMED);
	CU_ASSERT(H("CONNECT a.example%2f:443 HTTP/1.1\r\n\r\n") & HS_HTTP_MALFORMED);
	CU_ASSERT(H("GET http://user@a.example/ HTTP/1.1\r\n\r\n") & HS_HTTP_MALFORMED);
	CU_ASSERT(H("GET / HTTP/1.1\r\nHost: a.exa\0mple\r\n\r\n") & HS_HTTP_MALFORMED);
	CU_ASSERT(H("GET / HTTP/1.1\r\nhost: a example\r\n\r\n") & HS_HTTP_MALFORMED);
	CU_ASSERT_FALSE(H("GET / HTTP/1.1\r\nHost: a.example \r\n\r\n") & HS_HTTP_MALFORMED);
	/* Not a request. */
	CU_ASSERT_EQUAL(H("\x16\x03\x01\x02\x00"), 0);
	/* A method of any length is one (nginx answers 405 and keeps the
	 * connection: red team round 11), 1 to HS_METHOD_MAX letters, - and _
	 * (Apache registers BASELINE-CONTROL) */
	CU_ASSERT(H("GETTING_A_VERY_VERY_VERY_LONG_ONE / HTTP/1.1\r\n") & HS_HTTP_REQUEST);
	CU_ASSERT(H("GO / HTTP/1.1\r\n") & HS_HTTP_REQUEST);
	CU_ASSERT(H("BASELINE-CONTROL / HTTP/1.1\r\n") & HS_HTTP_REQUEST);
	/* any token (RFC 9110 5.6.2): Go serves M2 and X.Y! with 405 and
	 * keeps the connection (red team round 12); with bytes other than
	 * letters, '-' and '_' only on a versioned line, so that the first
	 * lines of other text protocols are no requests */
	CU_ASSERT_EQUAL(H("G1 / HTTP/1.1\r\n"), HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(H("X.Y!~ / HTTP/1.1\r\n"), HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(H("G1 /\r\n"), 0);
	CU_ASSERT_EQUAL(H("G1 / HTTP/1.1"), 0);
	CU_ASSERT_EQUAL(H("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), 0);
	CU_ASSERT_EQUAL(H("a001 LOGIN user pass\r\n"), 0);
	CU_ASSERT_EQUAL(H("G(1 / HTTP/1.1\r\n"), 0);
	/* a lower-case method is one (Squid reads it) */
	CU_ASSERT_EQUAL(H("get / HTTP/1.1\r\n"), HS_HTTP_REQUEST);
	/* Squid's relaxed white space between the fields: VT, FF, a bare
	 * CR; a CR before LF ends the line ("QUIT\r\n" is no request) */
	CU_ASSERT_EQUAL(H("CONNECT\va.example:443\vHTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("CONNECT\fa.example:443\fHTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("CONNECT\ra.example:443\rHTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("GET\vhttp://a.example/\vHTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("QUIT\r\n"), 0);
	/* absolute-form with any scheme; a scheme-like word without "://"
	 * is not */
	CU_ASSERT_EQUAL(H("GET ftp://ftp.example/pub/ HTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("GET svn+ssh://a.example/r HTTP/1.1\r\n\r\n"),
			HS_HTTP_REQUEST | HS_HTTP_PROXY);
	CU_ASSERT_EQUAL(H("GET /a:b HTTP/1.1\r\n\r\n"), HS_HTTP_REQUEST);
	CU_ASSERT_EQUAL(H("GET ftp:/a.example HTTP/1.1\r\n\r\n"), HS_HTTP_REQUEST);
	/* a Host folded onto the next line is malformed, and read there */
	CU_ASSERT(H("GET / HTTP/1.1\r\nHost:\r\n a.example\r\n\r\n") & HS_HTTP_MALFORMED);
	{
		static const char req[] = "GET / HTTP/1.1\r\nHost:\r\n\tm.vk.com \r\nA: b\r\n\r\n";
		char host[64];

		CU_ASSERT_EQUAL(hs_http_host((const uint8_t *)req, sizeof(req) - 1, host, sizeof(host)), 8);
		CU_ASSERT_STRING_EQUAL(host, "m.vk.com");
	}
#undef H
	/* A head's body: where the next pipelined request starts */
	{
#define BODY(x, head, bad, cle) hs_http_body_end((const uint8_t *)x, sizeof(x) - 1, head, bad, cle)
		static const char cl[] = "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}GET";
		static const char cl2[] = "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n{}";
		static const char none[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET";
		static const char ch[] = "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
					 "2;x=y\r\n{}\r\na\r\n0123456789\r\n0\r\nT: 1\r\n\r\nGET";
		static const char chcut[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
					    "2\r\n{}\r\n0\r\n";
		static const char both[] = "POST / HTTP/1.1\r\nContent-Length: 2\r\n"
					   "Transfer-Encoding: chunked\r\n\r\n";
		static const char plus[] = "POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}";
		static const char two[] = "POST / HTTP/1.1\r\nContent-Length: 2\r\n"
					  "Content-Length: 3\r\n\r\n{}";
		static const char gz[] =
			"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
		static const char badsz[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
					    "2x\r\n{}\r\n0\r\n\r\n";
		bool bad;
		uint64_t cle;

		CU_ASSERT_EQUAL(BODY(cl, sizeof(cl) - 6, &bad, &cle), sizeof(cl) - 4);
		CU_ASSERT_FALSE(bad);
		CU_ASSERT_EQUAL(cle, sizeof(cl) - 4);
		CU_ASSERT_EQUAL(BODY(cl2, sizeof(cl2) - 3, &bad, &cle), 0);
		CU_ASSERT_FALSE(bad);
		CU_ASSERT_EQUAL(cle, sizeof(cl2) - 3 + 9);
		CU_ASSERT_EQUAL(BODY(none, sizeof(none) - 4, &bad, &cle), sizeof(none) - 4);
		CU_ASSERT_EQUAL(cle, 0);
		CU_ASSERT_EQUAL(BODY(ch, 47, &bad, NULL), sizeof(ch) - 4);
		CU_ASSERT_FALSE(bad);
		CU_ASSERT_EQUAL(BODY(chcut, 47, &bad, NULL), 0);
		CU_ASSERT_FALSE(bad);
		CU_ASSERT_EQUAL(BODY(both, sizeof(both) - 1, &bad, NULL), 0);
		CU_ASSERT(bad);
		CU_ASSERT_EQUAL(BODY(plus, sizeof(plus) - 3, &bad, NULL), 0);
		CU_ASSERT(bad);
		CU_ASSERT_EQUAL(BODY(two, sizeof(two) - 3, &bad, NULL), 0);
		CU_ASSERT(bad);
		CU_ASSERT_EQUAL(BODY(gz, sizeof(gz) - 1, &bad, NULL), 0);
		CU_ASSERT(bad);
		CU_ASSERT_EQUAL(BODY(badsz, 47, &bad, NULL), 0);
		CU_ASSERT(bad);
#undef BODY
	}
	/* the host part of a name: up to its first ':', not in an IPv6
	 * literal, not an empty one */
	CU_ASSERT_EQUAL(hs_name_host_len("m.vk.com:443", 12), 8);
	CU_ASSERT_EQUAL(hs_name_host_len("m.vk.com:x", 10), 8);
	CU_ASSERT_EQUAL(hs_name_host_len("m.vk.com", 8), 8);
	CU_ASSERT_EQUAL(hs_name_host_len("[2001:db8::1]:443", 17), 17);
	CU_ASSERT_EQUAL(hs_name_host_len(":443", 4), 4);
}

/* The one .hsdb file of dir whose name is not skip, into out; how many. */
static unsigned cache_files(const char *dir, const char *skip, char *out, size_t size)
{
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(dir);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".hsdb") != 0)
			continue;
		n++;
		if (!skip || strcmp(de->d_name, skip) != 0)
			snprintf(out, size, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	return n;
}

static unsigned load_match(const char *dir, const char *name)
{
	char err[512];
	struct hs_lists *l = hs_lists_load(dir, err, sizeof(err));
	struct hs_matcher *m;
	unsigned cls;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	m = hs_matcher_create(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	cls = match(m, name);
	hs_matcher_free(m);
	hs_lists_free(l);
	return cls;
}

/* ADUANA_HS_CACHE: a compiled database is kept and used again; a damaged
 * one is compiled afresh; a directory others can write is not used. */
static void test_compile_cache(void)
{
	const char *const fa[] = {"p2p.txt", "a.example\n", NULL};
	const char *const fb[] = {"p2p.txt", "b.example\n", NULL};
	char cache[512], dir_a[512], dir_b[512], file_a[1024] = "", file_b[1024] = "";
	char *saved = getenv("ADUANA_HS_CACHE") ? strdup(getenv("ADUANA_HS_CACHE")) : NULL;
	struct stat st;
	FILE *f;

	snprintf(cache, sizeof(cache), "%s", unit_tmp_path("hs-cache"));
	mkdir(cache, 0700);
	chmod(cache, 0700);
	setenv("ADUANA_HS_CACHE", cache, 1);
	snprintf(dir_a, sizeof(dir_a), "%s", make_dir("lists-cache-a", fa));
	snprintf(dir_b, sizeof(dir_b), "%s", make_dir("lists-cache-b", fb));

	/* A miss compiles and keeps; each list set has its own file. */
	CU_ASSERT_EQUAL(load_match(dir_a, "x.a.example"), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(cache_files(cache, NULL, file_a, sizeof(file_a)), 1);
	CU_ASSERT_EQUAL(load_match(dir_b, "x.b.example"), POLICY_CLASS_p2p);
	CU_ASSERT_EQUAL(cache_files(cache, strrchr(file_a, '/') + 1, file_b, sizeof(file_b)), 2);
	CU_ASSERT_EQUAL_FATAL(stat(file_b, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 077, 0);

	/* A hit: B's database put under A's name is what A's load gets. This
	 * is why the directory must be ours alone. */
	{
		char tmp[1100];

		snprintf(tmp, sizeof(tmp), "%s.keep", file_a);
		CU_ASSERT_EQUAL_FATAL(rename(file_a, tmp), 0);
		f = fopen(file_b, "rb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		{
			FILE *g = fopen(file_a, "wb");
			char buf[4096];
			size_t k;

			CU_ASSERT_PTR_NOT_NULL_FATAL(g);
			while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
				CU_ASSERT_EQUAL(fwrite(buf, 1, k, g), k);
			fclose(g);
		}
		fclose(f);
		chmod(file_a, 0600);
		CU_ASSERT_EQUAL(load_match(dir_a, "x.b.example"), POLICY_CLASS_p2p);
		CU_ASSERT_EQUAL(load_match(dir_a, "x.a.example"), POLICY_CLASS_NONE);

		/* Others may write the directory: it is not used. */
		chmod(cache, 0777);
		CU_ASSERT_EQUAL(load_match(dir_a, "x.a.example"), POLICY_CLASS_p2p);
		chmod(cache, 0700);

		/* A damaged file (one byte of the database changed) is not used,
		 * and the compile writes a good one in its place. */
		f = fopen(file_a, "r+b");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fseek(f, -10, SEEK_END), 0);
		{
			int c = fgetc(f);

			fseek(f, -10, SEEK_END);
			fputc(c ^ 0x5a, f);
		}
		fclose(f);
		CU_ASSERT_EQUAL(load_match(dir_a, "x.a.example"), POLICY_CLASS_p2p);
		CU_ASSERT_EQUAL(load_match(dir_a, "x.a.example"), POLICY_CLASS_p2p);
		CU_ASSERT_EQUAL(load_match(dir_a, "x.b.example"), POLICY_CLASS_NONE);
		unlink(tmp);
	}
	unlink(file_a);
	unlink(file_b);
	rmdir(cache);
	remove_dir(dir_a, fa);
	remove_dir(dir_b, fb);
	if (saved)
		setenv("ADUANA_HS_CACHE", saved, 1);
	else
		unsetenv("ADUANA_HS_CACHE");
	free(saved);
}

struct visits {
	unsigned n, body, bad, noreq;
	size_t at[8];
};

static void count_visit(void *arg, const uint8_t *p, size_t n, unsigned http)
{
	struct visits *v = arg;

	(void)n;
	if (!p) {
		v->bad++;
		return;
	}
	if (http == HS_HTTP_NOREQ) {
		v->noreq++;
		return;
	}
	if (http & HS_HTTP_BODY)
		v->body++;
	if (v->n < 8)
		v->at[v->n] = (size_t)(uintptr_t)p;
	v->n++;
}

/* hs_http_requests: requests framed as servers frame them, and where a head
 * that the bytes cut starts (judge.c keeps it and reads it joined). */
static void test_http_requests(void)
{
	static const char two[] = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\nGE";
	static const char cut[] = "GET / HTTP/1.1\r\nHost: a.exa";
	static const char post[] = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcdeGET / HTTP/1.1\r\nHo";
	static const char more[] = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nab";
	struct visits v;
	size_t partial;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(hs_http_requests(B(two), false, NULL, count_visit, &v, &partial), 0);
	CU_ASSERT_EQUAL(v.n, 1);
	CU_ASSERT_EQUAL(partial, sizeof(two) - 3);

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(hs_http_requests(B(cut), false, NULL, count_visit, &v, &partial), 0);
	CU_ASSERT_EQUAL(v.n, 1);
	CU_ASSERT_EQUAL(partial, 0);

	memset(&v, 0, sizeof(v));
	hs_http_requests(B(post), false, NULL, count_visit, &v, &partial);
	CU_ASSERT_EQUAL(v.n, 2);
	CU_ASSERT_EQUAL(partial, strlen("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde"));

	/* a body that goes on: its bytes past these, no cut head */
	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(hs_http_requests(B(more), false, NULL, count_visit, &v, &partial), 98);
	CU_ASSERT_EQUAL(partial, SIZE_MAX);

	/* a line that is no request line, and a request inside a body */
	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(hs_http_requests(B("12345\r\n"), false, NULL, count_visit, &v, &partial), 0);
	CU_ASSERT_EQUAL(v.n, 0);
	CU_ASSERT_EQUAL(v.noreq, 1);
	CU_ASSERT_EQUAL(partial, SIZE_MAX);
	memset(&v, 0, sizeof(v));
	hs_http_requests(B("GET / HTTP/1.1\r\nHost: b\r\n\r\nGE"), true, NULL, count_visit, &v, &partial);
	CU_ASSERT_EQUAL(v.n, 1);
	CU_ASSERT_EQUAL(v.body, 1);
	CU_ASSERT_EQUAL(partial, SIZE_MAX);

	/* a framing servers read otherwise: malformed, every request line after */
	memset(&v, 0, sizeof(v));
	hs_http_requests(B("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"
			   "xy\r\nGET / HTTP/1.1\r\nHost: c\r\n\r\n"),
			 false, NULL, count_visit, &v, &partial);
	CU_ASSERT_EQUAL(v.bad, 1);
	CU_ASSERT_EQUAL(v.n, 2);

	/* a chunked body followed across calls: its end, then the next GET */
	{
		struct hs_chunk ch = {0, 0};
		static const char c1[] = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
					 "5\r\nabcde\r\n1";
		static const char c2[] = "0\r\n" "0123456789abcdef\r\n0;x=1\r\nT: 1\r\n\r\n"
					 "GET / HTTP/1.1\r\nHost: b\r\n\r\n";

		memset(&v, 0, sizeof(v));
		CU_ASSERT_EQUAL(hs_http_requests(B(c1), false, &ch, count_visit, &v, &partial), 0);
		CU_ASSERT_EQUAL(v.n, 1);
		CU_ASSERT_EQUAL(ch.st, HS_CH_SIZE);
		CU_ASSERT_EQUAL(partial, SIZE_MAX);
		memset(&v, 0, sizeof(v));
		hs_http_requests(B(c2), false, &ch, count_visit, &v, &partial);
		CU_ASSERT_EQUAL(ch.st, 0);
		CU_ASSERT_EQUAL(v.n, 1); /* the GET after the body, not the chunk data */
		CU_ASSERT_EQUAL(v.bad, 0);
		/* a chunk not followed by its line end: malformed */
		ch = (struct hs_chunk){0, HS_CH_SIZE0};
		memset(&v, 0, sizeof(v));
		hs_http_requests(B("3\r\nabcX\r\nGET / HTTP/1.1\r\nHost: c\r\n\r\n"), false, &ch,
				 count_visit, &v, &partial);
		CU_ASSERT_EQUAL(v.bad, 1);
		CU_ASSERT_EQUAL(v.n, 1);
	}
	/* nine pipelined requests and more: every one is read */
	{
		char many[2048] = "";

		for (int i = 0; i < 20; i++)
			strcat(many, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
		memset(&v, 0, sizeof(v));
		hs_http_requests((const uint8_t *)many, strlen(many), false, NULL, count_visit, &v,
				 &partial);
		if (v.n != 20)
			fprintf(stderr, "\n  v.n %u\n", v.n);
		CU_ASSERT_EQUAL(v.n, 20);
	}
	/* a method with '-' (M-SEARCH), then a GET */
	memset(&v, 0, sizeof(v));
	hs_http_requests(B("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n"),
			 false, NULL, count_visit, &v, &partial);
	CU_ASSERT_EQUAL(v.n, 2);
	/* behind a request, bytes that start none: their request lines read */
	memset(&v, 0, sizeof(v));
	hs_http_requests(B("GET / HTTP/1.1\r\nHost: a\r\n\r\n1 2 3\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n"),
			 false, NULL, count_visit, &v, &partial);
	CU_ASSERT_EQUAL(v.n, 2);
	CU_ASSERT_EQUAL(v.noreq, 1);

	CU_ASSERT_TRUE(hs_http_versioned(B("GET / HTTP/1.1\r\n")));
	CU_ASSERT_TRUE(hs_http_versioned(B("GET / HTTP/2.0\r\n")));
	CU_ASSERT_TRUE(hs_http_versioned(B("GET / RTSP/1.0\r\n")));
	CU_ASSERT_FALSE(hs_http_versioned(B("PLAY rtsp://a/ RTSP/1.0\r\n")));
	CU_ASSERT_TRUE(hs_head_asks(B("CONNECT a:443 HTTP/1.1\r\n\r\n")) & HS_HEAD_TUNNEL);
	CU_ASSERT_TRUE(hs_head_asks(B("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")) & HS_HEAD_TUNNEL);
	CU_ASSERT_FALSE(hs_head_asks(B("GET / HTTP/1.1\r\nHost: a\r\n\r\n")) & HS_HEAD_TUNNEL);
	CU_ASSERT_TRUE(hs_http_versioned(B("\r\nget /\thttp/1.0  \r\n")));
	CU_ASSERT_FALSE(hs_http_versioned(B("OPTIONS rtsp://a/ RTSP/1.0\r\n")));
	CU_ASSERT_FALSE(hs_http_versioned(B("EHLO x\r\n")));
	CU_ASSERT_FALSE(hs_http_versioned(B("GET / HTTP/1.1")));
	CU_ASSERT_FALSE(hs_http_versioned(B("PRI * HTTP/2.0\r\n")));
	CU_ASSERT_TRUE(hs_head_asks(B("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) & HS_HEAD_H2C);
	CU_ASSERT_TRUE(hs_head_asks(B("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket, H2C\r\n\r\n")) & HS_HEAD_H2C_UP);
	CU_ASSERT_FALSE(hs_head_asks(B("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket, H2C\r\n\r\n")) & HS_HEAD_H2C);
	CU_ASSERT_TRUE(hs_head_asks(B("GET / HTTP/1.1\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")) & HS_HEAD_H2C_UP);
	CU_ASSERT_FALSE(hs_head_asks(B("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n")) & HS_HEAD_H2C);
	CU_ASSERT_FALSE(hs_head_asks(B("GET / HTTP/1.1\r\nHost: a\r\n\r\nUpgrade: h2c\r\n")) & HS_HEAD_H2C_UP);

	CU_ASSERT_TRUE(hs_http_starts(B("G")));
	CU_ASSERT_TRUE(hs_http_starts(B("GET")));
	CU_ASSERT_TRUE(hs_http_starts(B("GET /a")));
	CU_ASSERT_TRUE(hs_http_starts(B("\r\n  GET / HTTP/1.1\r\n")));
	CU_ASSERT_FALSE(hs_http_starts(B("GE\x01")));
	CU_ASSERT_FALSE(hs_http_starts(B("\x16\x03\x01\x02\x00")));
	CU_ASSERT_FALSE(hs_http_starts(B("SSH-2.0-OpenSSH_9.2\r\n")));
	CU_ASSERT_TRUE(hs_http_starts(B("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG")));
	CU_ASSERT_FALSE(hs_http_starts(B("ABCDEFG\x01")));
	/* printable bytes past a method with no white space after it: a
	 * one-line upload (base64: '/' and '=' are no token bytes), no request
	 * line cut (red team round 13); a run of token bytes alone still may
	 * be a method cut by the segment */
	CU_ASSERT_FALSE(hs_http_starts(B("JVBERi0xLjQKJeLjz9MKMSAwIG9iag/PD4KZW5k")));
	CU_ASSERT_FALSE(hs_http_starts(B("0M8R4KGxGuEAAAAAAAAAAAAAAAAAAAAAPgADAP7/CQAG")));
	CU_ASSERT_FALSE(hs_http_starts(B("GET/a")));
	CU_ASSERT_TRUE(hs_http_starts(B("M2")));
	CU_ASSERT_TRUE(hs_http_starts(B("M2 /a")));
	CU_ASSERT_TRUE(hs_http_starts(B("GET\t/a")));
	/* a cut first line's target starts as servers parse one (red team
	 * round 14): text and octet-counted syslog are no request lines */
	CU_ASSERT_FALSE(hs_http_starts(B("The quick brown fox jumps")));
	CU_ASSERT_FALSE(hs_http_starts(B("512 <30>1 2026-12-05T10:00:00Z h app")));
	CU_ASSERT_FALSE(hs_http_starts(B("GET a.example/x")));
	CU_ASSERT_TRUE(hs_http_starts(B("GET ")));
	CU_ASSERT_TRUE(hs_http_starts(B("GET http://a.exa")));
	CU_ASSERT_TRUE(hs_http_starts(B("GET ftp:/")));
	CU_ASSERT_TRUE(hs_http_starts(B("OPTIONS * HT")));
	CU_ASSERT_TRUE(hs_http_starts(B("CONNECT a.example:44")));
	CU_ASSERT_TRUE(hs_http_starts(B("CONNECT [2001:db8::1]:443 HTTP/1.1")));
	/* a whole first line: a method and white space, as before */
	CU_ASSERT_TRUE(hs_http_starts(B("HELLO world\r\n")));
	CU_ASSERT_FALSE(hs_http_starts(B("  ")));
	CU_ASSERT_FALSE(hs_http_starts(NULL, 0));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"shipped lists compile and match", test_shipped_lists},
		{"patterns: sub-names, wildcards, case, dot, IDN", test_patterns},
		{"bad lines name FILE:LINE", test_errors},
		{"duplicate pattern names both lines", test_duplicates},
		{"empty, NULL and missing list dirs", test_empty},
		{"document signatures", test_docsig},
		{"WebDAV methods", test_webdav},
		{"CONNECT target and authority host", test_connect_and_authority},
		{"payload signatures: bad lines name FILE:LINE", test_sig_errors},
		{"payload signatures: shipped families", test_sigs_shipped},
		{"payload signatures: the late read's filter", test_sig_late_filter},
		{"HTTP requests: proxy behaviour, malformed names", test_http_check},
		{"Tor client host names", test_tor_name},
		{"compiled databases kept in ADUANA_HS_CACHE", test_compile_cache},
		{"HTTP requests framed, a cut head found", test_http_requests},
		CU_TEST_INFO_NULL,
	};

	return unit_run("hs", NULL, NULL, tests);
}
