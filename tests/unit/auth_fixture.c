/* See auth_fixture.h. */
#include "auth_fixture.h"

#include "domain/authcache.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/auth.h"
#include "domain/password.h"
#include "domain/registers.h"
#include "domain/seal.h"
#include "domain/seed.h"
#include "domain/totp.h"
#include "store/identity.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

const char *const PW = "Hokkaido-Winter-2025";

int64_t create(struct fx *f, const struct mm_register *r, struct mm_in *items, size_t n)
{
	struct mm_input in = { items, n, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;

	assert_int_equal(mm_reg_create(r, &f->ctx, &in, &errs, &rec), MM_OK);
	return rec.id;
}

int64_t person(struct fx *f, const char *name, const char *status)
{
	struct mm_in it[] = { S("name", name), I("section_id", f->section),
			      S("employment", "regular"), S("employment_status", status) };

	return create(f, &mm_reg_people, it, 4);
}

int64_t account(struct fx *f, const char *login, int64_t per, const char *pw)
{
	struct mm_ferrs errs;
	int64_t id = 0;

	assert_int_equal(mm_account_create(&f->ctx, login, per, pw, &errs, &id), MM_OK);
	return id;
}

int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mm_password_set_cost(crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_OPSLIMIT_MIN);
	mm_auth_settings = mm_auth_defaults;
	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	f->ctx = f->db.ctx;
	f->ctx.now = T0;
	f->ctx.ip = "192.0.2.1";
	f->ctx.request_id = "req-1";
	/* As the server does: every test below also proves the principal
	 * cache never answers for a session or token that has ended. */
	f->ctx.auth_cache = mm_auth_cache_new(64);
	snprintf(f->key, sizeof(f->key), "%s.key", f->db.path);
	assert_int_equal(mm_seal_open_key(f->key, true), MM_OK);
	assert_int_equal(mm_seed_profile(&f->ctx, NULL), MM_OK);
	struct mm_in sec[] = { S("code", "0410"), S("name", "市民課"), S("kind", "division") };
	f->section = create(f, &mm_reg_sections, sec, 3);
	f->person = person(f, "佐藤 太郎", "employed");
	f->account = account(f, "sato", f->person, PW);
	*state = f;
	return 0;
}

int teardown(void **state)
{
	struct fx *f = *state;

	mm_auth_cache_free(f->ctx.auth_cache);
	mm_seal_close_key();
	unlink(f->key);
	mm_test_db_close(&f->db);
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

enum mm_auth_result signin(struct fx *f, const char *login, const char *pw, struct mm_signin *out)
{
	assert_int_equal(mm_auth_signin(&f->ctx, login, pw, strlen(pw), out), MM_OK);
	return out->result;
}

int session(struct fx *f, const char *token)
{
	struct mm_principal p;

	return mm_auth_session(&f->ctx, token, &p, NULL);
}

/* Events of action (NULL: all) whose result is result and whose details
 * hold the text detail (either may be NULL). */
size_t events(struct fx *f, const char *action, const char *result, const char *detail)
{
	struct mm_audit_event *ev;
	size_t n, hits = 0;

	assert_int_equal(mm_audit_list(f->ctx.conn, action, 1000, &f->a, &ev, &n), MM_OK);
	for (size_t i = 0; i < n; i++)
		if ((!result || strcmp(ev[i].result, result) == 0) &&
		    (!detail || strstr(ev[i].details, detail)))
			hits++;
	return hits;
}

/* No audit event holds secret anywhere. */
void assert_not_audited(struct fx *f, const char *secret)
{
	struct mm_audit_event *ev;
	size_t n;

	assert_int_equal(mm_audit_list(f->ctx.conn, NULL, 1000, &f->a, &ev, &n), MM_OK);
	assert_true(strlen(secret) >= 6);
	for (size_t i = 0; i < n; i++) {
		if (strstr(ev[i].details, secret))
			print_error("%s in %s\n", secret, ev[i].details);
		assert_null(strstr(ev[i].details, secret));
		assert_null(strstr(ev[i].object, secret));
		assert_null(strstr(ev[i].actor, secret));
	}
}

struct mm_account get_account(struct fx *f, int64_t id)
{
	struct mm_account a;

	assert_int_equal(mm_account_get(f->ctx.conn, id, &f->a, &a), MM_OK);
	return a;
}
