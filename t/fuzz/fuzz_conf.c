/* Fuzz target: configuration file parsing into the settings table; what
 * parses must print, and the printed text must read back the same. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* printed - settings_print into a string (free it) */
static char *
printed(const struct settings *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		abort();
	settings_print(s, fp);
	if (fclose(fp) != 0)
		abort();
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s, again;
	char err[512], *one, *two;

	settings_init(&s);
	if (settings_parse(&s, (const char *)data, size, "fuzz", err, sizeof(err)) == 0) {
		one = printed(&s);
		settings_init(&again);
		if (settings_parse(&again, one, strlen(one), "printed", err, sizeof(err)) < 0)
			abort();
		two = printed(&again);
		if (strcmp(one, two) != 0)
			abort();
		free(one);
		free(two);
		settings_fini(&again);
	}
	settings_fini(&s);
	return 0;
}
