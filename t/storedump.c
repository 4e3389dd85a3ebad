/*
 * storedump - print one database of a store the way "db5.3_dump -p"
 * prints its records, borrowing the store as tlspolicyctl does (a running
 * daemon lends it), so that tests read what the owner has committed, not
 * what happens to be on disk.
 *
 *   storedump STATE_DIR CONTROL_SOCKET|- NAME.db
 *
 * Run as root, it first becomes the owner of STATE_DIR.
 *
 * Each record is two lines, " key" and " value" (the value without the
 * store's version byte); printable bytes stand as they are, a backslash
 * as "\\", any other byte as "\xx" in hex.
 */
#include "config.h"

#include <ctype.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "endpoint.h"
#include "store.h"
#include "storelend.h"

static const char *const names[STORE_DB_COUNT] = {
	"meta.db", "policy.db", "decision.db", "result.db", "report.db", "dane.db",
	"source.db", "incoming.db",
};

static void
line(const struct buf *b)
{
	putchar(' ');
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (isprint(c))
			putchar(c);
		else
			printf("\\%02x", c);
	}
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct endpoint ep, *control = NULL;
	struct store_cursor *c;
	struct store *st;
	struct buf key, val;
	const char *why;
	char err[1024];
	int db = -1, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: storedump STATE_DIR CONTROL_SOCKET|- NAME.db\n");
		return 2;
	}
	for (int i = 0; i < STORE_DB_COUNT; i++)
		if (strcmp(argv[3], names[i]) == 0)
			db = i;
	if (db < 0) {
		fprintf(stderr, "storedump: no database %s\n", argv[3]);
		return 2;
	}
	/* as the owner of the state directory, as tlspolicyctl becomes the
	 * run-as user: no file of the store may end up root's */
	if (geteuid() == 0) {
		struct stat sb;

		if (stat(argv[1], &sb) < 0 || setgroups(0, NULL) < 0 || setgid(sb.st_gid) < 0
		    || setuid(sb.st_uid) < 0) {
			perror("storedump: become the store's owner");
			return 1;
		}
	}
	if (strcmp(argv[2], "-") != 0) {
		if (endpoint_parse(argv[2], &ep, &why) < 0) {
			fprintf(stderr, "storedump: %s: %s\n", argv[2], why);
			return 2;
		}
		control = &ep;
	}
	if ((st = store_borrow_open(argv[1], control, STORE_LEND_WAIT_MS, err, sizeof(err)))
	    == NULL) {
		fprintf(stderr, "storedump: %s\n", err);
		return 1;
	}
	if ((c = store_cursor_open(st, (enum store_db)db)) == NULL) {
		fprintf(stderr, "storedump: %s\n", store_strerror(st));
		store_close(st);
		return 1;
	}
	buf_init(&key, 1 << 20);
	buf_init(&val, 1 << 20);
	while ((rc = store_cursor_next(c, &key, &val)) == 0) {
		line(&key);
		line(&val);
	}
	if (rc < 0)
		fprintf(stderr, "storedump: %s\n", store_strerror(st));
	store_cursor_close(c);
	store_close(st);
	buf_fini(&key);
	buf_fini(&val);
	return rc < 0 ? 1 : 0;
}
