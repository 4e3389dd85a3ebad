/*
 * incoming - received TLSRPT reports in the store, see incoming.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "incoming.h"
#include "record.h"
#include "store.h"
#include "strmap.h"

#define KEY_MAX (2 + 11 + 2 * RPT_TEXT_MAX + 4)
#define REC_MAX ((size_t)256 * 1024)

static void
key_of(char *out, size_t outlen, const char *prefix, const char *day, const char *org,
    const char *id)
{
	if (day != NULL)
		snprintf(out, outlen, "%s%s\t%s\t%s", prefix, day, org, id);
	else
		snprintf(out, outlen, "%s%s\t%s", prefix, org, id);
}

size_t
incoming_keep_domains(struct rpt_report *r, const struct strmap *domains, char *others,
    size_t olen)
{
	size_t k = 0;

	others[0] = '\0';
	for (size_t i = 0; i < r->npolicies; i++) {
		if (domains != NULL && strmap_get(domains, r->policies[i].domain) != NULL) {
			if (k != i)
				r->policies[k] = r->policies[i];
			k++;
		} else if (strstr(others, r->policies[i].domain) == NULL) {
			size_t o = strlen(others);

			snprintf(others + o, olen - o, "%s%s", o ? " " : "", r->policies[i].domain);
		}
	}
	if (k > 0 && others[0]) {
		size_t o = strlen(r->notes);

		snprintf(r->notes + o, sizeof(r->notes) - o, "%spolicies for domains not in "
		    "report_domains left out: %s", o ? "; " : "", others);
	}
	r->npolicies = k;
	return k;
}

int
incoming_encode(const struct incoming_rec *rec, struct buf *out)
{
	const struct rpt_report *r = &rec->r;
	struct record_wr w;

	buf_reset(out);
	record_wr_init(&w, out);
	record_put_u64(&w, rec->received);
	record_put_str(&w, rec->via);
	record_put_str(&w, rec->trust);
	record_put_str(&w, r->org);
	record_put_str(&w, r->contact);
	record_put_str(&w, r->id);
	record_put_str(&w, r->start);
	record_put_str(&w, r->end);
	record_put_u64(&w, (uint64_t)r->tstart);
	record_put_u64(&w, (uint64_t)r->tend);
	record_put_str(&w, r->day);
	record_put_str(&w, r->notes);
	record_put_u64(&w, r->npolicies);
	for (size_t i = 0; i < r->npolicies; i++) {
		const struct rpt_policy *p = &r->policies[i];

		record_put_str(&w, p->ptype);
		record_put_str(&w, p->domain);
		record_put_str(&w, p->mx);
		record_put_u64(&w, p->nstrings);
		record_put_u64(&w, p->successes);
		record_put_u64(&w, p->failures);
		record_put_u64(&w, p->nresults);
		for (size_t j = 0; j < p->nresults; j++) {
			record_put_str(&w, p->results[j].type);
			record_put_u64(&w, p->results[j].count);
		}
	}
	return w.bad ? -1 : 0;
}

int
incoming_decode(const void *data, size_t len, struct incoming_rec *rec)
{
	struct rpt_report *r = &rec->r;
	struct record_rd rd;
	uint64_t n;

	memset(rec, 0, sizeof(*rec));
	record_rd_init(&rd, data, len);
	rec->received = record_get_u64(&rd);
	record_get_str(&rd, rec->via, sizeof(rec->via));
	record_get_str(&rd, rec->trust, sizeof(rec->trust));
	record_get_str(&rd, r->org, sizeof(r->org));
	record_get_str(&rd, r->contact, sizeof(r->contact));
	record_get_str(&rd, r->id, sizeof(r->id));
	record_get_str(&rd, r->start, sizeof(r->start));
	record_get_str(&rd, r->end, sizeof(r->end));
	r->tstart = (time_t)record_get_u64(&rd);
	r->tend = (time_t)record_get_u64(&rd);
	record_get_str(&rd, r->day, sizeof(r->day));
	record_get_str(&rd, r->notes, sizeof(r->notes));
	n = record_get_u64(&rd);
	if (n > RPT_POLICIES_MAX)
		return -1;
	r->npolicies = (size_t)n;
	for (size_t i = 0; i < r->npolicies && !rd.bad; i++) {
		struct rpt_policy *p = &r->policies[i];

		record_get_str(&rd, p->ptype, sizeof(p->ptype));
		record_get_str(&rd, p->domain, sizeof(p->domain));
		record_get_str(&rd, p->mx, sizeof(p->mx));
		p->nstrings = (unsigned)record_get_u64(&rd);
		p->successes = record_get_u64(&rd);
		p->failures = record_get_u64(&rd);
		n = record_get_u64(&rd);
		if (n > RPT_RESULTS_MAX)
			return -1;
		p->nresults = (size_t)n;
		for (size_t j = 0; j < p->nresults; j++) {
			record_get_str(&rd, p->results[j].type, sizeof(p->results[j].type));
			p->results[j].count = record_get_u64(&rd);
		}
	}
	return record_rd_done(&rd);
}

int
incoming_store(struct store *st, const struct incoming_rec *rec, const char *raw,
    size_t rawlen)
{
	const struct rpt_report *r = &rec->r;
	char key[KEY_MAX], ikey[KEY_MAX];
	struct store_txn *txn;
	struct buf val;
	int rc;

	key_of(ikey, sizeof(ikey), "i:", NULL, r->org, r->id);
	buf_init(&val, REC_MAX);
	if ((txn = store_begin(st)) == NULL) {
		buf_fini(&val);
		return -1;
	}
	rc = store_get(st, txn, STORE_DB_INCOMING, ikey, strlen(ikey), &val);
	if (rc == 0) {
		store_abort(st, txn);
		buf_fini(&val);
		return INCOMING_DUPLICATE;
	}
	if (rc < 0 || incoming_encode(rec, &val) < 0) {
		if (rc == 0 || rc == STORE_NOTFOUND)
			store_set_error(st, "report record too large");
		store_abort(st, txn);
		buf_fini(&val);
		return -1;
	}
	key_of(key, sizeof(key), "r:", r->day, r->org, r->id);
	rc = store_put(st, txn, STORE_DB_INCOMING, key, strlen(key), val.data, val.len);
	if (rc == 0 && rawlen <= INCOMING_RAW_MAX) {
		key[0] = 'j';
		rc = store_put(st, txn, STORE_DB_INCOMING, key, strlen(key), raw, rawlen);
	}
	if (rc == 0)
		rc = store_put(st, txn, STORE_DB_INCOMING, ikey, strlen(ikey), r->day, strlen(r->day));
	buf_fini(&val);
	if (rc < 0) {
		store_abort(st, txn);
		return -1;
	}
	return store_commit(st, txn);
}

int
incoming_foreach(struct store *st, const char *day,
    void (*fn)(void *arg, const struct incoming_rec *rec), void *arg)
{
	static struct incoming_rec rec;
	struct store_cursor *c = store_cursor_open(st, STORE_DB_INCOMING);
	char prefix[16];
	struct buf key, val;
	int rc;

	if (c == NULL)
		return -1;
	snprintf(prefix, sizeof(prefix), "r:%s", day ? day : "");
	buf_init(&key, KEY_MAX);
	buf_init(&val, REC_MAX);
	store_cursor_seek(c, prefix, strlen(prefix));
	while ((rc = store_cursor_next(c, &key, &val)) == 0) {
		if (key.len < strlen(prefix) || memcmp(key.data, prefix, strlen(prefix)) != 0)
			break;
		if (incoming_decode(val.data, val.len, &rec) < 0)
			continue;   /* a record of a later layout: not shown */
		fn(arg, &rec);
	}
	store_cursor_close(c);
	buf_fini(&key);
	buf_fini(&val);
	return rc < 0 ? -1 : 0;
}

int
incoming_raw(struct store *st, const char *day, const char *org, const char *id,
    struct buf *out)
{
	char key[KEY_MAX];

	key_of(key, sizeof(key), "j:", day, org, id);
	return store_get(st, NULL, STORE_DB_INCOMING, key, strlen(key), out);
}

long
incoming_purge(struct store *st, const char *cutoff)
{
	struct store_cursor *c;
	struct buf key, val, old;
	long n, m;
	int rc;

	if ((n = record_purge(st, STORE_DB_INCOMING, "r:", cutoff)) < 0
	    || (m = record_purge(st, STORE_DB_INCOMING, "j:", cutoff)) < 0)
		return -1;
	(void)m;
	if (n == 0)
		return 0;
	/* the duplicate check of the purged days: their values are days */
	if ((c = store_cursor_open(st, STORE_DB_INCOMING)) == NULL)
		return -1;
	buf_init(&key, KEY_MAX);
	buf_init(&val, 64);
	buf_init(&old, (size_t)1 << 20);
	store_cursor_seek(c, "i:", 2);
	while ((rc = store_cursor_next(c, &key, &val)) == 0 && key.len >= 2
	    && memcmp(key.data, "i:", 2) == 0) {
		uint32_t len = (uint32_t)key.len;

		if (val.len == 10 && memcmp(val.data, cutoff, 10) < 0
		    && (buf_append(&old, &len, sizeof(len)) < 0 || buf_append(&old, key.data, key.len) < 0))
			break;
	}
	store_cursor_close(c);
	for (size_t off = 0; off < old.len && rc >= 0;) {
		uint32_t len;

		memcpy(&len, old.data + off, sizeof(len));
		off += sizeof(len);
		if (store_del(st, NULL, STORE_DB_INCOMING, old.data + off, len) < 0)
			rc = -1;
		off += len;
	}
	buf_fini(&key);
	buf_fini(&val);
	buf_fini(&old);
	return rc < 0 ? -1 : n;
}
