/*
 * resolve - answer sources in order, see resolve.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "localpolicy.h"
#include "log.h"
#include "resolve.h"

int
resolve_map_name(const char *name, size_t len)
{
	if (len == 7 && memcmp(name, "postfix", 7) == 0)
		return RESOLVE_MAP_POSTFIX;
	if (len == 14 && memcmp(name, "postfix-tlsrpt", 14) == 0)
		return RESOLVE_MAP_POSTFIX_TLSRPT;
	return -1;
}

void
resolve_lookup(const struct resolve_ctx *ctx, enum resolve_map map,
    const char *key, size_t len, struct resolve_result *res)
{
	const struct localpolicy_entry *e;
	const char *why = NULL;
	char shown[80];

	/* Table answers carry no TLSRPT attributes: Postfix >= 3.10 refuses
	 * them on non-STS policies, so both map names answer alike here. */
	(void)map;
	res->answer = NULL;
	res->domain[0] = '\0';
	switch (domain_normalize(key, len, res->domain, &why)) {
	case DOMAIN_NEXTHOP:
		res->domain[0] = '\0';
		res->status = RESOLVE_NOTFOUND;
		snprintf(res->why, sizeof(res->why),
		    "key \"%s\" is a next-hop form (parent-domain probe, [host], host:port or address), not a policy domain",
		    log_printable(shown, sizeof(shown), key, len));
		return;
	case DOMAIN_INVALID:
		res->domain[0] = '\0';
		res->status = RESOLVE_NOTFOUND;
		snprintf(res->why, sizeof(res->why), "key \"%s\" refused: %s",
		    log_printable(shown, sizeof(shown), key, len), why);
		return;
	case DOMAIN_OK:
		break;
	}
	if ((e = localpolicy_get(ctx->local, res->domain)) != NULL) {
		res->status = RESOLVE_OK;
		res->answer = e->answer;
		snprintf(res->why, sizeof(res->why), "local policy table %s, line %u",
		    localpolicy_name(ctx->local), e->line);
		return;
	}
	res->status = RESOLVE_NOTFOUND;
	snprintf(res->why, sizeof(res->why), "no policy known for %s", res->domain);
}
