/*
 * eximanswer - the one-line answers for Exim's ${readsocket} (tlspolicyd(8),
 * "EXIM LISTENER").
 *
 * An answer is a list of KEY=VALUE fields separated by one space, the
 * form Exim's ${extract{KEY}{...}} reads: "mode=" comes first and is one
 * of enforce, testing, dane-only, dane, none, temp, error; "mx=" (enforce and
 * testing from MTA-STS) holds the policy's MX patterns joined by ":",
 * Exim's list separator; "reason=" (temp, error) is a double-quoted string with
 * '"' and '\' escaped by '\' and control bytes left out, as Exim's
 * string_dequote() reads it.  Every answer is one line.
 */
#ifndef TLSPOLICY_EXIMANSWER_H
#define TLSPOLICY_EXIMANSWER_H

#include <stddef.h>

struct buf;

/* Longest request line: "policy " and a domain name, with room. */
#define EXIMANSWER_REQUEST_MAX 512
/* Longest answer: mode and the MX patterns of a large policy. */
#define EXIMANSWER_REPLY_MAX 16384

/*
 * eximanswer_mode - append "mode=MODE" and, when policy (a canonical
 * MTA-STS policy text, "mx: PATTERN" lines) is given, " mx=P1:P2..." to
 * out.  -1 if out is full (out then holds a temp answer if it can).
 */
int eximanswer_mode(struct buf *out, const char *mode, const char *policy);
/* eximanswer_reason - append "mode=MODE reason=\"...\"" for reason[0..len)
 * (mode temp: try again later; error: the request is wrong) */
int eximanswer_reason(struct buf *out, const char *mode, const char *reason, size_t len);
/*
 * eximanswer_local_mode - the Exim mode for a local policy table answer
 * (Postfix syntax): dane-only and dane as they are; none and may: none;
 * secure, verify, encrypt and fingerprint: enforce (TLS required and
 * verified with the MX host name, the only TLS requirement the contrib/exim
 * configuration expresses).
 */
const char *eximanswer_local_mode(const char *answer);
/*
 * eximanswer_request - check a request line req[0..len) "policy DOMAIN";
 * returns the domain's offset and sets *dlen, or -1 with *why set to a
 * static reason.
 */
int eximanswer_request(const char *req, size_t len, size_t *dlen, const char **why);

#endif
