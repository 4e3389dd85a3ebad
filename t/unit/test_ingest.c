/* Unit tests for the ingestion pieces: strmap removal, result keys,
 * saving and restoring the session state, and following a file. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* age - set path's modification time to "back" seconds ago: the time a
 * rotated generation was last written */
static void
age(const char *path, int back)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= back;
	ts[1] = ts[0];
	if (utimensat(AT_FDCWD, path, ts, 0) < 0)
		tap_diag("utimensat %s failed", path);
}

static void
mv(const char *dir, const char *from, const char *to)
{
	char a[600], b[600];

	snprintf(a, sizeof(a), "%s/%s", dir, from);
	snprintf(b, sizeof(b), "%s/%s", dir, to);
	if (rename(a, b) < 0)
		tap_diag("rename %s %s failed", a, b);
}

static void
put(const char *dir, const char *name, const char *data)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	append(p, data);
}

/* drain - poll until nothing more comes */
static void
drain(struct logfollow *lf)
{
	for (int i = 0; i < 100 && logfollow_poll(lf, 1 << 20, line, NULL) > 0; i++)
		;
}

/* scenario - a directory of its own with "mail.log" holding first; a
 * follower reads it all, its cursor is kept in *c, and it is freed */
static void
scenario(char *dir, size_t dlen, const char *name, const char *first, struct logfollow_cursor *c)
{
	char path[700];
	struct logfollow *lf;

	snprintf(dir, dlen, "%s/%s", tap_tmpdir(), name);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	append(path, first);
	lf = logfollow_new(path);
	drain(lf);
	logfollow_cursor(lf, c);
	logfollow_free(lf);
}

/* resumed - what a follower resumed at c in dir delivers, and its gaps */
static unsigned long
resumed(const char *dir, const struct logfollow_cursor *c, const char **gap)
{
	static char lastgap[1024];
	char path[700];
	struct logfollow *lf;
	const char *g = NULL;
	unsigned long n;

	snprintf(path, sizeof(path), "%s/mail.log", dir);
	buf_reset(&got);
	lf = logfollow_new(path);
	logfollow_resume(lf, c);
	drain(lf);
	n = logfollow_gaps(lf, &g);
	snprintf(lastgap, sizeof(lastgap), "%s", g ? g : "");
	if (gap)
		*gap = lastgap;
	logfollow_free(lf);
	return n;
}

static void
test_rotation(void)
{
	char dir[600], path[700];
	struct logfollow_cursor c;
	struct logfollow *lf;
	const char *gap;
	int fd;

	buf_init(&got, 1 << 20);

	/* rename, twice while stopped: mail.log.2 is the saved file */
	scenario(dir, sizeof(dir), "rename2", "a1\n", &c);
	put(dir, "mail.log", "a2\n");
	mv(dir, "mail.log", "mail.log.1");
	put(dir, "mail.log", "b1\n");
	mv(dir, "mail.log.1", "mail.log.2");
	mv(dir, "mail.log", "mail.log.1");
	put(dir, "mail.log", "c1\n");
	is_int(resumed(dir, &c, NULL), 0, "rename x2 while stopped: no gap");
	is_str(got.data, "a2|b1|c1|", "rename x2 while stopped: the rest of .2, all of .1, the new file");

	/* rename three times, generations named by date */
	scenario(dir, sizeof(dir), "dateext", "a1\n", &c);
	put(dir, "mail.log", "a2\n");
	mv(dir, "mail.log", "mail.log-20260301");
	put(dir, "mail.log", "b1\n");
	mv(dir, "mail.log", "mail.log-20260302");
	put(dir, "mail.log", "c1\n");
	mv(dir, "mail.log", "mail.log-20260303");
	put(dir, "mail.log", "d1\n");
	resumed(dir, &c, NULL);
	is_str(got.data, "a2|b1|c1|d1|", "dateext generations read in date order");

	/* copytruncate while stopped, once and twice */
	scenario(dir, sizeof(dir), "copy1", "a1\n", &c);
	put(dir, "mail.log", "a2\n");
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	{
		char copy[800];

		snprintf(copy, sizeof(copy), "%s.1", path);
		copy_truncate(path, copy);
		put(dir, "mail.log", "b1\n");
		is_int(resumed(dir, &c, NULL), 0, "copytruncate while stopped: no gap");
		is_str(got.data, "a2|b1|", "copytruncate while stopped: the rest from the copy, then the file");

		scenario(dir, sizeof(dir), "copy2", "a1\n", &c);
		snprintf(path, sizeof(path), "%s/mail.log", dir);
		snprintf(copy, sizeof(copy), "%s.1", path);
		put(dir, "mail.log", "a2\n");
		copy_truncate(path, copy);
		put(dir, "mail.log", "b1\n");
		mv(dir, "mail.log.1", "mail.log.2");
		copy_truncate(path, copy);
		put(dir, "mail.log", "c1\n");
		resumed(dir, &c, NULL);
		is_str(got.data, "a2|b1|c1|", "copytruncate x2 while stopped: both copies, then the file");

		/* what the integration test's writer does: rename, then copytruncate */
		scenario(dir, sizeof(dir), "mixed", "a1\n", &c);
		snprintf(path, sizeof(path), "%s/mail.log", dir);
		snprintf(copy, sizeof(copy), "%s.1", path);
		put(dir, "mail.log", "a2\n");
		mv(dir, "mail.log", "mail.log.1");
		put(dir, "mail.log", "b1\n");
		mv(dir, "mail.log.1", "mail.log.2");
		copy_truncate(path, copy);
		put(dir, "mail.log", "c1\n");
		resumed(dir, &c, NULL);
		is_str(got.data, "a2|b1|c1|", "rename then copytruncate while stopped");
	}

	/* a partial line at the end of a rotated file is final */
	scenario(dir, sizeof(dir), "partial", "a1\n", &c);
	put(dir, "mail.log", "a2\npart");
	mv(dir, "mail.log", "mail.log.1");
	put(dir, "mail.log", "b1\n");
	resumed(dir, &c, NULL);
	is_str(got.data, "a2|part|b1|", "rename inside a line while stopped: the piece is a line");
	scenario(dir, sizeof(dir), "partialcopy", "a1\npa", &c);
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	{
		char copy[800];

		snprintf(copy, sizeof(copy), "%s.1", path);
		copy_truncate(path, copy);
	}
	put(dir, "mail.log", "b1\n");
	resumed(dir, &c, NULL);
	is_str(got.data, "pa|b1|", "copytruncate inside a line while stopped");

	/* rotated twice between two polls while running */
	buf_reset(&got);
	snprintf(dir, sizeof(dir), "%s/running", tap_tmpdir());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	put(dir, "mail.log", "a1\n");
	lf = logfollow_new(path);
	drain(lf);
	put(dir, "mail.log", "a2\n");
	mv(dir, "mail.log", "mail.log.1");
	put(dir, "mail.log", "b1\n");
	mv(dir, "mail.log.1", "mail.log.2");
	mv(dir, "mail.log", "mail.log.1");
	put(dir, "mail.log", "c1\n");
	drain(lf);
	is_str(got.data, "a1|a2|b1|c1|", "running: two renames between polls, nothing skipped");
	logfollow_free(lf);

	/* copytruncate while running, the file past the old offset again
	 * before the next poll: its first bytes tell */
	buf_reset(&got);
	snprintf(dir, sizeof(dir), "%s/regrown", tap_tmpdir());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	put(dir, "mail.log", "a1\n");
	lf = logfollow_new(path);
	drain(lf);
	put(dir, "mail.log", "a2\n");
	{
		char copy[800];

		snprintf(copy, sizeof(copy), "%s.1", path);
		copy_truncate(path, copy);
	}
	put(dir, "mail.log", "b1 a line longer than what was read\n");
	drain(lf);
	is_str(got.data, "a1|a2|b1 a line longer than what was read|",
	    "running: copytruncate and regrown past the offset between polls");
	logfollow_free(lf);

	/* the same inode, other contents: not the saved file */
	scenario(dir, sizeof(dir), "reused", "Mar  1 00:00:01 mx postfix/smtp[1]: first\n", &c);
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	if ((fd = open(path, O_WRONLY | O_TRUNC)) >= 0) {
		const char *other = "Mar  2 00:00:01 mx postfix/smtp[2]: other one, longer than the first\n";

		if (write(fd, other, strlen(other)) != (ssize_t)strlen(other))
			tap_diag("write failed");
		close(fd);
	}
	is_int(resumed(dir, &c, &gap), 1, "same inode, other first line: a gap is reported");
	is_str(got.data, "Mar  2 00:00:01 mx postfix/smtp[2]: other one, longer than the first|",
	    "and the file is read from its start");

	/* the saved file rotated away for good (rotate 1, two rotations) */
	scenario(dir, sizeof(dir), "gone", "a1\n", &c);
	put(dir, "mail.log", "a2\n");
	mv(dir, "mail.log", "mail.log.1");
	put(dir, "mail.log", "b1\n");
	{
		char p1[700];

		snprintf(p1, sizeof(p1), "%s/mail.log.1", dir);
		unlink(p1);
		mv(dir, "mail.log", "mail.log.1");
		age(p1, -5);   /* written after the saved position */
	}
	put(dir, "mail.log", "c1\n");
	is_int(resumed(dir, &c, &gap), 1, "saved file gone: one gap reported");
	ok(strstr(gap, "offset 3") != NULL && strstr(gap, "mail.log") != NULL,
	    "the gap names the log and the offset: %s", gap);
	is_str(got.data, "b1|c1|", "the generations written since are read");

	/* an older generation, older than the saved position, is not read */
	scenario(dir, sizeof(dir), "goneold", "a1\n", &c);
	put(dir, "mail.log.2", "old\n");
	snprintf(path, sizeof(path), "%s/mail.log.2", dir);
	age(path, 3600);
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	unlink(path);
	put(dir, "mail.log", "n1\n");
	is_int(resumed(dir, &c, NULL), 1, "saved file deleted: a gap");
	is_str(got.data, "n1|", "a generation older than the saved position is not read again");
	buf_fini(&got);
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
	test_rotation();
	return tap_done();
}
