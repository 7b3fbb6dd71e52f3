/* Least privilege (sandbox.h): the switch from root to the service user and
 * the seccomp filter of the serving process. */
#include "server/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Checks that the (now unprivileged) process can write the SQLite file, its
 * directory (SQLite creates -wal, -shm and -journal files there) and the
 * -wal and -shm files when they exist. A database made by root (mamori init
 * run with sudo) fails here rather than on the first write. */
static int check_file(const char *file, const char *user, char *why, size_t whylen)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[4096], *slash;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", file, suffixes[i]) >= sizeof(path))
			goto long_path;
		if (access(path, R_OK | W_OK) != 0 && (i == 0 || errno != ENOENT)) {
			snprintf(why, whylen,
				 "user %s cannot write %s (%s); run 'chown %s: %s*' and 'mamori "
				 "init' as that user",
				 user, path, strerror(errno), user, file);
			return -1;
		}
	}
	if ((size_t)snprintf(path, sizeof(path), "%s", file) >= sizeof(path))
		goto long_path;
	slash = strrchr(path, '/');
	if (slash == path)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(path, sizeof(path), ".");
	if (access(path, W_OK | X_OK) != 0) {
		snprintf(why, whylen, "user %s cannot create files in %s (%s)", user, path,
			 strerror(errno));
		return -1;
	}
	return 0;
long_path:
	snprintf(why, whylen, "database path too long");
	return -1;
}

/* Switches groups, gid and uid to pw's, then proves the way back is shut. */
static int switch_to(const struct passwd *pw, char *why, size_t whylen)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	/* Groups first and the uid last: each step needs root. */
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		snprintf(why, whylen, "cannot switch to user %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != pw->pw_uid ||
	    e != pw->pw_uid || s != pw->pw_uid || rg != pw->pw_gid || eg != pw->pw_gid ||
	    sg != pw->pw_gid || setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    setegid(0) != -1) {
		snprintf(why, whylen, "switched to user %s but root could be regained",
			 pw->pw_name);
		return -1;
	}
	return 0;
}

enum mm_sandbox_drop_result mm_sandbox_drop(const struct mm_sandbox_user *u, char *why,
					    size_t whylen)
{
	const struct passwd *pw = NULL;

	why[0] = '\0';
	if (u->name) {
		errno = 0;
		pw = getpwnam(u->name);
		if (!pw) {
			snprintf(why, whylen, "no such user: %s", u->name);
			return MM_SANDBOX_FAILED;
		}
		if (pw->pw_uid == 0) {
			snprintf(why, whylen, "user %s is root; name an unprivileged user",
				 u->name);
			return MM_SANDBOX_FAILED;
		}
	}
	if (geteuid() != 0 && getuid() != 0) {
		if (pw && pw->pw_uid != geteuid()) {
			snprintf(why, whylen, "cannot switch to user %s: not started as root",
				 u->name);
			return MM_SANDBOX_FAILED;
		}
		return MM_SANDBOX_AS_IS;
	}
	if (!pw)
		return u->allow_root ? MM_SANDBOX_AS_ROOT : MM_SANDBOX_REFUSED;
	if (switch_to(pw, why, whylen) != 0)
		return MM_SANDBOX_FAILED;
	if (u->file && check_file(u->file, u->name, why, whylen) != 0)
		return MM_SANDBOX_FAILED;
	return MM_SANDBOX_DROPPED;
}

int mm_sandbox_enter(bool filter, char *why, size_t whylen)
{
	(void)filter;
	/* Neither setuid programs nor file capabilities can raise the process
	 * or its children again; the seccomp filter needs it unprivileged. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(why, whylen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
