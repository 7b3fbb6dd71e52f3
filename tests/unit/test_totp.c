/* Tests of the TOTP second factor and of sealing: RFC 6238's test vectors,
 * one step of drift accepted and two refused, replays refused, recovery
 * codes good once, the sealed secret's round trip, the key file's checks
 * (permissions, size, a wrong key), the otpauth URI and the QR code's SVG. */
#include "core/buf.h"
#include "core/err.h"
#include "domain/seal.h"
#include "domain/totp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* RFC 6238 Appendix B's SHA-1 seed. */
static const unsigned char rfc_seed[] = "12345678901234567890";

struct fx {
	char dir[64];
	char key[96], other[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/mm-totp-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->key, sizeof(f->key), "%s/db.key", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other.key", f->dir);
	assert_int_equal(mm_seal_open_key(f->key, true), MM_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mm_seal_close_key();
	unlink(f->key);
	unlink(f->other);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct mm_totp_secret rfc_secret(void)
{
	struct mm_totp_secret s = { 0 };

	memcpy(s.seed, rfc_seed, MM_TOTP_SEED_BYTES);
	return s;
}

static void test_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
		{ 59, "94287082" },	    { 1111111109, "07081804" }, { 1111111111, "14050471" },
		{ 1234567890, "89005924" }, { 2000000000, "69279037" }, { 20000000000, "65353130" },
	};
	char out[9];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(mm_totp_code(rfc_seed, 20, v[i].t, 8, out), MM_OK);
		assert_string_equal(out, v[i].code);
	}
	/* Six digits are the last six of the eight. */
	assert_int_equal(mm_totp_code(rfc_seed, 20, 59, 6, out), MM_OK);
	assert_string_equal(out, "287082");
	assert_int_equal(mm_totp_code(rfc_seed, 20, 59, 5, out), MM_EINVAL);
	assert_int_equal(mm_totp_code(rfc_seed, 20, 59, 9, out), MM_EINVAL);
}

/* The six-digit code of the RFC seed at step st. */
static void code_at(int64_t st, char out[7])
{
	assert_int_equal(mm_totp_code(rfc_seed, 20, st * MM_TOTP_STEP, 6, out), MM_OK);
}

static void test_drift(void **state)
{
	struct mm_totp_secret s = rfc_secret();
	int64_t now = 1111111111, cur = now / MM_TOTP_STEP, step = 0;
	char code[7];

	for (int d = -2; d <= 2; d++) {
		code_at(cur + d, code);
		step = 0;
		if (d >= -1 && d <= 1) {
			assert_int_equal(mm_totp_check(&s, code, now, 0, &step), MM_OK);
			assert_int_equal(step, cur + d);
		} else {
			assert_int_equal(mm_totp_check(&s, code, now, 0, &step), MM_EINVAL);
		}
	}
	/* Spaces are ignored; anything else is refused. */
	code_at(cur, code);
	char spaced[9] = { code[0], code[1], code[2], ' ', code[3], code[4], code[5], 0 };
	assert_int_equal(mm_totp_check(&s, spaced, now, 0, &step), MM_OK);
	assert_int_equal(mm_totp_check(&s, "12345", now, 0, &step), MM_EINVAL);
	assert_int_equal(mm_totp_check(&s, "1234567", now, 0, &step), MM_EINVAL);
	assert_int_equal(mm_totp_check(&s, "", now, 0, &step), MM_EINVAL);
	assert_int_equal(mm_totp_check(&s, NULL, now, 0, &step), MM_EINVAL);
	assert_int_equal(mm_totp_check(&s, "abcdef", now, 0, &step), MM_EINVAL);
}

static void test_replay(void **state)
{
	struct mm_totp_secret s = rfc_secret();
	int64_t now = 1234567890, cur = now / MM_TOTP_STEP, step = 0;
	char code[7], prev[7], next[7];

	code_at(cur, code);
	code_at(cur - 1, prev);
	code_at(cur + 1, next);
	assert_int_equal(mm_totp_check(&s, code, now, 0, &step), MM_OK);
	assert_int_equal(step, cur);
	/* Once step cur is used, it and the steps before it are replays. */
	assert_int_equal(mm_totp_check(&s, code, now, cur, &step), MM_ECONFLICT);
	assert_int_equal(mm_totp_check(&s, prev, now, cur, &step), MM_ECONFLICT);
	assert_int_equal(mm_totp_check(&s, code, now + 20, cur, &step), MM_ECONFLICT);
	/* The next step is still good. */
	assert_int_equal(mm_totp_check(&s, next, now, cur, &step), MM_OK);
	assert_int_equal(step, cur + 1);
}

static void test_recovery_codes(void **state)
{
	struct mm_totp_secret s, back;
	struct mm_totp_codes codes;
	char lower[16];
	struct mm_buf b;

	assert_int_equal(mm_totp_generate(&s), MM_OK);
	assert_int_equal(s.nrecovery, 0);
	assert_int_equal(mm_totp_new_recovery(&s, &codes), MM_OK);
	assert_int_equal(s.nrecovery, MM_TOTP_RECOVERY_CODES);
	for (size_t i = 0; i < MM_TOTP_RECOVERY_CODES; i++) {
		const char *c = codes.code[i];

		assert_int_equal(strlen(c), 9);
		assert_int_equal(c[4], '-');
		assert_int_equal(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-"), 9);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(c, codes.code[k]);
	}
	/* Good once. */
	assert_true(mm_totp_use_recovery(&s, codes.code[0]));
	assert_false(mm_totp_use_recovery(&s, codes.code[0]));
	assert_int_equal(s.nrecovery, 9);
	/* Typed in lower case, without the dash, with a space. */
	for (size_t i = 0, k = 0; codes.code[1][i]; i++)
		if (codes.code[1][i] != '-')
			lower[k++] = (char)(codes.code[1][i] | 0x20), lower[k] = '\0';
	assert_true(mm_totp_use_recovery(&s, lower));
	assert_false(mm_totp_use_recovery(&s, "AAAA-AAAA"));
	assert_false(mm_totp_use_recovery(&s, "AAAA-AAA"));
	assert_false(mm_totp_use_recovery(&s, ""));
	assert_false(mm_totp_use_recovery(&s, NULL));
	/* Sealed and opened again, the secret keeps its seed and its codes. */
	mm_buf_init(&b, 4096);
	assert_int_equal(mm_totp_seal(&s, &b), MM_OK);
	assert_non_null(strstr(b.data, "s1:"));
	assert_null(strstr(b.data, "seed"));
	assert_int_equal(mm_totp_unseal(b.data, &back), MM_OK);
	assert_memory_equal(back.seed, s.seed, MM_TOTP_SEED_BYTES);
	assert_int_equal(back.nrecovery, 8);
	assert_true(mm_totp_use_recovery(&back, codes.code[2]));
	assert_false(mm_totp_use_recovery(&back, codes.code[1]));
	mm_buf_free(&b);
	mm_totp_wipe(&s);
	mm_totp_wipe(&back);
	mm_totp_wipe_codes(&codes);
}

static void write_key(const char *path, size_t n, mode_t mode)
{
	FILE *fp = fopen(path, "wb");
	unsigned char k[64];

	assert_non_null(fp);
	memset(k, 0x5a, sizeof(k));
	assert_int_equal(fwrite(k, 1, n, fp), n);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_seal(void **state)
{
	struct fx *f = *state;
	struct mm_buf sealed, plain;
	const char *secret = "the seed of someone's authenticator";
	char orig;

	mm_buf_init(&sealed, 4096);
	mm_buf_init(&plain, 4096);
	assert_int_equal(mm_seal(secret, strlen(secret), &sealed), MM_OK);
	assert_null(strstr(sealed.data, "seed"));
	assert_int_equal(mm_unseal(sealed.data, &plain), MM_OK);
	assert_string_equal(plain.data, secret);
	/* Tampered with: refused. */
	mm_buf_reset(&plain);
	orig = sealed.data[10];
	sealed.data[10] = orig == 'A' ? 'B' : 'A';
	assert_int_equal(mm_unseal(sealed.data, &plain), MM_EINVAL);
	sealed.data[10] = orig;
	assert_int_equal(mm_unseal("s1:not base64!", &plain), MM_EINVAL);
	assert_int_equal(mm_unseal("s1:AAAA", &plain), MM_EINVAL);
	assert_int_equal(mm_unseal("plain text", &plain), MM_EINVAL);
	/* Another key: refused; the right one again: fine. */
	assert_int_equal(mm_seal_open_key(f->other, true), MM_OK);
	assert_int_equal(mm_unseal(sealed.data, &plain), MM_EINVAL);
	assert_int_equal(mm_seal_open_key(f->key, false), MM_OK);
	mm_buf_reset(&plain);
	assert_int_equal(mm_unseal(sealed.data, &plain), MM_OK);
	assert_string_equal(plain.data, secret);
	/* No key: nothing seals. */
	mm_seal_close_key();
	assert_false(mm_seal_ready());
	assert_int_equal(mm_seal("x", 1, &sealed), MM_EIO);
	assert_int_equal(mm_unseal(sealed.data, &plain), MM_EIO);
	mm_buf_free(&sealed);
	mm_buf_free(&plain);
}

static void test_key_file(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char path[128];

	/* A key made on demand is private to its owner. */
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, MM_SEAL_KEY_BYTES);
	/* Readable by the group or others: refused. */
	assert_int_equal(chmod(f->key, 0640), 0);
	assert_int_equal(mm_seal_open_key(f->key, true), MM_EPERM);
	assert_int_equal(chmod(f->key, 0604), 0);
	assert_int_equal(mm_seal_open_key(f->key, false), MM_EPERM);
	assert_int_equal(chmod(f->key, 0600), 0);
	assert_int_equal(mm_seal_open_key(f->key, false), MM_OK);
	/* Missing, or the wrong size. */
	snprintf(path, sizeof(path), "%s/missing.key", f->dir);
	assert_int_equal(mm_seal_open_key(path, false), MM_ENOTFOUND);
	write_key(f->other, 31, 0600);
	assert_int_equal(mm_seal_open_key(f->other, false), MM_EINVAL);
	write_key(f->other, 33, 0600);
	assert_int_equal(mm_seal_open_key(f->other, true), MM_EINVAL);
	/* The default path sits beside the database. */
	assert_int_equal(mm_seal_key_path("/var/lib/mamori/mamori.db", path, sizeof(path)), MM_OK);
	assert_string_equal(path, "/var/lib/mamori/mamori.db.key");
	assert_int_equal(mm_seal_key_path("/var/lib/mamori/mamori.db", path, 10), MM_ETOOBIG);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void test_uri_qr(void **state)
{
	struct mm_totp_secret s = rfc_secret();
	struct mm_buf uri, svg;

	mm_buf_init(&uri, 1024);
	mm_buf_init(&svg, 1 << 20);
	assert_int_equal(mm_totp_uri("sato", &s, &uri), MM_OK);
	assert_string_equal(uri.data, "otpauth://totp/mamori:sato?secret="
				      "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mamori&digits=6&"
				      "period=30");
	mm_buf_reset(&uri);
	assert_int_equal(mm_totp_uri("a b/c:d", &s, &uri), MM_OK);
	assert_non_null(strstr(uri.data, "mamori:a%20b%2Fc%3Ad?secret="));
	mm_buf_reset(&uri);
	assert_int_equal(mm_totp_uri("sato", &s, &uri), MM_OK);
	assert_int_equal(mm_totp_qr_svg(uri.data, &svg), MM_OK);
	assert_true(strncmp(svg.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_int_equal(count(svg.data, "<path"), 1);
	assert_int_equal(count(svg.data, "fill=\"#000\""), 1);
	assert_int_equal(count(svg.data, "style"), 0);
	assert_int_equal(count(svg.data, "script"), 0);
	assert_int_equal(count(svg.data, "</svg>"), 1);
	assert_true(count(svg.data, "M") > 20);
	mm_buf_free(&uri);
	mm_buf_free(&svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rfc6238_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uri_qr, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
