/* Fuzz target: socketmap key normalisation and IDNA conversion. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[DOMAIN_MAX + 1];
	const char *why;

	if (domain_normalize((const char *)data, size, out, &why) == DOMAIN_OK
	    && (!domain_valid(out) || strlen(out) > DOMAIN_MAX))
		__builtin_trap();
	return 0;
}
