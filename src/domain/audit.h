/* The audit interface: one function through which every security-relevant
 * event is recorded (sign-ins, refusals, role changes, ...) as an entry of
 * the tamper-evident log (store/auditlog.h, domain/auditlog.h). Details
 * never contain passwords, tokens, TOTP seeds or cookies: details that name
 * such a key are withheld whole. Control characters in the texts are
 * escaped (\xNN; \u00NN in details). */
#ifndef MM_DOMAIN_AUDIT_H
#define MM_DOMAIN_AUDIT_H

#include "domain/register.h"

/* Records action on object with result ("ok", "refused", "failed") and
 * details (a JSON object text, or NULL), attributed to the context's actor,
 * account, address and request id. Runs inside the caller's transaction when
 * there is one, so the event commits with the action it records. */
int mm_audit(struct mm_ctx *ctx, const char *action, const char *object, const char *result,
	     const char *details);

#endif
