/*
 * attrib - which policy a session counts against (SPEC 4): the decision
 * records of the session's UTC day and recipient domain say what the
 * daemon served.
 *
 *   1. TLSA records for the domain that day ("tlsa" decisions): a session
 *      to an MX host that is one of their TLSA base domains, or a DANE
 *      failure (dnssec-invalid, tlsa-invalid, dane-required), counts under
 *      policy type tlsa with that base domain (the MX host when unknown).
 *   2. An MTA-STS policy that day ("sts" decisions; with several ids, the
 *      one whose mx patterns match, else the newest key): mode enforce
 *      counts the logged outcome under type sts; mode testing judges the
 *      session as enforce mode would have (plaintext: starttls-not-
 *      supported; MX host outside the patterns: certificate-host-mismatch
 *      "mx-not-in-policy"; certificate not at least Trusted: certificate-
 *      not-trusted, or the result_type of a successful but unverified
 *      session, which the Exim log tells) - the MTA applied no policy,
 *      so only this tells the domain owner what enforce would break;
 *      mode none is no policy.
 *   3. Only a policy failure that day ("failure" decisions, no policy
 *      served): the session counts as that failure (sts-policy-fetch-error
 *      and the like) under type sts, whatever its TLS outcome.
 *   4. Otherwise no-policy-found.
 * Decisions are read once per (day, domain); today's again after
 * attrib_forget(); a record taken from the log (attrib_add) joins them
 * at once, for every day.
 */
#ifndef TLSPOLICY_ATTRIB_H
#define TLSPOLICY_ATTRIB_H

struct store;
struct session_outcome;
struct result_rec;
struct attrib;

/* attrib_new - st is borrowed and kept: it must outlive the attrib */
struct attrib *attrib_new(struct store *st);
void attrib_free(struct attrib *a);
/* attrib_forget - drop the decisions read for today (more may come;
 * earlier days do not change) */
void attrib_forget(struct attrib *a);
/* attrib_add - one more decision record of (day, domain), which the
 * caller has just stored (read back from a log: decisionlog): the
 * decisions already read for it take it as if read from the store,
 * records already known are not added twice */
void attrib_add(struct attrib *a, const char *day, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);
/* attrib_outcome - the counter of o into r; sendip may be "" */
void attrib_outcome(struct attrib *a, const struct session_outcome *o, const char *sendip,
    struct result_rec *r);

#endif
