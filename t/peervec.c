/*
 * peervec - print what the MTA-STS and TLSRPT parsers make of one file,
 * for the test that runs other implementations' test vectors:
 *
 *   peervec sts-policy FILE     the policy file body (sts_policy_parse)
 *   peervec sts-txt FILE        one _mta-sts TXT record (sts_txt_select)
 *   peervec tlsrpt-txt FILE     one _smtp._tls TXT record (tlsrpt_select)
 *   peervec tlsrpt-json FILE    an aggregate report (rptparse_json): "valid"
 *                               only when it was read without a note (a
 *                               deviation from RFC 8460 it accepted)
 *   peervec -r KIND FILE        a TXT RRset instead: one record per line
 *
 * The file is read byte for byte (at most 128 KiB).  Prints one line,
 * "valid DETAILS" or "invalid REASON"; exits 0 either way, 2 on misuse.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rptparse.h"
#include "sts.h"
#include "tlsrpt.h"

#define IN_MAX ((size_t)128 * 1024)
#define RR_MAX 16

static char in[IN_MAX + 1];

static int
usage(void)
{
	fputs("usage: peervec [-r] sts-policy|sts-txt|tlsrpt-txt|tlsrpt-json FILE\n", stderr);
	return 2;
}

/* split - the records of an RRset file (LF between records) */
static size_t
split(char *data, size_t len, int rrset, const char **rec, size_t *rlen)
{
	size_t n = 0, s = 0;

	if (!rrset) {
		rec[0] = data;
		rlen[0] = len;
		return 1;
	}
	for (size_t i = 0; i <= len && n < RR_MAX; i++)
		if (i == len || data[i] == '\n') {
			rec[n] = data + s;
			rlen[n++] = i - s;
			s = i + 1;
		}
	return n;
}

static void
policy(const char *body, size_t len)
{
	struct sts_policy p;
	const char *why;

	if (sts_policy_parse(body, len, &p, &why) < 0) {
		printf("invalid %s\n", why);
		return;
	}
	printf("valid mode=%s mx=", sts_mode_name(p.mode));
	for (size_t i = 0; i < p.nmx; i++)
		printf("%s%s", i ? "," : "", p.mx[i]);
	printf("%s max_age=%u\n", p.nmx ? "" : "(none)", (unsigned)p.max_age);
}

static void
ststxt(const char *const *rec, const size_t *rlen, size_t n)
{
	char id[STS_ID_MAX + 1];
	const char *why;

	if (sts_txt_select(rec, rlen, n, id, &why) == STS_TXT_OK)
		printf("valid id=%s\n", id);
	else
		printf("invalid %s\n", why);
}

static void
tlsrpttxt(const char *const *rec, const size_t *rlen, size_t n)
{
	static struct tlsrpt_record r;
	const char *why = "no TLSRPTv1 record";

	if (tlsrpt_select(rec, rlen, n, &r, &why) != TLSRPT_OK) {
		printf("invalid %s\n", why);
		return;
	}
	printf("valid rua=");
	for (size_t i = 0; i < r.nrua; i++)
		printf("%s%s", i ? "," : "", r.rua[i].uri);
	if (r.nbad > 0)
		printf(" dropped=%zu (%s: %s)", r.nbad, r.bad[0], r.bad_why[0]);
	putchar('\n');
}

static void
report(const char *json, size_t len)
{
	static struct rpt_report r;
	char why[256];

	if (rptparse_json(json, len, &r, why, sizeof(why)) < 0) {
		printf("invalid %s\n", why);
		return;
	}
	printf("%s org=%s policies=%zu", r.notes[0] ? "invalid" : "valid", r.org, r.npolicies);
	for (size_t i = 0; i < r.npolicies; i++) {
		const struct rpt_policy *p = &r.policies[i];

		printf(" [%s %s mx-host=%s success=%llu failure=%llu", p->ptype, p->domain[0] ? p->domain : "-",
		    p->mx[0] ? p->mx : "-", (unsigned long long)p->successes, (unsigned long long)p->failures);
		for (size_t j = 0; j < p->nresults; j++)
			printf(" %s=%llu", p->results[j].type, (unsigned long long)p->results[j].count);
		putchar(']');
	}
	if (r.notes[0])
		printf(" notes: %s", r.notes);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	const char *rec[RR_MAX];
	size_t rlen[RR_MAX], len, n;
	int rrset = 0;
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		rrset = 1;
		argc--;
		argv++;
	}
	if (argc != 3)
		return usage();
	if ((f = fopen(argv[2], "rb")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	len = fread(in, 1, IN_MAX + 1, f);
	if (ferror(f) || len > IN_MAX) {
		fprintf(stderr, "%s: read error or larger than %zu bytes\n", argv[2], IN_MAX);
		fclose(f);
		return 2;
	}
	fclose(f);
	n = split(in, len, rrset, rec, rlen);
	if (strcmp(argv[1], "sts-policy") == 0 && !rrset)
		policy(in, len);
	else if (strcmp(argv[1], "sts-txt") == 0)
		ststxt(rec, rlen, n);
	else if (strcmp(argv[1], "tlsrpt-txt") == 0)
		tlsrpttxt(rec, rlen, n);
	else if (strcmp(argv[1], "tlsrpt-json") == 0 && !rrset)
		report(in, len);
	else
		return usage();
	return 0;
}
