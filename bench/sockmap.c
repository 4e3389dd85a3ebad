/*
 * sockmap - socketmap load client: C persistent connections, each with one
 * request outstanding at a time (as Postfix's smtp(8) processes do),
 * measuring lookups per second and latency percentiles.
 *
 * usage: sockmap (-u PATH | -i HOST:PORT) [-c CONNS] [-d SECONDS]
 *                [-n MAPNAME] [-K KEY | -k KEYFILE] [-e EXPECT] [-1 | -a | -L]
 *
 * -1: cold mode: send every key of the key file once, one at a time on
 * one connection, and print "cold n= p50_us= max_us=" instead.
 * -a: every key of the key file once, over the C connections, then stop;
 * the rate is over the time that took (no warm-up left out).
 * -L: Exim ${readsocket} style instead of socketmap: each lookup connects,
 * writes "policy KEY", shuts down its writing side and reads the one-line
 * answer until the server closes; C such clients at a time.  The latency
 * includes the connect.
 *
 * Prints one line: conns= requests= seconds= rps= p50_us= p99_us= max_us=
 * errors=.  Exits non-zero on connection failures or errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "numparse.h"

#define MAX_CONNS 1024
#define HIST_US 100000      /* 1 us buckets up to 100 ms, then one overflow bucket */
#define WARMUP_NS 500000000LL

struct conn {
	int fd;
	size_t key;          /* index of the key in use */
	int64_t sent;        /* send time, ns */
	size_t len;
	char buf[4096];
};

static char **keys;
static size_t nkeys;
static const char *mapname = "postfix", *expect;
static int linemode;
static const char *dial_unix, *dial_inet;
static uint64_t hist[HIST_US + 1];
static uint64_t requests, errors, maxus;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned long
num(const char *s, const char *what)
{
	uint64_t v;

	if (numparse_uint(s, strlen(s), ULONG_MAX, &v) < 0) {
		fprintf(stderr, "sockmap: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static int dial(const char *unixpath, const char *inet);

/* send_request - one request for key k on c; in line mode on a new
 * connection, added to epoll set ep */
static int
send_request(struct conn *c, size_t k, int ep)
{
	char req[1100];
	int n;

	c->key = k;
	c->sent = now_ns();
	if (linemode) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		c->len = 0;
		if ((c->fd = dial(dial_unix, dial_inet)) < 0)
			return -1;
		if (ep >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
		n = snprintf(req, sizeof(req), "policy %s", keys[k]);
		if (write(c->fd, req, (size_t)n) != n)
			return -1;
		return shutdown(c->fd, SHUT_WR);
	}
	n = snprintf(req, sizeof(req), "%zu:%s %s,", strlen(mapname) + 1 + strlen(keys[k]),
	    mapname, keys[k]);
	return write(c->fd, req, (size_t)n) == n ? 0 : -1;
}

/* reply - a complete netstring at the front of c->buf? returns its total
 * length, 0 if incomplete, -1 if malformed */
static long
reply(struct conn *c, const char **payload, size_t *plen)
{
	char *colon = memchr(c->buf, ':', c->len);
	uint64_t n;

	if (colon == NULL)
		return c->len > 20 ? -1 : 0;
	if (numparse_uint(c->buf, (size_t)(colon - c->buf), sizeof(c->buf), &n) < 0)
		return -1;
	if ((size_t)(colon - c->buf) + n + 2 > c->len)
		return (size_t)(colon - c->buf) + n + 2 > sizeof(c->buf) ? -1 : 0;
	if (colon[1 + n] != ',')
		return -1;
	*payload = colon + 1;
	*plen = n;
	return (long)((size_t)(colon - c->buf) + n + 2);
}

static int
dial(const char *unixpath, const char *inet)
{
	int fd;

	if (unixpath) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", unixpath);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			return -1;
	} else {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		char host[64];
		const char *colon = strrchr(inet, ':');

		if (!colon || (size_t)(colon - inet) >= sizeof(host))
			return -1;
		memcpy(host, inet, (size_t)(colon - inet));
		host[colon - inet] = '\0';
		if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
			return -1;
		sin.sin_port = htons((uint16_t)num(colon + 1, "port"));
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
	}
	return fd;
}

static void
load_keys(const char *file, const char *one)
{
	static char *single[1];
	FILE *fp;
	char line[1024];

	if (file == NULL) {
		single[0] = (char *)(one ? one : "example.com");
		keys = single;
		nkeys = 1;
		return;
	}
	if ((fp = fopen(file, "r")) == NULL) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		keys = realloc(keys, (nkeys + 1) * sizeof(*keys));
		keys[nkeys++] = strdup(line);
	}
	fclose(fp);
	if (nkeys == 0) {
		fprintf(stderr, "sockmap: no keys in %s\n", file);
		exit(2);
	}
}

static uint64_t
percentile(double q)
{
	uint64_t want = (uint64_t)(q * (double)requests), seen = 0;

	for (size_t i = 0; i <= HIST_US; i++) {
		seen += hist[i];
		if (seen > want)
			return i;
	}
	return HIST_US;
}

/* cold - each key once, sequentially; latency of each */
static int
cold(const char *unixpath, const char *inet)
{
	static struct conn c;
	uint64_t *lat = calloc(nkeys, sizeof(*lat)), maxv = 0;

	if ((c.fd = dial(unixpath, inet)) < 0) {
		perror("sockmap: connect");
		free(lat);
		return 1;
	}
	for (size_t k = 0; k < nkeys; k++) {
		const char *payload;
		size_t plen;
		long used = 0;

		c.len = 0;
		if (send_request(&c, k, -1) < 0)
			goto fail;
		while (used == 0) {
			ssize_t r = read(c.fd, c.buf + c.len, sizeof(c.buf) - c.len);

			if (r <= 0)
				goto fail;
			c.len += (size_t)r;
			used = reply(&c, &payload, &plen);
		}
		if (used < 0)
			goto fail;
		lat[k] = (uint64_t)(now_ns() - c.sent) / 1000;
		if (lat[k] > maxv)
			maxv = lat[k];
		if (expect && (plen < strlen(expect) || memcmp(payload, expect, strlen(expect)) != 0)) {
			fprintf(stderr, "sockmap: %s: unexpected reply \"%.*s\"\n", keys[k],
			    (int)(plen > 200 ? 200 : plen), payload);
			errors++;
		}
	}
	for (size_t i = 1; i < nkeys; i++)   /* insertion sort: few keys */
		for (size_t j = i; j > 0 && lat[j - 1] > lat[j]; j--) {
			uint64_t t = lat[j];
			lat[j] = lat[j - 1];
			lat[j - 1] = t;
		}
	printf("cold n=%zu p50_us=%llu max_us=%llu errors=%llu\n", nkeys,
	    (unsigned long long)lat[nkeys / 2], (unsigned long long)maxv, (unsigned long long)errors);
	free(lat);
	return errors ? 1 : 0;
fail:
	fprintf(stderr, "sockmap: connection failed\n");
	free(lat);
	return 1;
}

int
main(int argc, char **argv)
{
	const char *unixpath = NULL, *inet = NULL, *keyfile = NULL, *onekey = NULL;
	unsigned long nconns = 1, seconds = 5;
	static struct conn conns[MAX_CONNS];
	struct epoll_event ev, evs[MAX_CONNS];
	int64_t start, measure_from, stop;
	size_t next = 0;
	int ep, ch;

	int once = 0, all = 0;
	unsigned long active = 0;

	while ((ch = getopt(argc, argv, "u:i:c:d:n:k:K:e:1aL")) != -1) {
		switch (ch) {
		case 'u': unixpath = optarg; break;
		case 'i': inet = optarg; break;
		case 'c': nconns = num(optarg, "connection count"); break;
		case 'd': seconds = num(optarg, "duration"); break;
		case 'n': mapname = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'K': onekey = optarg; break;
		case 'e': expect = optarg; break;
		case '1': once = 1; break;
		case 'a': all = 1; break;
		case 'L': linemode = 1; break;
		default: return 2;
		}
	}
	if ((!unixpath && !inet) || nconns < 1 || nconns > MAX_CONNS || seconds < 1) {
		fprintf(stderr, "usage: sockmap (-u PATH | -i HOST:PORT) [-c 1..%d] [-d SECONDS] "
		    "[-n MAPNAME] [-K KEY | -k KEYFILE] [-e EXPECT] [-1 | -a | -L]\n", MAX_CONNS);
		return 2;
	}
	load_keys(keyfile, onekey);
	dial_unix = unixpath;
	dial_inet = inet;
	if (once + all + linemode > 1) {
		fprintf(stderr, "sockmap: -1, -a and -L do not go together\n");
		return 2;
	}
	if (once)
		return cold(unixpath, inet);
	ep = epoll_create1(0);
	start = now_ns();
	measure_from = all ? start : start + WARMUP_NS;
	stop = all ? INT64_MAX : measure_from + (int64_t)seconds * 1000000000;
	for (unsigned long i = 0; i < nconns && (!all || next < nkeys); i++) {
		struct conn *c = &conns[i];

		active++;
		if (linemode) {
			if (send_request(c, next++ % nkeys, ep) < 0) {
				perror("sockmap: connect");
				return 1;
			}
			continue;
		}
		if ((c->fd = dial(unixpath, inet)) < 0) {
			perror("sockmap: connect");
			return 1;
		}
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
		if (send_request(c, next++ % nkeys, ep) < 0) {
			perror("sockmap: write");
			return 1;
		}
	}
	while (!all || active > 0) {
		int n = epoll_wait(ep, evs, MAX_CONNS, 1000);
		int64_t t = now_ns();

		if (t >= stop)
			break;
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
			const char *payload;
			size_t plen;
			long used;

			if (linemode && r > 0) {
				c->len += (size_t)r;
				if (c->len == sizeof(c->buf)) {
					fprintf(stderr, "sockmap: answer too long\n");
					return 1;
				}
				continue;
			}
			if (linemode && r == 0) {
				/* the answer is complete when the server closes */
				t = now_ns();
				if (c->sent >= measure_from) {
					uint64_t us = (uint64_t)(t - c->sent) / 1000;

					hist[us < HIST_US ? us : HIST_US]++;
					if (us > maxus)
						maxus = us;
					requests++;
					if (expect && (c->len != strlen(expect) + 1
					    || memcmp(c->buf, expect, strlen(expect)) != 0
					    || c->buf[c->len - 1] != '\n'))
						errors++;
				}
				close(c->fd);
				if (send_request(c, next++ % nkeys, ep) < 0) {
					perror("sockmap: connect");
					return 1;
				}
				continue;
			}
			if (r <= 0) {
				fprintf(stderr, "sockmap: connection closed by the server\n");
				return 1;
			}
			c->len += (size_t)r;
			while ((used = reply(c, &payload, &plen)) != 0) {
				if (used < 0) {
					fprintf(stderr, "sockmap: malformed reply\n");
					return 1;
				}
				t = now_ns();
				if (c->sent >= measure_from) {
					uint64_t us = (uint64_t)(t - c->sent) / 1000;

					hist[us < HIST_US ? us : HIST_US]++;
					if (us > maxus)
						maxus = us;
					requests++;
					if (expect && (plen < strlen(expect)
					    || memcmp(payload, expect, strlen(expect)) != 0))
						errors++;
				}
				memmove(c->buf, c->buf + used, c->len - (size_t)used);
				c->len -= (size_t)used;
				if (all && next >= nkeys) {
					active--;
					continue;
				}
				if (send_request(c, next++ % nkeys, ep) < 0) {
					perror("sockmap: write");
					return 1;
				}
			}
		}
	}
	if (all) {
		double secs = (double)(now_ns() - start) / 1e9;

		printf("conns=%lu requests=%llu seconds=%.1f rps=%.0f p50_us=%llu p99_us=%llu max_us=%llu errors=%llu\n",
		    nconns, (unsigned long long)requests, secs, (double)requests / secs,
		    (unsigned long long)percentile(0.50), (unsigned long long)percentile(0.99),
		    (unsigned long long)maxus, (unsigned long long)errors);
		return errors ? 1 : 0;
	}
	printf("conns=%lu requests=%llu seconds=%lu rps=%.0f p50_us=%llu p99_us=%llu max_us=%llu errors=%llu\n",
	    nconns, (unsigned long long)requests, seconds, (double)requests / (double)seconds,
	    (unsigned long long)percentile(0.50), (unsigned long long)percentile(0.99),
	    (unsigned long long)maxus, (unsigned long long)errors);
	return errors ? 1 : 0;
}
