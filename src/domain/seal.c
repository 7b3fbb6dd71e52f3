/* Sealing small secrets with libsodium's secretbox under a key file. */
#include "domain/seal.h"

#include "core/err.h"
#include "domain/password.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "s1:"

enum { PREFIX_LEN = sizeof(PREFIX) - 1, SEAL_MAX = 64 * 1024 };

/* The key, in sodium_malloc'd memory that is read-only once loaded. */
static unsigned char *key;

int mm_seal_key_path(const char *db_path, char *out, size_t n)
{
	int w = snprintf(out, n, "%s.key", db_path);

	return w < 0 || (size_t)w >= n ? MM_ETOOBIG : MM_OK;
}

/* Makes a new key file at path with random bytes; EEXIST is not an error
 * (someone else made it first). */
static int create_key(const char *path)
{
	unsigned char *fresh;
	int fd, rc = MM_EIO;

	fresh = sodium_malloc(MM_SEAL_KEY_BYTES);
	if (!fresh)
		return MM_ENOMEM;
	randombytes_buf(fresh, MM_SEAL_KEY_BYTES);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = errno == EEXIST ? MM_OK : MM_EIO;
		goto out;
	}
	if (fchmod(fd, 0600) == 0 && write(fd, fresh, MM_SEAL_KEY_BYTES) == MM_SEAL_KEY_BYTES &&
	    fsync(fd) == 0)
		rc = MM_OK;
	if (close(fd) != 0)
		rc = MM_EIO;
	if (rc)
		unlink(path);
out:
	sodium_free(fresh);
	return rc;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return MM_EIO;
		got += (size_t)r;
	}
	return MM_OK;
}

int mm_seal_open_key(const char *path, bool create)
{
	unsigned char *k = NULL;
	struct stat st;
	int fd = -1, rc;

	if (!mm_sodium_ready())
		return MM_EIO;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		rc = create_key(path);
		if (rc)
			goto out;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		rc = errno == ENOENT ? MM_ENOTFOUND : MM_EIO;
		goto out;
	}
	rc = MM_EIO;
	if (fstat(fd, &st) != 0)
		goto out;
	rc = MM_EPERM;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077))
		goto out;
	rc = MM_EINVAL;
	if (st.st_size != MM_SEAL_KEY_BYTES)
		goto out;
	rc = MM_ENOMEM;
	k = sodium_malloc(MM_SEAL_KEY_BYTES);
	if (!k)
		goto out;
	rc = read_all(fd, k, MM_SEAL_KEY_BYTES);
	if (rc)
		goto out;
	sodium_mprotect_readonly(k);
	mm_seal_close_key();
	key = k;
	k = NULL;
out:
	if (k)
		sodium_free(k);
	if (fd >= 0)
		close(fd);
	return rc;
}

void mm_seal_close_key(void)
{
	if (!key)
		return;
	sodium_mprotect_readwrite(key);
	sodium_free(key);
	key = NULL;
}

bool mm_seal_ready(void)
{
	return key != NULL;
}

int mm_seal(const char *plain, size_t n, struct mm_buf *out)
{
	size_t clen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *box = NULL;
	size_t tlen;
	int rc = MM_EIO;

	if (!key)
		return MM_EIO;
	if (n > SEAL_MAX)
		return MM_ETOOBIG;
	box = malloc(clen);
	rc = MM_ENOMEM;
	if (!box)
		goto out;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
			      box, key);
	tlen = sodium_base64_encoded_len(clen, sodium_base64_VARIANT_ORIGINAL);
	mm_buf_adds(out, PREFIX);
	mm_buf_reserve(out, tlen);
	if (out->err)
		goto out;
	sodium_bin2base64(out->data + out->len, tlen, box, clen, sodium_base64_VARIANT_ORIGINAL);
	out->len += tlen - 1;
	rc = MM_OK;
out:
	free(box);
	return rc;
}

int mm_unseal(const char *text, struct mm_buf *out)
{
	size_t tlen, blen, plen;
	unsigned char *box = NULL;
	int rc = MM_EIO;

	if (!key)
		return MM_EIO;
	if (!text || strncmp(text, PREFIX, PREFIX_LEN) != 0)
		return MM_EINVAL;
	text += PREFIX_LEN;
	tlen = strlen(text);
	if (tlen > SEAL_MAX * 2)
		return MM_EINVAL;
	rc = MM_ENOMEM;
	box = malloc(tlen);
	if (!box)
		goto out;
	rc = MM_EINVAL;
	if (sodium_base642bin(box, tlen, text, tlen, NULL, &blen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		goto out;
	if (blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		goto out;
	plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	mm_buf_reserve(out, plen);
	rc = out->err ? out->err : MM_EINVAL;
	if (out->err)
		goto out;
	if (crypto_secretbox_open_easy((unsigned char *)out->data + out->len,
				       box + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, box, key) != 0)
		goto out;
	out->len += plen;
	out->data[out->len] = '\0';
	rc = MM_OK;
out:
	free(box);
	return rc;
}
