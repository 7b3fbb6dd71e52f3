/* Inspection of the audit log (検査, 7.6): who may read the log, the
 * filters of the viewer, the reports of refusals and of activity outside
 * working hours, "who viewed this" on classified records, and whether the
 * last signed-off inspection is too old. The log is read only: nothing
 * here writes an event except the record of a refused inspection.
 *
 * The log is read by 事務局 and 監査人 (and the CLI). Everyone else is
 * refused with MM_EPERM, audited as access_denied on object "audit". */
#ifndef MM_DOMAIN_INSPECT_H
#define MM_DOMAIN_INSPECT_H

#include "domain/register.h"
#include "store/auditquery.h"

/* [audit] settings: inspection_interval_days (default 31) and work_hours
 * ("08:00-19:00" JST on weekdays, the default). */
struct mm_inspect_settings {
	int interval_days;
	int work_start, work_end; /* minutes after midnight, JST */
};

extern struct mm_inspect_settings mm_inspect_settings;

/* Takes one [audit] setting this module knows; returns 1 when name is one
 * of them and value is good, 0 otherwise (unknown name or bad value). */
int mm_inspect_setting(const char *name, const char *value);

/* Whether ctx's principal may read the audit log. */
bool mm_inspect_may(const struct mm_ctx *ctx);

/* MM_OK for a reader of the log; else records the refusal of what (a page
 * or API path) and returns MM_EPERM. */
int mm_inspect_check(struct mm_ctx *ctx, const char *what);

/* The viewer's filters as typed. Any may be NULL or empty. */
struct mm_audit_params {
	const char *person; /* login or employee number */
	const char *action;
	const char *object; /* a prefix such as "assets/12" */
	const char *result; /* ok, refused, failed */
	const char *from;   /* dates (JST) in any form mm_date_parse takes */
	const char *to;	    /* inclusive */
};

/* The days a period covers when no start date is given. */
enum { MM_AUDIT_DEFAULT_DAYS = 31 };

/* Turns p into q (limit and offset untouched). A person is found by login
 * and by employee number; text that names nobody still filters by the
 * actor text (a failed sign-in's login). Without a start date the period
 * is the MM_AUDIT_DEFAULT_DAYS days up to its end date, or up to today
 * (JST), and q->period_default is set. MM_EVALIDATE with errs for a bad
 * action, result, object or date, or a period that ends before it starts;
 * then q means nothing. */
int mm_inspect_query(struct mm_ctx *ctx, const struct mm_audit_params *p, struct mm_auditq *q,
		     struct mm_ferrs *errs);

/* The label of an action in lang ("record_read" → 記録の閲覧); the code
 * itself when it has none. */
const char *mm_audit_action_label(const char *action, enum mm_lang lang);

/* The actions that have a label, for the viewer's choice: their number,
 * and the code of the i-th (NULL past the end). */
size_t mm_audit_action_count(void);
const char *mm_audit_action_code(size_t i);

/* The label of a result code (ok → 成功). */
const char *mm_audit_result_label(const char *result, enum mm_lang lang);

/* Whether ctx's principal sees "who viewed this" on rec of r: the record
 * is 課外秘 or 極秘, the principal may read it, and they are of 事務局, an
 * auditor or the data manager of its owning section (or a section above);
 * the CLI always. */
int mm_inspect_viewers_shown(struct mm_ctx *ctx, const struct mm_register *r,
			     const struct mm_record *rec, bool *shown);

/* The newest reads of rec (at most limit), for those who are shown them. */
int mm_inspect_viewers(struct mm_ctx *ctx, const struct mm_register *r, const struct mm_record *rec,
		       size_t limit, struct mm_audit_event **out, size_t *n, bool *more);

/* Sets *overdue when no inspection is signed off or the period of the last
 * one signed off ended more than the interval ago (JST), and last_to to
 * that period's end ("" when none). */
int mm_inspect_overdue(struct mm_ctx *ctx, bool *overdue, char last_to[11]);

/* Whether ctx's principal is told of an overdue inspection on the home
 * page: 事務局, auditors and 統括責任者. */
bool mm_inspect_warned(const struct mm_ctx *ctx);

/* The inspections register (監査ログの検査). */
enum {
	INS_CODE,
	INS_FROM,
	INS_TO,
	INS_INSPECTOR,
	INS_FINDINGS,
	INS_RESULT,
	INS_FOLLOW_UP,
	INS_STATE,
	INS_SIGNED_BY,
	INS_SIGNED_AT,
	INS_SIGN_COMMENT,
	INS_NFIELDS
};

extern const struct mm_register mm_reg_inspections;

#endif
