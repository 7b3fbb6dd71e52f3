/* Shared by the files of 'mamori audit' (cmd_audit.c, cmd_audit_ops.c). */
#ifndef MM_CLI_AUDIT_INT_H
#define MM_CLI_AUDIT_INT_H

#include "cli/cli.h"
#include "domain/auditlog.h"

struct audit_args {
	const char *verb;
	const char *key, *pubkey, *name, *out, *since, *until, *format, *before, *extra, *dest, *in;
	int64_t from, to, seq, interval;
	bool export_, once;
	int nargs;
	char **args;
};

/* Opens the database without the TOTP sealing key (the checkpoint signer
 * runs as another user and never needs it). Returns 0 or prints why. */
int mm_cli_audit_open(struct mm_cli *cli, struct mm_store **st, struct mm_conn **conn);

/* Loads the verifier key of --pubkey. Returns 0 or prints why. */
int mm_cli_audit_pubkey(const struct audit_args *aa, struct mm_ckpt_vkey *k);

/* The JST day given as YYYY-MM-DD as unix seconds at its start. */
int mm_cli_audit_day(const char *s, int64_t *t);

int mm_cli_audit_prove(struct mm_cli *cli, struct audit_args *aa);
int mm_cli_audit_consistency(struct mm_cli *cli, struct audit_args *aa);
int mm_cli_audit_export(struct mm_cli *cli, struct audit_args *aa);
int mm_cli_audit_archive(struct mm_cli *cli, struct audit_args *aa);
int mm_cli_audit_verify_archive(struct mm_cli *cli, struct audit_args *aa);
int mm_cli_audit_stream(struct mm_cli *cli, struct audit_args *aa);

#endif
