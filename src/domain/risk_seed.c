/* The first edition of the threat and vulnerability catalogues, shipped
 * with mamori init: the threat types of ISO/IEC 27005 and today's common
 * threats to a city office, in our own words, Japanese with English. Each
 * vulnerability lists the threats that exploit it, so that bulk creation
 * pairs them sensibly. Editable afterwards like any other record. */
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include "core/err.h"

#include <string.h>

struct seed_threat {
	const char *code, *name, *name_en, *origin, *group, *kinds;
};

struct seed_vuln {
	const char *code, *name, *name_en, *group, *kinds, *threats;
};

static const struct seed_threat threats[] = {
	{ "T01", "火災", "Fire", "accidental", "physical", "document,infrastructure,hardware" },
	{ "T02", "水害・漏水", "Water damage and leaks", "accidental", "physical",
	  "document,infrastructure,hardware" },
	{ "T03", "機器・媒体の物理的破壊", "Physical destruction of equipment or media",
	  "deliberate", "physical", "hardware,document,infrastructure" },
	{ "T04", "ほこり・腐食・経年劣化", "Dust, corrosion and ageing", "environmental",
	  "physical", "document,hardware" },
	{ "T05", "地震", "Earthquake", "environmental", "natural",
	  "document,infrastructure,hardware" },
	{ "T06", "台風・豪雨・洪水", "Typhoon, heavy rain and flood", "environmental", "natural",
	  "document,infrastructure,hardware" },
	{ "T07", "落雷", "Lightning strike", "environmental", "natural",
	  "infrastructure,hardware" },
	{ "T08", "停電", "Power outage", "accidental", "services", "infrastructure,hardware" },
	{ "T09", "空調の停止", "Air-conditioning failure", "accidental", "services",
	  "infrastructure,hardware" },
	{ "T10", "通信回線の断絶", "Loss of communication lines", "accidental", "services",
	  "infrastructure,data,software" },
	{ "T11", "委託先・クラウドサービスの停止", "Outage of a contractor's or cloud service",
	  "accidental", "services", "data,software,infrastructure" },
	{ "T12", "電磁波・静電気による障害", "Electromagnetic interference and static",
	  "environmental", "radiation", "hardware,infrastructure" },
	{ "T13", "盗聴・通信の傍受", "Eavesdropping and interception", "deliberate", "information",
	  "data,infrastructure" },
	{ "T14", "機器・媒体・書類の盗難", "Theft of equipment, media or papers", "deliberate",
	  "information", "hardware,document,data" },
	{ "T15", "メール・FAX の誤送信", "Misdirected e-mail or fax", "accidental", "information",
	  "data,document" },
	{ "T16", "紛失・置き忘れ", "Loss or misplacement", "accidental", "information",
	  "document,hardware,data" },
	{ "T17", "のぞき見", "Shoulder surfing", "deliberate", "information", "data,document" },
	{ "T18", "廃棄した機器・書類からの漏えい", "Leakage from disposed equipment or papers",
	  "accidental", "information", "hardware,document,data" },
	{ "T19", "委託先・サプライチェーン経由の漏えい",
	  "Leakage through a contractor or the supply chain", "deliberate", "information",
	  "data,document,software" },
	{ "T20", "ハードウェアの故障", "Hardware failure", "accidental", "technical",
	  "hardware,infrastructure" },
	{ "T21", "ソフトウェアの不具合", "Software malfunction", "accidental", "technical",
	  "software,data" },
	{ "T22", "容量不足・過負荷", "Capacity exhaustion and overload", "accidental", "technical",
	  "hardware,software,infrastructure" },
	{ "T23", "製品のサポート終了", "End of vendor support", "accidental", "technical",
	  "software,hardware" },
	{ "T24", "不正アクセス", "Unauthorised access", "deliberate", "unauthorised",
	  "data,software,infrastructure" },
	{ "T25", "ランサムウェア", "Ransomware", "deliberate", "unauthorised",
	  "data,software,hardware" },
	{ "T26", "標的型攻撃", "Targeted attack", "deliberate", "unauthorised",
	  "data,software,infrastructure" },
	{ "T27", "マルウェア感染", "Malware infection", "deliberate", "unauthorised",
	  "data,software,hardware" },
	{ "T28", "内部不正（持ち出し・目的外利用）", "Insider wrongdoing (taking data out, misuse)",
	  "deliberate", "unauthorised", "data,document" },
	{ "T29", "なりすまし・ID の不正利用", "Impersonation and misuse of IDs", "deliberate",
	  "unauthorised", "data,software" },
	{ "T30", "サービス妨害攻撃（DDoS）", "Denial-of-service attack", "deliberate",
	  "unauthorised", "infrastructure,software" },
	{ "T31", "ウェブサイト・データの改ざん", "Tampering with the website or data", "deliberate",
	  "unauthorised", "data,software" },
	{ "T32", "未修正の脆弱性を突く攻撃", "Attack on unpatched vulnerabilities", "deliberate",
	  "unauthorised", "software,infrastructure,hardware" },
	{ "T33", "操作ミス・誤入力", "Operator error", "accidental", "functions",
	  "data,software,document" },
	{ "T34", "権限の誤設定・乱用", "Misconfigured or abused rights", "accidental", "functions",
	  "data,software,infrastructure" },
	{ "T35", "要員の不在・退職", "Loss of key staff", "accidental", "functions",
	  "data,software,infrastructure" },
	{ "T36", "ソフトウェアの無許諾利用", "Unlicensed use of software", "deliberate",
	  "functions", "software" },
};

static const struct seed_vuln vulns[] = {
	{ "V01", "機器が耐震固定されていない", "Equipment not anchored against earthquakes",
	  "hardware", "hardware,infrastructure", "T05" },
	{ "V02", "機器が冗長化されていない", "No redundant equipment", "hardware",
	  "hardware,infrastructure", "T20 T08 T22" },
	{ "V03", "保守・点検が行われていない", "No maintenance or inspection", "hardware",
	  "hardware,infrastructure", "T20 T04 T09" },
	{ "V04", "無停電電源装置がない・容量が足りない", "No UPS, or one too small", "hardware",
	  "hardware,infrastructure", "T08 T07" },
	{ "V05", "記録媒体が暗号化されていない", "Storage media not encrypted", "hardware",
	  "hardware,data", "T14 T16 T18" },
	{ "V06", "データを消去せずに廃棄・返却している", "Disposal or return without wiping",
	  "hardware", "hardware,document,data", "T18" },
	{ "V07", "修正プログラムが適用されていない", "Patches not applied", "software",
	  "software,infrastructure,hardware", "T32 T25 T27 T24" },
	{ "V08", "サポートが終了した製品を使っている", "Unsupported products in use", "software",
	  "software,hardware", "T23 T32" },
	{ "V09", "ウイルス対策ソフトがない・定義ファイルが古い",
	  "No anti-malware, or outdated signatures", "software", "software,hardware,data",
	  "T25 T27 T26" },
	{ "V10", "入力内容の確認が不十分", "Input not checked enough", "software", "software,data",
	  "T33 T31 T24" },
	{ "V11", "アクセスログを取得・点検していない", "Access logs not kept or not inspected",
	  "software", "software,data,infrastructure", "T28 T24 T29 T34" },
	{ "V12", "バックアップがない・復元を試していない", "No backups, or restores never tried",
	  "software", "data,software", "T25 T20 T21 T31 T05" },
	{ "V13", "通信が暗号化されていない", "Communication not encrypted", "network",
	  "data,infrastructure", "T13 T29" },
	{ "V14", "ネットワークの分離が不十分", "Networks not separated enough", "network",
	  "infrastructure,data", "T26 T25 T24" },
	{ "V15", "回線が冗長化されていない", "A single communication line", "network",
	  "infrastructure", "T10 T30" },
	{ "V16", "不要なポート・サービスが開いている", "Unneeded ports or services open", "network",
	  "infrastructure,software", "T24 T30 T32" },
	{ "V17", "職員の教育・訓練が不十分", "Staff not trained enough", "personnel",
	  "data,document,software", "T15 T26 T33 T17" },
	{ "V18", "パスワードが弱い・使い回している", "Weak or reused passwords", "personnel",
	  "data,software", "T29 T24" },
	{ "V19", "業務が特定の職員に依存している", "Work depends on one person", "personnel",
	  "data,software,infrastructure", "T35" },
	{ "V20", "守秘義務の誓約がない", "No written pledge of confidentiality", "personnel",
	  "data,document", "T28" },
	{ "V21", "送信前の確認手順がない", "No check before sending", "personnel", "data,document",
	  "T15" },
	{ "V22", "入退室の管理が不十分", "Entry to rooms not controlled enough", "site",
	  "hardware,document,infrastructure", "T14 T03 T28" },
	{ "V23", "書類・媒体を施錠保管していない", "Papers and media not locked away", "site",
	  "document,hardware", "T14 T16 T17" },
	{ "V24", "サーバ室に防火・消火設備がない", "No fire protection in the server room", "site",
	  "infrastructure,hardware", "T01" },
	{ "V25", "浸水のおそれがある場所に設置している", "Installed where water may enter", "site",
	  "infrastructure,hardware,document", "T02 T06" },
	{ "V26", "画面が来訪者から見える", "Screens visible to visitors", "site", "data,hardware",
	  "T17" },
	{ "V27", "アクセス権を定期的に見直していない", "Access rights not reviewed regularly",
	  "organisation", "data,software,infrastructure", "T34 T28 T29" },
	{ "V28", "委託先の管理・監査が不十分", "Contractors not overseen enough", "organisation",
	  "data,document,software", "T19 T11" },
	{ "V29", "手順書がない", "No written procedures", "organisation",
	  "data,software,infrastructure,document", "T33 T35" },
	{ "V30", "事故の連絡体制が決まっていない", "No route for reporting incidents",
	  "organisation", "all", "T25 T26 T24" },
	{ "V31", "持ち出しの承認・記録がない", "Take-outs neither approved nor recorded",
	  "organisation", "hardware,document,data", "T16 T14 T28" },
	{ "V32", "ライセンスを管理していない", "Licences not managed", "organisation", "software",
	  "T36" },
	{ "V33", "容量・性能を監視していない", "Capacity and performance not monitored",
	  "organisation", "hardware,software,infrastructure", "T22" },
	{ "V34", "遮へい・接地が不十分", "Poor shielding or grounding", "hardware",
	  "hardware,infrastructure", "T12 T07" },
	{ "V35", "空調を監視・冗長化していない", "Air-conditioning neither monitored nor redundant",
	  "site", "infrastructure,hardware", "T09" },
	{ "V36", "外部サービス停止時の代替手段がない", "No fallback when an external service stops",
	  "organisation", "data,software,infrastructure", "T11 T10" },
};

#define IN(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })

static int missing(const struct mm_register *r, struct mm_ctx *ctx, const char *code, bool *yes)
{
	struct mm_value v = { true, 0, code };
	int64_t id;
	int rc = mm_rec_find(ctx->conn, &r->schema, r->key_field, &v, 0, &id);

	*yes = rc == MM_ENOTFOUND;
	return rc == MM_ENOTFOUND ? MM_OK : rc;
}

static int create(const struct mm_register *r, struct mm_ctx *ctx, struct mm_in *it, size_t n)
{
	struct mm_input in = { it, n, MM_IN_CSV };
	struct mm_ferrs errs;
	struct mm_record rec;

	return mm_reg_create(r, ctx, &in, &errs, &rec);
}

int mm_risk_seed(struct mm_ctx *ctx, size_t *nthreats, size_t *nvulns)
{
	bool want;
	int rc = MM_OK;

	*nthreats = *nvulns = 0;
	for (size_t i = 0; !rc && i < sizeof(threats) / sizeof(threats[0]); i++) {
		const struct seed_threat *s = &threats[i];
		struct mm_in it[] = { IN("code", s->code),	    IN("name", s->name),
				      IN("name_en", s->name_en),    IN("origin", s->origin),
				      IN("threat_group", s->group), IN("asset_kinds", s->kinds) };

		rc = missing(&mm_reg_threats, ctx, s->code, &want);
		if (!rc && want && !(rc = create(&mm_reg_threats, ctx, it, 6)))
			(*nthreats)++;
	}
	for (size_t i = 0; !rc && i < sizeof(vulns) / sizeof(vulns[0]); i++) {
		const struct seed_vuln *s = &vulns[i];
		struct mm_in it[] = { IN("code", s->code),	   IN("name", s->name),
				      IN("name_en", s->name_en),   IN("vuln_group", s->group),
				      IN("asset_kinds", s->kinds), IN("threat_codes", s->threats) };

		rc = missing(&mm_reg_vulnerabilities, ctx, s->code, &want);
		if (!rc && want && !(rc = create(&mm_reg_vulnerabilities, ctx, it, 6)))
			(*nvulns)++;
	}
	return rc;
}
