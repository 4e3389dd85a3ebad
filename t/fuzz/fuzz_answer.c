/* Fuzz target: Postfix policy answer validation; output must re-validate. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "answer.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;
	const char *why;

	buf_init(&a, ANSWER_MAX);
	buf_init(&b, ANSWER_MAX);
	if (answer_normalize((const char *)data, size, &a, &why) == 0) {
		/* the canonical form is valid and a fixed point */
		if (answer_normalize(a.data, a.len, &b, &why) != 0 || strcmp(a.data, b.data) != 0)
			__builtin_trap();
	}
	buf_fini(&a);
	buf_fini(&b);
	return 0;
}
