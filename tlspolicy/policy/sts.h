/*
 * sts - MTA-STS (RFC 8461): the _mta-sts TXT record, the policy file, MX
 * pattern matching, and the Postfix answer for a policy.
 *
 * Pure functions on memory, no I/O: the DNS and HTTPS layers hand their
 * bytes here.  Parsers take explicit lengths, never read past them, and
 * report why input was refused.  Limits: a policy body of STS_BODY_MAX
 * bytes, STS_MX_MAX mx patterns, max_age at most STS_MAX_AGE_MAX.
 *
 * Both parsers follow the ABNF of RFC 8461 sections 3.1 and 3.2; an
 * invalid record or policy means no policy (a cached one stays in force,
 * mtasts.h).  The TXT record: "v=STSv1" first, fields separated by *WSP
 * ";" *WSP, one trailing ";" at most, whitespace at the end only after a
 * ";", id 1*32(ALPHA / DIGIT), other fields checked as sts-ext-name "="
 * sts-ext-value and ignored, the first id wins.  Of several TXT records
 * those not beginning with exactly "v=STSv1;" are discarded first; a
 * single record is judged by the ABNF alone ("v=STSv1 ; id=x" is valid).
 * The policy: lines end with LF or CRLF (both are allowed; a bare CR ends
 * nothing and makes the line invalid), one terminator at the end at most
 * and no empty line anywhere; no whitespace at the start of a line or
 * before ":", any after ":" and at the end of a line; names and the
 * values of version and mode case-sensitive; the first version, mode and
 * max_age win; max_age 1*10DIGIT up to 31557600 (above: invalid, not
 * capped); mx ["*."] Domain in A-labels, without a trailing dot and not
 * an address, checked in every mode; unknown fields must still be
 * sts-policy-ext-name ":" sts-policy-ext-value (no control bytes, TAB or
 * DEL, valid UTF-8, not empty) and are then ignored.
 *
 * Chosen where the RFC leaves room: a body over 64 KiB is refused (the
 * limit section 3.3 suggests); repeated mx patterns, and mx patterns that
 * differ only in case, are kept once.  There is no leniency beyond the
 * ABNF: a policy a sender cannot parse would give no protection anyway,
 * and accepting what mox, postfix-tlspol and others refuse would hide a
 * publishing error from the domain's owner.
 */
#ifndef TLSPOLICY_STS_H
#define TLSPOLICY_STS_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

struct buf;

#define STS_BODY_MAX ((size_t)64 * 1024)   /* RFC 8461 section 3.3 */
#define STS_MX_MAX 64               /* patterns kept per policy */
#define STS_ID_MAX 32               /* 1*32(ALPHA / DIGIT) */
#define STS_MAX_AGE_MAX 31557600u   /* one year, RFC 8461 section 3.2 */

enum sts_mode { STS_MODE_NONE, STS_MODE_TESTING, STS_MODE_ENFORCE };

/* Result of looking at the TXT RRset of _mta-sts.<domain>. */
enum sts_txt_status {
	STS_TXT_OK,        /* exactly one valid STSv1 record; id filled */
	STS_TXT_NONE,      /* no record beginning with "v=STSv1" */
	STS_TXT_INVALID,   /* one STSv1 record, but malformed */
	STS_TXT_MULTIPLE,  /* more than one STSv1 record */
};

/*
 * sts_txt_parse - one TXT RR (strings already concatenated).  Returns
 * STS_TXT_OK with id, STS_TXT_NONE if it does not start with "v=STSv1"
 * followed by WSP, ";" or the end, STS_TXT_INVALID otherwise.
 */
enum sts_txt_status sts_txt_parse(const char *txt, size_t len, char id[STS_ID_MAX + 1],
    const char **why);

/* sts_txt_select - apply the RRset rules to n records: of several, only
 * those beginning "v=STSv1;" count, and exactly one must remain */
enum sts_txt_status sts_txt_select(const char *const *txt, const size_t *len, size_t n,
    char id[STS_ID_MAX + 1], const char **why);

struct sts_policy {
	enum sts_mode mode;
	uint32_t max_age;
	size_t nmx;
	char mx[STS_MX_MAX][DOMAIN_MAX + 1];   /* A-labels, lower case, "*." kept */
};

/* sts_policy_parse - parse a policy file body; 0 or -1 with *why */
int sts_policy_parse(const char *body, size_t len, struct sts_policy *p, const char **why);

/* sts_mx_match - does host match pattern (exact, or "*." = one label)? */
int sts_mx_match(const char *pattern, const char *host);

/*
 * sts_answer - append the Postfix answer for an enforce policy: "secure
 * match=<patterns> servername=hostname", and with tlsrpt the Postfix >=
 * 3.10 attributes (policy_type, policy_domain, mx_host_pattern and one
 * policy_string per policy line).  Returns -1 if out is full.
 */
int sts_answer(const struct sts_policy *p, const char *domain, int tlsrpt, struct buf *out);

const char *sts_mode_name(enum sts_mode mode);

#endif
