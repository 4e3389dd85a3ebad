/* Fuzz target: DKIM-Signature tag lists, and the signatures of a whole
 * message found and checked against a fixed key record. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_sig sig, sigs[DKIM_SIGS_MAX];
	const char *why = NULL;
	struct buf msg;
	size_t bad, n;

	if (dkim_sig_parse((const char *)data, size, &sig, &why) == 0) {
		if (sig.blen == 0 || sig.blen > DKIM_B_MAX || sig.bhlen != 32 || sig.nh == 0
		    || sig.d[0] == '\0' || sig.s[0] == '\0')
			__builtin_trap();
	} else if (why == NULL) {
		__builtin_trap();
	}
	buf_init(&msg, 2 * size + 2);
	if (dkim_crlf((const char *)data, size, &msg) < 0)
		__builtin_trap();
	n = dkim_find(msg.data ? msg.data : "", msg.len, sigs, DKIM_SIGS_MAX, &bad, &why);
	for (size_t i = 0; i < n; i++)
		if (dkim_verify(msg.data, msg.len, &sigs[i], key, sizeof(key) - 1, 1764000000, &why)
		    == DKIM_PASS)
			__builtin_trap();   /* nothing here is signed by that key */
	buf_fini(&msg);
	return 0;
}
