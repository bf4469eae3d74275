/* The shared main of the CUnit suites (see unit.h). */
#include "unit.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The scratch directory of this process, made at the first unit_tmp_path()
 * and removed with everything in it when the suite has run. */
static char unit_tmp_dir[256];

static void unit_tmp_cleanup(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if (!unit_tmp_dir[0])
		return;
	d = opendir(unit_tmp_dir);
	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", unit_tmp_dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	if (rmdir(unit_tmp_dir) != 0)
		perror(unit_tmp_dir);
	unit_tmp_dir[0] = 0;
}

int unit_run(const char *suite, CU_InitializeFunc init, CU_CleanupFunc fini, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{(char *)suite, init, fini, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", suite, CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	unit_tmp_cleanup();
	return failed ? 1 : 0;
}

const char *unit_tmp_path(const char *name)
{
	static char path[512];
	const char *dir = getenv("TMPDIR");

	if (!unit_tmp_dir[0]) {
		snprintf(unit_tmp_dir, sizeof(unit_tmp_dir), "%s/aduana-unit-XXXXXX",
			 dir && *dir ? dir : "/tmp");
		if (!mkdtemp(unit_tmp_dir)) {
			perror(unit_tmp_dir);
			abort();
		}
	}
	snprintf(path, sizeof(path), "%s/%s", unit_tmp_dir, name);
	return path;
}

const char *unit_write_tmp(const char *name, const char *text)
{
	const char *path = unit_tmp_path(name);
	FILE *f = fopen(path, "w");

	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}
