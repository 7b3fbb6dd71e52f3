/* Keeping stored risk values true to the settings in force. A risk's
 * values, bands and need for acceptance are computed when it is written,
 * by the method, bands and threshold of [risk] and the asset value method
 * of [assets]; when any of these changes, the stored values would tell the
 * old method. So the settings that decide them are kept in the database as
 * a marker, and when the marker differs (or is missing) every active risk
 * is recomputed in one transaction, with the marker and one audit entry. */
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/audit.h"
#include "domain/registers.h"

#include <string.h>

static const char marker_key[] = "risk_settings";

/* The marker of the settings in force, in the arena. */
static const char *marker(struct mm_ctx *ctx)
{
	const struct mm_risk_settings *s = &mm_risk_settings;
	size_t n;
	const struct mm_risk_band *b = mm_risk_bands(s, &n);
	struct mm_buf m;
	const char *out;

	mm_buf_init(&m, 1024);
	mm_buf_printf(&m, "method=%s;value=%d;accept_at=%lld;bands=",
		      s->method == MM_RISK_IPA ? "ipa" : "jipdec", (int)mm_asset_value_method,
		      (long long)mm_risk_accept_at(s));
	for (size_t i = 0; i < n; i++)
		mm_buf_printf(&m, "%s%lld:%s", i ? "," : "", (long long)b[i].from, b[i].ja);
	out = m.err ? NULL : mm_arena_strndup(ctx->a, m.data, m.len);
	mm_buf_free(&m);
	return out;
}

/* Recomputes every active risk; counts those whose values changed. */
static int recompute_all(struct mm_ctx *ctx, size_t *changed)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, 200, 0, NULL, NULL };
	struct mm_input none = { NULL, 0, MM_IN_JSON };
	int rc;

	for (;;) {
		struct mm_page page;

		rc = mm_rec_list(ctx->conn, &mm_reg_risks.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++) {
			const struct mm_record *r = &page.recs[i];
			struct mm_ferrs errs;
			struct mm_record out;

			rc = mm_reg_update(&mm_reg_risks, ctx, r->id, r->version, &none, &errs,
					   &out);
			if (!rc && out.version != r->version)
				(*changed)++;
		}
		if (rc || page.n < q.limit)
			return rc;
		q.offset += page.n;
	}
}

static const char *details(struct mm_ctx *ctx, const char *from, const char *to, size_t n)
{
	struct mm_buf b;
	struct mm_json j;
	const char *out;

	mm_buf_init(&b, 4096);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "from");
	if (from)
		mm_json_str(&j, from);
	else
		mm_json_null(&j);
	mm_json_key(&j, "to");
	mm_json_str(&j, to);
	mm_json_key(&j, "recomputed");
	mm_json_int(&j, (int64_t)n);
	mm_json_obj_close(&j);
	out = b.err ? NULL : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out;
}

int mm_risk_settings_sync(struct mm_ctx *ctx, size_t *changed)
{
	const struct mm_principal *who = ctx->who;
	bool in_tx = ctx->in_tx, by_wf = ctx->by_workflow;
	const char *now = marker(ctx), *was = NULL;
	int rc;

	*changed = 0;
	if (!now)
		return MM_ENOMEM;
	rc = mm_meta_get(ctx->conn, marker_key, ctx->a, &was);
	if (rc == MM_ENOTFOUND)
		was = NULL;
	else if (rc)
		return rc;
	if (was && strcmp(was, now) == 0)
		return MM_OK;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	ctx->who = NULL;
	ctx->in_tx = true;
	ctx->by_workflow = true;
	rc = recompute_all(ctx, changed);
	if (!rc)
		rc = mm_meta_set(ctx->conn, marker_key, now);
	if (!rc && (was || *changed))
		rc = mm_audit(ctx, "risk_recompute", "risks", "ok",
			      details(ctx, was, now, *changed));
	ctx->who = who;
	ctx->in_tx = in_tx;
	ctx->by_workflow = by_wf;
	rc = mm_ctx_tx_end(ctx, rc);
	if (rc)
		*changed = 0;
	return rc;
}
