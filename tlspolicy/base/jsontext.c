/*
 * jsontext - JSON strings of clean text, see jsontext.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsontext.h"
#include "text.h"
#include "xalloc.h"

json_object *
jsontext_new(const char *s, size_t len)
{
	json_object *o;
	char *c;

	if (len > (size_t)1 << 28)   /* far above anything written; keeps 3 * len an int */
		len = (size_t)1 << 28;
	if (text_clean_len(s, len))
		return json_object_new_string_len(s, (int)len);
	c = xmalloc(3 * len + 1);
	len = text_clean(c, 3 * len + 1, s, len);
	o = json_object_new_string_len(c, (int)len);
	free(c);
	return o;
}

json_object *
jsontext(const char *s)
{
	return jsontext_new(s, strlen(s));
}
