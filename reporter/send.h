/*
 * send - hand one report to sendmail (fork + execve with an argv, the
 * message on standard input, never a shell) or POST it over HTTPS.
 */
#ifndef TLSPOLICY_SEND_H
#define TLSPOLICY_SEND_H

#include <stddef.h>

struct dns;
struct evloop;
struct https_client;
struct tlsrpt_uri;

/* send_mail - "sendmail -oi -f from to" with msg on stdin; 0 when it
 * exits 0 within timeout_s, else -1 with the reason in err */
int send_mail(const char *sendmail_path, const char *from, const char *to, const char *msg,
    size_t len, unsigned timeout_s, char *err, size_t errlen);

/* send_https - POST the gzip'd report to u (its host resolved through
 * dns, A then AAAA), running loop until done; loop, dns and hc are used
 * during the call only.  0 on a 2xx answer, else -1 with the reason */
int send_https(struct evloop *loop, struct dns *dns, struct https_client *hc,
    const struct tlsrpt_uri *u, const void *gz, size_t len, unsigned timeout_ms, char *err,
    size_t errlen);

#endif
