/*
 * logparse_postfix - Postfix log lines, see logparse_postfix.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "logline.h"
#include "logparse_postfix.h"
#include "text.h"

/* token - copy up to the next space (at most cap-1 bytes); 0 if empty or too long */
static int
token(struct logline *s, char *out, size_t cap)
{
	size_t i = 0;

	while (i < s->n && s->p[i] != ' ')
		i++;
	if (i == 0 || i >= cap)
		return 0;
	memcpy(out, s->p, i);
	out[i] = '\0';
	s->p += i;
	s->n -= i;
	return 1;
}

/* upto - copy up to (not including) the first occurrence of stop */
static int
upto(struct logline *s, const char *stop, char *out, size_t cap)
{
	size_t sl = strlen(stop), i = 0;
	const char *hit;

	while (i + sl <= s->n && (hit = memchr(s->p + i, stop[0], s->n - i - sl + 1)) != NULL) {
		i = (size_t)(hit - s->p);
		if (memcmp(hit, stop, sl) == 0) {
			if (i >= cap)
				return 0;
			memcpy(out, s->p, i);
			out[i] = '\0';
			s->p += i + sl;
			s->n -= i + sl;
			return 1;
		}
		i++;
	}
	return 0;
}

/* rest - the rest of the line as clean text (text.h), cut to cap */
static void
rest(struct logline *s, char *out, size_t cap)
{
	/* no more input than could fill out, even as plain ASCII */
	text_clean(out, cap, s->p, s->n < cap - 1 ? s->n : cap - 1);
}

/* word - keep a field of printable ASCII without spaces, else empty it */
static void
word(char *f)
{
	for (const char *c = f; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
			f[0] = '\0';
			return;
		}
}

int
logparse_addr(const char *text, size_t len, char *out, size_t outlen)
{
	unsigned char bin[16];
	char a[48];

	out[0] = '\0';
	if (len >= 5 && strncasecmp(text, "ipv6:", 5) == 0) {
		text += 5;
		len -= 5;
	}
	if (len == 0 || len >= sizeof(a) || len >= outlen)
		return -1;
	memcpy(a, text, len);
	a[len] = '\0';
	if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1)
		return -1;
	memcpy(out, a, len + 1);
	return 0;
}

int
logparse_host(const char *text, size_t len, char *out)
{
	size_t i;

	out[0] = '\0';
	if (len == 0)
		return -1;
	/* most names are already lower-case LDH: checked without the copy
	 * and conversion of domain_normalize() */
	for (i = 0; i < len && i < DOMAIN_MAX && ((text[i] >= 'a' && text[i] <= 'z')
	    || (text[i] >= '0' && text[i] <= '9') || text[i] == '-' || text[i] == '.'); i++)
		;
	if (i == len && text[len - 1] != '.') {
		memcpy(out, text, len);
		out[len] = '\0';
		if (domain_valid(out))
			return 0;
		out[0] = '\0';
	}
	switch (domain_normalize(text, len, out, NULL)) {
	case DOMAIN_OK:
		/* U+FFFD stands for bytes that were not UTF-8 (in a text
		 * already cleaned): no name, though Punycode can encode it */
		if (strstr(out, "xn--") == NULL || memmem(text, len, "\xef\xbf\xbd", 3) == NULL)
			return 0;
		break;
	case DOMAIN_NEXTHOP:   /* a literal next hop: the address stands for the name */
		if (logparse_addr(text, len, out, DOMAIN_MAX + 1) == 0)
			return 0;
		break;
	default:
		break;
	}
	out[0] = '\0';
	return -1;
}

/* --- envelopes ------------------------------------------------------------ */

/* tag - "name/service[pid]:" then a space */
static int
tag(struct logline *s, struct logparse_event *ev)
{
	const char *lb = memchr(s->p, '[', s->n < 96 ? s->n : 96), *slash;
	size_t nlen, slen;
	unsigned long pid;

	if (lb == NULL)
		return 0;
	for (slash = lb; slash > s->p && slash[-1] != '/'; slash--)
		;
	if (slash == s->p)
		return 0;
	nlen = (size_t)(slash - 1 - s->p);
	slen = (size_t)(lb - slash);
	if (slen >= sizeof(ev->service) || nlen >= sizeof(ev->syslog_name)
	    || memchr(s->p, ' ', (size_t)(lb - s->p)) != NULL)
		return 0;
	memcpy(ev->syslog_name, s->p, nlen);
	ev->syslog_name[nlen] = '\0';
	memcpy(ev->service, slash, slen);
	ev->service[slen] = '\0';
	s->n -= (size_t)(lb + 1 - s->p);
	s->p = lb + 1;
	if (!logline_digits(s, 1, 10, &pid) || !logline_eat(s, "]: "))
		return 0;
	ev->pid = pid;
	return 1;
}

/* rfc5424 - "<PRI>1 TS HOST APP PROCID MSGID SD " */
static int
rfc5424(struct logline *s, struct logparse_event *ev)
{
	unsigned long pri, pid;
	char app[96], *slash;

	if (!logline_eat(s, "<") || !logline_digits(s, 1, 3, &pri) || !logline_eat(s, ">1 ")
	    || !logline_rfc3339(s, &ev->when)
	    || !logline_eat(s, " ") || !token(s, ev->host, sizeof(ev->host)) || !logline_eat(s, " ")
	    || !token(s, app, sizeof(app)) || !logline_eat(s, " ")
	    || !logline_digits(s, 1, 10, &pid) || !logline_eat(s, " "))
		return 0;
	ev->pid = pid;
	if (!logline_eat(s, "- ")) {   /* MSGID */
		char msgid[40];

		if (!token(s, msgid, sizeof(msgid)) || !logline_eat(s, " "))
			return 0;
	}
	if (!logline_eat(s, "- ")) {   /* structured data: one or more [..] */
		char sd[1024];

		if (!upto(s, "] ", sd, sizeof(sd)))
			return 0;
	}
	logline_eat(s, "\xef\xbb\xbf");   /* BOM */
	if ((slash = strrchr(app, '/')) == NULL || strlen(slash + 1) >= sizeof(ev->service)
	    || (size_t)(slash - app) >= sizeof(ev->syslog_name))
		return 0;
	*slash = '\0';
	memcpy(ev->service, slash + 1, strlen(slash + 1) + 1);
	memcpy(ev->syslog_name, app, strlen(app) + 1);
	return 1;
}

/* --- messages ------------------------------------------------------------- */

/* namaddr - "host[addr]" with an optional ":port"; a name that is not a
 * host name, or an address that is not one, is left empty */
static int
namaddr(struct logline *s, struct logparse_event *ev)
{
	unsigned long port = 0;
	char name[sizeof(ev->peer)], addr[sizeof(ev->addr)];

	/* the last pair checked: a session's lines name the same peer */
	static struct { char name[sizeof(ev->peer)], addr[sizeof(ev->addr)];
		char peer[sizeof(ev->peer)], ok_addr[sizeof(ev->addr)]; } last;

	if (!upto(s, "[", name, sizeof(name)) || !upto(s, "]", addr, sizeof(addr)))
		return 0;
	if (strcmp(name, last.name) != 0) {
		logparse_host(name, strlen(name), last.peer);
		memcpy(last.name, name, strlen(name) + 1);
	}
	if (strcmp(addr, last.addr) != 0) {
		logparse_addr(addr, strlen(addr), last.ok_addr, sizeof(last.ok_addr));
		memcpy(last.addr, addr, strlen(addr) + 1);
	}
	memcpy(ev->peer, last.peer, strlen(last.peer) + 1);
	memcpy(ev->addr, last.ok_addr, strlen(last.ok_addr) + 1);
	if (s->n > 1 && s->p[0] == ':' && s->p[1] >= '0' && s->p[1] <= '9') {
		logline_eat(s, ":");
		if (!logline_digits(s, 1, 5, &port) || port > 65535)
			return 0;
	}
	ev->port = (unsigned)port;
	return 1;
}

static enum logparse_kind
tls_summary(struct logline *s, struct logparse_event *ev)
{
	static const struct { const char *word; enum logparse_trust t; } trusts[] = {
		{ "Anonymous ", LOGPARSE_ANONYMOUS }, { "Untrusted ", LOGPARSE_UNTRUSTED },
		{ "Trusted ", LOGPARSE_TRUSTED }, { "Verified ", LOGPARSE_VERIFIED },
	};
	size_t i;
	int in = 0;

	for (i = 0; i < sizeof(trusts) / sizeof(trusts[0]); i++)
		if (logline_eat(s, trusts[i].word))
			break;
	if (i == sizeof(trusts) / sizeof(trusts[0]))
		return LOGPARSE_OTHER;
	ev->trust = trusts[i].t;
	if (logline_eat(s, "TLS connection established to "))
		ev->reused = 0;
	else if (logline_eat(s, "TLS connection reused to "))
		ev->reused = 1;
	else if (logline_eat(s, "TLS connection established from "))
		in = 1;
	else if (logline_eat(s, "TLS connection reused from "))
		in = ev->reused = 1;
	else
		return LOGPARSE_OTHER;
	if (!namaddr(s, ev) || !logline_eat(s, ": ")
	    || !token(s, ev->protocol, sizeof(ev->protocol)))
		return LOGPARSE_SKIP;
	word(ev->protocol);
	return in ? LOGPARSE_IN_TLS : LOGPARSE_TLS;
}

/* incoming - the lines of smtpd's and tlsproxy's STARTTLS handshakes as a
 * server; OTHER for every other line */
static enum logparse_kind
incoming(struct logline *s, struct logparse_event *ev, int smtpd)
{
	struct logline c;
	enum logparse_kind k;

	if (logline_eat(s, "SSL_accept error from ")) {
		if (!namaddr(s, ev) || !logline_eat(s, ": "))
			return LOGPARSE_SKIP;
		rest(s, ev->text, sizeof(ev->text));
		return LOGPARSE_IN_SSL_ERROR;
	}
	if (logline_eat(s, "warning: TLS library problem: ")) {
		rest(s, ev->text, sizeof(ev->text));
		return LOGPARSE_TLS_PROBLEM;
	}
	if (smtpd && logline_eat(s, "disconnect from ")) {
		unsigned long ok, tries;

		/* "disconnect from H[A] ehlo=2 starttls=1 mail=1 ... commands=N" */
		if (!namaddr(s, ev))
			return LOGPARSE_SKIP;
		while (s->n > 0 && !logline_eat(s, " starttls=")) {
			s->p++;
			s->n--;
		}
		if (s->n == 0 || !logline_digits(s, 1, 4, &ok))
			return LOGPARSE_OTHER;
		tries = ok;
		if (logline_eat(s, "/") && !logline_digits(s, 1, 4, &tries))
			return LOGPARSE_OTHER;
		if (s->n > 0 && s->p[0] != ' ')   /* more digits than counted */
			return LOGPARSE_OTHER;
		if (tries < ok)
			return LOGPARSE_SKIP;
		ev->starttls_ok = (unsigned)ok;
		ev->starttls_tries = (unsigned)tries;
		return LOGPARSE_IN_DISCONNECT;
	}
	/* tlsproxy's "... TLS connection established to" is its client side,
	 * for the caller to parse from the start */
	c = *s;
	if ((k = tls_summary(&c, ev)) == LOGPARSE_TLS)
		return LOGPARSE_OTHER;
	*s = c;
	return k;
}

/* domain_of - the domain of the address addr (left empty when the address
 * holds control bytes); returns 1 if addr holds control bytes or bytes
 * >= 0x80, which the clean-text check must see */
static int
domain_of(const char *addr, char *out)
{
	const char *at = strrchr(addr, '@');
	int high = 0;

	out[0] = '\0';
	/* control bytes: not an address Postfix would log (a quoted local
	 * part may hold spaces, the domain is checked below) */
	for (const char *c = addr; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return 1;
		high |= (unsigned char)*c >= 0x80;
	}
	if (at && domain_normalize(at + 1, strlen(at + 1), out, NULL) != DOMAIN_OK)
		out[0] = '\0';
	return high;
}

/* status - "to=<R>, [orig_to=<..>, ]relay=..., ..., status=S (TEXT)" */
static enum logparse_kind
status(struct logline *s, struct logparse_event *ev)
{
	if (!logline_eat(s, "to=<") || !upto(s, ">, ", ev->rcpt, sizeof(ev->rcpt)))
		return LOGPARSE_SKIP;
	if (domain_of(ev->rcpt, ev->domain) && !text_clean_len(ev->rcpt, strlen(ev->rcpt)))
		ev->rcpt[0] = '\0';
	for (;;) {
		const char *eq = memchr(s->p, '=', s->n < 16 ? s->n : 16);
		size_t klen;
		unsigned long n;

		if (eq == NULL)
			return LOGPARSE_SKIP;
		klen = (size_t)(eq - s->p);
		s->p += klen + 1;
		s->n -= klen + 1;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(eq - klen, k, klen) == 0)
		if (KEY("status")) {
			if (!upto(s, " (", ev->status, sizeof(ev->status))) {
				if (!token(s, ev->status, sizeof(ev->status)))
					return LOGPARSE_SKIP;
				word(ev->status);
				return LOGPARSE_STATUS;
			}
			word(ev->status);
			rest(s, ev->text, sizeof(ev->text));
			if (ev->text[0] && ev->text[strlen(ev->text) - 1] == ')')
				ev->text[strlen(ev->text) - 1] = '\0';
			return LOGPARSE_STATUS;
		}
		if (KEY("relay")) {
			if (logline_eat(s, "none"))
				ev->relay_none = 1;
			else if (!namaddr(s, ev))
				return LOGPARSE_SKIP;
			if (!logline_eat(s, ", "))
				return LOGPARSE_SKIP;
		} else if (KEY("conn_use")) {
			if (!logline_digits(s, 1, 9, &n) || !logline_eat(s, ", "))
				return LOGPARSE_SKIP;
			ev->reused = n >= 2;
		} else if (KEY("dsn")) {
			if (!upto(s, ", ", ev->dsn, sizeof(ev->dsn)))
				return LOGPARSE_SKIP;
			word(ev->dsn);
		} else {
			char skip[600];

			/* orig_to=<..>, delay=, delays=, tls= */
			if (!upto(s, ", ", skip, sizeof(skip)))
				return LOGPARSE_SKIP;
		}
#undef KEY
	}
}

/* tlsrpt - "status=S, domain=D, receiving_mx=H[A][, failure_type=T[, failure_reason=R]]" */
static enum logparse_kind
tlsrpt(struct logline *s, struct logparse_event *ev)
{
	char dom[DOMAIN_MAX + 1];

	if (!logline_eat(s, "status=") || !upto(s, ", ", ev->status, sizeof(ev->status))
	    || !logline_eat(s, "domain=") || !upto(s, ", ", dom, sizeof(dom))
	    || !logline_eat(s, "receiving_mx=")
	    || !namaddr(s, ev))
		return LOGPARSE_SKIP;
	word(ev->status);
	if (domain_normalize(dom, strlen(dom), ev->domain, NULL) != DOMAIN_OK)
		return LOGPARSE_SKIP;
	if (logline_eat(s, ", failure_type="))
		rest(s, ev->text, sizeof(ev->text));
	return LOGPARSE_TLSRPT;
}

static int
queue_id(struct logline *s, struct logparse_event *ev)
{
	size_t i = 0;

	while (i < s->n && i < sizeof(ev->queue_id) - 1
	    && ((s->p[i] >= '0' && s->p[i] <= '9') || (s->p[i] >= 'A' && s->p[i] <= 'Z')
	    || (s->p[i] >= 'a' && s->p[i] <= 'z')))
		i++;
	if (i < 6 || s->n - i < 2 || s->p[i] != ':' || s->p[i + 1] != ' ')
		return 0;
	memcpy(ev->queue_id, s->p, i);
	ev->queue_id[i] = '\0';
	s->p += i + 2;
	s->n -= i + 2;
	return 1;
}

static enum logparse_kind
message(struct logline *s, struct logparse_event *ev)
{
	int smtp = strcmp(ev->service, "smtp") == 0 || strcmp(ev->service, "lmtp") == 0
	    || strcmp(ev->service, "tlsproxy") == 0;
	enum logparse_kind k;

	/* the names that key the correlation state: printable ASCII or not
	 * a Postfix line */
	word(ev->host);
	word(ev->syslog_name);
	if (ev->host[0] == '\0' || ev->syslog_name[0] == '\0')
		return LOGPARSE_SKIP;
	if (strcmp(ev->service, "qmgr") == 0) {
		if (queue_id(s, ev) && logline_eat(s, "from=<") && upto(s, ">", ev->rcpt, sizeof(ev->rcpt))) {
			if (!text_clean_len(ev->rcpt, strlen(ev->rcpt)))
				ev->rcpt[0] = '\0';
			return LOGPARSE_FROM;
		}
		return LOGPARSE_OTHER;
	}
	if (strcmp(ev->service, "smtpd") == 0)
		return incoming(s, ev, 1);
	if (strcmp(ev->service, "tlsproxy") == 0
	    && (k = incoming(s, ev, 0)) != LOGPARSE_OTHER)
		return k;
	if (!smtp)
		return LOGPARSE_OTHER;
	if (logline_eat(s, "warning: ")) {
		char d[DOMAIN_MAX + 1], mx[sizeof(ev->peer)];

		if (logline_eat(s, "TLS policy lookup for ") && upto(s, "/", d, sizeof(d))
		    && domain_normalize(d, strlen(d), ev->domain, NULL) == DOMAIN_OK
		    && upto(s, ": ", mx, sizeof(mx))) {
			logparse_host(mx, strlen(mx), ev->peer);
			rest(s, ev->text, sizeof(ev->text));
			return LOGPARSE_POLICY;
		}
		return LOGPARSE_OTHER;
	}
	if ((k = tls_summary(s, ev)) != LOGPARSE_OTHER)
		return k;
	if (logline_eat(s, "server certificate verification failed for ")
	    || logline_eat(s, "CA certificate verification failed for ")
	    || logline_eat(s, "client certificate verification failed for ")
	    || logline_eat(s, "certificate verification failed for ")) {
		unsigned long num;

		if (!namaddr(s, ev) || !logline_eat(s, ": "))
			return LOGPARSE_SKIP;
		rest(s, ev->text, sizeof(ev->text));
		if (logline_eat(s, "num=") && logline_digits(s, 1, 4, &num))
			ev->verify_num = (int)num;
		return LOGPARSE_VERIFY;
	}
	if (logline_eat(s, "SSL_connect error to ")) {
		if (!namaddr(s, ev) || !logline_eat(s, ": "))
			return LOGPARSE_SKIP;
		rest(s, ev->text, sizeof(ev->text));
		return LOGPARSE_SSL_ERROR;
	}
	if (logline_eat(s, "TLSRPT: "))
		return tlsrpt(s, ev);
	if (queue_id(s, ev)) {
		if (s->n >= 4 && memcmp(s->p, "to=<", 4) == 0)
			return status(s, ev);
		rest(s, ev->text, sizeof(ev->text));
		return LOGPARSE_QUEUE_REASON;
	}
	return LOGPARSE_OTHER;
}

/*
 * uninteresting - a quick look at the tag of a syslog or maillog_file line:
 * "NAME/SERVICE[PID]: " with a service other than smtp, lmtp, tlsproxy
 * and qmgr (cleanup, local...: most of a mail log), a qmgr line other
 * than "QID: from=<", or an smtpd line that does not start as one of its
 * handshake lines (see incoming()), is a Postfix line of no interest, told
 * without parsing the rest of its envelope.
 */
static int
uninteresting(const char *line, size_t len)
{
	const char *end, *lb, *sl;
	size_t n;

	if (len > 200)
		len = 200;
	/* the first "]: " */
	for (end = line; (end = memchr(end, ']', len - (size_t)(end - line))) != NULL; end++)
		if ((size_t)(end - line) + 3 <= len && end[1] == ':' && end[2] == ' ')
			break;
	/* a NUL up to the tag: garbage, for the full parse to refuse */
	if (end == NULL || memchr(line, '\0', (size_t)(end - line)) != NULL)
		return 0;
	for (lb = end; lb > line && lb[-1] >= '0' && lb[-1] <= '9'; lb--)
		;
	if (lb == end || lb == line || lb[-1] != '[')
		return 0;
	lb--;
	for (sl = lb; sl > line && sl[-1] != '/' && sl[-1] != ' '; sl--)
		;
	if (sl == line || sl[-1] != '/')
		return 0;
	n = (size_t)(lb - sl);
	if (n == 4 && memcmp(sl, "qmgr", 4) == 0) {
		/* of qmgr's lines only "QID: from=<...>" matters, not "QID: removed" */
		const char *m = end + 3, *e = line + len;

		while (m < e && ((*m >= '0' && *m <= '9') || (*m >= 'A' && *m <= 'Z')
		    || (*m >= 'a' && *m <= 'z')))
			m++;
		return (size_t)(e - m) < 8 || memcmp(m, ": from=<", 8) != 0;
	}
	if (n == 5 && memcmp(sl, "smtpd", 5) == 0) {
		/* of smtpd's lines only those of its STARTTLS handshakes */
		static const struct { const char *p; size_t n; } in[] = {
#define P(s) { s, sizeof(s) - 1 }
			P("SSL_accept error from "), P("warning: TLS library problem: "),
			P("disconnect from "), P("Anonymous TLS connection "),
			P("Untrusted TLS connection "), P("Trusted TLS connection "),
			P("Verified TLS connection "),
#undef P
		};
		const char *m = end + 3;
		size_t left = len - (size_t)(m - line);

		for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
			if (left >= in[i].n && memcmp(m, in[i].p, in[i].n) == 0)
				return 0;
		return 1;
	}
	return !((n == 4 && (memcmp(sl, "smtp", 4) == 0 || memcmp(sl, "lmtp", 4) == 0))
	    || (n == 8 && memcmp(sl, "tlsproxy", 8) == 0));
}

enum logparse_kind
logparse_postfix(const char *line, size_t len, time_t now, struct logparse_event *ev)
{
	struct logline s = { line, len };

	/* every field empty; not a memset of the whole event, which would cost
	 * more than parsing most lines */
	ev->kind = LOGPARSE_SKIP;
	ev->when = 0;
	ev->host[0] = ev->syslog_name[0] = ev->service[0] = ev->queue_id[0] = '\0';
	ev->pid = 0;
	ev->peer[0] = ev->addr[0] = ev->protocol[0] = ev->rcpt[0] = ev->domain[0] = '\0';
	ev->port = 0;
	ev->relay_none = ev->reused = 0;
	ev->trust = LOGPARSE_ANONYMOUS;
	ev->dsn[0] = ev->status[0] = ev->text[0] = '\0';
	ev->verify_num = -1;
	ev->starttls_ok = ev->starttls_tries = 0;
	if (len > LOGPARSE_LINE_MAX)
		return ev->kind = LOGPARSE_SKIP;
	if (uninteresting(line, len))
		return ev->kind = LOGPARSE_OTHER;
	if (memchr(line, '\0', len) != NULL)
		return ev->kind = LOGPARSE_SKIP;
	if (len > 0 && line[0] == '<') {
		if (!rfc5424(&s, ev))
			return ev->kind = LOGPARSE_SKIP;
	} else if (len > 0 && line[0] >= '0' && line[0] <= '9') {
		if (!logline_rfc3339(&s, &ev->when) || !logline_eat(&s, " ")
		    || !token(&s, ev->host, sizeof(ev->host))
		    || !logline_eat(&s, " ") || !tag(&s, ev))
			return ev->kind = LOGPARSE_SKIP;
	} else {
		if (!logline_traditional(&s, now, &ev->when)
		    || !token(&s, ev->host, sizeof(ev->host))
		    || !logline_eat(&s, " ") || !tag(&s, ev))
			return ev->kind = LOGPARSE_SKIP;
	}
	return ev->kind = message(&s, ev);
}

const char *
logparse_kind_name(enum logparse_kind kind)
{
	static const char *const names[] = { "skip", "other", "tls", "verify", "ssl-error",
		"status", "queue-reason", "from", "tlsrpt", "policy", "in-tls", "in-ssl-error",
		"tls-problem", "in-disconnect" };

	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

int
logparse_name_match(char *const *names, size_t n, const char *name)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(names[i]);

		if (wl > 0 && names[i][wl - 1] == '*') {
			if (nlen >= wl - 1 && memcmp(name, names[i], wl - 1) == 0)
				return 1;
		} else if (nlen >= wl && memcmp(name, names[i], wl) == 0
		    && (name[wl] == '\0' || name[wl] == '/')) {
			return 1;
		}
	}
	return 0;
}
