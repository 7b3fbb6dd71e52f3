/* Privileges (7.2(2)): the 特権の申請 register, through which privileged
 * roles are granted on the approval of 情報システム管理責任者, and the list
 * of every person holding a privileged role now. */
#ifndef MM_DOMAIN_PRIVILEGES_H
#define MM_DOMAIN_PRIVILEGES_H

#include "domain/register.h"

enum {
	PRQ_CODE,
	PRQ_REQUESTER,
	PRQ_GRANTEE,
	PRQ_ROLE,
	PRQ_SECTION,
	PRQ_FROM,
	PRQ_UNTIL,
	PRQ_REASON,
	PRQ_STATE,
	PRQ_DECIDED_BY,
	PRQ_DECIDED_AT,
	PRQ_COMMENT,
	PRQ_HOLDING,
	PRQ_NFIELDS
};

extern const struct mm_register mm_reg_privilege_requests;

/* Whether the roles register's record id is a privileged role: its
 * privileged field says yes, or it is one of mm_role_privileged's. */
int mm_role_id_privileged(struct mm_ctx *ctx, int64_t role_id, bool *yes);

/* One privileged holding valid today. request_id is 0 for a holding made
 * without a request (the CLI's bootstrap, the initial setup). */
struct mm_privilege {
	int64_t holding_id, person_id, role_id, request_id;
	const char *holding_code, *person, *login, *role, *section;
	const char *valid_from, *valid_until; /* "" when open */
	const char *request_code, *approver, *approved_at;
};

/* Lists every privileged holding valid today, by role then person, in
 * ctx's arena. MM_EPERM unless ctx's principal is of 事務局, 統括責任者,
 * 最高責任者, 情報システム管理責任者, an auditor or the application
 * administrator (the CLI may always). */
int mm_privileges_list(struct mm_ctx *ctx, struct mm_privilege **out, size_t *n);

#endif
