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
#include <sys/ioctl.h>
#include <sys/mman.h>
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
				 "user %s cannot write %s (%s); give it the database files: "
				 "chown %s: %s*",
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

/* Switches groups, gid and uid to those of user (uid, gid), then proves the
 * way back is shut. */
static int switch_to(const char *user, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	/* Groups first and the uid last: each step needs root. */
	if (initgroups(user, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		snprintf(why, whylen, "cannot switch to user %s: %s", user, strerror(errno));
		return -1;
	}
	if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != uid || e != uid ||
	    s != uid || rg != gid || eg != gid || sg != gid || setuid(0) != -1 ||
	    seteuid(0) != -1 || setgid(0) != -1 || setegid(0) != -1) {
		snprintf(why, whylen, "switched to user %s but root could be regained", user);
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
	/* (pw points into getpwnam's static storage: copied first.) */
	if (switch_to(u->name, pw->pw_uid, pw->pw_gid, why, whylen) != 0)
		return MM_SANDBOX_FAILED;
	if (u->file && check_file(u->file, u->name, why, whylen) != 0)
		return MM_SANDBOX_FAILED;
	return MM_SANDBOX_DROPPED;
}

/* The system calls the serving process makes once it is sandboxed: found by
 * running the API tests (TLS, the clock check, exports and imports among
 * them) with the server under strace -f, and the filter's test program
 * (libpq, the resolver) likewise; docs/analysis.md tells how to do it
 * again. The rules that look at arguments are in add_checked_rules. */
static const int allowed[] = {
	/* Memory: malloc and thread stacks (mmap and mprotect: below). */
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	/* Threads: libmicrohttpd's pool and the clock watch start after the
	 * filter (clone: below); the futexes of locks and joins. */
	SCMP_SYS(futex),
	/* A spinning lock gives way (the sanitizers' allocator under
	 * contention: without it the ASan server died of SIGSYS now and then). */
	SCMP_SYS(sched_yield),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(getpid),
	/* Signals: the main thread waits for SIGINT or SIGTERM. */
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(restart_syscall),
	/* Time: the vDSO answers most reads, and falls back to these on clock
	 * sources it cannot read; the clock watch sleeps; adjtimex and
	 * clock_adjtime read the kernel's synchronisation state (7.7; setting
	 * the clock needs CAP_SYS_TIME, which the service user lacks). */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(adjtimex),
	SCMP_SYS(clock_adjtime),
	/* Files: SQLite's database, -wal, -shm and temporary files (positioned
	 * reads and writes, fcntl locks, syncs, truncation, removal), export
	 * files, /etc files of the resolver and of libpq. access, getcwd and
	 * readlink: SQLite checks for journals and resolves relative or
	 * symlinked database paths when the pool opens a connection. fchown
	 * and fchmod: SQLite gives a new -wal the owner (as root) and mode of
	 * the database (mode 660 for the checkpoint signer, README).
	 * getdents64: libpq's GSSAPI reads its mechanism directory. */
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(openat),
	SCMP_SYS(close),
	SCMP_SYS(newfstatat),
	SCMP_SYS(lseek),
	SCMP_SYS(fcntl),
	SCMP_SYS(fsync),
	SCMP_SYS(fdatasync),
	SCMP_SYS(ftruncate),
	SCMP_SYS(unlink),
	SCMP_SYS(access),
	SCMP_SYS(getcwd),
	SCMP_SYS(readlink),
	SCMP_SYS(fchown),
	SCMP_SYS(fchmod),
	SCMP_SYS(getdents64),
	/* Sockets: libmicrohttpd accepts, reads, answers and polls; the SNTP
	 * client, the resolver (DNS over UDP with sendmmsg, TCP with writev)
	 * and libpq (PostgreSQL over TCP or a Unix socket, at any time as the
	 * pool grows) connect out. bind and listen are not here: the listening
	 * socket exists before the filter. */
	SCMP_SYS(accept4),
	SCMP_SYS(connect),
	SCMP_SYS(shutdown),
	SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	SCMP_SYS(sendto),
	SCMP_SYS(recvfrom),
	SCMP_SYS(sendmsg),
	SCMP_SYS(sendmmsg),
	SCMP_SYS(poll),
	SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_wait),
	/* Process: identity (SQLite, libpq's .pgpass check), randomness
	 * (libsodium, GnuTLS, SQLite), uname (the resolver, libpq). */
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	SCMP_SYS(getrandom),
	SCMP_SYS(uname),
#if defined(__SANITIZE_ADDRESS__)
	/* The AddressSanitizer build (make check runs the API tests on it):
	 * its runtime gives each new thread a signal stack, asks its id and
	 * reads its stack's bounds (pthread_getattr_np). */
	SCMP_SYS(sigaltstack),
	SCMP_SYS(gettid),
	SCMP_SYS(sched_getaffinity),
#endif
};

/* The rules that look at arguments. Each returns 0 or a negative errno. */
static int add_checked_rules(scmp_filter_ctx f)
{
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6 };
	static const int prot[] = { PROT_WRITE, PROT_EXEC };
	int rc;

	/* Threads, never a new process: fork and posix_spawn pass no
	 * CLONE_THREAD. clone3 hides its flags in memory that a filter cannot
	 * read, so it answers ENOSYS and glibc falls back to clone. */
	rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* Memory writable or executable, never both (what systemd's
	 * MemoryDenyWriteExecute asks): no code can be written, then run. */
	for (size_t i = 0; !rc && i < sizeof(prot) / sizeof(*prot); i++) {
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, (scmp_datum_t)prot[i], 0));
		if (!rc)
			rc = seccomp_rule_add(
				f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, (scmp_datum_t)prot[i], 0));
	}
	/* Sockets of these families only: no raw packets, no other protocols.
	 * getaddrinfo's netlink query of the local addresses (it would bind)
	 * is answered EAFNOSUPPORT; glibc then assumes both IPv4 and IPv6. */
	for (size_t i = 0; !rc && i < sizeof(families) / sizeof(*families); i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]));
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	/* abort() signals its own process only. */
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	/* libmicrohttpd names its threads. */
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	/* The resolver asks how long a UDP answer is (FIONREAD). */
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	return rc;
}

/* Builds the filter and loads it on every thread. */
static int load_filter(char *why, size_t whylen)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = f ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < sizeof(allowed) / sizeof(*allowed); i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, allowed[i], 0);
	if (!rc)
		rc = add_checked_rules(f);
	/* Threads that exist already get the filter too. */
	if (!rc)
		rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!rc)
		rc = seccomp_load(f);
	if (rc)
		snprintf(why, whylen, "cannot install the seccomp filter: %s", strerror(-rc));
	seccomp_release(f);
	return rc ? -1 : 0;
}

int mm_sandbox_enter(bool filter, char *why, size_t whylen)
{
	/* Neither setuid programs nor file capabilities can raise the process
	 * or its children again; the seccomp filter needs it unprivileged. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(why, whylen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return filter ? load_filter(why, whylen) : 0;
}
