/* Unit tests for the proactive refresh schedule of cached MTA-STS
 * policies (mtasts_refresh_offset, mtasts_refresh_budget): a million
 * policies fetched in the same minute are refreshed spread over the
 * following hours, never more per sweep than the budget, all within a
 * day. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts.h"
#include "tap.h"

#define N 1000000
#define SWEEP 60                                  /* seconds */
#define MINUTES (3 * 24 * 60)

int
main(void)
{
	static unsigned due[MINUTES + 1], started[MINUTES + 1], in_hour[60];
	unsigned budget = mtasts_refresh_budget(N, SWEEP), max = 0, last = 0;
	unsigned long backlog = 0, done = 0;
	char name[64];
	time_t off;
	int bad_range = 0;

	ok(mtasts_refresh_budget(0, SWEEP) >= 20 && mtasts_refresh_budget(100, SWEEP) >= 20,
	    "a small cache keeps the minimum budget");
	ok(budget >= (unsigned)((unsigned long)N * SWEEP / STS_REFRESH_AGE),
	    "the budget keeps up with a million policies refreshed twice a day (%u per sweep)", budget);
	ok(budget <= 3 * (unsigned)((unsigned long)N * SWEEP / STS_REFRESH_AGE), "and is no more than about twice that");
	is_int((int)mtasts_refresh_offset("example.com"), (int)mtasts_refresh_offset("example.com"), "an offset is stable");

	/* a million names of the same length, all fetched at minute 0 */
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "d%07d.example", i);
		off = mtasts_refresh_offset(name);
		if (off < 0 || off >= STS_REFRESH_SPREAD)
			bad_range++;
		in_hour[off / 60]++;
		due[(STS_REFRESH_AGE + off) / SWEEP + 1]++;
	}
	is_int(bad_range, 0, "every offset within the spread");
	{
		unsigned lo = N, hi = 0;

		for (int m = 0; m < 60; m++) {
			lo = in_hour[m] < lo ? in_hour[m] : lo;
			hi = in_hour[m] > hi ? in_hour[m] : hi;
		}
		ok(lo > N / 60 * 9 / 10 && hi < N / 60 * 11 / 10,
		    "names of the same length spread evenly over the hour (%u to %u a minute)", lo, hi);
	}
	/* the sweeps: what is due waits for the budget */
	for (int m = 0; m <= MINUTES; m++) {
		backlog += due[m];
		started[m] = backlog < budget ? (unsigned)backlog : budget;
		backlog -= started[m];
		done += started[m];
		if (started[m] > max)
			max = started[m];
		if (started[m])
			last = (unsigned)m;
	}
	is_int((int)done, N, "every policy refreshed");
	ok(last < 24 * 60, "within a day of the fetch (the last at minute %u)", last);
	ok(max <= budget, "never more than the budget in one sweep (%u)", max);
	return tap_done();
}
