/* Tests of register export and CSV import: round trip, encodings, dry runs,
 * all-or-nothing, every kind of bad row, and CP932 export refusals. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/encoding.h"
#include "core/err.h"
#include "domain/demo.h"
#include "domain/export.h"
#include "domain/registers.h"
#include "store/store.h"

#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

struct fx {
	struct mm_arena a;
	struct mm_test_db src, dst;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mm_demo_counts n;

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->src, &f->a);
	mm_test_db_open(&f->dst, &f->a);
	assert_int_equal(mm_demo_seed(&f->src.ctx, 60, &n), MM_OK);
	assert_int_equal(n.assets, 60);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mm_test_db_close(&f->src);
	mm_test_db_close(&f->dst);
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

static const struct mm_query all = { NULL,	    0,	  NULL, MM_SORT_ID, false,
				     MM_ANY_STATUS, 1000, 0,	NULL,	    NULL };

static void export_csv(struct mm_test_db *d, const struct mm_register *r, struct mm_buf *b)
{
	struct mm_file_report rep;

	mm_buf_init(b, 1 << 26);
	assert_int_equal(mm_export(r, &d->ctx, &all, MM_EXPORT_CSV, b, &rep), MM_OK);
}

static int import(struct mm_test_db *d, const struct mm_register *r, const char *csv, size_t len,
		  bool dry, struct mm_file_report *rep)
{
	return mm_import_csv(r, &d->ctx, csv, len, dry, rep);
}

static int64_t count(struct mm_test_db *d, const struct mm_register *r)
{
	struct mm_page p;

	assert_int_equal(mm_reg_list(r, &d->ctx, &all, &p), MM_OK);
	return p.total;
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	const struct mm_register *order[] = { &mm_reg_sections, &mm_reg_people, &mm_reg_systems,
					      &mm_reg_assets };
	struct mm_file_report rep;

	for (size_t i = 0; i < 4; i++) {
		struct mm_buf out, back;

		export_csv(&f->src, order[i], &out);
		assert_int_equal(import(&f->dst, order[i], out.data, out.len, false, &rep), MM_OK);
		assert_int_equal(rep.nerrs, 0);
		assert_int_equal((int64_t)rep.created, count(&f->src, order[i]));
		/* The copy exports byte for byte the same. */
		export_csv(&f->dst, order[i], &back);
		assert_int_equal(out.len, back.len);
		assert_memory_equal(out.data, back.data, out.len);
		/* Importing the same file again changes nothing. */
		assert_int_equal(import(&f->dst, order[i], out.data, out.len, false, &rep), MM_OK);
		assert_int_equal(rep.created, 0);
		assert_int_equal(rep.updated, 0);
		mm_buf_free(&out);
		mm_buf_free(&back);
	}
}

static const char header[] = "管理番号,名称,種別,所管課,個人情報,機密性,完全性,可用性\r\n";

static void test_dry_run_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct mm_file_report rep;
	char csv[512];
	int64_t before = count(&f->src, &mm_reg_assets);

	snprintf(csv, sizeof(csv), "%s,新しい資産,データ,0410,なし,2,2,2\r\n", header);
	assert_int_equal(import(&f->src, &mm_reg_assets, csv, strlen(csv), true, &rep), MM_OK);
	assert_int_equal(rep.created, 1);
	assert_int_equal(count(&f->src, &mm_reg_assets), before);
	assert_int_equal(import(&f->src, &mm_reg_assets, csv, strlen(csv), false, &rep), MM_OK);
	assert_int_equal(count(&f->src, &mm_reg_assets), before + 1);
}

/* Imports csv, expects a refusal naming row and column, and no change. */
static void expect_bad(struct fx *f, const char *csv, size_t row, const char *column)
{
	struct mm_file_report rep;
	int64_t before = count(&f->src, &mm_reg_assets);

	assert_int_equal(import(&f->src, &mm_reg_assets, csv, strlen(csv), false, &rep),
			 MM_EVALIDATE);
	assert_true(rep.nerrs >= 1);
	assert_int_equal(rep.errs[0].row, row);
	if (column)
		assert_string_equal(rep.errs[0].column, column);
	else
		assert_null(rep.errs[0].column);
	assert_int_equal(count(&f->src, &mm_reg_assets), before);
}

static void test_bad_rows_refuse_whole_file(void **state)
{
	struct fx *f = *state;
	char csv[1024];

	snprintf(csv, sizeof(csv),
		 "%s,良い資産1,データ,0410,なし,2,2,2\r\n,良い資産2,データ,0410,なし,2,2,2\r\n"
		 ",悪い資産,データ,0410,なし,5,2,2\r\n",
		 header);
	expect_bad(f, csv, 4, "機密性");
	snprintf(csv, sizeof(csv), "%s,資産,紙,0410,なし,2,2,2\r\n", header);
	expect_bad(f, csv, 2, "種別");
	snprintf(csv, sizeof(csv), "%s,資産,データ,9999,なし,2,2,2\r\n", header);
	expect_bad(f, csv, 2, "所管課");
	snprintf(csv, sizeof(csv), "%s,資産,データ,0410,なし,2,2\r\n", header);
	expect_bad(f, csv, 2, NULL);
	snprintf(csv, sizeof(csv), "%s,\"閉じない,データ,0410,なし,2,2,2\r\n", header);
	expect_bad(f, csv, 2, NULL);
	snprintf(csv, sizeof(csv),
		 "%sX-1,資産,データ,0410,なし,2,2,2\r\nX-1,資産,データ,0410,なし,2,2,2\r\n",
		 header);
	expect_bad(f, csv, 3, "管理番号");
	expect_bad(f, "名称,色\r\n資産,赤\r\n", 1, "色");
	expect_bad(f, "名称,名称\r\n資産,資産\r\n", 1, "名称");
	expect_bad(f, "", 1, NULL);
	expect_bad(f, "\xff\xfe\x00\x00garbage", 0, NULL);
}

static void test_cp932_import(void **state)
{
	struct fx *f = *state;
	struct mm_file_report rep;
	struct mm_buf sjis;
	char csv[512];
	size_t bad;
	struct mm_page p;
	struct mm_query q = all;

	snprintf(csv, sizeof(csv), "%s,髙橋さんの資料①,ドキュメント,0410,なし,1,1,1\r\n", header);
	mm_buf_init(&sjis, 4096);
	assert_int_equal(mm_utf8_to_cp932(csv, strlen(csv), &sjis, &bad), MM_OK);
	assert_int_equal(import(&f->src, &mm_reg_assets, sjis.data, sjis.len, false, &rep), MM_OK);
	q.q = "髙橋さんの資料①";
	assert_int_equal(mm_reg_list(&mm_reg_assets, &f->src.ctx, &q, &p), MM_OK);
	assert_int_equal(p.total, 1);
	mm_buf_free(&sjis);
}

static void test_cp932_export_reports_unencodable(void **state)
{
	struct fx *f = *state;
	struct mm_file_report rep;
	struct mm_buf out;
	char csv[512];

	snprintf(csv, sizeof(csv), "%s,お寿司🍣の記録,データ,0410,なし,1,1,1\r\n", header);
	assert_int_equal(import(&f->src, &mm_reg_assets, csv, strlen(csv), false, &rep), MM_OK);
	mm_buf_init(&out, 1 << 26);
	assert_int_equal(
		mm_export(&mm_reg_assets, &f->src.ctx, &all, MM_EXPORT_CSV_CP932, &out, &rep),
		MM_EENCODING);
	assert_int_equal(rep.nerrs, 1);
	assert_string_equal(rep.errs[0].column, "名称");
	assert_int_equal(rep.errs[0].row, (size_t)count(&f->src, &mm_reg_assets) + 1);
	mm_buf_free(&out);
}

static void test_xlsx_export(void **state)
{
	struct fx *f = *state;
	struct mm_file_report rep;
	struct mm_buf out;

	mm_buf_init(&out, 1 << 26);
	assert_int_equal(mm_export(&mm_reg_assets, &f->src.ctx, &all, MM_EXPORT_XLSX, &out, &rep),
			 MM_OK);
	assert_true(out.len > 1000);
	assert_memory_equal(out.data, "PK", 2);
	assert_int_equal(rep.rows, 60);
	mm_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rows_refuse_whole_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp932_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp932_export_reports_unencodable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xlsx_export, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
