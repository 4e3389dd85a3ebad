/* Unit tests for tlspolicy/base/mtahost: the domains in the output of
 * "postconf -x -h mydestination ..." (with files and "postmap -s" tables
 * given by the reader) and of "exim -bP primary_hostname +local_domains
 * +relay_to_domains", as Postfix 3.7 and Exim 4.96 print them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mtahost.h"
#include "tap.h"

/* the tables and files of the test, as postmap -s and the file hold them */
static const struct { const char *name, *text; } texts[] = {
	{ "hash:/etc/postfix/vdomains", "v2.example\tOK\nv1.example\tOK\n" },
	{ "inline:{b.example=x, c.example=y}", "b.example\tx\nc.example\ty\n" },
	{ "hash:/etc/postfix/virtual", "user@v1.example\tu\nv3.example\tanything\n"
	    ".sub.example\tx\n" },
	{ "/etc/postfix/relay", "# relayed for\nrelay.example, relay2.example\n"
	    "  hash:/in/file\n" },
};

static int
reader(void *arg, enum mtahost_kind kind, const char *name, struct buf *out, char *why,
    size_t whylen)
{
	int *calls = arg;

	(*calls)++;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i].name, name) == 0 && (kind == MTAHOST_FILE) == (name[0] == '/'))
			return buf_puts(out, texts[i].text);
	snprintf(why, whylen, "no such table");
	return -1;
}

/* joined - the domains found, joined by blanks */
static const char *
joined(const struct mtahost_domains *d)
{
	static char s[2048];
	size_t len = 0;

	s[0] = '\0';
	for (size_t i = 0; i < d->n; i++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%s", i ? " " : "", d->v[i]);
	return s;
}

static const char *const params[] = { "mydestination", "virtual_mailbox_domains",
	"virtual_alias_domains", "relay_domains" };

static void
postconf(const char *out, const char *want, const char *from, const char *notes,
    const char *what)
{
	struct mtahost_domains d;
	int calls = 0;
	struct mtahost_reader rd = { reader, &calls };

	memset(&d, 0, sizeof(d));
	mtahost_postconf_parse(out, strlen(out), params, 4, &rd, &d);
	is_str(joined(&d), want, "postconf: %s: the domains", what);
	is_str(d.from, from, "postconf: %s: where from", what);
	if (notes != NULL)
		is_str(d.notes, notes, "postconf: %s: what was not taken", what);
	mtahost_domains_fini(&d);
}

static void
exim(const char *out, const char *want, const char *from, const char *notes, const char *what)
{
	struct mtahost_domains d;

	memset(&d, 0, sizeof(d));
	mtahost_exim_parse(out, strlen(out), &d);
	is_str(joined(&d), want, "exim: %s: the domains", what);
	is_str(d.from, from, "exim: %s: where from", what);
	if (notes != NULL)
		is_str(d.notes, notes, "exim: %s: what was not taken", what);
	mtahost_domains_fini(&d);
}

int
main(void)
{
	/* Debian's default main.cf, $myhostname expanded by -x */
	postconf("mx.example.net, mx.localdomain, localhost.localdomain, localhost\n\n"
	    "$virtual_alias_maps\n\n",
	    "mx.example.net", "postconf mydestination",
	    "mx.localdomain in mydestination: not fully qualified; localhost.localdomain in "
	    "mydestination: this host only; localhost in mydestination: this host only; "
	    "$virtual_alias_maps in virtual_alias_domains: not a domain name",
	    "Debian's default");
	/* every source, separators of all kinds, upper case, duplicates */
	postconf("Example.ORG example.org.,mx.example.net\n"
	    "hash:/etc/postfix/vdomains, inline:{b.example=x, c.example=y}\n"
	    "hash:/etc/postfix/virtual\n"
	    "/etc/postfix/relay\t[192.0.2.1] !bad.example\n",
	    "example.org mx.example.net v2.example v1.example b.example c.example v3.example "
	    "relay.example relay2.example",
	    "postconf mydestination, virtual_mailbox_domains, virtual_alias_domains, relay_domains",
	    "user@v1.example in virtual_alias_domains: not a domain name; .sub.example in "
	    "virtual_alias_domains: not a domain name; hash:/in/file in relay_domains: not read "
	    "(a table in a file); [192.0.2.1] in relay_domains: not a domain name; !bad.example "
	    "in relay_domains: an exclusion, not read",
	    "tables, inline, files");
	postconf("pcre:/etc/postfix/d.pcre mysql:/etc/postfix/d.cf hash:/missing\n",
	    "", "",
	    "pcre:/etc/postfix/d.pcre in mydestination: not read (a pcre table cannot be "
	    "listed); mysql:/etc/postfix/d.cf in mydestination: not read (a mysql table cannot "
	    "be listed); hash:/missing in mydestination: not read (no such table)",
	    "tables that cannot be listed, a missing one");
	postconf("", "", "", "", "no output");
	postconf("a.example\n", "a.example", "postconf mydestination", "", "one line only");

	/* a long list: the notes end in "..." instead of overflowing */
	{
		struct mtahost_domains d;
		struct buf b;

		buf_init(&b, 100000);
		for (int i = 0; i < 500; i++)
			buf_printf(&b, "host%d ", i);
		memset(&d, 0, sizeof(d));
		mtahost_postconf_parse(b.data, b.len, params, 4, NULL, &d);
		is_int(d.n, 0, "500 unqualified names: none kept");
		ok(strlen(d.notes) < sizeof(d.notes) && strstr(d.notes, "...") != NULL,
		    "the notes are cut with \"...\"");
		mtahost_domains_fini(&d);
		buf_fini(&b);
	}

	/* Exim 4.96 as Debian configures it, @ = primary_hostname */
	exim("primary_hostname = mx.example.net\n"
	    "domainlist local_domains = @:localhost:example.org\n"
	    "domainlist relay_to_domains = <; relay.example ; +local_domains ; a::b.example\n",
	    "mx.example.net example.org relay.example", "exim -bP local_domains, relay_to_domains",
	    "localhost in local_domains: this host only; a::b.example in relay_to_domains: not a "
	    "domain name", "Debian's, a separator of its own");
	exim("primary_hostname = mx.example.net\n"
	    "domainlist local_domains = @ : localhost : example.org : lsearch;/etc/x : "
	    "*.wild.example : ${if eq{1}{1}{a.example}{}} : !no.example : @[] : +other : ^re$ : "
	    "partial-dbm;/etc/y : EXAMPLE.net\n",
	    "mx.example.net example.org example.net", "exim -bP local_domains",
	    NULL, "lookups, wildcards, expansions skipped");
	{
		struct mtahost_domains d;
		const char *out = "primary_hostname = mx.example.net\n"
		    "domainlist local_domains = lsearch;/etc/x : *.wild.example : "
		    "${if eq{1}{1}{a.example}{}} : !no.example : @[] : +other : ^re$\n";

		memset(&d, 0, sizeof(d));
		mtahost_exim_parse(out, strlen(out), &d);
		ok(strstr(d.notes, "lsearch;/etc/x in local_domains: not read (a lookup)") != NULL
		    && strstr(d.notes, "*.wild.example in local_domains: not read (a wildcard)") != NULL
		    && strstr(d.notes, "(an expansion)") != NULL && strstr(d.notes, "(an exclusion)")
		    && strstr(d.notes, "@[] in local_domains: not read (decided at delivery time)")
		    && strstr(d.notes, "+other in local_domains: not read (another named list)")
		    && strstr(d.notes, "^re$ in local_domains: not read (a regular expression)"),
		    "exim: each skipped item told with its reason: %s", d.notes);
		mtahost_domains_fini(&d);
	}
	exim("primary_hostname = mx.localdomain\ndomainlist local_domains = @\n", "", "",
	    "mx.localdomain in local_domains: not fully qualified", "an unqualified @");
	exim("primary_hostname = \ndomainlist local_domains = @ : a.example\n", "a.example",
	    "exim -bP local_domains", "@ in local_domains: primary_hostname unknown",
	    "no primary_hostname");
	exim("no address, domain, host, or local part list called \"relay_to_domains\" exists\n",
	    "", "", "", "an error line");

	ok(mtahost_qualified("a.example", 1) && !mtahost_qualified("a.localdomain", 1)
	    && !mtahost_qualified("vm", 0), "mtahost_qualified");
	return tap_done();
}
