/* What the register engine and the request handlers put in the audit log
 * (7.6) beyond sign-ins and refusals: changes of records with digests of
 * the record before and after, reads of 課外秘 and 極秘 records, exports,
 * imports, and the server's own events. Every function records through
 * mm_audit (domain/audit.h); details never hold a field's value, only
 * names, counts and digests, because the auditors who read the log may
 * not read every record. */
#ifndef MM_DOMAIN_AUDIT_RECORD_H
#define MM_DOMAIN_AUDIT_RECORD_H

#include "domain/register.h"
#include "domain/export.h"

enum { MM_DIGEST_HEX = 65 };

/* Writes the canonical JSON of rec of r to out: an object with, in this
 * order, "register", "id", "version", "retired" and "fields", the last an
 * object of every field of the schema in schema order, unset fields as
 * null, integers and references as numbers, other values as strings. Two
 * records have the same text exactly when they are the same version with
 * the same values. */
void mm_record_canonical(const struct mm_register *r, const struct mm_record *rec,
			 struct mm_buf *out);

/* The lowercase hex SHA-256 of rec's canonical JSON. MM_ENOMEM when the
 * text does not fit its cap. */
int mm_record_digest(const struct mm_register *r, const struct mm_record *rec,
		     char out[MM_DIGEST_HEX]);

/* Records a change of a record in the caller's transaction: action
 * "record_<op>" (create, update, retire, restore, transition), object
 * "register/id", details with the register, the new version, the names of
 * the fields that changed, the digests before (null for a create) and
 * after, the transition's name when op is "transition" and "import": true
 * for an import. before may be NULL. */
int mm_audit_change(const struct mm_register *r, struct mm_ctx *ctx, const char *op,
		    const char *transition, const struct mm_record *before,
		    const struct mm_record *after);

/* Records an event in a short write transaction of its own, or in the
 * caller's when ctx->in_tx. For events that follow an action that wrote
 * nothing (a read, an export, a refusal after a rollback). */
int mm_audit_tx(struct mm_ctx *ctx, const char *action, const char *object, const char *result,
		const char *details);

/* Reads record id of r like mm_reg_get and, when the reader is a signed-in
 * principal and the record is 課外秘 or 極秘 (level 3 or 4), records the
 * read ("record_read", details: register, level, via) before returning
 * it. When the read cannot be recorded, the record is not given out: the
 * error is returned. via says how it was read (api, page, history, edit). */
int mm_reg_read(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, const char *via,
		struct mm_record *out);

/* Records an export of r: format, the number of rows and the filters of q
 * (field names, operators and the search text), in a transaction of its
 * own. result is "ok" or "failed". */
int mm_audit_export(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		    const char *format, const char *result, size_t rows);

/* Records an import of r: dry run or not, and the counts of rep. Call it
 * inside the import's transaction for an import that commits, and after
 * the rollback (ctx->in_tx false) for a dry run or a failure. */
int mm_audit_import(const struct mm_register *r, struct mm_ctx *ctx, bool dry_run,
		    const char *result, const struct mm_file_report *rep);

/* Records an event of the server itself (server_start, server_stop,
 * config_load) with details {"settings_sha256": …} when settings is given
 * (the effective settings as text), in a transaction of its own. */
int mm_audit_server(struct mm_ctx *ctx, const char *action, const char *settings);

/* Records an internal error answered with status on a route (method and
 * pattern), with the error's code; never a request body. */
int mm_audit_internal_error(struct mm_ctx *ctx, const char *method, const char *route, int status,
			    const char *code);

#endif
