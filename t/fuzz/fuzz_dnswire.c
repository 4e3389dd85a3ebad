/* Fuzz target: DNS answer parsing. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	const char *why;

	if (dnswire_parse(data, size, &m, &why) == 0) {
		if (m.nrr > DNS_RR_MAX || m.datalen > DNS_MSG_MAX)
			__builtin_trap();
		for (size_t i = 0; i < m.nrr; i++)
			if (m.rr[i].off + m.rr[i].len > m.datalen
			    || strlen(m.rr[i].name) >= DNS_NAME_TEXT_MAX)
				__builtin_trap();
	}
	return 0;
}
