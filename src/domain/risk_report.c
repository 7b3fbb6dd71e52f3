/* The data of the risk assessment report (リスク評価書) and the treatment
 * plan (リスク対応計画) of 3.3. Both read through the engine's access
 * filter, so they list and count exactly what the reader's risk list with
 * the same conditions would; neither writes anything. */
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/registers.h"

#include <string.h>

/* The filters of sel, into f (room for 4); returns their number. */
static size_t sel_filters(const struct mm_risk_sel *sel, struct mm_filter *f)
{
	size_t n = 0;

	if (sel->section_id)
		f[n++] = (struct mm_filter){ RSK_SECTION,
					     MM_OP_EQ,
					     { true, sel->section_id, NULL } };
	if (sel->measure_by)
		f[n++] = (struct mm_filter){ RSK_MEASURE_BY,
					     MM_OP_EQ,
					     { true, sel->measure_by, NULL } };
	return n;
}

/* Every record of q (up to MM_RISK_REPORT_MAX) in one page. */
static int list_all(struct mm_ctx *ctx, struct mm_query *q, struct mm_page *page, bool *truncated)
{
	int rc;

	q->limit = 0;
	rc = mm_reg_list(&mm_reg_risks, ctx, q, page);
	if (rc)
		return rc;
	*truncated = page->total > MM_RISK_REPORT_MAX;
	if (page->total == 0)
		return MM_OK;
	q->limit = *truncated ? MM_RISK_REPORT_MAX : (size_t)page->total;
	return mm_reg_list(&mm_reg_risks, ctx, q, page);
}

int mm_risk_report(struct mm_ctx *ctx, const struct mm_risk_sel *sel, struct mm_risk_report *out)
{
	struct mm_filter f[4];
	struct mm_query q = { f,   sel_filters(sel, f), NULL, RSK_RISK, true, MM_ACTIVE, 0, 0, NULL,
			      NULL };
	struct mm_page page = { .n = 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	mm_ctx_today(ctx, out->today);
	{
		struct mm_date d;
		out->fiscal_year = mm_date_parse(mm_slice_cstr(out->today), &d) == MM_OK
					   ? mm_fiscal_year(d)
					   : 0;
	}
	rc = list_all(ctx, &q, &page, &out->truncated);
	if (rc)
		return rc;
	out->recs = page.recs;
	out->n = page.n;
	out->total = page.total;
	for (size_t i = 0; i < page.n; i++) {
		const struct mm_value *v = page.recs[i].v;
		out->by_band[mm_risk_band_of(&mm_risk_settings, v[RSK_RISK].i)]++;
		if (v[RSK_NEEDS].set && strcmp(v[RSK_NEEDS].s, "yes") == 0 &&
		    !(v[RSK_STATE].set && strcmp(v[RSK_STATE].s, "accepted") == 0))
			out->awaiting++;
	}
	return MM_OK;
}

int64_t mm_risk_days_late(const struct mm_record *rec, const char *today)
{
	const struct mm_value *due = &rec->v[RSK_DUE], *st = &rec->v[RSK_MSTATUS];
	struct mm_date d, t;

	if (!due->set || (st->set && strcmp(st->s, "done") == 0))
		return 0;
	if (mm_date_parse(mm_slice_cstr(due->s), &d) || mm_date_parse(mm_slice_cstr(today), &t))
		return 0;
	return mm_date_cmp(d, t) < 0 ? mm_date_to_days(t) - mm_date_to_days(d) : 0;
}

int mm_risk_plan(struct mm_ctx *ctx, const struct mm_risk_sel *sel, struct mm_risk_plan *out)
{
	struct mm_filter f[4];
	size_t nf = sel_filters(sel, f);
	struct mm_query q = { f, 0, NULL, RSK_DUE, false, MM_ACTIVE, 0, 0, NULL, NULL };
	struct mm_page page = { .n = 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	mm_ctx_today(ctx, out->today);
	/* Any due date at all (the earliest date a date field holds). */
	f[nf++] = (struct mm_filter){ RSK_DUE, MM_OP_GE, { true, 0, "1868-01-01" } };
	if (sel->overdue_only)
		f[nf++] = (struct mm_filter){ RSK_DUE, MM_OP_LE, { true, 0, out->today } };
	q.nfilters = nf;
	rc = list_all(ctx, &q, &page, &out->truncated);
	if (rc)
		return rc;
	out->recs = mm_arena_zalloc(ctx->a, sizeof(*out->recs) * (page.n + 1));
	out->overdue = mm_arena_zalloc(ctx->a, sizeof(*out->overdue) * (page.n + 1));
	out->days_late = mm_arena_zalloc(ctx->a, sizeof(*out->days_late) * (page.n + 1));
	if (!out->recs || !out->overdue || !out->days_late)
		return MM_ENOMEM;
	for (size_t i = 0; i < page.n; i++) {
		int64_t late = mm_risk_days_late(&page.recs[i], out->today);
		if (late)
			out->noverdue++;
		if (sel->overdue_only && !late)
			continue;
		out->recs[out->n] = page.recs[i];
		out->overdue[out->n] = late > 0;
		out->days_late[out->n++] = late;
	}
	return MM_OK;
}
