/*
 * logfollow - follow a log file across rotations, see logfollow.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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

/* head_matches - does the file start with the bytes c hashed? */
static int
head_matches(int fd, const struct logfollow_cursor *c)
{
	char head[HEAD_MAX];

	if (c->headlen > HEAD_MAX)
		return 0;
	if (c->headlen == 0)
		return 1;
	return pread(fd, head, (size_t)c->headlen, 0) == (ssize_t)c->headlen
	    && fnv(FNV_BASIS, head, (size_t)c->headlen) == c->headhash;
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

/* sibling - the rotated copy or renamed file c describes, opened, or -1:
 * an uncompressed "NAME.x" / "NAME-x" in the same directory that starts
 * with the same bytes and is at least as long as the cursor's offset;
 * the same inode is preferred */
static int
sibling(struct logfollow *lf, const struct logfollow_cursor *c, struct stat *out, char *name,
    size_t namelen)
{
	char *dcopy = xstrdup(lf->path), *bcopy = xstrdup(lf->path);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *de;
	int best = -1, best_same = 0;

	while (d && (de = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		int fd, same;

		if (strncmp(de->d_name, base, blen) != 0 || strchr(".-_", de->d_name[blen]) == NULL
		    || de->d_name[blen] == '\0' || compressed(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
			continue;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < c->offset
		    || !head_matches(fd, c)) {
			close(fd);
			continue;
		}
		same = (uint64_t)st.st_dev == c->dev && (uint64_t)st.st_ino == c->ino;
		if (best >= 0 && (best_same || !same)) {
			close(fd);
			continue;
		}
		if (best >= 0)
			close(best);
		best = fd;
		best_same = same;
		*out = st;
		snprintf(name, namelen, "%s", path);
	}
	if (d)
		closedir(d);
	free(dcopy);
	free(bcopy);
	return best;
}

/* start - open the file, at the cursor when there is one; -1 to wait */
static int
start(struct logfollow *lf)
{
	struct logfollow_cursor *c = &lf->resume;
	struct stat st;
	char name[4096];
	int fd = open(lf->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), sfd;

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
	    && (uint64_t)st.st_size >= c->offset && head_matches(fd, c)) {
		use(lf, fd, &st, c->offset, c);
		lf->have_resume = 0;
		log_info("log %s: resuming at offset %llu", lf->path, (unsigned long long)c->offset);
		return 0;
	}
	if ((sfd = sibling(lf, c, &st, name, sizeof(name))) >= 0) {
		if (fd >= 0)
			close(fd);
		use(lf, sfd, &st, c->offset, c);
		lf->have_resume = 0;
		log_info("log %s: rotated while stopped; finishing %s from offset %llu first",
		    lf->path, name, (unsigned long long)c->offset);
		return 0;
	}
	if (fd < 0) {
		if (!lf->warned)
			log_warn("log %s: waiting for it to appear", lf->path);
		lf->warned = 1;
		return -1;
	}
	log_warnx("log %s: the file of the saved position (offset %llu) is gone and no rotated "
	    "copy was found; reading the current file from the start, lines written after that "
	    "position to the old file are not counted", lf->path, (unsigned long long)c->offset);
	use(lf, fd, &st, 0, NULL);
	lf->have_resume = 0;
	return 0;
}

/* process - deliver every complete line in buf */
static void
process(struct logfollow *lf, logfollow_line *cb, void *arg)
{
	size_t start = 0, rest;
	const char *nl;

	while (start < lf->len && (nl = memchr(lf->buf + start, '\n', lf->len - start)) != NULL) {
		size_t n = (size_t)(nl - (lf->buf + start));

		if (lf->discard) {
			cb(arg, NULL, (size_t)(lf->discard_len + n));
			lf->offset += lf->discard_len + n + 1;
			lf->discard = 0;
			lf->discard_len = 0;
		} else {
			/* whole lines over the limit too: the limit must not depend
			 * on how the bytes arrived */
			cb(arg, n > LOGFOLLOW_LINE_MAX ? NULL : lf->buf + start, n);
			lf->offset += n + 1;
		}
		start += n + 1;
	}
	rest = lf->len - start;
	if (lf->discard) {
		lf->discard_len += rest;
		lf->len = 0;
	} else if (rest > LOGFOLLOW_LINE_MAX) {
		lf->discard = 1;
		lf->discard_len = rest;
		lf->len = 0;
	} else {
		memmove(lf->buf, lf->buf + start, rest);
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
		uint64_t pos = lf->offset + (lf->discard ? lf->discard_len : lf->len);
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
		if (pos == lf->headlen && lf->headlen < HEAD_MAX) {
			size_t h = (size_t)n < HEAD_MAX - lf->headlen ? (size_t)n : HEAD_MAX - (size_t)lf->headlen;

			lf->headhash = fnv(lf->headhash, lf->buf + lf->len, h);
			lf->headlen += h;
		}
		lf->len += (size_t)n;
		total += (size_t)n;
		process(lf, cb, arg);
		if (lf->stream)
			break;   /* a pipe may not have more yet: do not block */
	}
	return total;
}

/* rotated - at the end of the current file: has the name moved on? */
static size_t
rotated(struct logfollow *lf, size_t max, logfollow_line *cb, void *arg)
{
	struct stat st, cur;
	struct logfollow_cursor c = { 0 };
	char name[4096];
	int fd, cfd;

	if (stat(lf->path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;   /* renamed away, the new file not there yet */
	if ((uint64_t)st.st_dev != lf->dev || (uint64_t)st.st_ino != lf->ino) {
		size_t n;

		if (st.st_size == 0)
			return 0;   /* the writer may still be on the old file */
		if ((fd = open(lf->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		n = logfollow_finish(lf, cb, arg);
		log_info("log %s: rotated, reading the new file", lf->path);
		use(lf, fd, &st, 0, NULL);
		return n + read_some(lf, max, cb, arg) + 1;
	}
	if (fstat(lf->fd, &cur) < 0
	    || (uint64_t)cur.st_size >= lf->offset + (lf->discard ? lf->discard_len : lf->len))
		return 0;
	/* truncated under us (copytruncate): the unread rest is in the copy */
	logfollow_cursor(lf, &c);
	lf->len = 0;
	lf->discard = 0;
	lf->discard_len = 0;
	if ((cfd = sibling(lf, &c, &st, name, sizeof(name))) >= 0) {
		log_info("log %s: truncated; reading the rest from its copy %s", lf->path, name);
		use(lf, cfd, &st, c.offset, &c);
	} else {
		log_warnx("log %s: truncated and no copy found; lines after offset %llu that were "
		    "not read yet are not counted", lf->path, (unsigned long long)c.offset);
		use(lf, lf->fd, &cur, 0, NULL);
	}
	return read_some(lf, max, cb, arg) + 1;
}

size_t
logfollow_poll(struct logfollow *lf, size_t max, logfollow_line *cb, void *arg)
{
	size_t n;

	if (lf->fd < 0 && start(lf) < 0)
		return 0;
	lf->warned = 0;
	if ((n = read_some(lf, max, cb, arg)) > 0 || lf->stream)
		return n;
	return rotated(lf, max, cb, arg);
}
