/* TOTP codes, secrets, recovery codes, otpauth URIs and QR codes. */
#include "domain/totp.h"

#include "core/err.h"
#include "domain/password.h"
#include "domain/seal.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <string.h>

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

enum { SEED_HEX = MM_TOTP_SEED_BYTES * 2, HASH_HEX = MM_TOTP_HASH_BYTES * 2, QUIET = 4 };
enum { RECOVERY_CHARS = 8, SECRET_TEXT_MAX = 1024 };

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_status = -1;

static void oath_start(void)
{
	oath_status = oath_init();
}

static bool ready(void)
{
	pthread_once(&oath_once, oath_start);
	return oath_status == OATH_OK && mm_sodium_ready();
}

int mm_totp_generate(struct mm_totp_secret *s)
{
	memset(s, 0, sizeof(*s));
	if (!ready())
		return MM_EIO;
	randombytes_buf(s->seed, sizeof(s->seed));
	return MM_OK;
}

void mm_totp_wipe(struct mm_totp_secret *s)
{
	sodium_memzero(s, sizeof(*s));
}

void mm_totp_wipe_codes(struct mm_totp_codes *c)
{
	sodium_memzero(c, sizeof(*c));
}

/* Reads a recovery code as typed into the eight base32 letters it stands
 * for; false when it is not one. */
static bool normalise_recovery(const char *in, char out[RECOVERY_CHARS])
{
	size_t n = 0;

	for (; *in; in++) {
		char c = *in;

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		c = c == '0' ? 'O' : c == '1' ? 'I' : c == '8' ? 'B' : c;
		if (n == RECOVERY_CHARS || !memchr(b32, c, 32))
			return false;
		out[n++] = c;
	}
	return n == RECOVERY_CHARS;
}

int mm_totp_new_recovery(struct mm_totp_secret *s, struct mm_totp_codes *out)
{
	char plain[RECOVERY_CHARS];

	if (!ready())
		return MM_EIO;
	for (size_t i = 0; i < MM_TOTP_RECOVERY_CODES; i++) {
		char *c = out->code[i];

		for (size_t k = 0; k < RECOVERY_CHARS; k++)
			plain[k] = b32[randombytes_uniform(32)];
		/* Shown as ABCD-EFGH; the hash covers the eight letters. */
		memcpy(c, plain, RECOVERY_CHARS / 2);
		c[RECOVERY_CHARS / 2] = '-';
		memcpy(c + RECOVERY_CHARS / 2 + 1, plain + RECOVERY_CHARS / 2, RECOVERY_CHARS / 2);
		c[RECOVERY_CHARS + 1] = '\0';
		crypto_hash_sha256(s->recovery[i], (const unsigned char *)plain, RECOVERY_CHARS);
	}
	sodium_memzero(plain, sizeof(plain));
	s->nrecovery = MM_TOTP_RECOVERY_CODES;
	return MM_OK;
}

bool mm_totp_use_recovery(struct mm_totp_secret *s, const char *code)
{
	unsigned char h[MM_TOTP_HASH_BYTES];
	char plain[RECOVERY_CHARS];
	size_t hit = s->nrecovery;

	if (!code || !normalise_recovery(code, plain) || !mm_sodium_ready())
		return false;
	crypto_hash_sha256(h, (const unsigned char *)plain, RECOVERY_CHARS);
	sodium_memzero(plain, sizeof(plain));
	for (size_t i = 0; i < s->nrecovery; i++)
		if (sodium_memcmp(h, s->recovery[i], sizeof(h)) == 0)
			hit = i;
	if (hit == s->nrecovery)
		return false;
	memmove(s->recovery[hit], s->recovery[hit + 1],
		(s->nrecovery - hit - 1) * sizeof(s->recovery[0]));
	s->nrecovery--;
	sodium_memzero(s->recovery[s->nrecovery], sizeof(s->recovery[0]));
	return true;
}

int mm_totp_seal(const struct mm_totp_secret *s, struct mm_buf *out)
{
	char text[SECRET_TEXT_MAX];
	size_t n = 0;
	int rc;

	memcpy(text, "{\"seed\":\"", 9);
	n = 9;
	sodium_bin2hex(text + n, SEED_HEX + 1, s->seed, sizeof(s->seed));
	n += SEED_HEX;
	memcpy(text + n, "\",\"recovery\":[", 14);
	n += 14;
	for (size_t i = 0; i < s->nrecovery && i < MM_TOTP_RECOVERY_CODES; i++) {
		if (i)
			text[n++] = ',';
		text[n++] = '"';
		sodium_bin2hex(text + n, HASH_HEX + 1, s->recovery[i], MM_TOTP_HASH_BYTES);
		n += HASH_HEX;
		text[n++] = '"';
	}
	memcpy(text + n, "]}", 3);
	n += 2;
	rc = mm_seal(text, n, out);
	sodium_memzero(text, sizeof(text));
	return rc;
}

/* Reads exactly n bytes of hex at *p into bin and moves *p past them. */
static bool take_hex(const char **p, unsigned char *bin, size_t n)
{
	size_t got;

	if (strnlen(*p, n * 2) < n * 2)
		return false;
	if (sodium_hex2bin(bin, n, *p, n * 2, NULL, &got, NULL) != 0 || got != n)
		return false;
	*p += n * 2;
	return true;
}

static bool take(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* Parses the canonical text written by mm_totp_seal. */
static bool parse_secret(const char *p, struct mm_totp_secret *s)
{
	if (!take(&p, "{\"seed\":\"") || !take_hex(&p, s->seed, sizeof(s->seed)) ||
	    !take(&p, "\",\"recovery\":["))
		return false;
	while (*p == '"' && s->nrecovery < MM_TOTP_RECOVERY_CODES) {
		p++;
		if (!take_hex(&p, s->recovery[s->nrecovery], MM_TOTP_HASH_BYTES) || !take(&p, "\""))
			return false;
		s->nrecovery++;
		if (*p == ',' && p[1] == '"')
			p++;
	}
	return take(&p, "]}") && *p == '\0';
}

int mm_totp_unseal(const char *text, struct mm_totp_secret *s)
{
	struct mm_buf b;
	int rc;

	memset(s, 0, sizeof(*s));
	mm_buf_init(&b, SECRET_TEXT_MAX);
	rc = mm_unseal(text, &b);
	if (rc)
		goto out;
	if (!parse_secret(b.data, s)) {
		mm_totp_wipe(s);
		rc = MM_EINVAL;
	}
out:
	if (b.alloc)
		sodium_memzero(b.data, b.alloc);
	mm_buf_free(&b);
	return rc;
}

int mm_totp_code(const unsigned char *seed, size_t n, int64_t t, unsigned digits, char *out)
{
	out[0] = '\0';
	if (!ready() || digits < 6 || digits > 8 || t < 0)
		return MM_EINVAL;
	if (oath_totp_generate((const char *)seed, n, (time_t)t, MM_TOTP_STEP, 0, digits, out) !=
	    OATH_OK)
		return MM_EINVAL;
	return MM_OK;
}

int mm_totp_check(const struct mm_totp_secret *s, const char *code, int64_t now, int64_t last_step,
		  int64_t *step)
{
	char given[MM_TOTP_DIGITS + 1], want[MM_TOTP_DIGITS + 1];
	int64_t cur = now / MM_TOTP_STEP, fresh = -1, stale = -1;
	size_t n = 0;

	for (; code && *code && n <= MM_TOTP_DIGITS; code++)
		if (*code != ' ')
			given[n++] = *code;
	if (!code || *code || n != MM_TOTP_DIGITS)
		return MM_EINVAL;
	given[n] = '\0';
	for (int64_t st = cur - MM_TOTP_DRIFT; st <= cur + MM_TOTP_DRIFT; st++) {
		if (st < 0 ||
		    mm_totp_code(s->seed, sizeof(s->seed), st * MM_TOTP_STEP, MM_TOTP_DIGITS, want))
			continue;
		if (sodium_memcmp(want, given, MM_TOTP_DIGITS) != 0)
			continue;
		if (st > last_step)
			fresh = st;
		else
			stale = st;
	}
	sodium_memzero(want, sizeof(want));
	if (fresh >= 0) {
		*step = fresh;
		return MM_OK;
	}
	return stale >= 0 ? MM_ECONFLICT : MM_EINVAL;
}

static void base32(struct mm_buf *b, const unsigned char *p, size_t n)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			mm_buf_addc(b, b32[(acc >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0)
		mm_buf_addc(b, b32[(acc << (5 - bits)) & 31]);
}

static void percent(struct mm_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			mm_buf_addc(b, (char)c);
		} else {
			mm_buf_addc(b, '%');
			mm_buf_addc(b, hex[c >> 4]);
			mm_buf_addc(b, hex[c & 15]);
		}
	}
}

int mm_totp_uri(const char *login, const struct mm_totp_secret *s, struct mm_buf *out)
{
	mm_buf_adds(out, "otpauth://totp/mamori:");
	percent(out, login);
	mm_buf_adds(out, "?secret=");
	base32(out, s->seed, sizeof(s->seed));
	mm_buf_adds(out, "&issuer=mamori&digits=6&period=30");
	return out->err;
}

/* Appends one "M x y h n v1 h -n z" rectangle per run of dark modules. */
static void qr_path(struct mm_buf *b, const QRcode *qr)
{
	int w = qr->width;

	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			int run = 0;

			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run) {
				mm_buf_printf(b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run,
					      run);
				x += run;
			} else {
				x++;
			}
		}
	}
}

int mm_totp_qr_svg(const char *uri, struct mm_buf *out)
{
	QRcode *qr;
	int size;

	qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return MM_ENOMEM;
	size = qr->width + 2 * QUIET;
	mm_buf_printf(out,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		      "shape-rendering=\"crispEdges\" role=\"img\">"
		      "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		      size, size, size, size);
	qr_path(out, qr);
	mm_buf_adds(out, "\"/></svg>");
	QRcode_free(qr);
	return out->err;
}
