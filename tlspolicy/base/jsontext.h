/*
 * jsontext - JSON strings that are valid UTF-8 by construction.
 *
 * json-c copies the bytes of a string as they are (it escapes control
 * characters but passes bytes >= 0x80 through), so text that came from a
 * log line or the store could make a document that is not UTF-8 and that
 * receivers reject.  Every string of a document the project writes goes
 * through jsontext_new(): clean text (text.h) is used as it is, anything
 * else is cleaned first.  Only the programs that write JSON link json-c.
 */
#ifndef TLSPOLICY_JSONTEXT_H
#define TLSPOLICY_JSONTEXT_H

#include <stddef.h>

#include <json-c/json.h>

/* jsontext_new - a new JSON string of s[0..len) as clean text; the
 * caller owns it (json_object_put, or a container that takes it) */
json_object *jsontext_new(const char *s, size_t len);
/* jsontext - the same for a NUL-terminated s */
json_object *jsontext(const char *s);

#endif
