/* mamori db copy and mamori migrate: moving a whole database to another
 * (SQLite to PostgreSQL when one machine is outgrown, and back) and bringing
 * a database to this program's schema without adding any data, which is
 * what a copy's destination needs. */
#include "cli/cli.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/audit.h"
#include "domain/registers.h"
#include "store/copy.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_FROM = OPT_COMMON_END, OPT_TO };

/* The file of a SQLite URL (sqlite:PATH, sqlite://PATH or a plain path), or
 * NULL for a URL of another scheme. */
static const char *file_of(const char *url)
{
	if (strncmp(url, "sqlite://", 9) == 0)
		return url + 9;
	if (strncmp(url, "sqlite:", 7) == 0)
		return url + 7;
	return strstr(url, "://") ? NULL : url;
}

/* Whether the two URLs name one database: the same file, or the same text
 * for URLs of a server. Two different texts may still name one server
 * database; the copy then refuses it as not empty (store/copy.h). */
static bool same_database(const char *a, const char *b)
{
	const char *fa = file_of(a), *fb = file_of(b);
	struct stat sa, sb;

	if (!fa || !fb)
		return strcmp(a, b) == 0;
	if (stat(fa, &sa) != 0 || stat(fb, &sb) != 0)
		return strcmp(fa, fb) == 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Copies url into out with any password replaced by "***": a URL's
 * user:password@ and a password=... parameter. */
static void redact(const char *url, char *out, size_t n)
{
	const char *scheme = strstr(url, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	struct mm_buf b;

	mm_buf_init(&b, n > 0 ? n - 1 : 0);
	if (at && (!slash || at < slash) && colon && colon < at) {
		mm_buf_add(&b, url, (size_t)(colon - url));
		mm_buf_adds(&b, ":***");
		url = at;
	}
	for (const char *p; (p = strstr(url, "password=")) != NULL;) {
		mm_buf_add(&b, url, (size_t)(p - url));
		mm_buf_adds(&b, "password=***");
		url = p + strlen("password=");
		url += strcspn(url, "&");
	}
	mm_buf_adds(&b, url);
	snprintf(out, n, "%s", b.err ? "(URL too long)" : b.data ? b.data : "");
	mm_buf_free(&b);
}

static void register_schemas(const struct mm_schema **out)
{
	for (size_t i = 0; i < mm_nregisters; i++)
		out[i] = &mm_registers[i]->schema;
}

/* Opens url with one connection and, when migrate, brings it to the
 * current schema. */
static int open_db(struct mm_cli *cli, const char *verb, const char *url, bool migrate,
		   struct mm_store **st)
{
	char why[256] = "", shown[512];
	int rc = mm_store_open(url, 1, st, why, sizeof(why));

	redact(url, shown, sizeof(shown));
	if (rc) {
		fprintf(stderr, "mamori %s: %s %s: %s\n", verb,
			MM_L(cli->lang, "データベースを開けません / cannot open database",
			     "cannot open database"),
			shown, why[0] ? why : mm_strerror(rc));
		return 1;
	}
	if (!migrate)
		return 0;
	rc = mm_registers_migrate(*st);
	if (rc) {
		fprintf(stderr, "mamori %s: %s %s: %s\n", verb,
			MM_L(cli->lang, "スキーマを更新できません / schema update failed",
			     "schema update failed"),
			shown, mm_strerror(rc));
		mm_store_close(*st);
		*st = NULL;
		return 1;
	}
	return 0;
}

int mm_cmd_migrate(struct mm_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { MM_CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	struct mm_store *st = NULL;
	struct mm_conn *c;
	int64_t version = 0;
	int rc;

	optind = 1;
	while ((rc = mm_cli_getopt(cli, "migrate", argc, argv, opts)) != MM_CLI_OPT_DONE) {
		if (rc == MM_CLI_OPT_HELP)
			return 0;
		fprintf(stderr, "(see 'mamori help migrate')\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "mamori migrate: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (open_db(cli, "migrate", cli->db_url, true, &st))
		return 1;
	c = mm_store_acquire(st);
	rc = c ? mm_store_version(c, &version) : MM_EDB;
	mm_store_release(st, c);
	mm_store_close(st);
	if (rc) {
		fprintf(stderr, "mamori migrate: %s\n", mm_strerror(rc));
		return 1;
	}
	printf("%s %lld\n", MM_L(cli->lang, "スキーマのバージョン", "schema version"),
	       (long long)version);
	return 0;
}

/* The per-table counts of a copy, printed once it is committed. */
struct counts {
	const char *table[64];
	int64_t rows[64];
	size_t n;
};

static void on_table(void *arg, const char *table, int64_t rows)
{
	struct counts *k = arg;

	if (k->n < sizeof(k->table) / sizeof(k->table[0])) {
		k->table[k->n] = table;
		k->rows[k->n++] = rows;
	}
}

/* Says why a copy was refused or failed, Japanese first. */
static void explain(struct mm_cli *cli, int rc, const struct mm_copy_outcome *o)
{
	enum mm_lang l = cli->lang;

	fputs("mamori db copy: ", stderr);
	switch (o->refused) {
	case MM_COPY_NOT_EMPTY:
		fprintf(stderr,
			MM_L(l,
			     "コピー先が空ではありません（%s "
			     "にデータがあります）。何も変更していません。"
			     "新しい空のデータベースを指定してください\n",
			     "the destination is not empty (%s holds rows); nothing was changed. "
			     "Name a new, empty database\n"),
			o->table);
		return;
	case MM_COPY_VERSIONS:
		fprintf(stderr,
			MM_L(l,
			     "スキーマのバージョンが異なります（コピー元 %lld、コピー先 %lld）。"
			     "何も変更していません。先に mamori migrate --db でコピー元を更新して"
			     "ください\n",
			     "the schema versions differ (source %lld, destination %lld); nothing "
			     "was changed. Bring the source up to date first with mamori "
			     "migrate --db\n"),
			(long long)o->src_version, (long long)o->dst_version);
		return;
	case MM_COPY_NO_SOURCE:
		fputs(MM_L(l,
			   "コピー元は mamori のデータベースではありません。何も変更していません\n",
			   "the source is not a mamori database; nothing was changed\n"),
		      stderr);
		return;
	case MM_COPY_COLUMNS:
		fprintf(stderr,
			MM_L(l, "コピー先の %s に列 %s がありません。何も変更していません\n",
			     "the destination's %s has no column %s; nothing was changed\n"),
			o->table, o->column);
		return;
	case MM_COPY_DONE:
		break;
	}
	fprintf(stderr,
		MM_L(l, "コピーに失敗しました。コピー先は変更していません (%s%s%s)\n",
		     "the copy failed; the destination was not changed (%s%s%s)\n"),
		o->table ? o->table : "", o->table ? ": " : "",
		o->why[0] ? o->why : mm_strerror(rc));
}

/* Records the copy, as the operator, in the destination's audit log: its
 * first entry after the source's. */
static int record(struct mm_cli *cli, struct mm_store *dst, const char *from, int64_t rows)
{
	struct mm_conn *c = mm_store_acquire(dst);
	struct mm_arena a;
	struct mm_ctx ctx;
	struct mm_json j;
	struct mm_buf b;
	int rc;

	if (!c)
		return MM_EDB;
	mm_arena_init(&a, 0);
	mm_buf_init(&b, 8192);
	mm_cli_ctx(cli, c, &a, &ctx);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "from");
	mm_json_str(&j, from);
	mm_json_key(&j, "rows");
	mm_json_int(&j, rows);
	mm_json_key(&j, "privileged");
	mm_json_bool(&j, true);
	mm_json_obj_close(&j);
	rc = b.err ? MM_ENOMEM : mm_audit(&ctx, "db_copy", "database", "ok", b.data);
	mm_buf_free(&b);
	mm_arena_free(&a);
	mm_store_release(dst, c);
	return rc;
}

static int parse_copy(struct mm_cli *cli, int argc, char **argv, const char **from, const char **to)
{
	static const struct option opts[] = { MM_CLI_COMMON_OPTS,
					      { "from", required_argument, NULL, OPT_FROM },
					      { "to", required_argument, NULL, OPT_TO },
					      { NULL, 0, NULL, 0 } };
	int c;

	*from = *to = NULL;
	optind = 1;
	while ((c = mm_cli_getopt(cli, "db", argc, argv, opts)) != MM_CLI_OPT_DONE) {
		if (c == MM_CLI_OPT_HELP)
			return -1;
		if (c == MM_CLI_OPT_BAD)
			return 2;
		*(c == OPT_FROM ? from : to) = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "mamori db copy: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!*from || !**from || !*to || !**to) {
		fprintf(stderr, "mamori db copy: %s (see 'mamori help db')\n",
			MM_L(cli->lang, "--from URL と --to URL が必要です",
			     "--from URL and --to URL are required"));
		return 2;
	}
	return 0;
}

/* Refusals that need no database opened: one database named twice, a
 * source file that does not exist (opening it would create it). */
static int precheck(struct mm_cli *cli, const char *from, const char *to)
{
	const char *file = file_of(from);
	struct stat sb;

	if (same_database(from, to)) {
		fprintf(stderr, "mamori db copy: %s\n",
			MM_L(cli->lang,
			     "コピー元とコピー先が同じデータベースです。何も変更していません",
			     "the source and the destination are the same database; nothing was "
			     "changed"));
		return 1;
	}
	if (file && stat(file, &sb) != 0) {
		fprintf(stderr, "mamori db copy: %s: %s\n",
			MM_L(cli->lang, "コピー元のファイルがありません", "no such source file"),
			file);
		return 1;
	}
	return 0;
}

static int db_copy(struct mm_cli *cli, int argc, char **argv)
{
	const struct mm_schema *schemas[64];
	struct mm_store *src = NULL, *dst = NULL;
	struct mm_copy_outcome o;
	struct counts k = { .n = 0 };
	const char *from, *to;
	char shown[512];
	int64_t total = 0;
	int rc = parse_copy(cli, argc, argv, &from, &to);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (precheck(cli, from, to))
		return 1;
	if (mm_nregisters > sizeof(schemas) / sizeof(schemas[0]))
		return 1;
	register_schemas(schemas);
	/* The source is only read: not migrated, so that an older one is
	 * refused rather than changed. */
	redact(from, shown, sizeof(shown));
	rc = mm_store_open(from, 1, &src, o.why, sizeof(o.why));
	if (rc) {
		fprintf(stderr, "mamori db copy: %s %s: %s\n",
			MM_L(cli->lang, "コピー元を開けません", "cannot open the source"), shown,
			o.why[0] ? o.why : mm_strerror(rc));
		return 1;
	}
	/* mm_store_copy migrates the destination once it is found empty;
	 * the indexes of the access rule follow after the copy. */
	if (open_db(cli, "db copy", to, false, &dst)) {
		mm_store_close(src);
		return 1;
	}
	rc = mm_store_copy(src, dst, schemas, mm_nregisters, on_table, &k, &o);
	if (rc) {
		explain(cli, rc, &o);
		goto out;
	}
	if (mm_registers_migrate(dst))
		fprintf(stderr, "mamori db copy: %s\n",
			MM_L(cli->lang,
			     "コピー先の索引を作れませんでした（mamori migrate で再試行）",
			     "the destination's indexes could not be made (mamori migrate "
			     "tries again)"));
	for (size_t i = 0; i < k.n; i++) {
		printf("%s\t%lld\n", k.table[i], (long long)k.rows[i]);
		total += k.rows[i];
	}
	if (record(cli, dst, shown, total))
		fprintf(stderr, "mamori db copy: %s\n",
			MM_L(cli->lang, "コピーを監査ログに記録できませんでした",
			     "the copy could not be recorded in the audit log"));
	fprintf(stderr, "mamori db copy: %s\n",
		MM_L(cli->lang,
		     "コピーしました。二要素認証の秘密鍵はコピー元の封印鍵でのみ開けます。"
		     "その鍵をコピー先が読む場所（[security] key_file、または SQLite では"
		     "データベースの隣の .key）に置いてください",
		     "copied. Two-factor secrets open only with the sealing key of the source: "
		     "put that key where the destination's is read ([security] key_file, or "
		     "for SQLite the .key file beside the database)"));
out:
	mm_store_close(src);
	mm_store_close(dst);
	return rc ? 1 : 0;
}

int mm_cmd_db(struct mm_cli *cli, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		mm_cli_help("db", argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "copy") == 0)
		return db_copy(cli, argc - 1, argv + 1);
	fprintf(stderr, "mamori db: unknown verb '%s' (see 'mamori help db')\n", argv[1]);
	return 2;
}
