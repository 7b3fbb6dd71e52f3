/* Checkpoint notes and their keys (checkpoint.h). */
#include "domain/checkpoint.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KEY_FILE_MAX = 1024, B64_MAX = 128 };

static const char sig_dash[] = "\xe2\x80\x94 "; /* U+2014 EM DASH, space */

bool mm_ckpt_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= MM_CKPT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '+')
			return false;
	return true;
}

static uint32_t key_id(const char *name, const uint8_t pk[32])
{
	uint8_t in[MM_CKPT_NAME_MAX + 2 + 32], h[MM_HASH_LEN];
	size_t n = strlen(name);

	memcpy(in, name, n);
	in[n] = 0x0a;
	in[n + 1] = 0x01;
	memcpy(in + n + 2, pk, 32);
	mm_sha256(in, n + 2 + 32, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static void add_b64(struct mm_buf *b, const uint8_t *p, size_t n)
{
	char out[B64_MAX];

	sodium_bin2base64(out, sizeof(out), p, n, sodium_base64_VARIANT_ORIGINAL);
	mm_buf_adds(b, out);
}

/* Decodes exactly n bytes of base64 from s (len bytes). */
static bool get_b64(const char *s, size_t len, uint8_t *out, size_t n)
{
	size_t got = 0;
	const char *end;

	if (sodium_base642bin(out, n, s, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) ||
	    got != n || end != s + len)
		return false;
	return true;
}

static void add_key(struct mm_buf *b, const char *prefix, const char *name, uint32_t id,
		    const uint8_t *key)
{
	uint8_t typed[33];

	typed[0] = 0x01;
	memcpy(typed + 1, key, 32);
	mm_buf_printf(b, "%s%s+%08x+", prefix, name, id);
	add_b64(b, typed, sizeof(typed));
	mm_buf_addc(b, '\n');
	sodium_memzero(typed, sizeof(typed));
}

int mm_ckpt_keygen(const char *name, struct mm_buf *skey, struct mm_buf *vkey)
{
	uint8_t pk[32], sk[64];
	uint32_t id;

	if (!mm_ckpt_name_ok(name))
		return MM_EINVAL;
	if (sodium_init() < 0)
		return MM_EIO;
	crypto_sign_keypair(pk, sk);
	id = key_id(name, pk);
	add_key(skey, "PRIVATE+KEY+", name, id, sk); /* the seed: sk's first half */
	add_key(vkey, "", name, id, pk);
	sodium_memzero(sk, sizeof(sk));
	return skey->err ? skey->err : vkey->err;
}

/* Splits "name+idhex+base64" (names have no '+'; base64 may) and checks
 * the parts. */
static int parse_key(struct mm_slice s, char name[MM_CKPT_NAME_MAX], uint32_t *id, uint8_t key[32])
{
	const char *p1 = memchr(s.ptr, '+', s.len), *b;
	uint8_t typed[33];
	char hex[9];
	size_t n;
	bool ok;

	if (!p1 || (n = (size_t)(p1 - s.ptr)) >= MM_CKPT_NAME_MAX || s.len < n + 11 || p1[9] != '+')
		return MM_EINVAL;
	memcpy(name, s.ptr, n);
	name[n] = '\0';
	memcpy(hex, p1 + 1, 8);
	hex[8] = '\0';
	b = p1 + 10;
	ok = mm_ckpt_name_ok(name) && strspn(hex, "0123456789abcdef") == 8 &&
	     sscanf(hex, "%8x", id) == 1 &&
	     get_b64(b, s.len - (size_t)(b - s.ptr), typed, sizeof(typed)) && typed[0] == 0x01;
	if (ok)
		memcpy(key, typed + 1, 32);
	sodium_memzero(typed, sizeof(typed));
	return ok ? MM_OK : MM_EINVAL;
}

/* Reads a small key file; private ones must be the owner's alone. */
static int read_key_file(const char *path, bool private_key, char *buf, size_t cap)
{
	struct stat sb;
	ssize_t got;
	size_t n = 0;
	int fd, rc = MM_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? MM_ENOTFOUND : errno == ELOOP ? MM_EPERM : MM_EIO;
	if (fstat(fd, &sb) != 0)
		rc = MM_EIO;
	else if (!S_ISREG(sb.st_mode) || (private_key && (sb.st_mode & 077)))
		rc = MM_EPERM;
	while (!rc && n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) != 0) {
		if (got < 0) {
			if (errno != EINTR)
				rc = MM_EIO;
			continue;
		}
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	if (!rc && n + 1 >= cap)
		rc = MM_EINVAL;
	return rc;
}

int mm_ckpt_skey_load(const char *path, struct mm_ckpt_skey *out)
{
	static const char prefix[] = "PRIVATE+KEY+";
	char buf[KEY_FILE_MAX];
	struct mm_slice s;
	uint8_t seed[32];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_key_file(path, true, buf, sizeof(buf));
	s = mm_slice_trim(mm_slice_cstr(buf));
	if (!rc && (s.len < sizeof(prefix) || memcmp(s.ptr, prefix, sizeof(prefix) - 1) != 0))
		rc = MM_EINVAL;
	if (!rc) {
		s.ptr += sizeof(prefix) - 1;
		s.len -= sizeof(prefix) - 1;
		rc = parse_key(s, out->v.name, &out->v.id, seed);
	}
	if (!rc && sodium_init() < 0)
		rc = MM_EIO;
	if (!rc) {
		crypto_sign_seed_keypair(out->v.pk, out->sk, seed);
		if (key_id(out->v.name, out->v.pk) != out->v.id)
			rc = MM_EINVAL;
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(buf, sizeof(buf));
	if (rc)
		mm_ckpt_skey_wipe(out);
	return rc;
}

void mm_ckpt_skey_wipe(struct mm_ckpt_skey *k)
{
	sodium_memzero(k, sizeof(*k));
}

int mm_ckpt_vkey_parse(const char *text, struct mm_ckpt_vkey *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_key(mm_slice_trim(mm_slice_cstr(text)), out->name, &out->id, out->pk);
	if (!rc && key_id(out->name, out->pk) != out->id)
		rc = MM_EINVAL;
	return rc;
}

int mm_ckpt_vkey_load(const char *path, struct mm_ckpt_vkey *out)
{
	char buf[KEY_FILE_MAX];
	int rc = read_key_file(path, false, buf, sizeof(buf));

	return rc ? rc : mm_ckpt_vkey_parse(buf, out);
}

int mm_ckpt_note_sign(const struct mm_ckpt_skey *k, int64_t size, const uint8_t root[MM_HASH_LEN],
		      int64_t at, const char *clock, struct mm_buf *out)
{
	uint8_t sig[4 + crypto_sign_BYTES];
	char iso[21];

	if (size < 0 || !clock || strchr(clock, '\n') || !*clock)
		return MM_EINVAL;
	mm_time_iso(at, iso);
	mm_buf_reset(out);
	mm_buf_printf(out, "%s\n%lld\n", k->v.name, (long long)size);
	add_b64(out, root, MM_HASH_LEN);
	mm_buf_printf(out, "\ntime %s\n%s\n", iso, clock);
	if (out->err)
		return out->err;
	sig[0] = (uint8_t)(k->v.id >> 24);
	sig[1] = (uint8_t)(k->v.id >> 16);
	sig[2] = (uint8_t)(k->v.id >> 8);
	sig[3] = (uint8_t)k->v.id;
	crypto_sign_detached(sig + 4, NULL, (const unsigned char *)out->data, out->len, k->sk);
	mm_buf_printf(out, "\n%s%s ", sig_dash, k->v.name);
	add_b64(out, sig, sizeof(sig));
	mm_buf_addc(out, '\n');
	return out->err;
}

/* Parses the checkpoint body (its lines each end in '\n'). */
static int parse_body(const struct mm_ckpt_vkey *k, struct mm_slice body, int64_t *size,
		      uint8_t root[MM_HASH_LEN])
{
	struct mm_slice line[3];
	const char *p = body.ptr, *end = body.ptr + body.len;

	for (int i = 0; i < 3; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return MM_EINVAL;
		line[i].ptr = p;
		line[i].len = (size_t)(nl - p);
		p = nl + 1;
	}
	if (!mm_slice_eqs(line[0], k->name))
		return MM_EINVAL;
	if (line[1].len == 0 || line[1].len > 18 || (line[1].ptr[0] == '0' && line[1].len > 1))
		return MM_EINVAL;
	*size = 0;
	for (size_t i = 0; i < line[1].len; i++) {
		if (line[1].ptr[i] < '0' || line[1].ptr[i] > '9')
			return MM_EINVAL;
		*size = *size * 10 + (line[1].ptr[i] - '0');
	}
	if (!get_b64(line[2].ptr, line[2].len, root, MM_HASH_LEN))
		return MM_EINVAL;
	/* Extension lines: non-empty. */
	while (p < end) {
		if (*p == '\n')
			return MM_EINVAL;
		p = memchr(p, '\n', (size_t)(end - p));
		p++;
	}
	return MM_OK;
}

/* True when the signature line (without its newline) is the key's and
 * verifies over body. */
static bool sig_ok(const struct mm_ckpt_vkey *k, struct mm_slice body, struct mm_slice line)
{
	size_t dash = sizeof(sig_dash) - 1, nlen = strlen(k->name);
	uint8_t sig[4 + crypto_sign_BYTES];
	const char *b;
	uint32_t id;

	if (line.len < dash + nlen + 1 || memcmp(line.ptr, sig_dash, dash) != 0 ||
	    memcmp(line.ptr + dash, k->name, nlen) != 0 || line.ptr[dash + nlen] != ' ')
		return false;
	b = line.ptr + dash + nlen + 1;
	if (!get_b64(b, line.len - (size_t)(b - line.ptr), sig, sizeof(sig)))
		return false;
	id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
	if (id != k->id)
		return false;
	return crypto_sign_verify_detached(sig + 4, (const unsigned char *)body.ptr, body.len,
					   k->pk) == 0;
}

int mm_ckpt_note_open(const struct mm_ckpt_vkey *k, const char *note, int64_t *size,
		      uint8_t root[MM_HASH_LEN])
{
	const char *blank = note ? strstr(note, "\n\n") : NULL;
	struct mm_slice body, line;
	const char *p, *end;
	int rc;

	if (!blank)
		return MM_EINVAL;
	body.ptr = note;
	body.len = (size_t)(blank + 1 - note);
	rc = parse_body(k, body, size, root);
	if (rc)
		return rc;
	if (sodium_init() < 0)
		return MM_EIO;
	p = blank + 2;
	end = note + strlen(note);
	if (p == end || end[-1] != '\n')
		return MM_EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		line.ptr = p;
		line.len = (size_t)(nl - p);
		if (sig_ok(k, body, line))
			return MM_OK;
		p = nl + 1;
	}
	return MM_EPERM;
}
