/* Slices are how every parser reads input: trimming, cutting, integers and
 * UTF-8 checks must be exact at the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/slice.h"

#include <string.h>

static void test_cstr_and_eq(void **state)
{
	struct mm_slice s = mm_slice_cstr("abc");

	(void)state;
	assert_int_equal(s.len, 3);
	assert_true(mm_slice_eqs(s, "abc"));
	assert_false(mm_slice_eqs(s, "abcd"));
	assert_false(mm_slice_eqs(s, "ab"));
	assert_false(mm_slice_eqs(s, "abd"));
	s = mm_slice_cstr(NULL);
	assert_non_null(s.ptr);
	assert_int_equal(s.len, 0);
	assert_true(mm_slice_eqs(s, ""));
	assert_true(mm_slice_eq((struct mm_slice){ NULL, 0 }, MM_SLICE_LIT("")));
	assert_true(mm_slice_eq(MM_SLICE_LIT("x"), (struct mm_slice){ "xyz", 1 }));
}

static void test_trim(void **state)
{
	struct mm_slice s;

	(void)state;
	s = mm_slice_trim(mm_slice_cstr(" \t\r\n a b \r\n"));
	assert_true(mm_slice_eqs(s, "a b"));
	s = mm_slice_trim(mm_slice_cstr("   "));
	assert_int_equal(s.len, 0);
	s = mm_slice_trim(mm_slice_cstr(""));
	assert_int_equal(s.len, 0);
	s = mm_slice_trim(mm_slice_cstr("x"));
	assert_true(mm_slice_eqs(s, "x"));
	/* Only ASCII white space: U+3000 and vertical tab stay. */
	s = mm_slice_trim(mm_slice_cstr("\xe3\x80\x80x\v"));
	assert_int_equal(s.len, 5);
}

static void test_cut(void **state)
{
	struct mm_slice head, tail;

	(void)state;
	tail = mm_slice_cut(mm_slice_cstr("key=value=more"), '=', &head);
	assert_true(mm_slice_eqs(head, "key"));
	assert_true(mm_slice_eqs(tail, "value=more"));
	tail = mm_slice_cut(mm_slice_cstr("novalue"), '=', &head);
	assert_true(mm_slice_eqs(head, "novalue"));
	assert_null(tail.ptr);
	assert_int_equal(tail.len, 0);
	tail = mm_slice_cut(mm_slice_cstr("=x"), '=', &head);
	assert_int_equal(head.len, 0);
	assert_true(mm_slice_eqs(tail, "x"));
	tail = mm_slice_cut(mm_slice_cstr("x="), '=', &head);
	assert_true(mm_slice_eqs(head, "x"));
	assert_non_null(tail.ptr);
	assert_int_equal(tail.len, 0);
	tail = mm_slice_cut((struct mm_slice){ NULL, 0 }, '=', &head);
	assert_int_equal(head.len, 0);
	assert_null(tail.ptr);
	/* The search stops at the slice's end. */
	tail = mm_slice_cut((struct mm_slice){ "ab=c", 2 }, '=', &head);
	assert_true(mm_slice_eqs(head, "ab"));
	assert_null(tail.ptr);
}

static void assert_i64(const char *s, int64_t want)
{
	int64_t v = 0;

	if (!mm_slice_to_i64(mm_slice_cstr(s), &v))
		fail_msg("refused \"%s\"", s);
	assert_int_equal(v, want);
}

static void assert_not_i64(const char *s)
{
	int64_t v = 12345;

	if (mm_slice_to_i64(mm_slice_cstr(s), &v))
		fail_msg("accepted \"%s\"", s);
	assert_int_equal(v, 12345);
}

static void test_to_i64(void **state)
{
	(void)state;
	assert_i64("0", 0);
	assert_i64("42", 42);
	assert_i64("-42", -42);
	assert_i64("+7", 7);
	assert_i64("007", 7);
	assert_i64("9223372036854775807", INT64_MAX);
	assert_i64("-9223372036854775808", INT64_MIN);
}

static void test_to_i64_refusals(void **state)
{
	(void)state;
	assert_not_i64("");
	assert_not_i64("-");
	assert_not_i64("+");
	assert_not_i64(" 1");
	assert_not_i64("1 ");
	assert_not_i64("1.0");
	assert_not_i64("1e3");
	assert_not_i64("0x10");
	assert_not_i64("--1");
	assert_not_i64("１"); /* full-width digit */
	assert_not_i64("9223372036854775808");
	assert_not_i64("-9223372036854775809");
	assert_not_i64("99999999999999999999");
	assert_not_i64("18446744073709551616");
	int64_t v;
	assert_false(mm_slice_to_i64((struct mm_slice){ NULL, 0 }, &v));
}

static bool valid(const char *s)
{
	return mm_utf8_valid(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("ascii"));
	assert_true(valid("é"));
	assert_true(valid("情報セキュリティ"));
	assert_true(valid("🍣"));
	assert_true(valid("\xed\x9f\xbf"));	/* U+D7FF, just below surrogates */
	assert_true(valid("\xee\x80\x80"));	/* U+E000, just above */
	assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
	assert_true(mm_utf8_valid("a\0b", 3));
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	/* Overlong forms. */
	assert_false(valid("\xc0\xaf"));
	assert_false(valid("\xc1\xbf"));
	assert_false(valid("\xe0\x80\xaf"));
	assert_false(valid("\xe0\x9f\xbf"));
	assert_false(valid("\xf0\x80\x80\xaf"));
	assert_false(valid("\xf0\x8f\xbf\xbf"));
	/* Surrogates. */
	assert_false(valid("\xed\xa0\x80"));
	assert_false(valid("\xed\xbf\xbf"));
	/* Past U+10FFFF. */
	assert_false(valid("\xf4\x90\x80\x80"));
	assert_false(valid("\xf5\x80\x80\x80"));
	assert_false(valid("\xff"));
	/* Truncated sequences, at the end and in the middle. */
	assert_false(valid("\xc3"));
	assert_false(valid("\xe6\x83"));
	assert_false(valid("\xf0\x9f\x8d"));
	assert_false(valid("\xe6\x83x"));
	assert_false(mm_utf8_valid("\xe6\x83\xa0", 2));
	/* Lone continuation bytes. */
	assert_false(valid("\x80"));
	assert_false(valid("a\xbf"));
}

static void test_utf8_count(void **state)
{
	(void)state;
	assert_int_equal(mm_utf8_count("", 0), 0);
	assert_int_equal(mm_utf8_count("abc", 3), 3);
	assert_int_equal(mm_utf8_count("情報", 6), 2);
	assert_int_equal(mm_utf8_count("a🍣b", 6), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cstr_and_eq),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_to_i64),
		cmocka_unit_test(test_to_i64_refusals),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_utf8_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
