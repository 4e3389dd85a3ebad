/*
 * state - report delivery state, see state.h.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"
#include "numparse.h"
#include "state.h"
#include "store.h"
#include "text.h"

#define SENT_PREFIX "sent\t"   /* delivery records; then day, domain, URI */

static const char *const names[] = { "new", "sent", "pending", "gaveup" };

const char *
state_name(enum delivery_state s)
{
	return names[s];
}

static void
key_of(struct buf *k, const char *day, const char *domain, const char *uri)
{
	buf_reset(k);
	buf_printf(k, SENT_PREFIX "%s\t%s\t%s", day, domain, uri);
}

/* field - the next space-separated number of the value, at most max;
 * 0 if it is not one */
static uint64_t
field(const char **p, uint64_t max)
{
	size_t n = strspn(*p, "0123456789");
	uint64_t v;

	if (numparse_uint(*p, n, max, &v) < 0)
		v = 0;
	*p += n;
	if (**p == ' ')
		(*p)++;
	return v;
}

void
state_parse(const char *value, struct delivery *d)
{
	const char *p = value, *tab;

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < 4; i++)
		if (strncmp(p, names[i], strlen(names[i])) == 0 && p[strlen(names[i])] == ' ') {
			d->state = (enum delivery_state)i;
			p += strlen(names[i]) + 1;
			break;
		}
	d->first = (time_t)field(&p, INT64_MAX);
	d->last = (time_t)field(&p, INT64_MAX);
	d->next = (time_t)field(&p, INT64_MAX);
	d->attempts = (unsigned)field(&p, UINT_MAX);
	if ((tab = strchr(p, '\t')) != NULL)
		text_copy(d->error, sizeof(d->error), tab + 1);
}

int
state_get(struct store *st, const char *day, const char *domain, const char *uri,
    struct delivery *d)
{
	struct buf k, v;
	int rc;

	memset(d, 0, sizeof(*d));
	buf_init(&k, 2048);
	buf_init(&v, 1024);
	key_of(&k, day, domain, uri);
	rc = store_get(st, NULL, STORE_DB_REPORT, k.data, k.len, &v);
	if (rc == 0 && v.len > 0)
		state_parse(v.data, d);
	buf_fini(&k);
	buf_fini(&v);
	return rc < 0 ? -1 : 0;
}

int
state_put(struct store *st, const char *day, const char *domain, const char *uri,
    const struct delivery *d)
{
	struct buf k, v;
	int rc;

	buf_init(&k, 2048);
	buf_init(&v, 1024);
	key_of(&k, day, domain, uri);
	buf_printf(&v, "%s %lld %lld %lld %u\t%s", names[d->state], (long long)d->first,
	    (long long)d->last, (long long)d->next, d->attempts, d->error);
	rc = store_put(st, NULL, STORE_DB_REPORT, k.data, k.len, v.data, v.len);
	buf_fini(&k);
	buf_fini(&v);
	return rc;
}

void
state_attempted(struct delivery *d, time_t now, const char *err)
{
	time_t wait = RETRY_FIRST;

	if (d->attempts++ == 0)
		d->first = now;
	d->last = now;
	if (err == NULL) {
		d->state = DELIVERY_SENT;
		d->error[0] = '\0';
		return;
	}
	text_copy(d->error, sizeof(d->error), err);
	for (unsigned i = 1; i < d->attempts && wait < RETRY_MAX; i++)
		wait *= 2;
	if (wait > RETRY_MAX)
		wait = RETRY_MAX;
	d->next = now + wait;
	d->state = now - d->first >= RETRY_FOR ? DELIVERY_GAVEUP : DELIVERY_PENDING;
}

int
state_due(const struct delivery *d, time_t now)
{
	return d->state == DELIVERY_NEW || (d->state == DELIVERY_PENDING && now >= d->next);
}

int
state_bounce(struct store *st, const char *address, time_t now)
{
	struct buf k, v;
	long long count = 0, first = now;
	int rc;

	buf_init(&k, 1024);
	buf_init(&v, 256);
	buf_printf(&k, "bounce\t%s", address);
	if (store_get(st, NULL, STORE_DB_REPORT, k.data, k.len, &v) == 0) {
		const char *p = v.data;

		count = (long long)field(&p, INT64_MAX);
		first = (long long)field(&p, INT64_MAX);
		if (now - first > BOUNCE_WINDOW) {   /* an old streak: start again */
			count = 0;
			first = now;
		}
	}
	buf_reset(&v);
	buf_printf(&v, "%lld %lld %lld", count + 1, first, (long long)now);
	rc = store_put(st, NULL, STORE_DB_REPORT, k.data, k.len, v.data, v.len);
	buf_fini(&k);
	buf_fini(&v);
	return rc;
}

int
state_suppressed(struct store *st, const char *address, time_t now)
{
	struct buf k, v;
	int yes = 0;

	buf_init(&k, 1024);
	buf_init(&v, 256);
	buf_printf(&k, "bounce\t%s", address);
	if (store_get(st, NULL, STORE_DB_REPORT, k.data, k.len, &v) == 0) {
		const char *p = v.data;
		long long count = (long long)field(&p, INT64_MAX), first = (long long)field(&p, INT64_MAX),
		    last = (long long)field(&p, INT64_MAX);

		(void)first;
		yes = count >= BOUNCE_LIMIT && now - last < BOUNCE_SUPPRESS;
	}
	buf_fini(&k);
	buf_fini(&v);
	return yes;
}

long
state_purge(struct store *st, const char *cutoff)
{
	return record_purge(st, STORE_DB_REPORT, SENT_PREFIX, cutoff);
}
