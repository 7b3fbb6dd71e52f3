/* Generates the scale benchmark's dataset (bench/scale.sh): the demo
 * organisation grown to SECTIONS sections (係 under the demo's 課) and PEOPLE
 * people, ASSETS assets spread over them with a created history entry each,
 * and audit entries up to AUDIT in all. Works on any database URL mamori
 * takes (SQLite or PostgreSQL); the database must be new.
 *
 * Usage: mamori-bench-scale --db URL [--assets N] [--sections N]
 *        [--people N] [--audit N]
 *
 * Records are written through the store, not the register engine: their
 * values are valid by construction, and the engine's per-record checks
 * would make a million records take half an hour. The audit entries are
 * appended through the chained log, so 'mamori audit verify' checks them. */
#include "core/arena.h"
#include "core/err.h"
#include "domain/demo.h"
#include "domain/register.h"
#include "domain/registers.h"
#include "store/auditlog.h"
#include "store/store.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 10000 };

struct opts {
	const char *db;
	long long assets, sections, people, audit;
};

/* What the generator knows of the organisation: every section's id and the
 * people of each. */
struct org {
	int64_t *sections; /* ids */
	size_t nsections;
	int64_t *first_person; /* per section: id of its first person, 0 none */
	int64_t *npeople;      /* per section */
};

static void die(const char *what, int rc)
{
	fprintf(stderr, "mamori-bench-scale: %s: %s\n", what, mm_strerror(rc));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small deterministic generator, so two runs make the same dataset. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Formats into the arena. */
__attribute__((format(printf, 2, 3))) static char *fmt(struct mm_arena *a, const char *f, ...)
{
	char tmp[256];
	va_list ap;
	size_t len;
	char *p;

	va_start(ap, f);
	len = (size_t)vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	p = mm_arena_alloc(a, len + 1);
	if (!p)
		die("arena", MM_ENOMEM);
	memcpy(p, tmp, len);
	p[len] = '\0';
	return p;
}

static struct mm_value txt(const char *s)
{
	return (struct mm_value){ .set = true, .s = s };
}

static struct mm_value num(int64_t i)
{
	return (struct mm_value){ .set = true, .i = i };
}

/* Inserts rec into reg with its "create" history entry. */
static void put(struct mm_conn *c, const struct mm_register *reg, struct mm_record *rec,
		const char *changes)
{
	static const char at[] = "2026-04-01T00:00:00Z";
	struct mm_hist h;
	int rc;

	rec->version = 1;
	rec->created_at = rec->updated_at = at;
	rec->updated_by = "bench:scale";
	rc = mm_rec_insert(c, &reg->schema, rec);
	if (rc)
		die(reg->schema.name, rc);
	h = (struct mm_hist){ rec->id, 1, at, "bench:scale", "create", changes };
	rc = mm_hist_add(c, &reg->schema, &h);
	if (rc)
		die("history", rc);
}

/* Commits every BATCH rows so no transaction grows without bound. */
static void batch(struct mm_conn *c, long long k, struct mm_arena *a)
{
	int rc;

	if (k % BATCH != BATCH - 1)
		return;
	rc = mm_tx_commit(c);
	if (!rc)
		rc = mm_tx_begin(c, true);
	if (rc)
		die("commit", rc);
	mm_arena_free(a);
	mm_arena_init(a, 0);
}

/* Reads the ids of the demo's divisions (課), under which units go. */
static size_t divisions(struct mm_conn *c, struct mm_arena *a, int64_t *out, size_t cap)
{
	const struct mm_schema *s = &mm_reg_sections.schema;
	struct mm_filter f = { SEC_KIND, MM_OP_EQ, txt("division") };
	struct mm_query q = { .filters = &f, .nfilters = 1, .sort = MM_SORT_ID, .limit = cap };
	struct mm_page p;
	int rc = mm_rec_list(c, s, &q, a, &p);

	if (rc)
		die("divisions", rc);
	for (size_t i = 0; i < p.n; i++)
		out[i] = p.recs[i].id;
	return p.n;
}

static void grow_sections(struct mm_conn *c, struct mm_arena *a, const struct opts *o,
			  struct org *org)
{
	const struct mm_schema *s = &mm_reg_sections.schema;
	int64_t divs[64];
	size_t ndiv = divisions(c, a, divs, 64);
	struct mm_page all;
	struct mm_query q = { .sort = MM_SORT_ID, .limit = 1000, .status = MM_ANY_STATUS };
	int rc = mm_rec_list(c, s, &q, a, &all);

	if (rc || ndiv == 0)
		die("sections", rc ? rc : MM_ENOTFOUND);
	org->nsections = (size_t)o->sections > all.n ? (size_t)o->sections : all.n;
	org->sections = calloc(org->nsections, sizeof(int64_t));
	org->first_person = calloc(org->nsections, sizeof(int64_t));
	org->npeople = calloc(org->nsections, sizeof(int64_t));
	if (!org->sections || !org->first_person || !org->npeople)
		die("sections", MM_ENOMEM);
	for (size_t i = 0; i < all.n; i++)
		org->sections[i] = all.recs[i].id;
	for (size_t i = all.n; i < org->nsections; i++) {
		struct mm_value v[SEC_NFIELDS] = {
			[SEC_CODE] = txt(fmt(a, "U%05zu", i)),
			[SEC_NAME] = txt(fmt(a, "第%zu係", i)),
			[SEC_KIND] = txt("unit"),
			[SEC_PARENT] = num(divs[i % ndiv]),
		};
		struct mm_record rec = { .v = v };
		put(c, &mm_reg_sections, &rec, "{\"kind\":[null,\"unit\"]}");
		org->sections[i] = rec.id;
		batch(c, (long long)i, a);
	}
}

static const char *const family[] = { "佐藤", "鈴木", "高橋", "田中", "伊藤",
				      "渡辺", "山本", "中村", "小林", "加藤" };
static const char *const given[] = { "太郎", "花子", "健一", "美咲", "直樹",
				     "陽子", "大輔", "恵",   "翔太", "由美" };

/* People are added section by section, so each section's are consecutive
 * ids: the owner of an asset is then its section's first + k. */
static void grow_people(struct mm_conn *c, struct mm_arena *a, const struct opts *o,
			struct org *org)
{
	long long per = o->people / (long long)org->nsections, k = 0;

	if (per < 1)
		per = 1;
	for (size_t si = 0; si < org->nsections; si++) {
		for (long long j = 0; j < per; j++, k++) {
			struct mm_value v[PER_NFIELDS] = {
				[PER_NO] = txt(fmt(a, "2%06lld", k)),
				[PER_NAME] =
					txt(fmt(a, "%s %s", family[k % 10], given[(k / 10) % 10])),
				[PER_SECTION] = num(org->sections[si]),
				[PER_TITLE] = txt(j == 0 ? "係長" : "主事"),
				[PER_EMPLOYMENT] = txt(k % 9 == 8 ? "part_time" : "regular"),
				[PER_STATUS] = txt("employed"),
			};
			struct mm_record rec = { .v = v };
			put(c, &mm_reg_people, &rec, "{\"employment\":[null,\"regular\"]}");
			if (j == 0)
				org->first_person[si] = rec.id;
			org->npeople[si]++;
			batch(c, k, a);
		}
	}
}

static const struct asset_kind {
	const char *kind, *noun, *category, *medium;
} kinds[] = {
	{ "data", "台帳データ", "住民記録", "業務システムDB" },
	{ "document", "申請書綴り", "窓口業務", "紙（施錠書庫）" },
	{ "infrastructure", "庁内ネットワーク機器", "基盤", "サーバ室ラック" },
	{ "hardware", "業務用端末", "端末", "執務室" },
	{ "software", "業務アプリケーション", "業務システム", "全端末" },
};
static const char *const personal[] = { "none", "personal", "sensitive", "my_number" };
static const char *const places[] = { "本庁舎1階", "本庁舎2階", "本庁舎3階",
				      "第2庁舎",   "書庫",	"サーバ室" };

static void grow_assets(struct mm_conn *c, struct mm_arena *a, const struct opts *o,
			const struct org *org)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;

	for (long long k = 0; k < o->assets; k++) {
		uint64_t r = rnd(&seed);
		size_t si = (size_t)(r % org->nsections);
		const struct asset_kind *t = &kinds[(r >> 20) % 5];
		int conf = 1 + (int)((r >> 24) % 100 < 30) + (int)((r >> 24) % 100 < 70) +
			   (int)((r >> 24) % 100 >= 97);
		int integ = 1 + (int)((r >> 32) % 3), avail = 1 + (int)((r >> 36) % 3);
		int value = conf > integ ? conf : integ;
		value = value > avail ? value : avail;
		struct mm_value v[AST_NFIELDS] = {
			[AST_CODE] = txt(fmt(a, "A-%07lld", k + 1)),
			/* Names differ by year and number, as real ledgers' do. */
			[AST_NAME] = txt(fmt(a, "%s（令和%d年度分）第%lld号", t->noun,
					     1 + (int)((r >> 52) % 8), k + 1)),
			[AST_KIND] = txt(t->kind),
			[AST_CATEGORY] = txt(t->category),
			[AST_DESC] = txt(fmt(a, "規模試験用の資産 %lld 件目", k + 1)),
			[AST_SECTION] = num(org->sections[si]),
			[AST_USERS] = txt(conf >= 3 ? "所管課職員" : "全職員"),
			[AST_MEDIUM] = txt(t->medium),
			[AST_LOCATION] = txt(places[(r >> 40) % 6]),
			[AST_PERSONAL] = txt(personal[(r >> 44) % 4]),
			[AST_C] = num(conf),
			[AST_I] = num(integ),
			[AST_A] = num(avail),
			[AST_VALUE] = num(value),
			[AST_RETENTION] =
				txt(fmt(a, "%lld-03-31", 2027 + (long long)((r >> 48) % 10))),
		};
		if (org->npeople[si])
			v[AST_OWNER] = num(org->first_person[si] +
					   (int64_t)((r >> 56) % 3 % (uint64_t)org->npeople[si]));
		struct mm_record rec = { .v = v };
		put(c, &mm_reg_assets, &rec, "{\"kind\":[null,\"data\"]}");
		if (k % 37 == 36) { /* about 3% retired, as in the demo */
			rec.version = 2;
			rec.retired = true;
			int rc = mm_rec_update(c, &mm_reg_assets.schema, &rec, 1);
			if (rc)
				die("retire", rc);
		}
		batch(c, k, a);
	}
}

static const char *const actions[] = { "record_read", "record_update", "signin", "record_read",
				       "export",      "record_read",   "signin", "record_create" };

/* Appends audit entries until the log holds o->audit, spread evenly over the
 * year before now and never going back in time. */
static void fill_audit(struct mm_conn *c, struct mm_arena *a, const struct opts *o)
{
	uint8_t chain[MM_HASH_LEN];
	int64_t have = 0, now = (int64_t)time(NULL), start = now - 365 * 86400;
	uint64_t seed = 0x2545f4914f6cdd1du;
	int rc = mm_alog_head(c, &have, chain);

	if (rc)
		die("audit head", rc);
	rc = mm_tx_begin(c, true);
	for (long long k = have; !rc && k < o->audit; k++) {
		uint64_t r = rnd(&seed);
		const char *action = actions[r % 8];
		struct mm_audit_event e = {
			.at = start + (int64_t)((double)(k - have) * 365.0 * 86400.0 /
						(double)(o->audit - have + 1)),
			.account_id = 20 + (int64_t)((r >> 8) % 500),
			.person_id = 100 + (int64_t)((r >> 8) % 500),
			.actor = fmt(a, "user%03d", (int)((r >> 8) % 500)),
			.ip = fmt(a, "10.1.%d.%d", (int)((r >> 20) % 32), (int)((r >> 28) % 250)),
			.request_id = fmt(a, "%016llx", (unsigned long long)r),
			.action = action,
			.object = strcmp(action, "signin") == 0
					  ? "accounts"
					  : fmt(a, "assets/%lld",
						1 + (long long)((r >> 32) %
								(uint64_t)(o->assets + 1))),
			.result = (r >> 60) == 0 ? "refused" : "ok",
			.details = "{\"register\":\"assets\"}",
		};
		rc = mm_audit_insert(c, &e);
		if (!rc && k % (BATCH * 10) == BATCH * 10 - 1) {
			rc = mm_tx_commit(c);
			if (!rc)
				rc = mm_tx_begin(c, true);
			mm_arena_free(a);
			mm_arena_init(a, 0);
		}
	}
	if (!rc)
		rc = mm_tx_commit(c);
	if (rc)
		die("audit", rc);
}

static long long count_arg(const char *name, const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);

	if (*end || n < 0 || n > 100000000) {
		fprintf(stderr, "mamori-bench-scale: --%s takes 0..100000000\n", name);
		exit(2);
	}
	return n;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "assets", required_argument, NULL, 'a' },
		{ "sections", required_argument, NULL, 's' },
		{ "people", required_argument, NULL, 'p' },
		{ "audit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*o = (struct opts){ NULL, 1000000, 3000, 50000, 10000000 };
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'a':
			o->assets = count_arg("assets", optarg);
			break;
		case 's':
			o->sections = count_arg("sections", optarg);
			break;
		case 'p':
			o->people = count_arg("people", optarg);
			break;
		case 'l':
			o->audit = count_arg("audit", optarg);
			break;
		default:
			exit(2);
		}
	}
	if (!o->db || optind != argc) {
		fprintf(stderr, "usage: mamori-bench-scale --db URL [--assets N] [--sections N] "
				"[--people N] [--audit N]\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct mm_demo_counts counts;
	struct org org = { 0 };
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	struct mm_ctx ctx;
	struct opts o;
	char why[256];
	double t0 = now_s();
	int rc;

	parse(argc, argv, &o);
	rc = mm_store_open(o.db, 1, &st, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori-bench-scale: %s: %s\n", o.db, why);
		return 1;
	}
	rc = mm_registers_migrate(st);
	if (rc)
		die("migrate", rc);
	c = mm_store_acquire(st);
	if (!c)
		die("connect", MM_EDB);
	mm_arena_init(&a, 0);
	ctx = (struct mm_ctx){ .conn = c, .a = &a, .actor = "bench:scale", .lang = MM_JA };
	rc = mm_demo_seed(&ctx, 0, &counts);
	if (rc == MM_ECONFLICT) {
		fprintf(stderr, "mamori-bench-scale: %s is not a new database\n", o.db);
		return 1;
	}
	if (rc)
		die("demo organisation", rc);
	rc = mm_tx_begin(c, true);
	if (rc)
		die("begin", rc);
	grow_sections(c, &a, &o, &org);
	printf("sections: %zu (%.0f s)\n", org.nsections, now_s() - t0);
	grow_people(c, &a, &o, &org);
	printf("people: +%lld (%.0f s)\n", o.people, now_s() - t0);
	grow_assets(c, &a, &o, &org);
	rc = mm_tx_commit(c);
	if (rc)
		die("commit", rc);
	printf("assets: %lld (%.0f s)\n", o.assets, now_s() - t0);
	fill_audit(c, &a, &o);
	printf("audit entries: %lld (%.0f s)\n", o.audit, now_s() - t0);
	mm_arena_free(&a);
	mm_store_release(st, c);
	mm_store_close(st);
	free(org.sections);
	free(org.first_person);
	free(org.npeople);
	return 0;
}
