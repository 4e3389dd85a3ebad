/* Unit tests for tlspolicy/numparse. */
#include "config.h"

#include <string.h>

#include "numparse.h"
#include "tap.h"

static const struct {
	const char *in;
	int kind; /* 0 uint, 1 octal, 2 duration */
	uint64_t max;
	int rc;
	uint64_t want;
} cases[] = {
	{ "0", 0, 10, 0, 0 },
	{ "10", 0, 10, 0, 10 },
	{ "11", 0, 10, -1, 0 },
	{ "", 0, 10, -1, 0 },
	{ "1a", 0, 100, -1, 0 },
	{ "-1", 0, 100, -1, 0 },
	{ " 1", 0, 100, -1, 0 },
	{ "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
	{ "18446744073709551616", 0, UINT64_MAX, -1, 0 },
	{ "4294967295", 0, 4294967295u, 0, 4294967295u },
	{ "4294967296", 0, 4294967295u, -1, 0 },
	{ "0660", 1, 0777, 0, 0660 },
	{ "777", 1, 0777, 0, 0777 },
	{ "1000", 1, 0777, -1, 0 },
	{ "8", 1, 0777, -1, 0 },
	{ "60", 2, 3600, 0, 60 },
	{ "60s", 2, 3600, 0, 60 },
	{ "5m", 2, 3600, 0, 300 },
	{ "1h", 2, 3600, 0, 3600 },
	{ "61m", 2, 3600, -1, 0 },
	{ "1d", 2, 86400, 0, 86400 },
	{ "2w", 2, 2000000, 0, 1209600 },
	{ "s", 2, 100, -1, 0 },
	{ "5x", 2, 100, -1, 0 },
	{ "99999999999999999999h", 2, UINT64_MAX, -1, 0 },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		size_t len = strlen(cases[i].in);
		int rc = cases[i].kind == 0 ? numparse_uint(cases[i].in, len, cases[i].max, &v)
		    : cases[i].kind == 1 ? numparse_octal(cases[i].in, len, cases[i].max, &v)
		    : numparse_duration(cases[i].in, len, cases[i].max, &v);

		is_int(rc, cases[i].rc, "\"%s\" kind %d max %llu", cases[i].in, cases[i].kind,
		    (unsigned long long)cases[i].max);
		if (rc == 0)
			ok(v == cases[i].want, "\"%s\" value %llu", cases[i].in, (unsigned long long)v);
		else
			ok(v == 12345, "\"%s\" leaves output untouched", cases[i].in);
	}
	return tap_done();
}
