/*
 * psl - the Public Suffix List, see psl.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "psl.h"
#include "strmap.h"
#include "xalloc.h"

#define RULE_MAX 1024

struct psl {
	struct strmap *rules;    /* "n:NAME", "w:PARENT" (for "*.PARENT"), "e:NAME" */
	size_t n;
};

static int mark;   /* the value of every entry */

static void
add(struct psl *p, const char *word, size_t len)
{
	char kind = 'n', key[DOMAIN_MAX + 3];

	if (len > 0 && word[0] == '!') {
		kind = 'e';
		word++;
		len--;
	} else if (len > 2 && word[0] == '*' && word[1] == '.') {
		kind = 'w';
		word += 2;
		len -= 2;
	}
	if (len == 0 || len > RULE_MAX)
		return;
	key[0] = kind;
	key[1] = ':';
	if (domain_normalize(word, len, key + 2, NULL) != DOMAIN_OK)
		return;
	if (strmap_put(p->rules, key, &mark) == NULL)
		p->n++;
}

struct psl *
psl_parse(const char *text, size_t len)
{
	struct psl *p = xcalloc(1, sizeof(*p));
	size_t i = 0;

	p->rules = strmap_new();
	while (i < len) {
		size_t e = i, w;

		while (e < len && text[e] != '\n')
			e++;
		while (i < e && (text[i] == ' ' || text[i] == '\t'))
			i++;
		w = i;
		while (w < e && text[w] != ' ' && text[w] != '\t' && text[w] != '\r')
			w++;
		if (w > i && !(w - i >= 2 && text[i] == '/' && text[i + 1] == '/'))
			add(p, text + i, w - i);
		i = e + 1;
	}
	return p;
}

void
psl_free(struct psl *p)
{
	if (p == NULL)
		return;
	strmap_free(p->rules, NULL);
	free(p);
}

size_t
psl_rules(const struct psl *p)
{
	return p->n;
}

static int
has(const struct psl *p, char kind, const char *name)
{
	char key[DOMAIN_MAX + 3];

	snprintf(key, sizeof(key), "%c:%s", kind, name);
	return strmap_get(p->rules, key) != NULL;
}

int
psl_is_suffix(const struct psl *p, const char *d)
{
	const char *parent = strchr(d, '.');

	if (has(p, 'e', d))
		return 0;
	if (has(p, 'n', d))
		return 1;
	if (parent == NULL)
		return 1;        /* the default rule "*" */
	return has(p, 'w', parent + 1);
}
