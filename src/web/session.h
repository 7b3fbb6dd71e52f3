/* Sign-in state over HTTP: the session cookie, personal API tokens, and the
 * checks that keep other sites from acting for a signed-in user. Internal
 * to web/. */
#ifndef MM_WEB_SESSION_H
#define MM_WEB_SESSION_H

#include "web/handlers.h"

/* The value of cookie name, in the request arena; NULL when absent. */
const char *mm_web_cookie(const struct mm_req *rq, const char *name);

/* The session cookie's token, or NULL. */
const char *mm_web_session_token(const struct mm_req *rq);

/* Sets the session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS), or
 * clears it when token is NULL or empty. */
void mm_web_set_session(struct mm_req *rq, struct mm_resp *rs, const char *token);

/* False when the browser says the request comes from another site
 * (Sec-Fetch-Site) or its Origin is not this host. Requests that carry
 * neither (scripts, old browsers) pass: the CSRF token still guards them. */
bool mm_web_same_origin(const struct mm_req *rq);

/* True when the request carries the session's CSRF token, in header (the
 * X-CSRF-Token header, may be NULL) or the form field csrf. */
bool mm_web_csrf_ok(const struct mm_req *rq, const char *header);

/* Finds who is asking: a Bearer token (when api) or the session cookie.
 * MM_OK: rq->who is set (and rq->csrf, rq->session for cookies). MM_EPERM:
 * signed in but must enrol TOTP first (rq->who set). MM_ENOTFOUND: nobody. */
int mm_web_authenticate(struct mm_web *w, struct mm_req *rq, bool api);

#endif
