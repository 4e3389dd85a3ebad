/*
 * eximhandshakes - incoming STARTTLS handshakes from Exim's log events,
 * see eximhandshakes.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eximhandshakes.h"
#include "logparse_exim.h"
#include "xalloc.h"

/* the connection of one Exim process that has counted its success */
struct conn {
	char host[sizeof(((struct exim_event *)0)->host)];
	unsigned long pid;
	uint64_t seen;               /* last use, for the eviction; 0: a free slot */
	char addr[sizeof(((struct exim_event *)0)->addr)];
	unsigned port;
	char cipher[sizeof(((struct exim_event *)0)->cipher)];
};

struct eximhandshakes {
	handshakes_cb *cb;
	void *arg;
	uint64_t clock;
	struct conn conns[EXIMHANDSHAKES_MAX];
};

struct eximhandshakes *
eximhandshakes_new(handshakes_cb *cb, void *arg)
{
	struct eximhandshakes *h = xcalloc(1, sizeof(*h));

	h->cb = cb;
	h->arg = arg;
	return h;
}

void
eximhandshakes_free(struct eximhandshakes *h)
{
	free(h);
}

/* find - the slot of ev's process, or NULL; *free_slot: the slot to take
 * for it (a free one, else the least recently seen) */
static struct conn *
find(struct eximhandshakes *h, const struct exim_event *ev, struct conn **free_slot)
{
	struct conn *c, *old = &h->conns[0];

	for (size_t i = 0; i < EXIMHANDSHAKES_MAX; i++) {
		c = &h->conns[i];
		if (c->seen != 0 && c->pid == ev->pid && strcmp(c->host, ev->host) == 0)
			return c;
		if (c->seen < old->seen)
			old = c;
	}
	*free_slot = old;
	return NULL;
}

/* copy - a string field of an event into its slot twin (same size) */
static void
copy(char *dst, const char *src)
{
	memcpy(dst, src, strlen(src) + 1);
}

/* success - a line with X= of a connection from a client */
static void
success(struct eximhandshakes *h, const struct exim_event *ev)
{
	struct conn *c, *slot = NULL;

	if (ev->pid == 0) {
		/* nothing to join by: one per message, none per refusal */
		if (ev->kind != EXIM_IN_REJECTED)
			h->cb(h->arg, 1, METRICS_HS_OTHER);
		return;
	}
	c = find(h, ev, &slot);
	if (c != NULL && c->port == ev->port && strcmp(c->addr, ev->addr) == 0
	    && strcmp(c->cipher, ev->cipher) == 0) {
		c->seen = ++h->clock;   /* counted already */
	} else {
		if (c == NULL)
			c = slot;
		memset(c, 0, sizeof(*c));
		copy(c->host, ev->host);
		c->pid = ev->pid;
		copy(c->addr, ev->addr);
		c->port = ev->port;
		copy(c->cipher, ev->cipher);
		c->seen = ++h->clock;
		h->cb(h->arg, 1, METRICS_HS_OTHER);
	}
	if (ev->kind == EXIM_IN_NOMAIL)
		c->seen = 0;   /* the connection is over */
}

/* over - ev's process has ended its connection */
static void
over(struct eximhandshakes *h, const struct exim_event *ev)
{
	struct conn *c, *slot;

	if (ev->pid != 0 && (c = find(h, ev, &slot)) != NULL)
		c->seen = 0;
}

void
eximhandshakes_feed(struct eximhandshakes *h, const struct exim_event *ev)
{
	switch (ev->kind) {
	case EXIM_IN_TLS_FAILED:
		h->cb(h->arg, 0, handshake_reason(ev->text, strlen(ev->text)));
		over(h, ev);
		break;
	case EXIM_RECEIVED:
	case EXIM_IN_REJECTED:
	case EXIM_IN_NOMAIL:
		/* a client's connection with TLS (a local "<=" names none) */
		if (ev->addr[0] != '\0' && ev->cipher[0] != '\0')
			success(h, ev);
		else if (ev->kind == EXIM_IN_NOMAIL)
			over(h, ev);
		break;
	default:
		break;
	}
}
