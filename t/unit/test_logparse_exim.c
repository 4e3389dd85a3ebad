/* Unit tests for tlspolicy/logs/logparse_exim: every line form, hostile
 * bytes in every field, limits (the real mainlogs are the golden files). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_exim.h"
#include "tap.h"
#include "text.h"

#define NOW 1741600000   /* 2025-03-10T09:46:40Z */

/* show - the event as one line of "key=value" (empty fields left out) */
static const char *
show(const struct exim_event *ev)
{
	static const char *const cvs[] = { "-", "no", "yes", "dane" };
	static char b[4096];
	size_t o = 0;

#define ADD(...) (o += (size_t)snprintf(b + o, sizeof(b) - o, __VA_ARGS__))
	ADD("%s t=%lld", logparse_exim_kind_name(ev->kind), (long long)ev->when);
	if (ev->msec)
		ADD(".%03u", ev->msec);
	if (ev->host[0])
		ADD(" host=%s", ev->host);
	if (ev->pid)
		ADD(" pid=%lu", ev->pid);
	if (ev->msgid[0])
		ADD(" id=%s", ev->msgid);
	if (ev->more)
		ADD(" more");
	if (ev->rcpt[0])
		ADD(" rcpt=%s", ev->rcpt);
	if (ev->domain[0])
		ADD(" dom=%s", ev->domain);
	if (ev->router[0])
		ADD(" R=%s", ev->router);
	if (ev->transport[0])
		ADD(" T=%s", ev->transport);
	if (ev->mx[0])
		ADD(" mx=%s", ev->mx);
	if (ev->addr[0])
		ADD(" ip=%s", ev->addr);
	if (ev->port)
		ADD(" port=%u", ev->port);
	if (ev->dnssec)
		ADD(" DS");
	if (ev->continued)
		ADD(" cont");
	if (ev->cipher[0])
		ADD(" X=%s%s", ev->cipher, ev->resumed ? " resumed" : "");
	if (ev->cv != EXIM_CV_UNKNOWN)
		ADD(" CV=%s", cvs[ev->cv]);
	if (ev->sni[0])
		ADD(" SNI=%s", ev->sni);
	if (ev->peerdn[0])
		ADD(" DN=[%s]", ev->peerdn);
	if (ev->defer_errno != EXIM_ERRNO_NONE)
		ADD(" errno=%d", ev->defer_errno);
	if (ev->text[0])
		ADD(" text=[%s]", ev->text);
#undef ADD
	return b;
}

static const struct { const char *line, *want; } forms[] = {
	/* file layout, Exim 4.96 id, the log selectors of the test world */
	{ "2025-03-10 09:30:12.345 [4711] 1tra7x-0004Qm-2C => bob@Recipient.Example R=dnslookup T=remote_smtp "
	  "H=mx1.recipient.example DS [198.51.100.25]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 "
	  "CV=yes DN=\"CN=mx1.recipient.example\" K C=\"250 2.0.0 Ok: queued as 8D3F0A1B2C\"",
	  "delivered t=1741599012.345 pid=4711 id=1tra7x-0004Qm-2C rcpt=bob@Recipient.Example dom=recipient.example "
	  "R=dnslookup T=remote_smtp mx=mx1.recipient.example ip=198.51.100.25 port=25 DS "
	  "X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=yes DN=[CN=mx1.recipient.example] "
	  "text=[250 2.0.0 Ok: queued as 8D3F0A1B2C]" },
	/* defaults only: no pid, no port, no DN, no millisecond */
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C -> carol@recipient.example R=dnslookup T=remote_smtp "
	  "H=mx1.recipient.example [198.51.100.25] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=no C=\"250 OK\"",
	  "delivered t=1741599012 id=1tra7x-0004Qm-2C more rcpt=carol@recipient.example dom=recipient.example "
	  "R=dnslookup T=remote_smtp mx=mx1.recipient.example ip=198.51.100.25 X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 "
	  "CV=no text=[250 OK]" },
	/* 4.97+ id, a zone, a continued connection, a resumed session, SNI */
	{ "2025-03-10 10:30:12.001 +0100 [9] 1tra9Q-00000001Bx2-0Wqz => ivan@r.example <alias@r.example> "
	  "F=<s@x.example> P=<s@x.example> R=dnslookup T=remote_smtp S=1234 H=mx.r.example [2001:db8::25]:2525* "
	  "I=[2001:db8::1]:41234 X=TLS1.3:TLS_AES_256_GCM_SHA384:256* CV=dane SNI=mx.r.example DN=\"/CN=mx.r.example\" "
	  "L C=\"250 OK\" QT=1s DT=0.2s",
	  "delivered t=1741599012.001 pid=9 id=1tra9Q-00000001Bx2-0Wqz rcpt=ivan@r.example dom=r.example R=dnslookup "
	  "T=remote_smtp mx=mx.r.example ip=2001:db8::25 port=2525 cont X=TLS1.3:TLS_AES_256_GCM_SHA384:256 resumed "
	  "CV=dane SNI=mx.r.example DN=[/CN=mx.r.example] text=[250 OK]" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C >> c@r.example R=dnslookup T=remote_smtp H=mx.r.example [192.0.2.9] C=\"250 OK\"",
	  "delivered t=1741599012 id=1tra7x-0004Qm-2C rcpt=c@r.example dom=r.example R=dnslookup T=remote_smtp "
	  "mx=mx.r.example ip=192.0.2.9 text=[250 OK]" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C *> c@r.example R=dnslookup T=remote_smtp H=mx.r.example [192.0.2.9] C=\"250 OK\"",
	  "suppressed t=1741599012 id=1tra7x-0004Qm-2C rcpt=c@r.example dom=r.example R=dnslookup T=remote_smtp "
	  "mx=mx.r.example ip=192.0.2.9" },
	/* deferrals: the pseudo-errnos of TLS, a system errno with its text */
	{ "2025-03-10 09:15:03 1tra7x-0004Qm-2C == alice@example.org R=dnslookup T=remote_smtp defer (-38) "
	  "H=mx2.example.org DS [203.0.113.8]:25: a TLS session is required, but the server did not offer TLS support",
	  "deferred t=1741598103 id=1tra7x-0004Qm-2C rcpt=alice@example.org dom=example.org R=dnslookup T=remote_smtp "
	  "mx=mx2.example.org ip=203.0.113.8 port=25 DS errno=-38 "
	  "text=[a TLS session is required, but the server did not offer TLS support]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U == hank@example.org R=dnslookup T=remote_smtp defer (-37) "
	  "H=mx1.example.org [203.0.113.7]: TLS session: (certificate verification failed)",
	  "deferred t=1741598640 id=1tra9e-0004Xx-7U rcpt=hank@example.org dom=example.org R=dnslookup T=remote_smtp "
	  "mx=mx1.example.org ip=203.0.113.7 errno=-37 text=[TLS session: (certificate verification failed)]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U == hank@example.org R=dnslookup T=remote_smtp defer (111): "
	  "Connection refused H=mx1.example.org [203.0.113.7]",
	  "deferred t=1741598640 id=1tra9e-0004Xx-7U rcpt=hank@example.org dom=example.org R=dnslookup T=remote_smtp "
	  "mx=mx1.example.org ip=203.0.113.7 errno=111 text=[Connection refused]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U == hank@example.org R=dnslookup T=remote_smtp defer (110): "
	  "Connection timed out: SMTP timeout after initial connection",
	  "deferred t=1741598640 id=1tra9e-0004Xx-7U rcpt=hank@example.org dom=example.org R=dnslookup T=remote_smtp "
	  "errno=110 text=[Connection timed out: SMTP timeout after initial connection]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U == hank@example.org R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'example.org'",
	  "deferred t=1741598640 id=1tra9e-0004Xx-7U rcpt=hank@example.org dom=example.org R=dnslookup T=remote_smtp "
	  "errno=-53 text=[retry time not reached for any host for 'example.org']" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U == hank@example.org routing defer (-51): retry time not reached",
	  "deferred t=1741598640 id=1tra9e-0004Xx-7U rcpt=hank@example.org dom=example.org errno=-51 "
	  "text=[retry time not reached]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U == hank@dane.example R=dnslookup T=remote_smtp defer (-36): DANE error: tlsa lookup DEFER",
	  "deferred t=1741598640 id=1tra9e-0004Xx-7U rcpt=hank@dane.example dom=dane.example R=dnslookup T=remote_smtp "
	  "errno=-36 text=[DANE error: tlsa lookup DEFER]" },
	/* failures */
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U ** x@example.org R=dnslookup T=remote_smtp H=mx1.example.org [203.0.113.7] "
	  "X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=yes: SMTP error from remote mail server after RCPT TO:<x@example.org>: 550 no",
	  "failed t=1741598640 id=1tra9e-0004Xx-7U rcpt=x@example.org dom=example.org R=dnslookup T=remote_smtp "
	  "mx=mx1.example.org ip=203.0.113.7 X=TLS1.3:TLS_AES_128_GCM_SHA256:128 CV=yes "
	  "text=[SMTP error from remote mail server after RCPT TO:<x@example.org>: 550 no]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U ** nobody@nowhere.example: Unrouteable address",
	  "failed t=1741598640 id=1tra9e-0004Xx-7U rcpt=nobody@nowhere.example dom=nowhere.example text=[Unrouteable address]" },
	{ "2025-03-10 09:24:00 1tra9e-0004Xx-7U ** x@y.example R=dnslookup T=remote_smtp: retry timeout exceeded",
	  "failed t=1741598640 id=1tra9e-0004Xx-7U rcpt=x@y.example dom=y.example R=dnslookup T=remote_smtp "
	  "text=[retry timeout exceeded]" },
	/* host-level lines */
	{ "2025-03-10 09:15:02 1tra7x-0004Qm-2C H=mx1.example.org [203.0.113.7]:25: a TLS session is required, but the server did not offer TLS support",
	  "host-error t=1741598102 id=1tra7x-0004Qm-2C mx=mx1.example.org ip=203.0.113.7 port=25 "
	  "text=[a TLS session is required, but the server did not offer TLS support]" },
	{ "2025-03-10 09:20:11 1tra8z-0004Tt-3Q [203.0.113.7] SSL verify error: depth=0 error=certificate has expired cert=/CN=mx1.example.org",
	  "verify t=1741598411 id=1tra8z-0004Tt-3Q ip=203.0.113.7 text=[depth=0 error=certificate has expired cert=/CN=mx1.example.org]" },
	{ "2025-03-10 09:22:45 1tra9c-0004Vv-5S TLS session: (gnutls_handshake): A TLS fatal alert has been received.: "
	  "delivering unencrypted to H=mx1.example.org [203.0.113.7] (not in hosts_require_tls)",
	  "unencrypted t=1741598565 id=1tra9c-0004Vv-5S mx=mx1.example.org ip=203.0.113.7 "
	  "text=[TLS session: (gnutls_handshake): A TLS fatal alert has been received.]" },
	{ "2025-03-10 09:23:10 1tra9d-0004Ww-6T DANE attempt failed; TLS connection to mx.dane.example [203.0.113.10]: "
	  "(certificate verification failed): Verification failed. The certificate differs. ",
	  "dane-failed t=1741598590 id=1tra9d-0004Ww-6T mx=mx.dane.example ip=203.0.113.10 "
	  "text=[(certificate verification failed): Verification failed. The certificate differs. ]" },
	/* Debian syslog: Exim's own time stamp wins */
	{ "Mar 10 09:30:59 mta1 exim[4711]: 2025-03-10 09:30:12 1tra7x-0004Qm-2C => bob@r.example R=dnslookup "
	  "T=remote_smtp H=mx1.r.example [198.51.100.25] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 OK\"",
	  "delivered t=1741599012 host=mta1 pid=4711 id=1tra7x-0004Qm-2C rcpt=bob@r.example dom=r.example R=dnslookup "
	  "T=remote_smtp mx=mx1.r.example ip=198.51.100.25 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes text=[250 OK]" },
	/* syslog_timestamp = false, a day padded with a space, exim4 */
	{ "Mar  9 09:30:59 mta1 exim4[12]: 1tra7x-0004Qm-2C == bob@r.example R=dnslookup T=remote_smtp defer (-37) "
	  "H=mx1.r.example [198.51.100.25]: TLS session: (certificate verification failed): certificate invalid",
	  "deferred t=1741512659 host=mta1 pid=12 id=1tra7x-0004Qm-2C rcpt=bob@r.example dom=r.example R=dnslookup "
	  "T=remote_smtp mx=mx1.r.example ip=198.51.100.25 errno=-37 "
	  "text=[TLS session: (certificate verification failed): certificate invalid]" },
	{ "2025-03-10T09:30:59.123456+00:00 mta1 exim[4711]: 2025-03-10 09:30:12 [4711] 1tra7x-0004Qm-2C H=mx1.r.example [198.51.100.25]: Connection refused",
	  "host-error t=1741599012 host=mta1 pid=4711 id=1tra7x-0004Qm-2C mx=mx1.r.example ip=198.51.100.25 text=[Connection refused]" },
	/* a long line split by Exim for syslog: the first part counts */
	{ "Mar 10 09:30:59 mta1 exim[4711]: [1\\2] 2025-03-10 09:30:12 1tra7x-0004Qm-2C => bob@r.example R=dnslookup T=remote_smtp H=mx1.r.example [198.51.100.25] X=TLS1.3:A:256 CV=yes",
	  "delivered t=1741599012 host=mta1 pid=4711 id=1tra7x-0004Qm-2C rcpt=bob@r.example dom=r.example R=dnslookup "
	  "T=remote_smtp mx=mx1.r.example ip=198.51.100.25 X=TLS1.3:A:256 CV=yes" },
	{ "Mar 10 09:30:59 mta1 exim[4711]: [2\\2] DN=\"CN=x\" C=\"250 OK\"", "other t=1741599059 host=mta1 pid=4711" },
	/* an address literal, an IPv6 next hop */
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C => u@[192.0.2.7] R=literal T=remote_smtp H=[192.0.2.7] C=\"250 OK\"",
	  "delivered t=1741599012 id=1tra7x-0004Qm-2C rcpt=u@[192.0.2.7] R=literal T=remote_smtp ip=192.0.2.7 text=[250 OK]" },
	/* lines of no interest, lines that are not Exim's */
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C <= s@x.example U=root P=local S=330", "received t=1741599012 id=1tra7x-0004Qm-2C rcpt=s@x.example" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C Completed", "other t=1741599012 id=1tra7x-0004Qm-2C" },
	{ "2025-03-10 09:30:12 [77] exim 4.96 daemon started: pid=77, no queue runs", "other t=1741599012 pid=77" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C H=mx.good.test [127.0.3.81] TLS error on connection (recv): Error in the pull function.",
	  "other t=1741599012 id=1tra7x-0004Qm-2C" },
	/* incoming SMTP: a failed STARTTLS handshake (GnuTLS, then OpenSSL
	 * builds); the client's name, HELO, port and our interface */
	{ "2025-03-10 09:30:12 [15474] TLS error on connection from (client.test) [127.0.0.1] (gnutls_handshake): CA is unknown",
	  "in-tls-failed t=1741599012 pid=15474 ip=127.0.0.1 text=[CA is unknown]" },
	{ "2025-03-10 09:30:12 [9] TLS error on connection from mail.c.example (helo.c.example) [192.0.2.7]:41234 "
	  "I=[198.51.100.1]:25 (gnutls_handshake): The TLS connection was non-properly terminated.",
	  "in-tls-failed t=1741599012 pid=9 ip=192.0.2.7 port=41234 text=[The TLS connection was non-properly terminated.]" },
	{ "2025-03-10 09:30:12 TLS error on connection from mail.c.example [2001:db8::7] (gnutls_handshake): timed out",
	  "in-tls-failed t=1741599012 ip=2001:db8::7 text=[timed out]" },
	{ "2025-03-10 09:30:12 [9] TLS error on connection from (c) [192.0.2.7] (SSL_accept): error:0A000418:SSL routines::tlsv1 alert unknown ca",
	  "in-tls-failed t=1741599012 pid=9 ip=192.0.2.7 text=[error:0A000418:SSL routines::tlsv1 alert unknown ca]" },
	{ "2025-03-10 09:30:12 [9] TLS error on connection from (c) [192.0.2.7] SSL_accept: TCP connection closed by peer",
	  "in-tls-failed t=1741599012 pid=9 ip=192.0.2.7 text=[TCP connection closed by peer]" },
	{ "Mar 10 09:30:59 mx1 exim[9]: 2025-03-10 09:30:12 TLS error on connection from [192.0.2.7] (gnutls_handshake): Decryption has failed.",
	  "in-tls-failed t=1741599012 host=mx1 pid=9 ip=192.0.2.7 text=[Decryption has failed.]" },
	/* after a handshake that worked, and words that are no client */
	{ "2025-03-10 09:30:12 [9] TLS error on connection from (c) [192.0.2.7] (recv): The TLS connection was non-properly terminated.",
	  "other t=1741599012 pid=9" },
	{ "2025-03-10 09:30:12 [9] TLS error on connection from (junk helo) [192.0.2.7] (gnutls_handshake): CA is unknown",
	  "other t=1741599012 pid=9" },
	{ "2025-03-10 09:30:12 [9] TLS error on connection from (c) [192.0.2.7]:99999 (gnutls_handshake): CA is unknown",
	  "other t=1741599012 pid=9" },
	/* +smtp_no_mail: with and without TLS; TFO, A= before X= */
	{ "2025-03-10 09:30:12 [15620] no MAIL in SMTP connection from [127.0.0.1] D=0s "
	  "X=TLS1.2:ECDHE_X25519__ECDSA_SHA256__AES_256_GCM:256 CV=no C=EHLO,STARTTLS,QUIT",
	  "in-nomail t=1741599012 pid=15620 ip=127.0.0.1 X=TLS1.2:ECDHE_X25519__ECDSA_SHA256__AES_256_GCM:256 CV=no" },
	{ "2025-03-10 09:30:12 [15474] no MAIL in SMTP connection from (client.test) [127.0.0.1] D=0s C=EHLO,STARTTLS",
	  "in-nomail t=1741599012 pid=15474 ip=127.0.0.1" },
	{ "2025-03-10 09:30:12 [9] no MAIL in TFO* SMTP connection from h.c.example [192.0.2.7]:5 D=1.5s A=plain:u "
	  "X=TLS1.3:A:256* CV=yes DN=\"CN=c\" C=EHLO,STARTTLS,EHLO,AUTH,QUIT",
	  "in-nomail t=1741599012 pid=9 ip=192.0.2.7 port=5 X=TLS1.3:A:256 resumed CV=yes" },
	/* refusals by an ACL: X= after the client only, never from the sender */
	{ "2025-03-10 09:30:12 [15666] H=(client.test) [127.0.0.1] X=TLS1.3:ECDHE_X25519__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 "
	  "CV=no SNI=mx.in.test F=<a@client.test> rejected RCPT <nosuchuser@out.localdomain>: Unrouteable address",
	  "in-rejected t=1741599012 pid=15666 ip=127.0.0.1 X=TLS1.3:ECDHE_X25519__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no" },
	{ "2025-03-10 09:30:12 [9] 1tra7x-0004Qm-2C H=m.c.example (c) [192.0.2.7]:5 I=[198.51.100.1]:25 X=TLS1.3:A:256 "
	  "CV=no F=<a@c> rejected after DATA: spam",
	  "in-rejected t=1741599012 pid=9 id=1tra7x-0004Qm-2C ip=192.0.2.7 port=5 X=TLS1.3:A:256 CV=no" },
	{ "2025-03-10 09:30:12 [9] H=(c) [192.0.2.7] F=<\"a X=TLS1.3:FAKE:1 CV=yes\"@c> temporarily rejected RCPT <x@y>: later",
	  "in-rejected t=1741599012 pid=9 ip=192.0.2.7" },
	{ "2025-03-10 09:30:12 [9] H=[192.0.2.7] rejected EHLO or HELO x y: syntactically invalid argument(s)",
	  "in-rejected t=1741599012 pid=9 ip=192.0.2.7" },
	{ "2025-03-10 09:30:12 [9] H=(c) [192.0.2.7] sender verify fail for <a@c>: X=TLS1.3:FAKE:1",
	  "other t=1741599012 pid=9" },
	/* "<=" from a client: X= right after P=, never from the sender, A=,
	 * id= or the subject */
	{ "2025-03-10 09:30:12 [21274] 1xYYuS-0005X8-0T <= a@client.test H=(client.test) [127.0.0.1]:34664 "
	  "I=[127.0.3.68]:26551 P=esmtps X=TLS1.3:A:256* CV=yes DN=\"CN=client.test\" SNI=mx.in.test S=286 id=x@y T=\"X=FAKE\"",
	  "received t=1741599012 pid=21274 id=1xYYuS-0005X8-0T rcpt=a@client.test ip=127.0.0.1 port=34664 "
	  "X=TLS1.3:A:256 resumed CV=yes" },
	{ "2025-03-10 09:30:12 [9] 1xYYuS-0005X8-0Z <= \"x X=FAKE:0 S=1\"@client.test H=(client.test) [127.0.0.1] P=esmtp S=3 "
	  "id=<a X=FAKE@b> T=\"X=FAKE\"",
	  "received t=1741599012 pid=9 id=1xYYuS-0005X8-0Z ip=127.0.0.1" },
	{ "2025-03-10 09:30:12 [9] 1xYYuS-0005X8-0Z <= \"a\\\" X=FAKE:1 b\"@c H=(c) [192.0.2.7] P=esmtps X=TLS1.2:REAL:256 CV=no S=1",
	  "received t=1741599012 pid=9 id=1xYYuS-0005X8-0Z ip=192.0.2.7 X=TLS1.2:REAL:256 CV=no" },
	{ "2025-03-10 09:30:12 [9] 1xYYuS-0005X8-0Z <= \"a X=FAKE:1 H=(c) [192.0.2.7] P=esmtps X=TLS1.2:FAKE:256 S=1",
	  "received t=1741599012 pid=9 id=1xYYuS-0005X8-0Z rcpt=\"a" },
	{ "2025-03-10 09:30:12 1xYYuS-0005X8-0Z <= <> R=1tra7x-0004Qm-2C DS H=m.c.example [192.0.2.7] TFO* U=ident P=esmtps L- "
	  "X=TLS1.3:A:256 CV=no S=1",
	  "received t=1741599012 id=1xYYuS-0005X8-0Z ip=192.0.2.7 X=TLS1.3:A:256 CV=no" },
	{ "2025-03-10 09:30:12 1xYYuS-0005X8-0Z <= a@c H=[192.0.2.7] P=esmtpsa A=dovecot_plain:u S=5 X=TLS1.3:FAKE:1",
	  "received t=1741599012 id=1xYYuS-0005X8-0Z rcpt=a@c ip=192.0.2.7" },
	{ "2025-03-10 09:30:12 1xYYuS-0005X8-0Z <= a@c H=(junk helo) [192.0.2.7] P=esmtps X=TLS1.3:A:256 S=5",
	  "received t=1741599012 id=1xYYuS-0005X8-0Z rcpt=a@c" },
	{ "2025-03-10 09:30:12 1tra7x-000Qm-2C => a@b.example R=r T=t H=h [192.0.2.1]", "other t=1741599012" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2CC => a@b.example R=r T=t H=h [192.0.2.1]", "other t=1741599012" },
	{ "Mar 10 09:30:59 mta1 postfix/smtp[4711]: 4B7E21C0F5A: to=<a@b>, relay=none", "skip t=1741599059 host=mta1" },
	{ "2025-13-10 09:30:12 1tra7x-0004Qm-2C Completed", "skip t=0" },
	{ "2025-03-10 09:30:12", "skip t=0" },
	{ "", "skip t=0" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C => a@b.example R=r T=t H=h", "skip t=1741599012 id=1tra7x-0004Qm-2C rcpt=a@b.example dom=b.example R=r T=t" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.example R=r T=t defer (x): y", "skip t=1741599012 id=1tra7x-0004Qm-2C rcpt=a@b.example dom=b.example R=r T=t" },
	/* what a server chooses cannot add fields Exim logs before it */
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C => a@b.example R=r T=t H=mx.b.example [192.0.2.1] X=TLS1.3:A:256 CV=no "
	  "DN=\"CN=x\" CV=yes X=TLS1.3:FORGED:256 H=mx.evil.example [192.0.2.66]\" C=\"250 OK\" CV=dane\"",
	  "delivered t=1741599012 id=1tra7x-0004Qm-2C rcpt=a@b.example dom=b.example R=r T=t mx=mx.b.example ip=192.0.2.1 "
	  "X=TLS1.3:A:256 CV=no DN=[CN=x] text=[250 OK]" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C => a@b.example R=r T=t H=mx.b.example [192.0.2.1] X=TLS1.3:A:256 CV=no "
	  "DN=\"CN=x\\\" CV=yes\" C=\"250 \"OK\" CV=dane\"",
	  "delivered t=1741599012 id=1tra7x-0004Qm-2C rcpt=a@b.example dom=b.example R=r T=t mx=mx.b.example ip=192.0.2.1 "
	  "X=TLS1.3:A:256 CV=no DN=[CN=x\\] text=[250 \"OK]" },
	/* a DNS name with brackets, escaped bytes */
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.example R=r T=t defer (-37) H=mx[1].b.example [192.0.2.1]: TLS session: x",
	  "deferred t=1741599012 id=1tra7x-0004Qm-2C rcpt=a@b.example dom=b.example R=r T=t ip=192.0.2.1 errno=-37 text=[TLS session: x]" },
	{ "2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.example R=r T=t defer (-37) H=mx\\032x.b.example [1.2.3.999]: x",
	  "deferred t=1741599012 id=1tra7x-0004Qm-2C rcpt=a@b.example dom=b.example R=r T=t errno=-37 text=[x]" },
};

static void
line_forms(void)
{
	struct exim_event ev;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		logparse_exim(forms[i].line, strlen(forms[i].line), NOW, &ev);
		is_str(show(&ev), forms[i].want, "line form %zu: %.60s", i, forms[i].line);
	}
}

/*
 * Every field of every line of interest, in turn, filled with hostile
 * bytes: each '$' of a template is one field, its usual value in vals.
 */
static const struct tmpl {
	enum exim_kind kind;
	const char *line;
	const char *vals[10];
} tmpls[] = {
	{ EXIM_DELIVERED, "2025-03-10 09:30:12 1tra7x-0004Qm-2C => $@$ R=$ T=$ H=$ DS [$]:25 X=$ CV=yes DN=\"$\" SNI=$ C=\"$\"",
	  { "a", "b.example", "dnslookup", "remote_smtp", "mx.b.example", "192.0.2.1", "TLS1.3:A:256", "CN=mx",
	    "mx.b.example", "250 OK" } },
	{ EXIM_DEFERRED, "2025-03-10 09:30:12 1tra7x-0004Qm-2C == $@$ R=r T=t defer (-37) H=$ [$]:25: $",
	  { "a", "b.example", "mx.b.example", "2001:db8::1", "TLS session: (certificate verification failed)" } },
	{ EXIM_HOST_ERROR, "2025-03-10 09:30:12 1tra7x-0004Qm-2C H=$ [$]:25: $",
	  { "mx.b.example", "192.0.2.1", "a TLS session is required" } },
	{ EXIM_VERIFY, "2025-03-10 09:30:12 1tra7x-0004Qm-2C [$] SSL verify error: $", { "192.0.2.1", "depth=0" } },
	{ EXIM_UNENCRYPTED, "2025-03-10 09:30:12 1tra7x-0004Qm-2C $: delivering unencrypted to H=$ [$] (not in hosts_require_tls)",
	  { "TLS session: x", "mx.b.example", "192.0.2.1" } },
	{ EXIM_DANE_FAILED, "2025-03-10 09:30:12 1tra7x-0004Qm-2C DANE attempt failed; TLS connection to $ [$]: $",
	  { "mx.b.example", "192.0.2.1", "x" } },
	{ EXIM_DELIVERED, "Mar 10 09:30:59 $ exim[4711]: 2025-03-10 09:30:12 1tra7x-0004Qm-2C => a@b.example R=r T=t H=h [192.0.2.1]",
	  { "mta1" } },
	{ EXIM_IN_TLS_FAILED, "2025-03-10 09:30:12 [1] TLS error on connection from $ ($) [$]:$ (gnutls_handshake): $",
	  { "mail.c.example", "helo.c.example", "192.0.2.7", "41234", "CA is unknown" } },
	{ EXIM_IN_NOMAIL, "2025-03-10 09:30:12 [1] no MAIL in SMTP connection from $ [$] D=$ X=$ CV=no C=$",
	  { "mail.c.example", "2001:db8::7", "0s", "TLS1.3:A:256", "EHLO,STARTTLS,QUIT" } },
	{ EXIM_IN_REJECTED, "2025-03-10 09:30:12 [1] H=($) [$] X=$ CV=no F=<$> rejected RCPT <$>: $",
	  { "c.example", "192.0.2.7", "TLS1.3:A:256", "a@c.example", "b@d.example", "Unrouteable address" } },
	{ EXIM_RECEIVED, "2025-03-10 09:30:12 1tra7x-0004Qm-2C <= $@$ H=$ ($) [$] P=$ X=$ CV=yes DN=\"$\" S=1 T=\"$\"",
	  { "a", "c.example", "mail.c.example", "c.example", "192.0.2.7", "esmtps", "TLS1.3:A:256", "CN=c", "hi" } },
};

static const char *const hostile[] = {
	"\xff", "x\xfe\x79", "\xc0\xaf", "\xe0\x80\xaf", "\xe2\x82", "a\xf0\x9f\x98", "\xed\xa0\x80",
	"\xf4\x90\x80\x80", "\x01", "\x7f", "\x1b[2J\x1b[H", "x\ry", "\xc2\x85", "mx.\xff.evil.example",
	"\xc3\xa9\xe2\x82", "\t", "\"", "\" CV=dane", ": x", "]", "[", "*", "a b",
};

static int
clean(const char *s)
{
	return text_clean_len(s, strlen(s));
}

static int
addr_ok(const char *a)
{
	unsigned char bin[16];

	return a[0] == '\0' || inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1;
}

static int
name_ok(const char *p)
{
	return p[0] == '\0' || domain_valid(p) || addr_ok(p);
}

static int
word_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int
event_ok(const struct exim_event *ev)
{
	return word_ok(ev->host) && word_ok(ev->msgid) && clean(ev->rcpt) && strchr(ev->rcpt, ' ') == NULL
	    && (ev->domain[0] == '\0' || domain_valid(ev->domain)) && word_ok(ev->router)
	    && word_ok(ev->transport) && name_ok(ev->mx) && addr_ok(ev->addr) && word_ok(ev->cipher)
	    && clean(ev->peerdn) && name_ok(ev->sni) && clean(ev->text);
}

static size_t
fill(const struct tmpl *t, int k, const char *bad, char *out, size_t outlen)
{
	size_t o = 0;
	int f = 0;

	for (const char *c = t->line; *c && o + 64 < outlen; c++) {
		if (*c == '$') {
			const char *v = f == k ? bad : t->vals[f];

			o += (size_t)snprintf(out + o, outlen - o, "%s", v ? v : "");
			f++;
		} else {
			out[o++] = *c;
		}
	}
	out[o] = '\0';
	return o;
}

static void
hostile_fields(void)
{
	struct exim_event ev;
	char line[1024];

	for (size_t i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++) {
		const struct tmpl *t = &tmpls[i];
		int bad = 0, n = 0;
		size_t len = fill(t, -1, NULL, line, sizeof(line));

		for (const char *c = t->line; *c; c++)
			n += *c == '$';
		is_int(logparse_exim(line, len, NOW, &ev), t->kind, "template %zu parses as %s", i,
		    logparse_exim_kind_name(t->kind));
		ok(event_ok(&ev), "template %zu: its fields pass their checks", i);
		for (int k = 0; k < n; k++)
			for (size_t h = 0; h < sizeof(hostile) / sizeof(hostile[0]); h++) {
				len = fill(t, k, hostile[h], line, sizeof(line));
				logparse_exim(line, len, NOW, &ev);
				if (!event_ok(&ev)) {
					tap_diag("template %zu field %d payload %zu: %s", i, k, h, show(&ev));
					bad++;
				}
			}
		is_int(bad, 0, "template %zu: each of %d fields with %zu hostile values: fields valid or empty",
		    i, n, sizeof(hostile) / sizeof(hostile[0]));
	}
}

/* a hostile name or address empties its field; the event still counts */
static void
hostile_kept(void)
{
	static const char *const lines[] = {
		"2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.example R=r T=t defer (-37) H=mx.\xff.example [192.0.2.1]: x",
		"2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.example R=r T=t defer (-37) H=mx.b.example [192.0.2.1\x1b" "]: x",
		"2025-03-10 09:30:12 1tra7x-0004Qm-2C == a\x01@b.example R=r T=t defer (-37) H=mx.b.example [192.0.2.1]: x",
		"2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.ex\xe2\x82" "ample R=r T=t defer (-37) H=mx.b.example [192.0.2.1]: x",
	};
	struct exim_event ev;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		enum exim_kind k = logparse_exim(lines[i], strlen(lines[i]), NOW, &ev);

		is_int(k, EXIM_DEFERRED, "hostile field %zu: still a deferral (%s)", i, show(&ev));
	}
	logparse_exim(lines[0], strlen(lines[0]), NOW, &ev);
	ok(ev.mx[0] == '\0' && strcmp(ev.addr, "192.0.2.1") == 0, "a name that is not one: mx empty, address kept");
	logparse_exim(lines[2], strlen(lines[2]), NOW, &ev);
	ok(ev.rcpt[0] == '\0' && ev.domain[0] == '\0', "a control byte in the address: rcpt and domain empty");
	/* a NUL anywhere: not a line Exim writes */
	is_int(logparse_exim("2025-03-10 09:30:12 1tra7x-0004Qm-2C => a@b\0", 44, NOW, &ev), EXIM_SKIP, "a NUL byte: skipped");
}

static void
limits(void)
{
	struct exim_event ev;
	char *line = malloc(LOGPARSE_LINE_MAX + 2);
	const char *head = "2025-03-10 09:30:12 1tra7x-0004Qm-2C == a@b.example R=r T=t defer (-37) H=mx.b.example [192.0.2.1]: ";
	size_t h = strlen(head);
	char name[400], l2[1200];

	if (line == NULL)
		abort();
	memcpy(line, head, h);
	memset(line + h, 'x', LOGPARSE_LINE_MAX - h);
	is_int(logparse_exim(line, LOGPARSE_LINE_MAX, NOW, &ev), EXIM_DEFERRED, "line of LOGPARSE_LINE_MAX bytes parsed");
	is_int(strlen(ev.text), sizeof(ev.text) - 1, "long text cut at its field size");
	line[LOGPARSE_LINE_MAX] = 'x';
	is_int(logparse_exim(line, LOGPARSE_LINE_MAX + 1, NOW, &ev), EXIM_SKIP, "line of LOGPARSE_LINE_MAX + 1 bytes skipped whole");
	is_str(ev.msgid, "", "and nothing of it kept");
	free(line);

	/* an over-long host name, DN, cipher, router: empty or cut, still counted */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(l2, sizeof(l2), "2025-03-10 09:30:12 1tra7x-0004Qm-2C => a@b.example R=%.70s T=t H=%s [192.0.2.1] "
	    "X=%.130s CV=yes DN=\"%s\" C=\"250\"", name, name, name, name);
	is_int(logparse_exim(l2, strlen(l2), NOW, &ev), EXIM_DELIVERED, "over-long fields: still a delivery");
	ok(ev.mx[0] == '\0' && ev.router[0] == '\0' && ev.cipher[0] == '\0' && ev.cv == EXIM_CV_YES
	    && strlen(ev.peerdn) == sizeof(ev.peerdn) - 1 && strcmp(ev.addr, "192.0.2.1") == 0,
	    "over-long name, router, cipher empty; DN cut; the rest kept");
	snprintf(l2, sizeof(l2), "2025-03-10 09:30:12 1tra7x-0004Qm-2C => %s@%s R=r T=t H=h [192.0.2.1]", name, name);
	is_int(logparse_exim(l2, strlen(l2), NOW, &ev), EXIM_DELIVERED, "over-long address: still a delivery");
	ok(ev.rcpt[0] == '\0' && ev.domain[0] == '\0', "and its rcpt and domain empty");
}

/* what the failure text says about TLS: from its start only */
static void
tls_errors(void)
{
	static const struct { const char *msg; enum exim_tls want; } cases[] = {
		{ "== a@b.example R=r T=t defer (-38) H=h [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
		  EXIM_TLS_NOT_OFFERED },
		{ "== a@b.example R=r T=t defer (-38) H=h [192.0.2.1]: a TLS session is required, but an attempt to start TLS failed",
		  EXIM_TLS_START_FAILED },
		{ "== a@b.example R=r T=t defer (-37) H=h [192.0.2.1]: TLS session: (certificate verification failed): certificate invalid",
		  EXIM_TLS_CERT_INVALID },
		{ "== a@b.example R=r T=t defer (-37) H=h [192.0.2.1]: TLS session: (certificate verification failed): certificate revoked",
		  EXIM_TLS_CERT_REVOKED },
		{ "== a@b.example R=r T=t defer (-37) H=h [192.0.2.1]: TLS session: (certificate verification failed)",
		  EXIM_TLS_CERT_NOREASON },
		{ "== a@b.example R=r T=t defer (-37) H=h [192.0.2.1]: TLS session: (certificate verification failed): x",
		  EXIM_TLS_CERT_OTHER },
		{ "== a@b.example R=r T=t defer (-37) H=h [192.0.2.1]: TLS session: (certificate verification failed): "
		  "Verification failed. The certificate differs. ", EXIM_TLS_DANE_MISMATCH },
		{ "DANE attempt failed; TLS connection to h [192.0.2.1]: (certificate verification failed): "
		  "Verification failed. The certificate differs. ", EXIM_TLS_DANE_MISMATCH },
		{ "== a@b.example R=r T=t defer (-36): DANE error: tlsa lookup DEFER", EXIM_TLS_TLSA_DEFER },
		{ "H=h [192.0.2.1]:25: DANE error: tlsa lookup FAIL", EXIM_TLS_TLSA_FAIL },
		{ "== a@b.example R=r T=t defer (-36): DANE error: h lookup not DNSSEC", EXIM_TLS_DANE_ERROR },
		{ "== a@b.example R=r T=t defer (-37) H=h [192.0.2.1]: TLS session: (gnutls_handshake): timed out",
		  EXIM_TLS_HANDSHAKE },
		{ "TLS session: (SSL_connect): error:0A000410:SSL routines::sslv3 alert handshake failure: "
		  "delivering unencrypted to H=h [192.0.2.1] (not in hosts_require_tls)", EXIM_TLS_HANDSHAKE },
		/* a server's reply cannot pass for Exim's own text */
		{ "== a@b.example R=r T=t defer (-44) H=h [192.0.2.1]: SMTP error from remote mail server after RCPT "
		  "TO:<a@b.example>: 450 a TLS session is required, but the server did not offer TLS support", EXIM_TLS_NONE },
		{ "** a@b.example R=r T=t H=h [192.0.2.1]: SMTP error from remote mail server after end of data: "
		  "550 TLS session: (certificate verification failed): certificate invalid", EXIM_TLS_NONE },
		{ "== a@b.example R=r T=t defer (111): Connection refused", EXIM_TLS_NONE },
		/* on lines that carry no failure, nothing */
		{ "=> a@b.example R=r T=t H=h [192.0.2.1] C=\"a TLS session is required, but the server did not offer TLS support\"",
		  EXIM_TLS_NONE },
		{ "[192.0.2.1] SSL verify error: certificate name mismatch: DN=\"/CN=x\" H=\"h\"", EXIM_TLS_NONE },
	};
	struct exim_event ev;
	char line[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "2025-03-10 09:30:12 1tra7x-0004Qm-2C %s", cases[i].msg);
		logparse_exim(line, strlen(line), NOW, &ev);
		is_str(logparse_exim_tls_name(ev.tls_error), logparse_exim_tls_name(cases[i].want),
		    "TLS text %zu: %.50s", i, cases[i].msg);
	}
}

/* certev - a cert line's fields as one string */
static const char *
certev(const char *line)
{
	static struct exim_event ev;
	static char b[2048];
	size_t o;

	logparse_exim(line, strlen(line), NOW, &ev);
	o = (size_t)snprintf(b, sizeof(b), "%s", logparse_exim_kind_name(ev.kind));
	if (ev.kind != EXIM_CERT)
		return b;
	o += (size_t)snprintf(b + o, sizeof(b) - o, " mx=%s ip=%s depth=%d", ev.mx, ev.addr, ev.depth);
	if (ev.dates & EXIM_NOTBEFORE)
		o += (size_t)snprintf(b + o, sizeof(b) - o, " nb=%lld", (long long)ev.notbefore);
	if (ev.dates & EXIM_NOTAFTER)
		o += (size_t)snprintf(b + o, sizeof(b) - o, " na=%lld", (long long)ev.notafter);
	if (ev.names_known) {
		o += (size_t)snprintf(b + o, sizeof(b) - o, " names=");
		for (size_t i = 0; i < ev.nnames && o < sizeof(b); i++)
			o += (size_t)snprintf(b + o, sizeof(b) - o, "%s%s", i ? "," : "", ev.names[i]);
	}
	return b;
}

/* b64 - the base64 of s (test data only) */
static const char *
b64(const char *s)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static char b[8192];
	size_t n = strlen(s), o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long w = (unsigned long)(unsigned char)s[i] << 16
		    | (i + 1 < n ? (unsigned long)(unsigned char)s[i + 1] << 8 : 0)
		    | (i + 2 < n ? (unsigned long)(unsigned char)s[i + 2] : 0);

		b[o++] = al[w >> 18 & 63];
		b[o++] = al[w >> 12 & 63];
		b[o++] = i + 1 < n ? al[w >> 6 & 63] : '=';
		b[o++] = i + 2 < n ? al[w & 63] : '=';
	}
	b[o] = '\0';
	return b;
}

/* event_lines - "<=" and the lines of contrib/exim's event actions */
static void
event_lines(void)
{
	static const char pre[] = "2026-12-01 05:04:10 1xYG2E-0003br-1S ";
	struct exim_event ev;
	char line[9000], many[4000];
	size_t o = 0;

	/* the real line of a Debian exim4 (GnuTLS) */
	is_str(certev("2026-12-01 05:04:10 1xYG2E-0003br-1S tlspolicyd: cert H=mx.sts-expired.test [127.0.3.94] depth=0 "
	    "notbefore=\"Jan  1 00:00:00 2020 UTC\" notafter=\"Feb  1 00:00:00 2020 UTC\" names=RE5TPW14LnN0cy1leHBpcmVkLnRlc3Q="),
	    "cert mx=mx.sts-expired.test ip=127.0.3.94 depth=0 nb=1577836800 na=1580515200 names=mx.sts-expired.test",
	    "cert line: host, depth, both dates, the DNS name");
	snprintf(line, sizeof(line), "%stlspolicyd: cert H=mx.a.test [192.0.2.1]:25 depth=1 notbefore=\"Dec 31 23:59:59 2025 GMT\" "
	    "notafter=\"Feb 09 00:00:00 2027 GMT\" names=%s", pre,
	    b64("DNS=MX.A.test\nIP Address:192.0.2.1;DNS=*.A.Test; DNS=bad..name;URI=http://x;MAIL=a@b;DNS=*.;DNS=*.*.x.test;DNS=xn--bcher-kva.test"));
	is_str(certev(line), "cert mx=mx.a.test ip=192.0.2.1 depth=1 nb=1767225599 na=1802131200 "
	    "names=mx.a.test,*.a.test,xn--bcher-kva.test",
	    "GMT, a zero-padded day, newline and ';' lists, only valid DNS names, lower case");
	snprintf(line, sizeof(line), "%stlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 notbefore=\"Jan 1 00:00:00 2020 UTC\" "
	    "notafter=\"Fxb  1 00:00:00 2020 UTC\" names=%s", pre, b64(""));
	is_str(certev(line), "cert mx=mx.a.test ip=192.0.2.1 depth=0 nb=1577836800 names=",
	    "a bad date is unknown, the other is kept; empty names are known and none");
	is_str(certev("2026-12-01 05:04:10 1xYG2E-0003br-1S tlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 "
	    "notbefore=\"Jan 32 00:00:00 2020 UTC\" notafter=\"Feb  1 24:00:00 2020 UTC\" names=RE5TPW1"),
	    "cert mx=mx.a.test ip=192.0.2.1 depth=0", "impossible dates and unpadded base64 are unknown");
	is_str(certev("2026-12-01 05:04:10 1xYG2E-0003br-1S tlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 "
	    "notbefore=\"Jan  1 00:00:00 2020 UTC names=RE5T"), "other", "an unclosed quote: not a cert line");
	is_str(certev("2026-12-01 05:04:10 1xYG2E-0003br-1S tlspolicyd: cert H=mx.a.test [192.0.2.1] depth=x99 names=*!@#"),
	    "cert mx=mx.a.test ip=192.0.2.1 depth=-1", "bad depth and base64 alphabet: unknown");
	is_str(certev("2026-12-01 05:04:10 1xYG2E-0003br-1S tlspolicyd: cert H=mx.a.test depth=0"), "other",
	    "no [address]: not a cert line");
	/* more names than kept, and a name too long */
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "DNS=n%d.a.test\n", i);
	snprintf(many + o, sizeof(many) - o, "DNS=%0300d.test", 1);
	snprintf(line, sizeof(line), "%stlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 names=%s", pre, b64(many));
	logparse_exim(line, strlen(line), NOW, &ev);
	ok(ev.kind == EXIM_CERT && ev.names_known && ev.nnames == EXIM_NAMES_MAX
	    && strcmp(ev.names[EXIM_NAMES_MAX - 1], "n31.a.test") == 0, "at most %d names are kept", EXIM_NAMES_MAX);
	/* dane:fail */
	snprintf(line, sizeof(line), "%stlspolicyd: dane H=mx.a.test [192.0.2.1] result=dnssec-invalid", pre);
	logparse_exim(line, strlen(line), NOW, &ev);
	is_str(show(&ev), "dane t=1796101450 id=1xYG2E-0003br-1S mx=mx.a.test ip=192.0.2.1 text=[dnssec-invalid]",
	    "dane line: the result type in text");
	snprintf(line, sizeof(line), "%stlspolicyd: dane H=mx.a.test [192.0.2.1] result=dane-required  ", pre);
	logparse_exim(line, strlen(line), NOW, &ev);
	is_str(ev.text, "dane-required", "dane line: trailing blanks ignored");
	snprintf(line, sizeof(line), "%stlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 names=%s ", pre, b64("DNS=mx.a.test"));
	is_str(certev(line), "cert mx=mx.a.test ip=192.0.2.1 depth=0 names=mx.a.test", "cert line: a trailing blank ignored");
	snprintf(line, sizeof(line), "%stlspolicyd: dane H=mx.a.test [192.0.2.1] result=success", pre);
	is_int(logparse_exim(line, strlen(line), NOW, &ev), EXIM_OTHER, "dane line: only RFC 8460 failure types");
	snprintf(line, sizeof(line), "%stlspolicyd: dane H=mx.a.test [192.0.2.1] result=dnssec-invalid x", pre);
	is_int(logparse_exim(line, strlen(line), NOW, &ev), EXIM_OTHER, "dane line: nothing after the type");
	/* "<=" */
	snprintf(line, sizeof(line), "%s<= tlsrpt@out.test U=root P=local S=340", pre);
	logparse_exim(line, strlen(line), NOW, &ev);
	is_str(show(&ev), "received t=1796101450 id=1xYG2E-0003br-1S rcpt=tlsrpt@out.test", "received: the sender");
	snprintf(line, sizeof(line), "%s<= <> R=1xYG2E-0003br-1Q U=Debian-exim P=local S=1", pre);
	logparse_exim(line, strlen(line), NOW, &ev);
	is_str(show(&ev), "received t=1796101450 id=1xYG2E-0003br-1S", "received: a bounce has no sender");
	snprintf(line, sizeof(line), "%s<= a\x01\xff@x.test U=root", pre);
	logparse_exim(line, strlen(line), NOW, &ev);
	is_str(show(&ev), "received t=1796101450 id=1xYG2E-0003br-1S", "received: a hostile sender is left empty");
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	line_forms();
	hostile_fields();
	hostile_kept();
	limits();
	tls_errors();
	event_lines();
	return tap_done();
}
