/* Fuzz target: the MIME walker and report extraction of incoming report
 * messages (multipart, base64, quoted-printable, gzip with its cap). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf json;
	const char *why = NULL;
	char what[512], v[256];
	size_t hlen;
	int rc;

	/* a small cap, so that inflating to it stays fast */
	buf_init(&json, 1 << 20);
	rc = mime_report((const char *)data, size, &json, what, sizeof(what), &why);
	if (rc != 0 && why == NULL)
		__builtin_trap();
	if (json.len > json.max)
		__builtin_trap();
	buf_fini(&json);
	mime_header_end((const char *)data, size, &hlen);
	if (hlen > size)
		__builtin_trap();
	mime_header_get((const char *)data, hlen, "Content-Type", v, sizeof(v));
	if (strlen(v) >= sizeof(v))
		__builtin_trap();
	return 0;
}
