/* The buffer never overflows its cap, remembers its first error and hands
 * its memory over on detach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

static void test_empty(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 10);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	mm_buf_reset(&b);
	mm_buf_truncate(&b, 0);
	assert_string_equal(b.data, "");
	mm_buf_free(&b);
	mm_buf_free(&b);
	assert_string_equal(b.data, "");
}

static void test_appends(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 1024);
	mm_buf_adds(&b, "id=");
	mm_buf_addi(&b, 42);
	mm_buf_addc(&b, ' ');
	mm_buf_addi(&b, INT64_MIN);
	mm_buf_addc(&b, ' ');
	mm_buf_addi(&b, INT64_MAX);
	mm_buf_addc(&b, ' ');
	mm_buf_addi(&b, 0);
	mm_buf_printf(&b, " %s/%d", "x", -7);
	mm_buf_add(&b, "zz", 0);
	assert_int_equal(b.err, MM_OK);
	assert_string_equal(b.data, "id=42 -9223372036854775808 9223372036854775807 0 x/-7");
	assert_int_equal(b.len, strlen(b.data));
	mm_buf_free(&b);
}

static void test_growth(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		mm_buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.err, MM_OK);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[10000], '\0');
	assert_int_equal(b.data[9999], 'a' + 9999 % 26);
	mm_buf_free(&b);
}

static void test_cap_exact(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 5);
	mm_buf_adds(&b, "12345");
	assert_int_equal(b.err, MM_OK);
	assert_string_equal(b.data, "12345");
	mm_buf_addc(&b, '6');
	assert_int_equal(b.err, MM_ETOOBIG);
	assert_string_equal(b.data, "12345");
	mm_buf_free(&b);
}

static void test_sticky_error(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 8);
	mm_buf_adds(&b, "abc");
	mm_buf_adds(&b, "defghijk");
	assert_int_equal(b.err, MM_ETOOBIG);
	/* Later appends that would fit do nothing. */
	mm_buf_addc(&b, 'x');
	mm_buf_addi(&b, 1);
	mm_buf_printf(&b, "%d", 2);
	assert_string_equal(b.data, "abc");
	assert_int_equal(b.err, MM_ETOOBIG);
	/* Reset clears the error and the content. */
	mm_buf_reset(&b);
	assert_int_equal(b.err, MM_OK);
	assert_string_equal(b.data, "");
	mm_buf_adds(&b, "ok");
	assert_string_equal(b.data, "ok");
	mm_buf_free(&b);
}

static void test_printf_cap(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 10);
	mm_buf_printf(&b, "%s", "0123456789");
	assert_int_equal(b.err, MM_OK);
	mm_buf_printf(&b, "%d", 1);
	assert_int_equal(b.err, MM_ETOOBIG);
	assert_string_equal(b.data, "0123456789");
	mm_buf_free(&b);
}

static void test_zero_cap(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 0);
	mm_buf_add(&b, "", 0);
	assert_int_equal(b.err, MM_OK);
	mm_buf_addc(&b, 'a');
	assert_int_equal(b.err, MM_ETOOBIG);
	assert_string_equal(b.data, "");
	mm_buf_free(&b);
}

static void test_detach(void **state)
{
	struct mm_buf b;
	size_t len = 0;
	char *p;

	(void)state;
	mm_buf_init(&b, 100);
	mm_buf_adds(&b, "hello");
	p = mm_buf_detach(&b, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	/* The buffer is empty, keeps its cap, and is usable again. */
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 100);
	mm_buf_adds(&b, "again");
	assert_string_equal(b.data, "again");
	assert_ptr_not_equal(b.data, p);
	free(p);
	mm_buf_free(&b);
}

static void test_detach_empty(void **state)
{
	struct mm_buf b;
	size_t len = 99;
	char *p;

	(void)state;
	mm_buf_init(&b, 100);
	p = mm_buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
}

static void test_detach_error(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 2);
	mm_buf_adds(&b, "abc");
	assert_null(mm_buf_detach(&b, NULL));
	mm_buf_free(&b);
}

static void test_truncate(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 100);
	mm_buf_adds(&b, "hello");
	mm_buf_truncate(&b, 10);
	assert_string_equal(b.data, "hello");
	mm_buf_truncate(&b, 2);
	assert_string_equal(b.data, "he");
	assert_int_equal(b.len, 2);
	mm_buf_free(&b);
}

static void test_unbounded_cap(void **state)
{
	struct mm_buf b;

	(void)state;
	/* A cap of SIZE_MAX must not wrap the size arithmetic. */
	mm_buf_init(&b, SIZE_MAX);
	mm_buf_adds(&b, "x");
	mm_buf_add(&b, "y", SIZE_MAX);
	assert_int_equal(b.err, MM_ETOOBIG);
	mm_buf_reset(&b);
	mm_buf_adds(&b, "x");
	mm_buf_add(&b, "y", SIZE_MAX - 1);
	assert_int_equal(b.err, MM_ETOOBIG);

	assert_string_equal(b.data, "x");
	mm_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),	     cmocka_unit_test(test_appends),
		cmocka_unit_test(test_growth),	     cmocka_unit_test(test_cap_exact),
		cmocka_unit_test(test_sticky_error), cmocka_unit_test(test_printf_cap),
		cmocka_unit_test(test_zero_cap),     cmocka_unit_test(test_detach),
		cmocka_unit_test(test_detach_empty), cmocka_unit_test(test_detach_error),
		cmocka_unit_test(test_truncate),     cmocka_unit_test(test_unbounded_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
