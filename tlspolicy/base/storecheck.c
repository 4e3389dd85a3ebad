/*
 * storecheck - damaged and mismatched store files, see storecheck.h.
 */
#include "config.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "numparse.h"
#include "store.h"
#include "storecheck.h"

#define SEAL_LINE_MAX 256
#define SEAL_FILE_MAX 4096
#define STAMP_MAX 64

/* --- files ------------------------------------------------------------ */

static void
fill_stat(struct storecheck_stat *s, const char *name, const struct stat *sb)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->dev = (unsigned long long)sb->st_dev;
	s->ino = (unsigned long long)sb->st_ino;
	s->size = (unsigned long long)sb->st_size;
	s->mtime = (unsigned long long)sb->st_mtim.tv_sec;
	s->mtime_ns = (unsigned long long)sb->st_mtim.tv_nsec;
	s->ctime = (unsigned long long)sb->st_ctim.tv_sec;
	s->ctime_ns = (unsigned long long)sb->st_ctim.tv_nsec;
}

/* parse_seal_line - "NAME DEV INO SIZE MTIME MTIME_NS CTIME CTIME_NS" */
static int
parse_seal_line(const char *p, size_t len, struct storecheck_stat *s)
{
	unsigned long long *v[] = { &s->dev, &s->ino, &s->size, &s->mtime, &s->mtime_ns,
	    &s->ctime, &s->ctime_ns };
	const char *end = p + len, *sp;
	uint64_t n;

	if ((sp = memchr(p, ' ', len)) == NULL || sp == p || (size_t)(sp - p) >= sizeof(s->name))
		return -1;
	memcpy(s->name, p, (size_t)(sp - p));
	s->name[sp - p] = '\0';
	p = sp + 1;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *w = p;

		while (p < end && *p != ' ')
			p++;
		if (numparse_uint(w, (size_t)(p - w), UINT64_MAX, &n) < 0)
			return -1;
		*v[i] = (unsigned long long)n;
		if (i + 1 < sizeof(v) / sizeof(v[0])) {
			if (p == end)
				return -1;
			p++;
		}
	}
	return p == end ? 0 : -1;
}

void
storecheck_seal_read(const char *dir, struct storecheck_seal *seal)
{
	char path[PATH_MAX], data[SEAL_FILE_MAX];
	ssize_t got;
	size_t off = 0;
	int fd;

	seal->n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, STORECHECK_SEAL);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return;
	got = read(fd, data, sizeof(data));
	close(fd);
	if (got <= 0 || (size_t)got == sizeof(data))
		return;
	while (off < (size_t)got && seal->n < STORECHECK_SEAL_MAX) {
		const char *nl = memchr(data + off, '\n', (size_t)got - off);

		if (nl == NULL)
			break;
		if (parse_seal_line(data + off, (size_t)(nl - data) - off, &seal->f[seal->n]) < 0) {
			seal->n = 0;     /* not ours: no seal at all */
			return;
		}
		seal->n++;
		off = (size_t)(nl - data) + 1;
	}
}

void
storecheck_seal_write(const char *dir, const char *const *names, const int *ok, size_t n)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct buf out;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, STORECHECK_SEAL);
	snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, STORECHECK_SEAL);
	buf_init(&out, SEAL_FILE_MAX - 1);
	for (size_t i = 0; i < n && i < STORECHECK_SEAL_MAX; i++) {
		char f[PATH_MAX];
		struct storecheck_stat s;
		struct stat sb;

		snprintf(f, sizeof(f), "%s/%s", dir, names[i]);
		if (!ok[i] || lstat(f, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		fill_stat(&s, names[i], &sb);
		buf_printf(&out, "%s %llu %llu %llu %llu %llu %llu %llu\n", s.name, s.dev, s.ino,
		    s.size, s.mtime, s.mtime_ns, s.ctime, s.ctime_ns);
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0) {
		int good = write(fd, out.data, out.len) == (ssize_t)out.len;

		if (close(fd) == 0 && good)
			rename(tmp, path);
		else
			unlink(tmp);
	}
	buf_fini(&out);
}

/* sealed - the file is as the seal saw it */
static int
sealed(const struct storecheck_seal *seal, const char *name, const struct stat *sb)
{
	struct storecheck_stat now;

	if (seal == NULL)
		return 0;
	fill_stat(&now, name, sb);
	for (size_t i = 0; i < seal->n; i++) {
		const struct storecheck_stat *s = &seal->f[i];

		if (strcmp(s->name, name) == 0)
			return s->dev == now.dev && s->ino == now.ino && s->size == now.size
			    && s->mtime == now.mtime && s->mtime_ns == now.mtime_ns
			    && s->ctime == now.ctime && s->ctime_ns == now.ctime_ns;
	}
	return 0;
}

/* the verifier's first message; the program has one thread */
static char verify_msg[200];

static void
on_verify_error(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	(void)pfx;
	if (verify_msg[0] == '\0')
		snprintf(verify_msg, sizeof(verify_msg), "%s", msg);
}

int
storecheck_file(const char *dir, const char *name, const struct storecheck_seal *seal,
    char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct stat sb;
	DB *v;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (lstat(path, &sb) < 0)
		return 0;        /* created on open */
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		return 1;
	}
	if (sealed(seal, name, &sb))
		return 0;
	/* a handle of its own, outside the environment: it reads the file,
	 * not pages the environment may still hold of it */
	if ((rc = db_create(&v, NULL, 0)) != 0) {
		snprintf(why, whylen, "db_create: %s", db_strerror(rc));
		return 1;
	}
	verify_msg[0] = '\0';
	v->set_errcall(v, on_verify_error);
	if ((rc = v->verify(v, path, NULL, NULL, 0)) == 0)     /* v is gone */
		return 0;
	snprintf(why, whylen, "%s", verify_msg[0] ? verify_msg : db_strerror(rc));
	return 1;
}

int
storecheck_aside(const char *dir, const char *name, char *moved, size_t movedlen,
    char *err, size_t errlen)
{
	char from[PATH_MAX], to[PATH_MAX];

	snprintf(moved, movedlen, "%s.damaged", name);
	snprintf(from, sizeof(from), "%s/%s", dir, name);
	snprintf(to, sizeof(to), "%s/%s", dir, moved);
	if (rename(from, to) < 0) {
		snprintf(err, errlen, "rename %s to %s: %s", from, to, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- counts and positions --------------------------------------------- */

static const enum store_db pair_dbs[2] = { STORE_DB_RESULT, STORE_DB_SOURCE };

struct stamp {
	int found;
	char id[17];
	uint64_t gen;
};

/* stamp_get - the stamp of db; found 0 when it has none; -1 when it
 * cannot be read or is not one */
static int
stamp_get(struct store *st, struct store_txn *txn, enum store_db db, struct stamp *s)
{
	struct buf v;
	const char *sp;
	int rc;

	memset(s, 0, sizeof(*s));
	buf_init(&v, STAMP_MAX);
	rc = store_get(st, txn, db, STORECHECK_PAIR_KEY, strlen(STORECHECK_PAIR_KEY), &v);
	if (rc == STORE_NOTFOUND) {
		buf_fini(&v);
		return 0;
	}
	if (rc == 0 && (v.len < 18 || (sp = memchr(v.data, ' ', v.len)) == NULL
	    || sp != v.data + 16
	    || numparse_uint(sp + 1, v.len - 17, UINT64_MAX, &s->gen) < 0))
		rc = 2;
	if (rc == 0) {
		memcpy(s->id, v.data, 16);
		s->found = 1;
	}
	buf_fini(&v);
	return rc == 0 ? 0 : -1;
}

static int
stamp_put(struct store *st, struct store_txn *txn, const struct stamp *s)
{
	char v[STAMP_MAX];
	int n = snprintf(v, sizeof(v), "%s %" PRIu64, s->id, s->gen);

	if (store_put(st, txn, STORE_DB_RESULT, STORECHECK_PAIR_KEY, strlen(STORECHECK_PAIR_KEY),
	    v, (size_t)n) < 0
	    || store_put(st, txn, STORE_DB_SOURCE, STORECHECK_PAIR_KEY,
	    strlen(STORECHECK_PAIR_KEY), v, (size_t)n) < 0)
		return -1;
	return 0;
}

/* new_stamp - a new identity for both, generation 0 */
static int
new_stamp(struct store *st)
{
	unsigned char r[8];
	struct stamp s;
	struct store_txn *txn;

	memset(&s, 0, sizeof(s));
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	for (int i = 0; i < 8; i++)
		snprintf(s.id + 2 * i, 3, "%02x", r[i]);
	if ((txn = store_begin(st)) == NULL)
		return -1;
	if (stamp_put(st, txn, &s) < 0) {
		store_abort(st, txn);
		return -1;
	}
	return store_commit(st, txn);
}

#define WHAT_TO_DO "; results are not counted until both files are restored from the " \
	"same backup, or the loss is accepted: stop tlspolicyd and run " \
	"\"tlspolicyctl store-accept\""

int
storecheck_counting(struct store *st, char *why, size_t whylen)
{
	struct stamp r, s;
	long nr, ns;

	for (size_t i = 0; i < 2; i++) {
		enum store_db db = pair_dbs[i];

		if (store_damage(st, db) != NULL) {
			snprintf(why, whylen, "%s" WHAT_TO_DO, store_damage(st, db));
			return 1;
		}
	}
	if (stamp_get(st, NULL, STORE_DB_RESULT, &r) < 0 || stamp_get(st, NULL, STORE_DB_SOURCE, &s) < 0)
		return -1;
	if (r.found && s.found && strcmp(r.id, s.id) == 0 && r.gen == s.gen)
		return 0;
	if (!r.found && !s.found) {
		/* a new store, or one from before stamps; source.db without
		 * records beside counts is one that was lost */
		if ((nr = store_count(st, STORE_DB_RESULT)) < 0
		    || (ns = store_count(st, STORE_DB_SOURCE)) < 0)
			return -1;
		if (!(nr > 0 && ns == 0))
			return new_stamp(st);
	}
	if (!r.found)
		snprintf(why, whylen, "result.db was deleted or replaced: the counts stored before "
		    "are lost" WHAT_TO_DO);
	else if (!s.found)
		snprintf(why, whylen, "source.db was deleted or replaced: the positions reached in "
		    "the logs are lost, reading them again would count twice" WHAT_TO_DO);
	else if (strcmp(r.id, s.id) != 0)
		snprintf(why, whylen, "result.db and source.db are not from the same store "
		    "(one was replaced)" WHAT_TO_DO);
	else if (r.gen < s.gen)
		snprintf(why, whylen, "result.db is older than source.db (restored alone?): the "
		    "counts of %" PRIu64 " commits are missing" WHAT_TO_DO, s.gen - r.gen);
	else
		snprintf(why, whylen, "source.db is older than result.db (restored alone?): "
		    "reading on from its positions would count %" PRIu64 " commits twice"
		    WHAT_TO_DO, r.gen - s.gen);
	return 1;
}

int
storecheck_pair_bump(struct store *st, struct store_txn *txn)
{
	struct stamp r, s;

	if (stamp_get(st, txn, STORE_DB_RESULT, &r) < 0 || stamp_get(st, txn, STORE_DB_SOURCE, &s) < 0)
		return -1;
	if (r.found != s.found || (r.found && (strcmp(r.id, s.id) != 0 || r.gen != s.gen))) {
		store_set_error(st, "result.db and source.db do not match: not counted");
		return -1;
	}
	if (!r.found)
		return 0;    /* not stamped: storecheck_counting() was not asked */
	r.gen++;
	return stamp_put(st, txn, &r);
}

int
storecheck_accept(struct store *st, char *done, size_t donelen, char *err, size_t errlen)
{
	char why[1024], moved[64];
	size_t off = 0;
	int rc;

	done[0] = '\0';
	if ((rc = storecheck_counting(st, why, sizeof(why))) == 0) {
		snprintf(done, donelen, "nothing to accept: result.db and source.db match");
		return 1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", store_strerror(st));
		return -1;
	}
	for (size_t i = 0; i < 2; i++) {
		enum store_db db = pair_dbs[i];

		if (store_damage(st, db) == NULL)
			continue;
		if (store_renew(st, db, moved, sizeof(moved)) < 0) {
			snprintf(err, errlen, "%s", store_strerror(st));
			return -1;
		}
		off += (size_t)snprintf(done + off, donelen - off, "%s moved to %s and started empty; ",
		    db == STORE_DB_RESULT ? "result.db" : "source.db", moved);
		if (off >= donelen)
			off = donelen - 1;
	}
	if (new_stamp(st) < 0) {
		snprintf(err, errlen, "%s", store_strerror(st));
		return -1;
	}
	snprintf(done + off, donelen - off, "the counts and positions left are kept under a new stamp");
	return 0;
}
