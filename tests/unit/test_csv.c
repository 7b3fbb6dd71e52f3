/* CSV export must open cleanly in Excel without running formulas, and
 * import must read what spreadsheets write and refuse what is broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

static void assert_field(const char *in, bool neutralise, const char *want)
{
	struct mm_buf b;

	mm_buf_init(&b, 1024);
	mm_csv_field(&b, in, strlen(in), neutralise);
	assert_int_equal(b.err, MM_OK);
	if (strcmp(b.data, want) != 0)
		fail_msg("field [%s] written as [%s], not [%s]", in, b.data, want);
	mm_buf_free(&b);
}

static void test_field_plain(void **state)
{
	(void)state;
	assert_field("", true, "");
	assert_field("abc", true, "abc");
	assert_field("情報資産台帳", true, "情報資産台帳");
	assert_field("a b", true, "a b");
	assert_field("12", false, "12");
	assert_field("it's", true, "it's");
}

static void test_field_quoted(void **state)
{
	(void)state;
	assert_field("a,b", true, "\"a,b\"");
	assert_field("say \"hi\"", true, "\"say \"\"hi\"\"\"");
	assert_field("\"", true, "\"\"\"\"");
	assert_field("line1\nline2", true, "\"line1\nline2\"");
	assert_field("line1\r\nline2", true, "\"line1\r\nline2\"");
	assert_field(" lead", true, "\" lead\"");
	assert_field("trail ", true, "\"trail \"");
	assert_field("trail\t", true, "\"trail\t\"");
	/* Unquoted, it would be dropped as the file's byte order mark. */
	assert_field("\xef\xbb\xbfx", true, "\"\xef\xbb\xbfx\"");
	assert_field("x\xef\xbb\xbf", true, "x\xef\xbb\xbf");
}

static void test_field_neutralise(void **state)
{
	(void)state;
	assert_field("=1+2", true, "'=1+2");
	assert_field("+81-3-1234", true, "'+81-3-1234");
	assert_field("-5", true, "'-5");
	assert_field("@SUM(A1)", true, "'@SUM(A1)");
	assert_field("\tcmd", true, "\"'\tcmd\"");
	assert_field("\rcmd", true, "\"'\rcmd\"");
	assert_field("=HYPERLINK(\"http://x\",\"y\")", true,
		     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_field("a=b", true, "a=b");
	/* Quotes before a formula get one more, so that the reader's
	 * mm_csv_unneutralise gives back exactly what was written. */
	assert_field("'=1", true, "''=1");
	assert_field("''-", true, "'''-");
	assert_field("'abc", true, "'abc");
	assert_field("'", true, "'");
	/* Numbers are written as they are. */
	assert_field("-5", false, "-5");
	assert_field("=1+2", false, "=1+2");
}

static void assert_unneutralise(const char *in, const char *want)
{
	struct mm_slice s = mm_csv_unneutralise(mm_slice_cstr(in));

	if (s.len != strlen(want) || memcmp(s.ptr, want, s.len) != 0)
		fail_msg("cell [%s] read as [%.*s], not [%s]", in, (int)s.len, s.ptr, want);
}

static void test_unneutralise(void **state)
{
	/* (An empty text is a blank line, which the reader skips.) */
	static const char *const texts[] = {
		"=1+2", "+81", "-5",  "@SUM(A1)", "\tx", "\rx", "'=1", "''@", "'abc",
		"'",	"''",  "abc", "a'=b",	  "-",	 "'-",	"=",   "'\t",
	};

	(void)state;
	assert_unneutralise("'=1+2", "=1+2");
	assert_unneutralise("''=1", "'=1");
	assert_unneutralise("'abc", "'abc");
	assert_unneutralise("'", "'");
	assert_unneutralise("=raw", "=raw");
	assert_unneutralise("", "");
	/* Written and read back, every text is itself again. */
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct mm_buf b;
		struct mm_csv_reader r;
		struct mm_arena a;
		struct mm_slice *f, s;
		size_t n;

		mm_buf_init(&b, 1024);
		mm_arena_init(&a, 1 << 16);
		mm_csv_field(&b, texts[i], strlen(texts[i]), true);
		mm_csv_row_end(&b);
		mm_csv_reader_init(&r, b.data, b.len);
		assert_int_equal(mm_csv_next(&r, &a, &f, &n), MM_OK);
		assert_int_equal(n, 1);
		s = mm_csv_unneutralise(f[0]);
		if (s.len != strlen(texts[i]) || memcmp(s.ptr, texts[i], s.len) != 0)
			fail_msg("[%s] came back as [%.*s]", texts[i], (int)s.len, s.ptr);
		mm_arena_free(&a);
		mm_buf_free(&b);
	}
}

static void test_field_row(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 1024);
	mm_csv_field(&b, "id", 2, true);
	mm_buf_addc(&b, ',');
	mm_csv_field(&b, "a,b", 3, true);
	mm_csv_row_end(&b);
	assert_string_equal(b.data, "id,\"a,b\"\r\n");
	mm_buf_free(&b);
}

static void test_field_cap(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 4);
	mm_csv_field(&b, "a\"b", 3, true);
	assert_int_equal(b.err, MM_ETOOBIG);
	mm_buf_free(&b);
}

struct fixture {
	struct mm_arena a;
	struct mm_csv_reader r;
	struct mm_slice *f;
	size_t n;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	mm_arena_init(&x->a, 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	mm_arena_free(&x->a);
	free(x);
	return 0;
}

static void start(struct fixture *x, const char *s)
{
	mm_csv_reader_init(&x->r, s, strlen(s));
}

static int next(struct fixture *x)
{
	return mm_csv_next(&x->r, &x->a, &x->f, &x->n);
}

static void assert_record(struct fixture *x, size_t line, size_t n, ...)
{
	va_list ap;

	assert_int_equal(next(x), MM_OK);
	assert_int_equal(x->r.line, line);
	assert_int_equal(x->n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);
		if (!mm_slice_eqs(x->f[i], want))
			fail_msg("field %zu is [%.*s], not [%s]", i, (int)x->f[i].len, x->f[i].ptr,
				 want);
		/* Fields are NUL-terminated copies. */
		assert_int_equal(x->f[i].ptr[x->f[i].len], '\0');
	}
	va_end(ap);
}

static void test_read_simple(void **state)
{
	struct fixture *x = *state;

	start(x, "a,b,c\r\n1,2,3\r\n");
	assert_record(x, 1, 3, "a", "b", "c");
	assert_record(x, 2, 3, "1", "2", "3");
	assert_int_equal(next(x), MM_ENOTFOUND);
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_lf_and_no_final_newline(void **state)
{
	struct fixture *x = *state;

	start(x, "a,b\n1,2");
	assert_record(x, 1, 2, "a", "b");
	assert_record(x, 2, 2, "1", "2");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_empty_fields(void **state)
{
	struct fixture *x = *state;

	start(x, ",\r\na,,\r\n\"\"\r\n");
	assert_record(x, 1, 2, "", "");
	assert_record(x, 2, 3, "a", "", "");
	assert_record(x, 3, 1, "");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_quoted(void **state)
{
	struct fixture *x = *state;

	start(x, "\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\r\n\"名前\",x\r\n");
	assert_record(x, 1, 3, "a,b", "say \"hi\"", "\"");
	assert_record(x, 2, 2, "名前", "x");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_multiline(void **state)
{
	struct fixture *x = *state;

	start(x, "id,note\r\n1,\"first\r\nsecond\nthird\"\r\n2,x\r\n");
	assert_record(x, 1, 2, "id", "note");
	assert_record(x, 2, 2, "1", "first\r\nsecond\nthird");
	/* The record after a three-line field starts on line 5. */
	assert_record(x, 5, 2, "2", "x");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_blank_lines(void **state)
{
	struct fixture *x = *state;

	/* Trailing empty lines are skipped; one in the middle is a record. */
	start(x, "a\r\n\r\nb\r\n\r\n\n");
	assert_record(x, 1, 1, "a");
	assert_record(x, 2, 1, "");
	assert_record(x, 3, 1, "b");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_empty_input(void **state)
{
	struct fixture *x = *state;

	start(x, "");
	assert_int_equal(next(x), MM_ENOTFOUND);
	start(x, "\r\n");
	assert_int_equal(next(x), MM_ENOTFOUND);
	start(x, "\xef\xbb\xbf");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_bom(void **state)
{
	struct fixture *x = *state;

	start(x, "\xef\xbb\xbf名前,id\r\n");
	assert_record(x, 1, 2, "名前", "id");
	assert_int_equal(next(x), MM_ENOTFOUND);
}

static void test_read_spaces_kept(void **state)
{
	struct fixture *x = *state;

	/* Spaces are data; a quote inside an unquoted field is kept as is. */
	start(x, " a , b ,5\"x\n");
	assert_record(x, 1, 3, " a ", " b ", "5\"x");
}

static void test_read_unterminated_quote(void **state)
{
	struct fixture *x = *state;

	start(x, "a,b\r\n1,\"open\r\n2,3\r\n");
	assert_record(x, 1, 2, "a", "b");
	assert_int_equal(next(x), MM_EINVAL);
	assert_int_equal(x->r.line, 2);
	/* The error is sticky. */
	assert_int_equal(next(x), MM_EINVAL);
	start(x, "\"");
	assert_int_equal(next(x), MM_EINVAL);
	start(x, "\"abc\"\"");
	assert_int_equal(next(x), MM_EINVAL);
}

static void test_read_text_after_quote(void **state)
{
	struct fixture *x = *state;

	start(x, "\"abc\"def,1\r\n");
	assert_int_equal(next(x), MM_EINVAL);
	start(x, "1,\"abc\" ,2\r\n");
	assert_int_equal(next(x), MM_EINVAL);
	start(x, "ok\n\"a\"\"b\"x\n");
	assert_record(x, 1, 1, "ok");
	assert_int_equal(next(x), MM_EINVAL);
	assert_int_equal(x->r.line, 2);
}

static void test_read_too_many_fields(void **state)
{
	struct fixture *x = *state;
	struct mm_buf b;

	mm_buf_init(&b, 1 << 20);
	for (int i = 0; i < MM_CSV_MAX_FIELDS - 1; i++)
		mm_buf_addc(&b, ',');
	mm_buf_adds(&b, "\n");
	start(x, b.data);
	assert_int_equal(next(x), MM_OK);
	assert_int_equal(x->n, MM_CSV_MAX_FIELDS);
	mm_buf_reset(&b);
	for (int i = 0; i < MM_CSV_MAX_FIELDS; i++)
		mm_buf_addc(&b, ',');
	mm_buf_adds(&b, "\n");
	start(x, b.data);
	assert_int_equal(next(x), MM_ETOOBIG);
	mm_buf_free(&b);
}

static void test_read_field_too_big(void **state)
{
	struct fixture *x = *state;
	size_t n = MM_CSV_MAX_FIELD + 3;
	char *big = malloc(n + 1);

	assert_non_null(big);
	/* Exactly the limit passes, quoted or not. */
	memset(big, 'x', n);
	big[0] = '"';
	big[MM_CSV_MAX_FIELD + 1] = '"';
	big[MM_CSV_MAX_FIELD + 2] = '\n';
	mm_csv_reader_init(&x->r, big, n);
	assert_int_equal(next(x), MM_OK);
	assert_int_equal(x->f[0].len, MM_CSV_MAX_FIELD);
	mm_csv_reader_init(&x->r, big + 1, MM_CSV_MAX_FIELD);
	assert_int_equal(next(x), MM_OK);
	/* One byte more does not. */
	memset(big, 'x', n);
	big[0] = '"';
	big[MM_CSV_MAX_FIELD + 2] = '"';
	mm_csv_reader_init(&x->r, big, n);
	assert_int_equal(next(x), MM_ETOOBIG);
	mm_csv_reader_init(&x->r, big + 1, MM_CSV_MAX_FIELD + 1);
	assert_int_equal(next(x), MM_ETOOBIG);
	free(big);
}

static void test_read_arena_exhausted(void **state)
{
	struct mm_arena a;
	struct mm_csv_reader r;
	struct mm_slice *f;
	size_t n;

	(void)state;
	mm_arena_init(&a, 64);
	mm_csv_reader_init(&r, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", 34);
	assert_int_equal(mm_csv_next(&r, &a, &f, &n), MM_ENOMEM);
	mm_arena_free(&a);
}

static void test_round_trip(void **state)
{
	static const char *const vals[] = { "plain", "a,b", "q\"q", "multi\r\nline",
					    " sp ",  "",    "令和" };
	struct fixture *x = *state;
	struct mm_buf b;
	size_t nv = sizeof(vals) / sizeof(vals[0]);

	mm_buf_init(&b, 4096);
	for (size_t i = 0; i < nv; i++) {
		if (i)
			mm_buf_addc(&b, ',');
		mm_csv_field(&b, vals[i], strlen(vals[i]), true);
	}
	mm_csv_row_end(&b);
	start(x, b.data);
	assert_int_equal(next(x), MM_OK);
	assert_int_equal(x->n, nv);
	for (size_t i = 0; i < nv; i++)
		assert_true(mm_slice_eqs(x->f[i], vals[i]));
	assert_int_equal(next(x), MM_ENOTFOUND);
	mm_buf_free(&b);
}

/* A first field that itself starts with U+FEFF, written at the very start
 * of a file without a byte order mark, reads back whole (found by fuzzing:
 * it used to be read as the file's byte order mark and dropped). */
static void test_round_trip_leading_bom(void **state)
{
	struct fixture *x = *state;
	struct mm_buf b;

	mm_buf_init(&b, 64);
	mm_csv_field(&b, "\xef\xbb\xbf", 3, true);
	mm_csv_row_end(&b);
	start(x, b.data);
	assert_record(x, 1, 1, "\xef\xbb\xbf");
	assert_int_equal(next(x), MM_ENOTFOUND);
	mm_buf_free(&b);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_plain),
		cmocka_unit_test(test_field_quoted),
		cmocka_unit_test(test_field_neutralise),
		cmocka_unit_test(test_unneutralise),
		cmocka_unit_test(test_field_row),
		cmocka_unit_test(test_field_cap),
		T(test_read_simple),
		T(test_read_lf_and_no_final_newline),
		T(test_read_empty_fields),
		T(test_read_quoted),
		T(test_read_multiline),
		T(test_read_blank_lines),
		T(test_read_empty_input),
		T(test_read_bom),
		T(test_read_spaces_kept),
		T(test_read_unterminated_quote),
		T(test_read_text_after_quote),
		T(test_read_too_many_fields),
		T(test_read_field_too_big),
		cmocka_unit_test(test_read_arena_exhausted),
		T(test_round_trip),
		T(test_round_trip_leading_bom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
