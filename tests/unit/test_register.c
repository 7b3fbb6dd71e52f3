/* Tests of the register engine over a real SQLite database: validation of
 * every field type (and each refusal), derived values, keys, versions and
 * history, conflicts, retire/restore, and the section cycle rule. */
#include "core/arena.h"
#include "core/err.h"
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
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_ctx ctx;
	int64_t section, section2, person, system;
};

#define S(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })
#define I(name, value) ((struct mm_in){ (name), MM_IN_INT, NULL, 0, (value) })
#define N(name)	       ((struct mm_in){ (name), MM_IN_NULL, NULL, 0, 0 })

static int create(struct fx *f, const struct mm_register *r, enum mm_in_mode mode,
		  struct mm_in *items, size_t n, struct mm_ferrs *errs, struct mm_record *rec)
{
	struct mm_input in = { items, n, mode };

	errs->n = 0;
	return mm_reg_create(r, &f->ctx, &in, errs, rec);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mm_ferrs errs;
	struct mm_record rec;

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	struct mm_in sec[] = { S("code", "0410"), S("name", "市民課"), S("kind", "division") };
	assert_int_equal(create(f, &mm_reg_sections, MM_IN_JSON, sec, 3, &errs, &rec), MM_OK);
	f->section = rec.id;
	struct mm_in sec2[] = { S("code", "0310"), S("name", "税務課"), S("kind", "division") };
	assert_int_equal(create(f, &mm_reg_sections, MM_IN_JSON, sec2, 3, &errs, &rec), MM_OK);
	f->section2 = rec.id;
	struct mm_in per[] = { S("name", "佐藤 太郎"), I("section_id", f->section),
			       S("employment", "regular"), S("employment_status", "employed") };
	assert_int_equal(create(f, &mm_reg_people, MM_IN_JSON, per, 4, &errs, &rec), MM_OK);
	f->person = rec.id;
	struct mm_in sys[] = { S("name", "住民情報システム"), I("section_id", f->section) };
	assert_int_equal(create(f, &mm_reg_systems, MM_IN_JSON, sys, 2, &errs, &rec), MM_OK);
	f->system = rec.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mm_test_db_close(&f->db);
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

/* A valid asset, as JSON would give it; callers override items. */
static size_t base_asset(struct fx *f, struct mm_in *it)
{
	size_t n = 0;

	it[n++] = S("name", "住民基本台帳データ");
	it[n++] = S("kind", "data");
	it[n++] = I("section_id", f->section);
	it[n++] = S("personal_info", "my_number");
	it[n++] = I("confidentiality", 4);
	it[n++] = I("integrity", 3);
	it[n++] = I("availability", 2);
	return n;
}

static void set_item(struct mm_in *it, size_t *n, struct mm_in v)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(it[i].name, v.name) == 0) {
			it[i] = v;
			return;
		}
	it[(*n)++] = v;
}

/* Creates an asset with one item changed and expects one field error. */
static void expect_refusal(struct fx *f, enum mm_in_mode mode, struct mm_in v, const char *field,
			   const char *code)
{
	struct mm_in it[24];
	size_t n = base_asset(f, it);
	struct mm_ferrs errs;
	struct mm_record rec;
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 10, 0, NULL, NULL };
	struct mm_page before, after;

	set_item(it, &n, v);
	assert_int_equal(mm_reg_list(&mm_reg_assets, &f->ctx, &q, &before), MM_OK);
	if (create(f, &mm_reg_assets, mode, it, n, &errs, &rec) != MM_EVALIDATE)
		fail_msg("accepted %s for %s", v.s ? v.s : "(int)", field);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.e[0].field, field);
	assert_string_equal(errs.e[0].msg, code);
	assert_int_equal(mm_reg_list(&mm_reg_assets, &f->ctx, &q, &after), MM_OK);
	assert_int_equal(before.total, after.total);
}

static void test_create_derives_value_and_key(void **state)
{
	struct fx *f = *state;
	struct mm_in it[24];
	size_t n = base_asset(f, it);
	struct mm_ferrs errs;
	struct mm_record rec, again;

	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	assert_true(rec.v[AST_VALUE].set);
	assert_int_equal(rec.v[AST_VALUE].i, 4);
	assert_string_equal(rec.v[AST_CODE].s, "A-000001");
	assert_int_equal(rec.version, 1);
	assert_int_equal(mm_reg_create(&mm_reg_assets, &f->ctx,
				       &(struct mm_input){ it, n, MM_IN_JSON }, &errs, &again),
			 MM_OK);
	assert_string_equal(again.v[AST_CODE].s, "A-000002");
}

static void test_sum_method(void **state)
{
	struct fx *f = *state;
	struct mm_in it[24];
	size_t n = base_asset(f, it);
	struct mm_ferrs errs;
	struct mm_record rec;

	mm_asset_value_method = MM_VALUE_SUM;
	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	mm_asset_value_method = MM_VALUE_MAX;
	assert_int_equal(rec.v[AST_VALUE].i, 9);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	char long_name[700];

	memset(long_name, 'x', 201);
	long_name[201] = '\0';
	expect_refusal(f, MM_IN_JSON, I("confidentiality", 5), "confidentiality", "out_of_range");
	expect_refusal(f, MM_IN_JSON, I("confidentiality", 0), "confidentiality", "out_of_range");
	expect_refusal(f, MM_IN_JSON, S("confidentiality", "3"), "confidentiality", "not_integer");
	expect_refusal(f, MM_IN_JSON, N("confidentiality"), "confidentiality", "required");
	expect_refusal(f, MM_IN_JSON, S("kind", "paper"), "kind", "bad_choice");
	expect_refusal(f, MM_IN_JSON, S("kind", "データ"), "kind", "bad_choice");
	expect_refusal(f, MM_IN_JSON, S("name", ""), "name", "required");
	expect_refusal(f, MM_IN_JSON, S("name", "   "), "name", "required");
	expect_refusal(f, MM_IN_JSON, S("name", long_name), "name", "too_long");
	expect_refusal(f, MM_IN_JSON, S("name", "a\x01b"), "name", "bad_text");
	expect_refusal(f, MM_IN_JSON, S("name", "line\nbreak"), "name", "bad_text");
	expect_refusal(f, MM_IN_JSON, S("name", "bad\xff utf8"), "name", "bad_utf8");
	expect_refusal(f, MM_IN_JSON, I("name", 3), "name", "not_text");
	expect_refusal(f, MM_IN_JSON, I("section_id", 999), "section_id", "bad_ref");
	expect_refusal(f, MM_IN_JSON, S("section_id", "1"), "section_id", "bad_ref");
	expect_refusal(f, MM_IN_JSON, I("owner_id", 424242), "owner_id", "bad_ref");
	expect_refusal(f, MM_IN_JSON, S("retention_until", "2023-02-29"), "retention_until",
		       "bad_date");
	expect_refusal(f, MM_IN_JSON, S("retention_until", "令和1年4月30日"), "retention_until",
		       "bad_date");
	expect_refusal(f, MM_IN_JSON, S("colour", "red"), "colour", "unknown_field");
	expect_refusal(f, MM_IN_JSON, I("asset_value", 1), "asset_value", "read_only");
	expect_refusal(f, MM_IN_JSON, I("id", 1), "id", "read_only");
	expect_refusal(f, MM_IN_JSON, (struct mm_in){ "integrity", MM_IN_OTHER, NULL, 0, 0 },
		       "integrity", "not_integer");
	expect_refusal(f, MM_IN_FORM, S("integrity", "high"), "integrity", "not_integer");
	expect_refusal(f, MM_IN_CSV, S("section_id", "9999 無い課"), "section_id", "bad_ref");
}

static void test_every_error_reported_at_once(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { S("kind", "paper"), I("confidentiality", 9) };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, 2, &errs, &rec), MM_EVALIDATE);
	/* kind, confidentiality, and the missing name, section, personal_info,
	 * integrity and availability. */
	assert_int_equal(errs.n, 7);
}

static void test_form_and_csv_leniency(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { S("name", "  固定資産課税台帳 "), S("kind", "データ"),
			      S("section_id", "0410 市民課"),	S("owner_id", ""),
			      S("personal_info", "個人情報"),	S("confidentiality", "３"),
			      S("integrity", "2 中"),		S("availability", "高"),
			      S("retention_until", "R8.3.31") };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(create(f, &mm_reg_assets, MM_IN_CSV, it, 9, &errs, &rec), MM_OK);
	assert_string_equal(rec.v[AST_NAME].s, "固定資産課税台帳");
	assert_string_equal(rec.v[AST_KIND].s, "data");
	assert_int_equal(rec.v[AST_SECTION].i, f->section);
	assert_false(rec.v[AST_OWNER].set);
	assert_string_equal(rec.v[AST_PERSONAL].s, "personal");
	assert_int_equal(rec.v[AST_C].i, 3);
	assert_int_equal(rec.v[AST_I].i, 2);
	assert_int_equal(rec.v[AST_A].i, 3);
	assert_string_equal(rec.v[AST_RETENTION].s, "2026-03-31");
}

static void test_update_history_and_conflict(void **state)
{
	struct fx *f = *state;
	struct mm_in it[24];
	size_t n = base_asset(f, it);
	struct mm_in change[] = { I("availability", 3), S("location", "サーバ室") };
	struct mm_in same[] = { I("availability", 3) };
	struct mm_ferrs errs;
	struct mm_record rec, upd;
	struct mm_hist *h;
	size_t nh;

	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &f->ctx, rec.id, 1,
				       &(struct mm_input){ change, 2, MM_IN_JSON }, &errs, &upd),
			 MM_OK);
	assert_int_equal(upd.version, 2);
	assert_string_equal(upd.v[AST_LOCATION].s, "サーバ室");
	assert_string_equal(upd.v[AST_NAME].s, "住民基本台帳データ"); /* untouched */
	/* The same change again at the old version is a conflict. */
	errs.n = 0;
	assert_int_equal(mm_reg_update(&mm_reg_assets, &f->ctx, rec.id, 1,
				       &(struct mm_input){ change, 2, MM_IN_JSON }, &errs, &upd),
			 MM_ECONFLICT);
	/* A change to the current value makes no new version. */
	assert_int_equal(mm_reg_update(&mm_reg_assets, &f->ctx, rec.id, 2,
				       &(struct mm_input){ same, 1, MM_IN_JSON }, &errs, &upd),
			 MM_OK);
	assert_int_equal(upd.version, 2);
	assert_int_equal(mm_reg_history(&mm_reg_assets, &f->ctx, rec.id, &h, &nh), MM_OK);
	assert_int_equal(nh, 2);
	assert_string_equal(h[0].action, "create");
	assert_string_equal(h[1].action, "update");
	assert_string_equal(h[1].actor, "tester");
	assert_string_equal(h[1].changes,
			    "{\"location\":[null,\"サーバ室\"],\"availability\":[2,3]}");
	assert_int_equal(mm_reg_update(&mm_reg_assets, &f->ctx, 9999, 1,
				       &(struct mm_input){ same, 1, MM_IN_JSON }, &errs, &upd),
			 MM_ENOTFOUND);
}

static void test_retire_restore(void **state)
{
	struct fx *f = *state;
	struct mm_in it[24];
	size_t n = base_asset(f, it);
	struct mm_ferrs errs;
	struct mm_record rec;
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, 10, 0, NULL, NULL };
	struct mm_page page;

	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_assets, &f->ctx, rec.id, 1, true, &rec), MM_OK);
	assert_true(rec.retired);
	assert_int_equal(mm_reg_set_retired(&mm_reg_assets, &f->ctx, rec.id, 2, true, &rec),
			 MM_EINVAL);
	assert_int_equal(mm_reg_set_retired(&mm_reg_assets, &f->ctx, rec.id, 1, false, &rec),
			 MM_ECONFLICT);
	assert_int_equal(mm_reg_list(&mm_reg_assets, &f->ctx, &q, &page), MM_OK);
	assert_int_equal(page.total, 0);
	q.status = MM_RETIRED;
	assert_int_equal(mm_reg_list(&mm_reg_assets, &f->ctx, &q, &page), MM_OK);
	assert_int_equal(page.total, 1);
	assert_int_equal(mm_reg_set_retired(&mm_reg_assets, &f->ctx, rec.id, 2, false, &rec),
			 MM_OK);
	assert_false(rec.retired);
	assert_int_equal(rec.version, 3);
}

static void test_retired_reference_refused(void **state)
{
	struct fx *f = *state;
	struct mm_record sec;

	assert_int_equal(mm_reg_get(&mm_reg_sections, &f->ctx, f->section2, &sec), MM_OK);
	assert_int_equal(
		mm_reg_set_retired(&mm_reg_sections, &f->ctx, f->section2, sec.version, true, &sec),
		MM_OK);
	expect_refusal(f, MM_IN_JSON, I("section_id", f->section2), "section_id", "retired_ref");
}

static void test_duplicate_code(void **state)
{
	struct fx *f = *state;
	struct mm_in it[24];
	size_t n = base_asset(f, it);
	struct mm_ferrs errs;
	struct mm_record rec;

	set_item(it, &n, S("code", "A-000002"));
	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	expect_refusal(f, MM_IN_JSON, S("code", "A-000002"), "code", "duplicate");
	/* Automatic keys skip the one taken by hand. */
	n = base_asset(f, it);
	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	assert_string_equal(rec.v[AST_CODE].s, "A-000001");
	assert_int_equal(create(f, &mm_reg_assets, MM_IN_JSON, it, n, &errs, &rec), MM_OK);
	assert_string_equal(rec.v[AST_CODE].s, "A-000003");
}

static void test_section_cycle_refused(void **state)
{
	struct fx *f = *state;
	struct mm_in up[] = { I("parent_id", f->section) };
	struct mm_in child[] = { S("name", "住民記録係"), S("kind", "unit"),
				 I("parent_id", f->section) };
	struct mm_ferrs errs;
	struct mm_record rec, c;

	assert_int_equal(mm_reg_get(&mm_reg_sections, &f->ctx, f->section, &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_sections, &f->ctx, f->section, rec.version,
				       &(struct mm_input){ up, 1, MM_IN_JSON }, &errs, &rec),
			 MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "self_ref");
	assert_int_equal(create(f, &mm_reg_sections, MM_IN_JSON, child, 3, &errs, &c), MM_OK);
	up[0].i = c.id;
	errs.n = 0;
	assert_int_equal(mm_reg_get(&mm_reg_sections, &f->ctx, f->section, &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_sections, &f->ctx, f->section, rec.version,
				       &(struct mm_input){ up, 1, MM_IN_JSON }, &errs, &rec),
			 MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "cycle");
}

static void test_display_and_resolve(void **state)
{
	struct fx *f = *state;
	int64_t id;

	assert_string_equal(mm_reg_display(&mm_reg_sections, &f->ctx, f->section), "0410 市民課");
	assert_string_equal(mm_reg_display(&mm_reg_sections, &f->ctx, 999), "");
	assert_int_equal(mm_reg_resolve(&mm_reg_sections, &f->ctx, "0410", 4, &id), MM_OK);
	assert_int_equal(id, f->section);
	assert_int_equal(mm_reg_resolve(&mm_reg_sections, &f->ctx, "税務課", strlen("税務課"), &id),
			 MM_OK);
	assert_int_equal(id, f->section2);
	assert_int_equal(mm_reg_resolve(&mm_reg_sections, &f->ctx, "無い課", strlen("無い課"), &id),
			 MM_ENOTFOUND);
}

static void test_level_help(void **state)
{
	(void)state;
	assert_string_equal(mm_reg_assets.level_help(AST_C, "software", 4, MM_JA),
			    "所定の関係者のみが利用可能");
	assert_string_equal(mm_reg_assets.level_help(AST_A, "document", 3, MM_JA),
			    "必要とする場合即時利用できる必要がある");
	assert_null(mm_reg_assets.level_help(AST_C, "data", 5, MM_JA));
}

/* The store counts each register's records by the level its access rule
 * reads (MM_F_LEVEL): the field is the rule's, and a register of a fixed
 * level has none. */
static void test_level_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < mm_nregisters; i++) {
		const struct mm_register *r = mm_registers[i];
		int want = r->default_class > 0 ? -1 : r->class_field;

		if (mm_schema_level_field(&r->schema) != want)
			fail_msg("%s: level field %d, class field %d", r->schema.name,
				 mm_schema_level_field(&r->schema), want);
	}
	assert_int_equal(mm_schema_level_field(&mm_reg_assets.schema), AST_C);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_fields),
		cmocka_unit_test_setup_teardown(test_create_derives_value_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sum_method, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_error_reported_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form_and_csv_leniency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_history_and_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retired_reference_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section_cycle_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_display_and_resolve, setup, teardown),
		cmocka_unit_test(test_level_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
