/*
 * reportbuild - build (not send) every report of one day from a store:
 * JSON, gzip and the e-mail, as tlspolicy-report does for each domain,
 * and print the time and the peak memory.
 *
 * usage: reportbuild STATE_DIRECTORY YYYY-MM-DD
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "buf.h"
#include "message.h"
#include "report.h"
#include "store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct report_meta meta = { "Bench Org", "tlsrpt@sender.example", "sender.example" };
	struct store *st;
	struct report_day *d;
	char err[256], id[600];
	struct buf json, gz, msg;
	struct rusage ru;
	size_t reports = 0, details = 0, bytes = 0;
	double t0, t1;

	if (argc != 3) {
		fprintf(stderr, "usage: reportbuild STATE_DIRECTORY YYYY-MM-DD\n");
		return 2;
	}
	if ((st = store_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "reportbuild: %s\n", err);
		return 1;
	}
	t0 = now();
	if ((d = report_day_load(st, argv[2])) == NULL) {
		fprintf(stderr, "reportbuild: %s\n", store_strerror(st));
		return 1;
	}
	buf_init(&json, 64 << 20);
	buf_init(&gz, 64 << 20);
	buf_init(&msg, 128 << 20);
	for (size_t i = 0; i < d->ndomains; i++) {
		struct message_info mi = { 0 };

		for (size_t j = 0; j < d->domains[i].npolicies; j++)
			details += d->domains[i].policies[j].ndetails;
		buf_reset(&json);
		buf_reset(&gz);
		buf_reset(&msg);
		if (report_json(st, d, &meta, d->domains[i].domain, 0, &json) < 0
		    || message_gzip(json.data, json.len, &gz) < 0)
			continue;
		report_id(d, d->domains[i].domain, meta.submitter, id, sizeof(id));
		mi.from = meta.contact;
		mi.to = "tlsrpt@recipient.example";
		mi.domain = d->domains[i].domain;
		mi.submitter = meta.submitter;
		mi.report_id = id;
		mi.start = d->start;
		mi.end = d->start + 86399;
		mi.now = time(NULL);
		if (message_build(&mi, &gz, &msg) < 0)
			continue;
		reports++;
		bytes += msg.len;
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("domains %zu, reports built %zu, failure details %zu, messages %zu bytes\n",
	    d->ndomains, reports, details, bytes);
	printf("time %.3f s, peak memory %.1f MB\n", t1 - t0, (double)ru.ru_maxrss / 1024.0);
	report_day_free(d);
	buf_fini(&json);
	buf_fini(&gz);
	buf_fini(&msg);
	store_close(st);
	return 0;
}
