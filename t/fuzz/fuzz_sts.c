/* Fuzz target: MTA-STS TXT record and policy file parsing, and answers. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sts_policy p;
	char id[STS_ID_MAX + 1];
	const char *why;
	struct buf b;

	if (sts_txt_parse((const char *)data, size, id, &why) == STS_TXT_OK
	    && (strlen(id) == 0 || strlen(id) > STS_ID_MAX))
		__builtin_trap();
	if (sts_policy_parse((const char *)data, size, &p, &why) == 0) {
		if (p.nmx > STS_MX_MAX || (p.mode != STS_MODE_NONE && p.nmx == 0))
			__builtin_trap();
		for (size_t i = 0; i < p.nmx; i++)
			sts_mx_match(p.mx[i], "mx.example.com");
		buf_init(&b, 100000);
		if (sts_answer(&p, "example.com", 1, &b) < 0)
			__builtin_trap();
		buf_fini(&b);
	}
	return 0;
}
