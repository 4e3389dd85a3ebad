/* Fuzz target: the records ingestion reads back from the store - the
 * saved correlation state (sessions_load) and result keys - and the
 * session state machine fed with the parsed lines of the input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "logparse_postfix.h"
#include "results.h"
#include "sessions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
emit(void *arg, const struct session_outcome *o)
{
	(void)arg;
	if (strlen(o->domain) > DOMAIN_MAX || strlen(o->reason) >= sizeof(o->reason))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sessions *s = sessions_new(emit, NULL);
	struct result_rec r;
	char key[RESULTS_KEY_MAX];
	struct logparse_event ev;
	struct buf out;
	size_t start = 0;

	/* a state that loads must save and load again */
	buf_init(&out, (size_t)64 << 20);
	if (sessions_load(s, data, size) == 0) {
		if (sessions_save(s, &out) < 0 || sessions_load(s, out.data, out.len) < 0)
			__builtin_trap();
	}
	/* any key that parses must come back the same */
	if (results_parse_key((const char *)data, size, &r) == 0) {
		size_t n = results_key(&r, key, sizeof(key));

		if (n != size || memcmp(key, data, size) != 0)
			__builtin_trap();
	}
	/* the input as log lines through the state machine, then its state */
	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			if (logparse_postfix((const char *)data + start, i - start, 1741600000, &ev)
			    != LOGPARSE_SKIP)
				sessions_feed(s, &ev);
			start = i + 1;
		}
	}
	if (sessions_save(s, &out) < 0)
		__builtin_trap();
	buf_fini(&out);
	sessions_free(s);
	return 0;
}
