/* Fuzz target: Exim main-log line parsing, the session correlation of
 * the parsed lines (eximsessions), with its state saved and loaded back
 * between lines, and the joining of incoming handshakes (eximhandshakes). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "eximhandshakes.h"
#include "eximsessions.h"
#include "logparse_exim.h"
#include "text.h"
#include "tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* clean - s is within its buffer and clean text */
static int
clean(const char *s, size_t cap)
{
	size_t l = strnlen(s, cap);

	return l < cap && text_clean_len(s, l);
}

/* outcome - what a session says is bounded and of the known types */
static void
outcome(void *arg, const struct session_outcome *o)
{
	(void)arg;
	if (o->domain[0] == '\0' || strnlen(o->domain, sizeof(o->domain)) > DOMAIN_MAX
	    || (o->result_type[0] && !tlsrpt_result_type(o->result_type))
	    || (!o->success && o->result_type[0] == '\0')
	    || !clean(o->reason, sizeof(o->reason)) || strnlen(o->mx, sizeof(o->mx)) > DOMAIN_MAX)
		__builtin_trap();
}

/* handshake - an outcome of a bounded reason */
static void
handshake(void *arg, int success, enum metrics_hs_reason reason)
{
	(void)arg;
	if ((success != 0 && success != 1) || (unsigned)reason >= METRICS_HS_REASON_COUNT)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct exim_event ev;
	const char *p = (const char *)data, *end = p + size;
	struct eximsessions *x = eximsessions_new(outcome, NULL);
	struct eximhandshakes *h = eximhandshakes_new(handshake, NULL);
	struct buf st;
	unsigned nline = 0;

	buf_init(&st, 1 << 24);
	eximsessions_exclude_sender(x, "tlsrpt@out.test");
	/* every line of the input, as the log follower feeds them */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum exim_kind k = logparse_exim(p, len, 1741600000, &ev);

		if (k > EXIM_IN_REJECTED || k != ev.kind || !clean(ev.text, sizeof(ev.text))
		    || !clean(ev.peerdn, sizeof(ev.peerdn)) || !clean(ev.rcpt, sizeof(ev.rcpt))
		    || strnlen(ev.mx, sizeof(ev.mx)) > DOMAIN_MAX || strnlen(ev.sni, sizeof(ev.sni)) > DOMAIN_MAX
		    || strnlen(ev.domain, sizeof(ev.domain)) > DOMAIN_MAX
		    || strnlen(ev.cipher, sizeof(ev.cipher)) >= sizeof(ev.cipher)
		    || strnlen(ev.addr, sizeof(ev.addr)) >= sizeof(ev.addr)
		    || strchr(ev.rcpt, ' ') != NULL || strchr(ev.cipher, ' ') != NULL
		    || ev.nnames > EXIM_NAMES_MAX || (ev.nnames > 0 && !ev.names_known)
		    || (k == EXIM_DANE && !tlsrpt_result_type(ev.text))
		    || (k == EXIM_SKIP && (ev.msgid[0] != '\0' && len > LOGPARSE_LINE_MAX)))
			__builtin_trap();
		for (size_t i = 0; i < ev.nnames; i++)
			if (strnlen(ev.names[i], sizeof(ev.names[i])) > DOMAIN_MAX || ev.names[i][0] == '\0')
				__builtin_trap();
		eximsessions_feed(x, &ev);
		eximhandshakes_feed(h, &ev);
		/* a restart now and then: the state must come back */
		if ((++nline & 3) == 0
		    && (eximsessions_save(x, &st) < 0 || eximsessions_load(x, st.data, st.len) < 0))
			__builtin_trap();
		p += len + 1;
	}
	/* the input itself as a saved state: refused or loaded, no crash */
	eximsessions_load(x, data, size);
	eximsessions_free(x);
	eximhandshakes_free(h);
	buf_fini(&st);
	return 0;
}
