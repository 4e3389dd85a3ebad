/*
 * mtahost - the MTA's host name, see mtahost.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "domain.h"
#include "evloop.h"
#include "fileio.h"
#include "mtahost.h"
#include "strmap.h"
#include "xalloc.h"

#define MTAHOST_OUT_MAX 1024
#define MTAHOST_WAIT_MS 5000
#define MTAHOST_LIST_MAX (4u << 20)   /* a table or file of domains */

extern char **environ;

/* postfix_configured - is there a main.cf where postconf looks
 * ($MAIL_CONFIG, else Debian's and a source build's directory)? */
static int
postfix_configured(void)
{
	static const char *const dirs[] = { "/etc/postfix", "/usr/local/etc/postfix" };
	const char *env = getenv("MAIL_CONFIG");
	char path[4096];

	if (env != NULL && env[0] != '\0') {
		snprintf(path, sizeof(path), "%s/main.cf", env);
		return access(path, R_OK) == 0;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/main.cf", dirs[i]);
		if (access(path, R_OK) == 0)
			return 1;
	}
	return 0;
}

/* run_output - run path with argv, without a shell; its output, up to
 * out->max bytes, into out (reset first); returns its exit status, or -1
 * when it cannot run, is killed or runs past the time limit */
static int
run_output(const char *path, char *const argv[], struct buf *out)
{
	int fds[2], status, nul;
	int64_t deadline;
	pid_t pid;

	buf_reset(out);
	if (access(path, X_OK) < 0 || pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* nothing of the caller's (a store, its lock, sockets) in the
		 * program: close_range from glibc 2.34 */
		if (fds[1] != STDOUT_FILENO && dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		close_range(3, ~0U, 0);
		if ((nul = open("/dev/null", O_RDWR)) < 0 || dup2(nul, STDIN_FILENO) < 0
		    || dup2(nul, STDERR_FILENO) < 0)
			_exit(127);
		execve(path, argv, environ);
		_exit(127);
	}
	close(fds[1]);
	deadline = evloop_clock_ms() + MTAHOST_WAIT_MS;
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int64_t left = deadline - evloop_clock_ms();
		size_t room = out->max - out->len;
		ssize_t n;

		if (room > 65536)
			room = 65536;
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0 || room == 0) {
			kill(pid, SIGKILL);
			break;
		}
		room = buf_space(out, room);
		if ((n = read(fds[0], out->data + out->len, room)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* run_first_line - the first word of the first output line of a program
 * that succeeds, after "NAME =" if any, into out; -1 when it cannot run,
 * fails or says nothing */
static int
run_first_line(const char *path, char *const argv[], char *out, size_t outlen)
{
	struct buf b;
	const char *v, *eq;
	size_t len;
	int rc;

	buf_init(&b, MTAHOST_OUT_MAX);
	rc = run_output(path, argv, &b);
	if (rc != 0 || b.data == NULL) {
		buf_fini(&b);
		return -1;
	}
	b.data[strcspn(b.data, "\r\n")] = '\0';
	v = b.data;
	if ((eq = strchr(v, '=')) != NULL)        /* "primary_hostname = NAME" */
		v = eq + 1;
	v += strspn(v, " \t");
	len = strcspn(v, " \t");
	rc = len == 0 || len >= outlen ? -1 : 0;
	if (rc == 0) {
		memmove(out, v, len);
		out[len] = '\0';
	}
	buf_fini(&b);
	return rc;
}

/* valid_name - a host name as DNS allows it (normalized into out) */
static int
valid_name(const char *name, char *out, size_t outlen)
{
	char norm[DOMAIN_MAX + 1];

	if (domain_normalize(name, strlen(name), norm, NULL) != DOMAIN_OK
	    || strlen(norm) >= outlen)
		return 0;
	snprintf(out, outlen, "%s", norm);
	return 1;
}

/* the usual places of the programs */
static const char *const postconf_paths[] = { "/usr/sbin/postconf", "/usr/local/sbin/postconf" };
static const char *const exim_paths[] = { "/usr/sbin/exim4", "/usr/sbin/exim",
	"/usr/local/sbin/exim", "/usr/exim/bin/exim" };
#define NPATHS(a) (sizeof(a) / sizeof((a)[0]))

/* exim_name - Exim's primary_hostname from program path */
static int
exim_name(const char *path, char *name, size_t namelen)
{
	char *argv[] = { (char *)"exim", (char *)"-bP", (char *)"primary_hostname", NULL };
	char got[DOMAIN_MAX + 1];

	return run_first_line(path, argv, got, sizeof(got)) == 0 && valid_name(got, name, namelen);
}

const char *
mtahost_name(const char *exim, char *out, size_t outlen)
{
	static char name[DOMAIN_MAX + 1];
	static const char *how;
	char got[DOMAIN_MAX + 1];

	if (how == NULL && exim != NULL && exim[0] != '\0' && exim_name(exim, name, sizeof(name)))
		how = "Exim primary_hostname";
	/* postconf without a main.cf fails only after a second's pause
	 * (Postfix's fatal errors sleep): not asked where there is none */
	for (size_t i = 0; how == NULL && postfix_configured() && i < NPATHS(postconf_paths); i++) {
		char *argv[] = { (char *)"postconf", (char *)"-h", (char *)"myhostname", NULL };

		if (run_first_line(postconf_paths[i], argv, got, sizeof(got)) == 0
		    && valid_name(got, name, sizeof(name)))
			how = "Postfix myhostname";
	}
	for (size_t i = 0; how == NULL && (exim == NULL || exim[0] == '\0') && i < NPATHS(exim_paths);
	    i++)
		if (exim_name(exim_paths[i], name, sizeof(name)))
			how = "Exim primary_hostname";
	if (how == NULL) {
		if (gethostname(got, sizeof(got)) < 0 || (got[sizeof(got) - 1] = '\0', 0)
		    || !valid_name(got, name, sizeof(name)))
			snprintf(name, sizeof(name), "localhost");
		how = "gethostname";
	}
	snprintf(out, outlen, "%s", name);
	return how;
}

int
mtahost_qualified(const char *name, int strict)
{
	static const char *const pseudo[] = { "localdomain", "localhost", "local", "internal",
		"invalid", "lan", "home", NULL };
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name || dot[1] == '\0')
		return 0;
	if (strict)
		for (int i = 0; pseudo[i] != NULL; i++)
			if (strcasecmp(dot + 1, pseudo[i]) == 0)
				return 0;
	return 1;
}

/* note - add one part to d->notes ("; " between parts; "..." once full) */
static void
note(struct mtahost_domains *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
note(struct mtahost_domains *d, const char *fmt, ...)
{
	size_t len = strlen(d->notes), room = sizeof(d->notes) - len;
	char part[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	if (len >= 3 && strcmp(d->notes + len - 3, "...") == 0)
		return;
	if (room > 4 + strlen(part) + 2)
		snprintf(d->notes + len, room, "%s%s", len ? "; " : "", part);
	else if (room > 6)
		snprintf(d->notes + len, room, "%s...", len ? "; " : "");
}

/* add_from - name param in d->from, once */
static void
add_from(struct mtahost_domains *d, const char *prog, const char *param)
{
	size_t len = strlen(d->from);
	const char *p = d->from;

	while ((p = strstr(p, param)) != NULL) {
		size_t l = strlen(param);

		if ((p == d->from || p[-1] == ' ') && (p[l] == '\0' || p[l] == ','))
			return;
		p += l;
	}
	snprintf(d->from + len, sizeof(d->from) - len, "%s%s", len ? ", " : prog, param);
}

/* add_name - one name of the MTA's list: kept when it is a fully
 * qualified domain name; param is where it came from */
static void
add_name(struct mtahost_domains *d, const char *prog, const char *param, const char *w,
    size_t len)
{
	char name[DOMAIN_MAX + 1];
	const char *dot;

	if (len == 0)
		return;
	if (len > DOMAIN_MAX + 1 || domain_normalize(w, len, name, NULL) != DOMAIN_OK) {
		note(d, "%.*s in %s: not a domain name", (int)(len > 80 ? 80 : len), w, param);
		return;
	}
	dot = strchr(name, '.');
	if (strcmp(name, "localhost") == 0 || (dot != NULL && dot - name == 9
	    && memcmp(name, "localhost", 9) == 0)) {
		note(d, "%s in %s: this host only", name, param);
		return;
	}
	if (!mtahost_qualified(name, 1)) {
		note(d, "%s in %s: not fully qualified", name, param);
		return;
	}
	if (d->seen == NULL)
		d->seen = strmap_new();
	if (strmap_get(d->seen, name) != NULL)
		return;
	if (d->n >= MTAHOST_DOMAINS_MAX) {
		note(d, "more than %d domains: the others left out", MTAHOST_DOMAINS_MAX);
		return;
	}
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = xstrdup(name);
	strmap_put(d->seen, name, d->v[d->n - 1]);
	add_from(d, prog, param);
}

/* postfix_next - the next entry of a Postfix list: separated by blanks
 * or commas, "{...}" kept together; NULL at the end */
static const char *
postfix_next(const char **pos, const char *end, size_t *len)
{
	const char *p = *pos, *start;
	int depth = 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' || *p == '\n'))
		p++;
	if (p == end) {
		*pos = p;
		return NULL;
	}
	start = p;
	for (; p < end; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		else if (depth == 0 && (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r'
		    || *p == '\n'))
			break;
	}
	*len = (size_t)(p - start);
	*pos = p;
	return start;
}

/* table_type - the length of "type" in an entry "type:name", or 0 */
static size_t
table_type(const char *w, size_t len)
{
	size_t i = 0;

	while (i < len && ((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9')
	    || w[i] == '_' || w[i] == '-'))
		i++;
	return i > 0 && i < len && w[i] == ':' ? i : 0;
}

/* the table types that "postmap -s" lists from a local file or inline */
static const char *const listable[] = { "hash", "btree", "lmdb", "cdb", "dbm", "texthash",
	"inline", NULL };

/* postfix_list - the entries w[0..len) of param; files and tables (one
 * level deep) through rd */
static void
postfix_list(struct mtahost_domains *d, const char *param, const char *w, size_t len,
    const struct mtahost_reader *rd, int depth)
{
	const char *pos = w, *end = w + len, *e;
	size_t elen, tl;

	while ((e = postfix_next(&pos, end, &elen)) != NULL) {
		char name[1024], why[256];
		struct buf b;

		if (e[0] == '#' && depth > 0) {     /* a comment line of a file */
			while (pos < end && *pos != '\n')
				pos++;
			continue;
		}
		if (e[0] == '!') {
			note(d, "%.*s in %s: an exclusion, not read", (int)(elen > 80 ? 80 : elen), e,
			    param);
			continue;
		}
		tl = table_type(e, elen);
		if ((e[0] != '/' && tl == 0) || elen >= sizeof(name)) {
			add_name(d, "postconf ", param, e, elen);
			continue;
		}
		memcpy(name, e, elen);
		name[elen] = '\0';
		if (depth > 0 || rd == NULL) {
			note(d, "%s in %s: not read (a %s in a file)", name, param,
			    tl ? "table" : "file");
			continue;
		}
		if (tl > 0) {
			int ok = 0;

			for (int i = 0; listable[i] != NULL; i++)
				ok |= strlen(listable[i]) == tl && memcmp(listable[i], e, tl) == 0;
			if (!ok) {
				note(d, "%s in %s: not read (a %.*s table cannot be listed)", name, param,
				    (int)tl, e);
				continue;
			}
		}
		buf_init(&b, MTAHOST_LIST_MAX);
		why[0] = '\0';
		if (rd->read(rd->arg, tl ? MTAHOST_TABLE : MTAHOST_FILE, name, &b, why,
		    sizeof(why)) < 0)
			note(d, "%s in %s: not read (%s)", name, param, why);
		else if (tl > 0) {
			/* "key<TAB>value" lines: the keys */
			const char *p = b.data ? b.data : "", *bend = p + b.len;

			while (p < bend) {
				const char *nl = memchr(p, '\n', (size_t)(bend - p));
				size_t l = nl ? (size_t)(nl - p) : (size_t)(bend - p);

				add_name(d, "postconf ", param, p, strcspn(p, " \t\r\n") < l
				    ? strcspn(p, " \t\r\n") : l);
				p += l + (nl != NULL);
			}
		} else
			postfix_list(d, param, b.data ? b.data : "", b.len, rd, depth + 1);
		buf_fini(&b);
	}
}

void
mtahost_postconf_parse(const char *text, size_t len, const char *const *params, size_t n,
    const struct mtahost_reader *rd, struct mtahost_domains *d)
{
	const char *p = text, *end = text + len;

	for (size_t i = 0; i < n && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		postfix_list(d, params[i], p, l, rd, 0);
		p += l + (nl != NULL);
	}
}

/* exim_item - one item of an Exim domain list */
static void
exim_item(struct mtahost_domains *d, const char *list, const char *primary, const char *w,
    size_t len)
{
	const char *why = NULL;

	while (len > 0 && (w[0] == ' ' || w[0] == '\t')) {
		w++;
		len--;
	}
	while (len > 0 && (w[len - 1] == ' ' || w[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;
	if (len == 1 && w[0] == '@') {
		if (primary[0] == '\0')
			note(d, "@ in %s: primary_hostname unknown", list);
		else
			add_name(d, "exim -bP ", list, primary, strlen(primary));
		return;
	}
	if (w[0] == '+') {
		/* the other list read here is not a second source */
		if ((len == 14 && memcmp(w, "+local_domains", 14) == 0)
		    || (len == 17 && memcmp(w, "+relay_to_domains", 17) == 0))
			return;
		why = "another named list";
	} else if (w[0] == '!')
		why = "an exclusion";
	else if (w[0] == '@')
		why = "decided at delivery time";
	else if (w[0] == '^')
		why = "a regular expression";
	else if (memchr(w, '$', len) != NULL)
		why = "an expansion";
	else if (memchr(w, ';', len) != NULL)
		why = "a lookup";
	else if (memchr(w, '*', len) != NULL)
		why = "a wildcard";
	if (why != NULL) {
		note(d, "%.*s in %s: not read (%s)", (int)(len > 80 ? 80 : len), w, list, why);
		return;
	}
	add_name(d, "exim -bP ", list, w, len);
}

/* exim_list - an Exim list: ':' or the "<X" separator between items, a
 * doubled separator standing for itself */
static void
exim_list(struct mtahost_domains *d, const char *list, const char *primary, const char *v,
    size_t len)
{
	char sep = ':', item[1024];
	size_t i = 0, il = 0;

	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i + 1 < len && v[i] == '<' && v[i + 1] != ' ' && v[i + 1] != '\t'
	    && !(v[i + 1] >= 'a' && v[i + 1] <= 'z') && !(v[i + 1] >= 'A' && v[i + 1] <= 'Z')
	    && !(v[i + 1] >= '0' && v[i + 1] <= '9')) {
		sep = v[i + 1];
		i += 2;
	}
	for (; i <= len; i++) {
		if (i == len || v[i] == sep) {
			if (i + 1 < len && v[i] == sep && v[i + 1] == sep) {
				i++;        /* a doubled separator: itself */
			} else {
				exim_item(d, list, primary, item, il);
				il = 0;
				continue;
			}
		}
		if (il < sizeof(item))
			item[il++] = v[i];
	}
}

void
mtahost_exim_parse(const char *text, size_t len, struct mtahost_domains *d)
{
	char primary[DOMAIN_MAX + 1] = "";
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', l);

		if (eq != NULL && eq > p && eq[-1] == ' ') {
			size_t kl = (size_t)(eq - 1 - p), vl = l - (size_t)(eq + 1 - p);
			const char *v = eq + 1;

			if (kl == 16 && memcmp(p, "primary_hostname", 16) == 0) {
				while (vl > 0 && *v == ' ') {
					v++;
					vl--;
				}
				if (vl == 0 || vl > DOMAIN_MAX + 1
				    || domain_normalize(v, vl, primary, NULL) != DOMAIN_OK)
					primary[0] = '\0';
			} else if (kl > 11 && memcmp(p, "domainlist ", 11) == 0) {
				char list[64];

				snprintf(list, sizeof(list), "%.*s", (int)(kl - 11), p + 11);
				exim_list(d, list, primary, v, vl);
			}
		}
		p += l + (nl != NULL);
	}
}

/* table_file - the file "postmap -s" opens for table type:name, or ""
 * for inline tables (a missing file would cost Postfix's fatal pause) */
static void
table_file(const char *table, char *out, size_t outlen)
{
	static const struct { const char *type, *suffix; } files[] = {
		{ "hash:", ".db" }, { "btree:", ".db" }, { "lmdb:", ".lmdb" }, { "cdb:", ".cdb" },
		{ "dbm:", ".pag" }, { "texthash:", "" },
	};

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strncmp(table, files[i].type, strlen(files[i].type)) == 0)
			snprintf(out, outlen, "%s%s", table + strlen(files[i].type), files[i].suffix);
}

/* postfix_read - the reader of the real Postfix: postmap -s next to
 * postconf, files as they are */
static int
postfix_read(void *arg, enum mtahost_kind kind, const char *name, struct buf *out, char *why,
    size_t whylen)
{
	const char *postconf = arg;
	char postmap[4096], file[4096];
	size_t dirlen = (size_t)(strrchr(postconf, '/') - postconf);
	int rc;

	if (kind == MTAHOST_FILE) {
		char err[256], *data;
		size_t len;

		if ((data = file_read(name, out->max, &len, err, sizeof(err))) == NULL) {
			snprintf(why, whylen, "%s", err);
			return -1;
		}
		buf_append(out, data, len);
		free(data);
		return 0;
	}
	table_file(name, file, sizeof(file));
	if (file[0] != '\0' && access(file, R_OK) < 0) {
		snprintf(why, whylen, "%s: %s", file, strerror(errno));
		return -1;
	}
	snprintf(postmap, sizeof(postmap), "%.*s/postmap", (int)dirlen, postconf);
	{
		char *argv[] = { (char *)"postmap", (char *)"-s", (char *)name, NULL };

		rc = run_output(postmap, argv, out);
	}
	if (rc != 0) {
		snprintf(why, whylen, rc < 0 ? "postmap -s could not list it in time or in %u MiB"
		    : "postmap -s failed", MTAHOST_LIST_MAX >> 20);
		return -1;
	}
	return 0;
}

/* ask_postfix - the domains from Postfix's configuration */
static int
ask_postfix(struct mtahost_domains *d)
{
	static const char *const params[] = { "mydestination", "virtual_mailbox_domains",
		"virtual_alias_domains", "relay_domains" };
	struct buf b;

	if (!postfix_configured())
		return -1;
	buf_init(&b, MTAHOST_LIST_MAX);
	for (size_t i = 0; i < NPATHS(postconf_paths); i++) {
		char *argv[] = { (char *)"postconf", (char *)"-x", (char *)"-h", (char *)params[0],
			(char *)params[1], (char *)params[2], (char *)params[3], NULL };
		struct mtahost_reader rd = { postfix_read, (void *)postconf_paths[i] };

		if (run_output(postconf_paths[i], argv, &b) != 0)
			continue;
		mtahost_postconf_parse(b.data ? b.data : "", b.len, params, NPATHS(params), &rd, d);
		buf_fini(&b);
		return 0;
	}
	buf_fini(&b);
	return -1;
}

/* ask_exim - the domains from the configuration of the Exim program at
 * path (its exit status is not looked at: an undefined relay_to_domains
 * makes it fail after printing the others) */
static int
ask_exim(const char *path, struct mtahost_domains *d)
{
	char *argv[] = { (char *)"exim", (char *)"-bP", (char *)"primary_hostname",
		(char *)"+local_domains", (char *)"+relay_to_domains", NULL };
	struct buf b;
	int rc;

	buf_init(&b, MTAHOST_LIST_MAX);
	rc = run_output(path, argv, &b);
	if (rc >= 0 && b.data != NULL && strncmp(b.data, "primary_hostname = ", 19) == 0)
		mtahost_exim_parse(b.data, b.len, d);
	else
		rc = -1;
	buf_fini(&b);
	return rc < 0 ? -1 : 0;
}

size_t
mtahost_domains(const char *exim, struct mtahost_domains *d)
{
	memset(d, 0, sizeof(*d));
	if (exim != NULL && exim[0] != '\0') {
		if (ask_exim(exim, d) < 0)
			note(d, "%s -bP failed", exim);
		return d->n;
	}
	if (ask_postfix(d) == 0)
		return d->n;
	for (size_t i = 0; i < NPATHS(exim_paths); i++)
		if (access(exim_paths[i], X_OK) == 0 && ask_exim(exim_paths[i], d) == 0)
			return d->n;
	note(d, "neither Postfix (a main.cf and postconf) nor Exim (exim_path) found");
	return d->n;
}

void
mtahost_domains_fini(struct mtahost_domains *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	strmap_free(d->seen, NULL);
	memset(d, 0, sizeof(*d));
}
