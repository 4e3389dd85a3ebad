/* Unit tests for the ingestion pieces: strmap removal, result keys,
 * saving and restoring the session state, and following a file. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "logfollow.h"
#include "logparse_postfix.h"
#include "numparse.h"
#include "results.h"
#include "sessions.h"
#include "store.h"
#include "strmap.h"
#include "tap.h"

/* drop - keys k<N> with N % *arg == 0 (arg 3) or N odd (arg 2) */
static int
drop(const char *key, void *value, void *arg)
{
	long m = *(long *)arg;
	uint64_t n = 0;

	(void)value;
	(void)numparse_uint(key + 1, strlen(key + 1), UINT64_MAX, &n);
	return m == 3 ? n % 3 == 0 : n % 2 == 1;
}

static void
test_strmap(void)
{
	struct strmap *m = strmap_new();
	char key[16];
	long three = 3, two = 2;
	int found = 0;

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		strmap_put(m, key, (void *)(long)(i + 1));
	}
	strmap_foreach_remove(m, drop, &three);
	is_int(strmap_count(m), 3333, "removal of every third key");
	strmap_foreach_remove(m, drop, &two);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if ((strmap_get(m, key) != NULL) != (i % 3 != 0 && i % 2 == 0))
			found++;
	}
	is_int(found, 0, "after removals every remaining key is found, no removed one");
	is_int(strmap_count(m), 1666, "count follows removals");
	strmap_free(m, NULL);
}

static void
test_keys(void)
{
	struct result_rec r = { 0 }, back;
	char key[RESULTS_KEY_MAX];
	size_t n;

	snprintf(r.day, sizeof(r.day), "2026-11-24");
	snprintf(r.domain, sizeof(r.domain), "example.com");
	snprintf(r.ptype, sizeof(r.ptype), "sts");
	snprintf(r.pkey, sizeof(r.pkey), "20240101");
	r.failure = 1;
	snprintf(r.result, sizeof(r.result), "certificate-expired");
	snprintf(r.mx, sizeof(r.mx), "mx.example.com");
	snprintf(r.reason, sizeof(r.reason), "tab\there\nnewline");
	n = results_key(&r, key, sizeof(key));
	ok(results_parse_key(key, n, &back) == 0, "a failure key parses back");
	is_str(back.reason, "tab here newline", "control bytes in fields become spaces");
	is_str(back.mx, "mx.example.com", "fields come back");
	is_str(back.sendip, "", "empty fields come back empty");
	ok(back.failure == 1, "failure flag");
	ok(results_parse_key("2026-11-24\tx\tsts\t1\tS\textra", 29, &back) < 0, "trailing junk refused");
	ok(results_parse_key("2026-11-24\tx\tsts", 17, &back) < 0, "short key refused");
}

static int emitted;
static struct session_outcome last;

static void
emit(void *arg, const struct session_outcome *o)
{
	(void)arg;
	emitted++;
	last = *o;
}

static void
feed(struct sessions *s, const char *line)
{
	struct logparse_event ev;

	logparse_postfix(line, strlen(line), 1741600000, &ev);
	sessions_feed(s, &ev);
}

static void
test_state(void)
{
	struct sessions *a = sessions_new(emit, NULL), *b = sessions_new(emit, NULL);
	struct buf st;

	buf_init(&st, 1 << 20);
	feed(a, "Mar 10 09:31:10 mta1 postfix/smtp[23171]: server certificate verification failed for mx1.r.example[198.51.100.25]:25: num=62:hostname mismatch");
	feed(a, "Mar 10 09:31:10 mta1 postfix/smtp[23171]: Untrusted TLS connection established to mx1.r.example[198.51.100.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
	ok(sessions_save(a, &st) == 0, "state saved in the middle of a session");
	ok(sessions_load(b, st.data, st.len) == 0, "state loads into a new instance");
	feed(b, "Mar 10 09:31:10 mta1 postfix/smtp[23171]: 0C2D3E4F5A: to=<d@r.example>, relay=mx1.r.example[198.51.100.25]:25, delay=0.6, delays=0.01/0/0.6/0, dsn=4.7.5, status=deferred (Server certificate not verified)");
	is_int(emitted, 1, "the restored session ends with its status line");
	is_str(last.result_type, "certificate-host-mismatch", "with the verification error seen before the save");
	feed(b, "Mar 10 09:31:10 mta1 postfix/smtp[23171]: 0C2D3E4F5A: to=<e@r.example>, relay=mx1.r.example[198.51.100.25]:25, delay=0.6, delays=0.01/0/0.6/0, dsn=4.7.5, status=deferred (Server certificate not verified)");
	is_int(emitted, 1, "a second recipient of the restored session is not a session");
	ok(sessions_load(b, "garbage", 7) < 0, "garbage state refused");
	st.data[st.len / 2] ^= 0x55;
	sessions_load(b, st.data, st.len - 3);
	ok(1, "a truncated, altered state does not crash");
	buf_fini(&st);
	sessions_free(a);
	sessions_free(b);
}

static struct buf got;
static int overlong;

static void
line(void *arg, const char *l, size_t len)
{
	(void)arg;
	if (l == NULL) {
		overlong++;
		return;
	}
	buf_append(&got, l, len);
	buf_append(&got, "|", 1);
}

static void
append(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);

	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		tap_diag("append %s failed", path);
	close(fd);
}

/* copy_truncate - what logrotate's copytruncate does */
static void
copy_truncate(const char *path, const char *copy)
{
	char data[4096];
	int in = open(path, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, data, sizeof(data))) > 0)
		if (write(out, data, (size_t)n) != n)
			tap_diag("copy failed");
	close(in);
	close(out);
	if (truncate(path, 0) < 0)
		tap_diag("truncate failed");
}

static void
test_follow(void)
{
	char path[512], rotated[600];
	struct logfollow *lf;
	struct logfollow_cursor c;
	char *big = malloc(LOGFOLLOW_LINE_MAX + 10);

	snprintf(path, sizeof(path), "%s/mail.log", tap_tmpdir());
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	buf_init(&got, 1 << 20);
	lf = logfollow_new(path);
	is_int(logfollow_poll(lf, 1 << 20, line, NULL), 0, "a missing file is waited for");
	append(path, "one\ntw");
	logfollow_poll(lf, 1 << 20, line, NULL);
	is_str(got.data, "one|", "a partial line waits for its newline");
	append(path, "o\nthree\n");
	logfollow_poll(lf, 1 << 20, line, NULL);
	is_str(got.data, "one|two|three|", "and is delivered whole");
	memset(big, 'x', LOGFOLLOW_LINE_MAX + 5);
	big[LOGFOLLOW_LINE_MAX + 5] = '\0';
	append(path, big);
	append(path, "\nfour\n");
	logfollow_poll(lf, 1 << 20, line, NULL);
	is_int(overlong, 1, "an overlong line is reported once, without its bytes");
	is_str(got.data, "one|two|three|four|", "the line after it follows");
	logfollow_cursor(lf, &c);
	logfollow_free(lf);

	/* rename rotation while stopped: the rest of the old file first */
	append(path, "five\n");
	rename(path, rotated);
	append(path, "six\n");
	buf_reset(&got);
	lf = logfollow_new(path);
	logfollow_resume(lf, &c);
	while (logfollow_poll(lf, 1 << 20, line, NULL) > 0)
		;
	is_str(got.data, "five|six|", "resumed in the renamed file, then the new one");

	/* copytruncate while running */
	buf_reset(&got);
	append(path, "seven\n");
	logfollow_poll(lf, 1 << 20, line, NULL);
	append(path, "eight\n");
	unlink(rotated);
	copy_truncate(path, rotated);
	append(path, "nine\n");
	while (logfollow_poll(lf, 1 << 20, line, NULL) > 0)
		;
	is_str(got.data, "seven|eight|nine|", "copytruncate: the unread line from the copy, then the new start");
	logfollow_free(lf);
	buf_fini(&got);
	free(big);
}

static void
test_purge(void)
{
	static const struct { enum store_db db; const char *key; int kept; } recs[] = {
		{ STORE_DB_RESULT, "2026-01-01\ta.example\tno-policy-found\t\tS", 0 },
		{ STORE_DB_RESULT, "2026-11-20\ta.example\tno-policy-found\t\tS", 1 },
		{ STORE_DB_DECISION, "2026-01-01\ta.example\tsts\t1", 0 },
		{ STORE_DB_DECISION, "2026-11-20\ta.example\tsts\t1", 1 },
		{ STORE_DB_REPORT, "bounce\tx@y.example", 1 },
		/* the reporter's own: state_purge() */
		{ STORE_DB_REPORT, "sent\t2026-01-01\ta.example\tmailto:x@y.example", 1 },
		{ STORE_DB_REPORT, "sent\t2026-11-20\ta.example\tmailto:x@y.example", 1 },
	};
	char dir[600], err[256];
	struct store *st;
	struct buf v;
	int wrong = 0;

	snprintf(dir, sizeof(dir), "%s/purge", tap_tmpdir());
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		ok(0, "store opens: %s", err);
		return;
	}
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		store_put(st, NULL, recs[i].db, recs[i].key, strlen(recs[i].key), "1", 1);
	is_int(results_purge(st, "2026-06-01"), 2, "retention: the old result and decision deleted");
	buf_init(&v, 64);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		if ((store_get(st, NULL, recs[i].db, recs[i].key, strlen(recs[i].key), &v) == 0) != recs[i].kept)
			wrong++;
	is_int(wrong, 0, "results and decisions of later days and all delivery records kept");
	buf_fini(&v);
	store_close(st);
}

int
main(void)
{
	test_purge();
	test_strmap();
	test_keys();
	test_state();
	test_follow();
	return tap_done();
}
