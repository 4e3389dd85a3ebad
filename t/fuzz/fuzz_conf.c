/* Fuzz target: configuration file parsing into the settings table. */
#include "config.h"

#include <stdint.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s;
	char err[512];

	settings_init(&s);
	settings_parse(&s, (const char *)data, size, "fuzz", err, sizeof(err));
	settings_fini(&s);
	return 0;
}
