/* Tests of what the register engine puts in the audit log: a committed
 * change has exactly one entry, in its own transaction; a failed or rolled
 * back change has none; the digests are those of the canonical JSON of the
 * record before and after, and the canonical text is stable. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/audit_record.h"
#include "domain/registers.h"
#include "store/auditquery.h"
#include "store/store.h"

#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define S(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })

struct fx {
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_ctx ctx;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	f->ctx.actor = "cli:test";
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

/* The entries of action (NULL: any) on object (exact; NULL: any). */
static size_t entries(struct fx *f, const char *action, const char *object,
		      struct mm_audit_event **out)
{
	struct mm_auditq q = {
		.action = action, .object = object, .object_exact = true, .limit = 100
	};
	struct mm_audit_event *v;
	size_t n;
	bool more;

	assert_int_equal(mm_auditq_list(f->ctx.conn, &q, &f->a, &v, &n, &more), MM_OK);
	if (out)
		*out = v;
	return n;
}

static int create_section(struct fx *f, const char *code, const char *name, struct mm_record *rec)
{
	struct mm_in it[] = { S("code", code), S("name", name), S("kind", "division") };
	struct mm_input in = { it, 3, MM_IN_JSON };
	struct mm_ferrs errs;

	return mm_reg_create(&mm_reg_sections, &f->ctx, &in, &errs, rec);
}

/* A committed create has exactly one entry; a refused one has none. */
static void test_create_one_entry(void **state)
{
	struct fx *f = *state;
	struct mm_record rec;
	struct mm_audit_event *e;
	char object[64], digest[MM_DIGEST_HEX];

	assert_int_equal(create_section(f, "0410", "市民課", &rec), MM_OK);
	snprintf(object, sizeof(object), "sections/%lld", (long long)rec.id);
	assert_int_equal(entries(f, "record_create", object, &e), 1);
	assert_string_equal(e[0].result, "ok");
	assert_string_equal(e[0].actor, "cli:test");
	assert_int_equal(mm_record_digest(&mm_reg_sections, &rec, digest), MM_OK);
	assert_non_null(strstr(e[0].details, digest));
	assert_non_null(strstr(e[0].details, "\"before_sha256\":null"));
	assert_null(strstr(e[0].details, "市民課")); /* no values, only names */

	/* The same code again fails (duplicate): no entry is added. */
	assert_int_equal(create_section(f, "0410", "別の課", &rec), MM_EVALIDATE);
	assert_int_equal(entries(f, "record_create", NULL, NULL), 1);
	/* A missing name fails validation: nothing either. */
	assert_int_equal(create_section(f, "0420", "", &rec), MM_EVALIDATE);
	assert_int_equal(entries(f, "record_create", NULL, NULL), 1);
}

/* In a transaction the caller rolls back, the entry goes with the change. */
static void test_rollback_takes_the_entry(void **state)
{
	struct fx *f = *state;
	struct mm_record rec;

	assert_int_equal(mm_tx_begin(f->ctx.conn, true), MM_OK);
	f->ctx.in_tx = true;
	assert_int_equal(create_section(f, "0510", "税務課", &rec), MM_OK);
	assert_int_equal(entries(f, "record_create", NULL, NULL), 1);
	mm_tx_rollback(f->ctx.conn);
	f->ctx.in_tx = false;
	assert_int_equal(entries(f, "record_create", NULL, NULL), 0);
}

/* An update's before digest is the create's after digest. */
static void test_update_digests_chain(void **state)
{
	struct fx *f = *state;
	struct mm_record rec, upd;
	struct mm_ferrs errs;
	struct mm_audit_event *c, *u;
	char object[64], before[MM_DIGEST_HEX], after[MM_DIGEST_HEX];
	struct mm_in it[] = { S("name", "市民生活課") };
	struct mm_input in = { it, 1, MM_IN_JSON };

	assert_int_equal(create_section(f, "0410", "市民課", &rec), MM_OK);
	assert_int_equal(mm_record_digest(&mm_reg_sections, &rec, before), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_sections, &f->ctx, rec.id, 1, &in, &errs, &upd),
			 MM_OK);
	assert_int_equal(mm_record_digest(&mm_reg_sections, &upd, after), MM_OK);
	assert_string_not_equal(before, after);
	snprintf(object, sizeof(object), "sections/%lld", (long long)rec.id);
	assert_int_equal(entries(f, "record_create", object, &c), 1);
	assert_int_equal(entries(f, "record_update", object, &u), 1);
	assert_non_null(strstr(c[0].details, before));
	assert_non_null(strstr(u[0].details, before));
	assert_non_null(strstr(u[0].details, after));
	assert_non_null(strstr(u[0].details, "\"fields\":[\"name\"]"));
	/* A stale version changes nothing and records nothing. */
	assert_int_equal(mm_reg_update(&mm_reg_sections, &f->ctx, rec.id, 1, &in, &errs, &upd),
			 MM_ECONFLICT);
	assert_int_equal(entries(f, "record_update", object, NULL), 1);
}

static void test_canonical_text(void **state)
{
	struct fx *f = *state;
	struct mm_record rec;
	struct mm_buf b;
	char d1[MM_DIGEST_HEX], d2[MM_DIGEST_HEX];

	assert_int_equal(create_section(f, "0410", "市民課", &rec), MM_OK);
	mm_buf_init(&b, 1 << 16);
	mm_record_canonical(&mm_reg_sections, &rec, &b);
	assert_int_equal(b.err, 0);
	assert_memory_equal(b.data, "{\"register\":\"sections\",\"id\":", 28);
	assert_non_null(strstr(b.data,
			       "\"version\":1,\"retired\":false,\"fields\":{\"code\":\"0410\","
			       "\"name\":\"市民課\",\"kind\":\"division\",\"parent_id\":null}"));
	mm_buf_free(&b);
	assert_int_equal(mm_record_digest(&mm_reg_sections, &rec, d1), MM_OK);
	assert_int_equal(mm_record_digest(&mm_reg_sections, &rec, d2), MM_OK);
	assert_string_equal(d1, d2);
	assert_int_equal(strlen(d1), 64);
	rec.retired = true;
	assert_int_equal(mm_record_digest(&mm_reg_sections, &rec, d2), MM_OK);
	assert_string_not_equal(d1, d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_one_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_takes_the_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_digests_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
