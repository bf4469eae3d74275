/* classmap.h - nDPI protocol and category names -> policy class (DESIGN 4).
 *
 * Loaded from conf/classes.conf on the main lcore and checked against the
 * names the linked nDPI knows, so a typo is an error with its line. After
 * loading it is two flat arrays, read-only and shared by every worker.
 */
#ifndef ADUANA_CLASSMAP_H
#define ADUANA_CLASSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ndpi_detection_module_struct;
struct classmap;

/* Load path and resolve every name against the protocols and categories of
 * ndpi (any initialised module; only its name tables are read). Returns the
 * map, owned by the caller, or NULL with "FILE:LINE: message" in err.
 * Main lcore (or any control-path thread): it allocates and reads files. */
struct classmap *classmap_load(const char *path, struct ndpi_detection_module_struct *ndpi,
			       char *err, size_t errlen);

/* Free a map. Accepts NULL. Main lcore, once no worker can read it. */
void classmap_free(struct classmap *m);

/* Class of one nDPI protocol id, POLICY_CLASS_NONE when unmapped or out of
 * range. Any thread; read-only. */
unsigned classmap_proto(const struct classmap *m, uint16_t proto_id);

/* Class of one nDPI category id, POLICY_CLASS_NONE when unmapped. Any
 * thread; read-only. */
unsigned classmap_category(const struct classmap *m, unsigned category);

/* Class of a detected flow: the app protocol first, then the master
 * protocol, then the category (a protocol mapping beats a category one).
 * Any thread; read-only. */
unsigned classmap_lookup(const struct classmap *m, uint16_t master_id, uint16_t app_id,
			 unsigned category);

/* True when proto_id's class needs confirming: classes.conf lists it under
 * its class's "confirm", and the class applies only when a payload
 * signature of that class (conf/lists/<class>.sig) matched the flow too.
 * Any thread; read-only. */
bool classmap_confirm(const struct classmap *m, uint16_t proto_id);

/* Number of protocol and category names mapped to a class (for start-up
 * logs and tests). Any thread. */
unsigned classmap_count(const struct classmap *m);

#endif
