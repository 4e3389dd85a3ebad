/*
 * daemon - the operations on a running tlspolicyd that several of its
 * services share (see daemon.h); main.c starts and stops it, control.c
 * and the signal handler call into it.
 */
#include "config.h"

#include <stddef.h>

#include "daemon.h"
#include "localpolicy.h"
#include "log.h"

int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct localpolicy *lp;
	char why[1024];

	if (d->cfg.local_policy_file[0] == '\0')
		return 0;
	if ((lp = localpolicy_load(d->cfg.local_policy_file, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "local_policy_file: %s", why);
		return -1;
	}
	localpolicy_free(d->local);
	d->local = lp;
	d->rctx.local = lp;
	log_info("local policy table %s: %zu entries", d->cfg.local_policy_file,
	    localpolicy_count(lp));
	return 0;
}
