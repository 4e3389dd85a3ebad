/* Fuzz target: the failed recipients of a DSN (tlspolicy-report --bounce);
 * every address reported is printable ASCII without spaces, and bounded. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "bounce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(void *arg, const char *address)
{
	unsigned *n = arg;
	size_t len = strlen(address);

	if (len == 0 || len >= BOUNCE_ADDRESS_MAX)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)address[i] <= 0x20 || (unsigned char)address[i] >= 0x7f)
			__builtin_trap();
	(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = 0;

	if (bounce_parse((const char *)data, size, check, &n) != n)
		__builtin_trap();
	return 0;
}
