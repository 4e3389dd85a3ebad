/*
 * logsource - the log files named by log_source, followed on the event
 * loop: four times a second each file is read, a bounded amount per turn
 * so that lookups keep their latency (while a backlog lasts, turns follow
 * each other at once), and what was read is committed with its cursor.
 * While the store is not open (lent, see storeown.h) nothing is read, and
 * while it does not take a commit (disk full) that commit is retried
 * before anything more is read.  Also drops results older than
 * result_retention once an hour.
 */
#ifndef TLSPOLICYD_LOGSOURCE_H
#define TLSPOLICYD_LOGSOURCE_H

struct buf;
struct evloop;
struct settings;
struct store;
struct logsources;

/* logsources_start - follow every log_source (there may be none: the
 * retention still applies); when storecheck_counting() refuses, follow
 * none and say why in the log and the status, until a restart.  loop and
 * st are borrowed and kept: they must outlive the sources, and so must
 * cfg (its syslog names are borrowed) */
struct logsources *logsources_start(struct evloop *loop, struct store *st,
    const struct settings *cfg);
/* logsources_commit - commit what was read and not committed yet */
void logsources_commit(struct logsources *ls);
/* logsources_stop - commit what was read and stop; NULL is fine */
void logsources_stop(struct logsources *ls);
struct ingest_stats;
/* logsources_get - the path and counts of the i-th followed log; -1 past
 * the last (ls may be NULL) */
int logsources_get(const struct logsources *ls, size_t i, const char **path,
    struct ingest_stats *st);
/* logsources_gaps - how many times lines of the i-th log were lost
 * (logfollow_gaps), 0 past the last */
unsigned long logsources_gaps(const struct logsources *ls, size_t i);
/* logsources_status - "log PATH: lines=... " lines for the status command,
 * after "counting: paused: WHY" when nothing is counted, each followed by
 * "log PATH: LINES LOST: HOW" when lines were lost */
void logsources_status(const struct logsources *ls, struct buf *out);

#endif
