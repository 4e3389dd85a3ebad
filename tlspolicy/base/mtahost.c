/*
 * mtahost - the MTA's host name, see mtahost.h.
 */
#include "config.h"

#include <errno.h>
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

#include "domain.h"
#include "evloop.h"
#include "mtahost.h"

#define MTAHOST_OUT_MAX 1024
#define MTAHOST_WAIT_MS 5000

extern char **environ;

/* run_first_line - run path with argv, without a shell; its first output
 * line, trimmed, into out; -1 when it cannot run, fails or says nothing */
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

static int
run_first_line(const char *path, char *const argv[], char *out, size_t outlen)
{
	char buf[MTAHOST_OUT_MAX];
	size_t len = 0;
	int fds[2], status, nul;
	int64_t deadline;
	pid_t pid;

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
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		if ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	{
		const char *v = buf, *eq = strchr(buf, '=');

		if (eq != NULL)        /* "primary_hostname = NAME" */
			v = eq + 1;
		v += strspn(v, " \t");
		len = strcspn(v, " \t");
		if (len == 0 || len >= outlen)
			return -1;
		memmove(out, v, len);
		out[len] = '\0';
	}
	return 0;
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

const char *
mtahost_name(char *out, size_t outlen)
{
	static char name[DOMAIN_MAX + 1];
	static const char *how;
	static const char *const postconf[] = { "/usr/sbin/postconf", "/usr/local/sbin/postconf" };
	static const char *const exim[] = { "/usr/sbin/exim4", "/usr/sbin/exim",
		"/usr/local/sbin/exim" };
	char got[DOMAIN_MAX + 1];

	/* postconf without a main.cf fails only after a second's pause
	 * (Postfix's fatal errors sleep): not asked where there is none */
	for (size_t i = 0; how == NULL && postfix_configured() && i < sizeof(postconf) / sizeof(postconf[0]);
	    i++) {
		char *argv[] = { (char *)"postconf", (char *)"-h", (char *)"myhostname", NULL };

		if (run_first_line(postconf[i], argv, got, sizeof(got)) == 0
		    && valid_name(got, name, sizeof(name)))
			how = "Postfix myhostname";
	}
	for (size_t i = 0; how == NULL && i < sizeof(exim) / sizeof(exim[0]); i++) {
		char *argv[] = { (char *)"exim", (char *)"-bP", (char *)"primary_hostname", NULL };

		if (run_first_line(exim[i], argv, got, sizeof(got)) == 0
		    && valid_name(got, name, sizeof(name)))
			how = "Exim primary_hostname";
	}
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
