/*
 * domain - normalise and validate socketmap keys and domain names.
 *
 * domain_normalize() turns a key as Postfix sends it into the form used
 * for lookups: ASCII lower case, one trailing dot removed, U-labels
 * (UTF-8) converted to A-labels (RFC 3492 Punycode), then checked as a
 * host name (LDH labels of 1..63 octets, 253 octets in all, no leading or
 * trailing hyphen, not all-numeric).  Keys that are next-hop forms rather
 * than domains (leading dot, brackets, host:port, IP literals) are told
 * apart from invalid ones, because both answer NOTFOUND but only the
 * latter deserve a warning.
 */
#ifndef TLSPOLICY_DOMAIN_H
#define TLSPOLICY_DOMAIN_H

#include <stddef.h>

#define DOMAIN_MAX 253          /* RFC 1035 name length, presentation, no dot */
#define DOMAIN_LABEL_MAX 63

enum domain_status {
	DOMAIN_OK = 0,
	DOMAIN_NEXTHOP,   /* leading '.', '[...]', host:port, IP literal */
	DOMAIN_INVALID,   /* not a usable domain name */
};

/*
 * domain_normalize - normalise key[0..len) into out (size >= DOMAIN_MAX + 1).
 * On DOMAIN_INVALID, *why (if not NULL) says why, as a static string.
 */
enum domain_status domain_normalize(const char *key, size_t len, char *out,
    const char **why);

/* domain_valid - 1 if name (NUL-terminated, already lower case) is a valid
 * LDH host name as domain_normalize() would produce it */
int domain_valid(const char *name);

#endif
