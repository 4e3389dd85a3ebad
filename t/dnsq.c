/*
 * dnsq - query a resolver through tlspolicy's DNS layer (c-ares on the
 * event loop, dnswire parsing) and print what the policy code would see:
 *
 *   dnsq SERVERS NAME TYPE...    (TYPE: A AAAA CNAME MX TXT TLSA)
 *
 * All queries run at once.  For each, in the order given:
 *   NAME TYPE rcode=N ad=0|1 followed by one line per record, or
 *   NAME TYPE error: reason
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnswire.h"
#include "evloop.h"

static const struct { const char *name; uint16_t type; } types[] = {
	{ "A", DNS_TYPE_A }, { "AAAA", DNS_TYPE_AAAA }, { "CNAME", DNS_TYPE_CNAME },
	{ "MX", DNS_TYPE_MX }, { "TXT", DNS_TYPE_TXT }, { "TLSA", DNS_TYPE_TLSA },
};

struct q {
	const char *type;
	char out[8192];
	int done;
};

static int remaining;
static struct evloop *loop;

static void
answer(void *arg, enum dns_status st, const struct dns_msg *m, const char *why)
{
	struct q *q = arg;
	size_t o = 0;

#define OUT(...) o += (size_t)snprintf(q->out + o, o < sizeof(q->out) ? sizeof(q->out) - o : 0, __VA_ARGS__)
	if (st != DNS_OK) {
		OUT("error: %s\n", why ? why : "?");
	} else {
		OUT("rcode=%u ad=%d\n", m->rcode, m->ad);
		for (size_t i = 0; i < m->nrr && o < sizeof(q->out); i++) {
			const struct dns_rr *rr = &m->rr[i];
			const uint8_t *d = m->data + rr->off;

			OUT("  %s", rr->name);
			switch (rr->type) {
			case DNS_TYPE_A:
				OUT(" A %u.%u.%u.%u\n", d[0], d[1], d[2], d[3]);
				break;
			case DNS_TYPE_AAAA:
				OUT(" AAAA (16 bytes)\n");
				break;
			case DNS_TYPE_CNAME:
				OUT(" CNAME %s\n", rr->target);
				break;
			case DNS_TYPE_MX:
				OUT(" MX %u %s\n", rr->pref, rr->target);
				break;
			case DNS_TYPE_TXT:
				OUT(" TXT \"%.*s\"\n", (int)rr->len, (const char *)d);
				break;
			case DNS_TYPE_TLSA:
				OUT(" TLSA %u %u %u ", rr->usage, rr->selector, rr->mtype);
				for (size_t k = 0; k < rr->len; k++)
					OUT("%02x", d[k]);
				OUT("\n");
				break;
			}
		}
	}
	(void)o;
	q->done = 1;
	if (--remaining == 0)
		evloop_stop(loop);
}

int
main(int argc, char **argv)
{
	struct dns *dns;
	struct q *qs;
	char err[256];
	int n = (argc - 2) / 2;

	if (argc < 4 || argc % 2 != 0) {
		fprintf(stderr, "usage: dnsq SERVERS NAME TYPE [NAME TYPE...]\n");
		return 2;
	}
	loop = evloop_new();
	if ((dns = dns_new(loop, &argv[1], 1, 2000, 2, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dnsq: %s\n", err);
		return 1;
	}
	qs = calloc((size_t)n, sizeof(*qs));
	remaining = n;
	for (int i = 0; i < n; i++) {
		uint16_t type = 0;

		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			if (strcmp(argv[3 + 2 * i], types[k].name) == 0)
				type = types[k].type;
		if (type == 0) {
			fprintf(stderr, "dnsq: unknown type %s\n", argv[3 + 2 * i]);
			return 2;
		}
		qs[i].type = argv[3 + 2 * i];
		dns_query(dns, argv[2 + 2 * i], type, answer, &qs[i]);
	}
	if (remaining > 0)
		evloop_run(loop);
	for (int i = 0; i < n; i++)
		printf("%s %s %s", argv[2 + 2 * i], qs[i].type, qs[i].out);
	dns_free(dns);
	evloop_free(loop);
	free(qs);
	return 0;
}
