/* Fuzz target: TLSRPT policy records (_smtp._tls TXT). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsrpt_record r;
	const char *why;

	if (tlsrpt_parse((const char *)data, size, &r, &why) == TLSRPT_OK) {
		if (r.nrua == 0 || r.nrua > TLSRPT_RUA_MAX)
			__builtin_trap();
		for (size_t i = 0; i < r.nrua; i++) {
			const struct tlsrpt_uri *u = &r.rua[i];

			/* what reaches sendmail's argv or an HTTP request line */
			for (const char *c = u->scheme == TLSRPT_MAILTO ? u->address : u->path; *c; c++)
				if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
					__builtin_trap();
			if (u->scheme == TLSRPT_MAILTO && (u->address[0] == '-' || !strchr(u->address, '@')))
				__builtin_trap();
			if (u->scheme == TLSRPT_HTTPS && (u->port == 0 || u->path[0] != '/'))
				__builtin_trap();
		}
	}
	return 0;
}
