/* The seccomp filter of the server (server/sandbox.c): each test runs in a
 * child process that installs the very filter mamori serve installs, then
 * tries one thing. What the server never does kills the child with SIGSYS;
 * what it does (threads, SQLite in WAL mode, temp files, client sockets,
 * the resolver, libpq) still works. Each refusal has a control run without
 * the filter, so that the test fails if the filter is not what refuses. */
#include "server/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef MM_TEST_LIBPQ
#include <libpq-fe.h>
#endif

#include <setjmp.h>
#include <cmocka.h>

/* Runs fn in a child (with or without the filter) and returns its wait
 * status. The child makes no core file when it is killed. */
static int run(bool filter, int (*fn)(void))
{
	struct rlimit no_core = { 0, 0 };
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char why[256];

		setrlimit(RLIMIT_CORE, &no_core);
		if (mm_sandbox_enter(filter, why, sizeof(why)) != 0) {
			fprintf(stderr, "%s\n", why);
			_exit(100);
		}
		_exit(fn());
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_killed(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void assert_exit(int status, int code)
{
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), code);
}

/* ---- What the filter refuses ---- */

static int do_exec(void)
{
	char *const argv[] = { "true", NULL };

	execv("/bin/true", argv);
	return 3; /* exec failed without the filter killing */
}

static int do_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}

static int do_packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd >= 0)
		close(fd);
	return 0; /* made or refused by permissions: not the filter */
}

static int do_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 0;
}

static int do_setuid(void)
{
	return setuid(getuid()) == 0 ? 0 : 4;
}

static int do_wx_memory(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p != MAP_FAILED)
		munmap(p, 4096);
	return 0;
}

static int do_bind(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return 5;
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return 0;
}

static void refused(int (*fn)(void), int without)
{
	assert_exit(run(false, fn), without);
	assert_killed(run(true, fn));
}

static void exec_is_killed(void **state)
{
	(void)state;
	refused(do_exec, 0);
}

static void fork_is_killed(void **state)
{
	(void)state;
	refused(do_fork, 0);
}

static void packet_socket_is_killed(void **state)
{
	(void)state;
	refused(do_packet_socket, 0);
}

static void ptrace_is_killed(void **state)
{
	(void)state;
	refused(do_ptrace, 0);
}

static void setuid_is_killed(void **state)
{
	(void)state;
	refused(do_setuid, 0);
}

static void wx_memory_is_killed(void **state)
{
	(void)state;
	refused(do_wx_memory, 0);
}

static void bind_is_killed(void **state)
{
	(void)state;
	refused(do_bind, 0);
}

/* clone3 answers ENOSYS (glibc then uses clone, whose flags are checked). */
static int do_clone3(void)
{
	long r = syscall(SYS_clone3, NULL, 0);

	return r == -1 && errno == ENOSYS ? 0 : 6;
}

static void clone3_answers_enosys(void **state)
{
	(void)state;
	assert_exit(run(true, do_clone3), 0);
}

/* /proc tells that the filter is on and that no privileges can be gained. */
static int do_status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int found = 0;

	if (!f)
		return 7;
	while (fgets(line, sizeof(line), f)) {
		found += strcmp(line, "NoNewPrivs:\t1\n") == 0;
		found += strcmp(line, "Seccomp:\t2\n") == 0;
	}
	fclose(f);
	return found == 2 ? 0 : 8;
}

static void status_shows_the_filter(void **state)
{
	(void)state;
	assert_exit(run(true, do_status), 0);
	assert_exit(run(false, do_status), 8);
}

/* ---- What the server needs still works ---- */

/* A worker that names itself, as libmicrohttpd's do. */
static void *thread_main(void *arg)
{
	*(int *)arg = pthread_setname_np(pthread_self(), "worker") == 0 ? 42 : -1;
	return NULL;
}

static int do_threads(void)
{
	pthread_t t[4];
	int v[4] = { 0 };

	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread_main, &v[i]) != 0)
			return 9;
	for (int i = 0; i < 4; i++)
		if (pthread_join(t[i], NULL) != 0 || v[i] != 42)
			return 10;
	return 0;
}

static void threads_work(void **state)
{
	(void)state;
	assert_exit(run(true, do_threads), 0);
}

static char dir[64];

/* A database in WAL mode written, checkpointed and read by a second
 * connection, as the server's pool does. */
static int do_sqlite(void)
{
	char path[128];
	sqlite3 *a = NULL, *b = NULL;
	sqlite3_stmt *st = NULL;
	int rc, n = -1;

	/* The database has mode 660 (README: the checkpoint signer writes
	 * it; made in setup): under the umask of 027, SQLite gives its -wal
	 * the same mode with fchmod. */
	snprintf(path, sizeof(path), "%s/t.db", dir);
	rc = sqlite3_open(path, &a);
	if (!rc)
		rc = sqlite3_exec(a,
				  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				  "CREATE TABLE t(x); BEGIN; INSERT INTO t VALUES (1), (2); COMMIT;"
				  "PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO t VALUES (3);",
				  NULL, NULL, NULL);
	if (!rc)
		rc = sqlite3_open(path, &b);
	if (!rc)
		rc = sqlite3_prepare_v2(b, "SELECT count(*) FROM t", -1, &st, NULL);
	if (!rc && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(b);
	sqlite3_close(a);
	return rc ? 11 : n == 3 ? 0 : 12;
}

static void sqlite_works(void **state)
{
	(void)state;
	assert_exit(run(true, do_sqlite), 0);
}

/* Export files: a temporary file made, written, read back and removed. */
static int do_temp_file(void)
{
	char path[128], back[6] = "";
	FILE *f = tmpfile();
	int fd;

	if (!f || fputs("hello", f) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !fgets(back, sizeof(back), f) || strcmp(back, "hello") != 0)
		return 13;
	fclose(f);
	snprintf(path, sizeof(path), "%s/export-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, "x", 1) != 1 || fsync(fd) != 0 || ftruncate(fd, 0) != 0)
		return 14;
	close(fd);
	return unlink(path) == 0 ? 0 : 15;
}

static void temp_files_work(void **state)
{
	(void)state;
	assert_exit(run(true, do_temp_file), 0);
}

/* Sockets the server listens on or answers to, made before the filter as
 * the server's own listening socket is. */
static int tcp_listener = -1, udp_peer = -1, unix_listener = -1;
static struct sockaddr_in tcp_addr, udp_addr;
static struct sockaddr_un unix_addr;

/* A TCP connection as libpq and libmicrohttpd make and take them. */
static int tcp_round_trip(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), in, on = 1, err;
	struct pollfd p = { .events = POLLOUT };
	struct sockaddr_storage peer;
	socklen_t len = sizeof(err);
	char c = 0;

	if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0)
		return 20;
	if (connect(fd, (struct sockaddr *)&tcp_addr, sizeof(tcp_addr)) != 0 &&
	    errno != EINPROGRESS)
		return 21;
	p.fd = fd;
	if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err)
		return 22;
	in = accept4(tcp_listener, NULL, NULL, SOCK_CLOEXEC);
	len = sizeof(peer);
	if (in < 0 || getpeername(fd, (struct sockaddr *)&peer, &len) != 0 ||
	    send(fd, "q", 1, MSG_NOSIGNAL) != 1 || recv(in, &c, 1, 0) != 1 || c != 'q')
		return 23;
	close(in);
	close(fd);
	return 0;
}

/* The SNTP client's and the resolver's UDP exchange. */
static int udp_round_trip(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char c = 0;

	int avail = 0;
	struct pollfd p = { .fd = udp_peer, .events = POLLIN };

	if (fd < 0 || connect(fd, (struct sockaddr *)&udp_addr, sizeof(udp_addr)) != 0 ||
	    send(fd, "u", 1, 0) != 1 || poll(&p, 1, 2000) != 1 ||
	    ioctl(udp_peer, FIONREAD, &avail) != 0 || avail != 1 ||
	    recvfrom(udp_peer, &c, 1, 0, NULL, NULL) != 1 || c != 'u')
		return 30;
	close(fd);
	return 0;
}

/* A Unix socket, as libpq reaches a local PostgreSQL. */
static int unix_round_trip(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), in;
	char c = 0;

	if (fd < 0 || connect(fd, (struct sockaddr *)&unix_addr, sizeof(unix_addr)) != 0)
		return 40;
	in = accept4(unix_listener, NULL, NULL, SOCK_CLOEXEC);
	if (in < 0 || write(fd, "s", 1) != 1 || read(in, &c, 1) != 1 || c != 's')
		return 41;
	close(in);
	close(fd);
	return 0;
}

static int do_clients(void)
{
	/* AI_ADDRCONFIG: getaddrinfo's netlink query is refused (not killed)
	 * and it answers all the same. */
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG },
			*res = NULL;
	int rc = tcp_round_trip();

	if (!rc)
		rc = udp_round_trip();
	if (!rc)
		rc = unix_round_trip();
	if (!rc && getaddrinfo("localhost", "5432", &hints, &res) != 0)
		rc = 50;
	freeaddrinfo(res);
	return rc;
}

static void client_sockets_work(void **state)
{
	(void)state;
	assert_exit(run(true, do_clients), 0);
}

#ifdef MM_TEST_LIBPQ
/* libpq to a server that closes at once (the connection fails cleanly)
 * and, when MAMORI_PG_URL names one, to a real PostgreSQL. */
static int do_libpq(void)
{
	char conninfo[128];
	const char *url = getenv("MAMORI_PG_URL");
	PGconn *c;
	PGresult *r;
	int rc = 0;

	snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%u connect_timeout=2",
		 (unsigned)ntohs(tcp_addr.sin_port));
	c = PQconnectdb(conninfo);
	if (PQstatus(c) == CONNECTION_OK)
		rc = 60;
	PQfinish(c);
	if (rc || !url || !*url)
		return rc;
	c = PQconnectdb(url);
	r = PQstatus(c) == CONNECTION_OK ? PQexec(c, "SELECT 1") : NULL;
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = 61;
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* The listener closes each connection libpq makes. */
static void *closer(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(tcp_listener, NULL, NULL);

		if (fd < 0)
			return NULL;
		close(fd);
	}
}

static void libpq_connects(void **state)
{
	pthread_t t;
	int status;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, closer, NULL), 0);
	status = run(true, do_libpq);
	shutdown(tcp_listener, SHUT_RDWR);
	pthread_join(t, NULL);
	assert_exit(status, 0);
}
#endif

static int listen_on(int fd, struct sockaddr *a, socklen_t len, bool stream)
{
	if (fd < 0 || bind(fd, a, len) != 0 || getsockname(fd, a, &len) != 0 ||
	    (stream && listen(fd, 16) != 0))
		return -1;
	return fd;
}

static int setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mamori-sandbox-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	tcp_addr = (struct sockaddr_in){ .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	udp_addr = tcp_addr;
	unix_addr.sun_family = AF_UNIX;
	snprintf(unix_addr.sun_path, sizeof(unix_addr.sun_path), "%s/s", dir);
	tcp_listener = listen_on(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&tcp_addr,
				 sizeof(tcp_addr), true);
	udp_peer = listen_on(socket(AF_INET, SOCK_DGRAM, 0), (struct sockaddr *)&udp_addr,
			     sizeof(udp_addr), false);
	unix_listener = listen_on(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&unix_addr,
				  sizeof(unix_addr), true);
	setenv("TMPDIR", dir, 1);
	umask(027); /* mamori's (cli/main.c) */
	snprintf(path, sizeof(path), "%s/t.db", dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0660));
	if (chmod(path, 0660) != 0)
		return -1;
	return tcp_listener < 0 || udp_peer < 0 || unix_listener < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	DIR *d;
	struct dirent *e;

	(void)state;
	close(tcp_listener);
	close(udp_peer);
	close(unix_listener);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_shows_the_filter),
		cmocka_unit_test(exec_is_killed),
		cmocka_unit_test(fork_is_killed),
		cmocka_unit_test(packet_socket_is_killed),
		cmocka_unit_test(ptrace_is_killed),
		cmocka_unit_test(setuid_is_killed),
		cmocka_unit_test(wx_memory_is_killed),
		cmocka_unit_test(bind_is_killed),
		cmocka_unit_test(clone3_answers_enosys),
		cmocka_unit_test(threads_work),
		cmocka_unit_test(sqlite_works),
		cmocka_unit_test(temp_files_work),
		cmocka_unit_test(client_sockets_work),
#ifdef MM_TEST_LIBPQ
		cmocka_unit_test(libpq_connects),
#endif
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
