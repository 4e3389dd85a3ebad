/*
 * storelend - borrowing the store from its owner, see storelend.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ctlclient.h"
#include "endpoint.h"
#include "evloop.h"
#include "log.h"
#include "store.h"
#include "storelend.h"

#define ASK_TIMEOUT_MSEC 5000    /* for the daemon's answer */
#define ASK_AGAIN_MSEC 2000      /* the daemon took it back meanwhile: ask again */
#define POLL_MSEC 20             /* between tries of the lock */

/* ask_lend - "lend PID" to the daemon; 0 when it answered OK, else -1
 * with the reason in why */
static int
ask_lend(const struct endpoint *control, char *why, size_t whylen)
{
	struct buf reply;
	char cmd[40];
	int rc = -1;

	if (control == NULL) {
		snprintf(why, whylen, "no control_socket to ask");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "lend %ld", (long)getpid());
	buf_init(&reply, 1024);
	if (ctlclient_call(control, cmd, 1024, ASK_TIMEOUT_MSEC, &reply, why, whylen) == 0) {
		if (reply.len >= 2 && memcmp(reply.data, "OK", 2) == 0)
			rc = 0;
		else
			snprintf(why, whylen, "the daemon refused: %.*s",
			    (int)(reply.len > 200 ? 200 : reply.len), reply.data);
	}
	buf_fini(&reply);
	return rc;
}

int
store_borrow(struct store *st, const struct endpoint *control, int wait_ms, char *err,
    size_t errlen)
{
	int64_t start = evloop_clock_ms(), asked = -ASK_AGAIN_MSEC - 1;
	char why[300] = "";

	for (;;) {
		long holder = 0;
		int64_t now;
		int rc = store_resume(st, &holder);

		if (rc == 0)
			return 0;
		if (rc < 0) {
			snprintf(err, errlen, "%s", store_strerror(st));
			return -1;
		}
		now = evloop_clock_ms();
		if (now - start >= wait_ms) {
			snprintf(err, errlen, "%s%s%s", store_strerror(st), why[0] ? "; " : "", why);
			return -1;
		}
		if (now - asked >= ASK_AGAIN_MSEC) {
			if (ask_lend(control, why, sizeof(why)) == 0)
				why[0] = '\0';
			asked = evloop_clock_ms();
		}
		usleep(POLL_MSEC * 1000);
	}
}

struct store *
store_borrow_open(const char *dir, const struct endpoint *control, int wait_ms, char *err,
    size_t errlen)
{
	struct store *st = store_new(dir);

	if (store_borrow(st, control, wait_ms, err, errlen) < 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_release(struct store *st)
{
	store_suspend(st, "store released");
}

void
store_hold(struct store *st, const struct endpoint *control)
{
	char err[1024];

	if (!store_is_open(st) && store_borrow(st, control, STORE_LEND_WAIT_MS, err,
	    sizeof(err)) < 0)
		log_fatalx("store: %s", err);
}
