/*
 * localpolicy - the operator's table of fixed answers, "domain  answer".
 *
 * One entry per line; '#' starts a comment line; blank lines are ignored.
 * The domain is normalised as socketmap keys are (domain.h) and must be a
 * plain domain; the answer must pass answer_normalize().  Any error makes
 * the whole table fail to load, with "file, line N: reason", so a typo
 * never silently removes a policy.  The table answers before MTA-STS and
 * DANE.
 */
#ifndef TLSPOLICY_LOCALPOLICY_H
#define TLSPOLICY_LOCALPOLICY_H

#include <stddef.h>

#define LOCALPOLICY_LINE_MAX 4096          /* bytes per line, newline excluded */
#define LOCALPOLICY_FILE_MAX (64u << 20)   /* bytes per file */

struct localpolicy;

struct localpolicy_entry {
	char *answer;       /* canonical answer text, no "OK " */
	unsigned line;      /* line number in the file */
};

/*
 * localpolicy_parse - parse data[0..len); name (copied) is used in error
 * messages.  Returns the table, the caller's to localpolicy_free(), or
 * NULL with a message in err.
 */
struct localpolicy *localpolicy_parse(const char *data, size_t len, const char *name,
    char *err, size_t errlen);
/* localpolicy_load - read and parse a file (at most LOCALPOLICY_FILE_MAX) */
struct localpolicy *localpolicy_load(const char *path, char *err, size_t errlen);
void localpolicy_free(struct localpolicy *lp);
/* localpolicy_get - entry for a normalised domain, or NULL; borrowed */
const struct localpolicy_entry *localpolicy_get(const struct localpolicy *lp,
    const char *domain);
size_t localpolicy_count(const struct localpolicy *lp);
/* localpolicy_name - the name it was loaded under, borrowed from lp */
const char *localpolicy_name(const struct localpolicy *lp);

#endif
