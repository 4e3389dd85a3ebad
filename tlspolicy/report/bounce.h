/*
 * bounce - the failed recipients of a delivery status notification
 * (RFC 3464) for a report that bounced.
 *
 * bounce_parse() reads the message as lines (LF or CRLF) and reports the
 * address of each "Final-Recipient: TYPE; ADDRESS" field whose following
 * "Action:" field is "failed".  Field names are matched without regard to
 * case; nothing else of the message is interpreted.  The message is
 * untrusted: an address longer than BOUNCE_ADDRESS_MAX - 1 bytes is
 * ignored, and every byte of an address outside 0x21..0x7e is replaced by
 * '?', so what reaches the store and the log is printable ASCII without
 * spaces.  No I/O, no logging.
 */
#ifndef TLSPOLICY_BOUNCE_H
#define TLSPOLICY_BOUNCE_H

#include <stddef.h>

#define BOUNCE_ADDRESS_MAX 320

/* bounce_parse - call fn once for each failed recipient of the DSN in
 * data[0..len), in message order (address valid during the call only);
 * returns the number of calls */
unsigned bounce_parse(const char *data, size_t len,
    void (*fn)(void *arg, const char *address), void *arg);

#endif
