/* roles.h - who is on the other end of aduanad's operators' socket, and
 * what they may do (README "Roles"). The caller is known by the kernel:
 * SO_PEERCRED (uid, gid) and SO_PEERGROUPS (supplementary groups). The
 * config's `roles` group maps users and groups, by name or by number, to
 * viewer, operator or admin; the highest match wins. aduanad's thread only.
 */
#ifndef ADUANA_ROLES_H
#define ADUANA_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libconfig.h>

enum role {
	ROLE_NONE = 0, /* mapped to nothing: refused everything */
	ROLE_VIEWER = 1,
	ROLE_OPERATOR = 2,
	ROLE_ADMIN = 3,
};

#define PEER_GROUPS   32
#define ROLES_ENTRIES 32

/* A connected caller, as the kernel told us at accept. */
struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	char user[64];		   /* name, or the number when it has none */
	gid_t groups[PEER_GROUPS]; /* primary first, then supplementary */
	char group_names[PEER_GROUPS][64];
	unsigned n_groups;
	enum role role;
};

/* The mapping: per role, user and group names or numbers. */
struct roles {
	char users[4][ROLES_ENTRIES][64];
	unsigned n_users[4];
	char groups[4][ROLES_ENTRIES][64];
	unsigned n_groups[4];
};

/* The default when the config has no `roles`: admin = user root and group
 * aduana-admin, operator = group aduana-operator, viewer = group
 * aduana-viewer. */
void roles_default(struct roles *r);

/* Read a `roles = { admin = { users = [...]; groups = [...]; }; ... }`
 * group (each role and each list optional; a role given replaces its
 * default). Names are kept as written and matched at each connection, so
 * a user or group made later counts. Returns 0 or -EINVAL with
 * "PATH:LINE: message" in err. */
int roles_conf(const config_setting_t *g, struct roles *r, const char *path, char *err,
	       size_t errlen);

/* Fill p from the connected unix socket fd (SO_PEERCRED, SO_PEERGROUPS)
 * and map it to a role. Returns 0 or -errno. */
int roles_peer(const struct roles *r, int fd, struct peer *p);

/* Map a caller whose uid and groups are already in p (tests; roles_peer
 * uses it). Sets p->role and returns it. */
enum role roles_map(const struct roles *r, struct peer *p);

/* The role a request type needs (proto.h types). ROLE_ADMIN for changes,
 * ROLE_OPERATOR for simulate, ROLE_VIEWER for reads; an unknown type needs
 * ROLE_VIEWER (it is then answered "unknown request type"). */
enum role roles_needed(uint8_t type);

/* "none", "viewer", "operator", "admin". */
const char *role_name(enum role r);

#endif
