/* config.h - libconfig file -> policy snapshot (DESIGN 3.4).
 *
 * Runs on the control path only (start-up, reload, aduanactl check). Every
 * error names the file and the line; unknown keys and names are refused.
 */
#ifndef ADUANA_CONFIG_H
#define ADUANA_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Load and validate path. On success returns a new snapshot with the given
 * version, owned by the caller (policy_free). On failure returns NULL and
 * writes one line "FILE:LINE: message" (no newline) into err. Any thread
 * but never a worker: it allocates and reads files. */
struct policy *config_load(const char *path, uint32_t version, char *err, size_t errlen);

#endif
