/*
 * metrics - counters and their Prometheus text, see metrics.h.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "metrics.h"

struct metrics metrics;

const char *const metrics_result_types[METRICS_RESULT_TYPE_COUNT] = {
	"starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
	"certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
	"dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
};

const char *const metrics_hs_reasons[METRICS_HS_REASON_COUNT] = {
	"eof", "timeout", "handshake_failure", "bad_certificate", "unsupported_certificate",
	"certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca",
	"access_denied", "decode_error", "decrypt_error", "protocol_version",
	"insufficient_security", "internal_error", "unrecognized_name", "no_shared_cipher",
	"other",
};

static const char *const mta_names[METRICS_MTA_COUNT] = { "postfix", "exim" };

static const char *const map_names[METRICS_MAP_COUNT] = {
	"postfix", "postfix-tlsrpt", "exim", "none",
};

static const char *const answer_names[METRICS_ANSWER_COUNT] = {
	"notfound", "error", "none", "may", "encrypt", "dane", "dane-only", "fingerprint",
	"verify", "secure", "other",
};

static const char *const cache_names[METRICS_CACHE_COUNT] = { "mta-sts", "dane", "answers" };

static const char *const dns_type_names[METRICS_DNS_TYPE_COUNT] = {
	"A", "AAAA", "MX", "TXT", "TLSA", "other",
};

static const char *const dns_failure_names[METRICS_DNS_FAILURE_COUNT] = { "timeout", "error" };

static const char *const ptype_names[METRICS_PTYPE_COUNT] = { "sts", "tlsa", "no-policy-found" };

/* bucket upper bounds, seconds */
static const double latency_le[METRICS_LATENCY_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 2.5, 5,
};
static const char *const latency_le_text[METRICS_LATENCY_BUCKETS] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.05", "0.25", "1",
	"2.5", "5",
};

enum metrics_answer
metrics_answer_kind(const char *answer)
{
	size_t n;

	if (answer == NULL)
		return METRICS_ANSWER_NOTFOUND;
	n = strcspn(answer, " ");
	/* first the TLS levels, the first word of every policy answer */
	for (int i = METRICS_ANSWER_NONE; i < METRICS_ANSWER_OTHER; i++)
		if (strlen(answer_names[i]) == n && memcmp(answer, answer_names[i], n) == 0)
			return (enum metrics_answer)i;
	return METRICS_ANSWER_OTHER;
}

void
metrics_lookup(enum metrics_map map, enum metrics_answer kind, double seconds)
{
	int i;

	if ((unsigned)map >= METRICS_MAP_COUNT || (unsigned)kind >= METRICS_ANSWER_COUNT)
		return;
	metrics.lookups[map][kind]++;
	if (!(seconds >= 0))
		seconds = 0;
	for (i = 0; i < METRICS_LATENCY_BUCKETS && seconds > latency_le[i]; i++)
		;
	if (i < METRICS_LATENCY_BUCKETS)
		metrics.latency_bucket[i]++;
	metrics.latency_count++;
	metrics.latency_sum += seconds;
}

void
metrics_cache_lookup(enum metrics_cache cache, int hit)
{
	if ((unsigned)cache < METRICS_CACHE_COUNT)
		metrics.cache[cache][hit ? 1 : 0]++;
}

void
metrics_sts_fetch(void)
{
	metrics.sts_fetches++;
}

/* result_index - index of an RFC 8460 result type, or -1 */
static int
result_index(const char *type)
{
	for (int i = 0; type && i < METRICS_RESULT_TYPE_COUNT; i++)
		if (strcmp(type, metrics_result_types[i]) == 0)
			return i;
	return -1;
}

void
metrics_sts_failure(const char *result_type)
{
	int i = result_index(result_type);

	metrics.sts_failures[i >= 0 ? i : result_index("sts-policy-fetch-error")]++;
}

void
metrics_dns_query(uint16_t qtype)
{
	enum metrics_dns_type t;

	switch (qtype) {
	case 1: t = METRICS_DNS_A; break;
	case 28: t = METRICS_DNS_AAAA; break;
	case 15: t = METRICS_DNS_MX; break;
	case 16: t = METRICS_DNS_TXT; break;
	case 52: t = METRICS_DNS_TLSA; break;
	default: t = METRICS_DNS_OTHER; break;
	}
	metrics.dns_queries[t]++;
}

void
metrics_dns_failure(enum metrics_dns_failure why)
{
	if ((unsigned)why < METRICS_DNS_FAILURE_COUNT)
		metrics.dns_failures[why]++;
}

void
metrics_dns_answer(int ad)
{
	metrics.dns_answers[ad ? 1 : 0]++;
}

void
metrics_session(const char *ptype, const char *result_type)
{
	int p, r = 0;

	for (p = 0; p < METRICS_PTYPE_COUNT; p++)
		if (strcmp(ptype, ptype_names[p]) == 0)
			break;
	if (p == METRICS_PTYPE_COUNT)
		p = METRICS_PTYPE_COUNT - 1;
	if (result_type && result_type[0]) {
		/* a failure of no known type counts as validation-failure */
		r = result_index(result_type);
		r = 1 + (r >= 0 ? r : result_index("validation-failure"));
	}
	metrics.sessions[p][r]++;
}

void
metrics_handshakes(enum metrics_mta mta, int reason, uint64_t n)
{
	if ((unsigned)mta >= METRICS_MTA_COUNT || reason >= METRICS_HS_REASON_COUNT)
		return;
	metrics.handshakes[mta][reason < 0 ? 0 : 1 + reason] += n;
}

void
metrics_reset(void)
{
	memset(&metrics, 0, sizeof(metrics));
}

double
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- exposition --------------------------------------------------------- */

/* put_escaped - a label value: backslash, double quote and newline
 * escaped (the text format's rules) */
static int
put_escaped(struct buf *out, const char *s)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		switch (*s) {
		case '\\': rc = buf_append(out, "\\\\", 2); break;
		case '"': rc = buf_append(out, "\\\"", 2); break;
		case '\n': rc = buf_append(out, "\\n", 2); break;
		default: rc = buf_append(out, s, 1); break;
		}
	}
	return rc;
}

int
metrics_write_family(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int
metrics_write_sample(struct buf *out, const char *name, const char *const *labels,
    int nlabels, double value)
{
	int rc = buf_puts(out, name);

	for (int i = 0; i < nlabels && rc == 0; i++) {
		rc = buf_printf(out, "%s%s=\"", i ? "," : "{", labels[2 * i]);
		if (rc == 0)
			rc = put_escaped(out, labels[2 * i + 1]);
		if (rc == 0)
			rc = buf_puts(out, "\"");
	}
	if (rc == 0 && nlabels > 0)
		rc = buf_puts(out, "}");
	if (rc < 0)
		return -1;
	if (isnan(value))
		return buf_puts(out, " NaN\n");
	if (isinf(value))
		return buf_puts(out, value > 0 ? " +Inf\n" : " -Inf\n");
	/* counters: integral, printed without a fraction */
	if (value >= 0 && value < 9007199254740992.0 && (double)(uint64_t)value == value)
		return buf_printf(out, " %llu\n", (unsigned long long)value);
	return buf_printf(out, " %.17g\n", value);
}

#define SAMPLE(name, labels, n, v) \
	do { if (metrics_write_sample(out, (name), (labels), (n), (double)(v)) < 0) return -1; } while (0)
#define FAMILY(name, type, help) \
	do { if (metrics_write_family(out, (name), (type), (help)) < 0) return -1; } while (0)

static int
write_lookups(struct buf *out, const struct metrics *m)
{
	const char *l[4] = { "map", NULL, "answer", NULL };
	uint64_t cum = 0;

	FAMILY("tlspolicyd_lookups_total", "counter",
	    "Policy lookups answered, by map name and answer kind (the TLS level, notfound or error).");
	for (int i = 0; i < METRICS_MAP_COUNT; i++)
		for (int j = 0; j < METRICS_ANSWER_COUNT; j++) {
			l[1] = map_names[i];
			l[3] = answer_names[j];
			SAMPLE("tlspolicyd_lookups_total", l, 2, m->lookups[i][j]);
		}
	FAMILY("tlspolicyd_lookup_duration_seconds", "histogram",
	    "Time from a lookup request to its answer.");
	for (int i = 0; i < METRICS_LATENCY_BUCKETS; i++) {
		l[0] = "le";
		l[1] = latency_le_text[i];
		cum += m->latency_bucket[i];
		SAMPLE("tlspolicyd_lookup_duration_seconds_bucket", l, 1, cum);
	}
	l[1] = "+Inf";
	SAMPLE("tlspolicyd_lookup_duration_seconds_bucket", l, 1, m->latency_count);
	SAMPLE("tlspolicyd_lookup_duration_seconds_sum", l, 0, m->latency_sum);
	SAMPLE("tlspolicyd_lookup_duration_seconds_count", l, 0, m->latency_count);
	return 0;
}

static int
write_handshakes(struct buf *out, const struct metrics *m)
{
	const char *l[6] = { "mta", NULL, "outcome", NULL, "reason", NULL };

	FAMILY("tlspolicyd_incoming_handshakes_total", "counter",
	    "Incoming STARTTLS handshakes counted from the MTA logs (other senders connecting "
	    "to our SMTP server), by MTA, outcome and reason (the TLS alert the client sent, "
	    "eof, timeout...; none for a success).");
	for (int i = 0; i < METRICS_MTA_COUNT; i++)
		for (int r = 0; r <= METRICS_HS_REASON_COUNT; r++) {
			l[1] = mta_names[i];
			l[3] = r == 0 ? "success" : "failure";
			l[5] = r == 0 ? "none" : metrics_hs_reasons[r - 1];
			SAMPLE("tlspolicyd_incoming_handshakes_total", l, 3, m->handshakes[i][r]);
		}
	return 0;
}

int
metrics_write(struct buf *out, const struct metrics *m)
{
	const char *l[4] = { NULL, NULL, NULL, NULL };

	if (write_lookups(out, m) < 0)
		return -1;
	FAMILY("tlspolicyd_cache_lookups_total", "counter",
	    "Lookups in the answer, MTA-STS and DANE caches by result (hit: the domain was cached).");
	l[0] = "cache";
	l[2] = "result";
	for (int i = 0; i < METRICS_CACHE_COUNT; i++)
		for (int h = 1; h >= 0; h--) {
			l[1] = cache_names[i];
			l[3] = h ? "hit" : "miss";
			SAMPLE("tlspolicyd_cache_lookups_total", l, 2, m->cache[i][h]);
		}
	FAMILY("tlspolicyd_sts_policy_fetches_total", "counter",
	    "MTA-STS policy fetches (HTTPS requests) started.");
	SAMPLE("tlspolicyd_sts_policy_fetches_total", l, 0, m->sts_fetches);
	FAMILY("tlspolicyd_sts_policy_fetch_failures_total", "counter",
	    "MTA-STS policy fetches that failed, by RFC 8460 result type.");
	l[0] = "result_type";
	for (int i = METRICS_RESULT_TYPE_COUNT - 3; i < METRICS_RESULT_TYPE_COUNT; i++) {
		l[1] = metrics_result_types[i];
		SAMPLE("tlspolicyd_sts_policy_fetch_failures_total", l, 1, m->sts_failures[i]);
	}
	FAMILY("tlspolicyd_dns_queries_total", "counter", "DNS queries sent, by record type.");
	l[0] = "type";
	for (int i = 0; i < METRICS_DNS_TYPE_COUNT; i++) {
		l[1] = dns_type_names[i];
		SAMPLE("tlspolicyd_dns_queries_total", l, 1, m->dns_queries[i]);
	}
	FAMILY("tlspolicyd_dns_failures_total", "counter",
	    "DNS queries without a usable answer, by reason.");
	l[0] = "reason";
	for (int i = 0; i < METRICS_DNS_FAILURE_COUNT; i++) {
		l[1] = dns_failure_names[i];
		SAMPLE("tlspolicyd_dns_failures_total", l, 1, m->dns_failures[i]);
	}
	FAMILY("tlspolicyd_dns_answers_total", "counter",
	    "DNS answers received, by whether the resolver authenticated them (AD bit).");
	l[0] = "authenticated";
	for (int i = 1; i >= 0; i--) {
		l[1] = i ? "yes" : "no";
		SAMPLE("tlspolicyd_dns_answers_total", l, 1, m->dns_answers[i]);
	}
	FAMILY("tlspolicyd_sessions_total", "counter",
	    "Outgoing SMTP sessions counted from the MTA logs, by policy type and result "
	    "(success or the RFC 8460 result type).");
	l[0] = "policy_type";
	l[2] = "result";
	for (int p = 0; p < METRICS_PTYPE_COUNT; p++)
		for (int r = 0; r <= METRICS_RESULT_TYPE_COUNT; r++) {
			l[1] = ptype_names[p];
			l[3] = r == 0 ? "success" : metrics_result_types[r - 1];
			SAMPLE("tlspolicyd_sessions_total", l, 2, m->sessions[p][r]);
		}
	return write_handshakes(out, m);
}
