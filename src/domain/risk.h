/* Risk assessment (3.3): "情報資産ごとに想定される脅威とそれに対する脆弱性を
 * 評価し、情報資産価値と合わせたリスク評価値を決定して対策を進めます".
 *
 * A risk links an asset (or a group of assets sharing a 業務分類) with a
 * threat and a vulnerability from the catalogues, each rated 1–3 (3 is the
 * worst: a threat that occurs in normal circumstances, a vulnerability with
 * no measure taken). Its value comes from one of two methods, chosen in
 * the settings:
 *
 *   JIPDEC: リスク値 = 資産価値 × 脅威 × 脆弱性. The asset value is the
 *     asset register's own (max of C/I/A: 1–4, since 機密性 has four levels
 *     in 付表2), so values run 1–36. We keep level 4 rather than folding it
 *     into 3: 極秘 is the city's own distinction, and folding it would rank
 *     the 住民基本台帳 with a section's internal memo. The default bands
 *     follow from that range: 低 1–7, 中 8–15, 高 16–36; 16 is the first
 *     value a 極秘 asset reaches with a threat and a vulnerability both
 *     rated 2, and a 庁外秘 asset only with both rated worst (2×3×3 = 18).
 *   IPA: リスク値 = 重要度 × 被害発生可能性, where 重要度 is the asset value
 *     capped at 3 and 被害発生可能性 comes from the 脅威 × 脆弱性 table
 *     below (1–3); values run 1–9, bands 低 1–2, 中 3–5, 高 6–9.
 *
 * A residual value at or above accept_at needs acceptance by the
 * acceptance role (情報管理統括責任者 unless set), never by the risk's
 * owner. */
#ifndef MM_DOMAIN_RISK_H
#define MM_DOMAIN_RISK_H

#include "domain/register.h"

#include <stdbool.h>
#include <stdint.h>

enum mm_risk_method { MM_RISK_JIPDEC, MM_RISK_IPA };

enum { MM_RISK_MAX_BANDS = 5 };

struct mm_risk_band {
	int64_t from; /* the lowest value in the band */
	const char *ja, *en;
};

struct mm_risk_settings {
	enum mm_risk_method method;
	struct mm_risk_band bands[MM_RISK_MAX_BANDS]; /* ascending by from */
	size_t nbands;				      /* 0: the method's defaults */
	int64_t accept_at;			      /* 0: the method's default */
	int acceptance_role;			      /* an enum mm_role */
	const char *organisation;		      /* heads the printed reports; NULL: none */
};

/* The settings in force (from [risk] in the configuration). */
extern struct mm_risk_settings mm_risk_settings;

/* Parses "jipdec" or "ipa"; MM_EINVAL otherwise. */
int mm_risk_method_parse(const char *s, enum mm_risk_method *out);

/* Parses bands written "1:低:Low, 8:中:Medium, 16:高:High" (the English
 * label may be left out) into s; the lower bounds must ascend from 1.
 * MM_EINVAL, leaving s as it was, otherwise. Strings are kept for the
 * process's life. */
int mm_risk_bands_parse(const char *text, struct mm_risk_settings *s);

/* Makes ja (with English en) one of the band fields' choices, so that
 * stored band labels show in English too; an existing ja label takes en
 * when en differs from it. Called for each band of [risk] bands. */
void mm_risk_band_option_add(const char *ja, const char *en);

/* The label of a stored band value (its Japanese label) in lang; the
 * stored text itself when it is no band's. */
const char *mm_risk_band_label(const char *stored, enum mm_lang lang);

/* Sets the role that accepts risks, by its code (deputy, ciso …), and the
 * accept transition's role with it. MM_EINVAL for an unknown code. */
int mm_risk_acceptance_role_set(const char *code);

/* 被害発生可能性 of the IPA method for threat t and vulnerability v (1–3
 * each), from the table; 0 when out of range. */
int64_t mm_risk_ipa_likelihood(int64_t t, int64_t v);

/* The likelihood axis of method m: 脅威 × 脆弱性 (JIPDEC) or the IPA
 * table; and the asset axis: the asset value (JIPDEC) or 重要度 (IPA). */
int64_t mm_risk_likelihood(enum mm_risk_method m, int64_t t, int64_t v);
int64_t mm_risk_importance(enum mm_risk_method m, int64_t asset_value);

/* リスク値 of method m; 0 when a level is out of range. */
int64_t mm_risk_value(enum mm_risk_method m, int64_t asset_value, int64_t t, int64_t v);

/* The bands and the acceptance threshold in force for s (its own or its
 * method's defaults). */
const struct mm_risk_band *mm_risk_bands(const struct mm_risk_settings *s, size_t *n);
int64_t mm_risk_accept_at(const struct mm_risk_settings *s);

/* The index of the band value falls in (0 for the lowest). */
size_t mm_risk_band_of(const struct mm_risk_settings *s, int64_t value);

/* Whether a residual value needs acceptance under s. */
bool mm_risk_needs_acceptance(const struct mm_risk_settings *s, int64_t value);

/* Criterion text of threat or vulnerability level v (1–3), or NULL. */
const char *mm_risk_threat_criterion(int64_t v, enum mm_lang lang);
const char *mm_risk_vuln_criterion(int64_t v, enum mm_lang lang);

/* Creates each catalogue entry of the first edition (by code) that is
 * missing; for mamori init, in the caller's transaction. */
int mm_risk_seed(struct mm_ctx *ctx, size_t *nthreats, size_t *nvulns);

/* Bulk creation: for the assets the actor may read that match (kind code
 * or NULL, section id or 0, value at least min_value), creates a risk for
 * every catalogue pair that applies to the asset's kind (the threat's and
 * the vulnerability's kinds include it, and the vulnerability lists the
 * threat or lists none), rated t and v, skipping each asset, threat and
 * vulnerability triple that has a risk already (active or retired). One
 * transaction; counts of created and skipped risks in out. */
struct mm_risk_bulk {
	const char *kind;
	int64_t section_id;
	int64_t min_value;
	int64_t t, v;
};
struct mm_risk_bulk_counts {
	size_t assets, created, skipped;
};
int mm_risk_bulk_create(struct mm_ctx *ctx, const struct mm_risk_bulk *b,
			struct mm_risk_bulk_counts *out);

/* Recomputes the risks of asset (after a change of its valuation): each
 * whose values change gets a new version, on the change's behalf, and an
 * accepted one goes back to assessment. Runs in the caller's transaction. */
int mm_risk_asset_changed(struct mm_ctx *ctx, const struct mm_record *asset);

/* Recomputes every active risk in one transaction when the settings
 * that decide stored values (method, bands, threshold, asset value method)
 * differ from those recorded in the database at the last run, or none are
 * recorded; records the new ones and, when anything was recorded before or
 * changed, one audit entry "risk_recompute" naming both and the count.
 * Each changed risk gets a new version (an accepted one goes back to
 * assessment, as after a change of its asset's value). *changed counts
 * them. For the server's start-up. */
int mm_risk_settings_sync(struct mm_ctx *ctx, size_t *changed);

/* The heat map: rows are the asset axis (資産価値, or 重要度 for IPA),
 * highest first, columns the likelihood axis, lowest first; each cell
 * counts the active risks the reader may see, as the risk list filtered
 * by importance and likelihood does. */
enum { MM_HEAT_MAX_ROWS = 10, MM_HEAT_MAX_COLS = 9 };
struct mm_risk_heat {
	int64_t rows[MM_HEAT_MAX_ROWS];
	size_t nrows;
	int64_t cols[MM_HEAT_MAX_COLS];
	size_t ncols;
	int64_t count[MM_HEAT_MAX_ROWS][MM_HEAT_MAX_COLS];
	int64_t total;
};
int mm_risk_heatmap(struct mm_ctx *ctx, struct mm_risk_heat *out);

/* The comparison of two yearly assessments (by fiscal year) as the reader
 * sees them: risks new in the later one, removed from it, and those whose
 * value rose or fell. MM_ENOTFOUND when a year has no assessment. */
struct mm_risk_delta {
	const char *code, *name;
	int64_t before, after; /* risk values; 0 when absent */
};
struct mm_risk_compare {
	struct mm_risk_delta *added, *removed, *raised, *lowered;
	size_t nadded, nremoved, nraised, nlowered;
};
int mm_risk_compare_years(struct mm_ctx *ctx, int64_t from, int64_t to,
			  struct mm_risk_compare *out);

/* What the risk assessment report (リスク評価書) and the treatment plan
 * (リスク対応計画) cover: the risks of one owning section (0: every
 * section), for the plan those whose measures one person carries out (0:
 * anyone), and only the overdue ones. */
struct mm_risk_sel {
	int64_t section_id;
	int64_t measure_by;
	bool overdue_only;
};

/* Most risks one report or plan lists; more sets truncated. */
enum { MM_RISK_REPORT_MAX = 20000 };

/* The report: the active risks the reader may see, highest risk value
 * first (equal values newest first), counted by the band of their value in force
 * (by_band, as mm_risk_bands orders them) and by whether their residual
 * value awaits acceptance. recs are from ctx->a. today is the report's
 * date and fiscal_year its 年度. */
struct mm_risk_report {
	struct mm_record *recs;
	size_t n;
	bool truncated;
	int64_t total;
	int64_t by_band[MM_RISK_MAX_BANDS];
	int64_t awaiting; /* needing acceptance and not accepted */
	char today[11];
	int fiscal_year;
};
int mm_risk_report(struct mm_ctx *ctx, const struct mm_risk_sel *sel, struct mm_risk_report *out);

/* The treatment plan: the active risks the reader may see that have a
 * measure due date, earliest first. A measure is overdue when its due
 * date is before today and its status is not 完了 (done); overdue[i] and
 * days_late[i] tell it for recs[i]. noverdue counts the overdue ones of
 * the selection. With sel->overdue_only only those are listed. */
struct mm_risk_plan {
	struct mm_record *recs;
	bool *overdue;
	int64_t *days_late;
	size_t n;
	bool truncated;
	int64_t noverdue;
	char today[11];
};
int mm_risk_plan(struct mm_ctx *ctx, const struct mm_risk_sel *sel, struct mm_risk_plan *out);

/* Whether the measures of risk rec are overdue on today (YYYY-MM-DD), and
 * by how many days (0 when not). */
int64_t mm_risk_days_late(const struct mm_record *rec, const char *today);

#endif
