/* The arithmetic of risk assessment: both methods, the IPA table, bands
 * and the acceptance threshold, and their settings. No storage here. */
#include "domain/risk.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/principal.h"

#include <stdlib.h>
#include <string.h>

struct mm_risk_settings mm_risk_settings = {
	.method = MM_RISK_JIPDEC,
	.acceptance_role = MM_ROLE_DEPUTY,
};

/* 被害発生可能性 of the IPA method: rows are the threat level, columns the
 * vulnerability level (both 1–3, 3 the worst). The one place this table
 * lives. */
static const int64_t ipa_table[3][3] = {
	/* 脆弱性: 1  2  3 */
	{ 1, 1, 2 }, /* 脅威 1 通常は発生しない */
	{ 1, 2, 3 }, /* 脅威 2 特定の状況で発生 */
	{ 2, 3, 3 }, /* 脅威 3 通常の状況で発生 */
};

static const struct mm_risk_band jipdec_bands[] = {
	{ 1, "低", "Low" },
	{ 8, "中", "Medium" },
	{ 16, "高", "High" },
};

static const struct mm_risk_band ipa_bands[] = {
	{ 1, "低", "Low" },
	{ 3, "中", "Medium" },
	{ 6, "高", "High" },
};

static bool level_ok(int64_t v)
{
	return v >= 1 && v <= 3;
}

int mm_risk_method_parse(const char *s, enum mm_risk_method *out)
{
	if (strcmp(s, "jipdec") == 0)
		*out = MM_RISK_JIPDEC;
	else if (strcmp(s, "ipa") == 0)
		*out = MM_RISK_IPA;
	else
		return MM_EINVAL;
	return MM_OK;
}

/* Band labels from the configuration live as long as the process (those of
 * a refused setting are freed): each is kept here (read once at start-up; a
 * few dozen at most). */
enum { KEPT_MAX = 64 };
static char *kept[KEPT_MAX];
static size_t nkept;

static const char *keep(struct mm_slice s)
{
	char *p;

	if (nkept == KEPT_MAX || !(p = malloc(s.len + 1)))
		return NULL;
	memcpy(p, s.ptr, s.len);
	p[s.len] = '\0';
	kept[nkept++] = p;
	return p;
}

/* Frees the labels kept since mark: those of a refused setting. */
static void release(size_t mark)
{
	while (nkept > mark)
		free(kept[--nkept]);
}

/* Parses one "from:ja[:en]" entry into b. */
static bool parse_band(struct mm_slice e, struct mm_risk_band *b)
{
	struct mm_slice num, ja, en = { NULL, 0 };

	e = mm_slice_cut(e, ':', &num);
	if (!e.ptr)
		return false;
	e = mm_slice_cut(e, ':', &ja);
	if (e.ptr)
		en = mm_slice_trim(e);
	ja = mm_slice_trim(ja);
	if (!mm_slice_to_i64(mm_slice_trim(num), &b->from) || ja.len == 0)
		return false;
	b->ja = keep(ja);
	b->en = en.len ? keep(en) : b->ja;
	return b->ja && b->en;
}

int mm_risk_bands_parse(const char *text, struct mm_risk_settings *s)
{
	struct mm_risk_band bands[MM_RISK_MAX_BANDS] = { { 0 } };
	struct mm_slice rest = mm_slice_cstr(text), e;
	size_t n = 0, mark = nkept;

	while (rest.ptr) {
		rest = mm_slice_cut(rest, ',', &e);
		if (n == MM_RISK_MAX_BANDS || !parse_band(e, &bands[n]) ||
		    (n == 0 && bands[0].from != 1) ||
		    (n > 0 && bands[n].from <= bands[n - 1].from)) {
			release(mark);
			return MM_EINVAL;
		}
		n++;
	}
	if (n < 2) {
		release(mark);
		return MM_EINVAL;
	}
	memcpy(s->bands, bands, sizeof(bands));
	s->nbands = n;
	for (size_t i = 0; i < n; i++)
		mm_risk_band_option_add(bands[i].ja, bands[i].en);
	return MM_OK;
}

int64_t mm_risk_ipa_likelihood(int64_t t, int64_t v)
{
	return level_ok(t) && level_ok(v) ? ipa_table[t - 1][v - 1] : 0;
}

int64_t mm_risk_likelihood(enum mm_risk_method m, int64_t t, int64_t v)
{
	if (!level_ok(t) || !level_ok(v))
		return 0;
	return m == MM_RISK_IPA ? mm_risk_ipa_likelihood(t, v) : t * v;
}

int64_t mm_risk_importance(enum mm_risk_method m, int64_t asset_value)
{
	if (asset_value < 1)
		return 0;
	return m == MM_RISK_IPA && asset_value > 3 ? 3 : asset_value;
}

int64_t mm_risk_value(enum mm_risk_method m, int64_t asset_value, int64_t t, int64_t v)
{
	return mm_risk_importance(m, asset_value) * mm_risk_likelihood(m, t, v);
}

const struct mm_risk_band *mm_risk_bands(const struct mm_risk_settings *s, size_t *n)
{
	if (s->nbands) {
		*n = s->nbands;
		return s->bands;
	}
	*n = 3;
	return s->method == MM_RISK_IPA ? ipa_bands : jipdec_bands;
}

int64_t mm_risk_accept_at(const struct mm_risk_settings *s)
{
	if (s->accept_at > 0)
		return s->accept_at;
	return s->method == MM_RISK_IPA ? 6 : 16;
}

size_t mm_risk_band_of(const struct mm_risk_settings *s, int64_t value)
{
	size_t n, k = 0;
	const struct mm_risk_band *b = mm_risk_bands(s, &n);

	for (size_t i = 0; i < n; i++)
		if (value >= b[i].from)
			k = i;
	return k;
}

bool mm_risk_needs_acceptance(const struct mm_risk_settings *s, int64_t value)
{
	return value >= mm_risk_accept_at(s);
}

static const char *const threat_ja[3] = { "通常は発生しない", "特定の状況で発生",
					  "通常の状況で発生" };
static const char *const threat_en[3] = { "Does not occur in normal circumstances",
					  "Occurs in particular circumstances",
					  "Occurs in normal circumstances" };
static const char *const vuln_ja[3] = { "必要な対策をすべて実施", "一部実施", "対策なし" };
static const char *const vuln_en[3] = { "All the necessary measures are in place",
					"Some measures are in place", "No measures in place" };

const char *mm_risk_threat_criterion(int64_t v, enum mm_lang lang)
{
	return level_ok(v) ? MM_L(lang, threat_ja[v - 1], threat_en[v - 1]) : NULL;
}

const char *mm_risk_vuln_criterion(int64_t v, enum mm_lang lang)
{
	return level_ok(v) ? MM_L(lang, vuln_ja[v - 1], vuln_en[v - 1]) : NULL;
}
