/* Least privilege for the server: leaving root for a service user once the
 * listening socket and the database are open, and a seccomp filter that
 * allows only the system calls serving needs. */
#ifndef MM_SERVER_SANDBOX_H
#define MM_SERVER_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct mm_sandbox_user {
	const char *name; /* the service user; NULL: none named */
	bool allow_root;  /* serve as root when started as root with no user */
	const char *file; /* the SQLite database the user must write, or NULL */
};

/* What mm_sandbox_drop did or why it refused. */
enum mm_sandbox_drop_result {
	MM_SANDBOX_DROPPED = 0, /* switched from root to the user */
	MM_SANDBOX_AS_IS,	/* not root, and already the user named (or none) */
	MM_SANDBOX_AS_ROOT,	/* root kept: allow_root and no user */
	MM_SANDBOX_REFUSED,	/* root with no user, and not allowed */
	MM_SANDBOX_FAILED,	/* no such user, a call failed, or the file is not writable */
};

/* Switches the whole process from root to u->name: its groups from the
 * group database (initgroups), then gid and uid (real, effective and
 * saved), then checks that neither can be set back to 0 and, when u->file
 * is given, that the user can write the database, its directory and its
 * -wal and -shm files. Not root: u->name, when given, must be the current
 * user. Call before any thread serves. why holds the reason of a refusal
 * or failure. */
enum mm_sandbox_drop_result mm_sandbox_drop(const struct mm_sandbox_user *u, char *why,
					    size_t whylen);

/* Sets no_new_privs and, when filter is true, installs the seccomp filter
 * on every thread of the process (later threads inherit it). A system call
 * outside the filter kills the process (SIGSYS), except two that
 * libraries try and handle failing (clone3 and netlink sockets, see
 * sandbox.c). Returns 0, or -1 with
 * why filled. */
int mm_sandbox_enter(bool filter, char *why, size_t whylen);

#endif
