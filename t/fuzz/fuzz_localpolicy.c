/* Fuzz target: local policy table parsing. */
#include "config.h"

#include <stdint.h>

#include "localpolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct localpolicy *lp = localpolicy_parse((const char *)data, size, "fuzz", err,
	    sizeof(err));

	localpolicy_free(lp);
	return 0;
}
