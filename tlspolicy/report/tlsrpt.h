/*
 * tlsrpt - the TLSRPT policy record "_smtp._tls.<domain>" (RFC 8460
 * section 3, SPEC 8.1): "v=TLSRPTv1; rua=URI[,URI...][; ext=value]".
 *
 * Pure and bounded.  Among a domain's TXT records only those starting
 * with "v=TLSRPTv1" followed by ";" count; exactly one must remain.  The
 * record follows the RFC 8460 ABNF: fields separated by *WSP ";" *WSP,
 * one trailing ";" at most, whitespace at the end only after a ";",
 * every field "name=value"; fields other than rua must be
 * tlsrpt-ext-name "=" tlsrpt-ext-value and are ignored.  A repeated rua
 * field (the ABNF allows it) adds its URIs to the first one's.  The rua
 * URIs are checked one by one: "mailto:local@domain" (percent-encoded
 * bytes decoded, no header fields, no control bytes or spaces) and
 * "https://host[:port]/path" (a valid host name, printable path); other
 * schemes cannot be delivered to.
 *
 * Lenient on one point: a bad URI is dropped and counted, the others are
 * kept, where the ABNF would make the whole record invalid.  A report is
 * a diagnostic the domain asked for, section 3 asks for delivery to at
 * least one URI, and sending it to an address the domain did publish
 * harms no one.  A record without a usable URI is invalid.
 */
#ifndef TLSPOLICY_TLSRPT_H
#define TLSPOLICY_TLSRPT_H

#include <stddef.h>

#include "domain.h"

#define TLSRPT_RUA_MAX 8
#define TLSRPT_URI_MAX 512
#define TLSRPT_BAD_MAX 4      /* dropped URIs named for the log */

enum tlsrpt_scheme { TLSRPT_MAILTO, TLSRPT_HTTPS };

struct tlsrpt_uri {
	enum tlsrpt_scheme scheme;
	char uri[TLSRPT_URI_MAX + 1];          /* as published (for state keys, logs) */
	char address[TLSRPT_URI_MAX + 1];      /* mailto: the decoded address */
	char host[DOMAIN_MAX + 1];             /* https: host, port and path */
	unsigned port;
	char path[TLSRPT_URI_MAX + 1];
};

struct tlsrpt_record {
	size_t nrua;
	struct tlsrpt_uri rua[TLSRPT_RUA_MAX];
	size_t nbad;                            /* URIs dropped */
	char bad[TLSRPT_BAD_MAX][TLSRPT_URI_MAX + 1]; /* the first ones, for the log
	                                           (printable ASCII) */
	const char *bad_why[TLSRPT_BAD_MAX];    /* static text */
};

enum tlsrpt_status { TLSRPT_OK, TLSRPT_NONE, TLSRPT_MULTIPLE, TLSRPT_INVALID };

/* tlsrpt_parse - one TXT record (strings concatenated); TLSRPT_NONE when
 * it is not a TLSRPTv1 record, TLSRPT_INVALID (with *why, static text)
 * when it is one without a usable rua */
enum tlsrpt_status tlsrpt_parse(const char *txt, size_t len, struct tlsrpt_record *r,
    const char **why);
/* tlsrpt_select - the record among a domain's TXT records */
enum tlsrpt_status tlsrpt_select(const char *const *txt, const size_t *len, size_t n,
    struct tlsrpt_record *r, const char **why);

/* tlsrpt_result_type - 1 if type is one of the result types of RFC 8460
 * section 4.3 (the only ones a report may hold), else 0 */
int tlsrpt_result_type(const char *type);

#endif
