/*
 * dkimverify - check the DKIM signatures of a message file with the key
 * records in a file, as tlspolicyctl receive does with keys from DNS.
 *
 *   dkimverify MESSAGE KEYFILE [NOW]
 *
 * KEYFILE holds one key record (the TXT text) per line, tried in turn.
 * Prints one line per signature ("pass d=D s=S", "fail: why",
 * "nokey: why") or "none: why"; exits 0 if one passed, else 1.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dkim.h"
#include "numparse.h"

static int
slurp(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(b, chunk, n) < 0) {
			fclose(fp);
			return -1;
		}
	fclose(fp);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct dkim_sig sigs[DKIM_SIGS_MAX];
	struct buf raw, msg, keys;
	const char *why = "";
	size_t bad, n;
	time_t now = time(NULL);
	uint64_t t;
	int passed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: dkimverify MESSAGE KEYFILE [NOW]\n");
		return 2;
	}
	if (argc > 3) {
		if (numparse_uint(argv[3], strlen(argv[3]), INT64_MAX, &t) < 0) {
			fprintf(stderr, "dkimverify: NOW is not a number\n");
			return 2;
		}
		now = (time_t)t;
	}
	buf_init(&raw, (size_t)16 << 20);
	buf_init(&msg, (size_t)33 << 20);
	buf_init(&keys, 1 << 20);
	if (slurp(argv[1], &raw) < 0 || slurp(argv[2], &keys) < 0
	    || dkim_crlf(raw.data ? raw.data : "", raw.len, &msg) < 0)
		return 2;
	n = dkim_find(msg.data, msg.len, sigs, DKIM_SIGS_MAX, &bad, &why);
	if (n == 0)
		printf("none: %s\n", bad ? why : "no signature");
	for (size_t i = 0; i < n; i++) {
		enum dkim_result res = DKIM_NOKEY;
		const char *line = keys.data ? keys.data : "";

		why = "no key record";
		while (*line && res == DKIM_NOKEY) {
			size_t len = strcspn(line, "\n");

			res = dkim_verify(msg.data, msg.len, &sigs[i], line, len, now, &why);
			line += len;
			if (*line == '\n')
				line++;
		}
		if (res == DKIM_PASS) {
			printf("pass d=%s s=%s\n", sigs[i].d, sigs[i].s);
			passed = 1;
		} else {
			printf("%s: %s\n", res == DKIM_FAIL ? "fail" : "nokey", why);
		}
	}
	buf_fini(&raw);
	buf_fini(&msg);
	buf_fini(&keys);
	return passed ? 0 : 1;
}
