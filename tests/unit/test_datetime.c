/* Times are stored in UTC, shown in JST and typed by people in many shapes,
 * including the Japanese era calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/datetime.h"
#include "core/err.h"

#include <string.h>

static int parse(const char *s, struct mm_date *d)
{
	return mm_date_parse(mm_slice_cstr(s), d);
}

static void assert_parses(const char *s, int y, int m, int d)
{
	struct mm_date r = { 0, 0, 0 };

	if (parse(s, &r) != MM_OK)
		fail_msg("refused \"%s\"", s);
	if (r.y != y || r.m != m || r.d != d)
		fail_msg("\"%s\" gave %d-%d-%d, not %d-%d-%d", s, r.y, r.m, r.d, y, m, d);
}

static void assert_refused(const char *s)
{
	struct mm_date r = { 1, 2, 3 };

	if (parse(s, &r) != MM_EINVAL)
		fail_msg("accepted \"%s\"", s);
	/* A refusal leaves the output alone. */
	assert_int_equal(r.y, 1);
}

static void test_time_iso(void **state)
{
	char out[21];

	(void)state;
	mm_time_iso(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	mm_time_iso(1711929600, out);
	assert_string_equal(out, "2024-04-01T00:00:00Z");
	mm_time_iso(951782400 + 86399, out); /* 2000-02-29 is a leap day */
	assert_string_equal(out, "2000-02-29T23:59:59Z");
	mm_time_iso(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	mm_time_iso(INT64_MAX, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	mm_time_iso(INT64_MIN, out);
	assert_string_equal(out, "0001-01-01T00:00:00Z");
}

static void test_time_parse_round_trip(void **state)
{
	static const int64_t samples[] = { 0,	       1,	   -86400,     951782400,
					   1711929600, 1556668800, 4102444799, 253402300799 };
	char out[21];
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		mm_time_iso(samples[i], out);
		assert_int_equal(mm_time_parse_iso(out, &t), MM_OK);
		assert_int_equal(t, samples[i]);
	}
}

static void test_time_parse_offsets(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(mm_time_parse_iso("2024-04-01T09:00:00+09:00", &t), MM_OK);
	assert_int_equal(t, 1711929600);
	assert_int_equal(mm_time_parse_iso("2024-03-31T19:30:00-04:30", &t), MM_OK);
	assert_int_equal(t, 1711929600);
	assert_int_equal(mm_time_parse_iso("2024-04-01T00:00:00.999Z", &t), MM_OK);
	assert_int_equal(t, 1711929600);
}

static void test_time_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"",
		"2024-04-01",
		"2024-04-01T00:00:00",	    /* no zone */
		"2024-04-01 00:00:00Z",	    /* space for T */
		"2024-04-01T00:00:00Zjunk", /* trailing text */
		"2024-04-01T00:00:00z",
		"2024-4-01T00:00:00Z",
		"2023-02-29T00:00:00Z", /* not a leap year */
		"2024-13-01T00:00:00Z",
		"2024-04-31T00:00:00Z",
		"2024-04-01T24:00:00Z",
		"2024-04-01T23:60:00Z",
		"2024-04-01T23:59:60Z", /* leap seconds are not stored */
		"2024-04-01T00:00:00.Z",
		"2024-04-01T00:00:00+9:00",
		"2024-04-01T00:00:00+24:00",
		"0000-01-01T00:00:00Z",
		"２０２４-04-01T00:00:00Z",
	};
	int64_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mm_time_parse_iso(bad[i], &t) != MM_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(mm_time_parse_iso(NULL, &t), MM_EINVAL);
	assert_int_equal(t, 42);
}

static void test_time_jst(void **state)
{
	char out[17];

	(void)state;
	mm_time_jst(1711929600, out);
	assert_string_equal(out, "2024-04-01 09:00");
	/* 15:00 UTC on 31 March is already 1 April in Japan. */
	mm_time_jst(1711897200, out);
	assert_string_equal(out, "2024-04-01 00:00");
	mm_time_jst(1711897199, out);
	assert_string_equal(out, "2024-03-31 23:59");
	mm_time_jst(INT64_MAX, out);
	assert_string_equal(out, "9999-12-31 23:59");
}

static void test_date_from_time_jst(void **state)
{
	struct mm_date d;

	(void)state;
	d = mm_date_from_time_jst(1711897199);
	assert_int_equal(d.y, 2024);
	assert_int_equal(d.m, 3);
	assert_int_equal(d.d, 31);
	d = mm_date_from_time_jst(1711897200);
	assert_int_equal(d.m, 4);
	assert_int_equal(d.d, 1);
	/* Before 1970 the division must round down, not toward zero. */
	d = mm_date_from_time_jst(-9 * 3600 - 1);
	assert_int_equal(d.y, 1969);
	assert_int_equal(d.m, 12);
	assert_int_equal(d.d, 31);
	d = mm_date_today();
	assert_true(mm_date_valid(d));
}

static void test_date_valid(void **state)
{
	(void)state;
	assert_true(mm_date_valid((struct mm_date){ 2024, 2, 29 }));
	assert_true(mm_date_valid((struct mm_date){ 2000, 2, 29 }));
	assert_true(mm_date_valid((struct mm_date){ 1868, 1, 1 }));
	assert_true(mm_date_valid((struct mm_date){ 9999, 12, 31 }));
	assert_false(mm_date_valid((struct mm_date){ 2023, 2, 29 }));
	assert_false(mm_date_valid((struct mm_date){ 1900, 2, 29 }));
	assert_false(mm_date_valid((struct mm_date){ 2024, 4, 31 }));
	assert_false(mm_date_valid((struct mm_date){ 2024, 0, 1 }));
	assert_false(mm_date_valid((struct mm_date){ 2024, 13, 1 }));
	assert_false(mm_date_valid((struct mm_date){ 2024, 1, 0 }));
	assert_false(mm_date_valid((struct mm_date){ 1867, 12, 31 }));
	assert_false(mm_date_valid((struct mm_date){ 10000, 1, 1 }));
}

static void test_date_parse_western(void **state)
{
	(void)state;
	assert_parses("2024-04-01", 2024, 4, 1);
	assert_parses("2024/4/1", 2024, 4, 1);
	assert_parses("2024.4.1", 2024, 4, 1);
	assert_parses("20240401", 2024, 4, 1);
	assert_parses("2024年4月1日", 2024, 4, 1);
	assert_parses("  2024-04-01\t\r\n", 2024, 4, 1);
	assert_parses("2024-02-29", 2024, 2, 29);
	assert_parses("1868-01-01", 1868, 1, 1);
}

static void test_date_parse_fullwidth(void **state)
{
	(void)state;
	assert_parses("２０２４－０４－０１", 2024, 4, 1);
	assert_parses("２０２４／４／１", 2024, 4, 1);
	assert_parses("２０２４．４．１", 2024, 4, 1);
	assert_parses("２０２４０４０１", 2024, 4, 1);
	assert_parses("２０２４年４月１日", 2024, 4, 1);
	assert_parses("令和６年４月１日", 2024, 4, 1);
	assert_parses("Ｒ６．４．１", 2024, 4, 1);
	assert_parses("ｒ６／４／１", 2024, 4, 1);
	assert_parses("Ｈ３１．４．３０", 2019, 4, 30);
	assert_parses("\xe3\x80\x80令和元年５月１日\xe3\x80\x80", 2019, 5, 1); /* U+3000 */
	assert_parses("2024\xe2\x88\x92"
		      "4\xe2\x88\x92"
		      "1",
		      2024, 4, 1); /* U+2212 */
}

static void test_date_parse_wareki(void **state)
{
	(void)state;
	assert_parses("令和6年4月1日", 2024, 4, 1);
	assert_parses("令和元年5月1日", 2019, 5, 1);
	assert_parses("令和1年5月1日", 2019, 5, 1);
	assert_parses("R6.4.1", 2024, 4, 1);
	assert_parses("R6/4/1", 2024, 4, 1);
	assert_parses("R6-4-1", 2024, 4, 1);
	assert_parses("R06.04.01", 2024, 4, 1);
	assert_parses("r6.4.1", 2024, 4, 1);
	assert_parses("H31.4.30", 2019, 4, 30);
	assert_parses("平成31年4月30日", 2019, 4, 30);
	assert_parses("平成元年1月8日", 1989, 1, 8);
	assert_parses("昭和64年1月7日", 1989, 1, 7);
	assert_parses("S64.1.7", 1989, 1, 7);
	assert_parses("s1.12.25", 1926, 12, 25);
	assert_parses("大正15年12月24日", 1926, 12, 24);
	assert_parses("T1.7.30", 1912, 7, 30);
	assert_parses("明治45年7月29日", 1912, 7, 29);
	assert_parses("M45.7.29", 1912, 7, 29);
	assert_parses("明治元年1月1日", 1868, 1, 1);
	assert_parses("m1.10.23", 1868, 10, 23);
	/* mm_date_wareki writes years of 令和 past 99 as they are; they read
	 * back (found by fuzzing: 9999-12-31 is 令和7981年12月31日). */
	assert_parses("R100.1.1", 2118, 1, 1);
	assert_parses("令和7981年12月31日", 9999, 12, 31);
	assert_parses("R0100.1.1", 2118, 1, 1);
}

static void test_date_parse_outside_era(void **state)
{
	(void)state;
	assert_refused("平成31年5月1日");
	assert_refused("H31.5.1");
	assert_refused("令和1年4月30日");
	assert_refused("R1.4.30");
	assert_refused("昭和64年1月8日");
	assert_refused("平成1年1月7日");
	assert_refused("大正1年7月29日");
	assert_refused("明治45年7月30日");
	assert_refused("大正15年12月25日");
	assert_refused("令和0年5月1日");
	assert_refused("R0.5.1");
	assert_refused("R8000.1.1"); /* past 9999 */
	assert_refused("R10000.1.1");
}

static void test_date_parse_refusals(void **state)
{
	(void)state;
	assert_refused("");
	assert_refused("   ");
	assert_refused("2023-02-29");
	assert_refused("2024-04-31");
	assert_refused("2024-13-01");
	assert_refused("2024-00-10");
	assert_refused("2024-04-00");
	assert_refused("1867-12-31");
	assert_refused("24-04-01");
	assert_refused("02024-04-01");
	assert_refused("2024-4/1");    /* mixed separators */
	assert_refused("2024-04-01x"); /* trailing text */
	assert_refused("2024-04-01 10:00");
	assert_refused("2024-04");
	assert_refused("2024-04-");
	assert_refused("2024-004-01");
	assert_refused("2024401");
	assert_refused("202404011");
	assert_refused("2024年4月1");
	assert_refused("2024年4月1日です");
	assert_refused("令和6年4月");
	assert_refused("令和6年4月1日x");
	assert_refused("令和");
	assert_refused("R");
	assert_refused("R.4.1");
	assert_refused("X6.4.1");
	assert_refused("RR6.4.1");
	assert_refused("R6 4 1");
	assert_refused("R6.4.1.");
	assert_refused("-2024-04-01");
	assert_refused("today");
	assert_refused("\xff\xfe"); /* not UTF-8 */
	assert_refused("2024-04-01                                                          ");
	/* A slice stops where it says, even inside a longer string. */
	struct mm_date d;
	assert_int_equal(mm_date_parse((struct mm_slice){ "2024-04-015", 10 }, &d), MM_OK);
	assert_int_equal(d.d, 1);
	assert_int_equal(mm_date_parse((struct mm_slice){ NULL, 0 }, &d), MM_EINVAL);
}

static void test_date_iso(void **state)
{
	char out[11];

	(void)state;
	mm_date_iso((struct mm_date){ 2024, 4, 1 }, out);
	assert_string_equal(out, "2024-04-01");
	mm_date_iso((struct mm_date){ 1868, 12, 31 }, out);
	assert_string_equal(out, "1868-12-31");
	mm_date_iso((struct mm_date){ -5, 100, 1 }, out);
	assert_string_equal(out, "0000-00-00");
}

static void assert_wareki(int y, int m, int d, const char *lng, const char *abbr)
{
	char out[MM_WAREKI_MAX];

	assert_int_equal(mm_date_wareki((struct mm_date){ y, m, d }, false, out, sizeof(out)),
			 MM_OK);
	assert_string_equal(out, lng);
	assert_int_equal(mm_date_wareki((struct mm_date){ y, m, d }, true, out, sizeof(out)),
			 MM_OK);
	assert_string_equal(out, abbr);
}

static void test_date_wareki(void **state)
{
	(void)state;
	assert_wareki(2024, 4, 1, "令和6年4月1日", "R6.4.1");
	assert_wareki(2019, 5, 1, "令和元年5月1日", "R1.5.1");
	assert_wareki(2019, 4, 30, "平成31年4月30日", "H31.4.30");
	assert_wareki(1989, 1, 8, "平成元年1月8日", "H1.1.8");
	assert_wareki(1989, 1, 7, "昭和64年1月7日", "S64.1.7");
	assert_wareki(1926, 12, 25, "昭和元年12月25日", "S1.12.25");
	assert_wareki(1926, 12, 24, "大正15年12月24日", "T15.12.24");
	assert_wareki(1912, 7, 30, "大正元年7月30日", "T1.7.30");
	assert_wareki(1912, 7, 29, "明治45年7月29日", "M45.7.29");
	assert_wareki(1868, 1, 1, "明治元年1月1日", "M1.1.1");
	assert_wareki(9999, 12, 31, "令和7981年12月31日", "R7981.12.31");
}

static void test_date_wareki_round_trip(void **state)
{
	struct mm_date d = { 1868, 1, 1 }, back;
	char out[MM_WAREKI_MAX];

	(void)state;
	/* Every day of every era reads back as itself, in both forms. */
	while (d.y < 2030) {
		for (int abbrev = 0; abbrev < 2; abbrev++) {
			assert_int_equal(mm_date_wareki(d, abbrev, out, sizeof(out)), MM_OK);
			if (parse(out, &back) != MM_OK || mm_date_cmp(back, d) != 0)
				fail_msg("%s did not read back", out);
		}
		d = mm_date_add_days(d, 1);
	}
	/* And the far future, where 令和 years take three and four digits. */
	for (d = (struct mm_date){ 2116, 12, 31 }; d.y < 10000; d = mm_date_add_days(d, 997)) {
		assert_int_equal(mm_date_wareki(d, true, out, sizeof(out)), MM_OK);
		if (parse(out, &back) != MM_OK || mm_date_cmp(back, d) != 0)
			fail_msg("%s did not read back", out);
	}
}

static void test_date_wareki_refusals(void **state)
{
	char out[MM_WAREKI_MAX];

	(void)state;
	assert_int_equal(mm_date_wareki((struct mm_date){ 2023, 2, 29 }, false, out, sizeof(out)),
			 MM_EINVAL);
	assert_int_equal(mm_date_wareki((struct mm_date){ 1867, 12, 31 }, true, out, sizeof(out)),
			 MM_EINVAL);
	/* "令和6年4月1日" needs 19 bytes with its NUL. */
	assert_int_equal(mm_date_wareki((struct mm_date){ 2024, 4, 1 }, false, out, 18), MM_ENOMEM);
	assert_string_equal(out, "");
	assert_int_equal(mm_date_wareki((struct mm_date){ 2024, 4, 1 }, false, out, 19), MM_OK);
	assert_int_equal(mm_date_wareki((struct mm_date){ 2024, 4, 1 }, true, out, 6), MM_ENOMEM);
	assert_int_equal(mm_date_wareki((struct mm_date){ 2024, 4, 1 }, true, out, 0), MM_ENOMEM);
}

static void test_fiscal_year(void **state)
{
	(void)state;
	assert_int_equal(mm_fiscal_year((struct mm_date){ 2024, 4, 1 }), 2024);
	assert_int_equal(mm_fiscal_year((struct mm_date){ 2024, 12, 31 }), 2024);
	assert_int_equal(mm_fiscal_year((struct mm_date){ 2025, 1, 1 }), 2024);
	assert_int_equal(mm_fiscal_year((struct mm_date){ 2025, 3, 31 }), 2024);
	assert_int_equal(mm_fiscal_year((struct mm_date){ 2025, 4, 1 }), 2025);
}

static void test_date_days(void **state)
{
	struct mm_date d;

	(void)state;
	assert_int_equal(mm_date_to_days((struct mm_date){ 1970, 1, 1 }), 0);
	assert_int_equal(mm_date_to_days((struct mm_date){ 2024, 4, 1 }), 19814);
	d = mm_date_from_days(19814);
	assert_int_equal(mm_date_cmp(d, (struct mm_date){ 2024, 4, 1 }), 0);
	d = mm_date_add_days((struct mm_date){ 2024, 2, 28 }, 1);
	assert_int_equal(mm_date_cmp(d, (struct mm_date){ 2024, 2, 29 }), 0);
	d = mm_date_add_days((struct mm_date){ 2024, 3, 1 }, -1);
	assert_int_equal(mm_date_cmp(d, (struct mm_date){ 2024, 2, 29 }), 0);
	d = mm_date_add_days((struct mm_date){ 2024, 12, 31 }, 1);
	assert_int_equal(mm_date_cmp(d, (struct mm_date){ 2025, 1, 1 }), 0);
	assert_true(mm_date_cmp((struct mm_date){ 2024, 1, 2 }, (struct mm_date){ 2024, 1, 1 }) >
		    0);
	assert_true(mm_date_cmp((struct mm_date){ 2023, 12, 31 }, (struct mm_date){ 2024, 1, 1 }) <
		    0);
	assert_true(mm_date_cmp((struct mm_date){ 2024, 2, 1 }, (struct mm_date){ 2024, 1, 31 }) >
		    0);
}

static void test_now(void **state)
{
	(void)state;
	/* Later than 2024-01-01 and before 2100. */
	assert_true(mm_now() > 1704067200);
	assert_true(mm_now() < 4102444800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_iso),
		cmocka_unit_test(test_time_parse_round_trip),
		cmocka_unit_test(test_time_parse_offsets),
		cmocka_unit_test(test_time_parse_refusals),
		cmocka_unit_test(test_time_jst),
		cmocka_unit_test(test_date_from_time_jst),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_parse_western),
		cmocka_unit_test(test_date_parse_fullwidth),
		cmocka_unit_test(test_date_parse_wareki),
		cmocka_unit_test(test_date_parse_outside_era),
		cmocka_unit_test(test_date_parse_refusals),
		cmocka_unit_test(test_date_iso),
		cmocka_unit_test(test_date_wareki),
		cmocka_unit_test(test_date_wareki_round_trip),
		cmocka_unit_test(test_date_wareki_refusals),
		cmocka_unit_test(test_fiscal_year),
		cmocka_unit_test(test_date_days),
		cmocka_unit_test(test_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
