/* Classification-based access control (7.1, DESIGN.md §4), decided in the
 * domain so that the API, the pages, exports, imports and the CLI behave
 * the same. Deny by default. The reader is ctx->who; a NULL principal is
 * the CLI run by the server's operator (or internal work) and may do
 * everything; a principal holding no role at all may do nothing.
 *
 * Reading a record of level (see struct mm_register):
 *   1 一般, 2 庁外秘 — every employee (a principal holding 職員); not
 *     contractors, who read only the records granted to them;
 *   3 課外秘 — people whose own section is the owning section or lies
 *     under it (a 係 under the owning 課), the data manager of the owning
 *     section or of a section above it, 事務局, 統括責任者 and auditors;
 *   any level up to 3 — a person with any grant on the record;
 *   4 極秘 — only the people named on the record ('named' grant).
 * The application administrator and 最高責任者 have no extra read rights.
 * Everyone reads their own person record, one at a time (not in lists).
 *
 * Writing follows the register's declaration: its create, edit and retire
 * roles, its data manager rule and its edit grants. Creating needs the
 * right for the new record's owning section; editing and retiring need the
 * right to read the record first, and an edit may move a record only to a
 * section the writer could create in. Whoever classifies a record as 極秘
 * over the web is named on it, so that they do not lose it at once.
 *
 * Grants on a record are given and taken by the data manager of its owning
 * section (or of a section above it), and by 事務局 on the records it may
 * read. */
#ifndef MM_DOMAIN_ACCESS_H
#define MM_DOMAIN_ACCESS_H

#include "domain/register.h"
#include "store/grants.h"

enum mm_access_op { MM_ACCESS_CREATE, MM_ACCESS_EDIT, MM_ACCESS_RETIRE, MM_ACCESS_GRANT };

/* The level of rec in r (1–4). */
int64_t mm_access_level(const struct mm_register *r, const struct mm_record *rec);

/* Works out what ctx's reader may see of r into *acl and points *out at
 * it, or sets *out to NULL when the reader sees every record (the CLI, or
 * a register whose fixed level the reader reads). Section ids come from
 * ctx->a. */
int mm_access_acl(struct mm_ctx *ctx, const struct mm_register *r, struct mm_acl *acl,
		  const struct mm_acl **out);

/* Sets *ok when ctx's reader may read rec of r. */
int mm_access_read(struct mm_ctx *ctx, const struct mm_register *r, const struct mm_record *rec,
		   bool *ok);

/* Sets *ok when ctx's principal may take op on rec of r: for CREATE, rec
 * is the record about to be stored, with its owner set; for EDIT and
 * RETIRE the stored record, which the caller has checked the reader may
 * read; for GRANT the stored record, readable or not (the owning section's
 * data manager grants on records they cannot read themselves, 事務局 only
 * on those it reads). */
int mm_access_may(struct mm_ctx *ctx, const struct mm_register *r, enum mm_access_op op,
		  const struct mm_record *rec, bool *ok);

/* Whether ctx's principal may create records of r for some section; pages
 * offer their forms only then. */
bool mm_access_may_create_any(const struct mm_ctx *ctx, const struct mm_register *r);

/* Records in the audit log that ctx's principal was refused op ("read",
 * "create", "edit", "retire", "grant", "import") on record id of r (0: the
 * register), then returns rc; or the audit log's error when that failed.
 * Nothing is recorded for the CLI, or inside a transaction the caller owns
 * (ctx->in_tx: it would be rolled back with the refused work; the caller
 * records the refusal after it). */
int mm_access_denied(struct mm_ctx *ctx, const struct mm_register *r, int64_t id, const char *op,
		     int rc);

/* Names ctx's principal on record id of r (a 'named' grant, audited as
 * "grant") unless they are already; for whoever classifies a record as
 * 極秘. Runs in the caller's transaction; nothing for the CLI. */
int mm_access_name_self(struct mm_ctx *ctx, const struct mm_register *r, int64_t id);

/* Grants on one record (grants.c). Each answers MM_ENOTFOUND for a record
 * that does not exist or that ctx's principal may neither read nor grant
 * on (audited like a refused read), and MM_EPERM (audited) when they may
 * read it but not grant. */

/* The grants of record id, oldest first. */
int mm_grants_list(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		   struct mm_grant **out, size_t *n);

/* Grants kind ("read", "edit" — where the register honours edit grants —
 * or "named") on record id to person, audited as "grant". MM_EVALIDATE
 * with errs (person_id, kind) for an unknown or retired person, a kind not
 * offered, or a grant the person holds already. */
int mm_grants_add(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t person,
		  const char *kind, struct mm_ferrs *errs, struct mm_grant *out);

/* Removes grant grant_id of record id, audited as "ungrant". MM_ENOTFOUND
 * when the record has no such grant. */
int mm_grants_remove(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t grant_id);

/* Whether register r honours grants of kind (an MM_GRANT_* bit): 'read'
 * everywhere, 'edit' where the register says so, 'named' where records
 * can be 極秘. */
bool mm_grants_offered(const struct mm_register *r, unsigned kind);

/* The label of a grant kind's code in lang (閲覧, 編集, 指名（極秘）). */
const char *mm_grant_kind_label(const char *code, enum mm_lang lang);

/* Grants in spreadsheets (grant_cells.c). Exports of a register whose
 * records are classified one by one (a 機密性 field: assets) carry a column
 * 個別の権限 ("Grants") listing the grants of each record as entries
 * "kind:employee number" separated by spaces, e.g.
 *   閲覧:10007 編集:10029 指名:10031
 * The kinds are written 閲覧, 編集 and 指名; imports also take 指名（極秘）,
 * the codes read, edit, named and the English labels, a full-width colon,
 * and 、 , ; or full-width spaces between entries. An empty cell leaves the
 * record's grants as they are; なし (or "none") takes them all back; any
 * other cell makes the record's grants exactly the ones listed. */

/* Whether files of r carry the grants column. */
bool mm_grants_in_files(const struct mm_register *r);

/* The column's heading in lang, and whether a heading names it. */
const char *mm_grants_heading(enum mm_lang lang);
bool mm_grants_is_heading(const char *s, size_t len);

/* Sets *out (from ctx->a) to the cell text of rec's grants, kinds in the
 * order read, edit, named and people by employee number; "" when it has
 * none or ctx's principal may not grant on it (and so may not see them). */
int mm_grants_cell(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		   const char **out);

/* A parsed cell: set is false for an empty cell (no change). */
struct mm_grant_entry {
	int64_t person_id;
	unsigned kind;	  /* an MM_GRANT_* bit */
	const char *text; /* the entry as written, for messages */
};

struct mm_grant_cell {
	bool set;
	struct mm_grant_entry *v;
	size_t n;
};

/* Parses cell text into out (arrays from ctx->a). Each bad entry (not
 * "kind:number", an unknown kind, a kind r does not offer, a person ctx's
 * principal cannot find) adds an error to errs whose field is the column
 * heading and whose label is the entry. Returns MM_OK, MM_EVALIDATE or a
 * store error. */
int mm_grants_cell_parse(const struct mm_register *r, struct mm_ctx *ctx, const char *text,
			 size_t len, struct mm_grant_cell *out, struct mm_ferrs *errs);

/* Makes the grants of record id of r exactly those of cell, in the
 * caller's transaction, auditing each grant given ("grant") and taken
 * ("ungrant"). Sets *changed when any changed. Nothing to do for a cell
 * that is not set or already matches. MM_EPERM when a change is needed and
 * ctx's principal may not grant on the record; MM_EVALIDATE (errs) for a
 * new grant to a person who has left. */
int mm_grants_replace(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		      const struct mm_grant_cell *cell, struct mm_ferrs *errs, bool *changed);

#endif
