/* Fuzz target: netstring decoding of a request stream, as the server does. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "netstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *payload;
	size_t pos = 0, plen, used;
	struct buf out;

	buf_init(&out, 1 << 16);
	while (pos < size && netstring_decode(p + pos, size - pos, 10100, &payload, &plen,
	    &used) == NETSTRING_OK) {
		if (used == 0 || used > size - pos || payload < p + pos
		    || payload + plen > p + pos + used)
			__builtin_trap();
		netstring_encode(&out, payload, plen);
		pos += used;
	}
	buf_fini(&out);
	return 0;
}
