/*
 * logfollow - follow a log file as "tail -F" does, with a cursor that
 * survives restarts.
 *
 * Lines are delivered whole: a last line without its newline waits for
 * it (unless the file has been rotated away, when it is final).  The
 * cursor names the file (device, inode, and a hash of its first bytes,
 * which tells a reused inode or a copy) and the offset just after the
 * last delivered line; after a restart the same line follows.  Rotation:
 *   - rename (logrotate "create", postfix logrotate): the old file is read
 *     to its end, then the new one from its start once it has data;
 *   - copytruncate: the unread rest is read from the copy (a sibling file
 *     "NAME.1", "NAME-20250310", ... with the same first bytes), then the
 *     truncated file from its start;
 *   - the same while stopped: the cursor's file is looked for among the
 *     uncompressed siblings.  When it is gone, reading starts at the
 *     beginning of the current file and a warning says what may be lost.
 * A missing file is waited for.  Nothing here blocks: the caller polls.
 */
#ifndef TLSPOLICY_LOGFOLLOW_H
#define TLSPOLICY_LOGFOLLOW_H

#include <stddef.h>
#include <stdint.h>

#define LOGFOLLOW_LINE_MAX 65536   /* longer lines are reported with line NULL */

struct logfollow_cursor {
	uint64_t dev, ino;
	uint64_t offset;       /* just after the last delivered line */
	uint64_t headlen;      /* bytes hashed from the start of the file */
	uint64_t headhash;
};

/* one line without its newline, valid during the call only; line NULL =
 * a line over the limit, len its length */
typedef void logfollow_line(void *arg, const char *line, size_t len);

struct logfollow;

/* logfollow_new - follow path (copied) */
struct logfollow *logfollow_new(const char *path);
/* logfollow_open_stream - read lines from fd (a pipe, still the caller's:
 * logfollow_free leaves it open), one read per poll, until
 * logfollow_eof(); name (copied) is for messages */
struct logfollow *logfollow_open_stream(int fd, const char *name);
int logfollow_eof(const struct logfollow *lf);
/* logfollow_finish - the file will not grow: deliver its last line even
 * without a newline; returns the bytes consumed */
size_t logfollow_finish(struct logfollow *lf, logfollow_line *cb, void *arg);
void logfollow_free(struct logfollow *lf);
/* logfollow_resume - continue from c at the next poll (before the first) */
void logfollow_resume(struct logfollow *lf, const struct logfollow_cursor *c);
/* logfollow_poll - read up to about max new bytes, lines to cb; returns
 * the number of bytes consumed (0: nothing new) */
size_t logfollow_poll(struct logfollow *lf, size_t max, logfollow_line *cb, void *arg);
/* logfollow_cursor - the position after the last delivered line; -1 for
 * a stream, or before any file was opened or resumed */
int logfollow_cursor(const struct logfollow *lf, struct logfollow_cursor *c);
const char *logfollow_path(const struct logfollow *lf);

#endif
