/*
 * logfollow - follow a log file across rotations, see logfollow.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logfollow.h"
#include "xalloc.h"

#define CHUNK ((size_t)256 * 1024)
#define HEAD_MAX 1024
#define FNV_BASIS 0xcbf29ce484222325ULL

struct logfollow {
	char *path;
	int fd;                  /* the file being read, -1 before it opens */
	uint64_t dev, ino;
	uint64_t offset;         /* just after the last delivered line */
	uint64_t headlen, headhash;
	char *buf;               /* bytes after offset: the start of a line */
	size_t len;
	int discard;             /* inside an overlong line, discard_len long so far */
	uint64_t discard_len;
	int have_resume;
	struct logfollow_cursor resume;
	int warned;              /* "file missing" said once */
	unsigned long gaps;      /* times lines were lost */
	char gap[2048];          /* how, the last time */
	int stream;              /* a pipe: no rotation, no cursor */
	int eof;                 /* stream: the writer has closed it */
};

static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
mtime_ns(const struct stat *st)
{
	return (uint64_t)st->st_mtim.tv_sec * UINT64_C(1000000000) + (uint64_t)st->st_mtim.tv_nsec;
}

struct logfollow *
logfollow_new(const char *path)
{
	struct logfollow *lf = xcalloc(1, sizeof(*lf));

	lf->path = xstrdup(path);
	lf->fd = -1;
	lf->buf = xmalloc(CHUNK + LOGFOLLOW_LINE_MAX + 1);
	return lf;
}

struct logfollow *
logfollow_open_stream(int fd, const char *name)
{
	struct logfollow *lf = logfollow_new(name);

	lf->fd = fd;
	lf->stream = 1;
	return lf;
}

int
logfollow_eof(const struct logfollow *lf)
{
	return lf->eof;
}

void
logfollow_free(struct logfollow *lf)
{
	if (lf == NULL)
		return;
	if (lf->fd >= 0 && !lf->stream)
		close(lf->fd);
	free(lf->buf);
	free(lf->path);
	free(lf);
}

unsigned long
logfollow_gaps(const struct logfollow *lf, const char **last)
{
	*last = lf->gaps ? lf->gap : NULL;
	return lf->gaps;
}

const char *
logfollow_path(const struct logfollow *lf)
{
	return lf->path;
}

void
logfollow_resume(struct logfollow *lf, const struct logfollow_cursor *c)
{
	lf->have_resume = 1;
	lf->resume = *c;
}

int
logfollow_cursor(const struct logfollow *lf, struct logfollow_cursor *c)
{
	struct stat st;

	if (lf->stream)
		return -1;
	if (lf->fd < 0) {
		if (!lf->have_resume)
			return -1;
		*c = lf->resume;
		return 0;
	}
	c->dev = lf->dev;
	c->ino = lf->ino;
	c->offset = lf->offset;
	c->headlen = lf->headlen;
	c->headhash = lf->headhash;
	c->mtime = fstat(lf->fd, &st) == 0 ? mtime_ns(&st) : 0;
	return 0;
}

/* use - read fd (the file st describes) from offset off, with the head
 * hash of c when resuming, else from scratch */
static void
use(struct logfollow *lf, int fd, const struct stat *st, uint64_t off,
    const struct logfollow_cursor *c)
{
	if (lf->fd >= 0 && lf->fd != fd)
		close(lf->fd);
	lf->fd = fd;
	lf->dev = (uint64_t)st->st_dev;
	lf->ino = (uint64_t)st->st_ino;
	lf->offset = off;
	lf->len = 0;
	lf->discard = 0;
	lf->discard_len = 0;
	lf->headlen = c ? c->headlen : 0;
	lf->headhash = c ? c->headhash : FNV_BASIS;
	if (lseek(fd, (off_t)off, SEEK_SET) < 0)
		log_warn("log %s: seek", lf->path);
}

/* head_matches - does the file start with the bytes c hashed?  A cursor
 * that hashed nothing (an empty file) names its inode alone */
static int
head_matches(int fd, const struct stat *st, const struct logfollow_cursor *c)
{
	char head[HEAD_MAX];

	if (c->headlen > HEAD_MAX)
		return 0;
	if (c->headlen == 0)
		return (uint64_t)st->st_dev == c->dev && (uint64_t)st->st_ino == c->ino;
	return pread(fd, head, (size_t)c->headlen, 0) == (ssize_t)c->headlen
	    && fnv(FNV_BASIS, head, (size_t)c->headlen) == c->headhash;
}

/* is_cursor_file - is the open file st describes the one c was in (or a
 * copy of it that reaches c's offset)? */
static int
is_cursor_file(int fd, const struct stat *st, const struct logfollow_cursor *c)
{
	return S_ISREG(st->st_mode) && (uint64_t)st->st_size >= c->offset && head_matches(fd, st, c);
}

/* head_update - hash up to HEAD_MAX bytes from the start of the file, as
 * far as it has been read: the identity grows with the file */
static void
head_update(struct logfollow *lf)
{
	uint64_t pos = lf->offset + (lf->discard ? lf->discard_len : lf->len);
	size_t want = pos < HEAD_MAX ? (size_t)pos : HEAD_MAX;
	char head[HEAD_MAX];

	if (lf->stream || lf->headlen >= want)
		return;
	if (pread(lf->fd, head, want, 0) != (ssize_t)want)
		return;
	lf->headhash = fnv(FNV_BASIS, head, want);
	lf->headlen = want;
}

static int
compressed(const char *name)
{
	static const char *const ext[] = { ".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/*
 * Generations: the file itself and, in its directory, the rotated ones
 * named NAME.N (N digits; a higher N is older) or NAME-SUFFIX (SUFFIX
 * starting with a digit, as logrotate's dateext: the order of the
 * suffixes is the order of time).  Compressed ones are not read.
 */
struct gen {
	char path[4096];
	struct stat st;
	long long num;           /* NAME.N: N; -1 otherwise */
	int live;                /* the file itself */
};

/* gen_name - the number of a rotated generation name, -1 for a dated
 * one, -2 for a name that is no generation of base */
static long long
gen_name(const char *name, const char *base, size_t blen)
{
	long long n = 0;
	const char *p;

	if (strncmp(name, base, blen) != 0 || (name[blen] != '.' && name[blen] != '-')
	    || name[blen + 1] < '0' || name[blen + 1] > '9')
		return -2;
	if (name[blen] == '-')
		return -1;
	for (p = name + blen + 1; *p >= '0' && *p <= '9' && n < 100000000; p++)
		n = n * 10 + (*p - '0');
	return *p == '\0' ? n : -2;
}

static int
gen_cmp(const void *pa, const void *pb)
{
	const struct gen *a = pa, *b = pb;
	uint64_t ma = mtime_ns(&a->st), mb = mtime_ns(&b->st);

	if (a->live != b->live)
		return a->live ? 1 : -1;
	if (a->num >= 0 && b->num >= 0 && a->num != b->num)
		return a->num > b->num ? -1 : 1;
	if (a->num < 0 && b->num < 0)
		return strcmp(a->path, b->path);
	if (ma != mb)
		return ma < mb ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* generations - the generations of the log, oldest first, the file
 * itself (when there) last; packed gets the names of compressed ones */
static struct gen *
generations(const struct logfollow *lf, size_t *np, char *packed, size_t packedlen)
{
	char *dcopy = xstrdup(lf->path), *bcopy = xstrdup(lf->path);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t blen = strlen(base), n = 0;
	struct gen *g = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (packed)
		packed[0] = '\0';
	while (d && (de = readdir(d)) != NULL) {
		long long num = gen_name(de->d_name, base, blen);
		char path[4096];

		if (num == -2)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (compressed(de->d_name)) {
			size_t l = packed ? strlen(packed) : 0;

			if (packed && l + strlen(de->d_name) + 3 < packedlen)
				snprintf(packed + l, packedlen - l, "%s%s", l ? ", " : "", de->d_name);
			continue;
		}
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		g = xreallocarray(g, n + 1, sizeof(*g));
		memset(&g[n], 0, sizeof(g[n]));
		memcpy(g[n].path, path, strlen(path) + 1);
		g[n].st = st;
		g[n].num = num;
		n++;
	}
	if (d)
		closedir(d);
	if (stat(lf->path, &st) == 0 && S_ISREG(st.st_mode)) {
		g = xreallocarray(g, n + 1, sizeof(*g));
		memset(&g[n], 0, sizeof(g[n]));
		snprintf(g[n].path, sizeof(g[n].path), "%s", lf->path);
		g[n].st = st;
		g[n].num = -1;
		g[n].live = 1;
		n++;
	}
	if (n > 1)
		qsort(g, n, sizeof(*g), gen_cmp);
	free(dcopy);
	free(bcopy);
	*np = n;
	return g;
}

/* gen_open - open a listed generation, -1 if it is no longer that file */
static int
gen_open(const struct gen *g, struct stat *st)
{
	int fd = open(g->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || st->st_dev != g->st.st_dev || st->st_ino != g->st.st_ino) {
		close(fd);
		return -1;
	}
	return fd;
}

/* gap - lines that cannot be read: said loudly, counted, kept for status */
static void
gap(struct logfollow *lf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lf->gap, sizeof(lf->gap), fmt, ap);
	va_end(ap);
	lf->gaps++;
	log_errorx("log %s: LINES LOST: %s", lf->path, lf->gap);
}

/* gen_names - the names of g[from..to) for messages */
static void
gen_names(const struct gen *g, size_t from, size_t to, char *out, size_t outlen)
{
	size_t l = 0;

	out[0] = '\0';
	for (size_t i = from; i < to && l + 4 < outlen; i++) {
		const char *b = strrchr(g[i].path, '/');

		snprintf(out + l, outlen - l, "%s%s", l ? ", " : "", b ? b + 1 : g[i].path);
		l = strlen(out);
	}
}

/* start_at - open and use generation g[i] at offset off (with the head of
 * c, or from scratch); -1 if it went away meanwhile */
static int
start_at(struct logfollow *lf, const struct gen *g, uint64_t off, const struct logfollow_cursor *c)
{
	struct stat st;
	int fd = gen_open(g, &st);

	if (fd < 0)
		return -1;
	use(lf, fd, &st, off, c);
	return 0;
}

/* resume_lost - the cursor's file is nowhere: read what was written after
 * it (generations last written after it was), say what is lost */
static int
resume_lost(struct logfollow *lf, const struct logfollow_cursor *c, struct gen *g, size_t n,
    const char *packed)
{
	char names[1024];
	size_t i = 0, live = n && g[n - 1].live ? n - 1 : n;

	if (live == n)
		return -1;   /* nothing to read yet: wait for the file */
	/* without the saved time (an older record) no generation can be
	 * placed: only the file itself is surely newer */
	i = live;
	if (c->mtime != 0)
		for (i = 0; i < live && mtime_ns(&g[i].st) <= c->mtime; i++)
			;
	gen_names(g, 0, i, names, sizeof(names));
	gap(lf, "the file of the saved position (inode %llu, offset %llu) is neither the log nor "
	    "one of its uncompressed generations%s%s%s; its lines after offset %llu are not "
	    "counted%s%s%s; reading on from the start of %s", (unsigned long long)c->ino,
	    (unsigned long long)c->offset, packed[0] ? " (compressed ones are not read: " : "",
	    packed, packed[0] ? ")" : "", (unsigned long long)c->offset,
	    c->mtime == 0 && names[0] ? ", nor are those of " : "", c->mtime == 0 ? names : "",
	    c->mtime == 0 && names[0] ? " (a position saved without its time cannot be placed "
	    "among them)" : "", g[i].path);
	return start_at(lf, &g[i], 0, NULL);
}

/* start - open the file, at the cursor when there is one; -1 to wait */
static int
start(struct logfollow *lf)
{
	struct logfollow_cursor *c = &lf->resume;
	struct stat st;
	struct gen *g;
	char packed[1024];
	size_t n, i;
	int fd = open(lf->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd >= 0 && fstat(fd, &st) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0 && !S_ISREG(st.st_mode)) {
		if (!lf->warned)
			log_warnx("log %s: not a regular file", lf->path);
		lf->warned = 1;
		close(fd);
		return -1;
	}
	if (!lf->have_resume) {
		if (fd < 0) {
			if (!lf->warned)
				log_warn("log %s: waiting for it to appear", lf->path);
			lf->warned = 1;
			return -1;
		}
		use(lf, fd, &st, 0, NULL);
		log_info("log %s: reading from the start", lf->path);
		return 0;
	}
	if (fd >= 0 && (uint64_t)st.st_dev == c->dev && (uint64_t)st.st_ino == c->ino
	    && is_cursor_file(fd, &st, c)) {
		use(lf, fd, &st, c->offset, c);
		lf->have_resume = 0;
		log_info("log %s: resuming at offset %llu", lf->path, (unsigned long long)c->offset);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	/* rotated while stopped: the cursor's file among the generations,
	 * by inode, else a copy of it (copytruncate); the newer ones follow */
	g = generations(lf, &n, packed, sizeof(packed));
	for (i = 0; i < n; i++) {
		if ((uint64_t)g[i].st.st_dev != c->dev || (uint64_t)g[i].st.st_ino != c->ino)
			continue;
		if ((fd = gen_open(&g[i], &st)) >= 0 && is_cursor_file(fd, &st, c))
			break;
		if (fd >= 0)
			close(fd);
	}
	for (size_t j = n; i == n && j-- > 0;) {
		if (g[j].live || c->headlen == 0)
			continue;
		if ((fd = gen_open(&g[j], &st)) >= 0 && is_cursor_file(fd, &st, c)) {
			i = j;
			break;
		}
		if (fd >= 0)
			close(fd);
	}
	if (i < n) {
		use(lf, fd, &st, c->offset, c);
		log_info("log %s: rotated while stopped; finishing %s from offset %llu first",
		    lf->path, g[i].path, (unsigned long long)c->offset);
		rc = 0;
	} else {
		rc = resume_lost(lf, c, g, n, packed);
	}
	free(g);
	if (rc < 0) {
		if (!lf->warned)
			log_warnx("log %s: waiting for it to appear", lf->path);
		lf->warned = 1;
		return -1;
	}
	lf->have_resume = 0;
	return 0;
}

/* process - deliver every complete line in buf */
static void
process(struct logfollow *lf, logfollow_line *cb, void *arg)
{
	size_t from = 0, rest;
	const char *nl;

	while (from < lf->len && (nl = memchr(lf->buf + from, '\n', lf->len - from)) != NULL) {
		size_t n = (size_t)(nl - (lf->buf + from));

		if (lf->discard) {
			cb(arg, NULL, (size_t)(lf->discard_len + n));
			lf->offset += lf->discard_len + n + 1;
			lf->discard = 0;
			lf->discard_len = 0;
		} else {
			/* whole lines over the limit too: the limit must not depend
			 * on how the bytes arrived */
			cb(arg, n > LOGFOLLOW_LINE_MAX ? NULL : lf->buf + from, n);
			lf->offset += n + 1;
		}
		from += n + 1;
	}
	rest = lf->len - from;
	if (lf->discard) {
		lf->discard_len += rest;
		lf->len = 0;
	} else if (rest > LOGFOLLOW_LINE_MAX) {
		lf->discard = 1;
		lf->discard_len = rest;
		lf->len = 0;
	} else {
		memmove(lf->buf, lf->buf + from, rest);
		lf->len = rest;
	}
}

size_t
logfollow_finish(struct logfollow *lf, logfollow_line *cb, void *arg)
{
	size_t n = lf->discard ? (size_t)lf->discard_len : lf->len;

	if (lf->discard)
		cb(arg, NULL, n);
	else if (lf->len)
		cb(arg, lf->buf, lf->len);
	lf->offset += n;
	lf->len = 0;
	lf->discard = 0;
	lf->discard_len = 0;
	return n;
}

static size_t
read_some(struct logfollow *lf, size_t max, logfollow_line *cb, void *arg)
{
	size_t total = 0;

	while (total < max) {
		ssize_t n = read(lf->fd, lf->buf + lf->len, CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("log %s: read", lf->path);
			break;
		}
		if (n == 0) {
			lf->eof = lf->stream;
			break;
		}
		lf->len += (size_t)n;
		total += (size_t)n;
		head_update(lf);
		process(lf, cb, arg);
		if (lf->stream)
			break;   /* a pipe may not have more yet: do not block */
	}
	return total;
}

/* next_gen - the generation to read after the current file: the one
 * after it in g, or, when it is not listed any more (deleted, compressed),
 * the oldest one last written after it; n when there is none yet.  Copies
 * of the current file are skipped */
static size_t
next_gen(struct logfollow *lf, const struct gen *g, size_t n)
{
	struct logfollow_cursor c = { 0 };
	struct stat cur;
	size_t i, k;

	if (fstat(lf->fd, &cur) < 0)
		return n;
	logfollow_cursor(lf, &c);
	for (k = 0; k < n; k++)
		if ((uint64_t)g[k].st.st_dev == lf->dev && (uint64_t)g[k].st.st_ino == lf->ino)
			break;
	for (i = k < n ? k + 1 : 0; i < n; i++) {
		struct stat st;
		int fd, copy;

		if (k == n && !g[i].live && mtime_ns(&g[i].st) <= mtime_ns(&cur))
			continue;
		if (g[i].live || c.headlen == 0)
			return i;
		if ((fd = gen_open(&g[i], &st)) < 0)
			continue;
		copy = is_cursor_file(fd, &st, &c);
		close(fd);
		if (!copy)
			return i;
	}
	return n;
}

/* truncated - the file shrank or was rewritten (copytruncate): the unread
 * rest is in the copy, then comes the file from its start */
static size_t
truncated(struct logfollow *lf, const struct stat *cur, size_t max, logfollow_line *cb, void *arg)
{
	struct logfollow_cursor c = { 0 };
	struct stat st;
	struct gen *g;
	size_t n;
	int fd = -1;

	logfollow_cursor(lf, &c);
	lf->len = 0;
	lf->discard = 0;
	lf->discard_len = 0;
	g = generations(lf, &n, NULL, 0);
	for (size_t j = n; j-- > 0;) {
		if (g[j].live || (uint64_t)g[j].st.st_ino == c.ino)
			continue;
		if ((fd = gen_open(&g[j], &st)) >= 0 && is_cursor_file(fd, &st, &c)) {
			log_info("log %s: truncated; reading the rest from its copy %s", lf->path,
			    g[j].path);
			use(lf, fd, &st, c.offset, &c);
			break;
		}
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(g);
	if (fd < 0) {
		gap(lf, "truncated and no copy of it found; its lines after offset %llu that were "
		    "not read yet are not counted; reading on from its start",
		    (unsigned long long)c.offset);
		use(lf, lf->fd, cur, 0, NULL);
	}
	return read_some(lf, max, cb, arg) + 1;
}

/* rewritten - has the file been truncated, or rewritten from its start,
 * under the bytes read so far?  cur gets its status */
static int
rewritten(struct logfollow *lf, struct stat *cur)
{
	struct logfollow_cursor c = { 0 };

	if (fstat(lf->fd, cur) < 0)
		return 0;
	logfollow_cursor(lf, &c);
	c.offset += lf->discard ? lf->discard_len : lf->len;
	return !is_cursor_file(lf->fd, cur, &c);
}

/* advance - at the end of the current file: has the name moved on to a
 * newer file? */
static size_t
advance(struct logfollow *lf, size_t max, logfollow_line *cb, void *arg)
{
	struct stat st;
	struct gen *g;
	size_t n, i, got;
	int fd;

	if (stat(lf->path, &st) == 0 && (uint64_t)st.st_dev == lf->dev
	    && (uint64_t)st.st_ino == lf->ino)
		return 0;
	/* renamed away (or deleted): the next generation, once there is one */
	g = generations(lf, &n, NULL, 0);
	i = next_gen(lf, g, n);
	/* an empty new file: the writer may still be on the old one */
	if (i == n || (g[i].live && g[i].st.st_size == 0)) {
		free(g);
		return 0;
	}
	/* what was written to the old file before the writer moved on */
	if ((got = read_some(lf, max, cb, arg)) > 0) {
		free(g);
		return got;
	}
	if ((fd = gen_open(&g[i], &st)) < 0) {
		free(g);
		return 0;
	}
	got = logfollow_finish(lf, cb, arg);
	log_info("log %s: rotated, reading %s", lf->path, g[i].path);
	free(g);
	use(lf, fd, &st, 0, NULL);
	return got + read_some(lf, max, cb, arg) + 1;
}

size_t
logfollow_poll(struct logfollow *lf, size_t max, logfollow_line *cb, void *arg)
{
	struct stat cur;
	size_t n;

	if (lf->fd < 0 && start(lf) < 0)
		return 0;
	lf->warned = 0;
	/* copytruncate: before reading on, as the file may have grown past
	 * the position again */
	if (!lf->stream && rewritten(lf, &cur))
		return truncated(lf, &cur, max, cb, arg);
	if ((n = read_some(lf, max, cb, arg)) > 0 || lf->stream)
		return n;
	return advance(lf, max, cb, arg);
}
