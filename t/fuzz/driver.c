/*
 * driver - replay files through a fuzz target without libFuzzer.
 *
 * Each argument is a file; each file's bytes are copied into a malloc
 * block of exactly their size, so AddressSanitizer sees any read past the
 * end.  Prints TAP-free progress to stderr; exit 0 when every input ran.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	char err[512];

	for (int i = 1; i < argc; i++) {
		size_t len;
		char *data = file_read(argv[i], 16u << 20, &len, err, sizeof(err));
		uint8_t *copy;

		if (data == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		copy = malloc(len ? len : 1);
		if (copy == NULL)
			return 1;
		memcpy(copy, data, len);
		free(data);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
	return 0;
}
