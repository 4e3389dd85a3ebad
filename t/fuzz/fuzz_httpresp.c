/* Fuzz target: HTTP response parsing with a 64 KiB body limit. */
#include "config.h"

#include <stdint.h>

#include "buf.h"
#include "httpresp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpresp r;
	struct buf body;
	const char *why;

	buf_init(&body, 65536);
	for (int eof = 0; eof <= 1; eof++)
		if (httpresp_parse((const char *)data, size, eof, &r, &body, &why) == HTTPRESP_OK
		    && (body.len > 65536 || r.code < 100 || r.code > 599))
			__builtin_trap();
	buf_fini(&body);
	return 0;
}
