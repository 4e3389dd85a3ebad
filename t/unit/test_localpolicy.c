/* Unit tests for tlspolicy/policy/localpolicy. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localpolicy.h"
#include "tap.h"

static const struct {
	const char *text;
	const char *err; /* NULL: accepted */
} bad[] = {
	{ "bank.example dane-only\nbank.example may\n", "line 2: duplicate entry for bank.example (first at line 1)" },
	{ "Bank.Example. dane-only\nbank.example may\n", "duplicate entry" },
	{ "x.example\n", "line 1: empty answer" },
	{ "x.example bogus\n", "unknown TLS security level" },
	{ "\n\n.x.example may\n", "line 3: not a plain domain" },
	{ "[x.example] may\n", "not a plain domain" },
	{ "x.example:25 may\n", "not a plain domain" },
	{ "192.0.2.1 may\n", "not a plain domain" },
	{ "a_b.example may\n", "not a valid domain name" },
	{ "x.example may match=x\n", "not valid at this security level" },
	{ "x.example secure policy_type=sts\n", "unknown attribute name" },
	/* the wrong attribute is named, not only the whole answer */
	{ "x.example secure match=a:b matc=x\n", "unknown attribute name \"matc\" in \"secure match=a:b matc=x\"" },
	{ "x.example secur\n", "unknown TLS security level \"secur\"" },
};

int
main(void)
{
	char err[512];
	const char *good =
	    "# the operator's table\n"
	    "bank.example\tdane-only\n"
	    "\n"
	    "  legacy.example   may   \n"
	    "partner.example secure match=mx.partner.example servername=hostname\r\n"
	    "B\xc3\xbc" "cher.example encrypt\n"
	    "last.example none";
	struct localpolicy *lp = localpolicy_parse(good, strlen(good), "table", err, sizeof(err));
	const struct localpolicy_entry *e;

	ok(lp != NULL, "good table parses (%s)", lp ? "" : err);
	is_int(localpolicy_count(lp), 5, "five entries");
	e = localpolicy_get(lp, "bank.example");
	ok(e && strcmp(e->answer, "dane-only") == 0 && e->line == 2, "bank.example dane-only, line 2");
	e = localpolicy_get(lp, "legacy.example");
	ok(e && strcmp(e->answer, "may") == 0, "blanks around answers are trimmed");
	e = localpolicy_get(lp, "partner.example");
	ok(e && strcmp(e->answer, "secure match=mx.partner.example servername=hostname") == 0,
	    "CRLF line, attributes kept");
	ok(localpolicy_get(lp, "xn--bcher-kva.example") != NULL, "U-label stored as A-label");
	ok(localpolicy_get(lp, "last.example") != NULL, "last line without newline");
	ok(localpolicy_get(lp, "nothere.example") == NULL, "unknown domain");
	ok(localpolicy_get(NULL, "bank.example") == NULL, "no table, no entry");
	localpolicy_free(lp);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		lp = localpolicy_parse(bad[i].text, strlen(bad[i].text), "table", err, sizeof(err));
		ok(lp == NULL && strstr(err, bad[i].err) != NULL, "refused: \"%s\" has \"%s\"", err,
		    bad[i].err);
		localpolicy_free(lp);
	}

	/* line length limit +-1 */
	{
		char *t = malloc(LOCALPOLICY_LINE_MAX + 2);
		size_t n = LOCALPOLICY_LINE_MAX;

		memset(t, ' ', n);
		snprintf(t, n, "a.example may");
		t[13] = ' ';
		lp = localpolicy_parse(t, n, "table", err, sizeof(err));
		ok(lp != NULL, "line of LOCALPOLICY_LINE_MAX bytes");
		localpolicy_free(lp);
		t[n] = ' ';
		lp = localpolicy_parse(t, n + 1, "table", err, sizeof(err));
		ok(lp == NULL && strstr(err, "longer than") != NULL, "line one byte longer refused");
		localpolicy_free(lp);
		free(t);
	}
	/* NUL byte */
	lp = localpolicy_parse("a.example may\0x\n", 16, "table", err, sizeof(err));
	ok(lp == NULL && strstr(err, "NUL") != NULL, "NUL byte refused");
	/* file load */
	{
		char path[300];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/policy", tap_tmpdir());
		fp = fopen(path, "w");
		fputs("a.example may\n", fp);
		fclose(fp);
		lp = localpolicy_load(path, err, sizeof(err));
		ok(lp && localpolicy_get(lp, "a.example") != NULL, "load from file");
		is_str(localpolicy_name(lp), path, "table named by its path");
		localpolicy_free(lp);
		lp = localpolicy_load("/nonexistent/policy", err, sizeof(err));
		ok(lp == NULL && strstr(err, "/nonexistent/policy") != NULL, "missing file: %s", err);
	}
	return tap_done();
}
