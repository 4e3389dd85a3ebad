/* Fuzz target: Postfix log line parsing. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "logparse_postfix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logparse_event ev;
	const char *p = (const char *)data, *end = p + size;

	/* every line of the input, as the log follower feeds them */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (logparse_postfix(p, len, 1741600000, &ev) > LOGPARSE_POLICY
		    || strlen(ev.text) >= sizeof(ev.text) || strlen(ev.peer) > DOMAIN_MAX)
			__builtin_trap();
		p += len + 1;
	}
	return 0;
}
