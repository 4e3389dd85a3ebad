/*
 * privs - privilege drop, see privs.h.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

int
privs_lookup(const char *name, struct privs_user *u, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		snprintf(err, errlen, "unknown user \"%.60s\"%s%s (create it, e.g. "
		    "\"adduser --system --group %.60s\", or set user = to another account)",
		    name, errno ? ": " : "", errno ? strerror(errno) : "", name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "user \"%.60s\" has uid 0; choose an unprivileged account",
		    name);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", name);
	return 0;
}

int
privs_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);

	if (gr == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

int
privs_drop(const struct privs_user *u, char *err, size_t errlen)
{
	uid_t r, e, s;

	if (initgroups(u->name, u->gid) < 0 && setgroups(1, &u->gid) < 0) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0) {
		snprintf(err, errlen, "setresgid: %s", strerror(errno));
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid) < 0) {
		snprintf(err, errlen, "setresuid: %s", strerror(errno));
		return -1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != u->uid || e != u->uid || s != u->uid
	    || setuid(0) == 0 || (u->gid != 0 && setgid(0) == 0)) {
		snprintf(err, errlen, "privileges were not dropped");
		return -1;
	}
	return 0;
}

int
privs_become(const char *name, char *err, size_t errlen)
{
	struct privs_user u;

	if (geteuid() != 0 || name[0] == '\0')
		return 0;
	if (privs_lookup(name, &u, err, errlen) < 0 || privs_drop(&u, err, errlen) < 0)
		return -1;
	return 0;
}
