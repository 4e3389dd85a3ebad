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
#include "decisionlog.h"
#include "fpset.h"
#include "log.h"
#include "record.h"
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

	/* committed as decision_record commits, without waiting for the disk
	 * (a queue of thousands must not cost a disk flush each) */
	while ((q = queue.head) != NULL) {
		if (store_put_lazy(st, STORE_DB_DECISION, q->data, q->klen, q->data + q->klen,
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

/* put - write key[klen] = value[vlen], or queue it; -1 if it was dropped */
static int
put(struct store *st, const char *domain, const char *kind, const char *key, size_t klen,
    const char *value, size_t vlen)
{
	unsigned long long dropped = queue.dropped;

	/* A lookup waits for this write: the commit goes to the operating
	 * system, which keeps it through a crash of the process, and the disk
	 * gets it with the next durable commit or checkpoint.  Behind queued
	 * records it waits its turn, keeping the order. */
	if ((queue.head != NULL && decision_flush(st) > 0)
	    || store_put_lazy(st, STORE_DB_DECISION, key, klen, value, vlen) < 0) {
		if (store_should_log(st))
			log_warnx("store: %s decision for %s kept in memory until the store "
			    "takes it: %s", kind, domain, store_strerror(st));
		enqueue(key, klen, value, vlen);
	}
	return queue.dropped == dropped ? 0 : -1;
}

void
decision_put(struct store *st, const char *day, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen)
{
	struct buf key;

	buf_init(&key, DECISION_KEY_MAX);
	decision_key(&key, day, domain, kind, what);
	(void)put(st, domain, kind, key.data, key.len, value, vlen);
	buf_fini(&key);
}

/* the records written today, key and value: an entry that left the
 * memory cache and came back does not write (and log) them again */
static struct {
	struct fpset *set;
	char day[11];
	unsigned long long skipped;
} written;

/* written_set - the set for day (emptied when the day changes) */
static struct fpset *
written_set(const char *day)
{
	if (written.set == NULL)
		written.set = fpset_new(DECISION_WRITTEN_MAX);
	if (strcmp(written.day, day) != 0) {
		fpset_clear(written.set);
		memcpy(written.day, day, sizeof(written.day));
	}
	return written.set;
}

void
decision_record(struct store *st, const char *domain, const char *kind, const char *what,
    const char *value, size_t vlen)
{
	char day[11];
	struct fpset *set;
	struct buf key, msg;
	size_t klen;

	decision_daystr(time(NULL), day);
	set = written_set(day);
	/* remembered as key NUL value (a key holds no NUL) */
	buf_init(&key, DECISION_KEY_MAX + 1 + DECISION_VALUE_MAX);
	decision_key(&key, day, domain, kind, what);
	klen = key.len;
	if (buf_append(&key, "", 1) == 0 && buf_append(&key, value, vlen) == 0
	    && fpset_has(set, key.data, key.len)) {
		written.skipped++;
		buf_fini(&key);
		return;
	}
	if (put(st, domain, kind, key.data, klen, value, vlen) == 0 && key.len > klen)
		(void)fpset_add(set, key.data, key.len);
	buf_fini(&key);
	/* and in the log, for a collector that counts this host's sessions */
	buf_init(&msg, DECISIONLOG_MSG_MAX);
	if (decisionlog_format(&msg, day, domain, kind, what, value, vlen) == 0)
		log_info("%.*s", (int)msg.len, msg.data);
	else
		log_warnx("decision day=%s domain=%s policy=%s not logged: longer than %u bytes",
		    day, domain, kind, (unsigned)DECISIONLOG_MSG_MAX);
	buf_fini(&msg);
}

unsigned long long
decision_skipped(void)
{
	return written.skipped;
}

void
decision_key(struct buf *key, const char *day, const char *domain, const char *kind,
    const char *what)
{
	buf_reset(key);
	buf_printf(key, "%s\t%s\t%s\t%s", day, domain, kind, what);
}

int
decision_get(struct store *st, const char *day, const char *domain, const char *kind,
    const char *what, struct buf *out)
{
	struct buf key;
	int rc;

	buf_init(&key, DECISION_KEY_MAX);
	decision_key(&key, day, domain, kind, what);
	rc = key.data != NULL ? store_get(st, NULL, STORE_DB_DECISION, key.data, key.len, out) : -1;
	buf_fini(&key);
	return rc;
}

/* field - the tab-free field at [p, end) into dst; -1 if it does not fit */
static int
field(char *dst, size_t dstlen, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= dstlen || memchr(p, '\0', n) != NULL)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

int
decision_foreach(struct store *st, const char *day, const char *domain, decision_fn *fn,
    void *arg)
{
	struct store_cursor *c = store_cursor_open(st, STORE_DB_DECISION);
	struct buf prefix, key, val;
	int rc;

	if (c == NULL)
		return -1;
	buf_init(&prefix, DECISION_KEY_MAX);
	buf_init(&key, DECISION_KEY_MAX);
	buf_init(&val, DECISION_VALUE_MAX);
	buf_printf(&prefix, "%s\t%s\t", day, domain);
	store_cursor_seek(c, prefix.data, prefix.len);
	while ((rc = store_cursor_next(c, &key, &val)) == 0) {
		const char *kp, *tab, *end = key.data + key.len;
		char kind[DECISION_KIND_MAX + 1], what[DECISION_WHAT_MAX + 1];

		if (key.len < prefix.len || memcmp(key.data, prefix.data, prefix.len) != 0)
			break;
		kp = key.data + prefix.len;
		/* a record this module did not write is passed over */
		if ((tab = memchr(kp, '\t', (size_t)(end - kp))) == NULL
		    || field(kind, sizeof(kind), kp, tab) < 0
		    || memchr(tab + 1, '\t', (size_t)(end - tab - 1)) != NULL
		    || field(what, sizeof(what), tab + 1, end) < 0)
			continue;
		fn(arg, kind, what, val.data != NULL ? val.data : "", val.len);
	}
	store_cursor_close(c);
	buf_fini(&prefix);
	buf_fini(&key);
	buf_fini(&val);
	return rc < 0 ? -1 : 0;
}

long
decision_purge(struct store *st, const char *cutoff)
{
	return record_purge(st, STORE_DB_DECISION, "", cutoff);
}
