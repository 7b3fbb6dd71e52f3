/* Tests of access control (7.1, domain/access.h): a matrix of principals ×
 * registers × classification × action, each allowed and each refused case,
 * through the register engine over a real SQLite database; then grants,
 * moving records between sections, references, imports, naming on 極秘 and
 * the audit log of refusals. */
#include "core/arena.h"
#include "core/err.h"
#include "domain/access.h"
#include "domain/export.h"
#include "domain/principal.h"
#include "domain/registers.h"
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

#define S(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })
#define I(name, value) ((struct mm_in){ (name), MM_IN_INT, NULL, 0, (value) })
#define BIT(r)	       MM_ROLE_BIT(MM_ROLE_##r)

/* The sections: 部 D over the owning 課 K (with its 係 U) and another 課
 * K2; X is where the privileged people sit. */
enum { SD, SK, SU, SK2, SX, NSEC };

/* The principals of the matrix. */
enum {
	W_STAFF_OWNER,
	W_STAFF_OTHER,
	W_STAFF_UNIT,
	W_DM_OWNER,
	W_DM_OTHER,
	W_SECRETARIAT,
	W_DEPUTY,
	W_CISO,
	W_AUDITOR,
	W_APP_ADMIN,
	W_SYSTEMS,
	W_CONTRACTOR,
	W_CONTRACTOR_GRANTED,
	W_NAMED,
	W_NOBODY,
	NWHO
};

/* Who they are, and what they may do. The strings give one letter per
 * asset of 機密性 1, 2, 3 and 4 owned by K: Y allowed, P refused with
 * MM_EPERM (they may read it), N answered MM_ENOTFOUND (they may not). */
struct who {
	const char *name;
	unsigned roles;
	int section, managed; /* managed: -1 for none */
	const char *read;     /* get, list, search, export, history */
	bool read_unit;	      /* the 課外秘 asset owned by U */
	bool read_org;	      /* sections, people, systems, roles, holders */
	const char *edit, *retire;
	char create_k, create_k2; /* an asset for K, for K2 */
	char write_org;		  /* a section (and person, role, holding) */
	char create_sys;	  /* a system of K */
};

static const struct who whos[NWHO] = {
	[W_STAFF_OWNER] = { "staff of K", BIT(STAFF), SK, -1, "YYYN", false, true, "PPPN", "PPPN",
			    'P', 'P', 'P', 'P' },
	[W_STAFF_OTHER] = { "staff of K2", BIT(STAFF), SK2, -1, "YYNN", false, true, "PPNN", "PPNN",
			    'P', 'P', 'P', 'P' },
	[W_STAFF_UNIT] = { "staff of U under K", BIT(STAFF), SU, -1, "YYYN", true, true, "PPPN",
			   "PPPN", 'P', 'P', 'P', 'P' },
	[W_DM_OWNER] = { "data manager of K", BIT(STAFF) | BIT(DATA_MANAGER), SK, SK, "YYYN", true,
			 true, "YYYN", "YYYN", 'Y', 'P', 'P', 'Y' },
	[W_DM_OTHER] = { "data manager of K2", BIT(STAFF) | BIT(DATA_MANAGER), SK2, SK2, "YYNN",
			 false, true, "PPNN", "PPNN", 'P', 'Y', 'P', 'P' },
	[W_SECRETARIAT] = { "事務局", BIT(STAFF) | BIT(SECRETARIAT), SX, -1, "YYYN", true, true,
			    "YYYN", "YYYN", 'Y', 'Y', 'Y', 'Y' },
	[W_DEPUTY] = { "統括責任者", BIT(STAFF) | BIT(DEPUTY), SD, -1, "YYYN", true, true, "PPPN",
		       "PPPN", 'P', 'P', 'P', 'P' },
	[W_CISO] = { "最高責任者", BIT(STAFF) | BIT(CISO), SD, -1, "YYNN", false, true, "PPNN",
		     "PPNN", 'P', 'P', 'P', 'P' },
	[W_AUDITOR] = { "監査人", BIT(STAFF) | BIT(AUDITOR), SX, -1, "YYYN", true, true, "PPPN",
			"PPPN", 'P', 'P', 'P', 'P' },
	[W_APP_ADMIN] = { "アプリケーション管理者", BIT(STAFF) | BIT(APP_ADMIN), SX, -1, "YYNN",
			  false, true, "PPNN", "PPNN", 'P', 'P', 'Y', 'P' },
	[W_SYSTEMS] = { "情報システム管理責任者", BIT(STAFF) | BIT(SYSTEMS), SX, -1, "YYNN", false,
			true, "PPNN", "PPNN", 'P', 'P', 'P', 'Y' },
	[W_CONTRACTOR] = { "contractor", BIT(CONTRACTOR), SK, -1, "NNNN", false, false, "NNNN",
			   "NNNN", 'P', 'P', 'P', 'P' },
	[W_CONTRACTOR_GRANTED] = { "contractor with edit grants", BIT(CONTRACTOR), SK, -1, "YYYN",
				   false, false, "YYYN", "PPPN", 'P', 'P', 'P', 'P' },
	[W_NAMED] = { "named on the 極秘 asset", BIT(STAFF), SK2, -1, "YYNY", false, true, "PPNP",
		      "PPNP", 'P', 'P', 'P', 'P' },
	[W_NOBODY] = { "nobody (no role)", 0, SK, -1, "NNNN", false, false, "NNNN", "NNNN", 'P',
		       'P', 'P', 'P' },
};

struct fx {
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_ctx ctx; /* who is NULL: the operator, for setting up */
	int64_t sec[NSEC];
	int64_t person[NWHO];
	int64_t asset[4]; /* 機密性 1..4, owned by K */
	int64_t unit_asset;
	int64_t system;
	struct mm_principal p[NWHO];
};

static int64_t create_rec(struct fx *f, const struct mm_register *r, struct mm_in *items, size_t n)
{
	struct mm_input in = { items, n, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(mm_reg_create(r, &f->ctx, &in, &errs, &rec), MM_OK);
	return rec.id;
}

static int64_t make_section(struct fx *f, const char *code, const char *kind, int64_t parent)
{
	struct mm_in it[4] = { S("code", code), S("name", code), S("kind", kind),
			       I("parent_id", parent) };

	return create_rec(f, &mm_reg_sections, it, parent ? 4 : 3);
}

static int64_t make_asset(struct fx *f, const char *name, int64_t section, int level)
{
	struct mm_in it[7] = { S("name", name),
			       S("kind", "data"),
			       I("section_id", section),
			       S("personal_info", "none"),
			       I("confidentiality", level),
			       I("integrity", 1),
			       I("availability", 1) };

	return create_rec(f, &mm_reg_assets, it, 7);
}

static void grant(struct fx *f, const struct mm_register *r, int64_t id, int64_t person,
		  const char *kind)
{
	struct mm_ferrs errs;
	struct mm_grant g;

	assert_int_equal(mm_grants_add(r, &f->ctx, id, person, kind, &errs, &g), MM_OK);
}

static void make_people(struct fx *f)
{
	for (int w = 0; w < NWHO; w++) {
		bool contractor = whos[w].roles == BIT(CONTRACTOR);
		struct mm_in it[4] = { S("name", whos[w].name),
				       I("section_id", f->sec[whos[w].section]),
				       S("employment", contractor ? "contractor" : "regular"),
				       S("employment_status", "employed") };
		struct mm_principal *p = &f->p[w];

		f->person[w] = create_rec(f, &mm_reg_people, it, 4);
		memset(p, 0, sizeof(*p));
		p->account_id = 100 + w;
		p->person_id = f->person[w];
		p->login = whos[w].name;
		p->name = whos[w].name;
		p->section_id = f->sec[whos[w].section];
		p->roles = whos[w].roles;
		if (whos[w].managed >= 0)
			p->managed[p->nmanaged++] = f->sec[whos[w].managed];
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	static const char *const names[4] = { "資産L1", "資産L2", "資産L3", "資産L4" };

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	f->sec[SD] = make_section(f, "D100", "department", 0);
	f->sec[SK] = make_section(f, "K110", "division", f->sec[SD]);
	f->sec[SU] = make_section(f, "U111", "unit", f->sec[SK]);
	f->sec[SK2] = make_section(f, "K120", "division", f->sec[SD]);
	f->sec[SX] = make_section(f, "X900", "division", 0);
	make_people(f);
	for (int l = 0; l < 4; l++)
		f->asset[l] = make_asset(f, names[l], f->sec[SK], l + 1);
	f->unit_asset = make_asset(f, "係の資産", f->sec[SU], 3);
	{
		struct mm_in it[2] = { S("name", "Kのシステム"), I("section_id", f->sec[SK]) };
		f->system = create_rec(f, &mm_reg_systems, it, 2);
	}
	for (int l = 0; l < 4; l++)
		grant(f, &mm_reg_assets, f->asset[l], f->person[W_CONTRACTOR_GRANTED], "edit");
	grant(f, &mm_reg_assets, f->asset[3], f->person[W_NAMED], "named");
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

/* The context of principal w. */
static struct mm_ctx as(struct fx *f, int w)
{
	struct mm_ctx c = f->ctx;

	c.who = &f->p[w];
	c.actor = f->p[w].login;
	return c;
}

static int expect_rc(char letter)
{
	return letter == 'Y' ? MM_OK : letter == 'P' ? MM_EPERM : MM_ENOTFOUND;
}

/* Fails with the principal, the record and both codes. */
#define CHECK_RC(got, want, w, what, level)                                                        \
	do {                                                                                       \
		int got_ = (got), want_ = (want);                                                  \
		if (got_ != want_)                                                                 \
			fail_msg("%s, %s of level %d: got %s, want %s", whos[w].name, what,        \
				 (int)(level), mm_strerror(got_), mm_strerror(want_));             \
	} while (0)

static int64_t count_visible(struct mm_ctx *c, const struct mm_register *r, const char *q,
			     struct mm_page *page)
{
	struct mm_query qq = { NULL, 0, q, MM_SORT_ID, false, MM_ANY_STATUS, 100, 0, NULL, NULL };

	assert_int_equal(mm_reg_list(r, c, &qq, page), MM_OK);
	/* The total, counted in parts, agrees with the rows, read with the
	 * whole condition. */
	assert_int_equal(page->n, page->total);
	return page->total;
}

static bool listed(const struct mm_page *page, int64_t id)
{
	for (size_t i = 0; i < page->n; i++)
		if (page->recs[i].id == id)
			return true;
	return false;
}

/* The assets one principal sees: get, history, the list and its total, the
 * free-text search, the export and the display of references. */
static void check_asset_reads(struct fx *f, int w)
{
	struct mm_ctx c = as(f, w);
	const char *names[4] = { "資産L1", "資産L2", "資産L3", "資産L4" };
	struct mm_page page, found;
	struct mm_file_report rep;
	struct mm_query all = {
		NULL, 0, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 100, 0, NULL, NULL
	};
	int64_t want = whos[w].read_unit;
	struct mm_buf out;

	count_visible(&c, &mm_reg_assets, NULL, &page);
	for (int l = 0; l < 4; l++) {
		bool yes = whos[w].read[l] == 'Y';
		struct mm_record rec;
		struct mm_hist *h;
		size_t n;

		want += yes;
		CHECK_RC(mm_reg_get(&mm_reg_assets, &c, f->asset[l], &rec), yes ? 0 : MM_ENOTFOUND,
			 w, "get", l + 1);
		CHECK_RC(mm_reg_history(&mm_reg_assets, &c, f->asset[l], &h, &n),
			 yes ? 0 : MM_ENOTFOUND, w, "history", l + 1);
		if (listed(&page, f->asset[l]) != yes)
			fail_msg("%s: asset of level %d listed: %d", whos[w].name, l + 1, !yes);
		if (count_visible(&c, &mm_reg_assets, names[l], &found) != yes)
			fail_msg("%s: search for level %d found %lld", whos[w].name, l + 1,
				 (long long)found.total);
		assert_int_equal(*mm_reg_display(&mm_reg_assets, &c, f->asset[l]) != '\0', yes);
	}
	assert_int_equal(listed(&page, f->unit_asset), whos[w].read_unit);
	if (page.total != want)
		fail_msg("%s: total %lld, want %lld", whos[w].name, (long long)page.total,
			 (long long)want);
	/* The references of a list page, read in one go, hide the same. */
	{
		const char *texts[5];
		int64_t ids[5] = { f->asset[3], 999999, f->asset[0], f->asset[1], f->asset[2] };

		assert_int_equal(mm_reg_display_many(&mm_reg_assets, &c, ids, 5, texts), MM_OK);
		assert_string_equal(texts[1], "");
		for (int k = 0; k < 5; k++)
			assert_string_equal(texts[k], mm_reg_display(&mm_reg_assets, &c, ids[k]));
	}
	mm_buf_init(&out, 1 << 20);
	assert_int_equal(mm_export(&mm_reg_assets, &c, &all, MM_EXPORT_CSV, &out, &rep), MM_OK);
	assert_int_equal(rep.rows, want);
	mm_buf_free(&out);
}

/* The registers of a fixed level: every employee sees all, others none. */
static void check_org_reads(struct fx *f, int w)
{
	const struct mm_register *regs[] = { &mm_reg_sections, &mm_reg_people, &mm_reg_systems,
					     &mm_reg_roles, &mm_reg_role_holders };
	struct mm_ctx c = as(f, w), op = f->ctx;
	struct mm_page page, everything;

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		int64_t total = count_visible(&op, regs[i], NULL, &everything);
		int64_t seen = count_visible(&c, regs[i], NULL, &page);
		struct mm_record rec;

		if (seen != (whos[w].read_org ? total : 0))
			fail_msg("%s: %s shows %lld of %lld", whos[w].name, regs[i]->schema.name,
				 (long long)seen, (long long)total);
		if (total > 0)
			CHECK_RC(mm_reg_get(regs[i], &c, everything.recs[0].id, &rec),
				 whos[w].read_org ? 0 : MM_ENOTFOUND, w, regs[i]->schema.name,
				 regs[i]->default_class);
	}
}

static void test_read_matrix(void **state)
{
	struct fx *f = *state;

	for (int w = 0; w < NWHO; w++) {
		check_asset_reads(f, w);
		check_org_reads(f, w);
	}
}

/* Edits asset id's description as principal w at its current version. */
static int edit_asset(struct fx *f, int w, int64_t id, const char *desc)
{
	struct mm_ctx c = as(f, w);
	struct mm_in it[1] = { S("description", desc) };
	struct mm_input in = { it, 1, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(mm_rec_get(f->ctx.conn, &mm_reg_assets.schema, id, f->ctx.a, &rec), MM_OK);
	return mm_reg_update(&mm_reg_assets, &c, id, rec.version, &in, &errs, &rec);
}

/* Retires asset id as w and, when that works, restores it. */
static int retire_asset(struct fx *f, int w, int64_t id)
{
	struct mm_ctx c = as(f, w);
	struct mm_record rec;
	int rc;

	assert_int_equal(mm_rec_get(f->ctx.conn, &mm_reg_assets.schema, id, f->ctx.a, &rec), MM_OK);
	rc = mm_reg_set_retired(&mm_reg_assets, &c, id, rec.version, true, &rec);
	if (!rc)
		assert_int_equal(
			mm_reg_set_retired(&mm_reg_assets, &c, id, rec.version, false, &rec),
			MM_OK);
	return rc;
}

static int create_as(struct fx *f, int w, const struct mm_register *r, struct mm_in *it, size_t n)
{
	struct mm_ctx c = as(f, w);
	struct mm_input in = { it, n, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	return mm_reg_create(r, &c, &in, &errs, &rec);
}

static void check_creates(struct fx *f, int w)
{
	char code[16] = "";
	struct mm_in asset[7] = { S("name", "新しい資産"),     S("kind", "data"),
				  I("section_id", f->sec[SK]), S("personal_info", "none"),
				  I("confidentiality", 2),     I("integrity", 1),
				  I("availability", 1) };
	struct mm_in sys[2] = { S("name", "新しいシステム"), I("section_id", f->sec[SK]) };
	struct mm_in sec[3] = { S("code", code), S("name", code), S("kind", "division") };
	struct mm_in per[4] = { S("name", "新しい職員"), I("section_id", f->sec[SK]),
				S("employment", "regular"), S("employment_status", "employed") };
	struct mm_in role[4] = { S("code", code), S("name", code), S("scope", "organisation"),
				 S("privileged", "no") };

	CHECK_RC(create_as(f, w, &mm_reg_assets, asset, 7), expect_rc(whos[w].create_k), w,
		 "create an asset of K", 2);
	asset[2] = I("section_id", f->sec[SK2]);
	CHECK_RC(create_as(f, w, &mm_reg_assets, asset, 7), expect_rc(whos[w].create_k2), w,
		 "create an asset of K2", 2);
	CHECK_RC(create_as(f, w, &mm_reg_systems, sys, 2), expect_rc(whos[w].create_sys), w,
		 "create a system of K", 2);
	snprintf(code, sizeof(code), "N%02d", w);
	sec[0].len = sec[1].len = strlen(code);
	role[0].len = role[1].len = strlen(code);
	CHECK_RC(create_as(f, w, &mm_reg_sections, sec, 3), expect_rc(whos[w].write_org), w,
		 "create a section", 1);
	CHECK_RC(create_as(f, w, &mm_reg_people, per, 4), expect_rc(whos[w].write_org), w,
		 "create a person", 2);
	CHECK_RC(create_as(f, w, &mm_reg_roles, role, 4), expect_rc(whos[w].write_org), w,
		 "create a role", 1);
}

static void test_write_matrix(void **state)
{
	struct fx *f = *state;

	for (int w = 0; w < NWHO; w++) {
		for (int l = 0; l < 4; l++) {
			CHECK_RC(edit_asset(f, w, f->asset[l], whos[w].name),
				 expect_rc(whos[w].edit[l]), w, "edit", l + 1);
			CHECK_RC(retire_asset(f, w, f->asset[l]), expect_rc(whos[w].retire[l]), w,
				 "retire", l + 1);
		}
		check_creates(f, w);
	}
}

/* The newest audit event of action; fails when there is none. */
static struct mm_audit_event last_event(struct fx *f, const char *action)
{
	struct mm_audit_event *e;
	size_t n;

	assert_int_equal(mm_audit_list(f->ctx.conn, action, 1, f->ctx.a, &e, &n), MM_OK);
	assert_int_equal(n, 1);
	return e[0];
}

static const char *object(struct fx *f, const char *reg, int64_t id)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s/%lld", reg, (long long)id);
	return mm_arena_strdup(f->ctx.a, buf);
}

static void test_refusals_are_audited_and_change_nothing(void **state)
{
	struct fx *f = *state;
	struct mm_ctx c = as(f, W_STAFF_OTHER);
	struct mm_record rec, before, after;
	struct mm_audit_event e;

	assert_int_equal(mm_reg_get(&mm_reg_assets, &c, f->asset[2], &rec), MM_ENOTFOUND);
	e = last_event(f, "access_denied");
	assert_string_equal(e.object, object(f, "assets", f->asset[2]));
	assert_string_equal(e.result, "refused");
	assert_string_equal(e.details, "{\"op\":\"read\"}");
	assert_int_equal(e.account_id, f->p[W_STAFF_OTHER].account_id);
	/* A hidden record and one that does not exist answer the same. */
	assert_int_equal(mm_reg_get(&mm_reg_assets, &c, 999999, &rec), MM_ENOTFOUND);

	assert_int_equal(
		mm_rec_get(f->ctx.conn, &mm_reg_assets.schema, f->asset[1], f->ctx.a, &before),
		MM_OK);
	assert_int_equal(edit_asset(f, W_STAFF_OTHER, f->asset[1], "x"), MM_EPERM);
	e = last_event(f, "access_denied");
	assert_string_equal(e.object, object(f, "assets", f->asset[1]));
	assert_string_equal(e.details, "{\"op\":\"edit\"}");
	assert_int_equal(
		mm_rec_get(f->ctx.conn, &mm_reg_assets.schema, f->asset[1], f->ctx.a, &after),
		MM_OK);
	assert_int_equal(after.version, before.version);
	/* A stale version on a hidden record is still "not found", not a
	 * conflict that would tell it exists. */
	{
		struct mm_in it[1] = { S("description", "x") };
		struct mm_input in = { it, 1, MM_IN_JSON };
		struct mm_ferrs errs;

		assert_int_equal(
			mm_reg_update(&mm_reg_assets, &c, f->asset[3], 99, &in, &errs, &rec),
			MM_ENOTFOUND);
	}
}

/* A data manager keeps a record in the sections they manage; 事務局 moves
 * records anywhere. A 係's record is its 課's data manager's. */
static void test_moving_records(void **state)
{
	struct fx *f = *state;
	struct mm_ctx dm = as(f, W_DM_OWNER), sec = as(f, W_SECRETARIAT);
	struct mm_in to_k2[1] = { I("section_id", f->sec[SK2]) };
	struct mm_in to_k[1] = { I("section_id", f->sec[SK]) };
	struct mm_input in = { to_k2, 1, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(mm_reg_get(&mm_reg_assets, &dm, f->asset[1], &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &dm, rec.id, rec.version, &in, &errs, &rec),
			 MM_EPERM);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &dm, f->asset[1], &rec), MM_OK);
	assert_int_equal(rec.v[AST_SECTION].i, f->sec[SK]);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &sec, rec.id, rec.version, &in, &errs, &rec),
			 MM_OK);
	assert_int_equal(rec.v[AST_SECTION].i, f->sec[SK2]);

	in.items = to_k;
	assert_int_equal(mm_reg_get(&mm_reg_assets, &dm, f->unit_asset, &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &dm, rec.id, rec.version, &in, &errs, &rec),
			 MM_OK);
	assert_int_equal(rec.v[AST_SECTION].i, f->sec[SK]);
}

/* Grants are given by the owning section's data manager (on records they
 * cannot read too) and by 事務局 on the records it reads; they let a person
 * read, and 'named' is what 極秘 needs. */
static void test_grants(void **state)
{
	struct fx *f = *state;
	struct mm_ctx dm = as(f, W_DM_OWNER), other = as(f, W_STAFF_OTHER);
	struct mm_ctx staff = as(f, W_STAFF_OWNER), sec = as(f, W_SECRETARIAT);
	struct mm_ctx contractor = as(f, W_CONTRACTOR);
	int64_t reader = f->person[W_STAFF_OTHER], gen0, gen1;
	struct mm_ferrs errs;
	struct mm_grant g, named, *list;
	struct mm_record rec;
	struct mm_page page;
	size_t n;

	assert_int_equal(mm_store_generation(f->ctx.conn, &gen0), MM_OK);
	assert_int_equal(mm_grants_add(&mm_reg_assets, &dm, f->asset[2], reader, "read", &errs, &g),
			 MM_OK);
	assert_int_equal(mm_store_generation(f->ctx.conn, &gen1), MM_OK);
	assert_true(gen1 != gen0);
	assert_string_equal(last_event(f, "grant").object, object(f, "assets", f->asset[2]));
	assert_int_equal(mm_reg_get(&mm_reg_assets, &other, f->asset[2], &rec), MM_OK);
	count_visible(&other, &mm_reg_assets, NULL, &page);
	assert_true(listed(&page, f->asset[2]));
	/* 'read' does not reach 極秘; 'named' does, given by the data manager
	 * who is not named on it himself. */
	assert_int_equal(mm_grants_add(&mm_reg_assets, &dm, f->asset[3], reader, "read", &errs, &g),
			 MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &other, f->asset[3], &rec), MM_ENOTFOUND);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &dm, f->asset[3], &rec), MM_ENOTFOUND);
	assert_int_equal(
		mm_grants_add(&mm_reg_assets, &dm, f->asset[3], reader, "named", &errs, &named),
		MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &other, f->asset[3], &rec), MM_OK);
	assert_int_equal(mm_grants_list(&mm_reg_assets, &dm, f->asset[3], &list, &n), MM_OK);
	assert_int_equal(n, 4); /* edit (contractor), named, read, named */
	/* Taken back, it is gone. */
	assert_int_equal(mm_grants_remove(&mm_reg_assets, &dm, f->asset[3], named.id), MM_OK);
	assert_string_equal(last_event(f, "ungrant").object, object(f, "assets", f->asset[3]));
	assert_int_equal(mm_reg_get(&mm_reg_assets, &other, f->asset[3], &rec), MM_ENOTFOUND);
	assert_int_equal(mm_grants_remove(&mm_reg_assets, &dm, f->asset[2], named.id),
			 MM_ENOTFOUND);

	/* Staff of the section may read but not grant; what they may not read
	 * they do not find. 事務局 grants on what it reads, not on 極秘. */
	assert_int_equal(
		mm_grants_add(&mm_reg_assets, &staff, f->asset[1], reader, "read", &errs, &g),
		MM_EPERM);
	assert_int_equal(mm_grants_list(&mm_reg_assets, &staff, f->asset[1], &list, &n), MM_EPERM);
	assert_int_equal(
		mm_grants_add(&mm_reg_assets, &staff, f->asset[3], reader, "read", &errs, &g),
		MM_ENOTFOUND);
	assert_int_equal(mm_grants_add(&mm_reg_assets, &sec, f->asset[2], f->person[W_CONTRACTOR],
				       "read", &errs, &g),
			 MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &contractor, f->asset[2], &rec), MM_OK);
	assert_int_equal(
		mm_grants_add(&mm_reg_assets, &sec, f->asset[3], reader, "named", &errs, &g),
		MM_ENOTFOUND);
}

static void expect_grant_error(struct fx *f, const struct mm_register *r, int64_t id,
			       int64_t person, const char *kind, const char *field, const char *msg)
{
	struct mm_ctx sec = as(f, W_SECRETARIAT);
	struct mm_ferrs errs;
	struct mm_grant g;

	assert_int_equal(mm_grants_add(r, &sec, id, person, kind, &errs, &g), MM_EVALIDATE);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.e[0].field, field);
	assert_string_equal(errs.e[0].msg, msg);
}

static void test_grant_refusals(void **state)
{
	struct fx *f = *state;
	int64_t someone = f->person[W_STAFF_OTHER];

	expect_grant_error(f, &mm_reg_assets, f->asset[1], someone, "admin", "kind", "bad_choice");
	expect_grant_error(f, &mm_reg_systems, f->system, someone, "edit", "kind", "bad_choice");
	expect_grant_error(f, &mm_reg_people, someone, someone, "named", "kind", "bad_choice");
	expect_grant_error(f, &mm_reg_assets, f->asset[1], 999999, "read", "person_id", "bad_ref");
	expect_grant_error(f, &mm_reg_assets, f->asset[0], f->person[W_CONTRACTOR_GRANTED], "edit",
			   "person_id", "grant_duplicate");
}

/* References to records the writer may not read are refused like
 * references to records that do not exist. */
static void test_references_to_hidden_records(void **state)
{
	struct fx *f = *state;
	struct mm_ctx c = as(f, W_CONTRACTOR_GRANTED), sec = as(f, W_SECRETARIAT);
	struct mm_in it[2] = { I("owner_id", f->person[W_STAFF_OWNER]), I("system_id", f->system) };
	struct mm_input in = { it, 2, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(mm_reg_get(&mm_reg_assets, &c, f->asset[0], &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &c, rec.id, rec.version, &in, &errs, &rec),
			 MM_EVALIDATE);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.e[0].msg, "bad_ref");
	assert_string_equal(errs.e[1].msg, "bad_ref");
	assert_int_equal(mm_reg_get(&mm_reg_assets, &sec, f->asset[0], &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &sec, rec.id, rec.version, &in, &errs, &rec),
			 MM_OK);
}

/* Whoever makes a record 極秘 is named on it and keeps seeing it. */
static void test_classifying_names_the_writer(void **state)
{
	struct fx *f = *state;
	struct mm_ctx dm = as(f, W_DM_OWNER), sec = as(f, W_SECRETARIAT);
	struct mm_in it[7] = { S("name", "新しい極秘"),	    S("kind", "data"),
			       I("section_id", f->sec[SK]), S("personal_info", "none"),
			       I("confidentiality", 4),	    I("integrity", 1),
			       I("availability", 1) };
	struct mm_in up[1] = { I("confidentiality", 4) };
	struct mm_input in = { it, 7, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;
	unsigned kinds = 0;

	assert_int_equal(mm_reg_create(&mm_reg_assets, &dm, &in, &errs, &rec), MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &dm, rec.id, &rec), MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &sec, rec.id, &rec), MM_ENOTFOUND);
	assert_non_null(strstr(last_event(f, "grant").details, "\"reason\":\"classified\""));

	in = (struct mm_input){ up, 1, MM_IN_JSON };
	assert_int_equal(mm_reg_get(&mm_reg_assets, &sec, f->asset[2], &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_assets, &sec, rec.id, rec.version, &in, &errs, &rec),
			 MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &sec, f->asset[2], &rec), MM_OK);
	assert_int_equal(mm_grant_kinds(f->ctx.conn, "assets", f->asset[2],
					f->person[W_SECRETARIAT], &kinds),
			 MM_OK);
	assert_int_equal(kinds, MM_GRANT_NAMED);
	/* The CLI names nobody. */
	in = (struct mm_input){ it, 7, MM_IN_JSON };
	it[0] = S("name", "CLIの極秘");
	assert_int_equal(mm_reg_create(&mm_reg_assets, &f->ctx, &in, &errs, &rec), MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_assets, &dm, rec.id, &rec), MM_ENOTFOUND);
}

/* An import checks every row: a row the importer may not write, or whose
 * key names a record they may not see, is a row error; nothing is written
 * and the refusal is audited. */
static void test_import_rows(void **state)
{
	struct fx *f = *state;
	struct mm_ctx dm = as(f, W_DM_OTHER);
	struct mm_record hidden;
	struct mm_file_report rep;
	struct mm_page before, after;
	char csv[512];

	count_visible(&f->ctx, &mm_reg_assets, NULL, &before);
	assert_int_equal(
		mm_rec_get(f->ctx.conn, &mm_reg_assets.schema, f->asset[3], f->ctx.a, &hidden),
		MM_OK);
	snprintf(csv, sizeof(csv),
		 "管理番号,名称,種別,所管課,個人情報,機密性,完全性,可用性\r\n"
		 ",自課の資産,データ,K120,なし,1,1,1\r\n"
		 ",他課の資産,データ,K110,なし,1,1,1\r\n"
		 "%s,書き換え,データ,K110,なし,4,1,1\r\n",
		 hidden.v[AST_CODE].s);
	assert_int_equal(mm_import_csv(&mm_reg_assets, &dm, csv, strlen(csv), false, &rep),
			 MM_EVALIDATE);
	assert_int_equal(rep.nerrs, 2);
	assert_int_equal(rep.errs[0].row, 3);
	assert_int_equal(rep.errs[1].row, 4);
	assert_non_null(strstr(rep.errs[0].message, "権限"));
	assert_string_equal(rep.errs[0].message, rep.errs[1].message);
	count_visible(&f->ctx, &mm_reg_assets, NULL, &after);
	assert_int_equal(after.total, before.total);
	assert_string_equal(last_event(f, "access_denied").object, "assets");
	assert_string_equal(last_event(f, "access_denied").details, "{\"op\":\"import\"}");
}

/* A contractor reads their own person record, not another's, and lists
 * follow the general rules. */
static void test_own_person_record(void **state)
{
	struct fx *f = *state;
	struct mm_ctx c = as(f, W_CONTRACTOR);
	struct mm_record rec;
	struct mm_page page;

	assert_int_equal(mm_reg_get(&mm_reg_people, &c, f->person[W_CONTRACTOR], &rec), MM_OK);
	assert_int_equal(mm_reg_get(&mm_reg_people, &c, f->person[W_STAFF_OWNER], &rec),
			 MM_ENOTFOUND);
	assert_int_equal(count_visible(&c, &mm_reg_people, NULL, &page), 0);
	c = as(f, W_NOBODY);
	assert_int_equal(mm_reg_get(&mm_reg_people, &c, f->person[W_NOBODY], &rec), MM_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_are_audited_and_change_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_moving_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grant_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_references_to_hidden_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classifying_names_the_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_person_record, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
