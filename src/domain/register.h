/* The register engine. A register is a static declaration (a schema plus
 * labels, keys and a few hooks); from it the engine validates input, stores
 * records with a versioned history, retires instead of deleting, and lists
 * with filters, sort, search and paging. The web and CLI layers present
 * registers generically through this header; no register writes its own
 * CRUD. */
#ifndef MM_DOMAIN_REGISTER_H
#define MM_DOMAIN_REGISTER_H

#include "core/arena.h"
#include "core/schema.h"
#include "domain/i18n.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_register;

/* The request's view of the world: its connection, arena, actor and language.
 * When in_tx is set the caller owns the transaction (imports); otherwise each
 * engine call that writes runs in a transaction of its own. */
struct mm_principal;

struct mm_auth_cache;

struct mm_ctx {
	struct mm_conn *conn;
	struct mm_arena *a;
	const char *actor;
	enum mm_lang lang;
	bool in_tx;
	bool importing; /* history records changes as "import" */
	/* Who is asking: NULL for the CLI run on the server by its operator
	 * (bootstrap, imports) and before sign-in. See domain/principal.h. */
	const struct mm_principal *who;
	const char *ip;			  /* client address, for the audit log */
	const char *request_id;		  /* for the audit log */
	int64_t now;			  /* unix seconds; 0: read the clock (tests set it) */
	struct mm_auth_cache *auth_cache; /* principals by credential; may be NULL */
	/* Set by the engine when it refuses a write for a reason the writer
	 * must be told (a catalogue message id; label fills its {label}),
	 * beyond the generic "forbidden" or "conflict". */
	const char *refusal;
	const char *refusal_label;
	/* Set while a workflow hook writes on the engine's behalf (the
	 * approval of a privilege creating its holding): access was decided
	 * by the transition, and the write is not a CLI bootstrap. */
	bool by_workflow;
};

/* A client-supplied value before validation. JSON gives typed values
 * (strict: a string for an integer field is a type error); forms and CSV give
 * strings that are parsed per field type. */
enum mm_in_kind { MM_IN_NULL, MM_IN_STR, MM_IN_INT, MM_IN_OTHER };

/* Where input comes from decides how strings are read: JSON is strict about
 * types and gives references as ids; forms give ids as strings; CSV gives
 * references as display text ("0120 行政管理課", a code, or a unique name) and
 * choices as codes or labels. */
enum mm_in_mode { MM_IN_JSON, MM_IN_FORM, MM_IN_CSV };

struct mm_in {
	const char *name;
	enum mm_in_kind kind;
	const char *s;
	size_t len;
	int64_t i;
};

struct mm_input {
	struct mm_in *items;
	size_t n;
	enum mm_in_mode mode;
};

/* One field-level problem: the field's API name (or a CSV column), a message
 * id from the catalogue, and the bounds some messages mention. */
struct mm_ferr {
	const char *field;
	const char *label; /* field label in the request's language */
	const char *msg;
	int64_t min, max;
};

enum { MM_FERR_MAX = 64 };

struct mm_ferrs {
	struct mm_ferr e[MM_FERR_MAX];
	size_t n;
};

/* Workflows (DESIGN.md §3): a register with a state field moves between
 * states only through its declared transitions, never by a plain edit.
 * Each transition is taken by the roles of its mask (or, where it says
 * so, by the record's requester), from the states it lists, and records
 * who, when and a comment as a new version. */
enum {
	MM_TR_BY_REQUESTER = 1u << 0, /* the record's requester may take it too */
	MM_TR_APPROVAL = 1u << 1,     /* an approval: the SoD rules requester
				       * vs approver and grantee vs approver
				       * apply to the actor */
	MM_TR_AUDIT = 1u << 2	      /* audited as a privileged action */
};

enum { MM_WF_MAX_FROM = 4 };

struct mm_transition {
	const char *name;		  /* in the API path: approve */
	const char *label_ja, *label_en;  /* the button: 承認する */
	const char *from[MM_WF_MAX_FROM]; /* state codes, NULL-terminated */
	const char *to;			  /* state code */
	unsigned roles;			  /* MM_ROLE_BIT mask */
	unsigned flags;			  /* MM_TR_* */
	/* Runs in the transition's transaction after the checks, with rec
	 * already in its new state (may be NULL). It may change rec's fields
	 * and add field errors (MM_EVALIDATE rolls everything back). */
	int (*hook)(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
		    struct mm_ferrs *errs);
};

struct mm_workflow {
	int state_field;     /* ENUM, MM_F_DERIVED: changed by transitions only */
	const char *initial; /* the state of a new record */
	int requester_field; /* REF people set to the creator's person, or -1 */
	int grantee_field;   /* REF people the approval benefits, or -1 */
	int actor_field;     /* REF people stamped with the deciding actor, or -1 */
	int at_field;	     /* TEXT stamped with the time of the decision, or -1 */
	int comment_field;   /* TEXT stamped with the comment, or -1 */
	const struct mm_transition *transitions;
	size_t ntransitions;
	/* An edit of a decided record is allowed and returns it to the
	 * initial state with the decision's stamps cleared, to be decided
	 * again; the decided version stays in the history (risks). */
	bool edit_reopens;
};

struct mm_register {
	struct mm_schema schema;
	const char *label_ja, *label_en;     /* 情報資産台帳 */
	const char *noun_ja, *noun_en;	     /* 情報資産 (one record) */
	const char *retired_ja, *retired_en; /* what retiring means: 廃棄, 無効 */
	int key_field;			     /* unique human key (管理番号 …), or -1 */
	const char *key_prefix;		     /* auto key: prefix + zero-padded counter */
	int title_field;		     /* the field that names a record */
	int owner_field;		     /* REF to sections owning the record, or -1 */
	/* Computes derived fields after validation (may be NULL). */
	void (*derive)(const struct mm_register *r, struct mm_record *rec);
	/* Checks rules across fields or records; adds to errs (may be NULL). */
	int (*check)(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		     struct mm_ferrs *errs);
	/* Computes derived fields that come from other records (a risk's
	 * asset value), after derive and before check; may add to errs (may
	 * be NULL). */
	int (*derive_ctx)(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
			  struct mm_ferrs *errs);
	/* Criterion text for level v of field f in a record of this register
	 * (付表2), or NULL. kind is the value of the record's kind field. */
	const char *(*level_help)(int field, const char *kind, int64_t v, enum mm_lang lang);

	/* Access (7.1, DESIGN.md §4; the rules are in domain/access.h). A
	 * record's level (機密性: 1 一般, 2 庁外秘, 3 課外秘, 4 極秘) is
	 * default_class when that is set, else the value of the INT field
	 * class_field (4 when empty). */
	int class_field;
	int default_class;
	/* Who writes: role bits (MM_ROLE_BIT) that create records for any
	 * section, and that edit, and retire or restore, the records they may
	 * read; whether the data manager of the owning section (or of a
	 * section above it) does all three for that section's records; and
	 * whether an 'edit' grant on a record lets its holder edit it. */
	unsigned create_roles, edit_roles, retire_roles;
	bool manager_writes;
	bool grant_edits;

	/* Refuses a write the access rules allow but the register does not:
	 * called with the stored record before an edit or a restore and with
	 * the new one before it is stored. Returns MM_EPERM with
	 * ctx->refusal set, or MM_OK (may be NULL). */
	int (*guard)(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec);
	/* Runs in the write's transaction after a create, update, retire or
	 * restore (op is the history action), e.g. to audit (may be NULL). */
	int (*after)(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		     const char *op);
	const struct mm_workflow *workflow; /* NULL: no states */
};

/* The registers, in menu order, and lookup by name (NULL when unknown). */
extern const struct mm_register *const mm_registers[];
extern const size_t mm_nregisters;
const struct mm_register *mm_register_find(const char *name);
const struct mm_register *mm_register_findn(const char *name, size_t len);

/* The schemas of every register, for mm_store_migrate. */
int mm_registers_migrate(struct mm_store *st);

/* Label of a field or of an enum option in lang. */
const char *mm_field_label(const struct mm_field *f, enum mm_lang lang);
const char *mm_option_label(const struct mm_field *f, const char *code, enum mm_lang lang);

/* Adds a field error. */
void mm_ferr_add(struct mm_ferrs *errs, const struct mm_field *f, const char *field,
		 const char *msg, enum mm_lang lang);

/* A write transaction unless the caller holds one (ctx->in_tx); tx_end
 * commits when rc is MM_OK, rolls back otherwise, and returns the final
 * code. */
int mm_ctx_tx_begin(struct mm_ctx *ctx);
int mm_ctx_tx_end(struct mm_ctx *ctx, int rc);

/* Validates in against r into rec. For an update, rec holds the current
 * values and only fields named in the input change; absent fields keep their
 * values. Returns MM_OK, MM_EVALIDATE (errs filled) or a store error. */
int mm_reg_validate(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_input *in,
		    struct mm_record *rec, struct mm_ferrs *errs);

int mm_reg_get(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, struct mm_record *out);

/* Creates a record from in. out receives the stored record; errs is
 * emptied first and lists every field problem on MM_EVALIDATE. */
int mm_reg_create(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_input *in,
		  struct mm_ferrs *errs, struct mm_record *out);

/* Changes record id, which the client last saw at version. MM_ECONFLICT when
 * someone else changed it since. When nothing changes, no version is made
 * and out keeps the current version. */
int mm_reg_update(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t version,
		  const struct mm_input *in, struct mm_ferrs *errs, struct mm_record *out);

/* Retires (retire=true) or restores a record at the given version. */
int mm_reg_set_retired(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t version,
		       bool retire, struct mm_record *out);

int mm_reg_list(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		struct mm_page *out);

/* The transition called name of r's workflow, or NULL. */
const struct mm_transition *mm_wf_find(const struct mm_register *r, const char *name);

/* Whether ctx's principal may take t on rec now (state and role; the
 * rules of separation are checked when it is taken). */
bool mm_wf_may(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_transition *t,
	       const struct mm_record *rec);

/* Takes transition name on record id, which the client saw at version,
 * with comment (may be NULL). MM_ENOTFOUND for an unknown transition or a
 * record the actor may not read; MM_EPERM (ctx->refusal set) for an actor
 * who may not take it; MM_ECONFLICT for a stale version, or with
 * ctx->refusal "wf_wrong_state" when the record is not in a state the
 * transition leaves from; MM_EVALIDATE with errs for a rule it breaks.
 * Refusals are audited. out receives the record in its new state. */
int mm_reg_transition(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t version,
		      const char *name, const char *comment, struct mm_ferrs *errs,
		      struct mm_record *out);

int mm_reg_history(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		   struct mm_hist **out, size_t *n);

/* Short display text of record id of register r (key and title, e.g.
 * "0120 行政管理課"), for references; "" when the id is unknown. */
const char *mm_reg_display(const struct mm_register *r, struct mm_ctx *ctx, int64_t id);

/* mm_reg_display of each of the n ids (n at most MM_GET_MANY_MAX) into
 * texts, read in one go (a page of a list shows many references). */
int mm_reg_display_many(const struct mm_register *r, struct mm_ctx *ctx, const int64_t *ids,
			size_t n, const char **texts);

/* Resolves the display text of a reference (key, "key title" or a unique
 * title) to an id. MM_ENOTFOUND, or MM_ECONFLICT when ambiguous. */
int mm_reg_resolve(const struct mm_register *r, struct mm_ctx *ctx, const char *text, size_t len,
		   int64_t *id);

/* Parses the text of a list filter for field f (an enum code, an integer or
 * id, a date in any accepted form, or text); false when it does not fit. */
bool mm_filter_value(struct mm_arena *a, const struct mm_field *f, const char *text,
		     struct mm_value *v);

#endif
