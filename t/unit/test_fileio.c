/* Unit tests for tlspolicy/base/fileio: bounded reads, and writes that replace
 * a planted link instead of writing through it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "tap.h"

static char *
slurp(const char *path, size_t *len)
{
	char err[256];

	return file_read(path, 1024, len, err, sizeof(err));
}

int
main(void)
{
	const char *dir = tap_tmpdir();
	char target[512], out[512], err[512];
	struct stat st;
	size_t len;
	char *got;

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(out, sizeof(out), "%s/report.json", dir);

	/* a new file: content and mode */
	is_int(file_write(dir, "report.json", "{}\n", 3, 0640, err, sizeof(err)), 0,
	    "write a new file");
	got = slurp(out, &len);
	is_str(got, "{}\n", "its content");
	free(got);
	is_int(stat(out, &st), 0, "it exists");
	is_int(st.st_mode & 07777, 0640, "mode 0640");

	/* an existing file is replaced whole */
	is_int(file_write(dir, "report.json", "x", 1, 0640, err, sizeof(err)), 0,
	    "replace it");
	got = slurp(out, &len);
	is_str(got, "x", "shorter content, nothing left over");
	free(got);

	/* a symbolic link planted at the name is replaced, not followed */
	{
		FILE *fp = fopen(target, "w");

		fputs("precious\n", fp);
		fclose(fp);
	}
	unlink(out);
	is_int(symlink(target, out), 0, "plant a link at the name");
	is_int(file_write(dir, "report.json", "new", 3, 0640, err, sizeof(err)), 0,
	    "write over the link");
	got = slurp(target, &len);
	is_str(got, "precious\n", "the link's target is untouched");
	free(got);
	is_int(lstat(out, &st), 0, "the name exists");
	ok(S_ISREG(st.st_mode), "and is a regular file now");

	/* a link planted at the temporary name is removed, not followed */
	{
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s/.report.json.%ld.tmp", dir, (long)getpid());
		is_int(symlink(target, tmp), 0, "plant a link at the temporary name");
		is_int(file_write(dir, "report.json", "again", 5, 0640, err, sizeof(err)), 0,
		    "write");
		got = slurp(target, &len);
		is_str(got, "precious\n", "the target is still untouched");
		free(got);
		ok(lstat(tmp, &st) < 0, "no temporary file left");
	}

	/* names that would leave the directory or hide */
	is_int(file_write(dir, "../x", "a", 1, 0640, err, sizeof(err)), -1, "a name with / refused");
	is_int(file_write(dir, ".hidden", "a", 1, 0640, err, sizeof(err)), -1, "a dot name refused");
	is_int(file_write(dir, "", "a", 1, 0640, err, sizeof(err)), -1, "an empty name refused");
	{
		char missing[600];

		snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
		is_int(file_write(missing, "a", "a", 1, 0640, err, sizeof(err)), -1,
		    "a missing directory: error");
		ok(strstr(err, "no-such-dir") != NULL, "naming it: %s", err);
	}
	return tap_done();
}
