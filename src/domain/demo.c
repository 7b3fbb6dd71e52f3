/* Demo data. Everything goes through the register engine, so the sample is
 * validated like any other input and has a history. */
#include "domain/demo.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/registers.h"
#include "domain/risk.h"
#include "domain/seed.h"
#include "store/grants.h"

#include <stdio.h>
#include <string.h>

struct demo_section {
	const char *code, *name, *kind, *parent;
};

static const struct demo_section sections[] = {
	{ "0100", "総務部", "department", NULL },
	{ "0110", "総務課", "division", "0100" },
	{ "0120", "行政管理課", "division", "0100" },
	{ "0121", "行政情報係", "unit", "0120" },
	{ "0122", "情報システム係", "unit", "0120" },
	{ "0130", "職員課", "division", "0100" },
	{ "0200", "企画部", "department", NULL },
	{ "0210", "企画課", "division", "0200" },
	{ "0220", "財政課", "division", "0200" },
	{ "0300", "財務部", "department", NULL },
	{ "0310", "税務課", "division", "0300" },
	{ "0320", "納税課", "division", "0300" },
	{ "0400", "市民環境部", "department", NULL },
	{ "0410", "市民課", "division", "0400" },
	{ "0420", "環境課", "division", "0400" },
	{ "0500", "保健福祉部", "department", NULL },
	{ "0510", "福祉課", "division", "0500" },
	{ "0520", "健康推進課", "division", "0500" },
	{ "0530", "子育て支援課", "division", "0500" },
	{ "0540", "介護保険課", "division", "0500" },
	{ "0600", "建設部", "department", NULL },
	{ "0610", "都市計画課", "division", "0600" },
	{ "0620", "道路課", "division", "0600" },
	{ "0700", "教育部", "department", NULL },
	{ "0710", "学校教育課", "division", "0700" },
	{ "0720", "生涯学習課", "division", "0700" },
};

static const char *const family[] = { "佐藤",	"鈴木", "高橋", "田中", "伊藤", "渡辺",
				      "山本",	"中村", "小林", "加藤", "吉田", "山田",
				      "佐々木", "山口", "松本", "井上", "木村", "林" };
static const char *const given[] = { "太郎", "花子", "健一", "美咲", "大輔", "由美",
				     "翔太", "陽子", "誠",   "恵",   "拓也", "直美" };

struct demo_system {
	const char *name, *section, *desc;
};

static const struct demo_system systems[] = {
	{ "住民情報システム", "0410", "住民基本台帳、印鑑登録、戸籍附票を扱う基幹系システム" },
	{ "税務システム", "0310", "個人住民税・固定資産税・軽自動車税の賦課" },
	{ "収納管理システム", "0320", "市税等の収納・滞納整理" },
	{ "福祉総合システム", "0510", "障がい福祉・生活保護の台帳と給付" },
	{ "介護保険システム", "0540", "要介護認定と給付管理" },
	{ "健康管理システム", "0520", "健診・予防接種の記録" },
	{ "子ども・子育て支援システム", "0530", "保育所入所・児童手当" },
	{ "財務会計システム", "0220", "予算編成・執行・決算" },
	{ "人事給与システム", "0130", "職員の人事記録と給与計算" },
	{ "文書管理システム", "0110", "収受・起案・決裁・保存" },
	{ "グループウェア", "0122", "庁内の掲示板・施設予約・メール" },
	{ "ホームページ管理システム", "0210", "公式ウェブサイトの更新" },
};

struct demo_asset {
	const char *name, *kind, *category, *personal, *medium;
	int c, i, a;
	int system;	     /* index into systems, or -1 */
	const char *section; /* owning section code; NULL: every division has one */
};

static const struct demo_asset templates[] = {
	{ "住民基本台帳データ", "data", "住民記録", "my_number", "住民情報システムDB", 4, 3, 3, 0,
	  "0410" },
	{ "印鑑登録原票データ", "data", "住民記録", "personal", "住民情報システムDB", 3, 3, 2, 0,
	  "0410" },
	{ "個人住民税課税データ", "data", "課税", "my_number", "税務システムDB", 4, 3, 2, 1,
	  "0310" },
	{ "固定資産課税台帳", "data", "課税", "personal", "税務システムDB", 3, 3, 2, 1, "0310" },
	{ "滞納整理記録", "data", "収納", "personal", "収納管理システムDB", 3, 3, 2, 2, "0320" },
	{ "生活保護受給者台帳", "data", "福祉", "sensitive", "福祉総合システムDB", 4, 3, 2, 3,
	  "0510" },
	{ "要介護認定データ", "data", "介護", "sensitive", "介護保険システムDB", 4, 3, 2, 4,
	  "0540" },
	{ "健診結果データ", "data", "保健", "sensitive", "健康管理システムDB", 4, 2, 1, 5, "0520" },
	{ "児童手当受給者データ", "data", "子育て", "my_number", "子ども・子育て支援システムDB", 4,
	  3, 2, 6, "0530" },
	{ "予算執行データ", "data", "財務", "none", "財務会計システムDB", 2, 3, 2, 7, "0220" },
	{ "職員人事記録", "data", "人事", "personal", "人事給与システムDB", 3, 3, 1, 8, "0130" },
	{ "給与支給データ", "data", "人事", "my_number", "人事給与システムDB", 4, 3, 2, 8, "0130" },
	{ "統計資料（公表用）", "data", "企画", "none", "ファイルサーバ", 1, 2, 1, -1, "0210" },
	{ "起案文書", "document", "文書", "none", "文書管理システム", 2, 2, 1, 9, NULL },
	{ "契約書綴り", "document", "契約", "none", "書庫（紙）", 2, 3, 1, -1, NULL },
	{ "入札参加資格審査申請書", "document", "契約", "personal", "書庫（紙）", 3, 2, 1, -1,
	  "0110" },
	{ "議会答弁資料", "document", "企画", "none", "ファイルサーバ", 2, 2, 2, -1, NULL },
	{ "住民からの相談記録", "document", "相談", "sensitive", "鍵付きキャビネット", 4, 2, 1, -1,
	  "0410" },
	{ "公開用パンフレット原稿", "document", "広報", "none", "ファイルサーバ", 1, 1, 1, -1,
	  "0210" },
	{ "業務マニュアル", "document", "業務", "none", "グループウェア", 2, 2, 2, 10, NULL },
	{ "庁内LAN", "infrastructure", "ネットワーク", "none", "各庁舎", 2, 3, 3, -1, "0122" },
	{ "基幹系ネットワーク", "infrastructure", "ネットワーク", "none", "サーバ室", 3, 3, 3, -1,
	  "0122" },
	{ "インターネット接続系", "infrastructure", "ネットワーク", "none", "サーバ室", 2, 2, 2, -1,
	  "0122" },
	{ "サーバ室", "infrastructure", "施設", "none", "本庁舎3階", 3, 3, 3, -1, "0122" },
	{ "無停電電源装置", "infrastructure", "電源", "none", "サーバ室", 1, 2, 3, -1, "0122" },
	{ "基幹系サーバ", "hardware", "サーバ", "none", "サーバ室", 3, 3, 3, 0, "0122" },
	{ "ファイルサーバ", "hardware", "サーバ", "none", "サーバ室", 3, 3, 2, -1, "0122" },
	{ "職員用パソコン", "hardware", "端末", "none", "執務室", 2, 2, 2, -1, NULL },
	{ "持出用ノートパソコン", "hardware", "端末", "none", "施錠保管庫", 3, 2, 1, -1, "0122" },
	{ "USBメモリ（暗号化）", "hardware", "媒体", "none", "施錠保管庫", 3, 2, 1, -1, NULL },
	{ "複合機", "hardware", "周辺機器", "none", "執務室", 2, 1, 2, -1, NULL },
	{ "住民情報システム（アプリケーション）", "software", "業務システム", "none", "サーバ室", 3,
	  3, 3, 0, "0410" },
	{ "財務会計システム（アプリケーション）", "software", "業務システム", "none", "サーバ室", 2,
	  3, 2, 7, "0220" },
	{ "ウイルス対策ソフト", "software", "セキュリティ", "none", "全端末", 2, 3, 3, -1, "0122" },
	{ "表計算ソフト", "software", "事務用ソフト", "none", "全端末", 1, 1, 1, -1, "0122" },
};

static const char *const places[] = { "本庁舎1階", "本庁舎2階", "本庁舎3階",
				      "第2庁舎",   "書庫",	"サーバ室" };

static int create(const struct mm_register *r, struct mm_ctx *ctx, struct mm_in *items, size_t n,
		  struct mm_record *rec)
{
	struct mm_input in = { items, n, MM_IN_CSV };
	struct mm_ferrs errs = { .n = 0 };

	return mm_reg_create(r, ctx, &in, &errs, rec);
}

#define IN(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })

/* The two posts of 付表1 above the divisions, in 総務部, numbered after the
 * staff of the divisions and units: 副市長 (10058) and 総務部次長 (10059). */
static const struct demo_executive {
	const char *name, *title;
} executives[] = {
	{ "石川 正人", "副市長" },
	{ "森 久美子", "総務部次長" },
};

static int seed_executives(struct mm_ctx *ctx, struct mm_demo_counts *out)
{
	struct mm_record rec;
	char no[16];

	for (size_t i = 0; i < sizeof(executives) / sizeof(executives[0]); i++) {
		snprintf(no, sizeof(no), "%05zu", 10000 + out->people + 1);
		struct mm_in it[6] = {
			IN("employee_no", no),	     IN("name", executives[i].name),
			IN("section_id", "0100"),    IN("job_title", executives[i].title),
			IN("employment", "regular"), IN("employment_status", "employed")
		};
		int rc = create(&mm_reg_people, ctx, it, 6, &rec);
		if (rc)
			return rc;
		out->people++;
	}
	return MM_OK;
}

static int seed_org(struct mm_ctx *ctx, struct mm_demo_counts *out)
{
	char no[16], name[64];
	struct mm_record rec;
	unsigned seed = 7;
	int rc;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		struct mm_in it[4] = { IN("code", sections[i].code), IN("name", sections[i].name),
				       IN("kind", sections[i].kind),
				       IN("parent_id",
					  sections[i].parent ? sections[i].parent : "") };
		struct mm_value code = { true, 0, sections[i].code };
		int64_t id;

		/* The default profile (seed.c) may have made some already. */
		rc = mm_rec_find(ctx->conn, &mm_reg_sections.schema, SEC_CODE, &code, 0, &id);
		if (rc == MM_OK)
			continue;
		if (rc != MM_ENOTFOUND)
			return rc;
		rc = create(&mm_reg_sections, ctx, it, 4, &rec);
		if (rc)
			return rc;
		out->sections++;
	}
	/* Three people in every division and unit; the first is its head. */
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (strcmp(sections[i].kind, "department") == 0)
			continue;
		for (int k = 0; k < 3; k++) {
			const char *title =
				k == 0 ? (strcmp(sections[i].kind, "unit") == 0 ? "係長" : "課長")
				       : "主任";
			seed = seed * 1103515245u + 12345u;
			snprintf(no, sizeof(no), "%05zu", 10000 + out->people + 1);
			snprintf(name, sizeof(name), "%s %s", family[(seed >> 8) % 18],
				 given[(seed >> 16) % 12]);
			struct mm_in it[6] = { IN("employee_no", no),
					       IN("name", name),
					       IN("section_id", sections[i].code),
					       IN("job_title", title),
					       IN("employment",
						  k == 2 && i % 4 == 0 ? "part_time" : "regular"),
					       IN("employment_status", "employed") };
			rc = create(&mm_reg_people, ctx, it, 6, &rec);
			if (rc)
				return rc;
			out->people++;
		}
	}
	return seed_executives(ctx, out);
}

static int seed_systems(struct mm_ctx *ctx, struct mm_demo_counts *out)
{
	struct mm_record rec;

	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		/* The infrastructure administrator is a member of 情報システム係,
		 * not its head, who is the data manager named on the 係's
		 * assets (2.2). */
		char admin[16];
		snprintf(admin, sizeof(admin), "%05d", 10000 + 3 * 3 + 2);
		struct mm_in it[4] = { IN("name", systems[i].name),
				       IN("section_id", systems[i].section),
				       IN("infra_admin_id", admin),
				       IN("description", systems[i].desc) };
		int rc = create(&mm_reg_systems, ctx, it, 4, &rec);
		if (rc)
			return rc;
		out->systems++;
	}
	return MM_OK;
}

/* The employee number of the k-th person of a section (0: its head). */
static void member_of(size_t section, size_t k, char *no, size_t n)
{
	size_t offices = 0;

	for (size_t i = 0; i < section; i++)
		if (strcmp(sections[i].kind, "department") != 0)
			offices++;
	snprintf(no, n, "%05zu", 10000 + 3 * offices + k + 1);
}

/* The first person of a section (its head), by employee number. */
static void head_of(size_t section, char *no, size_t n)
{
	member_of(section, 0, no, n);
}

static size_t section_index(const char *code)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i].code, code) == 0)
			return i;
	return 0;
}

/* Picks the k-th asset to create: first every template in its own section,
 * then the everyday assets (documents, PCs…) of every division, then the
 * section-specific data again for earlier fiscal years. */
/* The index of the n-th section that is not a department. */
static size_t nth_office(size_t n)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i].kind, "department") != 0 && n-- == 0)
			return i;
	return 0;
}

/* Picks the k-th asset to create: first every template in its own section,
 * then the everyday assets (documents, PCs…) of every division and unit, then
 * the section-specific assets again for earlier fiscal years, then copies. */
static void pick_asset(size_t k, const struct demo_asset **t, size_t *si, int *year)
{
	const size_t nt = sizeof(templates) / sizeof(templates[0]);
	size_t ngeneric = 0, noffices = 0;

	*year = 0;
	if (k < nt) {
		*t = &templates[k];
		*si = section_index((*t)->section ? (*t)->section : "0120");
		return;
	}
	for (size_t i = 0; i < nt; i++)
		ngeneric += templates[i].section == NULL;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		noffices += strcmp(sections[i].kind, "department") != 0;
	k -= nt;
	if (k < ngeneric * noffices) {
		size_t which = k % ngeneric, seen = 0;
		*si = nth_office(k / ngeneric);
		for (size_t i = 0; i < nt; i++)
			if (!templates[i].section && seen++ == which)
				*t = &templates[i];
		return;
	}
	k -= ngeneric * noffices;
	{
		size_t nspecific = nt - ngeneric, which = k % nspecific, seen = 0;

		for (size_t i = 0; i < nt; i++)
			if (templates[i].section && seen++ == which)
				*t = &templates[i];
		*si = section_index((*t)->section);
		*year = 5 - (int)(k / nspecific % 5); /* 令和5年度分 back to 令和1年度分 */
		if (k / nspecific / 5)
			*year = -1; /* beyond that: numbered copies */
	}
}

/* A 極秘 asset is for the people named on it (7.1): the demo names its data
 * manager, so that each 課長 sees the section's 極秘 assets and nobody else
 * does. */
static int name_owner(struct mm_ctx *ctx, const struct mm_record *rec)
{
	struct mm_grant g = { 0,
			      "assets",
			      rec->id,
			      rec->v[AST_OWNER].i,
			      "named",
			      "demo",
			      ctx->now ? ctx->now : mm_now() };

	if (rec->v[AST_C].i < 4 || !rec->v[AST_OWNER].set)
		return MM_OK;
	return mm_grant_add(ctx->conn, &g);
}

static int seed_assets(struct mm_ctx *ctx, size_t n, struct mm_demo_counts *out)
{
	struct mm_record rec;
	unsigned seed = 11;

	for (size_t k = 0; k < n; k++) {
		const struct demo_asset *t = &templates[0];
		size_t si;
		int year;
		char name[200], c[4], i[4], a[4], owner[16], retain[16], sys[16];
		int rc;

		pick_asset(k, &t, &si, &year);
		seed = seed * 1103515245u + 12345u;
		if (year > 0)
			snprintf(name, sizeof(name), "%s（令和%d年度分）", t->name, year);
		else if (year < 0)
			snprintf(name, sizeof(name), "%s（控 %zu）", t->name, k);
		else if (!t->section && k >= sizeof(templates) / sizeof(templates[0]))
			snprintf(name, sizeof(name), "%s（%s）", t->name, sections[si].name);
		else
			snprintf(name, sizeof(name), "%s", t->name);
		/* Older and copied records rate a little lower, within range. */
		snprintf(c, sizeof(c), "%d",
			 t->c - (year != 0 && t->c > 2 && (seed >> 9) % 3 == 0));
		snprintf(i, sizeof(i), "%d", t->i);
		snprintf(a, sizeof(a), "%d", t->a - (year != 0 && t->a > 1));
		head_of(si, owner, sizeof(owner));
		snprintf(retain, sizeof(retain), "%d-03-31", 2027 + (int)((seed >> 17) % 10));
		snprintf(sys, sizeof(sys), "SYS-%06d", t->system + 1);
		struct mm_in it[15] = {
			IN("name", name),
			IN("kind", t->kind),
			IN("category", t->category),
			IN("section_id", sections[si].code),
			IN("owner_id", owner),
			IN("user_scope", t->c >= 3 ? "所管課職員" : "全職員"),
			IN("medium", t->medium),
			IN("location", places[(seed >> 11) % 6]),
			IN("personal_info", t->personal),
			IN("confidentiality", c),
			IN("integrity", i),
			IN("availability", a),
			IN("retention_until", retain),
			IN("description", "デモ用のサンプルデータです。"),
			IN("system_id", sys),
		};
		rc = create(&mm_reg_assets, ctx, it, t->system >= 0 ? 15 : 14, &rec);
		if (!rc)
			rc = name_owner(ctx, &rec);
		if (rc)
			return rc;
		if (k % 37 == 36) {
			rc = mm_reg_set_retired(&mm_reg_assets, ctx, rec.id, rec.version, true,
						&rec);
			if (rc)
				return rc;
		}
		out->assets++;
	}
	return MM_OK;
}

static int hold(struct mm_ctx *ctx, const char *person, const char *role, const char *section,
		struct mm_demo_counts *out)
{
	struct mm_record rec;
	struct mm_in it[4] = { IN("person_id", person), IN("role_id", role),
			       IN("valid_from", "2024-04-01"),
			       IN("section_id", section ? section : "") };
	int rc = create(&mm_reg_role_holders, ctx, it, section ? 4 : 3, &rec);

	out->holdings += !rc;
	return rc;
}

/* 付表1 filled in: 行政管理課長 runs the systems, each 課長 manages the data of
 * the 課, 総務課長 the facilities and documents, 行政情報係 is the
 * secretariat. The infrastructure administrators of the systems are in
 * 情報システム係, whose head is no data manager (2.2). */
static int seed_roles(struct mm_ctx *ctx, struct mm_demo_counts *out)
{
	const size_t nsec = sizeof(sections) / sizeof(sections[0]);
	char no[16];
	int rc;

	head_of(section_index("0120"), no, sizeof(no));
	rc = hold(ctx, no, "systems", NULL, out);
	head_of(section_index("0110"), no, sizeof(no));
	if (!rc)
		rc = hold(ctx, no, "facilities", NULL, out);
	if (!rc)
		rc = hold(ctx, no, "documents", NULL, out);
	for (size_t k = 0; !rc && k < 3; k++) {
		member_of(section_index("0121"), k, no, sizeof(no));
		rc = hold(ctx, no, "secretariat", NULL, out);
	}
	member_of(section_index("0110"), 2, no, sizeof(no));
	if (!rc)
		rc = hold(ctx, no, "auditor", NULL, out);
	member_of(section_index("0122"), 2, no, sizeof(no));
	if (!rc)
		rc = hold(ctx, no, "app_admin", NULL, out);
	/* The executives come after the last section's staff. */
	member_of(nsec, 0, no, sizeof(no));
	if (!rc)
		rc = hold(ctx, no, "ciso", NULL, out);
	member_of(nsec, 1, no, sizeof(no));
	if (!rc)
		rc = hold(ctx, no, "deputy", NULL, out);
	for (size_t i = 0; !rc && i < nsec; i++) {
		if (strcmp(sections[i].kind, "division") != 0)
			continue;
		head_of(i, no, sizeof(no));
		rc = hold(ctx, no, "data_manager", sections[i].code, out);
	}
	return rc;
}

/* Whether register r has any record, active or retired. */
static int has_records(const struct mm_register *r, struct mm_ctx *ctx, bool *yes)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 0, 0, NULL, NULL };
	struct mm_page page;
	int rc = mm_reg_list(r, ctx, &q, &page);

	*yes = !rc && page.total > 0;
	return rc;
}

/* Risks for the most valuable assets of each kind, rated differently per
 * kind so that the heat map has some spread. */
static int seed_risks(struct mm_ctx *ctx, struct mm_demo_counts *out)
{
	static const struct mm_risk_bulk runs[] = {
		{ "data", 0, 4, 2, 2 },
		{ "infrastructure", 0, 3, 2, 3 },
		{ "document", 0, 4, 2, 1 },
	};
	struct mm_risk_bulk_counts c;
	int rc = MM_OK;

	for (size_t i = 0; !rc && i < sizeof(runs) / sizeof(runs[0]); i++) {
		rc = mm_risk_bulk_create(ctx, &runs[i], &c);
		out->risks += c.created;
	}
	return rc;
}

int mm_demo_seed(struct mm_ctx *ctx, size_t n_assets, struct mm_demo_counts *out)
{
	bool people = false, assets = false;
	int rc = mm_tx_begin(ctx->conn, true);

	if (rc)
		return rc;
	ctx->in_tx = true;
	memset(out, 0, sizeof(*out));
	rc = has_records(&mm_reg_people, ctx, &people);
	if (!rc)
		rc = has_records(&mm_reg_assets, ctx, &assets);
	if (!rc && (people || assets))
		rc = MM_ECONFLICT;
	if (!rc)
		rc = mm_seed_profile(ctx, NULL);
	if (!rc)
		rc = seed_org(ctx, out);
	if (!rc)
		rc = seed_systems(ctx, out);
	if (!rc)
		rc = seed_assets(ctx, n_assets, out);
	if (!rc)
		rc = seed_roles(ctx, out);
	if (!rc && n_assets <= 1000)
		rc = seed_risks(ctx, out);
	ctx->in_tx = false;
	if (rc) {
		mm_tx_rollback(ctx->conn);
		return rc;
	}
	return mm_tx_commit(ctx->conn);
}
