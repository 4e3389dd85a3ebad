/*
 * ingest - log lines to stored session counts, exactly once.
 *
 * One ingest per log source: lines go through logparse_postfix and
 * sessions, or, when they are not Postfix lines, through logparse_exim
 * and eximsessions (an Exim main log, file or syslog layout; a central
 * syslog file may mix both); each session outcome is attributed to its policy (attrib)
 * and counted in a results_batch.  Postfix's server-side handshake lines
 * go to handshakes, Exim's incoming ones ("TLS error on connection from",
 * "<=", refusals, "no MAIL") to eximhandshakes; their counts are added to
 * the metrics when what was read is committed, so that lines read again
 * after a crash are never counted twice by one process.  Decision lines of tlspolicyd
 * (decisionlog.h), logged where an MTA's own daemon answered it, are
 * stored as decision records at once (they are the same however often
 * they are read) and join the attribution of the sessions after them.
 * ingest_commit() writes, in one
 * transaction, the batch, the source's cursor and the whole correlation
 * state, so that after a crash at any instant the next start continues
 * from the last commit with exactly the state it had: no session is lost
 * or counted twice.  The source record lives in the store's source
 * database under the source's name.
 */
#ifndef TLSPOLICY_INGEST_H
#define TLSPOLICY_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct strmap;
struct logfollow_cursor;

struct ingest_stats {
	uint64_t lines;       /* lines read */
	uint64_t skipped;     /* neither Postfix nor Exim lines (also: Postfix lines
	                         of interest under another syslog name), garbage,
	                         over the length limit */
	uint64_t sessions;    /* sessions counted */
	uint64_t failures;    /* of which failed */
	uint64_t excluded;    /* the reporter's own messages, not counted */
	uint64_t decisions;   /* decision lines taken (since the start, not saved) */
};

struct ingest_config {
	const char *exclude_sender;          /* the reporter's envelope sender or "" */
	const struct strmap *sending_ip;     /* logging host -> its IP address */
	char *const *syslog_names;           /* the MTA's syslog names (the
	                                        postfix_syslog_names setting, see
	                                        logparse_name_match()); NULL: the
	                                        default "postfix postfix-*" */
	size_t nsyslog_names;
	char *const *decision_names;         /* the syslog names whose decision
	                                        lines (decisionlog.h) are taken
	                                        (decision_syslog_names); NULL:
	                                        "tlspolicyd"; none when
	                                        ndecision_names is 0 but the
	                                        pointer is not NULL */
	size_t ndecision_names;
	struct strmap *own_ip;               /* sending_ip when made by
	                                        ingest_config_init: owned */
	char sender[320];                    /* exclude_sender's storage there */
};
/* ingest_new keeps the pointers sending_ip and syslog_names (borrowed:
 * they must outlive the ingest) and copies exclude_sender. */

struct settings;

/* ingest_config_init - the ingest configuration of the settings s: the
 * reporter's sender, the sending_mta_ip map (made here, owned by c) and
 * the syslog names (borrowed: s must outlive c and every ingest made
 * with it); ingest_config_fini frees what c owns */
void ingest_config_init(struct ingest_config *c, const struct settings *s);
void ingest_config_fini(struct ingest_config *c);

struct ingest;

/* ingest_new - the ingest of source name (copied).  st and
 * cfg->sending_ip are borrowed and kept: they must outlive the ingest;
 * cfg->exclude_sender and cfg->syslog_names are copied */
struct ingest *ingest_new(struct store *st, const char *name, const struct ingest_config *cfg);
void ingest_free(struct ingest *ig);

/* ingest_restore - load the saved state; *have_cursor says whether c was
 * filled.  0, or -1 when the record is unreadable (start afresh). */
int ingest_restore(struct ingest *ig, struct logfollow_cursor *c, int *have_cursor);

/* ingest_line - one line (no newline); line NULL: a line over the limit */
void ingest_line(struct ingest *ig, const char *line, size_t len);

/* ingest_commit - store what was counted since the last commit with the
 * cursor c (NULL for a stream: counts only); 0 or -1 (then everything is
 * kept for the next try) */
int ingest_commit(struct ingest *ig, const struct logfollow_cursor *c);

/* ingest_pending - lines read since the last successful commit */
uint64_t ingest_pending(const struct ingest *ig);
void ingest_get_stats(const struct ingest *ig, struct ingest_stats *out);

/* ingest_ip_map - the sending_mta_ip setting (host name -> IP) as the
 * map ingest_lookup_ip() reads: a copy, with each name's first label added
 * unless a host of that name is configured (two names with the same first
 * label: the label means either one).  Free with strmap_free(map, free). */
struct strmap *ingest_ip_map(const struct strmap *hosts);
/* ingest_lookup_ip - the address configured for a logging host name, or
 * "": exact, else by first labels (Postfix's maillog_file logs only the
 * first label of myhostname, syslog may log either form).  Borrowed from
 * map */
const char *ingest_lookup_ip(const struct strmap *map, const char *host);

#endif
