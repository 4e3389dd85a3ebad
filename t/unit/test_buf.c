/* Unit tests for tlspolicy/base/buf. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf b;
	char big[600];

	buf_init(&b, 8);
	is_int(buf_append(&b, "12345678", 8), 0, "append up to the max");
	is_int(b.len, 8, "length is 8");
	is_int(buf_append(&b, "9", 1), -1, "append past the max fails");
	is_int(b.len, 8, "failed append changes nothing");
	is_str(b.data, "12345678", "content kept, NUL-terminated");
	buf_consume(&b, 3);
	is_str(b.data, "45678", "consume drops the front");
	is_int(buf_append(&b, "abc", 3), 0, "room again after consume");
	buf_consume(&b, 100);
	is_int(b.len, 0, "consume more than len empties");
	is_int(buf_printf(&b, "%d-%s", 42, "x"), 0, "printf fits");
	is_str(b.data, "42-x", "printf content");
	is_int(buf_printf(&b, "%s", "toolong"), -1, "printf past the max fails");
	is_str(b.data, "42-x", "failed printf changes nothing");
	buf_fini(&b);

	buf_init(&b, 1000);
	memset(big, 'z', sizeof(big));
	is_int(buf_printf(&b, "%.*s", 500, big), 0, "long printf (> internal scratch)");
	is_int(b.len, 500, "long printf length");
	is_int(buf_space(&b, 500), 500, "space for exactly the rest");
	is_int(buf_space(&b, 501), 0, "no space past the max");
	buf_fini(&b);

	buf_init(&b, 0);
	is_int(buf_append(&b, "", 0), 0, "empty append into a zero-max buffer");
	is_int(buf_append(&b, "x", 1), -1, "one byte into a zero-max buffer fails");
	buf_fini(&b);
	return tap_done();
}
