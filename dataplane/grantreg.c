/* The dataplane's grant registry (see grantreg.h). */
#include "grantreg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "grant.h"
#include "policy.h"
#include "proto.h"
#include "worker.h"

#define GR_HIST 4096 /* ended grants whose approval records may still name */

struct gr_hist {
	uint32_t id;
	char approval[GRANT_APPROVAL_MAX];
};

struct grant_reg {
	struct dp *dp;
	struct policy **pol;
	struct policy_grant live[GRANT_MAX];
	unsigned n;
	uint32_t gen;
	unsigned slot_next; /* host grants take learn bits in turn, so a bit is reused late */
	struct gr_hist *hist;
	unsigned hist_next;
	uint64_t added, removed, expired;
};

struct grant_reg *grant_reg_create(struct dp *dp, struct policy **pol)
{
	struct grant_reg *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->hist = calloc(GR_HIST, sizeof(*r->hist));
	if (!r->hist) {
		free(r);
		return NULL;
	}
	r->dp = dp;
	r->pol = pol;
	return r;
}

/* Build the table of the live list and publish it: one release store,
 * then wait until every worker was quiescent once before freeing the old
 * one (no worker can hold it any more). */
static int gr_publish(struct grant_reg *r)
{
	struct policy_grants *t = NULL, *old;
	unsigned i;

	if (r->n) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->gen = ++r->gen;
		t->resolved_for = (*r->pol)->version;
		t->n = r->n;
		memcpy(t->g, r->live, r->n * sizeof(r->live[0]));
		for (i = 0; i < t->n; i++) {
			grant_fix(&t->g[i], *r->pol);
			if (t->g[i].host[0])
				r->dp->learn_on = true; /* DNS answers teach grant names too */
		}
	} else {
		r->gen++;
	}
	old = r->dp->grants;
	__atomic_store_n(&r->dp->grants, t, __ATOMIC_RELEASE);
	if (r->dp->qsbr)
		rte_rcu_qsbr_synchronize(r->dp->qsbr, RTE_QSBR_THRID_INVALID);
	free(old);
	return 0;
}

static void gr_remember(struct grant_reg *r, const struct policy_grant *g)
{
	struct gr_hist *h = &r->hist[r->hist_next++ % GR_HIST];

	h->id = g->id;
	memcpy(h->approval, g->approval, sizeof(h->approval));
}

const char *grant_reg_approval(void *arg, uint32_t id)
{
	struct grant_reg *r = arg;
	unsigned i, k;

	for (i = 0; i < r->n; i++)
		if (r->live[i].id == id)
			return r->live[i].approval;
	for (k = 0; k < GR_HIST && k < r->hist_next; k++) {
		const struct gr_hist *h = &r->hist[(r->hist_next - 1 - k) % GR_HIST];

		if (h->id == id)
			return h->approval;
	}
	return NULL;
}

unsigned grant_reg_count(const struct grant_reg *r)
{
	return r ? r->n : 0;
}

/* A learn bit for a host grant: the one it had (same id), or the next
 * free one in turn. -ENOSPC when all are taken. */
static int gr_slot(const struct policy_grant *list, unsigned n, struct grant_reg *r,
		   struct policy_grant *g)
{
	uint32_t used = 0;
	unsigned i, k;

	if (!g->host[0])
		return 0;
	for (i = 0; i < r->n; i++)
		if (r->live[i].id == g->id && r->live[i].host[0]) {
			g->learn_bit = r->live[i].learn_bit;
			return 0;
		}
	for (i = 0; i < n; i++)
		if (list[i].host[0])
			used |= 1u << (list[i].learn_bit - GRANT_LEARN_BIT0);
	for (k = 0; k < GRANT_HOST_SLOTS; k++) {
		unsigned s = (r->slot_next + k) % GRANT_HOST_SLOTS;

		if (!(used & (1u << s))) {
			g->learn_bit = (uint8_t)(GRANT_LEARN_BIT0 + s);
			r->slot_next = s + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Add (or replace, same id) g into list of *n. */
static int gr_put(struct grant_reg *r, struct policy_grant *list, unsigned *n,
		  struct policy_grant *g, char *err, size_t errlen)
{
	unsigned i;

	for (i = 0; i < *n && list[i].id != g->id; i++)
		;
	if (i == *n && *n == GRANT_MAX) {
		snprintf(err, errlen, "grant %u: the table is full (%d grants)", g->id, GRANT_MAX);
		return -ENOSPC;
	}
	if (i < *n && list[i].host[0] && g->host[0])
		g->learn_bit = list[i].learn_bit;
	else if (gr_slot(list, *n, r, g) != 0) {
		snprintf(err, errlen, "grant %u: at most %d host grants at once", g->id,
			 GRANT_HOST_SLOTS);
		return -ENOSPC;
	}
	list[i] = *g;
	if (i == *n)
		(*n)++;
	return 0;
}

static void gr_list_json(const struct grant_reg *r, char *out, size_t size)
{
	size_t off = 0;
	unsigned i;

	off += (size_t)snprintf(out + off, size - off, "{\"gen\":%u,\"count\":%u,\"grants\":[",
				r->gen, r->n);
	for (i = 0; i < r->n && off < size; i++) {
		const struct policy_grant *g = &r->live[i];
		char src[80], dst[GRANT_HOST_MAX + 64];

		grant_src_str(g, src, sizeof(src));
		grant_dst_str(g, dst, sizeof(dst));
		off += (size_t)snprintf(out + off, size - off, "%s{\"id\":%u,\"src\":", i ? "," : "",
					g->id);
		proto_json_str(out, size, &off, src);
		off += (size_t)snprintf(out + off, size - off, ",\"dst\":");
		proto_json_str(out, size, &off, dst);
		off += (size_t)snprintf(out + off, size - off,
					",\"from\":%" PRIu64 ",\"until\":%" PRIu64 ",\"approval\":",
					g->from, g->until);
		proto_json_str(out, size, &off, g->approval);
		off += (size_t)snprintf(out + off, size - off, "}");
	}
	if (off < size)
		snprintf(out + off, size - off, "]}");
}

/* Lines of grants into a new list (replace: from empty, else from the
 * live one); published only when every line is good. */
static int gr_add(struct grant_reg *r, const char *text, char *reply, size_t size)
{
	struct policy_grant *list, g;
	char line[GRANT_LINE_MAX], err[256];
	const char *p = text, *nl;
	unsigned n, lineno = 0, added = 0;
	bool replace = false;
	int rc;

	list = malloc(sizeof(r->live));
	if (!list) {
		snprintf(reply, size, "out of memory");
		return -ENOMEM;
	}
	memcpy(list, r->live, sizeof(r->live));
	n = r->n;
	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len >= sizeof(line)) {
			snprintf(reply, size, "grant line %u: too long", lineno);
			free(list);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (lineno == 1 && strcmp(line, "replace") == 0) {
			replace = true;
			n = 0;
			continue;
		}
		rc = grant_parse_line(line, &g, err, sizeof(err));
		if (rc == 1)
			continue;
		if (rc == 0)
			rc = gr_put(r, list, &n, &g, err, sizeof(err));
		if (rc != 0) {
			snprintf(reply, size, "grant line %u: %s", lineno, err);
			free(list);
			return rc;
		}
		added++;
	}
	if (!added && !replace) {
		snprintf(reply, size, "grant: no grant line");
		free(list);
		return -EINVAL;
	}
	/* Ended ones keep their approval for the records still to come. */
	for (unsigned i = 0; i < r->n; i++) {
		unsigned k;

		for (k = 0; k < n && list[k].id != r->live[i].id; k++)
			;
		if (k == n)
			gr_remember(r, &r->live[i]);
	}
	memcpy(r->live, list, sizeof(r->live));
	r->n = n;
	free(list);
	r->added += added;
	rc = gr_publish(r);
	if (rc) {
		snprintf(reply, size, "out of memory");
		return rc;
	}
	gr_list_json(r, reply, size);
	return 0;
}

static int gr_remove_at(struct grant_reg *r, unsigned i)
{
	gr_remember(r, &r->live[i]);
	memmove(&r->live[i], &r->live[i + 1], (r->n - i - 1) * sizeof(r->live[0]));
	r->n--;
	r->removed++;
	return gr_publish(r);
}

static int gr_del(struct grant_reg *r, const char *text, char *reply, size_t size)
{
	char *end;
	unsigned long id;
	unsigned i;

	errno = 0;
	id = strtoul(text, &end, 10);
	if (end == text || (*end && *end != '\n') || errno || id == 0 || id > UINT32_MAX) {
		snprintf(reply, size, "revoke: expected a grant id");
		return -EINVAL;
	}
	for (i = 0; i < r->n && r->live[i].id != id; i++)
		;
	if (i == r->n) {
		snprintf(reply, size, "revoke: no live grant %lu", id);
		return -ENOENT;
	}
	if (gr_remove_at(r, i) != 0) {
		snprintf(reply, size, "out of memory");
		return -ENOMEM;
	}
	gr_list_json(r, reply, size);
	return 0;
}

int grant_reg_request(struct grant_reg *r, uint8_t type, const uint8_t *body, uint32_t len,
		      char *reply, size_t size)
{
	char *text;
	int rc;

	if (!r) {
		snprintf(reply, size, "grants: not available");
		return -ENOTSUP;
	}
	if (type == PROTO_GRANT_LIST) {
		gr_list_json(r, reply, size);
		return 0;
	}
	if (memchr(body, '\0', len) || len > GRANT_MAX * GRANT_LINE_MAX + 16) {
		snprintf(reply, size, "grant: bad body");
		return -EINVAL;
	}
	text = malloc(len + 1);
	if (!text) {
		snprintf(reply, size, "out of memory");
		return -ENOMEM;
	}
	memcpy(text, body, len);
	text[len] = '\0';
	rc = type == PROTO_GRANT_ADD ? gr_add(r, text, reply, size) : gr_del(r, text, reply, size);
	free(text);
	return rc;
}

int grant_reg_load(struct grant_reg *r, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, msg[512];
	size_t cap = 0, len = 0;
	char buf[4096];
	size_t n;
	int rc;

	if (!f) {
		snprintf(err, errlen, "--grants %s: %s", path, strerror(errno));
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (len + n + 1 > cap) {
			char *t = realloc(text, cap = (len + n + 1) * 2);

			if (!t) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "--grants %s: out of memory", path);
				return -ENOMEM;
			}
			text = t;
		}
		memcpy(text + len, buf, n);
		len += n;
	}
	fclose(f);
	if (!text) {
		snprintf(err, errlen, "--grants %s: no grant line", path);
		return -EINVAL;
	}
	text[len] = '\0';
	rc = gr_add(r, text, msg, sizeof(msg));
	free(text);
	if (rc) {
		/* "grant line N: ..." -> "FILE:N: ..." */
		unsigned ln;
		int skip = 0;

		if (sscanf(msg, "grant line %u: %n", &ln, &skip) == 1 && skip > 0)
			snprintf(err, errlen, "%s:%u: %s", path, ln, msg + skip);
		else
			snprintf(err, errlen, "%s: %s", path, msg);
	}
	return rc;
}

void grant_reg_tick(struct grant_reg *r, uint64_t now)
{
	unsigned i;

	for (i = 0; r && i < r->n;) {
		if (r->live[i].until <= now) {
			r->expired++;
			gr_remove_at(r, i);
		} else {
			i++;
		}
	}
}

void grant_reg_rebind(struct grant_reg *r)
{
	if (r && r->n)
		gr_publish(r);
}

void grant_reg_destroy(struct grant_reg *r)
{
	if (!r)
		return;
	free(r->dp->grants);
	r->dp->grants = NULL;
	free(r->hist);
	free(r);
}
