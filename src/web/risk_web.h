/* What the risk report, plan and comparison pages and their JSON share:
 * reading and checking their parameters, the names of catalogue entries
 * in the reader's language, and the method and bands in words. Internal
 * to web/. */
#ifndef MM_WEB_RISK_WEB_H
#define MM_WEB_RISK_WEB_H

#include "web/handlers.h"

#include "domain/risk.h"

/* Reads section_id (and for the plan measure_by and overdue) from the
 * query string into sel. Each parameter that is unknown, malformed or
 * names no section or person adds to errs; returns MM_EINVAL then, a store
 * error, or MM_OK. lang is allowed and ignored. */
int mm_risk_sel_read(struct mm_req *rq, struct mm_ctx *ctx, bool plan, struct mm_risk_sel *sel,
		     struct mm_ferrs *errs);

/* Reads from and to (fiscal years 2000–2200, both or neither) as the
 * comparison takes them; *given tells whether they were. MM_EINVAL with
 * errs for anything else. */
int mm_risk_years_read(struct mm_req *rq, int64_t *from, int64_t *to, bool *given,
		       struct mm_ferrs *errs);

/* The threat and vulnerability catalogues, read once per request, for
 * names in the reader's language. */
struct mm_risk_names {
	struct mm_page threats, vulns;
	enum mm_lang lang;
};
int mm_risk_names_load(struct mm_ctx *ctx, struct mm_risk_names *n);

/* "T25 ランサムウェア" (or its English name) of the threat or
 * vulnerability id; "" when unknown. */
const char *mm_risk_threat_name(struct mm_ctx *ctx, const struct mm_risk_names *n, int64_t id);
const char *mm_risk_vuln_name(struct mm_ctx *ctx, const struct mm_risk_names *n, int64_t id);

/* The method in force in words, and the range of band i ("8–15",
 * "16 以上"), from ctx's arena. */
const char *mm_risk_method_text(enum mm_lang lang);
const char *mm_risk_band_range(struct mm_ctx *ctx, size_t i);

/* The plain-text messages of errs, for an error page. */
const char *mm_risk_ferrs_text(struct mm_ctx *ctx, const struct mm_ferrs *errs);

#endif
