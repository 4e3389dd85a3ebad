/* Unit tests for tlspolicy/policy/answercache: answers per map, "none",
 * the time they hold, forgetting, texts shared between domains, both
 * bounds, and a long random run of puts, forgets and gets checked
 * against a plain array. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answercache.h"
#include "tap.h"

#define NOW 1764633600           /* 2025-12-02 00:00 UTC */

/* got - answercache_get as one string: "-" unknown, "NONE", or the text */
static const char *
got(struct answercache *c, const char *domain, unsigned map, time_t now)
{
	const char *a = NULL;

	if (!answercache_get(c, domain, map, now, &a, NULL))
		return "-";
	return a ? a : "NONE";
}

/* the model of the random run */
#define RUN_DOMAINS 5000
struct model {
	int known[2];
	int text[2];                 /* -1: none */
	time_t until;
};

static const char *texts[] = {
	"dane-only", "dane", "secure match=.mx.example servername=hostname",
	"secure match=mx1.example:mx2.example servername=hostname",
};

int
main(void)
{
	struct answercache *c = answercache_new(1000000);
	struct answercache_stats st;
	char name[64], answer[128];
	int wrong;

	is_str(got(c, "a.example", 0, NOW), "-", "empty: unknown");
	answercache_put(c, "a.example", 0, "dane-only", NOW + 60, NOW);
	is_str(got(c, "a.example", 0, NOW), "dane-only", "put, then got");
	is_str(got(c, "a.example", 1, NOW), "-", "the other map is unknown");
	is_str(got(c, "b.example", 0, NOW), "-", "another domain is unknown");
	is_str(got(c, "a.example", 0, NOW + 59), "dane-only", "held until the last second");
	is_str(got(c, "a.example", 0, NOW + 60), "-", "not at until");
	is_str(got(c, "a.example", 3, NOW), "-", "no fourth map");
	{
		const char *a = NULL;
		time_t u = 0;

		ok(answercache_get(c, "a.example", 0, NOW, &a, &u) == 1 && u == NOW + 60,
		    "the time it holds until, as put");
	}
	answercache_put(c, "a.example", 1, "dane-only x", NOW + 60, NOW);
	is_str(got(c, "a.example", 0, NOW), "dane-only", "a second map with the same until: "
	    "the first is kept");
	is_str(got(c, "a.example", 1, NOW), "dane-only x", "and the second is there");
	answercache_put(c, "a.example", ANSWERCACHE_EXIM, "mode=dane-only", NOW + 60, NOW);
	ok(strcmp(got(c, "a.example", 0, NOW), "dane-only") == 0
	    && strcmp(got(c, "a.example", ANSWERCACHE_EXIM, NOW), "mode=dane-only") == 0,
	    "the Exim reply beside, the others kept");
	answercache_put(c, "a.example", 1, "dane", NOW + 120, NOW);
	is_str(got(c, "a.example", 0, NOW), "-", "another until: the first map is dropped");
	is_str(got(c, "a.example", 1, NOW + 100), "dane", "the new answer holds");
	answercache_put(c, "n.example", 0, NULL, NOW + 60, NOW);
	is_str(got(c, "n.example", 0, NOW), "NONE", "no policy is an answer too");
	answercache_put(c, "p.example", 0, "dane", NOW, NOW);
	is_str(got(c, "p.example", 0, NOW), "-", "until <= now: not kept");
	answercache_forget(c, "a.example");
	is_str(got(c, "a.example", 1, NOW), "-", "forgotten");
	is_str(got(c, "n.example", 0, NOW), "NONE", "the others stay");
	answercache_forget(c, "never.example");
	answercache_stats(c, &st);
	is_int((long long)st.domains, 1, "one domain left");

	/* many domains sharing few texts: each text is kept once */
	answercache_clear(c);
	for (int i = 0; i < 200000; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		answercache_put(c, name, 0, texts[i % 4], NOW + 3600, NOW);
	}
	answercache_stats(c, &st);
	is_int((long long)st.domains, 200000, "200,000 domains");
	is_int((long long)st.texts, 4, "4 texts");
	ok(st.bytes < (size_t)200000 * 44, "under 44 bytes a domain (%zu bytes)", st.bytes);
	wrong = 0;
	/* forget every third; the rest, moved by the removals, are found */
	for (int i = 0; i < 200000; i += 3) {
		snprintf(name, sizeof(name), "d%d.example", i);
		answercache_forget(c, name);
	}
	for (int i = 0; i < 200000; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		if (strcmp(got(c, name, 0, NOW), i % 3 == 0 ? "-" : texts[i % 4]) != 0)
			wrong++;
	}
	is_int(wrong, 0, "after forgetting a third: each domain as it should be");
	answercache_free(c);

	/* the domain bound: the next new domain clears everything */
	c = answercache_new(100);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		answercache_put(c, name, 0, "dane", NOW + 60, NOW);
	}
	answercache_put(c, "d0.example", 0, "dane-only", NOW + 60, NOW);
	answercache_stats(c, &st);
	ok(st.domains == 100 && st.clears == 0, "a known domain within the bound");
	answercache_put(c, "d100.example", 0, "dane", NOW + 60, NOW);
	answercache_stats(c, &st);
	ok(st.domains == 1 && st.clears == 1, "a new one past it: cleared, counted");
	is_str(got(c, "d100.example", 0, NOW), "dane", "the new one is kept");
	is_str(got(c, "d1.example", 0, NOW), "-", "the rest is gone");

	/* the text bound: 100 domains, 6,400 bytes of text */
	answercache_free(c);
	c = answercache_new(100);
	wrong = 0;
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		snprintf(answer, sizeof(answer), "secure match=mx.d%d.example servername=hostname "
		    "policy_type=sts policy_domain=d%d.example", i, i);
		answercache_put(c, name, 0, answer, NOW + 60, NOW);
		wrong += strcmp(got(c, name, 0, NOW), answer) != 0;
	}
	answercache_stats(c, &st);
	is_int(wrong, 0, "each answer is got back right after its put");
	ok(st.clears == 1 && st.text_bytes <= 6400, "past the text bound: cleared (%llu), "
	    "%zu bytes", st.clears, st.text_bytes);
	memset(answer, 'x', sizeof(answer) - 1);
	answer[sizeof(answer) - 1] = '\0';
	answercache_free(c);
	c = answercache_new(1);
	answercache_put(c, "big.example", 0, answer, NOW + 60, NOW);
	is_str(got(c, "big.example", 0, NOW), "-", "a text over the whole bound is not kept");
	answercache_put(c, "big.example", 0, "dane", NOW + 60, NOW);
	is_str(got(c, "big.example", 0, NOW), "dane", "a small one is");
	answercache_free(c);

	/* a random run against a plain model */
	{
		static struct model m[RUN_DOMAINS];
		unsigned seed = 12345;
		long checks = 0;

		c = answercache_new(1000000);
		wrong = 0;
		for (long step = 0; step < 400000; step++) {
			int d, op, map, t;

			seed = seed * 1103515245u + 12345u;
			d = (int)((seed >> 8) % RUN_DOMAINS);
			op = (int)((seed >> 4) % 8);
			map = (int)((seed >> 20) & 1);
			t = (int)((seed >> 22) % 5) - 1;
			snprintf(name, sizeof(name), "host%d.example", d);
			if (op < 3) {
				time_t until = NOW + 10 + (time_t)((seed >> 26) % 3);

				answercache_put(c, name, (unsigned)map, t < 0 ? NULL : texts[t], until, NOW);
				if (m[d].until != until) {
					m[d].known[0] = m[d].known[1] = 0;
					m[d].until = until;
				}
				m[d].known[map] = 1;
				m[d].text[map] = t;
			} else if (op == 3) {
				answercache_forget(c, name);
				memset(&m[d], 0, sizeof(m[d]));
			} else {
				const char *want = !m[d].known[map] ? "-"
				    : m[d].text[map] < 0 ? "NONE" : texts[m[d].text[map]];

				checks++;
				if (strcmp(got(c, name, (unsigned)map, NOW), want) != 0 && wrong++ < 5)
					tap_diag("step %ld: %s map %d: got %s, want %s", step, name, map,
					    got(c, name, (unsigned)map, NOW), want);
			}
		}
		is_int(wrong, 0, "random run: %ld gets as the model says", checks);
		answercache_free(c);
	}
	return tap_done();
}
