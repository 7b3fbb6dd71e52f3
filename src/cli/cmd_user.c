/* Accounts from the command line: the operating-system administrator of the
 * server bootstraps the first accounts and roles here without the approval
 * the web UI requires; every such action is recorded as privileged. */
#include "cli/cli.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/registers.h"
#include "store/identity.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_LOGIN = OPT_COMMON_END,
	OPT_PERSON,
	OPT_NAME,
	OPT_SECTION,
	OPT_ROLE,
	OPT_PW_STDIN,
	OPT_LABEL,
	OPT_DAYS,
	OPT_ID,
};

enum { MAX_ROLES = 16 };

struct user_args {
	const char *login, *person, *name, *section, *label;
	const char *roles[MAX_ROLES];
	size_t nroles;
	bool pw_stdin;
	int64_t days, id;
};

static int parse(struct mm_cli *cli, int argc, char **argv, struct user_args *ua)
{
	static const struct option opts[] = {
		MM_CLI_COMMON_OPTS,
		{ "login", required_argument, NULL, OPT_LOGIN },
		{ "person", required_argument, NULL, OPT_PERSON },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "section", required_argument, NULL, OPT_SECTION },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "password-stdin", no_argument, NULL, OPT_PW_STDIN },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "id", required_argument, NULL, OPT_ID },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 2;
	while ((c = mm_cli_getopt(cli, argv[0], argc, argv, opts)) != MM_CLI_OPT_DONE) {
		switch (c) {
		case MM_CLI_OPT_BAD:
			return 2;
		case MM_CLI_OPT_HELP:
			return -1;
		case OPT_LOGIN:
			ua->login = optarg;
			break;
		case OPT_PERSON:
			ua->person = optarg;
			break;
		case OPT_NAME:
			ua->name = optarg;
			break;
		case OPT_SECTION:
			ua->section = optarg;
			break;
		case OPT_ROLE:
			if (ua->nroles == MAX_ROLES)
				return 2;
			ua->roles[ua->nroles++] = optarg;
			break;
		case OPT_PW_STDIN:
			ua->pw_stdin = true;
			break;
		case OPT_LABEL:
			ua->label = optarg;
			break;
		case OPT_DAYS:
		case OPT_ID: {
			int64_t v;
			if (!mm_slice_to_i64(mm_slice_cstr(optarg), &v) || v <= 0) {
				fprintf(stderr, "mamori: --%s takes a positive number\n",
					c == OPT_DAYS ? "days" : "id");
				return 2;
			}
			*(c == OPT_DAYS ? &ua->days : &ua->id) = v;
			break;
		}
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mamori: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* Reads a password from standard input: the first line, without its end. */
static int read_password(char *buf, size_t n)
{
	size_t len;

	if (!fgets(buf, (int)n, stdin)) {
		fprintf(stderr, "mamori: no password on standard input\n");
		return 1;
	}
	len = strlen(buf);
	if (len && buf[len - 1] != '\n' && !feof(stdin)) {
		fprintf(stderr, "mamori: the password is too long\n");
		return 1;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return 0;
}

/* Finds the person by id or employee number, or creates one from --name and
 * --section. */
static int find_or_make_person(struct mm_ctx *ctx, const struct user_args *ua, int64_t *id)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_record rec;
	int rc;

	if (ua->person) {
		rc = mm_reg_resolve(&mm_reg_people, ctx, ua->person, strlen(ua->person), id);
		if (rc && mm_slice_to_i64(mm_slice_cstr(ua->person), id) &&
		    mm_reg_get(&mm_reg_people, ctx, *id, &rec) == MM_OK)
			rc = MM_OK;
		if (rc)
			fprintf(stderr, "mamori: no such person: %s\n", ua->person);
		return rc;
	}
	struct mm_in items[] = {
		{ "name", MM_IN_STR, ua->name, strlen(ua->name), 0 },
		{ "section_id", MM_IN_STR, ua->section, strlen(ua->section), 0 },
		{ "employment", MM_IN_STR, "regular", 7, 0 },
		{ "employment_status", MM_IN_STR, "employed", 8, 0 },
	};
	struct mm_input in = { items, 4, MM_IN_CSV };

	rc = mm_reg_create(&mm_reg_people, ctx, &in, &errs, &rec);
	if (rc == MM_EVALIDATE)
		mm_cli_print_ferrs(&errs, ctx->lang);
	if (!rc)
		*id = rec.id;
	return rc;
}

/* Gives the person a role (by code or name); section-scoped roles apply to
 * --section, or else to the person's own section. */
static int grant_role(struct mm_ctx *ctx, int64_t person, const char *role, const char *section)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_record p, r, rec;
	int64_t role_id;
	char pid[24], rid[24], sid[24];
	int rc = mm_reg_resolve(&mm_reg_roles, ctx, role, strlen(role), &role_id);

	if (rc) {
		fprintf(stderr, "mamori: no such role: %s\n", role);
		return rc;
	}
	rc = mm_reg_get(&mm_reg_roles, ctx, role_id, &r);
	if (!rc)
		rc = mm_reg_get(&mm_reg_people, ctx, person, &p);
	if (rc)
		return rc;
	snprintf(pid, sizeof(pid), "%lld", (long long)person);
	snprintf(rid, sizeof(rid), "%lld", (long long)role_id);
	snprintf(sid, sizeof(sid), "%lld", (long long)p.v[PER_SECTION].i);
	bool scoped = r.v[ROLE_SCOPE].set && strcmp(r.v[ROLE_SCOPE].s, "section") == 0;
	struct mm_in items[] = {
		{ "person_id", MM_IN_STR, pid, strlen(pid), 0 },
		{ "role_id", MM_IN_STR, rid, strlen(rid), 0 },
		{ "section_id", MM_IN_STR, section ? section : sid, strlen(section ? section : sid),
		  0 },
	};
	struct mm_input in = { items, scoped ? 3 : 2, MM_IN_FORM };

	if (section && scoped) {
		in.mode = MM_IN_CSV; /* the section by code or name */
		items[0].s = p.v[PER_NO].s;
		items[0].len = strlen(p.v[PER_NO].s);
		items[1].s = r.v[ROLE_CODE].s;
		items[1].len = strlen(r.v[ROLE_CODE].s);
	}
	rc = mm_reg_create(&mm_reg_role_holders, ctx, &in, &errs, &rec);
	if (rc == MM_EVALIDATE)
		mm_cli_print_ferrs(&errs, ctx->lang);
	return rc;
}

static int user_add(struct mm_cli *cli, struct mm_ctx *ctx, const struct user_args *ua)
{
	struct mm_ferrs errs = { .n = 0 };
	char pw[1100] = "";
	int64_t person = 0, account = 0;
	int rc;

	if (!ua->login || (!ua->person && (!ua->name || !ua->section))) {
		fprintf(stderr, "mamori user add: --login and either --person or --name with "
				"--section are needed\n");
		return MM_EINVAL;
	}
	if (ua->pw_stdin && read_password(pw, sizeof(pw)))
		return MM_EINVAL;
	rc = mm_tx_begin(ctx->conn, true);
	if (rc)
		return rc;
	ctx->in_tx = true;
	rc = find_or_make_person(ctx, ua, &person);
	if (!rc) {
		rc = mm_account_create(ctx, ua->login, person, ua->pw_stdin ? pw : NULL, &errs,
				       &account);
		if (rc == MM_EVALIDATE)
			mm_cli_print_ferrs(&errs, cli->lang);
	}
	for (size_t i = 0; !rc && i < ua->nroles; i++)
		rc = grant_role(ctx, person, ua->roles[i], ua->section);
	if (!rc)
		rc = mm_audit(ctx, "user_add", "accounts", "ok",
			      "{\"privileged\":true,\"via\":\"cli\"}");
	ctx->in_tx = false;
	sodium_memzero(pw, sizeof(pw));
	if (rc) {
		mm_tx_rollback(ctx->conn);
		return rc;
	}
	rc = mm_tx_commit(ctx->conn);
	if (!rc)
		printf("account %lld (%s) for person %lld\n", (long long)account, ua->login,
		       (long long)person);
	return rc;
}

static int account_of(struct mm_ctx *ctx, const char *login, struct mm_account *acct)
{
	int rc;

	if (!login) {
		fprintf(stderr, "mamori: --login is needed\n");
		return MM_EINVAL;
	}
	rc = mm_account_by_login(ctx->conn, login, ctx->a, acct);
	if (rc == MM_ENOTFOUND)
		fprintf(stderr, "mamori: no account %s\n", login);
	return rc;
}

static int user_list(struct mm_ctx *ctx)
{
	struct mm_account *v;
	size_t n;
	int rc = mm_account_list(ctx->conn, ctx->a, &v, &n);

	for (size_t i = 0; !rc && i < n; i++)
		printf("%lld\t%s\t%s\t%s\t%s\n", (long long)v[i].id, v[i].login,
		       mm_reg_display(&mm_reg_people, ctx, v[i].person_id),
		       v[i].disabled ? "disabled" : "enabled", v[i].totp_enabled ? "totp" : "-");
	return rc;
}

static int user_cmd(struct mm_cli *cli, struct mm_ctx *ctx, const char *verb,
		    const struct user_args *ua)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_account acct;
	char pw[1100] = "";
	int rc;

	if (strcmp(verb, "add") == 0)
		return user_add(cli, ctx, ua);
	if (strcmp(verb, "list") == 0)
		return user_list(ctx);
	rc = account_of(ctx, ua->login, &acct);
	if (rc)
		return rc;
	if (strcmp(verb, "disable") == 0)
		return mm_account_disable(ctx, acct.id);
	if (strcmp(verb, "enable") == 0)
		return mm_account_enable(ctx, acct.id);
	if (strcmp(verb, "password") == 0) {
		if (read_password(pw, sizeof(pw)))
			return MM_EINVAL;
		rc = mm_account_set_password(ctx, acct.id, pw, NULL, &errs);
		sodium_memzero(pw, sizeof(pw));
		if (rc == MM_EVALIDATE)
			mm_cli_print_ferrs(&errs, cli->lang);
		return rc;
	}
	fprintf(stderr, "mamori user: unknown verb '%s' (see 'mamori help user')\n", verb);
	return MM_EINVAL;
}

static int token_cmd(struct mm_ctx *ctx, const char *verb, const struct user_args *ua)
{
	char token[MM_AUTH_API_TOKEN_SIZE];
	struct mm_account acct;
	int64_t id = 0, now = ctx->now ? ctx->now : (int64_t)time(NULL);
	int rc = account_of(ctx, ua->login, &acct);

	if (rc)
		return rc;
	if (strcmp(verb, "create") == 0) {
		rc = mm_auth_token_create(ctx, acct.id, ua->label,
					  ua->days ? now + ua->days * 86400 : 0, token, &id);
		if (!rc)
			printf("token %lld for %s (shown once; keep it secret):\n%s\n",
			       (long long)id, acct.login, token);
		sodium_memzero(token, sizeof(token));
		return rc;
	}
	if (strcmp(verb, "revoke") == 0 && ua->id)
		return mm_auth_token_revoke(ctx, acct.id, ua->id);
	fprintf(stderr, "mamori token: use 'create --login L' or 'revoke --login L --id N'\n");
	return MM_EINVAL;
}

int mm_cmd_user(struct mm_cli *cli, int argc, char **argv)
{
	struct user_args ua = { 0 };
	struct mm_store *st = NULL;
	struct mm_conn *conn = NULL;
	struct mm_arena a;
	struct mm_ctx ctx;
	const char *verb = argc > 1 ? argv[1] : NULL;
	int rc;

	if (!verb || verb[0] == '-') {
		mm_cli_help(argv[0], verb ? stdout : stderr);
		return verb && strcmp(verb, "--help") == 0 ? 0 : 2;
	}
	rc = parse(cli, argc, argv, &ua);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (mm_cli_open(cli, &st, &conn))
		return 1;
	mm_arena_init(&a, 0);
	mm_cli_ctx(cli, conn, &a, &ctx);
	rc = strcmp(argv[0], "token") == 0 ? token_cmd(&ctx, verb, &ua)
					   : user_cmd(cli, &ctx, verb, &ua);
	if (rc && rc != MM_EVALIDATE && rc != MM_EINVAL && rc != MM_ENOTFOUND)
		fprintf(stderr, "mamori: %s\n", mm_strerror(rc));
	mm_arena_free(&a);
	mm_cli_close(st, conn);
	return rc ? 1 : 0;
}
