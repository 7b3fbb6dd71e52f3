/* Excel users hand us Shift_JIS (CP932) and UTF-8 with or without a byte
 * order mark; what cannot be converted is refused with its position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/encoding.h"
#include "core/err.h"

#include <string.h>

/* "髙橋①" in CP932: 髙 is an IBM extension (FBFC), ① an NEC special (8740). */
static const char sjis_takahashi[] = "\xfb\xfc\x8b\xb4\x87\x40";
static const char utf8_takahashi[] = "髙橋①";

/* "資産,ｶﾅ\r\n" in CP932, with half-width katakana. */
static const char sjis_row[] = "\x8e\x91\x8e\x59,\xb6\xc5\r\n";
static const char utf8_row[] = "資産,ｶﾅ\r\n";

static void assert_to_utf8(const char *in, size_t n, const char *want)
{
	struct mm_buf b;
	size_t bad = 99;

	mm_buf_init(&b, 1 << 16);
	assert_int_equal(mm_cp932_to_utf8(in, n, &b, &bad), MM_OK);
	assert_int_equal(bad, 99);
	assert_string_equal(b.data, want);
	mm_buf_free(&b);
}

static void assert_to_cp932(const char *in, const char *want, size_t wantn)
{
	struct mm_buf b;
	size_t bad = 99;

	mm_buf_init(&b, 1 << 16);
	assert_int_equal(mm_utf8_to_cp932(in, strlen(in), &b, &bad), MM_OK);
	assert_int_equal(b.len, wantn);
	assert_memory_equal(b.data, want, wantn);
	mm_buf_free(&b);
}

static void assert_cp932_refused(const char *in, size_t n, size_t at)
{
	struct mm_buf b;
	size_t bad = 99;

	mm_buf_init(&b, 1 << 16);
	assert_int_equal(mm_cp932_to_utf8(in, n, &b, &bad), MM_EENCODING);
	assert_int_equal(bad, at);
	mm_buf_free(&b);
}

static void assert_utf8_refused(const char *in, size_t n, size_t at)
{
	struct mm_buf b;
	size_t bad = 99;

	mm_buf_init(&b, 1 << 16);
	assert_int_equal(mm_utf8_to_cp932(in, n, &b, &bad), MM_EENCODING);
	assert_int_equal(bad, at);
	mm_buf_free(&b);
}

static void test_cp932_to_utf8(void **state)
{
	(void)state;
	assert_to_utf8("", 0, "");
	assert_to_utf8("abc,123\r\n", 9, "abc,123\r\n");
	assert_to_utf8(sjis_takahashi, sizeof(sjis_takahashi) - 1, utf8_takahashi);
	assert_to_utf8(sjis_row, sizeof(sjis_row) - 1, utf8_row);
	/* NEC-selected IBM extension (ED40) and ㈱ (878A). */
	assert_to_utf8("\xed\x40\x87\x8a", 4, "纊㈱");
	/* CP932 reads 0x8160 as FULLWIDTH TILDE, as Windows does. */
	assert_to_utf8("\x81\x60", 2, "～");
}

static void test_utf8_to_cp932(void **state)
{
	(void)state;
	assert_to_cp932("", "", 0);
	assert_to_cp932("abc", "abc", 3);
	assert_to_cp932(utf8_takahashi, sjis_takahashi, sizeof(sjis_takahashi) - 1);
	assert_to_cp932(utf8_row, sjis_row, sizeof(sjis_row) - 1);
}

static void test_round_trip(void **state)
{
	static const char text[] = "情報資産台帳 ①②③ ㈱ 髙﨑 ｱｲｳ ～ ∥ － ￠ ￡ ￢ ― abc\r\n";
	struct mm_buf sj, back;

	(void)state;
	mm_buf_init(&sj, 4096);
	mm_buf_init(&back, 4096);
	assert_int_equal(mm_utf8_to_cp932(text, sizeof(text) - 1, &sj, NULL), MM_OK);
	assert_int_equal(mm_cp932_to_utf8(sj.data, sj.len, &back, NULL), MM_OK);
	assert_string_equal(back.data, text);
	mm_buf_free(&sj);
	mm_buf_free(&back);
}

static void test_wave_dash_and_friends(void **state)
{
	(void)state;
	/* Characters typed on Mac or Linux that Windows writes differently. */
	assert_to_cp932("\xe3\x80\x9c", "\x81\x60", 2); /* U+301C WAVE DASH */
	assert_to_cp932("\xef\xbd\x9e", "\x81\x60", 2); /* U+FF5E FULLWIDTH TILDE */
	assert_to_cp932("\xe2\x80\x96", "\x81\x61", 2); /* U+2016 DOUBLE VERTICAL LINE */
	assert_to_cp932("\xe2\x88\x92", "\x81\x7c", 2); /* U+2212 MINUS SIGN */
	assert_to_cp932("\xc2\xa2", "\x81\x91", 2);	/* U+00A2 CENT SIGN */
	assert_to_cp932("\xc2\xa3", "\x81\x92", 2);	/* U+00A3 POUND SIGN */
	assert_to_cp932("\xc2\xac", "\x81\xca", 2);	/* U+00AC NOT SIGN */
	assert_to_cp932("\xe2\x80\x94", "\x81\x5c", 2); /* U+2014 EM DASH */
	assert_to_cp932("1〜3",
			"1\x81\x60"
			"3",
			4);
}

static void test_unencodable(void **state)
{
	(void)state;
	/* 🍣 is four bytes at offset 6 after "寿司" (two three-byte characters). */
	assert_utf8_refused("寿司🍣です", strlen("寿司🍣です"), 6);
	assert_utf8_refused("🍣", 4, 0);
	/* Hangul and a combining accent have no CP932 form either. */
	assert_utf8_refused("abc한", strlen("abc한"), 3);
	assert_utf8_refused("e\xcc\x81", 3, 1);
}

static void test_utf8_invalid_refused(void **state)
{
	(void)state;
	assert_utf8_refused("ab\xff", 3, 2);
	assert_utf8_refused("ab\xc0\xaf", 4, 2);	/* overlong "/" */
	assert_utf8_refused("ab\xe0\x80\xaf", 5, 2);	/* overlong, three bytes */
	assert_utf8_refused("a\xed\xa0\x80", 4, 1);	/* surrogate */
	assert_utf8_refused("a\xf4\x90\x80\x80", 5, 1); /* past U+10FFFF */
	assert_utf8_refused("あ\xe3\x81", 5, 3);	/* truncated */
	assert_utf8_refused("a\x80", 2, 1);		/* lone continuation */
}

static void test_cp932_invalid_refused(void **state)
{
	(void)state;
	assert_cp932_refused("ab\x80", 3, 2); /* unassigned single byte */
	assert_cp932_refused("ab\xa0", 3, 2);
	assert_cp932_refused("ab\xfd", 3, 2);
	assert_cp932_refused("\x8e\x91\x82", 3, 2);	/* lead byte cut off at the end */
	assert_cp932_refused("\x8e\x91\x82\x20", 4, 2); /* bad trail byte */
}

static void test_output_cap(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 4);
	assert_int_equal(mm_cp932_to_utf8(sjis_takahashi, 6, &b, NULL), MM_ETOOBIG);
	mm_buf_free(&b);
	mm_buf_init(&b, 4);
	assert_int_equal(mm_utf8_to_cp932("あいうえお", 15, &b, NULL), MM_ETOOBIG);
	mm_buf_free(&b);
}

static void test_detect(void **state)
{
	enum mm_enc e = 99;

	(void)state;
	assert_int_equal(mm_enc_detect("", 0, &e), MM_OK);
	assert_int_equal(e, MM_ENC_UTF8);
	assert_int_equal(mm_enc_detect("id,name\r\n", 9, &e), MM_OK);
	assert_int_equal(e, MM_ENC_UTF8);
	assert_int_equal(mm_enc_detect(utf8_row, strlen(utf8_row), &e), MM_OK);
	assert_int_equal(e, MM_ENC_UTF8);
	assert_int_equal(mm_enc_detect("\xef\xbb\xbf資産", 9, &e), MM_OK);
	assert_int_equal(e, MM_ENC_UTF8_BOM);
	assert_int_equal(mm_enc_detect("\xef\xbb\xbf", 3, &e), MM_OK);
	assert_int_equal(e, MM_ENC_UTF8_BOM);
	assert_int_equal(mm_enc_detect(sjis_row, sizeof(sjis_row) - 1, &e), MM_OK);
	assert_int_equal(e, MM_ENC_CP932);
	assert_int_equal(mm_enc_detect(sjis_takahashi, sizeof(sjis_takahashi) - 1, &e), MM_OK);
	assert_int_equal(e, MM_ENC_CP932);
}

static void test_detect_refusals(void **state)
{
	enum mm_enc e = 99;

	(void)state;
	/* Neither UTF-8 nor CP932. */
	assert_int_equal(mm_enc_detect("ab\x80", 3, &e), MM_EENCODING);
	assert_int_equal(mm_enc_detect("\x8e\x91\x82", 3, &e), MM_EENCODING);
	/* A byte order mark followed by something that is not UTF-8. */
	assert_int_equal(mm_enc_detect("\xef\xbb\xbf\x8e\x91", 5, &e), MM_EENCODING);
	assert_int_equal(e, 99);
}

static void test_enc_to_utf8(void **state)
{
	struct mm_buf b;
	size_t bad = 99;

	(void)state;
	mm_buf_init(&b, 1024);
	assert_int_equal(mm_enc_to_utf8("\xef\xbb\xbfok", 5, MM_ENC_UTF8_BOM, &b, &bad), MM_OK);
	assert_string_equal(b.data, "ok");
	mm_buf_reset(&b);
	assert_int_equal(mm_enc_to_utf8("ok", 2, MM_ENC_UTF8, &b, &bad), MM_OK);
	assert_string_equal(b.data, "ok");
	mm_buf_reset(&b);
	assert_int_equal(mm_enc_to_utf8(sjis_row, sizeof(sjis_row) - 1, MM_ENC_CP932, &b, &bad),
			 MM_OK);
	assert_string_equal(b.data, utf8_row);
	mm_buf_reset(&b);
	/* Offsets count from the start of the input, byte order mark included. */
	assert_int_equal(mm_enc_to_utf8("\xef\xbb\xbfok\xff", 6, MM_ENC_UTF8_BOM, &b, &bad),
			 MM_EENCODING);
	assert_int_equal(bad, 5);
	assert_int_equal(mm_enc_to_utf8("ok\xff", 3, MM_ENC_UTF8, &b, &bad), MM_EENCODING);
	assert_int_equal(bad, 2);
	assert_int_equal(mm_enc_to_utf8("ok", 2, MM_ENC_UTF8_BOM, &b, &bad), MM_EENCODING);
	assert_int_equal(bad, 0);
	assert_int_equal(mm_enc_to_utf8("ab\x80", 3, MM_ENC_CP932, &b, &bad), MM_EENCODING);
	assert_int_equal(bad, 2);
	assert_int_equal(mm_enc_to_utf8("ok", 2, (enum mm_enc)42, &b, &bad), MM_EINVAL);
	mm_buf_free(&b);
}

static void test_utf8_check(void **state)
{
	size_t bad = 99;

	(void)state;
	assert_true(mm_utf8_check("", 0, &bad));
	assert_true(mm_utf8_check("aé€🍣", strlen("aé€🍣"), &bad));
	assert_true(mm_utf8_check("\xf4\x8f\xbf\xbf", 4, &bad)); /* U+10FFFF */
	assert_true(mm_utf8_check("\xed\x9f\xbf", 3, &bad));	 /* U+D7FF */
	assert_int_equal(bad, 99);
	assert_false(mm_utf8_check("abc\xf5\x80\x80\x80", 7, &bad));
	assert_int_equal(bad, 3);
	assert_false(mm_utf8_check("\xf0\x8f\xbf\xbf", 4, &bad)); /* overlong */
	assert_int_equal(bad, 0);
	assert_false(mm_utf8_check("ab\xe3\x81"
				   "a",
				   5, &bad)); /* short sequence */
	assert_int_equal(bad, 2);
	assert_false(mm_utf8_check("\xc1\xbf", 2, NULL));
}

static void test_line_at(void **state)
{
	static const char text[] = "a\r\nb\nc\rd";

	(void)state;
	assert_int_equal(mm_enc_line_at(text, 8, 0), 1);
	assert_int_equal(mm_enc_line_at(text, 8, 2), 1); /* the LF of CRLF */
	assert_int_equal(mm_enc_line_at(text, 8, 3), 2);
	assert_int_equal(mm_enc_line_at(text, 8, 5), 3);
	assert_int_equal(mm_enc_line_at(text, 8, 7), 4);
	assert_int_equal(mm_enc_line_at(text, 8, 100), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cp932_to_utf8),
		cmocka_unit_test(test_utf8_to_cp932),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wave_dash_and_friends),
		cmocka_unit_test(test_unencodable),
		cmocka_unit_test(test_utf8_invalid_refused),
		cmocka_unit_test(test_cp932_invalid_refused),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_refusals),
		cmocka_unit_test(test_enc_to_utf8),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_line_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
