/* The internal interface between store.c (URL parsing, the connection pool,
 * dispatch) and one database backend. A backend is one file that defines a
 * const struct mm_backend; adding PostgreSQL means writing postgres.c and
 * naming it in store.c's table of backends.
 *
 * A backend allocates its own connection type with struct mm_conn as its
 * first member, so store.c can keep connections in the pool and backends can
 * convert back with a cast. Every operation receives a connection that only
 * the calling thread uses. */
#ifndef MM_STORE_BACKEND_H
#define MM_STORE_BACKEND_H

#include "store/auditlog.h"
#include "store/auditquery.h"
#include "store/grants.h"
#include "store/identity.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_CONN_ERRLEN = 256 };

/* One value of a copied row: integers, text (UTF-8, not NUL-terminated
 * necessarily: len counts the bytes) and blobs keep their kind across
 * backends. */
enum mm_cval_kind { MM_CV_NULL, MM_CV_INT, MM_CV_TEXT, MM_CV_BLOB };

struct mm_cval {
	enum mm_cval_kind kind;
	int64_t i;
	const void *p;
	size_t len;
};

typedef int (*mm_copy_fn)(void *arg, const struct mm_cval *row, size_t n);

/* The part of a connection store.c knows about. */
struct mm_conn {
	const struct mm_backend *be;
	struct mm_conn *next_free;   /* the pool's free list */
	char errmsg[MM_CONN_ERRLEN]; /* the backend's last error, for logs */
	uint64_t generation_reads;   /* generation queries sent to the database */
	uint64_t snapshots_kept;     /* read transactions kept open for reuse */
};

struct mm_backend {
	const char *name;

	/* Opens one connection to target (the URL with the scheme removed, or
	 * the whole URL when the backend wants it). On failure writes a reason
	 * into why. */
	int (*open)(const char *target, struct mm_conn **out, char *why, size_t whylen);

	/* Closes a connection and frees it; NULL does nothing. */
	void (*close)(struct mm_conn *c);

	/* Applies the versioned system migrations, then creates or extends the
	 * register tables and indexes for the schemas. */
	int (*migrate)(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n);

	/* mm_store_backup and mm_store_restore on one connection. */
	int (*backup)(struct mm_conn *c, const char *path, char *why, size_t whylen);
	int (*restore)(struct mm_conn *c, const char *path, char *why, size_t whylen);

	/* mm_store_index, with f and n checked. */
	int (*index)(struct mm_conn *c, const struct mm_schema *s, const size_t *f, size_t n);

	int (*tx_begin)(struct mm_conn *c, bool write);
	int (*tx_commit)(struct mm_conn *c);
	/* Rolls back the open transaction; does nothing when none is open. */
	void (*tx_rollback)(struct mm_conn *c);
	/* Lets go of what an idle connection keeps between uses (SQLite: its
	 * read snapshot); NULL when it keeps nothing. */
	void (*rest)(struct mm_conn *c);

	int (*rec_get)(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		       struct mm_record *out);
	/* mm_rec_get_many, n checked; NULL: rec_get for each id. */
	int (*rec_get_many)(struct mm_conn *c, const struct mm_schema *s, const int64_t *ids,
			    size_t n, struct mm_arena *a, struct mm_record *out, size_t *nout);
	int (*rec_insert)(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec);
	int (*rec_update)(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
			  int64_t expected_version);
	int (*rec_list)(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
			struct mm_arena *a, struct mm_page *out);
	int (*rec_find)(struct mm_conn *c, const struct mm_schema *s, int field,
			const struct mm_value *value, int64_t exclude_id, int64_t *id);

	int (*hist_add)(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h);
	int (*hist_list)(struct mm_conn *c, const struct mm_schema *s, int64_t id,
			 struct mm_arena *a, struct mm_hist **out, size_t *n);

	int (*seq_next)(struct mm_conn *c, const char *name, int64_t *out);

	int (*meta_get)(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value);
	int (*meta_set)(struct mm_conn *c, const char *key, const char *value);
	int (*generation)(struct mm_conn *c, int64_t *out);

	/* Identity: the operations of identity.h, same names and meaning. */
	int (*account_get)(struct mm_conn *c, int64_t id, struct mm_arena *a,
			   struct mm_account *out);
	int (*account_by_login)(struct mm_conn *c, const char *login, struct mm_arena *a,
				struct mm_account *out);
	int (*account_by_person)(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
				 struct mm_account *out);
	int (*account_insert)(struct mm_conn *c, struct mm_account *acct);
	int (*account_update)(struct mm_conn *c, const struct mm_account *acct);
	int (*account_list)(struct mm_conn *c, struct mm_arena *a, struct mm_account **out,
			    size_t *n);

	int (*session_insert)(struct mm_conn *c, const struct mm_session *s);
	int (*session_get)(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
			   struct mm_session *out);
	int (*session_update)(struct mm_conn *c, const struct mm_session *s);
	int (*session_delete)(struct mm_conn *c, const char *id_hash);
	int (*session_delete_account)(struct mm_conn *c, int64_t account_id);
	int (*session_purge)(struct mm_conn *c, int64_t idle_before, int64_t absolute_before);

	int (*token_insert)(struct mm_conn *c, struct mm_token *tok);
	int (*token_by_hash)(struct mm_conn *c, const char *hash, struct mm_arena *a,
			     struct mm_token *out);
	int (*token_list)(struct mm_conn *c, int64_t account_id, struct mm_arena *a,
			  struct mm_token **out, size_t *n);
	int (*token_revoke)(struct mm_conn *c, int64_t id);
	int (*token_used)(struct mm_conn *c, int64_t id, int64_t now);

	int (*rate_hit)(struct mm_conn *c, const char *key, int64_t window, int64_t now,
			int64_t *count);

	int (*audit_insert)(struct mm_conn *c, struct mm_audit_event *e);
	int (*audit_list)(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
			  struct mm_audit_event **out, size_t *n);

	/* The audit log: the operations of auditlog.h, same names and
	 * meaning. */
	int (*alog_head)(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN]);
	int (*alog_scan)(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg);
	int (*alog_ckpt_add)(struct mm_conn *c, const struct mm_alog_ckpt *ck);
	int (*alog_ckpt_latest)(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out);
	int (*alog_ckpt_list)(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out,
			      size_t *n);
	int (*alog_cut_get)(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out);
	int (*alog_prune)(struct mm_conn *c, const struct mm_alog_cut *cut);
	/* Opens another connection to c's database for one thread of a split
	 * scan, set up for reading many rows and refusing writes; closed with
	 * close. MM_EBUSY when c is inside a transaction (the new connection
	 * could not see what c has not committed). */
	int (*alog_reader_open)(struct mm_conn *c, struct mm_conn **out);

	/* Grants: the operations of grants.h, same names and meaning. */
	int (*grant_add)(struct mm_conn *c, struct mm_grant *g);
	int (*grant_remove)(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id);
	int (*grant_list)(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
			  struct mm_grant **out, size_t *n);
	int (*grant_kinds)(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
			   unsigned *kinds);

	/* Audit queries for inspection (auditquery.h). */
	const struct mm_auditq_ops *auditq;

	/* mamori db copy (store/copy.c) moves whole tables between two
	 * databases of the same migration version, row by row. */

	/* The column names of table, in table order; *n = 0 when there is no
	 * such table. */
	int (*copy_columns)(struct mm_conn *c, const char *table, struct mm_arena *a,
			    const char ***cols, size_t *n);
	/* Calls fn for every row of table (columns cols), ordered by cols[0];
	 * a nonzero return of fn stops the scan and is returned. */
	int (*copy_scan)(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
			 mm_copy_fn fn, void *arg);
	/* Deletes every row of table (inside the caller's write transaction). */
	int (*copy_clear)(struct mm_conn *c, const char *table);
	/* Inserts one row, values as copy_scan gave them (inside the caller's
	 * write transaction). */
	int (*copy_put)(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
			const struct mm_cval *row);
	/* After every row is in (same transaction): rebuilds what derives
	 * from the rows, such as search indexes and the counters that hand
	 * out ids, so the next insert gets a fresh id. */
	int (*copy_finish)(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n);
};

extern const struct mm_backend mm_sqlite_backend;

/* Checks that name can be used as an SQL identifier: ^[a-z][a-z0-9_]*$ and at
 * most 63 bytes (PostgreSQL's limit). Shared by the backends. */
bool mm_store_ident_ok(const char *name);

/* Checks every identifier of a schema: the table name, each field name, no
 * field named like a system column, no duplicate fields, no table named like
 * a system table. Returns MM_OK or MM_EINVAL. */
int mm_store_schema_check(const struct mm_schema *s);

/* The column of f in mm_store_index: a field's, or updated_at. */
const char *mm_store_index_column(const struct mm_schema *s, size_t f);

/* Appends the name of mm_store_index's index on f[0..n-1] of s. */
void mm_store_index_name(struct mm_buf *b, const struct mm_schema *s, const size_t *f, size_t n);

#endif
