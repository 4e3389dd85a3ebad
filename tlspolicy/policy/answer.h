/*
 * answer - the syntax of smtp_tls_policy_maps results (Postfix tls_level.c
 * and smtp_tls_policy.c), checked before anything is sent to Postfix.
 *
 * An answer Postfix cannot parse makes it defer all mail for the domain,
 * so every answer from a table is validated when the table is loaded:
 * a known level, then attributes valid at that level, each at most as often
 * as Postfix allows, with a value of the right form.  The attributes of
 * Postfix >= 3.10 TLSRPT (policy_type and friends) and the "{ ... }" form
 * are refused here: they are only generated, never read from tables.
 */
#ifndef TLSPOLICY_ANSWER_H
#define TLSPOLICY_ANSWER_H

#include <stddef.h>

struct buf;

/* Longest answer accepted from a table. */
#define ANSWER_MAX 2048
/* Postfix's socketmap reply limit (dict_sockmap.c): no generated answer
 * is longer. */
#define ANSWER_POSTFIX_MAX 100000

/*
 * answer_normalize - check in[0..len) and append its canonical form to
 * out (level and attribute names in lower case, one space between
 * fields).  Returns 0, or -1 with *why set to a static reason.
 */
int answer_normalize(const char *in, size_t len, struct buf *out, const char **why);
/* answer_normalize_at - the same; on failure also where: the offending
 * token (for an unknown attribute its name) is in[*at .. *at + *atlen),
 * *atlen 0 when the error is not about one token */
int answer_normalize_at(const char *in, size_t len, struct buf *out, const char **why,
    size_t *at, size_t *atlen);

#endif
