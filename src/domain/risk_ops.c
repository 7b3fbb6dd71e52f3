/* The work on the risk register beyond one record: bulk creation from the
 * catalogues, recomputing when an asset's valuation changes, the heat
 * map's counts and the comparison of two yearly assessments. Reads go
 * through the engine's access filter, so nothing here counts or lists a
 * risk the reader could not open. */
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include "core/err.h"
#include "domain/registers.h"

#include <string.h>

enum { PAGE = 200, CATALOGUE_MAX = 1000 };

/* Every active record of a catalogue (they are small). */
static int catalogue(struct mm_ctx *ctx, const struct mm_register *r, struct mm_page *out)
{
	struct mm_query q = { NULL,	     0, NULL, MM_SORT_ID, false, MM_ACTIVE,
			      CATALOGUE_MAX, 0, NULL, NULL };

	return mm_rec_list(ctx->conn, &r->schema, &q, ctx->a, out);
}

static int risk_exists(struct mm_ctx *ctx, int64_t asset, int64_t threat, int64_t vuln, bool *yes)
{
	struct mm_filter f[] = {
		{ RSK_ASSET, MM_OP_EQ, { true, asset, NULL } },
		{ RSK_THREAT, MM_OP_EQ, { true, threat, NULL } },
		{ RSK_VULN, MM_OP_EQ, { true, vuln, NULL } },
	};
	struct mm_query q = { f, 3, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 0, 0, NULL, NULL };
	struct mm_page page;
	int rc = mm_rec_list(ctx->conn, &mm_reg_risks.schema, &q, ctx->a, &page);

	*yes = !rc && page.total > 0;
	return rc;
}

static int create_risk(struct mm_ctx *ctx, int64_t asset, int64_t threat, int64_t vuln,
		       const struct mm_risk_bulk *b)
{
	struct mm_in it[] = {
		{ "asset_id", MM_IN_INT, NULL, 0, asset },
		{ "threat_id", MM_IN_INT, NULL, 0, threat },
		{ "vulnerability_id", MM_IN_INT, NULL, 0, vuln },
		{ "threat_level", MM_IN_INT, NULL, 0, b->t },
		{ "vulnerability_level", MM_IN_INT, NULL, 0, b->v },
	};
	struct mm_input in = { it, 5, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record out;

	return mm_reg_create(&mm_reg_risks, ctx, &in, &errs, &out);
}

/* The risks of one asset for every pair that applies to its kind. */
static int bulk_asset(struct mm_ctx *ctx, const struct mm_record *asset, const struct mm_page *th,
		      const struct mm_page *vu, const struct mm_risk_bulk *b,
		      struct mm_risk_bulk_counts *out)
{
	const char *kind = asset->v[AST_KIND].s;
	int rc = MM_OK;

	for (size_t i = 0; !rc && i < th->n; i++) {
		const struct mm_record *t = &th->recs[i];
		if (!mm_risk_kinds_has(t->v[THR_KINDS].s, kind))
			continue;
		for (size_t k = 0; !rc && k < vu->n; k++) {
			const struct mm_record *v = &vu->recs[k];
			bool have;
			if (!mm_risk_kinds_has(v->v[VUL_KINDS].s, kind) ||
			    !mm_risk_threat_listed(v->v[VUL_THREATS].s, t->v[THR_CODE].s))
				continue;
			rc = risk_exists(ctx, asset->id, t->id, v->id, &have);
			if (!rc && have)
				out->skipped++;
			else if (!rc && !(rc = create_risk(ctx, asset->id, t->id, v->id, b)))
				out->created++;
		}
	}
	return rc;
}

static int bulk(struct mm_ctx *ctx, const struct mm_risk_bulk *b, struct mm_risk_bulk_counts *out)
{
	struct mm_filter f[3];
	size_t nf = 0, offset = 0;
	struct mm_page th, vu;
	int rc = catalogue(ctx, &mm_reg_threats, &th);

	if (!rc)
		rc = catalogue(ctx, &mm_reg_vulnerabilities, &vu);
	if (b->kind)
		f[nf++] = (struct mm_filter){ AST_KIND, MM_OP_EQ, { true, 0, b->kind } };
	if (b->section_id)
		f[nf++] =
			(struct mm_filter){ AST_SECTION, MM_OP_EQ, { true, b->section_id, NULL } };
	if (b->min_value)
		f[nf++] = (struct mm_filter){ AST_VALUE, MM_OP_GE, { true, b->min_value, NULL } };
	while (!rc) {
		struct mm_query q = { f,	 nf,   NULL,   MM_SORT_ID, false,
				      MM_ACTIVE, PAGE, offset, NULL,	   NULL };
		struct mm_page page;

		rc = mm_reg_list(&mm_reg_assets, ctx, &q, &page);
		for (size_t i = 0; !rc && i < page.n; i++) {
			out->assets++;
			rc = bulk_asset(ctx, &page.recs[i], &th, &vu, b, out);
		}
		if (rc || page.n < PAGE)
			break;
		offset += page.n;
	}
	return rc;
}

int mm_risk_bulk_create(struct mm_ctx *ctx, const struct mm_risk_bulk *b,
			struct mm_risk_bulk_counts *out)
{
	bool in_tx = ctx->in_tx;
	int rc;

	memset(out, 0, sizeof(*out));
	if (b->t < 1 || b->t > 3 || b->v < 1 || b->v > 3)
		return MM_EINVAL;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	ctx->in_tx = true;
	rc = bulk(ctx, b, out);
	ctx->in_tx = in_tx;
	rc = mm_ctx_tx_end(ctx, rc);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* Recomputes the active risks matching filter f, on the change's behalf. */
static int recompute(struct mm_ctx *ctx, const struct mm_filter *f)
{
	struct mm_query q = { f, 1, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_input none = { NULL, 0, MM_IN_JSON };
	int rc;

	for (;;) {
		struct mm_page page;

		rc = mm_rec_list(ctx->conn, &mm_reg_risks.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++) {
			struct mm_ferrs errs;
			struct mm_record out;
			const struct mm_record *r = &page.recs[i];
			rc = mm_reg_update(&mm_reg_risks, ctx, r->id, r->version, &none, &errs,
					   &out);
		}
		if (rc || page.n < PAGE)
			return rc;
		q.offset += page.n;
	}
}

int mm_risk_asset_changed(struct mm_ctx *ctx, const struct mm_record *asset)
{
	const struct mm_principal *who = ctx->who;
	bool in_tx = ctx->in_tx, by_wf = ctx->by_workflow;
	struct mm_filter f = { RSK_ASSET, MM_OP_EQ, { true, asset->id, NULL } };
	int rc;

	ctx->who = NULL;
	ctx->in_tx = true;
	ctx->by_workflow = true;
	rc = recompute(ctx, &f);
	if (!rc && asset->v[AST_CATEGORY].set) {
		f = (struct mm_filter){ RSK_GROUP,
					MM_OP_EQ,
					{ true, 0, asset->v[AST_CATEGORY].s } };
		rc = recompute(ctx, &f);
	}
	ctx->who = who;
	ctx->in_tx = in_tx;
	ctx->by_workflow = by_wf;
	return rc;
}

/* The axes of the method in force. */
static void axes(struct mm_risk_heat *h)
{
	static const int64_t products[] = { 1, 2, 3, 4, 6, 9 };
	enum mm_risk_method m = mm_risk_settings.method;
	int64_t lo = 1, hi = 3;

	if (m == MM_RISK_JIPDEC)
		hi = mm_asset_value_method == MM_VALUE_SUM ? 10 : 4;
	if (m == MM_RISK_JIPDEC && mm_asset_value_method == MM_VALUE_SUM)
		lo = 3;
	h->nrows = 0;
	for (int64_t y = hi; y >= lo; y--)
		h->rows[h->nrows++] = y;
	h->ncols = 0;
	for (size_t i = 0; i < 6; i++)
		if (m == MM_RISK_JIPDEC || products[i] <= 3)
			h->cols[h->ncols++] = products[i];
}

int mm_risk_heatmap(struct mm_ctx *ctx, struct mm_risk_heat *out)
{
	int rc = MM_OK;

	memset(out, 0, sizeof(*out));
	axes(out);
	for (size_t y = 0; !rc && y < out->nrows; y++)
		for (size_t x = 0; !rc && x < out->ncols; x++) {
			struct mm_filter f[] = {
				{ RSK_IMPORTANCE, MM_OP_EQ, { true, out->rows[y], NULL } },
				{ RSK_LIKELIHOOD, MM_OP_EQ, { true, out->cols[x], NULL } },
			};
			struct mm_query q = { f,	 2, NULL, MM_SORT_ID, false,
					      MM_ACTIVE, 0, 0,	  NULL,	      NULL };
			struct mm_page page;

			rc = mm_reg_list(&mm_reg_risks, ctx, &q, &page);
			out->count[y][x] = rc ? 0 : page.total;
			out->total += out->count[y][x];
		}
	return rc;
}

/* The copies of the assessment of year the reader may see, by risk code. */
static int year_items(struct mm_ctx *ctx, int64_t year, struct mm_record **recs, size_t *n)
{
	struct mm_value yv = { true, year, NULL };
	struct mm_filter f = { RSI_ASSESSMENT, MM_OP_EQ, { true, 0, NULL } };
	struct mm_query q = { &f, 1, NULL, RSI_RISK_CODE, false, MM_ACTIVE, 100000, 0, NULL, NULL };
	struct mm_page page;
	int rc = mm_rec_find(ctx->conn, &mm_reg_risk_assessments.schema, RA_YEAR, &yv, 0, &f.v.i);

	if (!rc)
		rc = mm_reg_list(&mm_reg_risk_snapshot, ctx, &q, &page);
	*recs = rc ? NULL : page.recs;
	*n = rc ? 0 : page.n;
	return rc;
}

static int add_delta(struct mm_ctx *ctx, struct mm_risk_delta **v, size_t *n, size_t cap,
		     const struct mm_record *a, const struct mm_record *b)
{
	const struct mm_record *r = b ? b : a;

	if (!r)
		return MM_EINVAL; /* never: one side is always given */
	if (!*v) {
		*v = mm_arena_zalloc(ctx->a, sizeof(**v) * (cap ? cap : 1));
		if (!*v)
			return MM_ENOMEM;
	}
	(*v)[(*n)++] = (struct mm_risk_delta){ r->v[RSI_RISK_CODE].s,
					       r->v[RSI_TITLE].set ? r->v[RSI_TITLE].s : "",
					       a ? a->v[RSI_RISK].i : 0, b ? b->v[RSI_RISK].i : 0 };
	return MM_OK;
}

int mm_risk_compare_years(struct mm_ctx *ctx, int64_t from, int64_t to, struct mm_risk_compare *out)
{
	struct mm_record *a, *b;
	size_t na = 0, nb = 0, i = 0, k = 0, cap;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = year_items(ctx, from, &a, &na);
	if (!rc)
		rc = year_items(ctx, to, &b, &nb);
	cap = na + nb;
	while (!rc && (i < na || k < nb)) {
		int c = i == na	  ? 1
			: k == nb ? -1
				  : strcmp(a[i].v[RSI_RISK_CODE].s, b[k].v[RSI_RISK_CODE].s);
		if (c < 0) {
			rc = add_delta(ctx, &out->removed, &out->nremoved, cap, &a[i++], NULL);
		} else if (c > 0) {
			rc = add_delta(ctx, &out->added, &out->nadded, cap, NULL, &b[k++]);
		} else {
			int64_t d = b[k].v[RSI_RISK].i - a[i].v[RSI_RISK].i;
			if (d > 0)
				rc = add_delta(ctx, &out->raised, &out->nraised, cap, &a[i], &b[k]);
			else if (d < 0)
				rc = add_delta(ctx, &out->lowered, &out->nlowered, cap, &a[i],
					       &b[k]);
			i++, k++;
		}
	}
	return rc;
}
