/* fuzz_config.c - libFuzzer target for the policy loader (policy/config.c,
 * libconfig underneath): the input is written to a file and loaded. It must
 * either load, or fail with one line "FILE:LINE: message" whose LINE lies
 * within the file (line 0 only for errors about the whole file). A loaded
 * policy must be freed cleanly. Crashes, leaks (ASan) and an error without
 * a line abort. Seeds: tests/fuzz/seeds_config.py (the shipped config and
 * mutations of every kind the ctl test rejects).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c)                                                                                \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_config: %s:%d: %s\n", __FILE__, __LINE__, #c);       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char err[1024];
	struct policy *p;
	unsigned long line, lines = 1;
	const char *c;
	char *end;
	FILE *f;

	if (size > 65536)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_config.%d.conf", (int)getpid());
	f = fopen(path, "wb");
	FZ_CHECK(f);
	FZ_CHECK(fwrite(data, 1, size, f) == size);
	FZ_CHECK(fclose(f) == 0);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	err[0] = '\0';
	p = config_load(path, 1, err, sizeof(err));
	if (p) {
		policy_free(p);
		return 0;
	}
	/* "PATH:LINE: message"; PATH may be an included file (classes, lists
	 * are not read here), so find the line after the first ':' that follows
	 * a path of ours. */
	FZ_CHECK(err[0] != '\0');
	FZ_CHECK(strchr(err, '\n') == NULL);
	c = strstr(err, path);
	if (c) {
		c += strlen(path);
		FZ_CHECK(*c == ':');
		line = strtoul(c + 1, &end, 10);
		FZ_CHECK(end != c + 1 && *end == ':');
		FZ_CHECK(line <= lines);
	}
	return 0;
}
