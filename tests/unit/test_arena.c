/* The arena hands out aligned memory, refuses to grow past its cap and
 * frees everything at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/arena.h"

#include <stdalign.h>
#include <string.h>

static void test_alignment(void **state)
{
	struct mm_arena a;

	(void)state;
	mm_arena_init(&a, 0);
	for (size_t n = 0; n < 100; n++) {
		void *p = mm_arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
	}
	mm_arena_free(&a);
}

static void test_distinct_and_writable(void **state)
{
	struct mm_arena a;
	char *p[200];

	(void)state;
	mm_arena_init(&a, 0);
	/* Enough to need several blocks, including one larger than a block. */
	for (int i = 0; i < 200; i++) {
		size_t n = i == 100 ? 100000 : 100;
		p[i] = mm_arena_alloc(&a, n);
		assert_non_null(p[i]);
		memset(p[i], i, n);
	}
	for (int i = 0; i < 200; i++)
		assert_int_equal((unsigned char)p[i][99], i);
	mm_arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);
}

static void test_zalloc(void **state)
{
	struct mm_arena a;
	unsigned char *p;

	(void)state;
	mm_arena_init(&a, 0);
	p = mm_arena_alloc(&a, 64);
	memset(p, 0xab, 64);
	mm_arena_free(&a);
	p = mm_arena_zalloc(&a, 5000);
	assert_non_null(p);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(p[i], 0);
	mm_arena_free(&a);
}

static void test_cap(void **state)
{
	struct mm_arena a;
	size_t total = 0;

	(void)state;
	mm_arena_init(&a, 1000);
	assert_null(mm_arena_alloc(&a, 1001));
	assert_non_null(mm_arena_alloc(&a, 500));
	/* Keeps allocating until the cap, then refuses. */
	while (mm_arena_alloc(&a, 10))
		total += 10;
	assert_true(a.used <= 1000);
	/* Small allocations fill what the first one left (each is rounded up
	 * to the alignment). */
	assert_true(total >= 100);
	assert_null(mm_arena_alloc(&a, 1));
	assert_null(mm_arena_strdup(&a, "x"));
	/* After a free the arena is usable again. */
	mm_arena_free(&a);
	assert_non_null(mm_arena_alloc(&a, 900));
	mm_arena_free(&a);
}

static void test_huge_refused(void **state)
{
	struct mm_arena a;

	(void)state;
	mm_arena_init(&a, 0);
	assert_null(mm_arena_alloc(&a, SIZE_MAX));
	assert_null(mm_arena_alloc(&a, SIZE_MAX / 2 + 1));
	assert_null(mm_arena_zalloc(&a, SIZE_MAX - 3));
	assert_null(mm_arena_strndup(&a, "abc", SIZE_MAX));
	mm_arena_free(&a);
}

static void test_strdup(void **state)
{
	struct mm_arena a;
	char *s;

	(void)state;
	mm_arena_init(&a, 0);
	s = mm_arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	s = mm_arena_strndup(&a, NULL, 0);
	assert_string_equal(s, "");
	s = mm_arena_strdup(&a, "情報");
	assert_string_equal(s, "情報");
	assert_null(mm_arena_strdup(&a, NULL));
	mm_arena_free(&a);
}

static void test_free_empty(void **state)
{
	struct mm_arena a;

	(void)state;
	mm_arena_init(&a, 0);
	mm_arena_free(&a);
	mm_arena_free(&a);
	assert_null(a.head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment),    cmocka_unit_test(test_distinct_and_writable),
		cmocka_unit_test(test_zalloc),	     cmocka_unit_test(test_cap),
		cmocka_unit_test(test_huge_refused), cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_free_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
