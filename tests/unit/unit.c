/* The shared main of the CUnit suites (see unit.h). */
#include "unit.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
	return failed ? 1 : 0;
}

const char *unit_tmp_path(const char *name)
{
	static char path[512];
	const char *dir = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/aduana-unit-%d-%s", dir ? dir : "/tmp", (int)getpid(),
		 name);
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
