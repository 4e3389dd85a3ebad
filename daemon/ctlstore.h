/*
 * ctlstore - the tlspolicyctl commands that work on the store directly,
 * with or without a running daemon: "results" and "ingest".  A running
 * daemon owns the store; they borrow it (storelend.h) and give it back
 * when done, "ingest -" also whenever its input pauses.  Run as root,
 * they first become the configured user, so that no store file ends up
 * owned by root.  Also "store-accept", which needs the daemon stopped.
 */
#ifndef TLSPOLICYD_CTLSTORE_H
#define TLSPOLICYD_CTLSTORE_H

struct settings;

/* ctl_results - tlspolicyctl results [--day D] [--domain D] [--json];
 * s is used during the call only, as by ctl_ingest */
int ctl_results(const struct settings *s, int argc, char **argv);
/* ctl_ingest - tlspolicyctl ingest FILE|- */
int ctl_ingest(const struct settings *s, int argc, char **argv);
/* ctl_store_accept - tlspolicyctl store-accept: accept the loss of
 * counts or log positions (storecheck_accept()); logs left without a
 * position are counted from their current end */
int ctl_store_accept(const struct settings *s, int argc, char **argv);

#endif
