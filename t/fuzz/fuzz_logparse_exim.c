/* Fuzz target: Exim main-log line parsing. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "logparse_exim.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* clean - s is within its buffer and clean text */
static int
clean(const char *s, size_t cap)
{
	size_t l = strnlen(s, cap);

	return l < cap && text_clean_len(s, l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exim_event ev;
	const char *p = (const char *)data, *end = p + size;

	/* every line of the input, as the log follower feeds them */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum exim_kind k = logparse_exim(p, len, 1741600000, &ev);

		if (k > EXIM_DANE_FAILED || k != ev.kind || !clean(ev.text, sizeof(ev.text))
		    || !clean(ev.peerdn, sizeof(ev.peerdn)) || !clean(ev.rcpt, sizeof(ev.rcpt))
		    || strnlen(ev.mx, sizeof(ev.mx)) > DOMAIN_MAX || strnlen(ev.sni, sizeof(ev.sni)) > DOMAIN_MAX
		    || strnlen(ev.domain, sizeof(ev.domain)) > DOMAIN_MAX
		    || strnlen(ev.cipher, sizeof(ev.cipher)) >= sizeof(ev.cipher)
		    || strnlen(ev.addr, sizeof(ev.addr)) >= sizeof(ev.addr)
		    || strchr(ev.rcpt, ' ') != NULL || strchr(ev.cipher, ' ') != NULL
		    || (k == EXIM_SKIP && (ev.msgid[0] != '\0' && len > LOGPARSE_LINE_MAX)))
			__builtin_trap();
		p += len + 1;
	}
	return 0;
}
