/*
 * psl - the Public Suffix List (publicsuffix.org), for the DKIM domains
 * that may vouch for a From domain: the domain itself or a parent of it
 * that is not a public suffix.
 *
 * psl_parse() reads the list's text format: one rule per line (the first
 * blank-separated word), "//" comments, wildcard rules "*.SUFFIX" and
 * exception rules "!NAME"; rules are normalized as domain names are
 * (U-labels to A-labels, lower case), and a rule that is not a domain
 * name is skipped.  Both the ICANN and the private sections count.
 * Pure: Debian's list is /usr/share/publicsuffix/public_suffix_list.dat
 * (package publicsuffix); the caller reads it.
 */
#ifndef TLSPOLICY_PSL_H
#define TLSPOLICY_PSL_H

#include <stddef.h>

struct psl;

/* psl_parse - the rules of text[0..len); never NULL */
struct psl *psl_parse(const char *text, size_t len);
void psl_free(struct psl *p);
/* psl_rules - the number of rules kept */
size_t psl_rules(const struct psl *p);

/* psl_is_suffix - 1 if the normalized domain d is a public suffix under
 * the rules (and the default rule "*": every top-level domain is one),
 * else 0 */
int psl_is_suffix(const struct psl *p, const char *d);

#endif
