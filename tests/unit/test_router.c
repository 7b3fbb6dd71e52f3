/* Tests of the web layer without HTTP: urlencoded parsing, routing (with the
 * refusals for unknown paths, methods and ids), list parameters, and JSON
 * input refusals, all against a real SQLite database. */
#include "core/arena.h"
#include "core/err.h"
#include "domain/demo.h"
#include "web/cache.h"
#include "web/handlers.h"
#include "domain/auth.h"

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
	struct mm_web w;
	struct mm_arena a;
	char bearer[MM_AUTH_API_TOKEN_SIZE + 8]; /* "Bearer …" of a staff account */
	bool anonymous;				 /* send requests without it */
};

/* An account for the first demo person (総務課長, its data manager), and a
 * personal API token for it. */
static void make_account(struct fx *f)
{
	struct mm_ferrs errs = { .n = 0 };
	char token[MM_AUTH_API_TOKEN_SIZE];
	int64_t id;

	assert_int_equal(mm_account_create(&f->db.ctx, "tester", 1, NULL, &errs, &id), MM_OK);
	assert_int_equal(mm_auth_token_create(&f->db.ctx, id, "test", 0, token, NULL), MM_OK);
	snprintf(f->bearer, sizeof(f->bearer), "Bearer %s", token);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mm_demo_counts n;

	mm_arena_init(&f->a, 0);
	mm_test_db_open(&f->db, &f->a);
	assert_int_equal(mm_demo_seed(&f->db.ctx, 20, &n), MM_OK);
	make_account(f);
	mm_store_release(f->db.st, f->db.ctx.conn);
	f->db.ctx.conn = NULL; /* requests take their own */
	f->w.store = f->db.st;
	f->w.cache = mm_cache_new(1 << 20);
	f->w.page_max = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mm_cache_free(f->w.cache);
	mm_test_db_close(&f->db);
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

/* Serves one request; query is "a=b&c=d" (decoded the way the http layer
 * does), body and content type may be NULL. Returns the status. */
static int serve(struct fx *f, const char *method, const char *path, const char *query,
		 const char *ctype, const char *body, struct mm_resp *rs)
{
	struct mm_req rq = { 0 };

	rq.method = method;
	rq.path = path;
	rq.a = &f->a;
	rq.request_id = "t";
	rq.remote = "127.0.0.1";
	rq.content_type = ctype;
	rq.body = body;
	rq.body_len = body ? strlen(body) : 0;
	rq.authorization = f->anonymous ? NULL : f->bearer;
	if (query)
		assert_int_equal(mm_form_parse(&f->a, query, strlen(query), &rq.query, &rq.nquery),
				 MM_OK);
	memset(rs, 0, sizeof(*rs));
	mm_buf_init(&rs->body, 1 << 24);
	mm_web_handle(&f->w, &rq, rs);
	/* Keep the body in the arena (freed at teardown) so tests can read it. */
	{
		size_t len = rs->body.len;
		char *copy = mm_arena_strndup(&f->a, rs->body.data, len);

		assert_non_null(copy);
		mm_buf_free(&rs->body);
		rs->body.data = copy;
		rs->body.len = len;
	}
	return rs->status;
}

static void test_form_parse(void **state)
{
	struct fx *f = *state;
	struct mm_param *p;
	size_t n;
	const char *s = "name=%E5%B8%82%E6%B0%91+%E8%AA%B2&empty=&flag&a%26b=c%3Dd";

	assert_int_equal(mm_form_parse(&f->a, s, strlen(s), &p, &n), MM_OK);
	assert_int_equal(n, 4);
	assert_string_equal(p[0].name, "name");
	assert_string_equal(p[0].value, "市民 課");
	assert_string_equal(p[1].value, "");
	assert_string_equal(p[2].name, "flag");
	assert_string_equal(p[3].name, "a&b");
	assert_string_equal(p[3].value, "c=d");
}

static void test_form_parse_refusals(void **state)
{
	struct fx *f = *state;
	struct mm_param *p;
	size_t n;
	const char *bad[] = { "a=%", "a=%4", "a=%zz", "a=%ff%fe", "a=%00", "%c0%af=1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mm_form_parse(&f->a, bad[i], strlen(bad[i]), &p, &n), MM_EINVAL);
}

static void test_routes(void **state)
{
	static const char *const not_found[] = {
		"/api/v1/assets/1",
		"/api/v1/assets/999",
		"/api/v1/assets/0",
		"/api/v1/assets/-1",
		"/api/v1/assets/1x",
		"/api/v1/assets/99999999999999999999",
		"/api/v1/widgets",
		"/api/v1/assets/16/",
		"/api/v1//assets/16",
		"/healthz/",
		"healthz",
		"",
		"/api/v1/assets/16/grants/1/delete/a/b/c/d",
	};
	struct fx *f = *state;
	struct mm_resp rs;

	assert_int_equal(serve(f, "GET", "/healthz", NULL, NULL, NULL, &rs), 200);
	/* Asset 16 is 総務課's 課外秘 record; asset 1 (極秘) is hidden from it. */
	assert_int_equal(serve(f, "GET", "/api/v1/assets/16", NULL, NULL, NULL, &rs), 200);
	assert_non_null(strstr(rs.body.data, "\"code\":\"A-000016\""));
	/* Ids that name no readable record, and paths that fit no pattern: a
	 * path fits one only with the same segments, no more, no fewer. */
	for (size_t i = 0; i < sizeof(not_found) / sizeof(not_found[0]); i++) {
		int status = serve(f, "GET", not_found[i], NULL, NULL, NULL, &rs);

		if (status != 404)
			fail_msg("GET \"%s\": %d, not 404", not_found[i], status);
	}
	assert_int_equal(serve(f, "GET", "/api/v1/assets/16/history", NULL, NULL, NULL, &rs), 200);
	assert_int_equal(serve(f, "DELETE", "/api/v1/assets/1", NULL, NULL, NULL, &rs), 405);
	/* Pages take the session cookie, not API tokens. */
	assert_int_equal(serve(f, "GET", "/assets", NULL, NULL, NULL, &rs), 303);
	assert_int_equal(serve(f, "GET", "/nowhere", NULL, NULL, NULL, &rs), 404);
	assert_non_null(strstr(rs.content_type, "text/html"));
	assert_int_equal(serve(f, "GET", "/", NULL, NULL, NULL, &rs), 303);
}

/* Serves a request with extra headers: a cookie, Sec-Fetch-Site, a CSRF
 * header; returns the status. */
static int serve_as(struct fx *f, const char *method, const char *path, const char *cookie,
		    const char *site, const char *csrf, const char *ctype, const char *body)
{
	struct mm_req rq = { 0 };
	struct mm_resp rs = { 0 };
	int status;

	rq.method = method;
	rq.path = path;
	rq.a = &f->a;
	rq.request_id = "t";
	rq.remote = "127.0.0.1";
	rq.cookie = cookie;
	rq.sec_fetch_site = site;
	rq.csrf_header = csrf;
	rq.content_type = ctype;
	rq.body = body;
	rq.body_len = body ? strlen(body) : 0;
	mm_buf_init(&rs.body, 1 << 24);
	mm_web_handle(&f->w, &rq, &rs);
	status = rs.status;
	mm_buf_free(&rs.body);
	return status;
}

/* Nobody reaches anything but the sign-in page, the health check and the
 * stylesheet without signing in; a session's writes need its CSRF token
 * and may not come from another site. */
static void test_auth_guard(void **state)
{
	struct fx *f = *state;
	struct mm_signin si;
	struct mm_ferrs errs = { .n = 0 };
	struct mm_resp rs;
	struct mm_ctx ctx = { 0 };
	const char *pw = "correct horse battery staple";
	char cookie[128], body[256];

	f->anonymous = true;
	assert_int_equal(serve(f, "GET", "/api/v1/assets", NULL, NULL, NULL, &rs), 401);
	assert_int_equal(serve(f, "GET", "/assets", NULL, NULL, NULL, &rs), 303);
	assert_int_equal(serve(f, "GET", "/healthz", NULL, NULL, NULL, &rs), 200);
	assert_int_equal(serve(f, "GET", "/signin", NULL, NULL, NULL, &rs), 200);
	assert_int_equal(serve(f, "GET", "/static/mamori.css", NULL, NULL, NULL, &rs), 200);
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, "application/json", "{}", &rs),
			 401);
	snprintf(f->bearer, sizeof(f->bearer), "Bearer mmt_nosuchtoken");
	f->anonymous = false;
	assert_int_equal(serve(f, "GET", "/api/v1/assets", NULL, NULL, NULL, &rs), 401);

	/* A session for a second account. */
	ctx = f->db.ctx;
	ctx.conn = mm_store_acquire(f->db.st);
	/* 職員課長 (person 13) manages 職員課's asset 11. */
	assert_int_equal(mm_account_create(&ctx, "sato", 13, pw, &errs, NULL), MM_OK);
	assert_int_equal(mm_auth_signin(&ctx, "sato", pw, strlen(pw), &si), MM_OK);
	assert_int_equal(si.result, MM_AUTH_OK);
	mm_store_release(f->db.st, ctx.conn);
	snprintf(cookie, sizeof(cookie), "mm_lang=ja; mm_session=%s", si.token);
	assert_int_equal(serve_as(f, "GET", "/assets", cookie, NULL, NULL, NULL, NULL), 200);
	/* The session does not open the API's writes without the CSRF token. */
	assert_int_equal(serve_as(f, "POST", "/assets/11/retire", cookie, NULL, NULL,
				  "application/x-www-form-urlencoded", "version=1"),
			 403);
	snprintf(body, sizeof(body), "version=1&csrf=%s", "0000");
	assert_int_equal(serve_as(f, "POST", "/assets/11/retire", cookie, NULL, NULL,
				  "application/x-www-form-urlencoded", body),
			 403);
	snprintf(body, sizeof(body), "version=1&csrf=%s", si.csrf);
	assert_int_equal(serve_as(f, "POST", "/assets/11/retire", cookie, "cross-site", NULL,
				  "application/x-www-form-urlencoded", body),
			 403);
	assert_int_equal(serve_as(f, "POST", "/assets/11/retire", cookie, "same-origin", NULL,
				  "application/x-www-form-urlencoded", body),
			 303);
	/* The JSON API with the cookie takes the token in X-CSRF-Token. */
	assert_int_equal(serve_as(f, "POST", "/api/v1/assets/11/restore", cookie, NULL, NULL,
				  "application/json", "{\"version\":2}"),
			 403);
	assert_int_equal(serve_as(f, "POST", "/api/v1/assets/11/restore", cookie, NULL, si.csrf,
				  "application/json", "{\"version\":2}"),
			 200);
	/* Signed out, the cookie opens nothing. */
	assert_int_equal(serve_as(f, "POST", "/signout", cookie, NULL, si.csrf,
				  "application/x-www-form-urlencoded", ""),
			 303);
	assert_int_equal(serve_as(f, "GET", "/assets", cookie, NULL, NULL, NULL, NULL), 303);
}

static void test_list_parameters(void **state)
{
	struct fx *f = *state;
	struct mm_resp rs;

	assert_int_equal(
		serve(f, "GET", "/api/v1/assets", "confidentiality_min=4&limit=5", NULL, NULL, &rs),
		200);
	assert_non_null(strstr(rs.body.data, "\"limit\":5"));
	assert_null(strstr(rs.body.data, "\"confidentiality\":3"));
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "colour=red", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "limit=0", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "limit=1001", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "sort=description", NULL, NULL, &rs),
			 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "status=gone", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "kind=paper", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "name_min=3", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "page=0", NULL, NULL, &rs), 400);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "offset=-1", NULL, NULL, &rs), 400);
}

static void test_json_refusals(void **state)
{
	struct fx *f = *state;
	const char *json = "application/json";
	struct mm_resp rs;

	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, json, "{\"name\":", &rs), 400);
	assert_non_null(strstr(rs.body.data, "bad_json"));
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, json, "[1,2]", &rs), 400);
	assert_non_null(strstr(rs.body.data, "not_object"));
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, json,
			       "{\"name\":\"a\",\"name\":\"b\"}", &rs),
			 400);
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, "text/plain", "{}", &rs), 415);
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, NULL, "{}", &rs), 415);
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, json, "{\"name\":\"\xff\"}", &rs),
			 400);
	assert_int_equal(serve(f, "PUT", "/api/v1/assets/16", NULL, json, "{\"name\":\"x\"}", &rs),
			 428);
	assert_int_equal(serve(f, "PUT", "/api/v1/assets/16", NULL, json,
			       "{\"name\":\"x\",\"version\":\"1\"}", &rs),
			 400);
	assert_int_equal(serve(f, "PUT", "/api/v1/assets/16", NULL, json,
			       "{\"name\":\"x\",\"version\":7}", &rs),
			 409);
	assert_int_equal(
		serve(f, "POST", "/api/v1/assets", NULL, json, "{\"confidentiality\":3.5}", &rs),
		422);
	assert_non_null(strstr(rs.body.data, "機密性は整数で入力してください。"));
}

static void test_openapi_lists_every_register(void **state)
{
	struct fx *f = *state;
	struct mm_resp rs;

	assert_int_equal(serve(f, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, &rs), 200);
	for (size_t i = 0; i < mm_nregisters; i++) {
		char path[64];
		snprintf(path, sizeof(path), "\"/api/v1/%s/{id}/history\"",
			 mm_registers[i]->schema.name);
		assert_non_null(strstr(rs.body.data, path));
	}
}

/* A cached list is never served after a write: the next read sees it. */
static void test_list_cache_follows_writes(void **state)
{
	struct fx *f = *state;
	struct mm_resp rs;
	const char *body = "{\"name\":\"キャッシュ確認\",\"kind\":\"data\",\"section_id\":2,"
			   "\"personal_info\":\"none\",\"confidentiality\":1,\"integrity\":1,"
			   "\"availability\":1}";

	assert_int_equal(serve(f, "GET", "/api/v1/assets", "q=キャッシュ確認", NULL, NULL, &rs),
			 200);
	assert_non_null(strstr(rs.body.data, "\"total\":0"));
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "q=キャッシュ確認", NULL, NULL, &rs),
			 200);
	assert_non_null(strstr(rs.body.data, "\"total\":0"));
	assert_int_equal(serve(f, "POST", "/api/v1/assets", NULL, "application/json", body, &rs),
			 201);
	assert_int_equal(serve(f, "GET", "/api/v1/assets", "q=キャッシュ確認", NULL, NULL, &rs),
			 200);
	assert_non_null(strstr(rs.body.data, "\"total\":1"));
}

/* Requests that differ only in where = and & fall get different keys. */
static void test_cache_keys_distinct(void **state)
{
	struct fx *f = *state;
	struct mm_param a[] = { { "a=b", "c", 1 } }, b[] = { { "a", "b=c", 3 } };
	struct mm_req r1 = { .method = "GET", .path = "/x", .query = a, .nquery = 1, .a = &f->a };
	struct mm_req r2 = { .method = "GET", .path = "/x", .query = b, .nquery = 1, .a = &f->a };

	assert_string_not_equal(mm_cache_key(&r1, ""), mm_cache_key(&r2, ""));
	assert_string_not_equal(mm_cache_key(&r1, "1"), mm_cache_key(&r1, "2"));
	r2 = r1;
	r2.lang = MM_EN;
	assert_string_not_equal(mm_cache_key(&r1, ""), mm_cache_key(&r2, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_form_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form_parse_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_openapi_lists_every_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_cache_follows_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_keys_distinct, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
