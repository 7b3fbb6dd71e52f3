/* Query strings, urlencoded form bodies and the Cookie header. The input is
 * a Cookie header, a newline, then urlencoded text, which is parsed as a form
 * and then read as the list parameters of the assets register (strict, as
 * the API does, or not, as the pages do). Invariants: every parameter is
 * valid UTF-8 without NUL and of its stated length; a cookie value never
 * runs into the next cookie; an accepted list query stays within the page
 * limit. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/registers.h"
#include "web/handlers.h"
#include "web/session.h"

#include <string.h>

static void cookies(struct mm_req *rq, const uint8_t *data, size_t len)
{
	static const char *const names[] = { "mm_session", "mm_lang", "m", "" };
	char *header = mm_arena_strndup(rq->a, (const char *)data, len);

	if (!header)
		return;
	rq->cookie = header;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = mm_web_cookie(rq, names[i]);

		if (v)
			FUZZ_CHECK(strchr(v, ';') == NULL && strstr(header, v) != NULL);
	}
	if (strlen(header) == len) /* no NUL inside: the session cookie too */
		(void)mm_web_session_token(rq);
}

static void list_query(struct mm_req *rq, bool strict)
{
	struct mm_web w = { .page_max = 1000 };
	struct mm_ferrs errs = { .n = 0 };
	struct mm_query q;
	int rc;

	rq->reg = &mm_reg_assets;
	rc = mm_list_query(&w, rq, strict, &q, &errs);
	FUZZ_CHECK(rc == MM_OK || rc == MM_EINVAL || rc == MM_ENOMEM);
	if (rc == MM_OK) {
		FUZZ_CHECK(errs.n == 0);
		FUZZ_CHECK(q.limit >= 1 && q.limit <= w.page_max);
		FUZZ_CHECK(q.nfilters <= rq->nquery);
	} else if (rc == MM_EINVAL) {
		FUZZ_CHECK(errs.n > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t clen = nl ? (size_t)(nl - data) : 0;
	const char *form = nl ? (const char *)nl + 1 : (const char *)data;
	size_t flen = nl ? size - clen - 1 : size;
	struct mm_req rq = { 0 };
	struct mm_arena a;

	mm_arena_init(&a, 64u << 20);
	rq.a = &a;
	rq.lang = size % 2 ? MM_EN : MM_JA;
	cookies(&rq, data, clen);
	if (mm_form_parse(&a, form, flen, &rq.query, &rq.nquery) == MM_OK) {
		for (size_t i = 0; i < rq.nquery; i++) {
			const struct mm_param *p = &rq.query[i];

			FUZZ_CHECK(mm_utf8_valid(p->name, strlen(p->name)));
			FUZZ_CHECK(strlen(p->value) == p->len && mm_utf8_valid(p->value, p->len));
		}
		list_query(&rq, true);
		list_query(&rq, false);
	}
	mm_arena_free(&a);
	return 0;
}
