/* An LD_PRELOAD shim for the I/O failure tests: while the file named by
 * IOFAIL_CONTROL exists, every write, sync, truncate or allocation on a file
 * under the directory IOFAIL_DIR fails, as a full or broken disk would. The
 * control file's first line picks the error: "EIO", or ENOSPC otherwise.
 * IOFAIL_OPS=sync limits the failures to fsync and fdatasync (the data is
 * written but never known to be durable). Reads are never touched.
 *
 * A test library only: built by meson for tests/crash, never installed. */
/* The plain and the 64-bit calls are distinct symbols only without this. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static bool only_sync(void)
{
	const char *ops = getenv("IOFAIL_OPS");

	return ops && strcmp(ops, "sync") == 0;
}

/* Whether a call on fd must fail now; sets errno when it must. */
static bool failing(int fd, bool is_sync)
{
	const char *dir = getenv("IOFAIL_DIR");
	const char *control = getenv("IOFAIL_CONTROL");
	char link[64], path[4096], how[16] = "";
	int saved = errno;
	ssize_t n;
	size_t dlen;
	FILE *f;

	if (!dir || !control || fd < 0 || (!is_sync && only_sync()))
		return false;
	if (access(control, F_OK) != 0) {
		errno = saved;
		return false;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	errno = saved;
	if (n < 0)
		return false;
	path[n] = '\0';
	dlen = strlen(dir);
	if (strncmp(path, dir, dlen) != 0 || (path[dlen] != '/' && path[dlen] != '\0'))
		return false;
	f = fopen(control, "r");
	if (f) {
		if (!fgets(how, sizeof(how), f))
			how[0] = '\0';
		fclose(f);
	}
	errno = strncmp(how, "EIO", 3) == 0 ? EIO : ENOSPC;
	return true;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t count)
{
	if (failing(fd, false))
		return -1;
	return REAL(write)(fd, buf, count);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	if (failing(fd, false))
		return -1;
	return REAL(writev)(fd, iov, iovcnt);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	if (failing(fd, false))
		return -1;
	return REAL(pwrite)(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
	if (failing(fd, false))
		return -1;
	return REAL(pwrite64)(fd, buf, count, offset);
}

ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset)
{
	if (failing(fd, false))
		return -1;
	return REAL(pwritev)(fd, iov, iovcnt, offset);
}

int fsync(int fd)
{
	if (failing(fd, true))
		return -1;
	return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
	if (failing(fd, true))
		return -1;
	return REAL(fdatasync)(fd);
}

int ftruncate(int fd, off_t length)
{
	if (failing(fd, false))
		return -1;
	return REAL(ftruncate)(fd, length);
}

int ftruncate64(int fd, off64_t length)
{
	if (failing(fd, false))
		return -1;
	return REAL(ftruncate64)(fd, length);
}

int fallocate(int fd, int mode, off_t offset, off_t len)
{
	if (failing(fd, false))
		return -1;
	return REAL(fallocate)(fd, mode, offset, len);
}

int posix_fallocate(int fd, off_t offset, off_t len)
{
	if (failing(fd, false))
		return errno;
	return REAL(posix_fallocate)(fd, offset, len);
}
