/*
 * send - sendmail and HTTPS delivery of reports, see send.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "dnswire.h"
#include "evloop.h"
#include "httpresp.h"
#include "https.h"
#include "send.h"
#include "tlsrpt.h"

int
send_mail(const char *sendmail_path, const char *from, const char *to, const char *msg,
    size_t len, unsigned timeout_s, char *err, size_t errlen)
{
	char *const argv[] = { (char *)"sendmail", (char *)"-oi", (char *)"-f", (char *)from,
		(char *)to, NULL };
	char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int fds[2], status;
	pid_t pid;
	size_t off = 0;
	time_t deadline = time(NULL) + timeout_s;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(127);
		execve(sendmail_path, argv, envp);
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		struct pollfd pfd = { .fd = fds[1], .events = POLLOUT };
		ssize_t n;

		if (time(NULL) >= deadline || poll(&pfd, 1, 1000) < 0)
			break;
		if ((n = write(fds[1], msg + off, len - off)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		off += (size_t)n;
	}
	close(fds[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, errlen, "%s did not finish within %u s", sendmail_path, timeout_s);
			return -1;
		}
		usleep(20000);
	}
	/* a sendmail that failed says more than the write it cut short */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (off == len)
			return 0;
		snprintf(err, errlen, "%s did not read the whole message", sendmail_path);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "cannot run %s", sendmail_path);
	else if (WIFEXITED(status))
		snprintf(err, errlen, "%s exited with status %d", sendmail_path, WEXITSTATUS(status));
	else
		snprintf(err, errlen, "%s killed by signal %d", sendmail_path, WTERMSIG(status));
	return -1;
}

struct wait {
	struct evloop *loop;
	int done;
	/* DNS */
	int have_addr;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char why[256];
	/* HTTPS */
	int ok;
};

static void
on_addr(void *arg, enum dns_status st, const struct dns_msg *msg, const char *why)
{
	struct wait *w = arg;

	w->done = 1;
	evloop_stop(w->loop);
	if (st != DNS_OK) {
		snprintf(w->why, sizeof(w->why), "address lookup: %s", why);
		return;
	}
	for (size_t i = 0; i < msg->nrr && !w->have_addr; i++) {
		const struct dns_rr *rr = &msg->rr[i];

		if (rr->type == DNS_TYPE_A && rr->len == 4) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&w->addr;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, msg->data + rr->off, 4);
			w->addrlen = sizeof(*sin);
			w->have_addr = 1;
		} else if (rr->type == DNS_TYPE_AAAA && rr->len == 16) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&w->addr;

			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, msg->data + rr->off, 16);
			w->addrlen = sizeof(*sin6);
			w->have_addr = 1;
		}
	}
	if (!w->have_addr)
		snprintf(w->why, sizeof(w->why), "no address (rcode %u)", msg->rcode);
}

static void
on_post(void *arg, enum https_result res, const struct httpresp *r, const struct buf *body,
    const char *why)
{
	struct wait *w = arg;

	(void)body;
	w->done = 1;
	evloop_stop(w->loop);
	if (res != HTTPS_OK) {
		snprintf(w->why, sizeof(w->why), "%s: %s", https_result_name(res), why);
		return;
	}
	w->ok = r->code >= 200 && r->code < 300;
	if (!w->ok)
		snprintf(w->why, sizeof(w->why), "HTTP status %d", r->code);
}

/* run - the loop until the callback said done */
static void
run(struct wait *w)
{
	while (!w->done)
		evloop_run(w->loop);
}

int
send_https(struct evloop *loop, struct dns *dns, struct https_client *hc,
    const struct tlsrpt_uri *u, const void *gz, size_t len, unsigned timeout_ms, char *err,
    size_t errlen)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	struct wait w;

	memset(&w, 0, sizeof(w));
	w.loop = loop;
	for (size_t i = 0; i < 2 && !w.have_addr; i++) {
		w.done = 0;
		dns_query(dns, u->host, types[i], on_addr, &w);
		run(&w);
	}
	if (!w.have_addr) {
		snprintf(err, errlen, "%s: %s", u->host, w.why);
		return -1;
	}
	if (w.addr.ss_family == AF_INET)
		((struct sockaddr_in *)&w.addr)->sin_port = htons((uint16_t)u->port);
	else
		((struct sockaddr_in6 *)&w.addr)->sin6_port = htons((uint16_t)u->port);
	w.done = 0;
	https_request(hc, loop, (struct sockaddr *)&w.addr, w.addrlen, u->host, u->path,
	    "application/tlsrpt+gzip", gz, len, timeout_ms, (size_t)64 * 1024, on_post, &w);
	run(&w);
	if (!w.ok) {
		snprintf(err, errlen, "%s", w.why);
		return -1;
	}
	return 0;
}
