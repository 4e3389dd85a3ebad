/*
 * hostlatest - the time of the newest line seen of each logging host,
 * for pruning correlation state by its own host's time.
 *
 * In a log merged from many hosts (central syslog) one host's lines may
 * arrive hours late, or with a clock far from the others': a session or
 * message is idle when its own host has gone on without it, not when
 * another host has.  sessions and eximsessions build one of these from
 * their state (keys "host ..." of their own form) each time they prune,
 * and ask it for each entry's host.  Host names longer than
 * HOSTLATEST_NAME_MAX bytes are cut there (both when noted and asked).
 */
#ifndef TLSPOLICY_HOSTLATEST_H
#define TLSPOLICY_HOSTLATEST_H

#include <stddef.h>
#include <time.h>

#define HOSTLATEST_NAME_MAX 255

struct hostlatest;

struct hostlatest *hostlatest_new(void);
void hostlatest_free(struct hostlatest *h);
/* hostlatest_note - host[0..len) had a line at t (kept if newer) */
void hostlatest_note(struct hostlatest *h, const char *host, size_t len, time_t t);
/* hostlatest_get - the newest time noted for host[0..len); 0 and *t
 * untouched if none was */
int hostlatest_get(const struct hostlatest *h, const char *host, size_t len, time_t *t);

#endif
