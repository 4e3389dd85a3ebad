/*
 * privs - look up the run-as user and drop root privileges for good.
 */
#ifndef TLSPOLICYD_PRIVS_H
#define TLSPOLICYD_PRIVS_H

#include <sys/types.h>

struct privs_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* privs_lookup - find user name; -1 with a reason in err */
int privs_lookup(const char *name, struct privs_user *u, char *err, size_t errlen);
/* privs_group - gid of group name; -1 if there is no such group */
int privs_group(const char *name, gid_t *gid);
/*
 * privs_drop - setgroups/initgroups, setresgid, setresuid, then verify
 * that root cannot be regained.  -1 with a reason in err.
 */
int privs_drop(const struct privs_user *u, char *err, size_t errlen);
/* privs_become - for the tools: when root and name is not empty, look the
 * user up and drop to it; 0, or -1 with a reason in err */
int privs_become(const char *name, char *err, size_t errlen);

#endif
