/* The small verbs: version, init and serve. init --demo also makes the demo
 * accounts and prints how to sign in with them. */
#include "cli/cli.h"

#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/demo.h"
#include "domain/password.h"
#include "domain/registers.h"
#include "domain/seed.h"
#include "server/serve.h"
#include "store/identity.h"

#include "core/err.h"
#include "core/slice.h"

#include "mm_version.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int mm_cmd_version(struct mm_cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	printf("mamori %s\n", MM_VERSION);
	return 0;
}

/* Parses only the common options; for verbs with none of their own. */
static int common_only(struct mm_cli *cli, const char *name, int argc, char **argv,
		       const struct option *extra, size_t nextra,
		       int (*on_extra)(struct mm_cli *, int, const char *, void *), void *arg)
{
	struct option opts[16] = { MM_CLI_COMMON_OPTS };
	int c;

	for (size_t i = 0; i < nextra && 4 + i < 15; i++)
		opts[4 + i] = extra[i];
	optind = 1;
	while ((c = mm_cli_getopt(cli, name, argc, argv, opts)) != MM_CLI_OPT_DONE) {
		int r;

		if (c == MM_CLI_OPT_HELP)
			return -1;
		if (c == MM_CLI_OPT_BAD)
			return 2;
		if (!on_extra) {
			fprintf(stderr, "(see 'mamori help %s')\n", name);
			return 2;
		}
		r = on_extra(cli, c, optarg, arg);
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "mamori %s: unexpected argument '%s'\n", name, argv[optind]);
		return 2;
	}
	return 0;
}

enum {
	OPT_DEMO = OPT_COMMON_END,
	OPT_DEMO_ASSETS,
	OPT_LISTEN,
	OPT_PORT,
	OPT_THREADS,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_USER,
	OPT_ALLOW_ROOT,
	OPT_SECCOMP
};

struct init_args {
	bool demo;
	size_t assets;
};

static int init_opt(struct mm_cli *cli, int c, const char *arg, void *p)
{
	struct init_args *ia = p;
	int64_t v;

	(void)cli;
	if (c == OPT_DEMO) {
		ia->demo = true;
		return 0;
	}
	if (c == OPT_DEMO_ASSETS && mm_slice_to_i64(mm_slice_cstr(arg), &v) && v >= 0 &&
	    v <= 10000000) {
		ia->demo = true;
		ia->assets = (size_t)v;
		return 0;
	}
	fprintf(stderr, "mamori init: --demo-assets takes 0..10000000\n");
	return 2;
}

/* ---- Demo accounts ---- */

/* One account per kind of user, on the demo people who hold the roles
 * (demo.c). 10007 and 10029 stay without: the tests give those two people
 * accounts of their own. */
static const struct demo_account {
	const char *login, *person;
} demo_accounts[] = {
	{ "jimukyoku", "10008" },      /* 事務局 (行政情報係) */
	{ "kacho.shimin", "10028" },   /* 市民課長, the data manager of 市民課 */
	{ "shokuin.shimin", "10030" }, /* a member of staff of 市民課 */
	{ "kansanin", "10003" },       /* 監査人 */
	{ "admin", "10012" },	       /* アプリケーション管理者 */
	{ "sysadmin", "10004" },       /* 情報システム管理責任者 */
	{ "tokatsu", "10059" },	       /* 情報管理統括責任者 */
	{ "saiko", "10058" },	       /* 情報管理最高責任者 */
};

enum {
	NDEMO = sizeof(demo_accounts) / sizeof(demo_accounts[0]),
	DEMO_PW = 20,	  /* "demo-" and three groups of four, and the NUL */
	DEMO_SECRET = 40, /* a 160-bit seed in base32: 32 letters */
};

/* What the table at the end of init --demo shows of one account. */
struct demo_login {
	char password[DEMO_PW];
	char secret[DEMO_SECRET]; /* "" when the account has no TOTP */
	struct mm_totp_codes codes;
	const char *roles, *person; /* from the arena */
};

/* A new random password that passes the policy: "demo-" and three groups of
 * four letters and digits (about 59 bits), leaving out those that look
 * alike (i, l, o, 0, 1). */
static void demo_password(char out[DEMO_PW])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	size_t k = 4;

	memcpy(out, "demo", 4);
	for (int g = 0; g < 3; g++) {
		out[k++] = '-';
		for (int i = 0; i < 4; i++)
			out[k++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	}
	out[k] = '\0';
}

/* The names of the roles p holds, from the roles register, joined by "・",
 * with a data manager's sections in brackets. 職員, which everyone holds,
 * is left out when there are others. Returns "" when out of memory. */
static const char *role_names(struct mm_ctx *ctx, const struct mm_principal *p)
{
	struct mm_buf b;
	const char *out;

	mm_buf_init(&b, 4096);
	for (int r = 0; r < MM_ROLE_COUNT; r++) {
		const char *code = mm_role_codes[r];
		struct mm_record rec;
		int64_t id;

		if (!mm_has_role(p, (enum mm_role)r) ||
		    (r == MM_ROLE_STAFF && p->roles != 1u << MM_ROLE_STAFF))
			continue;
		if (b.len)
			mm_buf_adds(&b, "・");
		if (mm_reg_resolve(&mm_reg_roles, ctx, code, strlen(code), &id) == MM_OK &&
		    mm_reg_get(&mm_reg_roles, ctx, id, &rec) == MM_OK && rec.v[ROLE_NAME].set)
			code = rec.v[ROLE_NAME].s;
		mm_buf_adds(&b, code);
		for (size_t i = 0; r == MM_ROLE_DATA_MANAGER && i < p->nmanaged; i++) {
			if (mm_reg_get(&mm_reg_sections, ctx, p->managed[i], &rec) != MM_OK)
				continue;
			mm_buf_printf(&b, "%s%s", i ? "・" : "（", rec.v[SEC_NAME].s);
			if (i + 1 == p->nmanaged)
				mm_buf_adds(&b, "）");
		}
	}
	out = b.err ? "" : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : "";
}

/* "name（section title）" of a person. */
static const char *person_text(struct mm_ctx *ctx, int64_t id)
{
	struct mm_record p, s;
	char buf[512];

	if (mm_reg_get(&mm_reg_people, ctx, id, &p) != MM_OK)
		return "";
	snprintf(buf, sizeof(buf), "%s（%s%s%s）", p.v[PER_NAME].s,
		 mm_reg_get(&mm_reg_sections, ctx, p.v[PER_SECTION].i, &s) == MM_OK
			 ? s.v[SEC_NAME].s
			 : "",
		 p.v[PER_TITLE].set ? " " : "", p.v[PER_TITLE].set ? p.v[PER_TITLE].s : "");
	return mm_arena_strndup(ctx->a, buf, strlen(buf));
}

/* Enrols TOTP for account id as its owner would on the account page:
 * starts, computes the current code from the stored seed and confirms it.
 * The seed in base32 (for an authenticator app or oathtool) goes to
 * out->secret and the recovery codes to out->codes. */
static int demo_totp(struct mm_ctx *ctx, int64_t id, struct demo_login *out)
{
	char code[MM_TOTP_DIGITS + 1] = "";
	struct mm_totp_secret sec;
	struct mm_account acct;
	struct mm_buf uri;
	const char *s = NULL;
	size_t n = 0;
	int rc;

	memset(&sec, 0, sizeof(sec));
	mm_buf_init(&uri, 1024);
	rc = mm_account_totp_start(ctx, id, &uri);
	if (!rc)
		rc = mm_account_get(ctx->conn, id, ctx->a, &acct);
	if (!rc)
		rc = mm_totp_unseal(acct.totp_secret, &sec);
	if (!rc)
		rc = mm_totp_code(sec.seed, sizeof(sec.seed), ctx->now, MM_TOTP_DIGITS, code);
	if (!rc)
		rc = mm_account_totp_confirm(ctx, id, code, &out->codes);
	if (!rc && (s = strstr(uri.data, "secret=")) != NULL)
		n = strcspn(s += 7, "&");
	if (!rc && (!s || n == 0 || n >= sizeof(out->secret)))
		rc = MM_EINVAL;
	if (!rc) {
		memcpy(out->secret, s, n);
		out->secret[n] = '\0';
	}
	sodium_memzero(uri.data, uri.len);
	mm_buf_free(&uri);
	mm_totp_wipe(&sec);
	sodium_memzero(code, sizeof(code));
	return rc;
}

/* Creates the account d with a new password; enrols TOTP when its roles
 * require it. */
static int demo_account(struct mm_ctx *ctx, const struct demo_account *d, struct demo_login *out)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_principal p;
	int64_t person = 0, id = 0;
	int rc;

	demo_password(out->password);
	rc = mm_reg_resolve(&mm_reg_people, ctx, d->person, strlen(d->person), &person);
	if (!rc)
		rc = mm_account_create(ctx, d->login, person, out->password, &errs, &id);
	if (rc == MM_EVALIDATE)
		mm_cli_print_ferrs(&errs, ctx->lang);
	if (!rc)
		rc = mm_principal_load(ctx, id, &p);
	if (rc)
		return rc;
	out->roles = role_names(ctx, &p);
	out->person = person_text(ctx, person);
	if (mm_auth_settings.require_totp_for_privileged && mm_auth_privileged(&p))
		rc = demo_totp(ctx, id, out);
	return rc;
}

/* Creates every demo account in one transaction, recorded as a privileged
 * action of the CLI like "user add". */
static int demo_accounts_seed(struct mm_ctx *ctx, struct demo_login *out)
{
	int rc;

	if (!mm_sodium_ready())
		return MM_EIO;
	rc = mm_tx_begin(ctx->conn, true);
	if (rc)
		return rc;
	ctx->in_tx = true;
	for (size_t i = 0; !rc && i < NDEMO; i++)
		rc = demo_account(ctx, &demo_accounts[i], &out[i]);
	if (!rc)
		rc = mm_audit(ctx, "user_add", "accounts", "ok",
			      "{\"privileged\":true,\"via\":\"cli\",\"demo\":true}");
	ctx->in_tx = false;
	if (rc) {
		mm_tx_rollback(ctx->conn);
		return rc;
	}
	return mm_tx_commit(ctx->conn);
}

static void print_demo_logins(enum mm_lang lang, const struct demo_login *v)
{
	printf("\n%s\n%s\n",
	       MM_L(lang, "デモ用アカウント（パスワードは init --demo のたびに新しく作られます）",
		    "Demo accounts (init --demo makes new passwords every time)"),
	       MM_L(lang, "  ログイン名       パスワード           役割",
		    "  login            password             roles"));
	for (size_t i = 0; i < NDEMO; i++)
		printf("  %-16s %-20s %s — %s%s\n", demo_accounts[i].login, v[i].password,
		       v[i].roles, v[i].person, v[i].secret[0] ? "  [TOTP]" : "");
	printf("\n%s\n",
	       MM_L(lang,
		    "[TOTP] のアカウントは、パスワードの次に 6 桁の確認コードを求められます。\n"
		    "認証アプリに秘密鍵を登録するか（oathtool --totp -b 秘密鍵 でも可）、\n"
		    "回復コードを入力してください（回復コードは 1 つにつき 1 回だけ使えます）。",
		    "[TOTP] accounts ask for a 6-digit code after the password: add the secret to\n"
		    "an authenticator app (or run oathtool --totp -b SECRET), or enter a recovery\n"
		    "code (each works once)."));
	for (size_t i = 0; i < NDEMO; i++) {
		const struct mm_totp_codes *c = &v[i].codes;

		if (!v[i].secret[0])
			continue;
		printf("  %-16s %s %s\n", demo_accounts[i].login, MM_L(lang, "秘密鍵", "secret"),
		       v[i].secret);
		for (int k = 0; k < MM_TOTP_RECOVERY_CODES; k += 5)
			printf("  %-16s %s %s %s %s %s %s\n", "",
			       MM_L(lang, "回復コード", "recovery"), c->code[k], c->code[k + 1],
			       c->code[k + 2], c->code[k + 3], c->code[k + 4]);
	}
}

/* Loads the demo data and makes the demo accounts; prints what was made. */
static int init_demo(struct mm_cli *cli, struct mm_conn *conn, size_t assets)
{
	struct demo_login logins[NDEMO];
	struct mm_demo_counts n = { 0 };
	struct mm_arena a;
	struct mm_ctx ctx;
	int rc;

	mm_arena_init(&a, 0);
	mm_cli_ctx(cli, conn, &a, &ctx);
	rc = mm_demo_seed(&ctx, assets, &n);
	if (rc) {
		fprintf(stderr, "mamori init: demo data failed: %s\n", mm_strerror(rc));
		goto out;
	}
	printf("demo data: %zu sections, %zu people, %zu systems, %zu assets, %zu role "
	       "holders\n",
	       n.sections, n.people, n.systems, n.assets, n.holdings);
	memset(logins, 0, sizeof(logins));
	ctx.now = (int64_t)time(NULL);
	rc = demo_accounts_seed(&ctx, logins);
	if (rc)
		fprintf(stderr, "mamori init: demo accounts failed: %s\n", mm_strerror(rc));
	else
		print_demo_logins(cli->lang, logins);
	sodium_memzero(logins, sizeof(logins));
out:
	mm_arena_free(&a);
	return rc;
}

int mm_cmd_init(struct mm_cli *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "demo-assets", required_argument, NULL, OPT_DEMO_ASSETS },
	};
	struct mm_store *st;
	struct mm_conn *conn;
	struct mm_arena a;
	struct mm_ctx ctx;
	struct mm_seed_counts sc;
	struct init_args ia = { false, 200 };
	int rc = common_only(cli, "init", argc, argv, extra, 2, init_opt, &ia);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (mm_cli_open(cli, &st, &conn))
		return 1;
	mm_arena_init(&a, 0);
	mm_cli_ctx(cli, conn, &a, &ctx);
	rc = mm_seed_profile(&ctx, &sc);
	mm_arena_free(&a);
	if (rc) {
		fprintf(stderr, "mamori init: default profile failed: %s\n", mm_strerror(rc));
		mm_cli_close(st, conn);
		return 1;
	}
	if (sc.roles || sc.sections)
		printf("default profile: %zu roles, %zu sections\n", sc.roles, sc.sections);
	if (ia.demo && init_demo(cli, conn, ia.assets)) {
		mm_cli_close(st, conn);
		return 1;
	}
	mm_cli_close(st, conn);
	printf("database ready: %s\n", cli->db_url);
	return 0;
}

static int serve_opt(struct mm_cli *cli, int c, const char *arg, void *p)
{
	int64_t v;

	(void)p;
	if (c == OPT_LISTEN) {
		cli->http.bind = arg;
		return 0;
	}
	if (c == OPT_TLS_CERT || c == OPT_TLS_KEY) {
		*(c == OPT_TLS_CERT ? &cli->tls_cert_file : &cli->tls_key_file) = arg;
		return 0;
	}
	if (c == OPT_USER) {
		cli->user = arg;
		return 0;
	}
	if (c == OPT_ALLOW_ROOT) {
		cli->allow_root = true;
		return 0;
	}
	if (c == OPT_SECCOMP) {
		if (strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0) {
			fprintf(stderr, "mamori serve: --seccomp must be on or off\n");
			return 2;
		}
		cli->seccomp = strcmp(arg, "on") == 0;
		return 0;
	}
	if (!mm_slice_to_i64(mm_slice_cstr(arg), &v)) {
		fprintf(stderr, "mamori serve: not a number: %s\n", arg);
		return 2;
	}
	if (c == OPT_PORT && v >= 0 && v <= 65535) {
		cli->http.port = (uint16_t)v;
		return 0;
	}
	if (c == OPT_THREADS && v >= 2 && v <= 64) {
		cli->http.threads = (unsigned)v;
		return 0;
	}
	fprintf(stderr, "mamori serve: value out of range: %s\n", arg);
	return 2;
}

int mm_cmd_serve(struct mm_cli *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
		{ "user", required_argument, NULL, OPT_USER },
		{ "allow-root", no_argument, NULL, OPT_ALLOW_ROOT },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	};
	struct mm_serve_opts o;
	int rc = common_only(cli, "serve", argc, argv, extra, 8, serve_opt, NULL);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (mm_cli_open_key(cli) || mm_cli_load_tls(cli))
		return 1;
	o.db_url = cli->db_url;
	o.http = cli->http;
	o.pool_size = cli->pool_size;
	o.lang = cli->lang;
	o.cache_mb = cli->cache_mb;
	o.user = cli->user;
	o.allow_root = cli->allow_root;
	o.seccomp = cli->seccomp;
	return mm_serve(&o);
}
