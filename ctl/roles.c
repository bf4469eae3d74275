/* Callers and roles of the operators' socket (see roles.h). */
#include "roles.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13 */
#endif

static const char *const role_names[] = {"none", "viewer", "operator", "admin"};

const char *role_name(enum role r)
{
	return (unsigned)r < 4 ? role_names[r] : "none";
}

void roles_default(struct roles *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->users[ROLE_ADMIN][r->n_users[ROLE_ADMIN]++], 64, "root");
	snprintf(r->groups[ROLE_ADMIN][r->n_groups[ROLE_ADMIN]++], 64, "aduana-admin");
	snprintf(r->groups[ROLE_OPERATOR][r->n_groups[ROLE_OPERATOR]++], 64, "aduana-operator");
	snprintf(r->groups[ROLE_VIEWER][r->n_groups[ROLE_VIEWER]++], 64, "aduana-viewer");
}

static int roles_fail(char *err, size_t errlen, const char *path, const config_setting_t *s,
		      const char *msg)
{
	snprintf(err, errlen, "%s:%d: %s", path, s ? config_setting_source_line(s) : 1, msg);
	return -EINVAL;
}

/* A list of names or numbers into out[]; n set to the count. */
static int roles_list(const config_setting_t *l, char out[][64], unsigned *n, const char *path,
		      char *err, size_t errlen)
{
	int i, len;
	char msg[160];

	if (!config_setting_is_array(l) && !config_setting_is_list(l))
		return roles_fail(err, errlen, path, l,
				  "expected a list of names or numbers, e.g. [ \"alice\" ] or ( "
				  "\"alice\", 1001 )");
	len = config_setting_length(l);
	if (len > ROLES_ENTRIES) {
		snprintf(msg, sizeof(msg), "at most %d entries", ROLES_ENTRIES);
		return roles_fail(err, errlen, path, l, msg);
	}
	*n = 0;
	for (i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		int t = config_setting_type(e);

		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(e);

			if (v < 0 || v > 0xfffffffell)
				return roles_fail(err, errlen, path, e, "id out of range");
			snprintf(out[(*n)++], 64, "%lld", v);
		} else if (t == CONFIG_TYPE_STRING) {
			const char *s = config_setting_get_string(e);

			if (!s[0] || strlen(s) >= 64 || strchr(s, ':') || strchr(s, ' '))
				return roles_fail(
					err, errlen, path, e,
					"expected a user or group name (1..63 characters)");
			snprintf(out[(*n)++], 64, "%s", s);
		} else {
			return roles_fail(err, errlen, path, e, "expected a name or a number");
		}
	}
	return 0;
}

int roles_conf(const config_setting_t *g, struct roles *r, const char *path, char *err,
	       size_t errlen)
{
	int i, n;
	char msg[160];

	if (!config_setting_is_group(g))
		return roles_fail(err, errlen, path, g,
				  "'roles': expected { admin = {...}; operator = {...}; viewer = "
				  "{...}; }");
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		enum role ro = ROLE_NONE;
		int j, m;

		for (j = 1; j < 4; j++)
			if (name && strcmp(name, role_names[j]) == 0)
				ro = (enum role)j;
		if (ro == ROLE_NONE) {
			snprintf(msg, sizeof(msg),
				 "unknown role '%s' (expected admin, operator or viewer)",
				 name ? name : "?");
			return roles_fail(err, errlen, path, e, msg);
		}
		if (!config_setting_is_group(e))
			return roles_fail(err, errlen, path, e,
					  "expected { users = [ ... ]; groups = [ ... ]; }");
		/* A role given replaces its default entirely. */
		r->n_users[ro] = r->n_groups[ro] = 0;
		m = config_setting_length(e);
		for (j = 0; j < m; j++) {
			const config_setting_t *l = config_setting_get_elem(e, (unsigned)j);
			const char *k = config_setting_name(l);
			int rc;

			if (k && strcmp(k, "users") == 0)
				rc = roles_list(l, r->users[ro], &r->n_users[ro], path, err,
						errlen);
			else if (k && strcmp(k, "groups") == 0)
				rc = roles_list(l, r->groups[ro], &r->n_groups[ro], path, err,
						errlen);
			else {
				snprintf(msg, sizeof(msg),
					 "unknown key '%s' (expected users, groups)", k ? k : "?");
				return roles_fail(err, errlen, path, l, msg);
			}
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* An entry matches by number when it is all digits, else by name. */
static bool roles_match(const char *entry, unsigned long id, const char *name)
{
	char *end;
	unsigned long v;

	if (entry[0] >= '0' && entry[0] <= '9') {
		v = strtoul(entry, &end, 10);
		if (!*end)
			return v == id;
	}
	return name[0] && strcmp(entry, name) == 0;
}

enum role roles_map(const struct roles *r, struct peer *p)
{
	int ro;
	unsigned i, j;

	p->role = ROLE_NONE;
	for (ro = ROLE_ADMIN; ro > ROLE_NONE; ro--) {
		for (i = 0; i < r->n_users[ro]; i++)
			if (roles_match(r->users[ro][i], p->uid, p->user))
				return p->role = (enum role)ro;
		for (i = 0; i < r->n_groups[ro]; i++)
			for (j = 0; j < p->n_groups; j++)
				if (roles_match(r->groups[ro][i], p->groups[j], p->group_names[j]))
					return p->role = (enum role)ro;
	}
	return p->role;
}

static void roles_add_group(struct peer *p, gid_t g)
{
	unsigned i;

	for (i = 0; i < p->n_groups; i++)
		if (p->groups[i] == g)
			return;
	if (p->n_groups < PEER_GROUPS)
		p->groups[p->n_groups++] = g;
}

int roles_peer(const struct roles *r, int fd, struct peer *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t gs[256];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[16384];
	unsigned i, n;

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return -errno;
	p->pid = cr.pid;
	p->uid = cr.uid;
	p->gid = cr.gid;
	roles_add_group(p, cr.gid);
	len = sizeof(gs);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gs, &len) == 0) {
		n = len / sizeof(gid_t);
		for (i = 0; i < n; i++)
			roles_add_group(p, gs[i]);
	} else if (errno != ENOPROTOOPT) {
		/* ERANGE: more than 256 groups; the primary group still counts. */
		int e = errno;

		if (e != ERANGE)
			return -e;
	}
	if (getpwuid_r(p->uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
		snprintf(p->user, sizeof(p->user), "%s", pw.pw_name);
	else
		snprintf(p->user, sizeof(p->user), "%u", (unsigned)p->uid);
	for (i = 0; i < p->n_groups; i++) {
		grp = NULL;
		if (getgrgid_r(p->groups[i], &gr, buf, sizeof(buf), &grp) == 0 && grp)
			snprintf(p->group_names[i], 64, "%s", gr.gr_name);
		else
			p->group_names[i][0] = '\0';
	}
	roles_map(r, p);
	return 0;
}

enum role roles_needed(uint8_t type)
{
	switch (type) {
	case PROTO_RELOAD:
	case PROTO_GRANT_ADD:
	case PROTO_GRANT_DEL:
		return ROLE_ADMIN;
	case PROTO_SIMULATE:
		return ROLE_OPERATOR;
	default:
		/* status, flows, grant list, report, audit; and unknown types,
		 * which get "unknown request type" once the caller may read. */
		return ROLE_VIEWER;
	}
}
