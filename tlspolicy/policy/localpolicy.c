/*
 * localpolicy - fixed-answer table, see localpolicy.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "buf.h"
#include "domain.h"
#include "fileio.h"
#include "localpolicy.h"
#include "log.h"
#include "strmap.h"
#include "xalloc.h"

struct localpolicy {
	struct strmap *map;
	char *name;
};

static void
entry_free(void *p)
{
	struct localpolicy_entry *e = p;

	if (e) {
		free(e->answer);
		free(e);
	}
}

void
localpolicy_free(struct localpolicy *lp)
{
	if (lp == NULL)
		return;
	strmap_free(lp->map, entry_free);
	free(lp->name);
	free(lp);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

struct localpolicy *
localpolicy_parse(const char *data, size_t len, const char *name, char *err, size_t errlen)
{
	struct localpolicy *lp = xcalloc(1, sizeof(*lp));
	struct buf ans;
	size_t pos = 0;
	unsigned lineno = 0;
	char shown[80];

	lp->map = strmap_new();
	lp->name = xstrdup(name);
	buf_init(&ans, ANSWER_MAX);
	while (pos < len) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos, i = 0, klen, at, atlen;
		char domain[DOMAIN_MAX + 1];
		const char *why, *key;
		struct localpolicy_entry *e;
		const struct localpolicy_entry *prev;

		pos += llen + (nl != NULL);
		lineno++;
		if (llen > LOCALPOLICY_LINE_MAX) {
			snprintf(err, errlen, "%s, line %u: line longer than %d bytes", name,
			    lineno, LOCALPOLICY_LINE_MAX);
			goto fail;
		}
		if (memchr(line, '\0', llen) != NULL) {
			snprintf(err, errlen, "%s, line %u: NUL byte in line", name, lineno);
			goto fail;
		}
		while (i < llen && is_blank(line[i]))
			i++;
		if (i == llen || line[i] == '#')
			continue;
		key = line + i;
		while (i < llen && !is_blank(line[i]))
			i++;
		klen = (size_t)(line + i - key);
		while (i < llen && is_blank(line[i]))
			i++;
		while (llen > i && is_blank(line[llen - 1]))
			llen--;
		if (domain_normalize(key, klen, domain, &why) != DOMAIN_OK) {
			snprintf(err, errlen, "%s, line %u: %s: \"%s\"", name, lineno,
			    why ? why : "not a plain domain name (no leading dot, brackets, port or address)",
			    log_printable(shown, sizeof(shown), key, klen));
			goto fail;
		}
		buf_reset(&ans);
		if (answer_normalize_at(line + i, llen - i, &ans, &why, &at, &atlen) < 0) {
			char bad[128];

			if (atlen > 0)
				snprintf(err, errlen, "%s, line %u: %s \"%s\" in \"%s\"", name, lineno, why,
				    log_printable(bad, sizeof(bad), line + i + at, atlen),
				    log_printable(shown, sizeof(shown), line + i, llen - i));
			else
				snprintf(err, errlen, "%s, line %u: %s: \"%s\"", name, lineno, why,
				    log_printable(shown, sizeof(shown), line + i, llen - i));
			goto fail;
		}
		if ((prev = strmap_get(lp->map, domain)) != NULL) {
			snprintf(err, errlen, "%s, line %u: duplicate entry for %s (first at line %u)",
			    name, lineno, domain, prev->line);
			goto fail;
		}
		e = xmalloc(sizeof(*e));
		e->answer = xstrndup(ans.data, ans.len);
		e->line = lineno;
		strmap_put(lp->map, domain, e);
	}
	buf_fini(&ans);
	return lp;
fail:
	buf_fini(&ans);
	localpolicy_free(lp);
	return NULL;
}

struct localpolicy *
localpolicy_load(const char *path, char *err, size_t errlen)
{
	struct localpolicy *lp;
	size_t len;
	char *data = file_read(path, LOCALPOLICY_FILE_MAX, &len, err, errlen);

	if (data == NULL)
		return NULL;
	lp = localpolicy_parse(data, len, path, err, errlen);
	free(data);
	return lp;
}

const struct localpolicy_entry *
localpolicy_get(const struct localpolicy *lp, const char *domain)
{
	return lp ? strmap_get(lp->map, domain) : NULL;
}

size_t
localpolicy_count(const struct localpolicy *lp)
{
	return lp ? strmap_count(lp->map) : 0;
}

const char *
localpolicy_name(const struct localpolicy *lp)
{
	return lp ? lp->name : "";
}
