/* test_audit.c - the operators' roles (ctl/roles.c) and the hash-chained
 * audit log (ctl/audit.c): who maps to which role and what each request
 * needs; entries that chain, survive a reopen, escape what they carry, and
 * a chain that names the first entry an edit, a removal or a reorder
 * breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "audit.h"
#include "proto.h"
#include "roles.h"
#include "sha256.h"
#include "unit.h"

static struct peer test_peer(unsigned uid, const char *user, unsigned n, const unsigned *gids,
			     const char *const *names)
{
	struct peer p;
	unsigned i;

	memset(&p, 0, sizeof(p));
	p.uid = uid;
	p.gid = n ? gids[0] : 0;
	snprintf(p.user, sizeof(p.user), "%s", user);
	for (i = 0; i < n; i++) {
		p.groups[i] = gids[i];
		snprintf(p.group_names[i], sizeof(p.group_names[i]), "%s",
			 names[i] ? names[i] : "");
	}
	p.n_groups = n;
	return p;
}

static void test_default_roles(void)
{
	struct roles r;
	static const unsigned g_view[] = {1001, 990}, g_both[] = {1001, 990, 991},
			      g_none[] = {1001};
	static const char *const n_view[] = {"alice", "aduana-viewer"},
				 *const n_both[] = {"alice", "aduana-viewer", "aduana-admin"},
				 *const n_none[] = {"alice"};
	struct peer p;

	roles_default(&r);
	p = test_peer(0, "root", 1, (const unsigned[]){0}, (const char *const[]){"root"});
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_ADMIN);
	p = test_peer(1001, "alice", 2, g_view, n_view);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_VIEWER);
	/* The highest match wins, whatever the order of the groups. */
	p = test_peer(1001, "alice", 3, g_both, n_both);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_ADMIN);
	p = test_peer(1001, "alice", 1, g_none, n_none);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_NONE);
	CU_ASSERT_STRING_EQUAL(role_name(ROLE_NONE), "none");
	CU_ASSERT_STRING_EQUAL(role_name(ROLE_OPERATOR), "operator");
}

static int test_conf(const char *text, struct roles *r, char *err, size_t errlen)
{
	const char *path = unit_write_tmp("roles.conf", text);
	config_t c;
	int rc;

	config_init(&c);
	if (!config_read_file(&c, path)) {
		snprintf(err, errlen, "syntax: %s", config_error_text(&c));
		config_destroy(&c);
		return -100;
	}
	roles_default(r);
	rc = roles_conf(config_lookup(&c, "roles"), r, "roles.conf", err, errlen);
	config_destroy(&c);
	return rc;
}

static void test_conf_roles(void)
{
	struct roles r;
	char err[256] = "";
	static const unsigned g_ops[] = {100, 2500}, g_view[] = {100, 990};
	static const char *const n_ops[] = {"users", NULL}, *const n_view[] = {"users",
									       "aduana-viewer"};
	struct peer p;

	CU_ASSERT_EQUAL_FATAL(test_conf("roles = {\n"
					"  viewer = { users = ( \"bob\", 2000 ); };\n"
					"  operator = { groups = [ 2500 ]; };\n"
					"};\n",
					&r, err, sizeof(err)),
			      0);
	/* By name, by number, by a group number with no name. */
	p = test_peer(1500, "bob", 0, NULL, NULL);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_VIEWER);
	p = test_peer(2000, "2000", 0, NULL, NULL);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_VIEWER);
	p = test_peer(3000, "carol", 2, g_ops, n_ops);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_OPERATOR);
	/* A role given replaces its default: aduana-viewer no longer counts;
	 * admin kept its default (root). */
	p = test_peer(1001, "alice", 2, g_view, n_view);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_NONE);
	p = test_peer(0, "root", 0, NULL, NULL);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_ADMIN);
	/* A numeric entry is an id, never a name. */
	p = test_peer(7, "2000", 0, NULL, NULL);
	CU_ASSERT_EQUAL(roles_map(&r, &p), ROLE_NONE);

	CU_ASSERT_EQUAL(test_conf("roles = {\n  boss = { users = [ \"x\" ]; };\n};\n", &r, err,
				  sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "roles.conf:2: unknown role 'boss'"));
	CU_ASSERT_EQUAL(test_conf("roles = {\n  admin = {\n    people = [ \"x\" ]; };\n};\n", &r,
				  err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "roles.conf:3: unknown key 'people'"));
	CU_ASSERT_EQUAL(
		test_conf("roles = { admin = { users = [ \"a b\" ]; }; };\n", &r, err, sizeof(err)),
		-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected a user or group name"));
	CU_ASSERT_EQUAL(
		test_conf("roles = { admin = { users = [ -1 ]; }; };\n", &r, err, sizeof(err)),
		-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "id out of range"));
	CU_ASSERT_EQUAL(test_conf("roles = 3;\n", &r, err, sizeof(err)), -EINVAL);
}

static void test_needed(void)
{
	CU_ASSERT_EQUAL(roles_needed(PROTO_RELOAD), ROLE_ADMIN);
	CU_ASSERT_EQUAL(roles_needed(PROTO_GRANT_ADD), ROLE_ADMIN);
	CU_ASSERT_EQUAL(roles_needed(PROTO_GRANT_DEL), ROLE_ADMIN);
	CU_ASSERT_EQUAL(roles_needed(PROTO_SIMULATE), ROLE_OPERATOR);
	CU_ASSERT_EQUAL(roles_needed(PROTO_STATUS), ROLE_VIEWER);
	CU_ASSERT_EQUAL(roles_needed(PROTO_FLOWS), ROLE_VIEWER);
	CU_ASSERT_EQUAL(roles_needed(PROTO_GRANT_LIST), ROLE_VIEWER);
	CU_ASSERT_EQUAL(roles_needed(PROTO_REPORT), ROLE_VIEWER);
	CU_ASSERT_EQUAL(roles_needed(PROTO_AUDIT), ROLE_VIEWER);
	CU_ASSERT_EQUAL(roles_needed(0x33), ROLE_VIEWER);
}

/* The file's lines, malloc'd, in lines[] (at most 16). */
static unsigned test_lines(const char *path, char *lines[16])
{
	FILE *f = fopen(path, "r");
	char *l = NULL;
	size_t cap = 0;
	unsigned n = 0;

	if (!f)
		return 0;
	while (n < 16 && getline(&l, &cap, f) > 0) {
		lines[n++] = l;
		l = NULL;
		cap = 0;
	}
	free(l);
	fclose(f);
	return n;
}

static void test_write(const char *path, char *lines[], unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	for (i = 0; i < n; i++)
		fputs(lines[i], f);
	fclose(f);
}

static void test_chain(void)
{
	static const unsigned gids[] = {1001, 990};
	static const char *const names[] = {"alice", "aduana-viewer"};
	struct peer p = test_peer(1001, "alice", 2, gids, names);
	const char *path = unit_tmp_path("audit.jsonl");
	char err[256], *lines[16], *copy[16], hash[AUDIT_HASH_HEX], prev[AUDIT_HASH_HEX], v[2048],
		head[AUDIT_HASH_HEX];
	struct audit_verify vf;
	struct audit *a;
	uint64_t seq;
	unsigned n, i;

	remove(path);
	p.role = ROLE_VIEWER;
	a = audit_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	audit_head(a, &seq, head);
	CU_ASSERT_EQUAL(seq, 0);
	CU_ASSERT_EQUAL(audit_append(a, &p, "reload", AUDIT_REFUSED,
				     "a \"quoted\"\nline\\ with \x01 control", "ab", NULL, "CHG-1"),
			1);
	CU_ASSERT_EQUAL(
		audit_append(a, NULL, "revoke", AUDIT_OK, "grant 3 expired", NULL, NULL, NULL), 2);
	audit_close(a);
	/* Reopened: the chain goes on from the last entry. */
	a = audit_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	audit_head(a, &seq, head);
	CU_ASSERT_EQUAL(seq, 2);
	CU_ASSERT_EQUAL(audit_append(a, &p, "grant", AUDIT_ERROR, NULL, NULL, NULL, NULL), 3);
	audit_close(a);

	CU_ASSERT_EQUAL_FATAL(audit_verify_file(path, &vf, NULL, NULL), 0);
	CU_ASSERT(vf.ok);
	CU_ASSERT_EQUAL(vf.entries, 3);
	CU_ASSERT_EQUAL(vf.head_seq, 3);
	n = test_lines(path, lines);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	/* Each line checks alone; prev links to the hash before. */
	for (i = 0; i < n; i++) {
		CU_ASSERT(audit_line_check(lines[i], strlen(lines[i]), hash, prev, &seq));
		CU_ASSERT_EQUAL(seq, i + 1);
		if (i == 0)
			CU_ASSERT_STRING_EQUAL(prev, "00000000000000000000000000000000"
						     "00000000000000000000000000000000");
		if (i == n - 1)
			CU_ASSERT_STRING_EQUAL(hash, vf.head);
	}
	/* The hash is sha256 of the line without its hash member. */
	{
		char body[4096], want[SHA256_HEX_SIZE];
		size_t len = strlen(lines[1]) - 1; /* newline */
		size_t cut = len - strlen(",\"hash\":\"\"}") - 64;

		memcpy(body, lines[1], cut);
		body[cut] = '}';
		sha256_hex(body, cut + 1, want);
		CU_ASSERT(audit_line_check(lines[1], strlen(lines[1]), hash, prev, &seq));
		CU_ASSERT_STRING_EQUAL(want, hash);
	}
	/* What went in comes out: escaped, unescaped by a JSON reader. */
	CU_ASSERT_EQUAL(proto_json_get(lines[0], strlen(lines[0]), "detail", v, sizeof(v), NULL),
			0);
	/* (control characters travel as \u00XX; proto's reader turns them into '?') */
	CU_ASSERT_STRING_EQUAL(v, "a \"quoted\"?line\\ with ? control");
	CU_ASSERT_PTR_NOT_NULL(strstr(
		lines[0], "\"detail\":\"a \\\"quoted\\\"\\u000aline\\\\ with \\u0001 control\""));
	CU_ASSERT_EQUAL(proto_json_get(lines[0], strlen(lines[0]), "approval", v, sizeof(v), NULL),
			0);
	CU_ASSERT_STRING_EQUAL(v, "CHG-1");
	CU_ASSERT_EQUAL(proto_json_get(lines[0], strlen(lines[0]), "result", v, sizeof(v), NULL),
			0);
	CU_ASSERT_STRING_EQUAL(v, "refused");
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"groups\":[\"alice\",\"aduana-viewer\"],"
						"\"role\":\"viewer\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[1], "\"who\":{\"uid\":null,\"user\":\"aduanad\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[2], "\"detail\":null,"));

	/* An edit names its entry. */
	for (i = 0; i < n; i++)
		copy[i] = lines[i];
	{
		char *edited = strdup(lines[1]), *r = strstr(edited, "\"ok\"");

		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		memcpy(r, "\"no\"", 4);
		copy[1] = edited;
		test_write(path, copy, n);
		CU_ASSERT_EQUAL(audit_verify_file(path, &vf, NULL, NULL), 0);
		CU_ASSERT(!vf.ok);
		CU_ASSERT_EQUAL(vf.broken_seq, 2);
		CU_ASSERT_EQUAL(vf.broken_line, 2);
		CU_ASSERT_PTR_NOT_NULL(
			strstr(vf.why, "entry seq 2 (line 2): its hash does not match"));
		free(edited);
	}
	/* A removed entry: the next one's prev no longer matches. */
	copy[0] = lines[0];
	copy[1] = lines[2];
	test_write(path, copy, 2);
	CU_ASSERT_EQUAL(audit_verify_file(path, &vf, NULL, NULL), 0);
	CU_ASSERT(!vf.ok);
	CU_ASSERT_EQUAL(vf.broken_seq, 3);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(vf.why, "its prev does not match the hash of the entry before"));
	/* The first removed: the chain does not start at zero. */
	test_write(path, lines + 1, 2);
	CU_ASSERT_EQUAL(audit_verify_file(path, &vf, NULL, NULL), 0);
	CU_ASSERT_EQUAL(vf.broken_seq, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(vf.why, "entries before it were removed"));
	/* A line cut short (a crash mid-write, or an edit) is named by line. */
	copy[0] = lines[0];
	copy[1] = "{\"seq\":2,\"time\":\"x\"\n";
	test_write(path, copy, 2);
	CU_ASSERT_EQUAL(audit_verify_file(path, &vf, NULL, NULL), 0);
	CU_ASSERT_EQUAL(vf.broken_line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(vf.why, "not an audit entry"));
	/* Intact again. */
	test_write(path, lines, n);
	CU_ASSERT_EQUAL(audit_verify_file(path, &vf, NULL, NULL), 0);
	CU_ASSERT(vf.ok);
	CU_ASSERT_EQUAL(audit_verify_file(unit_tmp_path("none.jsonl"), &vf, NULL, NULL), -ENOENT);
	for (i = 0; i < n; i++)
		free(lines[i]);
}

static void test_long_detail(void)
{
	const char *path = unit_tmp_path("long.jsonl");
	char err[256], *big = malloc(20000), *lines[16], v[4096];
	struct audit_verify vf;
	struct audit *a;
	unsigned n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 0xe9, 19999); /* every byte escaped as \u00e9: six times longer */
	big[19999] = '\0';
	remove(path);
	a = audit_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(audit_append(a, NULL, "reload", AUDIT_ERROR, big, NULL, NULL, big), 1);
	audit_close(a);
	CU_ASSERT_EQUAL(audit_verify_file(path, &vf, NULL, NULL), 0);
	CU_ASSERT(vf.ok);
	n = test_lines(path, lines);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(proto_json_get(lines[0], strlen(lines[0]), "detail", v, sizeof(v), NULL),
			0);
	CU_ASSERT_EQUAL(strlen(v), AUDIT_DETAIL_MAX + 3);
	CU_ASSERT_STRING_EQUAL(v + AUDIT_DETAIL_MAX, "...");
	free(lines[0]);
	free(big);
}

static CU_TestInfo test_audit_tests[] = {
	{"default roles: root and the aduana-* groups", test_default_roles},
	{"roles from the config: names, numbers, replace", test_conf_roles},
	{"the role each request needs", test_needed},
	{"audit entries chain; edits and removals are named", test_chain},
	{"a long detail is cut, the entry still written", test_long_detail},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("audit", NULL, NULL, test_audit_tests);
}
