/*
 * metrics - the process's event counters and their Prometheus text
 * exposition (format 0.0.4).
 *
 * The counters are fixed arrays in one static struct: counting an event
 * is an index and an increment, never an allocation, and every label set
 * is bounded by its enum (no domain names in labels).  The code where an
 * event happens counts it (lookups in the daemon's handlers, DNS queries
 * in dns.c, fetches in mtasts.c, sessions in ingest.c, cache lookups in
 * mtasts.c and dane.c, incoming handshakes in ingest.c when what was
 * read is committed).  Single-threaded: the counters are read and
 * written on the event loop only.  Gauges (sizes, start time) are not
 * kept here: the exposition code computes them and writes them with
 * metrics_write_family() / metrics_write_sample().
 *
 * metrics_write() renders every counter of the struct; metrics_reset()
 * zeroes it (tests).
 */
#ifndef TLSPOLICY_METRICS_H
#define TLSPOLICY_METRICS_H

#include <stdint.h>

struct buf;

enum metrics_map {
	METRICS_MAP_POSTFIX,
	METRICS_MAP_POSTFIX_TLSRPT,
	METRICS_MAP_EXIM,
	METRICS_MAP_NONE,            /* malformed request or unknown map name */
	METRICS_MAP_COUNT
};

/* the answer's kind: its TLS level, or why there is none */
enum metrics_answer {
	METRICS_ANSWER_NOTFOUND,
	METRICS_ANSWER_ERROR,        /* refused request (PERM) */
	METRICS_ANSWER_NONE,
	METRICS_ANSWER_MAY,
	METRICS_ANSWER_ENCRYPT,
	METRICS_ANSWER_DANE,
	METRICS_ANSWER_DANE_ONLY,
	METRICS_ANSWER_FINGERPRINT,
	METRICS_ANSWER_VERIFY,
	METRICS_ANSWER_SECURE,
	METRICS_ANSWER_OTHER,
	METRICS_ANSWER_COUNT
};

enum metrics_cache {
	METRICS_CACHE_MTASTS, METRICS_CACHE_DANE, METRICS_CACHE_ANSWERS, METRICS_CACHE_COUNT
};

enum metrics_dns_type {
	METRICS_DNS_A, METRICS_DNS_AAAA, METRICS_DNS_MX, METRICS_DNS_TXT, METRICS_DNS_TLSA,
	METRICS_DNS_OTHER, METRICS_DNS_TYPE_COUNT
};

enum metrics_dns_failure { METRICS_DNS_TIMEOUT, METRICS_DNS_ERROR, METRICS_DNS_FAILURE_COUNT };

/* the RFC 8460 result types, in the order of metrics_result_types[] */
#define METRICS_RESULT_TYPE_COUNT 11
extern const char *const metrics_result_types[METRICS_RESULT_TYPE_COUNT];

/* policy types of the sessions: sts, tlsa, no-policy-found */
#define METRICS_PTYPE_COUNT 3

/* the MTAs whose incoming STARTTLS handshakes are counted (the label
 * "mta": postfix, exim) */
enum metrics_mta { METRICS_MTA_POSTFIX, METRICS_MTA_EXIM, METRICS_MTA_COUNT };

/* why an incoming STARTTLS handshake failed: the TLS alert the client
 * sent (RFC 8446 6, RFC 5246 7.2 names), the connection dropped (eof) or
 * timed out, no cipher in common, or another error; names in
 * metrics_hs_reasons[] */
enum metrics_hs_reason {
	METRICS_HS_EOF, METRICS_HS_TIMEOUT, METRICS_HS_HANDSHAKE_FAILURE,
	METRICS_HS_BAD_CERTIFICATE, METRICS_HS_UNSUPPORTED_CERTIFICATE,
	METRICS_HS_CERTIFICATE_REVOKED, METRICS_HS_CERTIFICATE_EXPIRED,
	METRICS_HS_CERTIFICATE_UNKNOWN, METRICS_HS_UNKNOWN_CA, METRICS_HS_ACCESS_DENIED,
	METRICS_HS_DECODE_ERROR, METRICS_HS_DECRYPT_ERROR, METRICS_HS_PROTOCOL_VERSION,
	METRICS_HS_INSUFFICIENT_SECURITY, METRICS_HS_INTERNAL_ERROR,
	METRICS_HS_UNRECOGNIZED_NAME, METRICS_HS_NO_SHARED_CIPHER, METRICS_HS_OTHER,
	METRICS_HS_REASON_COUNT
};
extern const char *const metrics_hs_reasons[METRICS_HS_REASON_COUNT];

/* upper bounds of the lookup latency histogram, in seconds */
#define METRICS_LATENCY_BUCKETS 12

struct metrics {
	uint64_t lookups[METRICS_MAP_COUNT][METRICS_ANSWER_COUNT];
	uint64_t latency_bucket[METRICS_LATENCY_BUCKETS];  /* not cumulative */
	uint64_t latency_count;
	double latency_sum;
	uint64_t cache[METRICS_CACHE_COUNT][2];            /* [miss, hit] */
	uint64_t sts_fetches;
	uint64_t sts_failures[METRICS_RESULT_TYPE_COUNT];
	uint64_t dns_queries[METRICS_DNS_TYPE_COUNT];
	uint64_t dns_failures[METRICS_DNS_FAILURE_COUNT];
	uint64_t dns_answers[2];                           /* [without, with] the AD bit */
	uint64_t sessions[METRICS_PTYPE_COUNT][METRICS_RESULT_TYPE_COUNT + 1]; /* [0]: success */
	/* incoming STARTTLS handshakes: [0] succeeded, [1 + reason] failed */
	uint64_t handshakes[METRICS_MTA_COUNT][METRICS_HS_REASON_COUNT + 1];
};

extern struct metrics metrics;

/* metrics_answer_kind - the kind of an answer text ("dane-only", "secure
 * match=..."); NULL for NOTFOUND */
enum metrics_answer metrics_answer_kind(const char *answer);
/* metrics_lookup - one lookup answered after seconds */
void metrics_lookup(enum metrics_map map, enum metrics_answer kind, double seconds);
void metrics_cache_lookup(enum metrics_cache cache, int hit);
void metrics_sts_fetch(void);
/* metrics_sts_failure - a failed policy fetch of an RFC 8460 type (others
 * count as sts-policy-fetch-error) */
void metrics_sts_failure(const char *result_type);
void metrics_dns_query(uint16_t qtype);
void metrics_dns_failure(enum metrics_dns_failure why);
/* metrics_dns_answer - an answer parsed, ad: with the AD bit */
void metrics_dns_answer(int ad);
/* metrics_session - one session counted from a log: ptype "sts", "tlsa"
 * or "no-policy-found"; result_type NULL or "" for a success */
void metrics_session(const char *ptype, const char *result_type);
/* metrics_handshakes - n incoming STARTTLS handshakes to mta that
 * succeeded (reason < 0) or failed for reason */
void metrics_handshakes(enum metrics_mta mta, int reason, uint64_t n);
void metrics_reset(void);

/* metrics_now - a monotonic time in seconds, for latencies */
double metrics_now(void);

/*
 * Exposition.  metrics_write_family - the "# HELP" and "# TYPE" lines of
 * a family (type "counter", "gauge" or "histogram").  metrics_write_sample
 * - one sample: name, then nlabels label pairs from labels[] (name,
 * value, name, value, ...; the values escaped here), then the value
 * (integral values without a fraction).  All return 0, or -1 when out is
 * full.
 */
int metrics_write_family(struct buf *out, const char *name, const char *type,
    const char *help);
int metrics_write_sample(struct buf *out, const char *name, const char *const *labels,
    int nlabels, double value);
/* metrics_write - every counter of m */
int metrics_write(struct buf *out, const struct metrics *m);

#endif
