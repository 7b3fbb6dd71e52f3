/* Tests of risk assessment (3.3): both methods over every level
 * combination against their tables, band and threshold edges, the
 * settings' refusals, the risk register's derived values, acceptance and
 * its refusals (wrong role, approver = owner), freezing and reopening,
 * recomputing on a change of valuation, idempotent bulk creation, heat-map
 * counts equal to list counts for each reader, and yearly snapshots. */
#include "core/arena.h"
#include "core/datetime.h"
#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"
#include "domain/risk.h"
#include "domain/risk_regs.h"
#include "domain/seed.h"
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

/* The IPA table as the guideline prints it, written out again here so that
 * the code's copy is checked against an independent one. */
static const int64_t ipa_expected[4][4] = {
	{ 0, 0, 0, 0 },
	{ 0, 1, 1, 2 },
	{ 0, 1, 2, 3 },
	{ 0, 2, 3, 3 },
};

static void jipdec_every_combination(void **state)
{
	(void)state;
	for (int64_t av = 1; av <= 4; av++)
		for (int64_t t = 1; t <= 3; t++)
			for (int64_t v = 1; v <= 3; v++) {
				assert_int_equal(mm_risk_value(MM_RISK_JIPDEC, av, t, v),
						 av * t * v);
				assert_int_equal(mm_risk_likelihood(MM_RISK_JIPDEC, t, v), t * v);
			}
	assert_int_equal(mm_risk_value(MM_RISK_JIPDEC, 3, 0, 1), 0);
	assert_int_equal(mm_risk_value(MM_RISK_JIPDEC, 3, 1, 4), 0);
	assert_int_equal(mm_risk_value(MM_RISK_JIPDEC, 0, 2, 2), 0);
}

static void ipa_every_cell(void **state)
{
	(void)state;
	for (int64_t t = 1; t <= 3; t++)
		for (int64_t v = 1; v <= 3; v++) {
			assert_int_equal(mm_risk_ipa_likelihood(t, v), ipa_expected[t][v]);
			for (int64_t av = 1; av <= 4; av++)
				assert_int_equal(mm_risk_value(MM_RISK_IPA, av, t, v),
						 (av > 3 ? 3 : av) * ipa_expected[t][v]);
		}
	assert_int_equal(mm_risk_ipa_likelihood(0, 2), 0);
	assert_int_equal(mm_risk_ipa_likelihood(2, 4), 0);
}

static void band_and_threshold_edges(void **state)
{
	struct mm_risk_settings s = { .method = MM_RISK_JIPDEC };

	(void)state;
	assert_int_equal(mm_risk_band_of(&s, 1), 0);
	assert_int_equal(mm_risk_band_of(&s, 7), 0);
	assert_int_equal(mm_risk_band_of(&s, 8), 1);
	assert_int_equal(mm_risk_band_of(&s, 15), 1);
	assert_int_equal(mm_risk_band_of(&s, 16), 2);
	assert_int_equal(mm_risk_band_of(&s, 36), 2);
	assert_false(mm_risk_needs_acceptance(&s, 15));
	assert_true(mm_risk_needs_acceptance(&s, 16));
	s.method = MM_RISK_IPA;
	assert_int_equal(mm_risk_band_of(&s, 2), 0);
	assert_int_equal(mm_risk_band_of(&s, 3), 1);
	assert_int_equal(mm_risk_band_of(&s, 5), 1);
	assert_int_equal(mm_risk_band_of(&s, 6), 2);
	assert_false(mm_risk_needs_acceptance(&s, 5));
	assert_true(mm_risk_needs_acceptance(&s, 6));
	s.accept_at = 4;
	assert_false(mm_risk_needs_acceptance(&s, 3));
	assert_true(mm_risk_needs_acceptance(&s, 4));
}

static void settings_refusals(void **state)
{
	struct mm_risk_settings s = { .method = MM_RISK_JIPDEC };
	enum mm_risk_method m;
	size_t n;

	(void)state;
	assert_int_equal(mm_risk_bands_parse("1:低:Low, 10:中, 20:高:High", &s), MM_OK);
	assert_int_equal(s.nbands, 3);
	assert_int_equal(mm_risk_band_of(&s, 9), 0);
	assert_int_equal(mm_risk_band_of(&s, 10), 1);
	assert_string_equal(mm_risk_bands(&s, &n)[2].en, "High");
	assert_string_equal(mm_risk_bands(&s, &n)[1].en, "中");
	/* Each bad text is refused and leaves the bands as they were. */
	assert_int_equal(mm_risk_bands_parse("2:低, 8:高", &s), MM_EINVAL);
	assert_int_equal(mm_risk_bands_parse("1:低, 1:高", &s), MM_EINVAL);
	assert_int_equal(mm_risk_bands_parse("1:低", &s), MM_EINVAL);
	assert_int_equal(mm_risk_bands_parse("x:低, 5:高", &s), MM_EINVAL);
	assert_int_equal(mm_risk_bands_parse("1:, 5:高", &s), MM_EINVAL);
	assert_int_equal(mm_risk_bands_parse("1:a,2:b,3:c,4:d,5:e,6:f", &s), MM_EINVAL);
	assert_int_equal(s.nbands, 3);
	assert_int_equal(s.bands[1].from, 10);
	assert_int_equal(mm_risk_method_parse("ipa", &m), MM_OK);
	assert_int_equal(m, MM_RISK_IPA);
	assert_int_equal(mm_risk_method_parse("IPA ", &m), MM_EINVAL);
	assert_int_equal(mm_risk_acceptance_role_set("nobody"), MM_EINVAL);
	assert_int_equal(mm_risk_settings.acceptance_role, MM_ROLE_DEPUTY);
	assert_string_equal(mm_risk_threat_criterion(3, MM_JA), "通常の状況で発生");
	assert_string_equal(mm_risk_vuln_criterion(1, MM_JA), "必要な対策をすべて実施");
	assert_null(mm_risk_vuln_criterion(4, MM_JA));
}

struct fx {
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_ctx ctx;
	int64_t sec_a, sec_b, owner, deputy, deputy2, staff_b, secretary;
	int64_t asset, secret_asset, asset_b, threat, vuln;
	struct mm_principal p_owner, p_deputy, p_deputy2, p_staff_a, p_staff_b, p_secretariat;
};

static int64_t make(struct fx *f, const struct mm_register *r, struct mm_in *it, size_t n)
{
	struct mm_input in = { it, n, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;
	const struct mm_principal *who = f->ctx.who;

	f->ctx.who = NULL;
	assert_int_equal(mm_reg_create(r, &f->ctx, &in, &errs, &rec), MM_OK);
	f->ctx.who = who;
	return rec.id;
}

static int64_t person(struct fx *f, const char *no, int64_t section)
{
	struct mm_in it[] = { S("employee_no", no), S("name", no), I("section_id", section),
			      S("employment", "regular"), S("employment_status", "employed") };

	return make(f, &mm_reg_people, it, 5);
}

static int64_t asset(struct fx *f, const char *name, int64_t section, int c, int64_t owner)
{
	struct mm_in it[] = { S("name", name),		S("kind", "data"),
			      I("section_id", section), S("personal_info", "none"),
			      I("confidentiality", c),	I("integrity", 1),
			      I("availability", 1),	I("owner_id", owner),
			      S("category", "住民記録") };

	return make(f, &mm_reg_assets, it, 9);
}

static void principal(struct mm_principal *p, int64_t person, int64_t section, unsigned roles)
{
	memset(p, 0, sizeof(*p));
	p->person_id = person;
	p->section_id = section;
	p->login = "u";
	p->roles = MM_ROLE_BIT(MM_ROLE_STAFF) | roles;
}

static int64_t code_id(struct fx *f, const struct mm_register *r, const char *code)
{
	int64_t id = 0;

	assert_int_equal(mm_reg_resolve(r, &f->ctx, code, strlen(code), &id), MM_OK);
	return id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	assert_int_equal(mm_time_parse_iso("2025-06-01T03:00:00Z", &f->ctx.now), MM_OK);
	assert_int_equal(mm_seed_profile(&f->ctx, NULL), MM_OK);
	struct mm_in sa[] = { S("code", "0410"), S("name", "市民課"), S("kind", "division") };
	struct mm_in sb[] = { S("code", "0310"), S("name", "税務課"), S("kind", "division") };
	f->sec_a = make(f, &mm_reg_sections, sa, 3);
	f->sec_b = make(f, &mm_reg_sections, sb, 3);
	f->owner = person(f, "10001", f->sec_a);
	f->deputy = person(f, "10002", f->sec_b);
	f->deputy2 = person(f, "10003", f->sec_b);
	f->staff_b = person(f, "10004", f->sec_b);
	f->secretary = person(f, "10005", f->sec_b);
	principal(&f->p_owner, f->owner, f->sec_a, MM_ROLE_BIT(MM_ROLE_DEPUTY));
	principal(&f->p_deputy, f->deputy, f->sec_b, MM_ROLE_BIT(MM_ROLE_DEPUTY));
	principal(&f->p_deputy2, f->deputy2, f->sec_b, MM_ROLE_BIT(MM_ROLE_DEPUTY));
	principal(&f->p_staff_a, f->staff_b, f->sec_a, 0);
	principal(&f->p_staff_b, f->staff_b, f->sec_b, 0);
	principal(&f->p_secretariat, f->secretary, f->sec_b, MM_ROLE_BIT(MM_ROLE_SECRETARIAT));
	/* 課外秘 (value 3) of 市民課, 極秘 of 市民課, 庁外秘 of 税務課. */
	f->asset = asset(f, "住民票データ", f->sec_a, 3, f->owner);
	f->secret_asset = asset(f, "極秘データ", f->sec_a, 4, f->owner);
	f->asset_b = asset(f, "課税データ", f->sec_b, 2, f->deputy);
	f->threat = code_id(f, &mm_reg_threats, "T25");
	f->vuln = code_id(f, &mm_reg_vulnerabilities, "V12");
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

static int new_risk(struct fx *f, int64_t asset_id, int64_t t, int64_t v, struct mm_ferrs *errs,
		    struct mm_record *out)
{
	struct mm_in it[] = { I("asset_id", asset_id), I("threat_id", f->threat),
			      I("vulnerability_id", f->vuln), I("threat_level", t),
			      I("vulnerability_level", v) };
	struct mm_input in = { it, 5, MM_IN_JSON };

	return mm_reg_create(&mm_reg_risks, &f->ctx, &in, errs, out);
}

static void risk_values_follow_the_asset(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record r;

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 3, 2, &errs, &r), MM_OK);
	assert_int_equal(r.v[RSK_VALUE].i, 3);
	assert_int_equal(r.v[RSK_RISK].i, 18);
	assert_int_equal(r.v[RSK_RESIDUAL].i, 18);
	assert_string_equal(r.v[RSK_BAND].s, "高");
	assert_string_equal(r.v[RSK_NEEDS].s, "yes");
	assert_int_equal(r.v[RSK_CLASS].i, 3);
	assert_int_equal(r.v[RSK_SECTION].i, f->sec_a);
	assert_int_equal(r.v[RSK_OWNER].i, f->owner);
	assert_string_equal(r.v[RSK_STATE].s, "assessing");
	assert_non_null(strstr(r.v[RSK_NAME].s, "住民票データ／ランサムウェア"));
	/* Residual levels lower the residual value only. */
	struct mm_in it[] = { I("residual_threat_level", 1), I("residual_vulnerability_level", 1) };
	struct mm_input in = { it, 2, MM_IN_JSON };
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, r.id, 1, &in, &errs, &r), MM_OK);
	assert_int_equal(r.v[RSK_RISK].i, 18);
	assert_int_equal(r.v[RSK_RESIDUAL].i, 3);
	assert_string_equal(r.v[RSK_RBAND].s, "低");
	assert_string_equal(r.v[RSK_NEEDS].s, "no");
}

static void bad_input_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record r;
	struct mm_page page;
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 0, 0, NULL, NULL };

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 4, 2, &errs, &r), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "out_of_range");
	/* Neither asset nor group, then both. */
	struct mm_in none[] = { I("threat_id", f->threat), I("vulnerability_id", f->vuln),
				I("threat_level", 2), I("vulnerability_level", 2) };
	struct mm_input in = { none, 4, MM_IN_JSON };
	assert_int_equal(mm_reg_create(&mm_reg_risks, &f->ctx, &in, &errs, &r), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "risk_asset_or_group");
	struct mm_in both[] = { I("threat_id", f->threat), I("vulnerability_id", f->vuln),
				I("threat_level", 2),	   I("vulnerability_level", 2),
				I("asset_id", f->asset),   S("asset_group", "住民記録") };
	in = (struct mm_input){ both, 6, MM_IN_JSON };
	assert_int_equal(mm_reg_create(&mm_reg_risks, &f->ctx, &in, &errs, &r), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "risk_asset_or_group");
	struct mm_in grp[] = { I("threat_id", f->threat), I("vulnerability_id", f->vuln),
			       I("threat_level", 2), I("vulnerability_level", 2),
			       S("asset_group", "存在しない分類") };
	in = (struct mm_input){ grp, 5, MM_IN_JSON };
	assert_int_equal(mm_reg_create(&mm_reg_risks, &f->ctx, &in, &errs, &r), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "risk_group_empty");
	f->ctx.who = NULL;
	assert_int_equal(mm_reg_list(&mm_reg_risks, &f->ctx, &q, &page), MM_OK);
	assert_int_equal(page.total, 0);
}

static void group_takes_the_highest_value(void **state)
{
	struct fx *f = *state;
	struct mm_in it[] = { I("threat_id", f->threat),    I("vulnerability_id", f->vuln),
			      I("threat_level", 1),	    I("vulnerability_level", 1),
			      S("asset_group", "住民記録"), I("section_id", f->sec_a) };
	struct mm_input in = { it, 6, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record r;

	f->ctx.who = NULL;
	assert_int_equal(mm_reg_create(&mm_reg_risks, &f->ctx, &in, &errs, &r), MM_OK);
	assert_int_equal(r.v[RSK_VALUE].i, 4); /* the 極秘 asset's */
	assert_int_equal(r.v[RSK_CLASS].i, 4);
	assert_int_equal(r.v[RSK_RISK].i, 4);
}

static int accept(struct fx *f, const struct mm_principal *who, const struct mm_record *r,
		  struct mm_ferrs *errs, struct mm_record *out)
{
	f->ctx.who = who;
	return mm_reg_transition(&mm_reg_risks, &f->ctx, r->id, r->version, "accept", "受容する",
				 errs, out);
}

static void acceptance_refusals_and_freeze(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record r, out;
	struct mm_hist *h;
	size_t n;

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 3, 2, &errs, &r), MM_OK);
	/* Wrong role: 事務局 and staff may not accept. */
	assert_int_equal(accept(f, &f->p_secretariat, &r, &errs, &out), MM_EPERM);
	assert_string_equal(f->ctx.refusal, "wf_forbidden");
	/* The owner holds the acceptance role but may not accept their own
	 * risk. */
	assert_int_equal(accept(f, &f->p_owner, &r, &errs, &out), MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "risk_owner_approver");
	assert_int_equal(mm_reg_get(&mm_reg_risks, &f->ctx, r.id, &out), MM_OK);
	assert_string_equal(out.v[RSK_STATE].s, "assessing");
	assert_int_equal(out.version, 1);
	/* Another holder of the role accepts. */
	assert_int_equal(accept(f, &f->p_deputy, &r, &errs, &out), MM_OK);
	assert_string_equal(out.v[RSK_STATE].s, "accepted");
	assert_int_equal(out.v[RSK_DECIDED_BY].i, f->deputy);
	/* Accepted once: a second acceptance is refused. */
	assert_int_equal(accept(f, &f->p_deputy2, &out, &errs, &r), MM_ECONFLICT);
	assert_string_equal(f->ctx.refusal, "wf_wrong_state");
	/* An edit makes a new version that needs acceptance again; the
	 * accepted version stays in the history. */
	struct mm_in it[] = { S("measures", "オフラインバックアップを追加") };
	struct mm_input in = { it, 1, MM_IN_JSON };
	f->ctx.who = &f->p_secretariat;
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, out.id, out.version, &in, &errs, &r),
			 MM_OK);
	assert_int_equal(r.version, 3);
	assert_string_equal(r.v[RSK_STATE].s, "assessing");
	assert_false(r.v[RSK_DECIDED_BY].set);
	assert_int_equal(mm_reg_history(&mm_reg_risks, &f->ctx, r.id, &h, &n), MM_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[1].action, "accept");
	/* The unchanged edit of an accepted risk makes no version. */
	assert_int_equal(accept(f, &f->p_deputy2, &r, &errs, &out), MM_OK);
	in.n = 0;
	f->ctx.who = &f->p_secretariat;
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, out.id, out.version, &in, &errs, &r),
			 MM_OK);
	assert_int_equal(r.version, 4);
	assert_string_equal(r.v[RSK_STATE].s, "accepted");
}

static void recompute_on_valuation_change(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record r, a, out;
	struct mm_hist *h;
	size_t n;

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 3, 2, &errs, &r), MM_OK);
	assert_int_equal(accept(f, &f->p_deputy, &r, &errs, &r), MM_OK);
	f->ctx.who = NULL;
	struct mm_in it[] = { I("confidentiality", 2) };
	struct mm_input in = { it, 1, MM_IN_JSON };
	assert_int_equal(mm_reg_update(&mm_reg_assets, &f->ctx, f->asset, 1, &in, &errs, &a),
			 MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_risks, &f->ctx, r.id, &out), MM_OK);
	assert_int_equal(out.v[RSK_VALUE].i, 2);
	assert_int_equal(out.v[RSK_RISK].i, 12);
	assert_string_equal(out.v[RSK_BAND].s, "中");
	assert_int_equal(out.v[RSK_CLASS].i, 2);
	assert_string_equal(out.v[RSK_STATE].s, "assessing");
	assert_int_equal(mm_reg_history(&mm_reg_risks, &f->ctx, r.id, &h, &n), MM_OK);
	assert_int_equal(n, 3);
	assert_non_null(strstr(h[2].changes, "\"risk_value\":[18,12]"));
	/* A change that leaves the value alone makes no version. */
	it[0] = S("description", "説明");
	assert_int_equal(mm_reg_update(&mm_reg_assets, &f->ctx, f->asset, 2, &in, &errs, &a),
			 MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_risks, &f->ctx, r.id, &out), MM_OK);
	assert_int_equal(out.version, 3);
}

static void bulk_creation_is_idempotent(void **state)
{
	struct fx *f = *state;
	struct mm_risk_bulk b = { .kind = "data", .min_value = 3, .t = 2, .v = 2 };
	struct mm_risk_bulk_counts one, two;

	f->ctx.who = NULL;
	assert_int_equal(mm_risk_bulk_create(&f->ctx, &b, &one), MM_OK);
	assert_int_equal(one.assets, 2);
	assert_true(one.created > 0);
	assert_int_equal(one.skipped, 0);
	assert_int_equal(mm_risk_bulk_create(&f->ctx, &b, &two), MM_OK);
	assert_int_equal(two.assets, 2);
	assert_int_equal(two.created, 0);
	assert_int_equal(two.skipped, one.created);
	b.t = 4;
	assert_int_equal(mm_risk_bulk_create(&f->ctx, &b, &two), MM_EINVAL);
	/* Staff may not create risks: the whole run is refused. */
	b = (struct mm_risk_bulk){ .kind = "data", .t = 2, .v = 2 };
	f->ctx.who = &f->p_staff_b;
	assert_int_equal(mm_risk_bulk_create(&f->ctx, &b, &two), MM_EPERM);
	assert_int_equal(two.created, 0);
}

static void heatmap_counts_equal_list_counts(void **state)
{
	struct fx *f = *state;
	const struct mm_principal *readers[] = { &f->p_staff_a, &f->p_staff_b, &f->p_secretariat,
						 &f->p_deputy, &f->p_owner };
	struct mm_risk_bulk b = { .t = 2, .v = 2 };
	struct mm_risk_bulk_counts c;

	f->ctx.who = NULL;
	assert_int_equal(mm_risk_bulk_create(&f->ctx, &b, &c), MM_OK);
	for (size_t w = 0; w < sizeof(readers) / sizeof(readers[0]); w++) {
		struct mm_query q = {
			NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, 0, 0, NULL, NULL
		};
		struct mm_risk_heat h;
		struct mm_page page;

		f->ctx.who = readers[w];
		assert_int_equal(mm_risk_heatmap(&f->ctx, &h), MM_OK);
		assert_int_equal(mm_reg_list(&mm_reg_risks, &f->ctx, &q, &page), MM_OK);
		assert_int_equal(h.total, page.total);
	}
	/* Nobody but the people named on it sees the 極秘 asset's risks;
	 * staff of 税務課 see only the 庁外秘 asset's. */
	struct mm_risk_heat hs, hb;
	f->ctx.who = &f->p_secretariat;
	assert_int_equal(mm_risk_heatmap(&f->ctx, &hs), MM_OK);
	f->ctx.who = &f->p_staff_b;
	assert_int_equal(mm_risk_heatmap(&f->ctx, &hb), MM_OK);
	assert_true(hb.total > 0);
	assert_true(hs.total > hb.total);
	assert_int_equal(hs.count[0][3], 0); /* the value 4 (極秘) row is empty for 事務局 */
	f->ctx.who = NULL;
	assert_int_equal(mm_risk_heatmap(&f->ctx, &hs), MM_OK);
	assert_true(hs.count[0][3] > 0); /* rows start at 4, column 3 is likelihood 4 */
}

static void snapshots_and_comparison(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record r, r2, ra;
	struct mm_risk_compare c;
	struct mm_in y1[] = { I("fiscal_year", 2024) }, y2[] = { I("fiscal_year", 2025) };
	struct mm_input in = { y1, 1, MM_IN_JSON };

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 2, 2, &errs, &r), MM_OK);
	assert_int_equal(new_risk(f, f->asset_b, 2, 2, &errs, &r2), MM_OK);
	assert_int_equal(mm_reg_create(&mm_reg_risk_assessments, &f->ctx, &in, &errs, &ra), MM_OK);
	assert_int_equal(ra.v[RA_COUNT].i, 2);
	/* One year, one assessment; and nobody edits one. */
	assert_int_equal(mm_reg_create(&mm_reg_risk_assessments, &f->ctx, &in, &errs, &ra),
			 MM_EVALIDATE);
	assert_string_equal(errs.e[0].msg, "duplicate");
	struct mm_in note[] = { S("note", "x") };
	struct mm_input nin = { note, 1, MM_IN_JSON };
	assert_int_equal(mm_reg_update(&mm_reg_risk_assessments, &f->ctx, 1, 1, &nin, &errs, &ra),
			 MM_EPERM);
	struct mm_in lv[] = { I("threat_level", 3) };
	struct mm_input lin = { lv, 1, MM_IN_JSON };
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, r.id, 1, &lin, &errs, &r), MM_OK);
	assert_int_equal(mm_reg_set_retired(&mm_reg_risks, &f->ctx, r2.id, 1, true, &r2), MM_OK);
	assert_int_equal(new_risk(f, f->asset, 1, 1, &errs, &r2), MM_OK);
	in.items = y2;
	assert_int_equal(mm_reg_create(&mm_reg_risk_assessments, &f->ctx, &in, &errs, &ra), MM_OK);
	assert_int_equal(mm_risk_compare_years(&f->ctx, 2024, 2025, &c), MM_OK);
	assert_int_equal(c.nadded, 1);
	assert_int_equal(c.nremoved, 1);
	assert_int_equal(c.nraised, 1);
	assert_int_equal(c.nlowered, 0);
	assert_int_equal(c.raised[0].before, 12);
	assert_int_equal(c.raised[0].after, 18);
	/* Staff of 税務課 see only what they could see of the risks. */
	f->ctx.who = &f->p_staff_b;
	assert_int_equal(mm_risk_compare_years(&f->ctx, 2024, 2025, &c), MM_OK);
	assert_int_equal(c.nadded + c.nraised + c.nlowered, 0);
	assert_int_equal(c.nremoved, 1);
	assert_int_equal(mm_risk_compare_years(&f->ctx, 2023, 2025, &c), MM_ENOTFOUND);
}

/* The report lists by value and counts by band what the reader's list
 * holds; the plan orders measures by due date, and only a measure past
 * its date and not done is overdue. */
static void report_and_plan(void **state)
{
	struct fx *f = *state;
	struct mm_risk_sel sel = { 0 };
	struct mm_risk_report rep;
	struct mm_risk_plan plan;
	struct mm_ferrs errs;
	struct mm_record a, b, c;

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 1, 1, &errs, &a), MM_OK);   /* 3 低 */
	assert_int_equal(new_risk(f, f->asset, 3, 2, &errs, &b), MM_OK);   /* 18 高 */
	assert_int_equal(new_risk(f, f->asset_b, 2, 2, &errs, &c), MM_OK); /* 8 中 */
	struct mm_in late[] = { S("measure_due", "2025-05-31"),
				S("measure_status", "in_progress") };
	struct mm_in done[] = { S("measure_due", "2024-04-01"), S("measure_status", "done") };
	struct mm_in today[] = { S("measure_due", "2025-06-01") };
	struct mm_input in = { late, 2, MM_IN_JSON };
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, a.id, a.version, &in, &errs, &a),
			 MM_OK);
	in.items = done;
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, b.id, b.version, &in, &errs, &b),
			 MM_OK);
	in.items = today;
	in.n = 1;
	assert_int_equal(mm_reg_update(&mm_reg_risks, &f->ctx, c.id, c.version, &in, &errs, &c),
			 MM_OK);

	assert_int_equal(mm_risk_report(&f->ctx, &sel, &rep), MM_OK);
	assert_int_equal(rep.n, 3);
	assert_int_equal(rep.recs[0].id, b.id);
	assert_int_equal(rep.recs[1].id, c.id);
	assert_int_equal(rep.recs[2].id, a.id);
	assert_int_equal(rep.by_band[0], 1);
	assert_int_equal(rep.by_band[1], 1);
	assert_int_equal(rep.by_band[2], 1);
	assert_int_equal(rep.fiscal_year, 2025);
	assert_string_equal(rep.today, "2025-06-01");

	assert_int_equal(mm_risk_plan(&f->ctx, &sel, &plan), MM_OK);
	assert_int_equal(plan.n, 3);
	assert_int_equal(plan.recs[0].id, b.id);
	assert_int_equal(plan.recs[1].id, a.id);
	assert_int_equal(plan.recs[2].id, c.id);
	assert_false(plan.overdue[0]); /* done */
	assert_true(plan.overdue[1]);
	assert_int_equal(plan.days_late[1], 1);
	assert_false(plan.overdue[2]); /* due today */
	assert_int_equal(plan.noverdue, 1);
	sel.overdue_only = true;
	assert_int_equal(mm_risk_plan(&f->ctx, &sel, &plan), MM_OK);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.recs[0].id, a.id);

	/* A staff member of 税務課 sees neither of 市民課's 課外秘 risks. */
	f->ctx.who = &f->p_staff_b;
	sel = (struct mm_risk_sel){ 0 };
	assert_int_equal(mm_risk_report(&f->ctx, &sel, &rep), MM_OK);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.recs[0].id, c.id);
	assert_int_equal(mm_risk_plan(&f->ctx, &sel, &plan), MM_OK);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.noverdue, 0);
	/* And a section filter selects that section's risks alone. */
	f->ctx.who = &f->p_secretariat;
	sel.section_id = f->sec_a;
	assert_int_equal(mm_risk_report(&f->ctx, &sel, &rep), MM_OK);
	assert_int_equal(rep.n, 2);
}

/* Stored band labels show in English, custom ones with their own. */
static void band_labels_in_english(void **state)
{
	struct mm_risk_settings s = { .method = MM_RISK_JIPDEC };

	(void)state;
	assert_string_equal(mm_risk_band_label("高", MM_EN), "High");
	assert_string_equal(mm_risk_band_label("中", MM_EN), "Medium");
	assert_string_equal(mm_risk_band_label("低", MM_JA), "低");
	assert_string_equal(mm_risk_band_label("不明", MM_EN), "不明");
	assert_int_equal(mm_risk_bands_parse("1:軽微:Minor, 10:重大:Severe", &s), MM_OK);
	assert_string_equal(mm_risk_band_label("重大", MM_EN), "Severe");
	assert_string_equal(mm_risk_band_label("高", MM_EN), "High");
}

/* A change of method recomputes every stored risk once, at the next
 * start; the same settings again recompute nothing. */
static void method_change_recomputes(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	struct mm_record r, out;
	const char *marker;
	size_t n;

	f->ctx.who = &f->p_secretariat;
	assert_int_equal(new_risk(f, f->asset, 3, 2, &errs, &r), MM_OK);
	f->ctx.who = NULL;
	assert_int_equal(mm_risk_settings_sync(&f->ctx, &n), MM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mm_risk_settings_sync(&f->ctx, &n), MM_OK);
	assert_int_equal(n, 0);

	mm_risk_settings.method = MM_RISK_IPA;
	assert_int_equal(mm_risk_settings_sync(&f->ctx, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mm_reg_get(&mm_reg_risks, &f->ctx, r.id, &out), MM_OK);
	assert_int_equal(out.v[RSK_RISK].i, 9); /* 重要度 3 × 可能性 3 */
	assert_string_equal(out.v[RSK_BAND].s, "高");
	assert_int_equal(out.version, 2);
	assert_int_equal(mm_meta_get(f->ctx.conn, "risk_settings", f->ctx.a, &marker), MM_OK);
	assert_non_null(strstr(marker, "method=ipa"));
	assert_int_equal(mm_risk_settings_sync(&f->ctx, &n), MM_OK);
	assert_int_equal(n, 0);

	mm_risk_settings.method = MM_RISK_JIPDEC;
	assert_int_equal(mm_risk_settings_sync(&f->ctx, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mm_reg_get(&mm_reg_risks, &f->ctx, r.id, &out), MM_OK);
	assert_int_equal(out.v[RSK_RISK].i, 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jipdec_every_combination),
		cmocka_unit_test(ipa_every_cell),
		cmocka_unit_test(band_and_threshold_edges),
		cmocka_unit_test(settings_refusals),
		cmocka_unit_test_setup_teardown(risk_values_follow_the_asset, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_input_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(group_takes_the_highest_value, setup, teardown),
		cmocka_unit_test_setup_teardown(acceptance_refusals_and_freeze, setup, teardown),
		cmocka_unit_test_setup_teardown(recompute_on_valuation_change, setup, teardown),
		cmocka_unit_test_setup_teardown(bulk_creation_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(heatmap_counts_equal_list_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshots_and_comparison, setup, teardown),
		cmocka_unit_test_setup_teardown(report_and_plan, setup, teardown),
		cmocka_unit_test(band_labels_in_english),
		cmocka_unit_test_setup_teardown(method_change_recomputes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
