/* Configuration: defaults, the INI file (read with inih), and the options
 * every command shares. */
#include "cli/cli.h"

#include "core/clock.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/auth.h"
#include "domain/inspect.h"
#include "domain/registers.h"
#include "domain/risk.h"
#include "domain/seal.h"

#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char default_config[] = "/etc/mamori/mamori.conf";

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	int64_t v;

	if (!mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(s)), &v) || v < 0 || (uint64_t)v > max)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* Keeps a copy of an INI value; the configuration lives as long as the
 * process. */
static const char *keep(const char *v)
{
	return strdup(v);
}

/* [auth]: sign-in and session settings (see domain/auth.h). */
static int auth_setting(const char *name, const char *value)
{
	struct mm_auth_settings *s = &mm_auth_settings;
	uint64_t n;

	if (strcmp(name, "require_totp_for_privileged") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return 0;
		s->require_totp_for_privileged = strcmp(value, "yes") == 0;
		return 1;
	}
	if (!parse_uint(value, 10000000, &n) || n == 0)
		return 0;
	if (strcmp(name, "idle_timeout_minutes") == 0)
		s->idle_timeout = (int64_t)n * 60;
	else if (strcmp(name, "absolute_timeout_hours") == 0)
		s->absolute_timeout = (int64_t)n * 3600;
	else if (strcmp(name, "max_failures") == 0)
		s->max_failures = (int)n;
	else if (strcmp(name, "signin_attempts_per_ip") == 0)
		s->ip_limit = (int)n;
	else
		return 0;
	return mm_auth_settings_check(s) == MM_OK;
}

/* [risk]: the method, bands, threshold and acceptance role of risk
 * assessment, and the organisation named on its printed reports
 * (see domain/risk.h). */
static int risk_setting(const char *name, const char *value)
{
	struct mm_risk_settings *s = &mm_risk_settings;
	uint64_t n;

	if (strcmp(name, "method") == 0)
		return mm_risk_method_parse(value, &s->method) == MM_OK;
	if (strcmp(name, "bands") == 0)
		return mm_risk_bands_parse(value, s) == MM_OK;
	if (strcmp(name, "accept_at") == 0) {
		if (!parse_uint(value, 90, &n) || n == 0)
			return 0;
		s->accept_at = (int64_t)n;
		return 1;
	}
	if (strcmp(name, "organisation") == 0) {
		s->organisation = keep(value);
		return s->organisation != NULL;
	}
	if (strcmp(name, "acceptance_role") == 0)
		return mm_risk_acceptance_role_set(value) == MM_OK;
	return 0;
}

/* [clock]: the clock check of 7.7 (see core/clock.h). */
static int clock_setting(const char *name, const char *value)
{
	struct mm_clock_settings s = mm_clock_settings;
	uint64_t n;

	if (strcmp(name, "ntp_server") == 0) {
		s.ntp_server = *value ? keep(value) : NULL;
	} else if (strcmp(name, "require_kernel_sync") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return 0;
		s.require_kernel_sync = strcmp(value, "yes") == 0;
	} else if (strcmp(name, "max_offset_ms") == 0 && parse_uint(value, 86400000, &n)) {
		s.max_offset_ms = (int64_t)n;
	} else if (strcmp(name, "check_every_s") == 0 && parse_uint(value, 86400, &n)) {
		s.check_every_s = (int)n;
	} else {
		return 0;
	}
	if (mm_clock_settings_check(&s) != MM_OK)
		return 0;
	mm_clock_settings = s;
	return 1;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct mm_cli *cli = user;
	uint64_t n;

	if (strcmp(section, "database") == 0 && strcmp(name, "url") == 0) {
		cli->db_url = keep(value);
	} else if (strcmp(section, "server") == 0 && strcmp(name, "listen") == 0) {
		cli->http.bind = keep(value);
	} else if (strcmp(section, "server") == 0 && strcmp(name, "port") == 0) {
		if (!parse_uint(value, 65535, &n))
			return 0;
		cli->http.port = (uint16_t)n;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "threads") == 0) {
		if (!parse_uint(value, 64, &n) || n < 2)
			return 0;
		cli->http.threads = (unsigned)n;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "max_connections") == 0) {
		if (!parse_uint(value, 100000, &n) || n == 0)
			return 0;
		cli->http.conn_limit = (unsigned)n;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "max_connections_per_ip") == 0) {
		if (!parse_uint(value, 100000, &n) || n == 0)
			return 0;
		cli->http.per_ip_limit = (unsigned)n;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "timeout") == 0) {
		if (!parse_uint(value, 3600, &n) || n == 0)
			return 0;
		cli->http.timeout = (unsigned)n;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "max_body_mb") == 0) {
		if (!parse_uint(value, 1024, &n) || n == 0)
			return 0;
		cli->http.body_cap = (size_t)n << 20;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "cache_mb") == 0) {
		if (!parse_uint(value, 1024, &n))
			return 0;
		cli->cache_mb = (size_t)n;
	} else if (strcmp(section, "assets") == 0 && strcmp(name, "value_method") == 0) {
		enum mm_value_method m;
		if (mm_value_method_parse(value, &m))
			return 0;
		mm_asset_value_method = m;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "tls_cert") == 0) {
		cli->tls_cert_file = keep(value);
	} else if (strcmp(section, "server") == 0 && strcmp(name, "tls_key") == 0) {
		cli->tls_key_file = keep(value);
	} else if (strcmp(section, "server") == 0 && strcmp(name, "trusted_proxy") == 0) {
		cli->http.trusted_proxy = keep(value);
	} else if (strcmp(section, "server") == 0 && strcmp(name, "user") == 0) {
		cli->user = *value ? keep(value) : NULL;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "seccomp") == 0) {
		if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
			return 0;
		cli->seccomp = strcmp(value, "on") == 0;
	} else if (strcmp(section, "security") == 0 && strcmp(name, "key_file") == 0) {
		cli->key_file = keep(value);
	} else if (strcmp(section, "audit") == 0 && mm_inspect_setting(name, value)) {
		return 1;
	} else if (strcmp(section, "auth") == 0) {
		return auth_setting(name, value);
	} else if (strcmp(section, "clock") == 0) {
		return clock_setting(name, value);
	} else if (strcmp(section, "audit") == 0 && strcmp(name, "origin") == 0) {
		cli->audit_origin = keep(value);
	} else if (strcmp(section, "audit") == 0 && strcmp(name, "retention_days") == 0) {
		if (!parse_uint(value, 36500, &n) || n < 1)
			return 0;
		cli->audit_retention_days = (int64_t)n;
	} else if (strcmp(section, "audit") == 0 && strcmp(name, "syslog") == 0) {
		cli->audit_syslog = keep(value);
	} else if (strcmp(section, "risk") == 0) {
		return risk_setting(name, value);
	} else if (strcmp(section, "ui") == 0 && strcmp(name, "lang") == 0) {
		if (strcmp(value, "ja") != 0 && strcmp(value, "en") != 0)
			return 0;
		cli->lang = strcmp(value, "en") == 0 ? MM_EN : MM_JA;
	} else {
		return 0;
	}
	return 1;
}

int mm_cli_load_config(struct mm_cli *cli)
{
	const char *path = cli->config_path;
	int line;

	mm_http_defaults(&cli->http);
	cli->db_url = "mamori.db";
	cli->pool_size = 8;
	cli->cache_mb = 32;
	cli->seccomp = true;
	if (!path)
		path = getenv("MAMORI_CONFIG");
	if (!path && access(default_config, R_OK) == 0)
		path = default_config;
	if (!path)
		return 0;
	line = ini_parse(path, on_ini, cli);
	if (line < 0) {
		fprintf(stderr, "mamori: cannot read configuration file %s\n", path);
		return 1;
	}
	if (line > 0) {
		fprintf(stderr, "mamori: %s:%d: unknown setting or bad value\n", path, line);
		return 1;
	}
	return 0;
}

int mm_cli_getopt(struct mm_cli *cli, const char *cmd, int argc, char **argv,
		  const struct option *opts)
{
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int r = mm_cli_common_opt(cli, c, optarg);

		if (r < 0)
			return MM_CLI_OPT_BAD;
		if (r > 0)
			continue;
		if (c == OPT_HELP) {
			mm_cli_help(cmd, stdout);
			return MM_CLI_OPT_HELP;
		}
		if (c == '?') {
			fprintf(stderr, "(see 'mamori help %s')\n", cmd);
			return MM_CLI_OPT_BAD;
		}
		return c;
	}
	return MM_CLI_OPT_DONE;
}

int mm_cli_common_opt(struct mm_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case OPT_DB:
		cli->db_url = arg;
		return 1;
	case OPT_CONFIG:
		return 1; /* read before the command ran */
	case OPT_LANG:
		if (strcmp(arg, "ja") != 0 && strcmp(arg, "en") != 0) {
			fprintf(stderr, "mamori: --lang must be ja or en\n");
			return -1;
		}
		cli->lang = strcmp(arg, "en") == 0 ? MM_EN : MM_JA;
		return 1;
	default:
		return 0;
	}
}

/* Reads a whole PEM file into memory (kept for the life of the process). */
static char *read_pem(const char *path)
{
	struct mm_buf b;
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	mm_buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mm_buf_add(&b, chunk, n);
	fclose(f);
	return mm_buf_detach(&b, NULL);
}

int mm_cli_load_tls(struct mm_cli *cli)
{
	if (!cli->tls_cert_file && !cli->tls_key_file)
		return 0;
	if (!cli->tls_cert_file || !cli->tls_key_file) {
		fprintf(stderr, "mamori: TLS needs both a certificate and a key\n");
		return 1;
	}
	cli->http.tls_cert = read_pem(cli->tls_cert_file);
	cli->http.tls_key = read_pem(cli->tls_key_file);
	if (!cli->http.tls_cert || !cli->http.tls_key) {
		fprintf(stderr, "mamori: cannot read %s\n",
			cli->http.tls_cert ? cli->tls_key_file : cli->tls_cert_file);
		return 1;
	}
	return 0;
}

int mm_cli_open_key(struct mm_cli *cli)
{
	const char *db = cli->db_url;
	char path[4096];
	int rc;
	const char *file = cli->key_file ? cli->key_file : getenv("MAMORI_KEY_FILE");

	if (strncmp(db, "sqlite://", 9) == 0)
		db += 9;
	else if (strncmp(db, "sqlite:", 7) == 0)
		db += 7;
	if (file && *file) {
		rc = snprintf(path, sizeof(path), "%s", file) < (int)sizeof(path) ? MM_OK
										  : MM_ETOOBIG;
	} else if (strstr(db, "://")) {
		/* A database on a server has no file to put the key beside. */
		fprintf(stderr, "mamori: %s\n",
			MM_L(cli->lang,
			     "サーバ上のデータベースには [security] key_file（二要素認証の秘密を"
			     "封印する鍵のファイル）の指定が必要です",
			     "a database on a server needs [security] key_file (the key that "
			     "seals two-factor secrets)"));
		return 1;
	} else {
		rc = mm_seal_key_path(db, path, sizeof(path));
	}
	if (!rc)
		rc = mm_seal_open_key(path, true);
	if (rc) {
		fprintf(stderr, "mamori: cannot open the key file %s: %s%s\n", path,
			mm_strerror(rc),
			rc == MM_EPERM ? " (it must be readable by its owner only: chmod 600)"
				       : "");
		return 1;
	}
	return 0;
}

int mm_cli_open(struct mm_cli *cli, struct mm_store **st, struct mm_conn **conn)
{
	char why[256] = "";
	int rc;

	if (mm_cli_open_key(cli))
		return 1;
	rc = mm_store_open(cli->db_url, 1, st, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori: cannot open database %s: %s\n", cli->db_url,
			why[0] ? why : mm_strerror(rc));
		return 1;
	}
	rc = mm_registers_migrate(*st);
	if (rc) {
		fprintf(stderr, "mamori: database schema update failed: %s\n", mm_strerror(rc));
		mm_store_close(*st);
		return 1;
	}
	*conn = mm_store_acquire(*st);
	if (!*conn) {
		fprintf(stderr, "mamori: cannot connect to database %s\n", cli->db_url);
		mm_store_close(*st);
		return 1;
	}
	return 0;
}

void mm_cli_close(struct mm_store *st, struct mm_conn *conn)
{
	if (conn)
		mm_store_release(st, conn);
	mm_store_close(st);
}

void mm_cli_ctx(struct mm_cli *cli, struct mm_conn *conn, struct mm_arena *a, struct mm_ctx *ctx)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *user = pw ? pw->pw_name : "unknown";
	char *actor = mm_arena_alloc(a, strlen(user) + 5);

	memset(ctx, 0, sizeof(*ctx));
	ctx->conn = conn;
	ctx->a = a;
	ctx->lang = cli->lang;
	if (actor)
		snprintf(actor, strlen(user) + 5, "cli:%s", user);
	ctx->actor = actor ? actor : "cli";
}

void mm_cli_print_ferrs(const struct mm_ferrs *errs, enum mm_lang lang)
{
	for (size_t i = 0; i < errs->n; i++) {
		struct mm_buf m;

		mm_buf_init(&m, 4096);
		mm_msg_format(&m, lang, errs->e[i].msg, errs->e[i].label, errs->e[i].min,
			      errs->e[i].max);
		fprintf(stderr, "  %s: %s\n", errs->e[i].field, m.data);
		mm_buf_free(&m);
	}
}
