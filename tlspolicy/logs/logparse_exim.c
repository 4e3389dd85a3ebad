/*
 * logparse_exim - Exim main-log lines, see logparse_exim.h.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "logline.h"
#include "base64.h"
#include "logparse_exim.h"
#include "text.h"
#include "tlsrpt.h"

/* span - the length of the next run up to a space (or the end) */
static size_t
span(const struct logline *s)
{
	const char *sp = memchr(s->p, ' ', s->n);

	return sp ? (size_t)(sp - s->p) : s->n;
}

/* keep - copy p[0..len) into out[cap] if it fits and is printable ASCII
 * without spaces, else leave out empty */
static void
keep(const char *p, size_t len, char *out, size_t cap)
{
	out[0] = '\0';
	if (len == 0 || len >= cap)
		return;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return;
	memcpy(out, p, len);
	out[len] = '\0';
}

/* clean - p[0..len) as clean text into out[cap], cut to fit */
static void
clean(const char *p, size_t len, char *out, size_t cap)
{
	text_clean(out, cap, p, len < cap - 1 ? len : cap - 1);
}

static int
alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* --- time ----------------------------------------------------------------- */

/* stamp - Exim's "YYYY-MM-DD HH:MM:SS[.mmm][ +HHMM] " */
static int
stamp(struct logline *s, struct exim_event *ev)
{
	unsigned long ms = 0, oh, om;
	struct tm tm;
	int sign = 0;
	time_t t;

	if (!logline_datetime(s, ' ', &tm))
		return 0;
	if (logline_eat(s, ".") && !logline_digits(s, 3, 3, &ms))
		return 0;
	if (!logline_eat(s, " "))
		return 0;
	if (s->n >= 6 && (s->p[0] == '+' || s->p[0] == '-') && s->p[5] == ' ') {
		sign = s->p[0] == '+' ? 1 : -1;
		logline_skip(s, 1);
		if (!logline_digits(s, 2, 2, &oh) || !logline_digits(s, 2, 2, &om)
		    || !logline_eat(s, " ") || oh > 23 || om > 59)
			return 0;
	}
	if (sign) {
		t = timegm(&tm) - sign * (time_t)(oh * 3600 + om * 60);
	} else {
		t = logline_local_hour(tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour);
		if (t == (time_t)-1)
			return 0;
		t += (time_t)(tm.tm_min * 60 + tm.tm_sec);
	}
	ev->when = t;
	ev->msec = (unsigned)ms;
	return 1;
}

/* syslog - "<time> host exim[PID]: " (the tag exim or exim4) */
static int
syslog_envelope(struct logline *s, time_t now, struct exim_event *ev)
{
	unsigned long pid;
	size_t k;

	if (s->n > 10 && s->p[4] == '-' && s->p[10] == 'T') {
		if (!logline_rfc3339(s, &ev->when) || !logline_eat(s, " "))
			return 0;
	} else if (!logline_traditional(s, now, &ev->when)) {
		return 0;
	}
	k = span(s);
	keep(s->p, k, ev->host, sizeof(ev->host));
	if (ev->host[0] == '\0')
		return 0;
	logline_skip(s, k);
	if (!logline_eat(s, " ") || (!logline_eat(s, "exim4[") && !logline_eat(s, "exim["))
	    || !logline_digits(s, 1, 10, &pid)
	    || !logline_eat(s, "]: "))
		return 0;
	ev->pid = pid;
	return 1;
}

/* msgid - "xxxxxx-xxxxxx-xx " (<= 4.96) or "xxxxxx-xxxxxxxxxxx-xxxx " (>= 4.97) */
static int
msgid(struct logline *s, struct exim_event *ev)
{
	size_t a, b, c;

	for (a = 0; a < s->n && alnum(s->p[a]); a++)
		;
	if (a != 6 || a >= s->n || s->p[a] != '-')
		return 0;
	for (b = a + 1; b < s->n && alnum(s->p[b]); b++)
		;
	if (b >= s->n || s->p[b] != '-')
		return 0;
	for (c = b + 1; c < s->n && alnum(s->p[c]); c++)
		;
	if (c >= s->n || s->p[c] != ' ')
		return 0;
	if (!((b - a - 1 == 6 && c - b - 1 == 2) || (b - a - 1 == 11 && c - b - 1 == 4)))
		return 0;
	memcpy(ev->msgid, s->p, c);
	ev->msgid[c] = '\0';
	logline_skip(s, c + 1);
	return 1;
}

/* --- messages ------------------------------------------------------------- */

/* hostaddr - "NAME[ DS] [ADDR][:PORT][*]" or "[ADDR]..."; a name has no
 * spaces (the resolver escapes them) but may hold brackets */
static int
hostaddr(struct logline *s, struct exim_event *ev)
{
	const char *rb;
	size_t k = span(s);
	unsigned long port;

	if (k < s->n && ((s->n - k >= 2 && memcmp(s->p + k, " [", 2) == 0)
	    || (s->n - k >= 5 && memcmp(s->p + k, " DS [", 5) == 0))) {
		if (k > DOMAIN_MAX + 1 || logparse_host(s->p, k, ev->mx) != 0)
			ev->mx[0] = '\0';
		logline_skip(s, k);
		if (logline_eat(s, " DS"))
			ev->dnssec = 1;
		logline_eat(s, " ");
	}
	if (!logline_eat(s, "[") || (rb = memchr(s->p, ']', s->n < 64 ? s->n : 64)) == NULL)
		return 0;
	logparse_addr(s->p, (size_t)(rb - s->p), ev->addr, sizeof(ev->addr));
	logline_skip(s, (size_t)(rb - s->p) + 1);
	if (s->n > 1 && s->p[0] == ':' && s->p[1] >= '0' && s->p[1] <= '9') {
		logline_skip(s, 1);
		if (!logline_digits(s, 1, 5, &port) || port > 65535)
			return 0;
		ev->port = (unsigned)port;
	}
	if (logline_eat(s, "*"))
		ev->continued = 1;
	return 1;
}

/* keylen - the length of the key p starts with ("[A-Z][A-Za-z0-9]*=") */
static size_t
keylen(const char *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || p[0] < 'A' || p[0] > 'Z')
		return 0;
	while (i < n && i < 16 && alnum(p[i]))
		i++;
	return i < n && p[i] == '=' ? i : 0;
}

/* flag - p starts with a bare flag ("K", "L": one capital letter) */
static int
flag(const char *p, size_t n)
{
	return n >= 1 && p[0] >= 'A' && p[0] <= 'Z' && (n == 1 || p[1] == ' ');
}

/* quoted - the length of a quoted value's content, s just after its
 * opening quote: up to the first quote followed by the end, ": ", or a
 * space and a key or a bare flag; the whole rest if none */
static size_t
quoted(const struct logline *s, size_t *taken)
{
	const char *q = s->p, *end = s->p + s->n;

	while ((q = memchr(q, '"', (size_t)(end - q))) != NULL) {
		size_t after = (size_t)(end - q - 1);

		if (after == 0 || (after >= 2 && q[1] == ':' && q[2] == ' ')
		    || (q[1] == ' ' && (keylen(q + 2, after - 1) > 0 || flag(q + 2, after - 1)))) {
			*taken = (size_t)(q - s->p) + 1;
			return (size_t)(q - s->p);
		}
		q++;
	}
	*taken = s->n;
	return s->n;
}

enum { F_R = 1, F_T = 2, F_H = 4, F_X = 8, F_CV = 16, F_DN = 32, F_SNI = 64, F_C = 128 };

/* address - the rest of "=> ", "== " ... lines */
static enum exim_kind
address(struct logline *s, struct exim_event *ev, enum exim_kind kind)
{
	size_t k;
	unsigned seen = 0;
	char serr[64] = "";
	int message = 0;

	/* the address: a quoted local part may hold spaces */
	k = 0;
	if (s->n > 0 && s->p[0] == '"') {
		const char *q = memchr(s->p + 1, '"', s->n - 1);

		if (q != NULL)
			k = (size_t)(q - s->p);
	}
	while (k < s->n && s->p[k] != ' ')
		k++;
	if (k == 0)
		return EXIM_SKIP;
	if (k >= 2 && s->p[k - 1] == ':' && k < s->n) {   /* "** ADDR: TEXT" */
		k--;
		message = 1;
	}
	if (k < sizeof(ev->rcpt) && text_clean_len(s->p, k)) {
		const char *at;

		memcpy(ev->rcpt, s->p, k);
		ev->rcpt[k] = '\0';
		if (strchr(ev->rcpt, ' ') != NULL) {
			ev->rcpt[0] = '\0';
		} else if ((at = strrchr(ev->rcpt, '@')) != NULL
		    && domain_normalize(at + 1, strlen(at + 1), ev->domain, NULL) != DOMAIN_OK) {
			ev->domain[0] = '\0';
		}
	}
	logline_skip(s, k);
	if (message)
		logline_skip(s, 2);   /* ": " */

	while (!message && s->n > 0) {
		size_t kl;

		if (logline_eat(s, ": ")) {
			message = 1;
			break;
		}
		if (!logline_eat(s, " "))
			return EXIM_SKIP;
		if ((kl = keylen(s->p, s->n)) == 0) {
			unsigned long e;
			int neg;

			if (logline_eat(s, "defer (")) {
				neg = logline_eat(s, "-");
				if (!logline_digits(s, 1, 6, &e) || !logline_eat(s, ")"))
					return EXIM_SKIP;
				ev->defer_errno = neg ? -(int)e : (int)e;
				if (ev->defer_errno > 0 && logline_eat(s, ": ")) {
					/* strerror(), up to " H=" or ": " */
					for (k = 0; k < s->n; k++)
						if ((s->n - k >= 3 && memcmp(s->p + k, " H=", 3) == 0)
						   
						    || (s->n - k >= 2 && memcmp(s->p + k, ": ", 2) == 0))
							break;
					clean(s->p, k, serr, sizeof(serr));
					logline_skip(s, k);
				}
				continue;
			}
			/* <orig>, (parent), K, L, "routing": not needed */
			k = span(s);
			if (k >= 2 && s->p[k - 1] == ':' && k < s->n) {
				logline_skip(s, k - 1);
				continue;
			}
			logline_skip(s, k);
			continue;
		}
#define KEY(lit) (kl == sizeof(lit) - 1 && memcmp(s->p, lit, kl) == 0)
		if (KEY("H")) {
			logline_skip(s, 2);
			if (seen & F_H) {   /* inside a quoted value cut short */
				logline_skip(s, span(s));
				continue;
			}
			seen |= F_H;
			if (!hostaddr(s, ev))
				return EXIM_SKIP;
			continue;
		}
		{
			unsigned flag = KEY("R") ? F_R : KEY("T") ? F_T : KEY("X") ? F_X
			    : KEY("CV") ? F_CV : KEY("DN") ? F_DN : KEY("SNI") ? F_SNI : KEY("C") ? F_C : 0;
			const char *v;
			size_t vl, taken;

			logline_skip(s, kl + 1);
			if (s->n > 0 && s->p[0] == '"') {
				logline_skip(s, 1);
				vl = quoted(s, &taken);
			} else {
				vl = taken = span(s);
				/* "T=t: TEXT" */
				if (vl >= 2 && s->p[vl - 1] == ':' && vl < s->n) {
					vl--;
					taken--;
				}
			}
			v = s->p;
			logline_skip(s, taken);
			if (flag == 0 || (seen & flag))
				continue;
			seen |= flag;
			switch (flag) {
			case F_R:
				keep(v, vl, ev->router, sizeof(ev->router));
				break;
			case F_T:
				keep(v, vl, ev->transport, sizeof(ev->transport));
				break;
			case F_X:
				if (vl > 1 && v[vl - 1] == '*') {
					ev->resumed = 1;
					vl--;
				}
				keep(v, vl, ev->cipher, sizeof(ev->cipher));
				break;
			case F_CV:
				ev->cv = vl == 3 && memcmp(v, "yes", 3) == 0 ? EXIM_CV_YES
				    : vl == 2 && memcmp(v, "no", 2) == 0 ? EXIM_CV_NO
				    : vl == 4 && memcmp(v, "dane", 4) == 0 ? EXIM_CV_DANE : EXIM_CV_UNKNOWN;
				break;
			case F_DN:
				clean(v, vl, ev->peerdn, sizeof(ev->peerdn));
				break;
			case F_SNI:
				if (vl > DOMAIN_MAX || logparse_host(v, vl, ev->sni) != 0)
					ev->sni[0] = '\0';
				break;
			case F_C:
				if (kind == EXIM_DELIVERED)
					clean(v, vl, ev->text, sizeof(ev->text));
				break;
			}
		}
#undef KEY
	}
	if (message && kind != EXIM_DELIVERED) {
		if (serr[0]) {
			size_t l = strlen(serr);

			memcpy(ev->text, serr, l + 1);
			if (s->n > 0 && l + 2 < sizeof(ev->text)) {
				memcpy(ev->text + l, ": ", 3);
				clean(s->p, s->n, ev->text + l + 2, sizeof(ev->text) - l - 2);
			}
		} else {
			clean(s->p, s->n, ev->text, sizeof(ev->text));
		}
	} else if (serr[0]) {
		memcpy(ev->text, serr, strlen(serr) + 1);
	}
	return kind;
}

/* tls_error - what the failure text t says about TLS (logparse_exim.h) */
static enum exim_tls
tls_error(const char *t)
{
	static const struct { const char *start; enum exim_tls tls; } starts[] = {
		{ "a TLS session is required, but the server did not offer TLS support", EXIM_TLS_NOT_OFFERED },
		{ "a TLS session is required, but an attempt to start TLS failed", EXIM_TLS_START_FAILED },
		{ "DANE error: tlsa lookup DEFER", EXIM_TLS_TLSA_DEFER },
		{ "DANE error: tlsa lookup FAIL", EXIM_TLS_TLSA_FAIL },
		{ "DANE error: ", EXIM_TLS_DANE_ERROR },
		{ "(gnutls_handshake): ", EXIM_TLS_HANDSHAKE },
		{ "(SSL_connect): ", EXIM_TLS_HANDSHAKE },
	};
	static const char cvf[] = "(certificate verification failed)";
	static const char differs[] = ": Verification failed. The certificate differs.";

	if (strncmp(t, "TLS session: ", 13) == 0)
		t += 13;
	if (strncmp(t, cvf, sizeof(cvf) - 1) == 0) {
		t += sizeof(cvf) - 1;
		if (*t == '\0')
			return EXIM_TLS_CERT_NOREASON;
		if (strcmp(t, ": certificate invalid") == 0)
			return EXIM_TLS_CERT_INVALID;
		if (strcmp(t, ": certificate revoked") == 0)
			return EXIM_TLS_CERT_REVOKED;
		if (strncmp(t, differs, sizeof(differs) - 1) == 0)
			return EXIM_TLS_DANE_MISMATCH;
		return EXIM_TLS_CERT_OTHER;
	}
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (strncmp(t, starts[i].start, strlen(starts[i].start)) == 0)
			return starts[i].tls;
	return EXIM_TLS_NONE;
}

/* --- the lines of contrib/exim's events ----------------------------------- */

/* certdate - "Mmm dd HH:MM:SS YYYY UTC" (or GMT; the day space- or
 * zero-padded, or one digit after one space), the whole of p[0..n) */
static int
certdate(const char *p, size_t n, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct logline s = { p, n };
	unsigned long d, hh, mm, ss, y;
	struct tm tm;
	int mon = -1;

	if (n < 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(p, months + 3 * i, 3) == 0)
			mon = i;
	logline_skip(&s, 3);
	if (mon < 0 || !logline_eat(&s, " "))
		return 0;
	logline_eat(&s, " ");
	if (!logline_digits(&s, 1, 2, &d) || !logline_eat(&s, " ")
	    || !logline_digits(&s, 2, 2, &hh) || !logline_eat(&s, ":")
	    || !logline_digits(&s, 2, 2, &mm) || !logline_eat(&s, ":")
	    || !logline_digits(&s, 2, 2, &ss) || !logline_eat(&s, " ")
	    || !logline_digits(&s, 4, 4, &y) || !logline_eat(&s, " "))
		return 0;
	if (!(s.n == 3 && (memcmp(s.p, "UTC", 3) == 0 || memcmp(s.p, "GMT", 3) == 0)))
		return 0;
	if (d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1970 || y > 9999)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

/* names - the DNS names of a subjectAltName list (logparse_exim.h) */
static void
names(const char *p, size_t n, struct exim_event *ev)
{
	unsigned char dec[LOGPARSE_LINE_MAX];
	long dl = base64_decode(p, n, dec, sizeof(dec), BASE64_STRICT);
	size_t i = 0;

	if (dl < 0)
		return;
	ev->names_known = 1;
	while (i < (size_t)dl) {
		size_t j = i, k;
		const char *e;
		char *out;

		while (j < (size_t)dl && dec[j] != '\n' && dec[j] != ';')
			j++;
		e = (const char *)dec + i;
		k = j - i;
		i = j + 1;
		while (k > 0 && (*e == ' ' || *e == '\t')) {
			e++;
			k--;
		}
		while (k > 0 && (e[k - 1] == ' ' || e[k - 1] == '\t' || e[k - 1] == '\r'))
			k--;
		if (k <= 4 || memcmp(e, "DNS=", 4) != 0 || ev->nnames >= EXIM_NAMES_MAX)
			continue;
		e += 4;
		k -= 4;
		out = ev->names[ev->nnames];
		if (k > 2 && e[0] == '*' && e[1] == '.') {
			char rest[DOMAIN_MAX + 1];

			if (k - 2 > DOMAIN_MAX || domain_normalize(e + 2, k - 2, rest, NULL) != DOMAIN_OK
			    || strlen(rest) + 2 > DOMAIN_MAX)
				continue;
			out[0] = '*';
			out[1] = '.';
			memcpy(out + 2, rest, strlen(rest) + 1);
		} else if (k > DOMAIN_MAX || domain_normalize(e, k, out, NULL) != DOMAIN_OK) {
			out[0] = '\0';
			continue;
		}
		ev->nnames++;
	}
}

/* cert - the rest of "tlspolicyd: cert H=" */
static enum exim_kind
cert(struct logline *s, struct exim_event *ev)
{
	if (!hostaddr(s, ev))
		return EXIM_OTHER;
	while (logline_eat(s, " ")) {
		size_t kl = 0, vl;
		const char *k = s->p, *v;

		if (s->n == 0)
			break;   /* a trailing blank */

		while (kl < s->n && kl < 16 && s->p[kl] >= 'a' && s->p[kl] <= 'z')
			kl++;
		if (kl == 0 || kl >= s->n || s->p[kl] != '=')
			return EXIM_OTHER;
		logline_skip(s, kl + 1);
		if (s->n > 0 && s->p[0] == '"') {
			const char *q = memchr(s->p + 1, '"', s->n - 1);

			if (q == NULL)
				return EXIM_OTHER;
			v = s->p + 1;
			vl = (size_t)(q - v);
			logline_skip(s, vl + 2);
		} else {
			v = s->p;
			vl = span(s);
			logline_skip(s, vl);
		}
		if (kl == 5 && memcmp(k, "depth", 5) == 0) {
			struct logline d = { v, vl };
			unsigned long depth;

			if (logline_digits(&d, 1, 2, &depth) && d.n == 0)
				ev->depth = (int)depth;
		} else if (kl == 9 && memcmp(k, "notbefore", 9) == 0) {
			if (certdate(v, vl, &ev->notbefore))
				ev->dates |= EXIM_NOTBEFORE;
		} else if (kl == 8 && memcmp(k, "notafter", 8) == 0) {
			if (certdate(v, vl, &ev->notafter))
				ev->dates |= EXIM_NOTAFTER;
		} else if (kl == 5 && memcmp(k, "names", 5) == 0 && !ev->names_known) {
			names(v, vl, ev);
		}
	}
	return s->n == 0 ? EXIM_CERT : EXIM_OTHER;
}

/* dane - the rest of "tlspolicyd: dane H=" */
static enum exim_kind
dane(struct logline *s, struct exim_event *ev)
{
	if (!hostaddr(s, ev) || !logline_eat(s, " result="))
		return EXIM_OTHER;
	while (s->n > 0 && s->p[s->n - 1] == ' ')
		s->n--;   /* trailing blanks */
	if (s->n == 0 || s->n >= sizeof(ev->text))
		return EXIM_OTHER;
	memcpy(ev->text, s->p, s->n);
	ev->text[s->n] = '\0';
	if (!tlsrpt_result_type(ev->text)) {
		ev->text[0] = '\0';
		return EXIM_OTHER;
	}
	return EXIM_DANE;
}

/* --- incoming SMTP: the clients that connect to Exim ----------------------- */

/* sender_len - the length of the envelope sender s starts with: up to a
 * space outside quotes (a quoted local part may hold spaces; a backslash
 * in quotes escapes the next byte); 0 when a quote is left open */
static size_t
sender_len(const struct logline *s)
{
	int quoted = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (quoted && s->p[i] == '\\') {
			i++;
			continue;
		}
		if (s->p[i] == '"')
			quoted = !quoted;
		else if (s->p[i] == ' ' && !quoted)
			break;
	}
	return quoted || i > s->n ? 0 : i;
}

/* token - step over the rest of a field: up to the next space */
static void
token(struct logline *s)
{
	logline_skip(s, span(s));
}

/* client - an SMTP client as Exim names it (sender_fullhost and what
 * host_and_ident adds): "[NAME ][(HELO) ][ADDR][:PORT][ I=[ADDR]:PORT]
 * [ U=IDENT]"; NAME (from the DNS) and HELO (whose syntax Exim checks)
 * hold no space.  The address (and port, +incoming_port) into ev; 0, and
 * nothing kept, if s does not start with a client */
static int
client(struct logline *s, struct exim_event *ev)
{
	const char *rb;
	unsigned long port;
	size_t k;

	if (s->n > 0 && s->p[0] != '(' && s->p[0] != '[') {
		if ((k = span(s)) == s->n)
			return 0;
		logline_skip(s, k + 1);
	}
	if (s->n > 0 && s->p[0] == '(') {
		if ((k = span(s)) < 3 || k == s->n || s->p[k - 1] != ')')
			return 0;
		logline_skip(s, k + 1);
	}
	if (!logline_eat(s, "[") || (rb = memchr(s->p, ']', s->n < 64 ? s->n : 64)) == NULL)
		return 0;
	logparse_addr(s->p, (size_t)(rb - s->p), ev->addr, sizeof(ev->addr));
	logline_skip(s, (size_t)(rb - s->p) + 1);
	if (ev->addr[0] == '\0')
		return 0;
	if (s->n > 1 && s->p[0] == ':' && s->p[1] >= '0' && s->p[1] <= '9') {
		logline_skip(s, 1);
		if (!logline_digits(s, 1, 5, &port) || port > 65535) {
			ev->addr[0] = '\0';
			return 0;
		}
		ev->port = (unsigned)port;
	}
	if (logline_eat(s, " I=["))
		token(s);
	if (logline_eat(s, " U="))
		token(s);
	return 1;
}

/* no_client - forget the client and its TLS: a line that turned out
 * not to be one of interest carries none */
static void
no_client(struct exim_event *ev)
{
	ev->addr[0] = ev->cipher[0] = '\0';
	ev->port = 0;
	ev->resumed = 0;
	ev->cv = EXIM_CV_UNKNOWN;
}

/* tls_in - " X=CIPHER[*][ CV=yes|no]" at s, as Exim logs an incoming
 * connection's TLS right after the fields it writes itself */
static void
tls_in(struct logline *s, struct exim_event *ev)
{
	size_t k;

	if (!logline_eat(s, " X="))
		return;
	k = span(s);
	if (k > 1 && s->p[k - 1] == '*') {
		keep(s->p, k - 1, ev->cipher, sizeof(ev->cipher));
		ev->resumed = ev->cipher[0] != '\0';
	} else {
		keep(s->p, k, ev->cipher, sizeof(ev->cipher));
	}
	logline_skip(s, k);
	if (logline_eat(s, " CV=")) {
		k = span(s);
		ev->cv = k == 3 && memcmp(s->p, "yes", 3) == 0 ? EXIM_CV_YES
		    : k == 2 && memcmp(s->p, "no", 2) == 0 ? EXIM_CV_NO : EXIM_CV_UNKNOWN;
		logline_skip(s, k);
	}
}

/* flagword - s goes on with " F" where F is a bare flag of a "<=" line
 * (a capital letter, then at most two of "*.-") */
static int
flagword(const struct logline *s)
{
	size_t k;

	if (s->n < 2 || s->p[0] != ' ' || s->p[1] < 'A' || s->p[1] > 'Z')
		return 0;
	for (k = 2; k < s->n && k < 4 && (s->p[k] == '*' || s->p[k] == '.' || s->p[k] == '-'); k++)
		;
	return k == s->n || s->p[k] == ' ';
}

/* received - the rest of "<= ": the sender, then the fields Exim writes
 * before the TLS ones ("[ R=ID][ DS][ H=CLIENT][ TFO[*]][ U=USER][ P=PROTO]"
 * and bare flags); X= counts only there, never from what follows (A=,
 * S=, id=, T=: the client's words) */
static enum exim_kind
received(struct logline *s, struct exim_event *ev)
{
	size_t k = sender_len(s);
	int open = k == 0;

	if (open)   /* a quote left open: the sender up to a space, no more */
		k = span(s);
	if (!(k == 2 && memcmp(s->p, "<>", 2) == 0))
		keep(s->p, k < sizeof(ev->rcpt) && text_clean_len(s->p, k) ? k : 0, ev->rcpt, sizeof(ev->rcpt));
	if (open)
		return EXIM_RECEIVED;
	logline_skip(s, k);
	if (logline_eat(s, " R="))
		token(s);
	logline_eat(s, " DS");
	if (logline_eat(s, " H=") && !client(s, ev)) {
		no_client(ev);
		return EXIM_RECEIVED;
	}
	if (!logline_eat(s, " TFO*"))
		logline_eat(s, " TFO");
	if (logline_eat(s, " U="))
		token(s);
	if (logline_eat(s, " P="))
		token(s);
	while (flagword(s)) {
		logline_skip(s, 1);
		token(s);
	}
	tls_in(s, ev);
	return EXIM_RECEIVED;
}

/* tls_failed - the rest of "TLS error on connection from ": "CLIENT
 * (gnutls_handshake): TEXT"; OpenSSL builds: "(SSL_accept): TEXT" or
 * "SSL_accept: TEXT".  Other operations ("(recv)", "(send)": after a
 * handshake that worked) are EXIM_OTHER */
static enum exim_kind
tls_failed(struct logline *s, struct exim_event *ev)
{
	if (client(s, ev)) {
		logline_eat(s, " (via inetd)");
		if (logline_eat(s, " (gnutls_handshake): ") || logline_eat(s, " (SSL_accept): ")
		    || logline_eat(s, " SSL_accept: ")) {
			clean(s->p, s->n, ev->text, sizeof(ev->text));
			return EXIM_IN_TLS_FAILED;
		}
	}
	no_client(ev);
	return EXIM_OTHER;
}

/* nomail - the rest of "no MAIL in ": "[TFO[*] ]SMTP connection from
 * CLIENT D=TIME[ A=AUTH]" and the TLS fields (+smtp_no_mail) */
static enum exim_kind
nomail(struct logline *s, struct exim_event *ev)
{
	if (!logline_eat(s, "TFO* "))
		logline_eat(s, "TFO ");
	if (!logline_eat(s, "SMTP connection from ") || !client(s, ev)) {
		no_client(ev);
		return EXIM_OTHER;
	}
	if (logline_eat(s, " D="))
		token(s);
	if (logline_eat(s, " A="))
		token(s);
	tls_in(s, ev);
	return EXIM_IN_NOMAIL;
}

/* rejected - the rest of "H=" of a refusal by an ACL: "CLIENT[ X=...]
 * [F=<SENDER> ]... rejected ..." */
static enum exim_kind
rejected(struct logline *s, struct exim_event *ev)
{
	if (client(s, ev)) {
		tls_in(s, ev);
		if (memmem(s->p, s->n, "rejected ", 9) != NULL)
			return EXIM_IN_REJECTED;
	}
	no_client(ev);
	return EXIM_OTHER;
}

/* incoming - a line without a message id: the incoming ones of interest */
static enum exim_kind
incoming(struct logline *s, struct exim_event *ev)
{
	if (logline_eat(s, "TLS error on connection from "))
		return tls_failed(s, ev);
	if (logline_eat(s, "no MAIL in "))
		return nomail(s, ev);
	if (logline_eat(s, "H="))
		return rejected(s, ev);
	return EXIM_OTHER;
}

static const char unencrypted[] = ": delivering unencrypted to H=";

static enum exim_kind
message(struct logline *s, struct exim_event *ev)
{
	static const struct { const char *arrow; enum exim_kind kind; int more; } arrows[] = {
		{ "=> ", EXIM_DELIVERED, 0 }, { "-> ", EXIM_DELIVERED, 1 }, { ">> ", EXIM_DELIVERED, 0 },
		{ "== ", EXIM_DEFERRED, 0 }, { "** ", EXIM_FAILED, 0 }, { "*> ", EXIM_SUPPRESSED, 0 },
	};
	const char *hit;

	for (size_t i = 0; i < sizeof(arrows) / sizeof(arrows[0]); i++)
		if (logline_eat(s, arrows[i].arrow)) {
			ev->more = arrows[i].more;
			return address(s, ev, arrows[i].kind);
		}
	if (logline_eat(s, "<= "))
		return received(s, ev);
	if (logline_eat(s, "tlspolicyd: cert H="))
		return cert(s, ev);
	if (logline_eat(s, "tlspolicyd: dane H="))
		return dane(s, ev);
	if (logline_eat(s, "H=")) {
		struct logline t = *s;

		if (hostaddr(s, ev) && logline_eat(s, ": ")) {
			clean(s->p, s->n, ev->text, sizeof(ev->text));
			return EXIM_HOST_ERROR;
		}
		/* not a host of a delivery: a client's rejection after DATA? */
		ev->mx[0] = ev->addr[0] = '\0';
		ev->port = 0;
		ev->dnssec = ev->continued = 0;
		return rejected(&t, ev);
	}
	if (s->n > 0 && s->p[0] == '[') {
		const char *rb = memchr(s->p, ']', s->n < 64 ? s->n : 64);
		struct logline t;
		unsigned long port;

		if (rb == NULL)
			return EXIM_OTHER;
		t.p = rb + 1;
		t.n = s->n - (size_t)(rb + 1 - s->p);
		if (t.n > 1 && t.p[0] == ':' && (logline_skip(&t, 1), !logline_digits(&t, 1, 5, &port)))
			return EXIM_OTHER;
		if (!logline_eat(&t, " SSL verify error: "))
			return EXIM_OTHER;
		logparse_addr(s->p + 1, (size_t)(rb - s->p - 1), ev->addr, sizeof(ev->addr));
		clean(t.p, t.n, ev->text, sizeof(ev->text));
		return EXIM_VERIFY;
	}
	if (logline_eat(s, "DANE attempt failed; TLS connection to ")) {
		if (!hostaddr(s, ev) || !logline_eat(s, ": "))
			return EXIM_OTHER;
		clean(s->p, s->n, ev->text, sizeof(ev->text));
		return EXIM_DANE_FAILED;
	}
	if ((hit = memmem(s->p, s->n, unencrypted, sizeof(unencrypted) - 1)) != NULL) {
		size_t tl = (size_t)(hit - s->p);
		struct logline t;

		t.p = hit + sizeof(unencrypted) - 1;
		t.n = s->n - tl - (sizeof(unencrypted) - 1);
		if (!hostaddr(&t, ev))
			return EXIM_OTHER;
		clean(s->p, tl, ev->text, sizeof(ev->text));
		return EXIM_UNENCRYPTED;
	}
	return EXIM_OTHER;
}

static void
reset(struct exim_event *ev)
{
	ev->kind = EXIM_SKIP;
	ev->when = 0;
	ev->msec = 0;
	ev->host[0] = ev->msgid[0] = ev->rcpt[0] = ev->domain[0] = '\0';
	ev->pid = 0;
	ev->more = ev->dnssec = ev->continued = ev->resumed = 0;
	ev->router[0] = ev->transport[0] = ev->mx[0] = ev->addr[0] = '\0';
	ev->port = 0;
	ev->cipher[0] = ev->peerdn[0] = ev->sni[0] = ev->text[0] = '\0';
	ev->cv = EXIM_CV_UNKNOWN;
	ev->defer_errno = EXIM_ERRNO_NONE;
	ev->tls_error = EXIM_TLS_NONE;
	ev->depth = -1;
	ev->dates = 0;
	ev->notbefore = ev->notafter = 0;
	ev->names_known = 0;
	ev->nnames = 0;
}

enum exim_kind
logparse_exim(const char *line, size_t len, time_t now, struct exim_event *ev)
{
	struct logline s = { line, len };
	unsigned long pid;

	reset(ev);
	if (len > LOGPARSE_LINE_MAX || memchr(line, '\0', len) != NULL)
		return ev->kind = EXIM_SKIP;
	if (len > 10 && line[4] == '-' && line[10] == ' ') {
		if (!stamp(&s, ev))
			return ev->kind = EXIM_SKIP;
	} else {
		if (!syslog_envelope(&s, now, ev))
			return ev->kind = EXIM_SKIP;
		/* the second and later parts of a split line */
		if (s.n > 3 && s.p[0] == '[' && s.p[1] >= '1' && s.p[1] <= '9') {
			unsigned long part, parts;
			struct logline t = s;

			logline_skip(&t, 1);
			if (logline_digits(&t, 1, 3, &part) && logline_eat(&t, "\\") && logline_digits(&t, 1, 3, &parts)
			    && logline_eat(&t, "] ")) {
				if (part != 1)
					return ev->kind = EXIM_OTHER;
				s = t;
			}
		}
		/* Exim's own time stamp, unless syslog_timestamp = false */
		if (s.n > 10 && s.p[4] == '-' && s.p[10] == ' ' && !stamp(&s, ev))
			return ev->kind = EXIM_SKIP;
	}
	if (s.n > 2 && s.p[0] == '[' && s.p[1] >= '0' && s.p[1] <= '9') {
		logline_skip(&s, 1);
		if (!logline_digits(&s, 1, 10, &pid) || !logline_eat(&s, "] "))
			return ev->kind = EXIM_SKIP;
		ev->pid = pid;
	}
	if (!msgid(&s, ev))
		return ev->kind = incoming(&s, ev);
	ev->kind = message(&s, ev);
	if (ev->kind == EXIM_DEFERRED || ev->kind == EXIM_FAILED || ev->kind == EXIM_HOST_ERROR
	    || ev->kind == EXIM_UNENCRYPTED || ev->kind == EXIM_DANE_FAILED)
		ev->tls_error = tls_error(ev->text);
	return ev->kind;
}

const char *
logparse_exim_kind_name(enum exim_kind kind)
{
	static const char *const names[] = { "skip", "other", "delivered", "deferred", "failed",
		"suppressed", "host-error", "verify", "unencrypted", "dane-failed", "received", "cert", "dane",
		"in-tls-failed", "in-nomail", "in-rejected" };

	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

const char *
logparse_exim_tls_name(enum exim_tls tls)
{
	static const char *const names[] = { "none", "not-offered", "start-failed", "cert-invalid",
		"cert-revoked", "cert-noreason", "cert-other", "dane-mismatch", "tlsa-defer", "tlsa-fail",
		"dane-error", "handshake" };

	return (size_t)tls < sizeof(names) / sizeof(names[0]) ? names[tls] : "?";
}
