/* Unit tests for tlspolicy/base/fpset: membership, the bound, growth
 * through many members, clearing, and strings that differ only in length
 * or in one byte. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fpset.h"
#include "tap.h"

int
main(void)
{
	struct fpset *s = fpset_new(100000);
	char name[64];
	int n, wrong;

	is_int(fpset_has(s, "a", 1), 0, "empty: not a member");
	is_int(fpset_add(s, "a", 1), 1, "add: new");
	is_int(fpset_add(s, "a", 1), 0, "add again: a member");
	is_int(fpset_has(s, "a", 1), 1, "has: a member");
	is_int(fpset_has(s, "a\0", 2), 0, "a trailing NUL is another string");
	is_int(fpset_has(s, "b", 1), 0, "another byte is another string");
	is_int(fpset_add(s, "", 0), 1, "the empty string can be a member");
	is_int(fpset_has(s, "", 0), 1, "and is found");
	ok(fpset_count(s) == 2, "count");

	/* many members: the table grows, every member is still found, no
	 * non-member is */
	wrong = 0;
	for (n = 0; n < 100000 - 2; n++) {
		snprintf(name, sizeof(name), "2026-12-02\tdomain%d.example\tsts\tid", n);
		if (fpset_add(s, name, strlen(name)) != 1)
			wrong++;
	}
	is_int(wrong, 0, "100,000 members added");
	ok(fpset_count(s) == 100000, "count after growth");
	ok(fpset_bytes(s) == (size_t)262144 * 16, "table at most 3/4 full: 262,144 slots");
	wrong = 0;
	for (n = 0; n < 100000 - 2; n++) {
		snprintf(name, sizeof(name), "2026-12-02\tdomain%d.example\tsts\tid", n);
		if (fpset_has(s, name, strlen(name)) != 1 || fpset_add(s, name, strlen(name)) != 0)
			wrong++;
	}
	is_int(wrong, 0, "all found after growth");
	wrong = 0;
	for (n = 0; n < 100000; n++) {
		snprintf(name, sizeof(name), "2026-12-02\tdomain%d.example\tsts\tid2", n);
		if (fpset_has(s, name, strlen(name)) != 0)
			wrong++;
	}
	is_int(wrong, 0, "no non-member found");

	/* the bound: a new string is "don't know", a member is still a member */
	is_int(fpset_add(s, "one too many", 12), -1, "full: a new string is not added");
	is_int(fpset_has(s, "one too many", 12), 0, "and is not a member");
	is_int(fpset_add(s, "a", 1), 0, "full: a member is still found");

	fpset_clear(s);
	ok(fpset_count(s) == 0 && fpset_bytes(s) == 0, "clear: empty, memory freed");
	is_int(fpset_has(s, "a", 1), 0, "clear: a former member is gone");
	is_int(fpset_add(s, "a", 1), 1, "clear: can be added again");
	fpset_free(s);

	/* two sets have different seeds but the same answers */
	{
		struct fpset *x = fpset_new(1), *y = fpset_new(1);

		is_int(fpset_add(x, "mx.example", 10), 1, "a set of one: add");
		is_int(fpset_add(x, "other", 5), -1, "a set of one: full");
		is_int(fpset_add(y, "mx.example", 10), 1, "another set: its own members");
		fpset_free(x);
		fpset_free(y);
	}
	fpset_free(NULL);
	return tap_done();
}
