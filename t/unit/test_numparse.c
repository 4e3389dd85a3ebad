/* Unit tests for tlspolicy/base/numparse. */
#include "config.h"

#include <string.h>

#include "numparse.h"
#include "tap.h"

static const struct {
	const char *in;
	uint64_t max;
	uint64_t want;
	int kind; /* 0 uint, 1 octal, 2 duration */
	int rc;
} cases[] = {
	{ "0", 10, 0, 0, 0 },
	{ "10", 10, 10, 0, 0 },
	{ "11", 10, 0, 0, -1 },
	{ "", 10, 0, 0, -1 },
	{ "1a", 100, 0, 0, -1 },
	{ "-1", 100, 0, 0, -1 },
	{ " 1", 100, 0, 0, -1 },
	{ "18446744073709551615", UINT64_MAX, UINT64_MAX, 0, 0 },
	{ "18446744073709551616", UINT64_MAX, 0, 0, -1 },
	{ "4294967295", 4294967295u, 4294967295u, 0, 0 },
	{ "4294967296", 4294967295u, 0, 0, -1 },
	{ "0660", 0777, 0660, 1, 0 },
	{ "777", 0777, 0777, 1, 0 },
	{ "1000", 0777, 0, 1, -1 },
	{ "8", 0777, 0, 1, -1 },
	{ "60", 3600, 60, 2, 0 },
	{ "60s", 3600, 60, 2, 0 },
	{ "5m", 3600, 300, 2, 0 },
	{ "1h", 3600, 3600, 2, 0 },
	{ "61m", 3600, 0, 2, -1 },
	{ "1d", 86400, 86400, 2, 0 },
	{ "2w", 2000000, 1209600, 2, 0 },
	{ "s", 100, 0, 2, -1 },
	{ "5x", 100, 0, 2, -1 },
	{ "99999999999999999999h", UINT64_MAX, 0, 2, -1 },
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
	{
		static const struct {
			const char *in;
			const char *want;    /* NULL: refused */
		} days[] = {
			{ "2026-03-10", "2026-03-10" }, { "2024-02-29", "2024-02-29" },
			{ "2026-02-29", NULL }, { "2026-02-30", NULL }, { "2026-04-31", NULL },
			{ "2026-13-01", NULL }, { "2026-00-10", NULL }, { "2026-01-00", NULL },
			{ "1969-12-31", NULL }, { "2026-1-10", NULL }, { "2026/03/10", NULL },
			{ "2026-03-1x", NULL }, { "2026-03-100", NULL }, { "", NULL },
			{ "today", "2026-03-10" }, { "yesterday", "2026-03-09" }, { "Today", NULL },
			{ "tomorrow", NULL },
		};
		time_t now = 1773144000;   /* 2026-03-10T12:00:00Z */

		for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
			char out[11] = "untouched";
			int rc = numparse_day(days[i].in, strlen(days[i].in), now, out);

			if (days[i].want)
				ok(rc == 0 && strcmp(out, days[i].want) == 0, "day \"%s\" is %s (got %d %s)",
				    days[i].in, days[i].want, rc, out);
			else
				ok(rc == -1, "day \"%s\" refused", days[i].in);
		}
	}
	return tap_done();
}
