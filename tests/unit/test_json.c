/* JSON output must be well-formed whatever the data: escaping, commas and
 * nesting are the writer's job, not the caller's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/json.h"

#include <string.h>

static void assert_escaped(const char *in, size_t n, const char *want)
{
	struct mm_buf b;

	mm_buf_init(&b, 1024);
	mm_json_escape(&b, in, n);
	assert_int_equal(b.err, MM_OK);
	assert_string_equal(b.data, want);
	mm_buf_free(&b);
}

static void test_escape(void **state)
{
	(void)state;
	assert_escaped("", 0, "\"\"");
	assert_escaped("plain", 5, "\"plain\"");
	assert_escaped("say \"hi\"", 8, "\"say \\\"hi\\\"\"");
	assert_escaped("a\\b", 3, "\"a\\\\b\"");
	assert_escaped("l1\nl2\r\t", 7, "\"l1\\nl2\\r\\t\"");
	assert_escaped("\x01\x1f\b\f", 4, "\"\\u0001\\u001f\\u0008\\u000c\"");
	assert_escaped("a\0b", 3, "\"a\\u0000b\"");
	assert_escaped("情報</script>", 15, "\"情報</script>\"");
	assert_escaped("\x7f", 1, "\"\x7f\"");
}

static void test_object(void **state)
{
	struct mm_buf b;
	struct mm_json j;

	(void)state;
	mm_buf_init(&b, 1024);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "id");
	mm_json_int(&j, -5);
	mm_json_key(&j, "name");
	mm_json_str(&j, "台帳");
	mm_json_key(&j, "ok");
	mm_json_bool(&j, true);
	mm_json_key(&j, "no");
	mm_json_bool(&j, false);
	mm_json_key(&j, "none");
	mm_json_null(&j);
	mm_json_key(&j, "missing");
	mm_json_str(&j, NULL);
	mm_json_key(&j, "part");
	mm_json_strn(&j, "abcdef", 3);
	mm_json_key(&j, "k\"ey");
	mm_json_int(&j, INT64_MIN);
	mm_json_obj_close(&j);
	assert_int_equal(b.err, MM_OK);
	assert_string_equal(b.data, "{\"id\":-5,\"name\":\"台帳\",\"ok\":true,\"no\":false,"
				    "\"none\":null,\"missing\":null,\"part\":\"abc\","
				    "\"k\\\"ey\":-9223372036854775808}");
	mm_buf_free(&b);
}

static void test_nesting(void **state)
{
	struct mm_buf b;
	struct mm_json j;

	(void)state;
	mm_buf_init(&b, 1024);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	mm_json_obj_open(&j);
	mm_json_key(&j, "a");
	mm_json_arr_open(&j);
	mm_json_arr_close(&j);
	mm_json_key(&j, "b");
	mm_json_obj_open(&j);
	mm_json_obj_close(&j);
	mm_json_obj_close(&j);
	mm_json_obj_open(&j);
	mm_json_obj_close(&j);
	mm_json_int(&j, 1);
	mm_json_arr_open(&j);
	mm_json_int(&j, 2);
	mm_json_int(&j, 3);
	mm_json_arr_close(&j);
	mm_json_arr_close(&j);
	mm_json_key(&j, "n");
	mm_json_int(&j, 0);
	mm_json_obj_close(&j);
	assert_int_equal(b.err, MM_OK);
	assert_string_equal(b.data, "{\"items\":[{\"a\":[],\"b\":{}},{},1,[2,3]],\"n\":0}");
	assert_int_equal(j.depth, 0);
	mm_buf_free(&b);
}

static void test_too_deep(void **state)
{
	struct mm_buf b;
	struct mm_json j;
	int i;

	(void)state;
	mm_buf_init(&b, 1024);
	mm_json_init(&j, &b);
	for (i = 0; i < MM_JSON_MAX_DEPTH - 1; i++)
		mm_json_arr_open(&j);
	assert_int_equal(b.err, MM_OK);
	mm_json_arr_open(&j);
	assert_int_equal(b.err, MM_EINVAL);
	mm_buf_free(&b);
}

static void test_cap(void **state)
{
	struct mm_buf b;
	struct mm_json j;

	(void)state;
	mm_buf_init(&b, 10);
	mm_json_init(&j, &b);
	mm_json_arr_open(&j);
	mm_json_str(&j, "a long string");
	mm_json_int(&j, 1);
	mm_json_arr_close(&j);
	assert_int_equal(b.err, MM_ETOOBIG);
	/* Output stops at the cap; the caller sees the error and discards it. */
	assert_true(b.len <= 10);
	assert_int_equal(strncmp(b.data, "[\"a long", b.len), 0);
	mm_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),	cmocka_unit_test(test_object),
		cmocka_unit_test(test_nesting), cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
