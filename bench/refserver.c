/*
 * refserver - the reference for bench/sockmap: a minimal epoll netstring
 * server on a unix socket that answers every request with a constant.
 * It does nothing else, so it is the ceiling for this client here.
 * With -l it speaks the line protocol of Exim's ${readsocket} instead:
 * one request per connection, ended by a newline or the client's
 * shutdown, answered with REPLY and a newline, then closed.
 *
 * usage: refserver [-l] PATH [REPLY]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "numparse.h"

struct cl { int fd; size_t len; char buf[16384]; };

int
main(int argc, char **argv)
{
	int line = argc > 1 && strcmp(argv[1], "-l") == 0;
	const char *reply;
	char out[64 * 1024], ans[256];
	int alen;

	argc -= line;
	argv += line;
	reply = argc > 2 ? argv[2] : "OK may";
	alen = line ? snprintf(ans, sizeof(ans), "%s\n", reply)
	    : snprintf(ans, sizeof(ans), "%zu:%s,", strlen(reply), reply);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct epoll_event ev, evs[256];
	int lfd, ep;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sun.sun_path))
		return 2;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0
	    || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 512) < 0)
		return perror("listen"), 1;
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			struct cl *c = evs[i].data.ptr;
			size_t pos = 0, o = 0;
			ssize_t r;

			if (c == NULL) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
			if (line && (r > 0 || (r == 0 && c->len > 0))) {
				if (r > 0)
					c->len += (size_t)r;
				if (r > 0 && memchr(c->buf, '\n', c->len) == NULL
				    && c->len < sizeof(c->buf))
					continue;
				if (send(c->fd, ans, (size_t)alen, MSG_NOSIGNAL) < 0 && errno != EPIPE
				    && errno != ECONNRESET)
					perror("send");
				close(c->fd);
				free(c);
				continue;
			}
			if (r <= 0) {
				close(c->fd);
				free(c);
				continue;
			}
			c->len += (size_t)r;
			for (;;) {   /* every complete "<len>:<payload>," */
				char *colon = memchr(c->buf + pos, ':', c->len - pos);
				uint64_t plen;

				if (colon == NULL)
					break;
				if (numparse_uint(c->buf + pos, (size_t)(colon - c->buf) - pos,
				    sizeof(c->buf), &plen) < 0) {
					pos = c->len;   /* not a netstring: drop it */
					break;
				}
				if ((size_t)(colon - c->buf) + plen + 2 > c->len)
					break;
				pos = (size_t)(colon - c->buf) + plen + 2;
				memcpy(out + o, ans, (size_t)alen);
				o += (size_t)alen;
			}
			memmove(c->buf, c->buf + pos, c->len - pos);
			c->len -= pos;
			/* a client that went away (EPIPE) is closed on its next
			 * read; it is no reason to die of SIGPIPE */
			if (o && send(c->fd, out, o, MSG_NOSIGNAL) < 0 && errno != EPIPE
			    && errno != ECONNRESET)
				perror("send");
		}
	}
}
