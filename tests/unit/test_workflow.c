/* Tests of the register engine's workflows on the privilege requests
 * register (7.2(2)) and of the separation-of-duties rules (2.2): who may
 * take a transition, from which state, at which version; the approver is
 * neither the requester nor the grantee unless the rule is off; the
 * approval creates the holding, which expires; the history records who,
 * what and why; privileged holdings are not written directly over the web;
 * the asset check and the conflicts report. */
#include "core/arena.h"
#include "core/datetime.h"
#include "core/err.h"
#include "domain/principal.h"
#include "domain/privileges.h"
#include "domain/registers.h"
#include "domain/seed.h"
#include "domain/sod.h"
#include "store/store.h"

#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define S(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })
#define I(name, value) ((struct mm_in){ (name), MM_IN_INT, NULL, 0, (value) })

static const char *const NOW = "2025-06-01T03:00:00Z";

struct fx {
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_ctx ctx;
	int64_t civic, role_sec, requester, grantee, approver, other, system;
	struct mm_principal p_requester, p_approver, p_other, p_secretariat;
};

static int64_t make(struct fx *f, const struct mm_register *r, struct mm_in *it, size_t n)
{
	struct mm_input in = { it, n, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(mm_reg_create(r, &f->ctx, &in, &errs, &rec), MM_OK);
	return rec.id;
}

static int64_t find(struct fx *f, const struct mm_register *r, const char *key)
{
	int64_t id = 0;

	assert_int_equal(mm_reg_resolve(r, &f->ctx, key, strlen(key), &id), MM_OK);
	return id;
}

static int64_t person(struct fx *f, const char *no)
{
	struct mm_in it[] = { S("employee_no", no), S("name", no), I("section_id", f->civic),
			      S("employment", "regular"), S("employment_status", "employed") };

	return make(f, &mm_reg_people, it, 5);
}

static void principal(struct mm_principal *p, int64_t person, unsigned roles)
{
	memset(p, 0, sizeof(*p));
	p->person_id = person;
	p->login = "u";
	p->roles = MM_ROLE_BIT(MM_ROLE_STAFF) | roles;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	assert_int_equal(mm_time_parse_iso(NOW, &f->ctx.now), MM_OK);
	assert_int_equal(mm_seed_profile(&f->ctx, NULL), MM_OK);
	struct mm_in sec[] = { S("code", "0410"), S("name", "市民課"), S("kind", "division") };
	f->civic = make(f, &mm_reg_sections, sec, 3);
	f->role_sec = find(f, &mm_reg_roles, "secretariat");
	f->requester = person(f, "10001");
	f->grantee = person(f, "10002");
	f->approver = person(f, "10003");
	f->other = person(f, "10004");
	principal(&f->p_requester, f->requester, 0);
	principal(&f->p_approver, f->approver, MM_ROLE_BIT(MM_ROLE_SYSTEMS));
	principal(&f->p_other, f->other, 0);
	principal(&f->p_secretariat, f->other, MM_ROLE_BIT(MM_ROLE_SECRETARIAT));
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

/* A request by who for grantee of 事務局 until until. */
static void request(struct fx *f, const struct mm_principal *who, int64_t grantee,
		    const char *until, struct mm_record *out)
{
	struct mm_in it[] = { I("grantee_id", grantee), I("role_id", f->role_sec),
			      S("valid_until", until), S("reason", "異動") };
	struct mm_input in = { it, 4, MM_IN_JSON };
	struct mm_ferrs errs;

	f->ctx.who = who;
	assert_int_equal(mm_reg_create(&mm_reg_privilege_requests, &f->ctx, &in, &errs, out),
			 MM_OK);
}

static int take(struct fx *f, const struct mm_principal *who, const struct mm_record *rq,
		int64_t version, const char *name, struct mm_ferrs *errs, struct mm_record *out)
{
	f->ctx.who = who;
	return mm_reg_transition(&mm_reg_privilege_requests, &f->ctx, rq->id, version, name,
				 "コメント", errs, out);
}

static void test_request_state_and_requester(void **state)
{
	struct fx *f = *state;
	struct mm_record rq;

	request(f, &f->p_requester, f->grantee, "2025-12-31", &rq);
	assert_string_equal(rq.v[PRQ_STATE].s, "requested");
	assert_int_equal(rq.v[PRQ_REQUESTER].i, f->requester);
}

static void test_wrong_role_refused(void **state)
{
	struct fx *f = *state;
	struct mm_record rq, out;
	struct mm_ferrs errs;

	request(f, &f->p_requester, f->grantee, "2025-12-31", &rq);
	assert_int_equal(take(f, &f->p_other, &rq, 1, "approve", &errs, &out), MM_EPERM);
	assert_string_equal(f->ctx.refusal, "wf_forbidden");
	/* Nor the requester: withdraw is theirs, approve is not. */
	assert_int_equal(take(f, &f->p_requester, &rq, 1, "approve", &errs, &out), MM_EPERM);
	f->ctx.who = NULL;
	assert_int_equal(mm_reg_get(&mm_reg_privilege_requests, &f->ctx, rq.id, &out), MM_OK);
	assert_string_equal(out.v[PRQ_STATE].s, "requested");
	assert_int_equal(out.version, 1);
}

static void test_approver_not_requester(void **state)
{
	struct fx *f = *state;
	struct mm_record rq, out;
	struct mm_ferrs errs;

	request(f, &f->p_approver, f->grantee, "2025-12-31", &rq);
	assert_int_equal(take(f, &f->p_approver, &rq, 1, "approve", &errs, &out), MM_EVALIDATE);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.e[0].field, "requester_id");
	assert_string_equal(errs.e[0].msg, "sod_requester_approver");
	assert_string_equal(errs.e[0].label, "申請者と承認者の分離");
}

static void test_approver_not_grantee(void **state)
{
	struct fx *f = *state;
	struct mm_record rq, out;
	struct mm_ferrs errs;

	request(f, &f->p_requester, f->approver, "2025-12-31", &rq);
	assert_int_equal(take(f, &f->p_approver, &rq, 1, "approve", &errs, &out), MM_EVALIDATE);
	assert_string_equal(errs.e[0].field, "grantee_id");
	assert_string_equal(errs.e[0].msg, "sod_grantee_approver");
}

/* The rules are data: with requester vs approver off, the check is off. */
static void test_rule_off(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { S("enabled", "no") };
	struct mm_input in = { it, 1, MM_IN_JSON };
	struct mm_record rq, out, rule;
	struct mm_ferrs errs;
	int64_t id = find(f, &mm_reg_sod_rules, "requester_vs_approver");

	f->ctx.who = NULL;
	assert_int_equal(mm_reg_update(&mm_reg_sod_rules, &f->ctx, id, 1, &in, &errs, &rule),
			 MM_OK);
	request(f, &f->p_approver, f->grantee, "2025-12-31", &rq);
	assert_int_equal(take(f, &f->p_approver, &rq, 1, "approve", &errs, &out), MM_OK);
}

static void test_approval_grants_and_expires(void **state)
{
	struct fx *f = *state;
	struct mm_record rq, out, h;
	struct mm_privilege *v;
	struct mm_hist *hist;
	struct mm_ferrs errs;
	size_t n;

	request(f, &f->p_requester, f->grantee, "2025-06-30", &rq);
	assert_int_equal(take(f, &f->p_approver, &rq, 1, "approve", &errs, &out), MM_OK);
	assert_string_equal(out.v[PRQ_STATE].s, "approved");
	assert_int_equal(out.v[PRQ_DECIDED_BY].i, f->approver);
	assert_int_equal(out.version, 2);
	f->ctx.who = NULL;
	assert_int_equal(mm_rec_get(f->ctx.conn, &mm_reg_role_holders.schema, out.v[PRQ_HOLDING].i,
				    f->ctx.a, &h),
			 MM_OK);
	assert_int_equal(h.v[RH_PERSON].i, f->grantee);
	assert_string_equal(h.v[RH_FROM].s, "2025-06-01");
	assert_string_equal(h.v[RH_UNTIL].s, "2025-06-30");
	/* The history: who, which transition, the comment. */
	assert_int_equal(mm_reg_history(&mm_reg_privilege_requests, &f->ctx, rq.id, &hist, &n),
			 MM_OK);
	assert_int_equal(n, 2);
	assert_string_equal(hist[1].action, "approve");
	assert_non_null(strstr(hist[1].changes, "\"comment\":\"コメント\""));
	assert_non_null(strstr(hist[1].changes, "[\"requested\",\"approved\"]"));
	/* Listed as privileged today, with its request; gone after its end. */
	assert_int_equal(mm_privileges_list(&f->ctx, &v, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].request_id, rq.id);
	f->ctx.now += 30 * 86400;
	assert_int_equal(mm_privileges_list(&f->ctx, &v, &n), MM_OK);
	assert_int_equal(n, 0);
}

static void test_wrong_state_and_version(void **state)
{
	struct fx *f = *state;
	struct mm_record rq, out;
	struct mm_ferrs errs;

	request(f, &f->p_requester, f->grantee, "2025-12-31", &rq);
	assert_int_equal(take(f, &f->p_approver, &rq, 7, "approve", &errs, &out), MM_ECONFLICT);
	assert_null(f->ctx.refusal);
	assert_int_equal(take(f, &f->p_approver, &rq, 1, "reject", &errs, &out), MM_OK);
	assert_int_equal(take(f, &f->p_approver, &rq, 2, "approve", &errs, &out), MM_ECONFLICT);
	assert_string_equal(f->ctx.refusal, "wf_wrong_state");
	assert_int_equal(take(f, &f->p_approver, &rq, 2, "nonsense", &errs, &out), MM_ENOTFOUND);
}

/* A plain edit neither sets the state nor changes a decided record. */
static void test_no_state_by_edit(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { S("state", "approved") };
	struct mm_in reason[] = { S("reason", "変更") };
	struct mm_input in = { it, 1, MM_IN_JSON }, in2 = { reason, 1, MM_IN_JSON };
	struct mm_record rq, out;
	struct mm_ferrs errs;

	request(f, &f->p_requester, f->grantee, "2025-12-31", &rq);
	f->ctx.who = NULL;
	assert_int_equal(
		mm_reg_update(&mm_reg_privilege_requests, &f->ctx, rq.id, 1, &in, &errs, &out),
		MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "read_only");
	assert_int_equal(take(f, &f->p_approver, &rq, 1, "reject", &errs, &out), MM_OK);
	f->ctx.who = &f->p_secretariat;
	assert_int_equal(
		mm_reg_update(&mm_reg_privilege_requests, &f->ctx, rq.id, 2, &in2, &errs, &out),
		MM_EPERM);
}

static void test_direct_privileged_holding(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { I("person_id", f->grantee), I("role_id", f->role_sec) };
	struct mm_input in = { it, 2, MM_IN_JSON };
	struct mm_record rec;
	struct mm_ferrs errs;

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(mm_reg_create(&mm_reg_role_holders, &f->ctx, &in, &errs, &rec), MM_EPERM);
	assert_string_equal(f->ctx.refusal, "privilege_via_request");
	f->ctx.who = NULL; /* the operator's CLI bootstraps */
	assert_int_equal(mm_reg_create(&mm_reg_role_holders, &f->ctx, &in, &errs, &rec), MM_OK);
	/* Revoking stays open to 事務局; restoring does not. */
	f->ctx.who = &f->p_secretariat;
	assert_int_equal(mm_reg_set_retired(&mm_reg_role_holders, &f->ctx, rec.id, 1, true, &rec),
			 MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_role_holders, &f->ctx, rec.id, 2, false, &rec),
			 MM_EPERM);
}

/* An asset whose system's administrator is its data manager is refused;
 * made while the rule was off, it shows in the conflicts report. */
static void test_sod_asset_and_report(void **state)
{
	struct fx *f = *state;
	struct mm_in sys[] = { S("name", "住民情報システム"), I("section_id", f->civic),
			       I("infra_admin_id", f->other) };
	int64_t system = make(f, &mm_reg_systems, sys, 3);
	struct mm_in ast[] = { S("name", "住民データ"),	  S("kind", "data"),
			       I("section_id", f->civic), I("system_id", system),
			       I("owner_id", f->other),	  S("personal_info", "none"),
			       I("confidentiality", 2),	  I("integrity", 2),
			       I("availability", 2) };
	struct mm_input in = { ast, 9, MM_IN_JSON };
	struct mm_in off[] = { S("enabled", "no") }, on[] = { S("enabled", "yes") };
	struct mm_input in_off = { off, 1, MM_IN_JSON }, in_on = { on, 1, MM_IN_JSON };
	int64_t rule = find(f, &mm_reg_sod_rules, "infra_vs_data");
	struct mm_sod_conflict *c;
	struct mm_record rec;
	struct mm_ferrs errs;
	size_t n;

	f->ctx.who = NULL;
	assert_int_equal(mm_reg_create(&mm_reg_assets, &f->ctx, &in, &errs, &rec), MM_EVALIDATE);
	assert_string_equal(errs.e[0].field, "system_id");
	assert_string_equal(errs.e[0].msg, "sod_asset_admin");
	assert_int_equal(mm_reg_update(&mm_reg_sod_rules, &f->ctx, rule, 1, &in_off, &errs, &rec),
			 MM_OK);
	assert_int_equal(mm_reg_create(&mm_reg_assets, &f->ctx, &in, &errs, &rec), MM_OK);
	assert_int_equal(mm_sod_conflicts(&f->ctx, &c, &n), MM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mm_reg_update(&mm_reg_sod_rules, &f->ctx, rule, 2, &in_on, &errs, &rec),
			 MM_OK);
	assert_int_equal(mm_sod_conflicts(&f->ctx, &c, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].person_id, f->other);
	assert_int_equal(c[0].scope_id, system);
	assert_string_equal(c[0].duty_a, "system_admin");
	/* Only those who oversee read it. */
	f->ctx.who = &f->p_requester;
	assert_int_equal(mm_sod_conflicts(&f->ctx, &c, &n), MM_EPERM);
}

/* A rule pairs two different duties mamori can check. */
static void test_sod_rule_checked(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { S("code", "x"), S("name", "x"), S("duty_a", "requester"),
			      S("duty_b", "data_manager"), S("enabled", "yes") };
	struct mm_input in = { it, 5, MM_IN_JSON };
	struct mm_record rec;
	struct mm_ferrs errs;

	f->ctx.who = NULL;
	assert_int_equal(mm_reg_create(&mm_reg_sod_rules, &f->ctx, &in, &errs, &rec), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "sod_pair_unsupported");
	it[3] = S("duty_b", "requester");
	assert_int_equal(mm_reg_create(&mm_reg_sod_rules, &f->ctx, &in, &errs, &rec), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "sod_same_duty");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_request_state_and_requester),
		T(test_wrong_role_refused),
		T(test_approver_not_requester),
		T(test_approver_not_grantee),
		T(test_rule_off),
		T(test_approval_grants_and_expires),
		T(test_wrong_state_and_version),
		T(test_no_state_by_edit),
		T(test_direct_privileged_holding),
		T(test_sod_asset_and_report),
		T(test_sod_rule_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
