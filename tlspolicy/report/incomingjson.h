/*
 * incomingjson - a received TLSRPT report as JSON, one layout for
 * `tlspolicyctl incoming --json` and the HTTP API's /api/v1/incoming.
 *
 * The names are the RFC 8460 ones where the report has them; "received",
 * "via" and "trusted-by" say how it reached us.  Every string goes
 * through jsontext (valid UTF-8 by construction).
 */
#ifndef TLSPOLICY_INCOMINGJSON_H
#define TLSPOLICY_INCOMINGJSON_H

#include <json-c/json.h>

struct incoming_rec;
struct rpt_policy;

/* incomingjson_report - the report's object with an empty "policies"
 * array, returned in *policies for incomingjson_policy objects; the
 * caller owns the object */
json_object *incomingjson_report(const struct incoming_rec *rec, json_object **policies);
/* incomingjson_policy - one policy's counts and result types; the caller
 * owns it (adds it to the array) */
json_object *incomingjson_policy(const struct rpt_policy *p);

#endif
