/* Tests of password hashing and the password policy: the default argon2id
 * cost, verification and rehash detection, and each refusal of the policy
 * (short, long, not UTF-8, common in each of its forms, personal) next to
 * the passwords it must accept. */
#include "core/err.h"
#include "domain/password.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

/* The cheapest cost libsodium allows: the tests hash a lot. */
static void low_cost(void)
{
	mm_password_set_cost(crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_OPSLIMIT_MIN);
}

static const char *policy(const char *pw, const char *login, const char *name)
{
	return mm_password_policy(pw, strlen(pw), login, name);
}

static void test_default_cost(void **state)
{
	char hash[MM_PASSWORD_HASH_MAX];
	const char *pw = "a long enough passphrase";

	mm_password_set_cost(MM_PASSWORD_MEMLIMIT, MM_PASSWORD_OPSLIMIT);
	assert_int_equal(mm_password_hash(pw, strlen(pw), hash), MM_OK);
	assert_true(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
	assert_true(mm_password_verify(hash, pw, strlen(pw)));
	assert_false(mm_password_needs_rehash(hash));
	low_cost();
	assert_true(mm_password_needs_rehash(hash));
}

static void test_hash_verify(void **state)
{
	char hash[MM_PASSWORD_HASH_MAX], again[MM_PASSWORD_HASH_MAX];
	const char *pw = "秘密の合言葉は山と川";

	low_cost();
	assert_int_equal(mm_password_hash(pw, strlen(pw), hash), MM_OK);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(mm_password_verify(hash, pw, strlen(pw)));
	assert_false(mm_password_verify(hash, pw, strlen(pw) - 1));
	assert_false(mm_password_verify(hash, "秘密の合言葉は山と海", strlen(pw)));
	assert_false(mm_password_verify(NULL, pw, strlen(pw)));
	assert_false(mm_password_verify("", pw, strlen(pw)));
	assert_false(mm_password_verify("$argon2id$v=19$m=8,t=1,p=1$xx$yy", pw, strlen(pw)));
	/* A new salt every time. */
	assert_int_equal(mm_password_hash(pw, strlen(pw), again), MM_OK);
	assert_string_not_equal(hash, again);
	assert_false(mm_password_needs_rehash(hash));
}

static void test_needs_rehash(void **state)
{
	char hash[MM_PASSWORD_HASH_MAX], argon2i[crypto_pwhash_STRBYTES];
	const char *pw = "correct horse battery staple";

	low_cost();
	assert_int_equal(mm_password_hash(pw, strlen(pw), hash), MM_OK);
	assert_false(mm_password_needs_rehash(hash));
	mm_password_set_cost(crypto_pwhash_MEMLIMIT_MIN * 2, crypto_pwhash_OPSLIMIT_MIN + 1);
	assert_true(mm_password_needs_rehash(hash));
	low_cost();
	/* Another algorithm (argon2i) or no hash at all: rehash. */
	assert_int_equal(crypto_pwhash_str_alg(argon2i, pw, strlen(pw), 3,
					       crypto_pwhash_MEMLIMIT_MIN,
					       crypto_pwhash_ALG_ARGON2I13),
			 0);
	assert_true(mm_password_verify(argon2i, pw, strlen(pw)));
	assert_true(mm_password_needs_rehash(argon2i));
	assert_true(mm_password_needs_rehash(NULL));
	assert_true(mm_password_needs_rehash("plain"));
}

static void test_length(void **state)
{
	char big[MM_PASSWORD_MAX + 2];

	assert_string_equal(policy("mint tea 42", NULL, NULL), "password_short"); /* 11 */
	assert_null(policy("mint tea 42!", NULL, NULL));			  /* 12 */
	/* Code points, not bytes: eleven kanji are 33 bytes but too short. */
	assert_string_equal(policy("春夏秋冬花鳥風月雪月花", NULL, NULL), "password_short");
	assert_null(policy("春夏秋冬花鳥風月雪月花火", NULL, NULL));
	assert_string_equal(policy("", NULL, NULL), "password_short");
	/* Up to MM_PASSWORD_MAX bytes; one more is too long. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + (i * 7 + i / 26) % 26);
	assert_null(mm_password_policy(big, MM_PASSWORD_MAX, NULL, NULL));
	assert_string_equal(mm_password_policy(big, MM_PASSWORD_MAX + 1, NULL, NULL),
			    "password_long");
}

static void test_encoding(void **state)
{
	assert_string_equal(policy("abcdefghijk\xff", NULL, NULL), "password_encoding");
	assert_string_equal(policy("abcdefghij\xc3\x28xy", NULL, NULL), "password_encoding");
	/* An overlong slash. */
	assert_string_equal(policy("abcdefghijkl\xc0\xaf", NULL, NULL), "password_encoding");
	assert_string_equal(mm_password_policy("abcdef\0ghijklmn", 15, NULL, NULL),
			    "password_encoding");
}

static void test_common(void **state)
{
	/* The only entry of 12 characters or more in john-data's list. */
	assert_string_equal(policy("winniethepooh", NULL, NULL), "password_common");
	assert_string_equal(policy("WinnieThePooh", NULL, NULL), "password_common");
	/* Listed words padded with digits and punctuation. */
	assert_string_equal(policy("password1234", NULL, NULL), "password_common");
	assert_string_equal(policy("Password2024!", NULL, NULL), "password_common");
	assert_string_equal(policy("!!iloveyou2024", NULL, NULL), "password_common");
	assert_string_equal(policy("1234qwertyuiop", NULL, NULL), "password_common");
	assert_string_equal(policy("!@#$%^&*()_+{}", NULL, NULL), "password_common");
	/* Repetition and runs. */
	assert_string_equal(policy("passwordpassword", NULL, NULL), "password_common");
	assert_string_equal(policy("abcabcabcabc", NULL, NULL), "password_common");
	assert_string_equal(policy("aaaaaaaaaaaa", NULL, NULL), "password_common");
	assert_string_equal(policy("123456789012", NULL, NULL), "password_common");
	assert_string_equal(policy("zyxwvutsrqpo", NULL, NULL), "password_common");
	assert_string_equal(policy("ABCDEFGHIJKL", NULL, NULL), "password_common");
	/* Common words inside a longer passphrase are fine. */
	assert_null(policy("password is not my password", NULL, NULL));
	assert_null(policy("correct horse battery staple", NULL, NULL));
	assert_null(policy("winniethepooh and tigger", NULL, NULL));
	assert_null(policy("abcdefghijkm", NULL, NULL));
}

static void test_personal(void **state)
{
	/* The login, in any case. */
	assert_string_equal(policy("my-tanaka.h-is-safe", "tanaka.h", NULL), "password_personal");
	assert_string_equal(policy("my-TANAKA.H-is-safe", "tanaka.h", NULL), "password_personal");
	/* The name with its space, and without it (ASCII or ideographic). */
	assert_string_equal(policy("山田 花子のパスワードです", "hyamada", "山田 花子"),
			    "password_personal");
	assert_string_equal(policy("山田花子のパスワードです", "hyamada", "山田 花子"),
			    "password_personal");
	assert_string_equal(policy("山田花子のパスワードです", "hyamada", "山田　花子"),
			    "password_personal");
	assert_string_equal(policy("i am taro sato, hello", NULL, "Taro Sato"),
			    "password_personal");
	assert_string_equal(policy("i am tarosato, hello", NULL, "Taro Sato"), "password_personal");
	/* Logins and names under three characters are not checked. */
	assert_null(policy("李さんの長いパスワードです", "li", "李"));
	assert_null(policy("long enough with ab in it", "ab", "ab"));
	assert_null(policy("山田さんの長いパスワードです", "hyamada", "山田 花子"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_cost), cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_needs_rehash), cmocka_unit_test(test_length),
		cmocka_unit_test(test_encoding),     cmocka_unit_test(test_common),
		cmocka_unit_test(test_personal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
