/* mamori: one program, many verbs. main decides exit codes and prints; the
 * layers below never do. */
#include "cli/cli.h"

#include "domain/registers.h"
#include "domain/risk_regs.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct register_verb {
	const char *name;
	const struct mm_register *reg;
};

static const struct register_verb register_verbs[] = {
	{ "asset", &mm_reg_assets },
	{ "system", &mm_reg_systems },
	{ "section", &mm_reg_sections },
	{ "person", &mm_reg_people },
	{ "role", &mm_reg_roles },
	{ "role_holder", &mm_reg_role_holders },
	{ "threat", &mm_reg_threats },
	{ "vulnerability", &mm_reg_vulnerabilities },
	{ "risk_assessment", &mm_reg_risk_assessments },
};

/* Finds --config PATH or --config=PATH before any command parses flags, so
 * the file is read first and flags override it. */
static const char *prescan_config(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--config=", 9) == 0)
			return argv[i] + 9;
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct mm_cli cli = { .prog = "mamori" };
	const char *cmd;

	/* Databases, key files and exports are for the service account only. */
	umask(027);
	if (argc < 2) {
		mm_cli_help(NULL, stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		mm_cli_help(NULL, stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		if (!mm_cli_help(argc > 2 ? argv[2] : NULL, stdout)) {
			fprintf(stderr, "mamori: no such command: %s\n", argv[2]);
			return 2;
		}
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
		return mm_cmd_version(&cli, argc - 1, argv + 1);
	cli.config_path = prescan_config(argc, argv);
	if (mm_cli_load_config(&cli))
		return 1;
	if (strcmp(cmd, "init") == 0)
		return mm_cmd_init(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "serve") == 0)
		return mm_cmd_serve(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0)
		return mm_cmd_backup(&cli, cmd, argc - 1, argv + 1);
	if (strcmp(cmd, "db") == 0)
		return mm_cmd_db(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "migrate") == 0)
		return mm_cmd_migrate(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "clock") == 0)
		return mm_cmd_clock(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "audit") == 0)
		return mm_cmd_audit(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "risk") == 0)
		return mm_cmd_risk(&cli, argc - 1, argv + 1);
	if (strcmp(cmd, "user") == 0 || strcmp(cmd, "token") == 0)
		return mm_cmd_user(&cli, argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(register_verbs) / sizeof(register_verbs[0]); i++)
		if (strcmp(cmd, register_verbs[i].name) == 0)
			return mm_cmd_register(&cli, register_verbs[i].reg, argc - 1, argv + 1);
	fprintf(stderr, "mamori: unknown command '%s' (try 'mamori help')\n", cmd);
	return 2;
}
