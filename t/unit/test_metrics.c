/* Unit tests for tlspolicy/base/metrics: counting and the Prometheus text. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "tap.h"

/* has_line - out holds line as a whole line */
static int
has_line(const struct buf *out, const char *line)
{
	size_t n = strlen(line);
	const char *p = out->data;

	while (p && (p = strstr(p, line)) != NULL) {
		if ((p == out->data || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

int
main(void)
{
	struct buf out;
	const char *l[4];

	/* answer kinds: the first word of the answer */
	is_int(metrics_answer_kind(NULL), METRICS_ANSWER_NOTFOUND, "no answer: notfound");
	is_int(metrics_answer_kind("dane-only"), METRICS_ANSWER_DANE_ONLY, "dane-only");
	is_int(metrics_answer_kind("dane"), METRICS_ANSWER_DANE, "dane is not dane-only");
	is_int(metrics_answer_kind("secure match=mx.example"), METRICS_ANSWER_SECURE,
	    "secure with attributes");
	is_int(metrics_answer_kind("securex"), METRICS_ANSWER_OTHER, "a longer word is other");
	is_int(metrics_answer_kind(""), METRICS_ANSWER_OTHER, "empty answer is other");

	metrics_reset();
	metrics_lookup(METRICS_MAP_POSTFIX, METRICS_ANSWER_DANE_ONLY, 0.00005);
	metrics_lookup(METRICS_MAP_POSTFIX, METRICS_ANSWER_DANE_ONLY, 0.003);
	metrics_lookup(METRICS_MAP_EXIM, METRICS_ANSWER_NOTFOUND, 7.5);
	metrics_lookup(METRICS_MAP_COUNT, METRICS_ANSWER_NOTFOUND, 1);  /* ignored */
	metrics_cache_lookup(METRICS_CACHE_MTASTS, 1);
	metrics_cache_lookup(METRICS_CACHE_MTASTS, 0);
	metrics_cache_lookup(METRICS_CACHE_MTASTS, 1);
	metrics_sts_fetch();
	metrics_sts_failure("sts-webpki-invalid");
	metrics_sts_failure("no-such-type");
	metrics_dns_query(52);
	metrics_dns_query(16);
	metrics_dns_query(99);
	metrics_dns_failure(METRICS_DNS_TIMEOUT);
	metrics_session("sts", NULL);
	metrics_session("sts", "");
	metrics_session("tlsa", "certificate-expired");
	metrics_session("no-policy-found", "made-up-type");
	metrics_session("odd", NULL);
	metrics_handshakes(METRICS_MTA_POSTFIX, -1, 5);
	metrics_handshakes(METRICS_MTA_POSTFIX, METRICS_HS_UNKNOWN_CA, 2);
	metrics_handshakes(METRICS_MTA_POSTFIX, METRICS_HS_REASON_COUNT, 1);   /* out of range: dropped */
	metrics_handshakes(METRICS_MTA_COUNT, METRICS_HS_EOF, 1);
	metrics_handshakes(METRICS_MTA_EXIM, -1, 3);
	metrics_handshakes(METRICS_MTA_EXIM, METRICS_HS_EOF, 4);
	is_int(metrics.latency_count, 3, "three lookups timed");

	buf_init(&out, 1 << 20);
	is_int(metrics_write(&out, &metrics), 0, "all counters written");
	ok(has_line(&out, "# TYPE tlspolicyd_lookups_total counter"), "lookups: TYPE line");
	ok(has_line(&out, "tlspolicyd_lookups_total{map=\"postfix\",answer=\"dane-only\"} 2"),
	    "lookups by map and answer");
	ok(has_line(&out, "tlspolicyd_lookups_total{map=\"exim\",answer=\"notfound\"} 1"),
	    "exim lookups");
	ok(has_line(&out, "tlspolicyd_lookups_total{map=\"postfix-tlsrpt\",answer=\"secure\"} 0"),
	    "every label combination written, zero included");
	ok(has_line(&out, "# TYPE tlspolicyd_lookup_duration_seconds histogram"), "histogram TYPE");
	ok(has_line(&out, "tlspolicyd_lookup_duration_seconds_bucket{le=\"0.0001\"} 1"),
	    "first bucket");
	ok(has_line(&out, "tlspolicyd_lookup_duration_seconds_bucket{le=\"0.0025\"} 1"),
	    "bucket below 3 ms");
	ok(has_line(&out, "tlspolicyd_lookup_duration_seconds_bucket{le=\"0.005\"} 2"),
	    "buckets are cumulative");
	ok(has_line(&out, "tlspolicyd_lookup_duration_seconds_bucket{le=\"5\"} 2"),
	    "7.5 s is over the last bound");
	ok(has_line(&out, "tlspolicyd_lookup_duration_seconds_bucket{le=\"+Inf\"} 3"),
	    "+Inf holds all");
	ok(has_line(&out, "tlspolicyd_lookup_duration_seconds_count 3"), "histogram count");
	ok(strstr(out.data, "tlspolicyd_lookup_duration_seconds_sum 7.50305") != NULL,
	    "histogram sum");
	ok(has_line(&out, "tlspolicyd_cache_lookups_total{cache=\"mta-sts\",result=\"hit\"} 2"),
	    "cache hits");
	ok(has_line(&out, "tlspolicyd_cache_lookups_total{cache=\"mta-sts\",result=\"miss\"} 1"),
	    "cache misses");
	ok(has_line(&out, "tlspolicyd_sts_policy_fetches_total 1"), "fetches");
	ok(has_line(&out, "tlspolicyd_sts_policy_fetch_failures_total{result_type=\"sts-webpki-invalid\"} 1"),
	    "fetch failure by type");
	ok(has_line(&out, "tlspolicyd_sts_policy_fetch_failures_total{result_type=\"sts-policy-fetch-error\"} 1"),
	    "unknown failure type counted as sts-policy-fetch-error");
	ok(has_line(&out, "tlspolicyd_dns_queries_total{type=\"TLSA\"} 1"), "TLSA queries");
	ok(has_line(&out, "tlspolicyd_dns_queries_total{type=\"other\"} 1"), "other query types");
	ok(has_line(&out, "tlspolicyd_dns_failures_total{reason=\"timeout\"} 1"), "DNS timeouts");
	ok(has_line(&out, "tlspolicyd_sessions_total{policy_type=\"sts\",result=\"success\"} 2"),
	    "successes (NULL and empty result type)");
	ok(has_line(&out, "tlspolicyd_sessions_total{policy_type=\"tlsa\",result=\"certificate-expired\"} 1"),
	    "failures by result type");
	ok(has_line(&out, "tlspolicyd_sessions_total{policy_type=\"no-policy-found\",result=\"validation-failure\"} 1"),
	    "an unknown result type counts as validation-failure");
	ok(has_line(&out, "tlspolicyd_sessions_total{policy_type=\"no-policy-found\",result=\"success\"} 1"),
	    "an unknown policy type counts as no-policy-found");
	ok(has_line(&out, "tlspolicyd_incoming_handshakes_total{mta=\"postfix\",outcome=\"success\",reason=\"none\"} 5"),
	    "incoming handshakes: successes");
	ok(has_line(&out, "tlspolicyd_incoming_handshakes_total{mta=\"postfix\",outcome=\"failure\",reason=\"unknown_ca\"} 2"),
	    "incoming handshakes: failures by reason");
	ok(has_line(&out, "tlspolicyd_incoming_handshakes_total{mta=\"postfix\",outcome=\"failure\",reason=\"other\"} 0"),
	    "an out-of-range reason or MTA is not counted anywhere");
	ok(has_line(&out, "tlspolicyd_incoming_handshakes_total{mta=\"exim\",outcome=\"success\",reason=\"none\"} 3"),
	    "incoming handshakes of Exim: successes");
	ok(has_line(&out, "tlspolicyd_incoming_handshakes_total{mta=\"exim\",outcome=\"failure\",reason=\"eof\"} 4"),
	    "incoming handshakes of Exim: failures, apart from Postfix's");
	ok(has_line(&out, "tlspolicyd_incoming_handshakes_total{mta=\"postfix\",outcome=\"failure\",reason=\"eof\"} 0"),
	    "... which they do not change");
	ok(out.len > 0 && out.data[out.len - 1] == '\n', "ends with a newline");

	/* samples: escaping and number forms */
	buf_reset(&out);
	l[0] = "source";
	l[1] = "/var/log/a\"b\\c\nd";
	is_int(metrics_write_sample(&out, "x_total", l, 1, 3), 0, "sample written");
	is_str(out.data, "x_total{source=\"/var/log/a\\\"b\\\\c\\nd\"} 3\n",
	    "label value escaped: quote, backslash, newline");
	buf_reset(&out);
	metrics_write_sample(&out, "g", l, 0, 0.25);
	metrics_write_sample(&out, "g", l, 0, 1796101772);
	metrics_write_sample(&out, "g", l, 0, 18446744073709551615.0);
	is_str(out.data, "g 0.25\ng 1796101772\ng 1.8446744073709552e+19\n",
	    "fractions, integers, and large values in exponent form");
	buf_reset(&out);
	is_int(metrics_write_family(&out, "g", "gauge", "A gauge."), 0, "family written");
	is_str(out.data, "# HELP g A gauge.\n# TYPE g gauge\n", "HELP and TYPE lines");
	buf_fini(&out);

	/* a full buffer is an error, not a truncated page */
	buf_init(&out, 100);
	is_int(metrics_write(&out, &metrics), -1, "too small a buffer fails");
	buf_fini(&out);
	return tap_done();
}
