/* The command-line front end: one verb per file, sharing the options every
 * command understands (--db, --config, --lang) and the configuration file. */
#ifndef MM_CLI_CLI_H
#define MM_CLI_CLI_H

#include "domain/register.h"
#include "http/http.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* Settings from the configuration file, overridden by flags. */
struct mm_cli {
	const char *prog;
	const char *config_path;
	const char *db_url;
	enum mm_lang lang;
	struct mm_http_config http;
	size_t pool_size;
	size_t cache_mb;      /* rendered-list cache; 0 turns it off */
	const char *key_file; /* sealing key of TOTP seeds; NULL: beside the database */
	const char *tls_cert_file, *tls_key_file; /* PEM files; none: plain HTTP */
	const char *value_method;
	/* [server] least privilege (server/sandbox.h) */
	const char *user; /* service user to switch to when started as root */
	bool allow_root;  /* --allow-root: serve as root when no user is named */
	bool seccomp;	  /* the system call filter; off only for debugging */
	/* [audit] */
	const char *audit_origin;     /* checkpoint origin and key name */
	int64_t audit_retention_days; /* archive entries older than this */
	const char *audit_syslog;     /* udp:HOST:PORT or unix:PATH; NULL: none */
};

/* Long options shared by every command; their ids start at this value. */
enum { OPT_DB = 1000, OPT_CONFIG, OPT_LANG, OPT_HELP, OPT_COMMON_END };

#define MM_CLI_COMMON_OPTS                                                                         \
	{ "db", required_argument, NULL, OPT_DB },                                                 \
		{ "config", required_argument, NULL, OPT_CONFIG },                                 \
		{ "lang", required_argument, NULL, OPT_LANG },                                     \
	{                                                                                          \
		"help", no_argument, NULL, OPT_HELP                                                \
	}

/* Loads the configuration file (explicit path, $MAMORI_CONFIG, or
 * /etc/mamori/mamori.conf when present) into cli. Returns 0 or prints why
 * and returns 1. Call after the command's flags are parsed so that --config
 * is known; flags then win because the command re-applies them. */
int mm_cli_load_config(struct mm_cli *cli);

/* Handles a common option; returns 1 when opt was one, 0 when not, and -1 on
 * a bad value (message printed). */
int mm_cli_common_opt(struct mm_cli *cli, int opt, const char *arg);

/* What mm_cli_getopt returns besides a command's own option. */
enum { MM_CLI_OPT_DONE = -1, MM_CLI_OPT_HELP = -2, MM_CLI_OPT_BAD = -3 };

/* The next option of command cmd (set optind first) that is its own: the
 * common options are applied here. MM_CLI_OPT_DONE when none are left,
 * MM_CLI_OPT_HELP after printing cmd's help (exit 0), MM_CLI_OPT_BAD after
 * saying what is wrong (exit 2). */
int mm_cli_getopt(struct mm_cli *cli, const char *cmd, int argc, char **argv,
		  const struct option *opts);

/* Prints the help text of command name to out; false when unknown. */
bool mm_cli_help(const char *name, FILE *out);

/* Opens the sealing key (creating it when missing) named by the settings or
 * derived from the database path. Returns 0 or prints why and returns 1. */
int mm_cli_open_key(struct mm_cli *cli);

/* Reads the TLS certificate and key named by the settings into cli->http.
 * Returns 0 (also when none are set) or prints why and returns 1. */
int mm_cli_load_tls(struct mm_cli *cli);

/* Opens the database of cli (applying migrations) and takes a connection. */
int mm_cli_open(struct mm_cli *cli, struct mm_store **st, struct mm_conn **conn);
void mm_cli_close(struct mm_store *st, struct mm_conn *conn);

/* Fills a domain context for CLI work: actor is "cli:<user>". */
void mm_cli_ctx(struct mm_cli *cli, struct mm_conn *conn, struct mm_arena *a, struct mm_ctx *ctx);

/* Prints field errors, one per line, in the context's language. */
void mm_cli_print_ferrs(const struct mm_ferrs *errs, enum mm_lang lang);

int mm_cmd_init(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_serve(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_register(struct mm_cli *cli, const struct mm_register *r, int argc, char **argv);
int mm_cmd_version(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_user(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_clock(struct mm_cli *cli, int argc, char **argv);
/* verb is "backup" or "restore". */
int mm_cmd_backup(struct mm_cli *cli, const char *verb, int argc, char **argv);
int mm_cmd_audit(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_risk(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_db(struct mm_cli *cli, int argc, char **argv);
int mm_cmd_migrate(struct mm_cli *cli, int argc, char **argv);

#endif
