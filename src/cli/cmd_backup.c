/* mamori backup / mamori restore: a consistent copy of the whole database
 * made while the server runs (the store's online backup), and its return.
 * Both are recorded as privileged actions: a backup carries every record. */
#include "cli/cli.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/audit.h"
#include "domain/registers.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

enum { OPT_OUT = OPT_COMMON_END, OPT_FROM };

/* Parses the options of backup (--out) and restore (--from) into *path. */
static int parse(struct mm_cli *cli, const char *verb, int argc, char **argv, const char **path)
{
	static const struct option opts[] = { MM_CLI_COMMON_OPTS,
					      { "out", required_argument, NULL, OPT_OUT },
					      { "from", required_argument, NULL, OPT_FROM },
					      { NULL, 0, NULL, 0 } };
	int want = strcmp(verb, "backup") == 0 ? OPT_OUT : OPT_FROM, c;

	*path = NULL;
	optind = 1;
	while ((c = mm_cli_getopt(cli, verb, argc, argv, opts)) != MM_CLI_OPT_DONE) {
		if (c == MM_CLI_OPT_HELP)
			return -1;
		if (c == MM_CLI_OPT_BAD)
			return 2;
		if (c != want) {
			fprintf(stderr, "(see 'mamori help %s')\n", verb);
			return 2;
		}
		*path = optarg;
	}
	if (optind < argc || !*path || !**path) {
		fprintf(stderr, "mamori %s: %s FILE is required (see 'mamori help %s')\n", verb,
			want == OPT_OUT ? "--out" : "--from", verb);
		return 2;
	}
	return 0;
}

/* Records the action, as the operator, in the database it concerns. */
static int record(struct mm_cli *cli, struct mm_conn *conn, const char *action, const char *path)
{
	struct mm_arena a;
	struct mm_ctx ctx;
	struct mm_json j;
	struct mm_buf b;
	int rc;

	mm_arena_init(&a, 0);
	mm_buf_init(&b, 8192);
	mm_cli_ctx(cli, conn, &a, &ctx);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "file");
	mm_json_str(&j, path);
	mm_json_key(&j, "privileged");
	mm_json_bool(&j, true);
	mm_json_obj_close(&j);
	rc = b.err ? MM_ENOMEM : mm_audit(&ctx, action, "database", "ok", b.data);
	mm_buf_free(&b);
	mm_arena_free(&a);
	return rc;
}

int mm_cmd_backup(struct mm_cli *cli, const char *verb, int argc, char **argv)
{
	struct mm_store *st = NULL;
	struct mm_conn *conn = NULL;
	const char *path;
	char why[512] = "";
	int rc = parse(cli, verb, argc, argv, &path);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (mm_cli_open(cli, &st, &conn))
		return 1;
	if (strcmp(verb, "backup") == 0) {
		rc = mm_store_backup(conn, path, why, sizeof(why));
		if (!rc)
			rc = record(cli, conn, "backup", path);
	} else {
		rc = mm_store_restore(conn, path, why, sizeof(why));
		/* An older copy is brought up to this version's schema. */
		if (!rc) {
			mm_store_release(st, conn);
			conn = NULL;
			rc = mm_registers_migrate(st);
		}
		if (!rc) {
			conn = mm_store_acquire(st);
			rc = conn ? record(cli, conn, "restore", path) : MM_EDB;
		}
	}
	mm_cli_close(st, conn);
	if (rc) {
		fprintf(stderr, "mamori %s: %s\n", verb, why[0] ? why : mm_strerror(rc));
		return 1;
	}
	if (strcmp(verb, "backup") == 0)
		printf("%s\n", path);
	else
		fprintf(stderr,
			"mamori restore: two-factor secrets in it open only with the sealing key "
			"of the database it was taken from: put that key where this database's "
			"is read ([security] key_file, or the .key file beside it)\n");
	return 0;
}
