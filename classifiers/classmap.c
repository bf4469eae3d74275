/* classmap.c - conf/classes.conf -> per-protocol and per-category class
 * arrays (see classmap.h and docs/classification.md). */
#include "classmap.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ndpi_api.h>

#include "policy.h"

struct classmap {
	uint8_t *proto_cls;	/* indexed by nDPI protocol id */
	uint8_t *proto_confirm; /* 1: its class needs a confirming signature */
	unsigned n_protos;
	uint8_t cat_cls[NDPI_PROTOCOL_NUM_CATEGORIES];
	unsigned n_mapped;
};

/* Load-time view of the names the linked nDPI knows, and where each one was
 * mapped (for "already mapped at line N"). */
struct classmap_loader {
	struct classmap *m;
	struct ndpi_detection_module_struct *ndpi;
	const char *path;
	char *err;
	size_t errlen;
	unsigned *proto_line;
	unsigned cat_line[NDPI_PROTOCOL_NUM_CATEGORIES];
};

/* clang-format off */
static const char *const classmap_class_names[POLICY_CLASS_COUNT] = {
	[POLICY_CLASS_NONE] = NULL,
#define X(n) [POLICY_CLASS_##n] = #n,
	POLICY_CLASSES(X)
#undef X
};
/* clang-format on */

/* The class names come from policy.h's X-macro, the same list policy.c
 * uses, so this stays standalone (the classmap tests need no policy.c). */
static unsigned classmap_class_from_name(const char *name)
{
	for (unsigned c = 1; c < POLICY_CLASS_COUNT; c++)
		if (strcmp(classmap_class_names[c], name) == 0)
			return c;
	return POLICY_CLASS_NONE;
}

static void classmap_error(struct classmap_loader *ld, const config_setting_t *s, const char *fmt,
			   ...) __attribute__((format(printf, 3, 4)));

static void classmap_error(struct classmap_loader *ld, const config_setting_t *s, const char *fmt,
			   ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	unsigned line = s ? config_setting_source_line(s) : 0;
	size_t off;
	va_list ap;

	if (!ld->err || ld->errlen == 0)
		return;
	snprintf(ld->err, ld->errlen, "%s:%u: ", file ? file : ld->path, line);
	off = strlen(ld->err);
	va_start(ap, fmt);
	vsnprintf(ld->err + off, ld->errlen - off, fmt, ap);
	va_end(ap);
}

/* Exact name first; a case-insensitive match only when it is unique, so
 * "teamviewer" works but never picks one of two names differing in case. */
static int classmap_find_proto(struct classmap_loader *ld, const char *name)
{
	int found = -1;

	for (unsigned id = 0; id < ld->m->n_protos; id++) {
		const char *p = ndpi_get_proto_name(ld->ndpi, (uint16_t)id);

		if (!p)
			continue;
		if (strcmp(p, name) == 0)
			return (int)id;
		if (strcasecmp(p, name) == 0)
			found = found == -1 ? (int)id : -2;
	}
	return found;
}

static int classmap_find_category(struct classmap_loader *ld, const char *name)
{
	int found = -1;

	for (unsigned c = 0; c < NDPI_PROTOCOL_NUM_CATEGORIES; c++) {
		const char *p = ndpi_category_get_name(ld->ndpi, (ndpi_protocol_category_t)c);

		if (!p || !*p)
			continue;
		if (strcmp(p, name) == 0)
			return (int)c;
		if (strcasecmp(p, name) == 0)
			found = found == -1 ? (int)c : -2;
	}
	return found;
}

static int classmap_add(struct classmap_loader *ld, const config_setting_t *elem, bool is_cat,
			unsigned cls)
{
	const char *name = config_setting_get_string(elem);
	unsigned line = config_setting_source_line(elem);
	unsigned *prev_line;
	uint8_t *slot;
	int id;

	if (!name) {
		classmap_error(ld, elem, "%s must be strings", is_cat ? "categories" : "protocols");
		return -EINVAL;
	}
	id = is_cat ? classmap_find_category(ld, name) : classmap_find_proto(ld, name);
	if (id < 0) {
		classmap_error(ld, elem, "%s nDPI %s \"%s\"", id == -2 ? "ambiguous" : "unknown",
			       is_cat ? "category" : "protocol", name);
		return -EINVAL;
	}
	if (id == 0) {
		/* Unknown / Unspecified: that is the profile default's job. */
		classmap_error(ld, elem, "\"%s\" cannot be given a class", name);
		return -EINVAL;
	}
	slot = is_cat ? &ld->m->cat_cls[id] : &ld->m->proto_cls[id];
	prev_line = is_cat ? &ld->cat_line[id] : &ld->proto_line[id];
	if (*slot != POLICY_CLASS_NONE) {
		classmap_error(ld, elem, "\"%s\" is already mapped to %s at line %u", name,
			       classmap_class_names[*slot], *prev_line);
		return -EINVAL;
	}
	*slot = (uint8_t)cls;
	*prev_line = line;
	ld->m->n_mapped++;
	return 0;
}

/* "confirm = [ names ]": protocols of this class (listed in its
 * "protocols") that give the class only when one of our payload
 * signatures of the class matched the flow too (nDPI 4.2 names them from
 * evidence too weak to block on). */
static int classmap_load_confirm(struct classmap_loader *ld, const config_setting_t *grp,
				 const char *cname, unsigned cls)
{
	const config_setting_t *list = config_setting_get_member(grp, "confirm");

	if (!list)
		return 0;
	if (!config_setting_is_aggregate(list) || config_setting_is_group(list)) {
		classmap_error(ld, list, "confirm must be a list of names");
		return -EINVAL;
	}
	for (int j = 0; j < config_setting_length(list); j++) {
		const config_setting_t *elem = config_setting_get_elem(list, (unsigned)j);
		const char *name = config_setting_get_string(elem);
		int id;

		if (!name) {
			classmap_error(ld, elem, "confirm must be strings");
			return -EINVAL;
		}
		id = classmap_find_proto(ld, name);
		if (id <= 0 || ld->m->proto_cls[id] != cls) {
			classmap_error(ld, elem,
				       "confirm: \"%s\" is not one of the protocols of %s", name,
				       cname);
			return -EINVAL;
		}
		ld->m->proto_confirm[id] = 1;
	}
	return 0;
}

static int classmap_load_class(struct classmap_loader *ld, const config_setting_t *grp)
{
	const char *cname = config_setting_name(grp);
	unsigned cls = cname ? classmap_class_from_name(cname) : POLICY_CLASS_NONE;

	if (cls == POLICY_CLASS_NONE) {
		classmap_error(ld, grp, "unknown class \"%s\"", cname ? cname : "?");
		return -EINVAL;
	}
	if (!config_setting_is_group(grp)) {
		classmap_error(ld, grp, "class %s must be a group { protocols = [...]; ... }",
			       cname);
		return -EINVAL;
	}
	for (int i = 0; i < config_setting_length(grp); i++) {
		const config_setting_t *list = config_setting_get_elem(grp, (unsigned)i);
		const char *key = config_setting_name(list);
		bool is_cat;

		if (strcmp(key, "protocols") == 0) {
			is_cat = false;
		} else if (strcmp(key, "categories") == 0) {
			is_cat = true;
		} else if (strcmp(key, "confirm") == 0) {
			continue; /* after every protocol of the class is known */
		} else {
			classmap_error(ld, list, "unknown key \"%s\" in class %s", key, cname);
			return -EINVAL;
		}
		if (!config_setting_is_aggregate(list) || config_setting_is_group(list)) {
			classmap_error(ld, list, "%s must be a list of names", key);
			return -EINVAL;
		}
		for (int j = 0; j < config_setting_length(list); j++) {
			int rc = classmap_add(ld, config_setting_get_elem(list, (unsigned)j),
					      is_cat, cls);

			if (rc)
				return rc;
		}
	}
	return classmap_load_confirm(ld, grp, cname, cls);
}

static int classmap_load_root(struct classmap_loader *ld, const config_setting_t *root)
{
	const config_setting_t *classes = NULL;

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *key = config_setting_name(s);

		if (strcmp(key, "classes") == 0) {
			classes = s;
		} else if (strcmp(key, "version") != 0) {
			classmap_error(ld, s, "unknown key \"%s\"", key);
			return -EINVAL;
		}
	}
	if (!classes) {
		classmap_error(ld, NULL, "no \"classes\" group");
		return -EINVAL;
	}
	if (!config_setting_is_group(classes)) {
		classmap_error(ld, classes, "\"classes\" must be a group");
		return -EINVAL;
	}
	for (int i = 0; i < config_setting_length(classes); i++) {
		int rc = classmap_load_class(ld, config_setting_get_elem(classes, (unsigned)i));

		if (rc)
			return rc;
	}
	return 0;
}

struct classmap *classmap_load(const char *path, struct ndpi_detection_module_struct *ndpi,
			       char *err, size_t errlen)
{
	struct classmap_loader ld = {.ndpi = ndpi, .path = path, .err = err, .errlen = errlen};
	config_t cfg;

	if (err && errlen)
		err[0] = '\0';
	if (!ndpi) {
		classmap_error(&ld, NULL, "no nDPI module to resolve names");
		return NULL;
	}
	ld.m = calloc(1, sizeof(*ld.m));
	if (!ld.m)
		goto out_nomem;
	ld.m->n_protos = ndpi_get_num_supported_protocols(ndpi);
	ld.m->proto_cls = calloc(ld.m->n_protos ? ld.m->n_protos : 1, 1);
	ld.m->proto_confirm = calloc(ld.m->n_protos ? ld.m->n_protos : 1, 1);
	ld.proto_line = calloc(ld.m->n_protos ? ld.m->n_protos : 1, sizeof(*ld.proto_line));
	if (!ld.m->proto_cls || !ld.m->proto_confirm || !ld.proto_line)
		goto out_free_map;

	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s:0: cannot read: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s",
				 config_error_file(&cfg) ? config_error_file(&cfg) : path,
				 config_error_line(&cfg), config_error_text(&cfg));
		goto out_destroy_cfg;
	}
	if (classmap_load_root(&ld, config_root_setting(&cfg)))
		goto out_destroy_cfg;
	config_destroy(&cfg);
	free(ld.proto_line);
	return ld.m;

out_destroy_cfg:
	config_destroy(&cfg);
	free(ld.proto_line);
	classmap_free(ld.m);
	return NULL;
out_free_map:
	free(ld.proto_line);
	classmap_free(ld.m);
out_nomem:
	if (err && errlen)
		snprintf(err, errlen, "%s:0: out of memory", path);
	return NULL;
}

void classmap_free(struct classmap *m)
{
	if (!m)
		return;
	free(m->proto_cls);
	free(m->proto_confirm);
	free(m);
}

unsigned classmap_proto(const struct classmap *m, uint16_t proto_id)
{
	return proto_id < m->n_protos ? m->proto_cls[proto_id] : POLICY_CLASS_NONE;
}

unsigned classmap_category(const struct classmap *m, unsigned category)
{
	return category < NDPI_PROTOCOL_NUM_CATEGORIES ? m->cat_cls[category] : POLICY_CLASS_NONE;
}

unsigned classmap_lookup(const struct classmap *m, uint16_t master_id, uint16_t app_id,
			 unsigned category)
{
	unsigned cls = classmap_proto(m, app_id);

	if (cls == POLICY_CLASS_NONE)
		cls = classmap_proto(m, master_id);
	if (cls == POLICY_CLASS_NONE)
		cls = classmap_category(m, category);
	return cls;
}

bool classmap_confirm(const struct classmap *m, uint16_t proto_id)
{
	return proto_id < m->n_protos && m->proto_confirm[proto_id];
}

unsigned classmap_count(const struct classmap *m)
{
	return m->n_mapped;
}
