/* The query parameters of the audit log's pages and API, shared by
 * html_audit.c and api_audit.c. Internal to web/. */
#ifndef MM_WEB_AUDIT_PARAMS_H
#define MM_WEB_AUDIT_PARAMS_H

#include "core/datetime.h"
#include "domain/inspect.h"
#include "web/web.h"

#include <string.h>

/* Reads the filters of the viewer from rq's query string. */
static inline void mm_audit_params_read(const struct mm_req *rq, struct mm_audit_params *p)
{
	p->person = mm_param_get(rq->query, rq->nquery, "person");
	p->action = mm_param_get(rq->query, rq->nquery, "action");
	p->object = mm_param_get(rq->query, rq->nquery, "object");
	p->result = mm_param_get(rq->query, rq->nquery, "result");
	p->from = mm_param_get(rq->query, rq->nquery, "from");
	p->to = mm_param_get(rq->query, rq->nquery, "to");
}

/* The period of q as JST dates, both inclusive: from ("" when open) and
 * to ("" when open, that is up to now). */
static inline void mm_audit_period_dates(const struct mm_auditq *q, char from[11], char to[11])
{
	char t[17];

	from[0] = to[0] = '\0';
	if (q->from) {
		mm_time_jst(q->from, t);
		memcpy(from, t, 10);
		from[10] = '\0';
	}
	if (q->until) {
		mm_time_jst(q->until - 1, t);
		memcpy(to, t, 10);
		to[10] = '\0';
	}
}

/* Sets q's working hours from the settings, for the off-hours report. */
static inline void mm_audit_off_hours(struct mm_auditq *q)
{
	q->off_hours = true;
	q->start_min = mm_inspect_settings.work_start;
	q->end_min = mm_inspect_settings.work_end;
}

#endif
