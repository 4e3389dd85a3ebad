/*
 * eximanswer - answers for Exim's ${readsocket}, see eximanswer.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "eximanswer.h"

/* mx_patterns - append the "mx: " values of policy joined by ':' */
static int
mx_patterns(struct buf *out, const char *policy)
{
	const char *p = policy;
	int first = 1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n > 4 && memcmp(p, "mx: ", 4) == 0) {
			if (!first && buf_append(out, ":", 1) < 0)
				return -1;
			if (buf_append(out, p + 4, n - 4) < 0)
				return -1;
			first = 0;
		}
		p += n + (eol != NULL);
	}
	return 0;
}

int
eximanswer_mode(struct buf *out, const char *mode, const char *policy)
{
	size_t start = out->len;

	if (buf_puts(out, "mode=") < 0 || buf_puts(out, mode) < 0)
		goto full;
	if (policy && (buf_puts(out, " mx=") < 0 || mx_patterns(out, policy) < 0))
		goto full;
	return 0;
full:
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	eximanswer_reason(out, "temp", "answer too long", 15);
	return -1;
}

int
eximanswer_reason(struct buf *out, const char *mode, const char *reason, size_t len)
{
	if (buf_puts(out, "mode=") < 0 || buf_puts(out, mode) < 0 || buf_puts(out, " reason=\"") < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)reason[i];

		if (c < 0x20 || c == 0x7f)
			continue;
		if ((c == '"' || c == '\\') && buf_append(out, "\\", 1) < 0)
			return -1;
		if (buf_append(out, &reason[i], 1) < 0)
			return -1;
	}
	return buf_append(out, "\"", 1);
}

const char *
eximanswer_local_mode(const char *answer)
{
	size_t n = strcspn(answer, " ");

	if (n == 9 && memcmp(answer, "dane-only", 9) == 0)
		return "dane-only";
	if (n == 4 && memcmp(answer, "dane", 4) == 0)
		return "dane";
	if ((n == 4 && memcmp(answer, "none", 4) == 0) || (n == 3 && memcmp(answer, "may", 3) == 0))
		return "none";
	return "enforce";
}

int
eximanswer_request(const char *req, size_t len, size_t *dlen, const char **why)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)req[i];

		if (c < 0x20 || c == 0x7f) {
			*why = "control bytes in request";
			return -1;
		}
	}
	if (len < 7 || memcmp(req, "policy ", 7) != 0) {
		*why = "expected: policy DOMAIN";
		return -1;
	}
	if (len == 7 || memchr(req + 7, ' ', len - 7) != NULL) {
		*why = "expected: policy DOMAIN (one domain)";
		return -1;
	}
	*dlen = len - 7;
	return 7;
}
