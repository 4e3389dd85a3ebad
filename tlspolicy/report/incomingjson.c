/*
 * incomingjson - received reports as JSON, see incomingjson.h.
 */
#include "config.h"

#include <stdint.h>
#include <time.h>

#include "incoming.h"
#include "incomingjson.h"
#include "jsontext.h"

json_object *
incomingjson_report(const struct incoming_rec *rec, json_object **policies)
{
	const struct rpt_report *r = &rec->r;
	json_object *o = json_object_new_object();
	time_t t = (time_t)rec->received;
	char when[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "day", jsontext(r->day));
	json_object_object_add(o, "organization-name", jsontext(r->org));
	json_object_object_add(o, "report-id", jsontext(r->id));
	json_object_object_add(o, "contact-info", jsontext(r->contact));
	json_object_object_add(o, "start-datetime", jsontext(r->start));
	json_object_object_add(o, "end-datetime", jsontext(r->end));
	json_object_object_add(o, "received", jsontext(when));
	json_object_object_add(o, "via", jsontext(rec->via));
	json_object_object_add(o, "trusted-by", jsontext(rec->trust));
	json_object_object_add(o, "notes", jsontext(r->notes));
	*policies = json_object_new_array();
	json_object_object_add(o, "policies", *policies);
	return o;
}

json_object *
incomingjson_policy(const struct rpt_policy *p)
{
	json_object *po = json_object_new_object(), *types = json_object_new_object();

	json_object_object_add(po, "policy-type", jsontext(p->ptype));
	json_object_object_add(po, "policy-domain", jsontext(p->domain));
	json_object_object_add(po, "mx-host", jsontext(p->mx));
	json_object_object_add(po, "total-successful-session-count",
	    json_object_new_int64((int64_t)p->successes));
	json_object_object_add(po, "total-failure-session-count",
	    json_object_new_int64((int64_t)p->failures));
	for (size_t j = 0; j < p->nresults; j++)
		json_object_object_add(types, p->results[j].type,
		    json_object_new_int64((int64_t)p->results[j].count));
	json_object_object_add(po, "result-types", types);
	return po;
}
