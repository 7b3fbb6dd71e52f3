/* The threat and vulnerability catalogues of risk assessment (3.3). Each
 * entry names the asset kinds it applies to; 事務局 keeps both, and
 * mamori init ships a first edition (risk_seed.c). */
#include "domain/risk_regs.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <string.h>

static const struct mm_option origins[] = {
	{ "deliberate", "意図的", "Deliberate" },
	{ "accidental", "偶発的", "Accidental" },
	{ "environmental", "環境的", "Environmental" },
};

/* The threat types of ISO/IEC 27005, in our words. */
static const struct mm_option threat_groups[] = {
	{ "physical", "物理的損傷", "Physical damage" },
	{ "natural", "自然災害", "Natural events" },
	{ "services", "重要サービスの喪失", "Loss of essential services" },
	{ "radiation", "放射による障害", "Disturbance due to radiation" },
	{ "information", "情報の漏えい・盗難", "Compromise of information" },
	{ "technical", "技術的障害", "Technical failures" },
	{ "unauthorised", "不正な行為", "Unauthorised actions" },
	{ "functions", "機能の侵害", "Compromise of functions" },
};

static const struct mm_option vuln_groups[] = {
	{ "hardware", "ハードウェア", "Hardware" },
	{ "software", "ソフトウェア", "Software" },
	{ "network", "ネットワーク", "Network" },
	{ "personnel", "人的", "Personnel" },
	{ "site", "施設・環境", "Site" },
	{ "organisation", "組織・運用", "Organisation" },
};

static const struct mm_field threat_fields[] = {
	[THR_CODE] = { "code", "脅威番号", "Threat no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[THR_NAME] = { "name", "脅威", "Threat", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 200 },
	[THR_NAME_EN] = { "name_en", "脅威（英語）", "Threat (English)", MM_FT_TEXT, MM_F_SEARCH, 0,
			  200 },
	[THR_ORIGIN] = { "origin", "分類", "Origin", MM_FT_ENUM,
			 MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, origins, 3 },
	[THR_GROUP] = { "threat_group", "脅威の種類", "Threat type", MM_FT_ENUM,
			MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, threat_groups,
			8 },
	[THR_KINDS] = { "asset_kinds", "対象の資産種別", "Asset kinds", MM_FT_TEXT,
			MM_F_REQUIRED | MM_F_LIST | MM_F_SEARCH, 0, 200 },
	[THR_DESC] = { "description", "説明", "Description", MM_FT_TEXT,
		       MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
};

static const struct mm_field vuln_fields[] = {
	[VUL_CODE] = { "code", "脆弱性番号", "Vulnerability no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[VUL_NAME] = { "name", "脆弱性", "Vulnerability", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 200 },
	[VUL_NAME_EN] = { "name_en", "脆弱性（英語）", "Vulnerability (English)", MM_FT_TEXT,
			  MM_F_SEARCH, 0, 200 },
	[VUL_GROUP] = { "vuln_group", "脆弱性の種類", "Vulnerability type", MM_FT_ENUM,
			MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, vuln_groups, 6 },
	[VUL_KINDS] = { "asset_kinds", "対象の資産種別", "Asset kinds", MM_FT_TEXT,
			MM_F_REQUIRED | MM_F_LIST | MM_F_SEARCH, 0, 200 },
	[VUL_THREATS] = { "threat_codes", "関連する脅威（脅威番号）", "Threats (threat nos.)",
			  MM_FT_TEXT, MM_F_SEARCH, 0, 400 },
	[VUL_DESC] = { "description", "説明", "Description", MM_FT_TEXT,
		       MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
};

/* The asset register's kinds, by code and labels. */
static int kind_index(struct mm_slice w)
{
	const struct mm_field *f = &mm_reg_assets.schema.fields[AST_KIND];

	for (size_t i = 0; i < f->nopts; i++)
		if (mm_slice_eqs(w, f->opts[i].code) || mm_slice_eqs(w, f->opts[i].ja) ||
		    mm_slice_eqs(w, f->opts[i].en))
			return (int)i;
	return -1;
}

static bool is_all(struct mm_slice w)
{
	return mm_slice_eqs(w, "すべて") || mm_slice_eqs(w, "全て") || mm_slice_eqs(w, "all");
}

/* Calls each word of text (separated by commas, 、, ・ or spaces) into
 * *mask as kind bits; false when a word is not a kind. */
static bool kinds_mask(const char *text, unsigned *mask)
{
	const char *p = text;

	*mask = 0;
	while (*p) {
		size_t sep = 0;
		const char *q = p;

		while (*q && !sep) {
			if (*q == ',' || *q == ' ')
				sep = 1;
			else if (strncmp(q, "、", 3) == 0 || strncmp(q, "・", 3) == 0 ||
				 strncmp(q, "　", 3) == 0)
				sep = 3;
			else
				q++;
		}
		struct mm_slice w = { p, (size_t)(q - p) };
		if (w.len) {
			int k = kind_index(w);
			if (is_all(w))
				*mask |= 0x1f;
			else if (k < 0)
				return false;
			else
				*mask |= 1u << k;
		}
		p = q + sep;
	}
	return *mask != 0;
}

bool mm_risk_kinds_has(const char *kinds, const char *kind)
{
	unsigned mask;
	int k = kind ? kind_index(mm_slice_cstr(kind)) : -1;

	return k >= 0 && kinds && kinds_mask(kinds, &mask) && (mask & (1u << k));
}

bool mm_risk_kinds_normalise(const char *text, char *out, size_t cap)
{
	const struct mm_field *f = &mm_reg_assets.schema.fields[AST_KIND];
	unsigned mask;
	size_t len = 0;

	if (cap == 0 || !kinds_mask(text, &mask))
		return false;
	out[0] = '\0';
	for (size_t i = 0; i < f->nopts; i++) {
		size_t n = strlen(f->opts[i].code);
		if (!(mask & (1u << i)))
			continue;
		if (len + n + 2 > cap)
			return false;
		if (len)
			out[len++] = ',';
		memcpy(out + len, f->opts[i].code, n + 1);
		len += n;
	}
	return true;
}

static int kinds_check(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		       int fi, struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[fi];
	unsigned mask;

	if (rec->v[fi].set && !kinds_mask(rec->v[fi].s, &mask))
		mm_ferr_add(errs, f, f->name, "risk_bad_kinds", ctx->lang);
	return MM_OK;
}

static int threat_check(const struct mm_register *r, struct mm_ctx *ctx,
			const struct mm_record *rec, struct mm_ferrs *errs)
{
	return kinds_check(r, ctx, rec, THR_KINDS, errs);
}

bool mm_risk_threat_listed(const char *list, const char *code)
{
	struct mm_slice rest = mm_slice_cstr(list ? list : ""), w;
	bool empty = true;

	while (rest.ptr && rest.len) {
		const char *p = rest.ptr, *end = rest.ptr + rest.len;
		while (p < end && *p != ' ' && *p != ',')
			p++;
		w = (struct mm_slice){ rest.ptr, (size_t)(p - rest.ptr) };
		rest = p < end ? (struct mm_slice){ p + 1, (size_t)(end - p - 1) }
			       : (struct mm_slice){ NULL, 0 };
		if (!w.len)
			continue;
		empty = false;
		if (mm_slice_eqs(w, code))
			return true;
	}
	return empty;
}

/* Each threat code a vulnerability lists names a threat. */
static int threats_check(const struct mm_register *r, struct mm_ctx *ctx,
			 const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[VUL_THREATS];
	const char *p = rec->v[VUL_THREATS].set ? rec->v[VUL_THREATS].s : "";

	while (*p) {
		size_t n = strcspn(p, " ,");
		struct mm_value v = { true, 0, mm_arena_strndup(ctx->a, p, n) };
		int64_t id;
		int rc;

		if (!v.s)
			return MM_ENOMEM;
		rc = n ? mm_rec_find(ctx->conn, &mm_reg_threats.schema, THR_CODE, &v, 0, &id)
		       : MM_OK;
		if (rc == MM_ENOTFOUND) {
			mm_ferr_add(errs, f, f->name, "risk_bad_threat_code", ctx->lang);
			return MM_OK;
		}
		if (rc)
			return rc;
		p += n + (p[n] != '\0');
	}
	return MM_OK;
}

static int vuln_check(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		      struct mm_ferrs *errs)
{
	int rc = kinds_check(r, ctx, rec, VUL_KINDS, errs);

	return rc ? rc : threats_check(r, ctx, rec, errs);
}

#define SECRETARIAT MM_ROLE_BIT(MM_ROLE_SECRETARIAT)

const struct mm_register mm_reg_threats = {
	.schema = { "threats", threat_fields, THR_NFIELDS },
	.label_ja = "脅威カタログ",
	.label_en = "Threat catalogue",
	.noun_ja = "脅威",
	.noun_en = "threat",
	.retired_ja = "廃止",
	.retired_en = "Retired",
	.key_field = THR_CODE,
	.key_prefix = "T-",
	.title_field = THR_NAME,
	.owner_field = -1,
	.check = threat_check,
	.class_field = -1,
	.default_class = 1,
	.create_roles = SECRETARIAT,
	.edit_roles = SECRETARIAT,
	.retire_roles = SECRETARIAT,
};

const struct mm_register mm_reg_vulnerabilities = {
	.schema = { "vulnerabilities", vuln_fields, VUL_NFIELDS },
	.label_ja = "脆弱性カタログ",
	.label_en = "Vulnerability catalogue",
	.noun_ja = "脆弱性",
	.noun_en = "vulnerability",
	.retired_ja = "廃止",
	.retired_en = "Retired",
	.key_field = VUL_CODE,
	.key_prefix = "V-",
	.title_field = VUL_NAME,
	.owner_field = -1,
	.check = vuln_check,
	.class_field = -1,
	.default_class = 1,
	.create_roles = SECRETARIAT,
	.edit_roles = SECRETARIAT,
	.retire_roles = SECRETARIAT,
};
