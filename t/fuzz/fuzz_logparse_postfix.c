/* Fuzz target: Postfix log line parsing, and the joining of the server
 * side's lines into incoming handshakes. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "handshakes.h"
#include "logparse_postfix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
outcome(void *arg, int success, enum metrics_hs_reason reason)
{
	(void)arg;
	if (!success && (unsigned)reason >= METRICS_HS_REASON_COUNT)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logparse_event ev;
	const char *p = (const char *)data, *end = p + size;
	struct handshakes *h = handshakes_new(outcome, NULL);

	/* every line of the input, as the log follower feeds them */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (logparse_postfix(p, len, 1741600000, &ev) > LOGPARSE_IN_DISCONNECT
		    || strlen(ev.text) >= sizeof(ev.text) || strlen(ev.peer) > DOMAIN_MAX
		    || ev.starttls_ok > ev.starttls_tries)
			__builtin_trap();
		handshakes_feed(h, &ev);
		/* the reason of any text: bounded, whatever the bytes */
		if ((unsigned)handshake_reason(p, len) >= METRICS_HS_REASON_COUNT)
			__builtin_trap();
		p += len + 1;
	}
	handshakes_free(h);
	return 0;
}
