/*
 * logfollow - follow a log file as "tail -F" does, with a cursor that
 * survives restarts.
 *
 * Lines are delivered whole: a last line without its newline waits for
 * it (unless the file has been rotated away, when it is final).  The
 * cursor names the file (device, inode, a hash of its first bytes, up to
 * 1 KB, which tells a reused inode or a copy, and its modification time)
 * and the offset just after the last delivered line; after a restart the
 * same line follows.
 *
 * Generations: the file NAME and, in its directory, uncompressed rotated
 * files NAME.N (logrotate's numbers, savelog's NAME.0; a higher N is
 * older) and NAME-SUFFIX (SUFFIX starting with a digit, as logrotate's
 * dateext, in the order of time).  Compressed generations are not read.
 * Rotation:
 *   - rename: at the end of the file, once a newer generation exists (a
 *     newer NAME only once it has data, as the writer may still be on the
 *     old file), the old file is read to its end again, then each newer
 *     generation in order, then NAME;
 *   - copytruncate: when NAME shrinks or its first bytes change, the unread
 *     rest is read from the copy (a generation with the same first bytes,
 *     reaching the offset), then the generations after the copy, then NAME;
 *   - the same while stopped, however many times: the cursor's file is
 *     found among the generations by inode and first bytes (or its copy by
 *     first bytes), read from the cursor, and every newer generation after
 *     it.
 * When the cursor's file is nowhere (deleted, compressed, rotated past the
 * last generation kept, its inode reused by another file), reading goes
 * on with the generations last written after the cursor's time, then
 * NAME; the loss is logged as an error ("LINES LOST") with the offset and
 * counted (logfollow_gaps).  So is a truncation with no copy found.
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
	uint64_t mtime;        /* the file's modification time (ns), 0: unknown */
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
/* logfollow_gaps - how many times lines were lost (see above); *last is
 * the last one's description (borrowed) or NULL */
unsigned long logfollow_gaps(const struct logfollow *lf, const char **last);

#endif
