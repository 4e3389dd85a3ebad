/*
 * decision - decision records for the reporter, see decision.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "decision.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

/* the records the store could not take yet, oldest first */
struct queued {
	struct queued *next;
	size_t klen, vlen;
	char data[];       /* key, then value */
};

static struct {
	struct queued *head, **tail;
	size_t n, bytes;
	unsigned long long dropped;
} queue = { NULL, &queue.head, 0, 0, 0 };

static void
enqueue(const char *key, size_t klen, const char *value, size_t vlen)
{
	struct queued *q;

	if (queue.bytes + klen + vlen > DECISION_QUEUE_MAX) {
		queue.dropped++;
		return;
	}
	q = xmalloc(sizeof(*q) + klen + vlen);
	q->next = NULL;
	q->klen = klen;
	q->vlen = vlen;
	memcpy(q->data, key, klen);
	if (vlen)
		memcpy(q->data + klen, value, vlen);
	*queue.tail = q;
	queue.tail = &q->next;
	queue.n++;
	queue.bytes += klen + vlen;
}

size_t
decision_flush(struct store *st)
{
	struct queued *q;

	while ((q = queue.head) != NULL) {
		if (store_put(st, NULL, STORE_DB_DECISION, q->data, q->klen, q->data + q->klen,
		    q->vlen) < 0)
			break;
		queue.head = q->next;
		if (queue.head == NULL)
			queue.tail = &queue.head;
		queue.n--;
		queue.bytes -= q->klen + q->vlen;
		free(q);
	}
	return queue.n;
}

void
decision_queue_stats(size_t *queued, unsigned long long *dropped)
{
	*queued = queue.n;
	*dropped = queue.dropped;
}

long
decision_day(void)
{
	return (long)(time(NULL) / 86400);
}

void
decision_daystr(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

void
decision_record(struct store *st, const char *domain, const char *kind, const char *what,
    const char *value, size_t vlen)
{
	char day[11];
	struct buf key;

	decision_daystr(time(NULL), day);
	buf_init(&key, 1024);
	buf_printf(&key, "%s\t%s\t%s\t%s", day, domain, kind, what);
	/* behind queued records: write those first, keeping the order */
	if ((queue.head != NULL && decision_flush(st) > 0)
	    || store_put(st, NULL, STORE_DB_DECISION, key.data, key.len, value, vlen) < 0) {
		if (store_should_log(st))
			log_warnx("store: %s decision for %s kept in memory until the store "
			    "takes it: %s", kind, domain, store_strerror(st));
		enqueue(key.data, key.len, value, vlen);
	}
	buf_fini(&key);
}
