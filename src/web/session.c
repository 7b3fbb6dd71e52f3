/* Who is asking, for the web layer: a personal API token (Authorization:
 * Bearer, API only) or the session cookie; the CSRF and same-origin checks
 * every state-changing request passes; and the session cookie itself. */
#include "web/session.h"

#include "core/err.h"
#include "domain/auth.h"
#include "web/html.h"

#include <string.h>
#include <strings.h>

static const char cookie_name[] = "mm_session";

const char *mm_web_cookie(const struct mm_req *rq, const char *name)
{
	size_t n = strlen(name);
	const char *c = rq->cookie;

	while (c && *c) {
		while (*c == ' ' || *c == ';')
			c++;
		if (strncmp(c, name, n) == 0 && c[n] == '=') {
			const char *v = c + n + 1, *end = strchr(v, ';');
			size_t len = end ? (size_t)(end - v) : strlen(v);
			return mm_arena_strndup(rq->a, v, len);
		}
		c = strchr(c, ';');
	}
	return NULL;
}

void mm_web_set_session(struct mm_req *rq, struct mm_resp *rs, const char *token)
{
	const char *attrs = rq->https ? "; Path=/; HttpOnly; SameSite=Strict; Secure"
				      : "; Path=/; HttpOnly; SameSite=Strict";
	const char *v = token && *token ? mm_html_str(rq, "%s=%s%s", cookie_name, token, attrs)
					: mm_html_str(rq, "%s=; Max-Age=0%s", cookie_name, attrs);

	mm_resp_header(rs, "Set-Cookie", v);
}

const char *mm_web_session_token(const struct mm_req *rq)
{
	return mm_web_cookie(rq, cookie_name);
}

bool mm_web_same_origin(const struct mm_req *rq)
{
	const char *site = rq->sec_fetch_site;

	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return false;
	if (rq->origin) {
		const char *o = rq->origin;
		const char *rest;

		if (strncmp(o, "https://", 8) == 0)
			rest = o + 8;
		else if (strncmp(o, "http://", 7) == 0)
			rest = o + 7;
		else
			return false; /* "null" and other schemes: not us */
		if (!rq->host || strcasecmp(rest, rq->host) != 0)
			return false;
	}
	return true;
}

bool mm_web_csrf_ok(const struct mm_req *rq, const char *header)
{
	const char *sent = header;

	if (!rq->csrf || !*rq->csrf)
		return false;
	if (!sent && rq->form)
		sent = mm_param_get(rq->form, rq->nform, "csrf");
	if (!sent || strlen(sent) != strlen(rq->csrf))
		return false;
	/* Constant time: the token is a secret of the session. */
	unsigned char diff = 0;
	for (size_t i = 0; sent[i]; i++)
		diff |= (unsigned char)(sent[i] ^ rq->csrf[i]);
	return diff == 0;
}

int mm_web_authenticate(struct mm_web *w, struct mm_req *rq, bool api)
{
	struct mm_principal *p = mm_arena_zalloc(rq->a, sizeof(*p));
	const char *token;
	struct mm_ctx ctx;
	int rc;

	if (!p)
		return MM_ENOMEM;
	rc = mm_ctx_open(w, rq, &ctx);
	if (rc)
		return rc;
	if (api && rq->authorization && strncasecmp(rq->authorization, "Bearer ", 7) == 0) {
		rc = mm_auth_bearer(&ctx, rq->authorization + 7, p);
	} else if ((token = mm_web_session_token(rq)) != NULL) {
		rc = mm_auth_session(&ctx, token, p, &rq->csrf);
		rq->session = token;
	} else {
		rc = MM_ENOTFOUND;
	}
	mm_ctx_close(w, &ctx);
	if (rc == MM_OK || rc == MM_EPERM)
		rq->who = p;
	return rc;
}
