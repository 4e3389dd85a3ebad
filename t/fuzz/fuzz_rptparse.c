/* Fuzz target: incoming TLSRPT report JSON (rptparse_body, gzip or not),
 * and the stored record of a parsed report read back the same. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "incoming.h"
#include "rptparse.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct incoming_rec rec, back;
	char why[512];
	struct buf enc;

	memset(&rec, 0, sizeof(rec));
	if (rptparse_body(data, size, NULL, &rec.r, why, sizeof(why)) < 0)
		return 0;
	if (rec.r.npolicies == 0 || rec.r.npolicies > RPT_POLICIES_MAX || strlen(rec.r.day) != 10)
		__builtin_trap();
	/* everything that reaches a JSON document or a terminal is clean text */
	if (!text_clean_len(rec.r.org, strlen(rec.r.org)) || !text_clean_len(rec.r.id, strlen(rec.r.id))
	    || !text_clean_len(rec.r.notes, strlen(rec.r.notes)))
		__builtin_trap();
	for (size_t i = 0; i < rec.r.npolicies; i++)
		if (rec.r.policies[i].nresults > RPT_RESULTS_MAX
		    || !text_clean_len(rec.r.policies[i].mx, strlen(rec.r.policies[i].mx)))
			__builtin_trap();
	buf_init(&enc, 1 << 20);
	if (incoming_encode(&rec, &enc) < 0 || incoming_decode(enc.data, enc.len, &back) < 0
	    || memcmp(&rec, &back, sizeof(rec)) != 0)
		__builtin_trap();
	buf_fini(&enc);
	return 0;
}
