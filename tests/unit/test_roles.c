/* Tests of the organisation and roles of 付表1: the default profile and its
 * idempotence, the rules of the role holders register (section by the
 * role's scope, the period in order), the separation of duties of 2.2 from
 * both sides, and the principal built from an account and its holdings. */
#include "core/arena.h"
#include "core/datetime.h"
#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"
#include "domain/seed.h"
#include "store/identity.h"
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
	int64_t civic, general, person, contractor, system, asset;
};

#define S(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })
#define I(name, value) ((struct mm_in){ (name), MM_IN_INT, NULL, 0, (value) })
#define N(name)	       ((struct mm_in){ (name), MM_IN_NULL, NULL, 0, 0 })

/* 2025-06-01 12:00 JST: the tests' today. */
static const char *const NOW = "2025-06-01T03:00:00Z";

static int create(struct fx *f, const struct mm_register *r, struct mm_in *items, size_t n,
		  struct mm_ferrs *errs, struct mm_record *rec)
{
	struct mm_input in = { items, n, MM_IN_JSON };

	errs->n = 0;
	return mm_reg_create(r, &f->ctx, &in, errs, rec);
}

static int64_t must_create(struct fx *f, const struct mm_register *r, struct mm_in *items, size_t n)
{
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(create(f, r, items, n, &errs, &rec), MM_OK);
	return rec.id;
}

static int64_t total(struct fx *f, const struct mm_register *r)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 0, 0, NULL, NULL };
	struct mm_page page;

	assert_int_equal(mm_reg_list(r, &f->ctx, &q, &page), MM_OK);
	return page.total;
}

static int64_t find(struct fx *f, const struct mm_register *r, const char *key)
{
	int64_t id = 0;

	assert_int_equal(mm_reg_resolve(r, &f->ctx, key, strlen(key), &id), MM_OK);
	return id;
}

/* The one error of errs, which must be msg on field. */
static void assert_ferr(const struct mm_ferrs *errs, const char *field, const char *msg)
{
	assert_int_equal(errs->n, 1);
	assert_string_equal(errs->e[0].field, field);
	assert_string_equal(errs->e[0].msg, msg);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	assert_int_equal(mm_time_parse_iso(NOW, &f->ctx.now), MM_OK);
	assert_int_equal(mm_seed_profile(&f->ctx, NULL), MM_OK);
	f->general = find(f, &mm_reg_sections, "0110");
	struct mm_in sec[] = { S("code", "0410"), S("name", "市民課"), S("kind", "division") };
	f->civic = must_create(f, &mm_reg_sections, sec, 3);
	struct mm_in per[] = { S("employee_no", "10001"), S("name", "佐藤 太郎"),
			       I("section_id", f->civic), S("employment", "regular"),
			       S("employment_status", "employed") };
	f->person = must_create(f, &mm_reg_people, per, 5);
	struct mm_in con[] = { S("employee_no", "90001"), S("name", "委託 次郎"),
			       I("section_id", f->civic), S("employment", "contractor"),
			       S("employment_status", "employed") };
	f->contractor = must_create(f, &mm_reg_people, con, 5);
	struct mm_in sys[] = { S("name", "住民情報システム"), I("section_id", f->civic) };
	f->system = must_create(f, &mm_reg_systems, sys, 2);
	struct mm_in ast[] = { S("name", "住民基本台帳データ"),
			       S("kind", "data"),
			       I("section_id", f->civic),
			       I("system_id", f->system),
			       S("personal_info", "my_number"),
			       I("confidentiality", 4),
			       I("integrity", 3),
			       I("availability", 3) };
	f->asset = must_create(f, &mm_reg_assets, ast, 8);
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

/* Gives person role (by code) in section (0: none) from..until ("" for
 * open); returns the engine's answer. */
static int hold(struct fx *f, int64_t person, const char *role, int64_t section, const char *from,
		const char *until, struct mm_ferrs *errs)
{
	struct mm_record rec;
	struct mm_in it[5] = { I("person_id", person), I("role_id", find(f, &mm_reg_roles, role)),
			       S("valid_from", from), S("valid_until", until) };
	size_t n = 4;

	if (!*from)
		it[2] = N("valid_from");
	if (!*until)
		it[3] = N("valid_until");
	if (section)
		it[n++] = I("section_id", section);
	return create(f, &mm_reg_role_holders, it, n, errs, &rec);
}

static void set_admin(struct fx *f, int64_t person, int want)
{
	struct mm_record rec;
	struct mm_ferrs errs;
	struct mm_in it[] = { I("infra_admin_id", person) };
	struct mm_input in = { it, 1, MM_IN_JSON };

	assert_int_equal(mm_reg_get(&mm_reg_systems, &f->ctx, f->system, &rec), MM_OK);
	assert_int_equal(
		mm_reg_update(&mm_reg_systems, &f->ctx, f->system, rec.version, &in, &errs, &rec),
		want);
	if (want == MM_EVALIDATE)
		assert_ferr(&errs, "infra_admin_id", "sod_infra_data");
}

/* ---- The default profile ---- */

static void test_seed_profile(void **state)
{
	struct fx *f = *state;
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_seed_counts n;
	struct mm_record rec;

	(void)f;
	mm_arena_init(&a, 0);
	mm_test_db_open(&db, &a);
	assert_int_equal(mm_seed_profile(&db.ctx, &n), MM_OK);
	assert_int_equal(n.roles, 11);
	assert_int_equal(n.sections, 4);
	/* The roles come in enum mm_role order, with 付表1's posts. */
	for (int i = 0; i < MM_ROLE_COUNT; i++) {
		assert_int_equal(mm_reg_get(&mm_reg_roles, &db.ctx, i + 1, &rec), MM_OK);
		assert_string_equal(rec.v[ROLE_CODE].s, mm_role_codes[i]);
		assert_string_equal(rec.v[ROLE_PRIVILEGED].s, mm_role_privileged(i) ? "yes" : "no");
		assert_string_equal(rec.v[ROLE_SCOPE].s,
				    i == MM_ROLE_DATA_MANAGER ? "section" : "organisation");
		assert_true(rec.v[ROLE_DUTIES].set);
	}
	assert_int_equal(mm_reg_get(&mm_reg_roles, &db.ctx, 1, &rec), MM_OK);
	assert_string_equal(rec.v[ROLE_NAME].s, "情報管理最高責任者");
	assert_string_equal(rec.v[ROLE_APPOINTED].s, "副市長");
	assert_string_equal(rec.v[ROLE_DUTIES].s,
			    "情報化推進及び情報セキュリティに対するの総責任者");
	assert_int_equal(mm_reg_get(&mm_reg_roles, &db.ctx, MM_ROLE_SECRETARIAT + 1, &rec), MM_OK);
	assert_string_equal(rec.v[ROLE_APPOINTED].s, "行政管理課 行政情報係");
	assert_int_equal(mm_reg_get(&mm_reg_roles, &db.ctx, MM_ROLE_STAFF + 1, &rec), MM_OK);
	assert_false(rec.v[ROLE_APPOINTED].set);
	/* 行政情報係 is a unit under 行政管理課, itself under 総務部. */
	assert_int_equal(mm_reg_get(&mm_reg_sections, &db.ctx, 4, &rec), MM_OK);
	assert_string_equal(rec.v[SEC_CODE].s, "0121");
	assert_string_equal(rec.v[SEC_KIND].s, "unit");
	assert_int_equal(rec.v[SEC_PARENT].i, 3);
	assert_int_equal(mm_reg_get(&mm_reg_sections, &db.ctx, 1, &rec), MM_OK);
	assert_false(rec.v[SEC_PARENT].set);

	/* A second run creates nothing, also inside the caller's transaction. */
	assert_int_equal(mm_seed_profile(&db.ctx, &n), MM_OK);
	assert_int_equal(n.roles + n.sections, 0);
	assert_int_equal(mm_tx_begin(db.ctx.conn, true), MM_OK);
	db.ctx.in_tx = true;
	assert_int_equal(mm_seed_profile(&db.ctx, &n), MM_OK);
	db.ctx.in_tx = false;
	assert_int_equal(mm_tx_commit(db.ctx.conn), MM_OK);
	assert_int_equal(n.roles + n.sections, 0);
	mm_test_db_close(&db);
	mm_arena_free(&a);
}

static void test_seed_keeps_edits(void **state)
{
	struct fx *f = *state;
	struct mm_seed_counts n;
	struct mm_record rec;
	struct mm_ferrs errs;
	struct mm_in it[] = { S("name", "情報統括責任者（CIO）") };
	struct mm_input in = { it, 1, MM_IN_JSON };
	int64_t ciso = find(f, &mm_reg_roles, "ciso");

	/* An edited role is left as it is; a retired one is not made again. */
	assert_int_equal(mm_reg_update(&mm_reg_roles, &f->ctx, ciso, 1, &in, &errs, &rec), MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_roles, &f->ctx,
					    find(f, &mm_reg_roles, "auditor"), 1, true, &rec),
			 MM_OK);
	assert_int_equal(mm_seed_profile(&f->ctx, &n), MM_OK);
	assert_int_equal(n.roles + n.sections, 0);
	assert_int_equal(total(f, &mm_reg_roles), 11);
	assert_int_equal(mm_reg_get(&mm_reg_roles, &f->ctx, ciso, &rec), MM_OK);
	assert_string_equal(rec.v[ROLE_NAME].s, "情報統括責任者（CIO）");
}

static void test_role_codes(void **state)
{
	(void)state;
	assert_int_equal(mm_role_find("data_manager"), MM_ROLE_DATA_MANAGER);
	assert_int_equal(mm_role_find("app_admin"), MM_ROLE_APP_ADMIN);
	assert_int_equal(mm_role_find("root"), -1);
	assert_int_equal(mm_role_find(NULL), -1);
	assert_true(mm_role_privileged(MM_ROLE_CISO));
	assert_true(mm_role_privileged(MM_ROLE_DEPUTY));
	assert_true(mm_role_privileged(MM_ROLE_SYSTEMS));
	assert_true(mm_role_privileged(MM_ROLE_SECRETARIAT));
	assert_true(mm_role_privileged(MM_ROLE_APP_ADMIN));
	assert_false(mm_role_privileged(MM_ROLE_DATA_MANAGER));
	assert_false(mm_role_privileged(MM_ROLE_STAFF));
	assert_false(mm_role_privileged(MM_ROLE_CONTRACTOR));
	assert_false(mm_role_privileged(MM_ROLE_AUDITOR));
}

/* ---- Role holders ---- */

static void test_holder_accepted(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;

	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "2024-04-01", "", &errs),
			 MM_OK);
	assert_int_equal(hold(f, f->person, "ciso", 0, "", "", &errs), MM_OK);
	/* A period of one day is in order. */
	assert_int_equal(hold(f, f->person, "auditor", 0, "2025-04-01", "2025-04-01", &errs),
			 MM_OK);
	assert_int_equal(total(f, &mm_reg_role_holders), 3);
}

static void test_holder_section_required(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;

	assert_int_equal(hold(f, f->person, "data_manager", 0, "", "", &errs), MM_EVALIDATE);
	assert_ferr(&errs, "section_id", "role_needs_section");
	assert_int_equal(total(f, &mm_reg_role_holders), 0);
}

static void test_holder_section_refused(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;

	assert_int_equal(hold(f, f->person, "secretariat", f->civic, "", "", &errs), MM_EVALIDATE);
	assert_ferr(&errs, "section_id", "role_no_section");
	assert_int_equal(total(f, &mm_reg_role_holders), 0);
}

static void test_holder_period(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;

	assert_int_equal(hold(f, f->person, "ciso", 0, "2025-04-01", "2025-03-31", &errs),
			 MM_EVALIDATE);
	assert_ferr(&errs, "valid_until", "until_before_from");
	assert_int_equal(total(f, &mm_reg_role_holders), 0);
}

static void test_holder_update_checked(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record rec;
	struct mm_in it[] = { N("section_id") };
	struct mm_input in = { it, 1, MM_IN_JSON };

	/* Editing a holding is held to the same rules. */
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_role_holders, &f->ctx, 1, 1, &in, &errs, &rec),
			 MM_EVALIDATE);
	assert_ferr(&errs, "section_id", "role_needs_section");
	assert_int_equal(mm_reg_get(&mm_reg_role_holders, &f->ctx, 1, &rec), MM_OK);
	assert_int_equal(rec.version, 1);
	assert_int_equal(rec.v[RH_SECTION].i, f->civic);
}

/* ---- Separation of duties (2.2) ---- */

static void test_sod_holder_refused(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;

	set_admin(f, f->person, MM_OK);
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_EVALIDATE);
	assert_ferr(&errs, "person_id", "sod_infra_data");
	assert_int_equal(total(f, &mm_reg_role_holders), 0);
	/* A future holding counts too. */
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "2030-04-01", "", &errs),
			 MM_EVALIDATE);
	assert_ferr(&errs, "person_id", "sod_infra_data");
	/* Other sections, other roles and holdings already ended are fine. */
	assert_int_equal(hold(f, f->person, "data_manager", f->general, "", "", &errs), MM_OK);
	assert_int_equal(hold(f, f->person, "systems", 0, "", "", &errs), MM_OK);
	assert_int_equal(
		hold(f, f->person, "data_manager", f->civic, "2024-04-01", "2025-03-31", &errs),
		MM_OK);
	assert_int_equal(total(f, &mm_reg_role_holders), 3);
}

static void test_sod_holder_retired_asset(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record rec;

	/* Only assets in use tie a section to the system. */
	set_admin(f, f->person, MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_assets, &f->ctx, f->asset, 1, true, &rec),
			 MM_OK);
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_OK);
}

static void test_sod_system_refused(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_OK);
	set_admin(f, f->person, MM_EVALIDATE);
	assert_int_equal(mm_reg_get(&mm_reg_systems, &f->ctx, f->system, &rec), MM_OK);
	assert_int_equal(rec.version, 1);
	assert_false(rec.v[SYS_ADMIN].set);
	/* Someone else may administer it. */
	set_admin(f, f->contractor, MM_OK);
}

static void test_sod_system_other_cases(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record rec;
	struct mm_in sys[] = { S("name", "新システム"), I("section_id", f->civic),
			       I("infra_admin_id", f->person) };

	/* A data manager of another section, or one whose holding has ended,
	 * may administer the system; so may anyone a new system that carries
	 * no assets yet. */
	assert_int_equal(hold(f, f->person, "data_manager", f->general, "", "", &errs), MM_OK);
	assert_int_equal(
		hold(f, f->person, "data_manager", f->civic, "2024-04-01", "2025-05-31", &errs),
		MM_OK);
	set_admin(f, f->person, MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_systems, &f->ctx, f->system, &rec), MM_OK);
	assert_int_equal(rec.v[SYS_ADMIN].i, f->person);
	assert_int_equal(create(f, &mm_reg_systems, sys, 3, &errs, &rec), MM_OK);
}

static void test_sod_holder_retired(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record rec;

	/* A retired holding no longer counts. */
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_role_holders, &f->ctx, 1, 1, true, &rec),
			 MM_OK);
	set_admin(f, f->person, MM_OK);
}

/* ---- The principal ---- */

static int64_t account(struct fx *f, const char *login, int64_t person, bool disabled)
{
	struct mm_account acct = { .login = login, .person_id = person, .disabled = disabled };

	assert_int_equal(mm_account_insert(f->ctx.conn, &acct), MM_OK);
	return acct.id;
}

static void test_principal_roles(void **state)
{
	struct fx *f = *state;
	struct mm_principal p;
	struct mm_ferrs errs;
	int64_t id = account(f, "sato", f->person, false);

	assert_int_equal(hold(f, f->person, "ciso", 0, "2025-04-01", "", &errs), MM_OK);
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "2025-06-01", &errs),
			 MM_OK);
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_OK);
	/* Ended yesterday, starts tomorrow: not held today. */
	assert_int_equal(hold(f, f->person, "data_manager", f->general, "", "2025-05-31", &errs),
			 MM_OK);
	assert_int_equal(hold(f, f->person, "secretariat", 0, "2025-06-02", "", &errs), MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, id, &p), MM_OK);
	assert_int_equal(p.account_id, id);
	assert_int_equal(p.person_id, f->person);
	assert_string_equal(p.login, "sato");
	assert_string_equal(p.name, "佐藤 太郎");
	assert_int_equal(p.section_id, f->civic);
	assert_int_equal(p.roles, (1u << MM_ROLE_CISO) | (1u << MM_ROLE_DATA_MANAGER) |
					  (1u << MM_ROLE_STAFF));
	assert_true(mm_has_role(&p, MM_ROLE_CISO));
	assert_false(mm_has_role(&p, MM_ROLE_SECRETARIAT));
	assert_int_equal(p.nmanaged, 1);
	assert_int_equal(p.managed[0], f->civic);
	assert_false(p.totp);
	assert_false(p.via_token);
}

static void test_principal_retired_holding(void **state)
{
	struct fx *f = *state;
	struct mm_principal p;
	struct mm_ferrs errs;
	struct mm_record rec;
	int64_t id = account(f, "sato", f->person, false);

	/* A retired holding, or a holding of a retired role, gives nothing. */
	assert_int_equal(hold(f, f->person, "ciso", 0, "", "", &errs), MM_OK);
	assert_int_equal(hold(f, f->person, "auditor", 0, "", "", &errs), MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_role_holders, &f->ctx, 1, 1, true, &rec),
			 MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_roles, &f->ctx,
					    find(f, &mm_reg_roles, "auditor"), 1, true, &rec),
			 MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, id, &p), MM_OK);
	assert_int_equal(p.roles, 1u << MM_ROLE_STAFF);
	assert_int_equal(p.nmanaged, 0);
}

static void test_principal_contractor(void **state)
{
	struct fx *f = *state;
	struct mm_principal p;
	struct mm_ferrs errs;
	int64_t id = account(f, "itaku", f->contractor, false);

	/* A contractor is never staff, even when named so. */
	assert_int_equal(hold(f, f->contractor, "staff", 0, "", "", &errs), MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, id, &p), MM_OK);
	assert_int_equal(p.roles, 1u << MM_ROLE_CONTRACTOR);
	assert_false(mm_has_role(&p, MM_ROLE_STAFF));
	assert_false(mm_has_role(NULL, MM_ROLE_STAFF));
}

static void test_principal_refused(void **state)
{
	struct fx *f = *state;
	struct mm_principal p;
	struct mm_ferrs errs;
	struct mm_record rec;
	struct mm_in left[] = { S("employment_status", "left") };
	struct mm_input in = { left, 1, MM_IN_JSON };
	int64_t off = account(f, "off", f->contractor, true);
	int64_t sato = account(f, "sato", f->person, false);

	assert_int_equal(mm_principal_load(&f->ctx, 9999, &p), MM_ENOTFOUND);
	assert_int_equal(mm_principal_load(&f->ctx, off, &p), MM_EPERM);
	assert_int_equal(p.roles, 0);
	/* A disabled person, and a person who left, lose access. */
	assert_int_equal(mm_principal_load(&f->ctx, sato, &p), MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_people, &f->ctx, f->person, 1, true, &rec),
			 MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, sato, &p), MM_EPERM);
	assert_int_equal(mm_reg_set_retired(&mm_reg_people, &f->ctx, f->person, 2, false, &rec),
			 MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, sato, &p), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_people, &f->ctx, f->person, 3, &in, &errs, &rec),
			 MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, sato, &p), MM_EPERM);
	assert_int_equal(p.person_id, 0);
}

static void test_principal_many_sections(void **state)
{
	struct fx *f = *state;
	struct mm_principal p;
	struct mm_ferrs errs;
	int64_t id = account(f, "sato", f->person, false);

	/* Each managed section once, however many holdings name it. */
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "", "", &errs), MM_OK);
	assert_int_equal(hold(f, f->person, "data_manager", f->general, "", "", &errs), MM_OK);
	assert_int_equal(hold(f, f->person, "data_manager", f->civic, "2025-01-01", "", &errs),
			 MM_OK);
	assert_int_equal(mm_principal_load(&f->ctx, id, &p), MM_OK);
	assert_int_equal(p.nmanaged, 2);
	assert_int_equal(p.managed[0], f->civic);
	assert_int_equal(p.managed[1], f->general);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_seed_profile),
		T(test_seed_keeps_edits),
		T(test_role_codes),
		T(test_holder_accepted),
		T(test_holder_section_required),
		T(test_holder_section_refused),
		T(test_holder_period),
		T(test_holder_update_checked),
		T(test_sod_holder_refused),
		T(test_sod_holder_retired_asset),
		T(test_sod_system_refused),
		T(test_sod_system_other_cases),
		T(test_sod_holder_retired),
		T(test_principal_roles),
		T(test_principal_retired_holding),
		T(test_principal_contractor),
		T(test_principal_refused),
		T(test_principal_many_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
