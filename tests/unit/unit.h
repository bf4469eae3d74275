/* unit.h - the shared main of the CUnit suites: each tests/unit/test_X.c
 * builds into its own binary and calls unit_run() from main(). */
#ifndef ADUANA_UNIT_H
#define ADUANA_UNIT_H

#include <CUnit/CUnit.h>

/* Run one suite with its tests (terminated by CU_TEST_INFO_NULL) in CUnit's
 * basic mode. Returns 0 when every test passed, 1 otherwise. init/fini may
 * be NULL. */
int unit_run(const char *suite, CU_InitializeFunc init, CU_CleanupFunc fini, CU_TestInfo *tests);

/* Path of a scratch file named name in a directory of this process's own
 * under $TMPDIR (default /tmp). unit_run() removes the directory and every
 * file in it when the suite has run. Returned buffer is static: copy it. */
const char *unit_tmp_path(const char *name);

/* Write text to a new scratch file and return its path (static buffer). */
const char *unit_write_tmp(const char *name, const char *text);

#endif
