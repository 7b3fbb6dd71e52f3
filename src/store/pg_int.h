/* Internals shared by the files of the PostgreSQL backend; nothing outside
 * src/store/pg*.c includes this header.
 *
 *   pg.c             connections, durability checks, errors, statements,
 *                    transactions and the backend's function table
 *   pg_schema.c      versioned migrations (migrations.c), the PostgreSQL
 *                    side's own steps, register tables, indexes
 *   pg_records.c     per-register statements; get, insert, update, find;
 *                    history, counters, settings
 *   pg_list.c        lists: WHERE and ORDER BY, totals, text search
 *   pg_identity.c    accounts, sessions, tokens, rate counters, audit events
 *   pg_grants.c      record grants
 *   pg_auditlog.c    the audit log: appends, scans, checkpoints, archive cut
 *   pg_auditquery.c  audit queries for inspection and the period range
 *   pg_copy.c        mamori db copy's table operations, backup and restore
 *
 * Values always travel as parameters ($1, $2, ...); identifiers come only
 * from schemas checked by mm_store_schema_check and are double-quoted.
 * Names shared between these files start with mm_pg_. */
#ifndef MM_STORE_PG_INT_H
#define MM_STORE_PG_INT_H

#include "store/backend.h"
#include "store/identity.h"

#include "core/arena.h"
#include "core/buf.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_PG_SQL_CAP = 1 << 16 };

extern const struct mm_backend mm_pg_backend;

/* A statement prepared on a connection at first use, named there. */
struct mm_pg_stmt {
	unsigned id;	/* 0: not prepared yet */
	unsigned epoch; /* the connection's epoch it was prepared in */
};

/* A set of statements of one file, prepared on first use. */
struct mm_pg_lazy {
	struct mm_pg_stmt *st;
	size_t n;
};

/* Parameters of one statement, collected in order. Text is borrowed: it
 * must live until the statement has run. */
enum mm_pg_akind { MM_PG_A_NULL, MM_PG_A_INT, MM_PG_A_TEXT, MM_PG_A_BYTES };

struct mm_pg_arg {
	enum mm_pg_akind kind;
	int64_t i;
	const char *s;
	size_t len; /* MM_PG_A_BYTES, and MM_PG_A_TEXT sent as bytes when nonzero */
};

struct mm_pg_args {
	struct mm_pg_arg *v;
	size_t n, cap;
	bool err; /* out of memory */
};

struct mm_pg_cached;

struct mm_pg_conn {
	struct mm_conn base;
	PGconn *pg;
	char *target;		    /* the connection string, for more connections */
	unsigned nprepared;	    /* names handed out on this connection */
	unsigned epoch;		    /* moves when prepared statements are forgotten */
	struct mm_pg_cached *cache; /* per-register statements, pg_records.c */
	struct mm_pg_lazy fixed;    /* pg_records.c */
	struct mm_pg_lazy ident;    /* pg_identity.c */
	struct mm_pg_lazy grants;   /* pg_grants.c */
	struct mm_pg_lazy alog;	    /* pg_auditlog.c */
	struct mm_pg_lazy arange;   /* pg_auditquery.c */
	struct mm_buf canon;	    /* scratch for an entry's canonical bytes */
	char *copy_sql;		    /* the open COPY of copy_put, pg_copy.c */
	struct mm_buf copy_rows;    /* its rows not sent yet */
	bool copying;		    /* a COPY FROM STDIN is open */
	bool op_tx;		    /* the open operation is a transaction of its own */
	bool gen_dirty;		    /* this transaction changed what caches depend on */
};

static inline struct mm_pg_conn *mm_pg_conn(struct mm_conn *c)
{
	return (struct mm_pg_conn *)c;
}

static inline bool mm_pg_int_field(const struct mm_field *f)
{
	return f->type == MM_FT_INT || f->type == MM_FT_REF;
}

/* pg.c: parameters. */
void mm_pg_args_init(struct mm_pg_args *a);
void mm_pg_args_free(struct mm_pg_args *a);
void mm_pg_args_reset(struct mm_pg_args *a);
void mm_pg_arg_int(struct mm_pg_args *a, int64_t i);
/* NULL is bound as SQL NULL. */
void mm_pg_arg_text(struct mm_pg_args *a, const char *s);
/* Text of n bytes that need not end in NUL. */
void mm_pg_arg_textn(struct mm_pg_args *a, const char *s, size_t n);
void mm_pg_arg_bytes(struct mm_pg_args *a, const void *p, size_t n);
void mm_pg_arg_null(struct mm_pg_args *a);
/* Appends $k for the next parameter (the one the caller adds next). */
void mm_pg_add_param(struct mm_buf *b, const struct mm_pg_args *a);

/* pg.c: errors and statements. */
void mm_pg_note(struct mm_pg_conn *pc, const char *msg);
/* pg_copy.c: ends an open COPY of copy_put, sending its last rows when keep
 * (else abandoning it); does nothing when none is open. */
int mm_pg_copy_end(struct mm_pg_conn *pc, bool keep);
/* Maps a failed result to an mm_err and keeps PostgreSQL's message; res
 * may be NULL (the connection failed). Does not clear res. */
int mm_pg_fail(struct mm_pg_conn *pc, const PGresult *res);
/* Runs SQL text without parameters (one or more statements). */
int mm_pg_exec(struct mm_pg_conn *pc, const char *sql);
int mm_pg_exec_buf(struct mm_pg_conn *pc, const struct mm_buf *b);
/* mm_pg_exec giving the last statement's rows in *out. */
int mm_pg_exec_rows(struct mm_pg_conn *pc, const char *sql, PGresult **out);
/* Runs sql once with parameters a (may be NULL). *out (may be NULL) gets
 * the result on success; the caller clears it. */
int mm_pg_query(struct mm_pg_conn *pc, const char *sql, const struct mm_pg_args *a, PGresult **out);
/* Runs the statement slot (preparing sql on first use) with a. */
int mm_pg_run(struct mm_pg_conn *pc, struct mm_pg_stmt *slot, const char *sql,
	      const struct mm_pg_args *a, PGresult **out);
/* mm_pg_run for statement which of a lazy set of n. */
int mm_pg_lazy_run(struct mm_pg_conn *pc, struct mm_pg_lazy *set, size_t n, const char *const *sql,
		   size_t which, const struct mm_pg_args *a, PGresult **out);
void mm_pg_lazy_free(struct mm_pg_lazy *set);
/* Forgets every prepared statement of the connection (DEALLOCATE ALL). */
int mm_pg_forget_prepared(struct mm_pg_conn *pc);

/* Result values. */
int64_t mm_pg_int(const PGresult *r, int row, int col);
bool mm_pg_null(const PGresult *r, int row, int col);
/* Copies a text value into the arena; NULL stays NULL. */
int mm_pg_dup_text(const PGresult *r, int row, int col, struct mm_arena *a, const char **out);
/* Decodes a bytea value (hex output) into out, at most cap bytes; *n gets
 * the length. false when it is not hex or longer than cap. */
bool mm_pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap, size_t *n);
/* The same into the arena (NULL and 0 for an empty value). */
int mm_pg_dup_bytes(const PGresult *r, int row, int col, struct mm_arena *a, const void **out,
		    size_t *n);
/* The number of rows a command changed. */
int64_t mm_pg_changes(const PGresult *r);

/* pg.c: operations and transactions (see mm_sq_op_begin in sqlite_int.h).
 * A write transaction, and a write operation outside one, take the write
 * lock at begin. */
bool mm_pg_in_tx(struct mm_pg_conn *pc);
int mm_pg_op_begin(struct mm_pg_conn *pc, bool write);
int mm_pg_op_end(struct mm_pg_conn *pc, int rc);
int mm_pg_tx_commit(struct mm_conn *c);
void mm_pg_tx_rollback(struct mm_conn *c);

/* SQL text. Names reaching these were checked by mm_store_ident_ok. */
void mm_pg_add_ident(struct mm_buf *b, const char *name, const char *suffix);
void mm_pg_add_columns(struct mm_buf *b, const struct mm_schema *s);
size_t mm_pg_count_search(const struct mm_schema *s);
/* The text free-text search matches: the searched fields (MM_F_SEARCH, at
 * least one) joined by U+001F, which no search holds (web/query.c). Its
 * trigram index serves a search in one scan; one index a field took 18 ms
 * where this takes 1 on a million assets. */
void mm_pg_add_search_text(struct mm_buf *b, const struct mm_schema *s);

/* pg_schema.c */
int mm_pg_migrate(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n);
int mm_pg_index(struct mm_conn *c, const struct mm_schema *s, const size_t *f, size_t n);
/* Counts a register's records into record_counts. */
int mm_pg_recount(struct mm_pg_conn *pc, const struct mm_schema *s);

/* pg_records.c */
int mm_pg_cached_for(struct mm_pg_conn *pc, const struct mm_schema *s, struct mm_pg_cached **out);
void mm_pg_drop_cache(struct mm_pg_conn *pc);
int mm_pg_read_record(const PGresult *r, int row, const struct mm_schema *s, struct mm_arena *a,
		      struct mm_record *rec);
int mm_pg_counts_get(struct mm_pg_conn *pc, const struct mm_schema *s, int64_t *active,
		     int64_t *retired);
int mm_pg_rec_get_many(struct mm_conn *c, const struct mm_schema *s, const int64_t *ids, size_t n,
		       struct mm_arena *a, struct mm_record *out, size_t *nout);
int mm_pg_rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		  struct mm_record *out);
int mm_pg_rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec);
int mm_pg_rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
		     int64_t expected_version);
int mm_pg_rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
		   const struct mm_value *value, int64_t exclude_id, int64_t *id);
int mm_pg_hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h);
int mm_pg_hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		    struct mm_hist **out, size_t *n);
int mm_pg_seq_next(struct mm_conn *c, const char *name, int64_t *out);
int mm_pg_meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value);
int mm_pg_meta_set(struct mm_conn *c, const char *key, const char *value);
int mm_pg_generation(struct mm_conn *c, int64_t *out);

/* pg_list.c */
int mm_pg_rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
		   struct mm_arena *a, struct mm_page *out);

/* pg_identity.c */
int mm_pg_account_get(struct mm_conn *c, int64_t id, struct mm_arena *a, struct mm_account *out);
int mm_pg_account_by_login(struct mm_conn *c, const char *login, struct mm_arena *a,
			   struct mm_account *out);
int mm_pg_account_by_person(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
			    struct mm_account *out);
int mm_pg_account_insert(struct mm_conn *c, struct mm_account *acct);
int mm_pg_account_update(struct mm_conn *c, const struct mm_account *acct);
int mm_pg_account_list(struct mm_conn *c, struct mm_arena *a, struct mm_account **out, size_t *n);
int mm_pg_session_insert(struct mm_conn *c, const struct mm_session *s);
int mm_pg_session_get(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
		      struct mm_session *out);
int mm_pg_session_update(struct mm_conn *c, const struct mm_session *s);
int mm_pg_session_delete(struct mm_conn *c, const char *id_hash);
int mm_pg_session_delete_account(struct mm_conn *c, int64_t account_id);
int mm_pg_session_purge(struct mm_conn *c, int64_t idle_before, int64_t absolute_before);
int mm_pg_token_insert(struct mm_conn *c, struct mm_token *tok);
int mm_pg_token_by_hash(struct mm_conn *c, const char *hash, struct mm_arena *a,
			struct mm_token *out);
int mm_pg_token_list(struct mm_conn *c, int64_t account_id, struct mm_arena *a,
		     struct mm_token **out, size_t *n);
int mm_pg_token_revoke(struct mm_conn *c, int64_t id);
int mm_pg_token_used(struct mm_conn *c, int64_t id, int64_t now);
int mm_pg_rate_hit(struct mm_conn *c, const char *key, int64_t window, int64_t now, int64_t *count);
int mm_pg_audit_list(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
		     struct mm_audit_event **out, size_t *n);
/* Reads an event row of the identity/audit column order. */
int mm_pg_read_event(const PGresult *r, int row, struct mm_arena *a, struct mm_audit_event *e);

/* pg_grants.c */
int mm_pg_grant_add(struct mm_conn *c, struct mm_grant *g);
int mm_pg_grant_remove(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id);
int mm_pg_grant_list(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
		     struct mm_grant **out, size_t *n);
int mm_pg_grant_kinds(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
		      unsigned *kinds);

/* pg_auditlog.c */
int mm_pg_audit_insert(struct mm_conn *c, struct mm_audit_event *e);
/* Sets the chain head row from the last entry (or the cut, or zeros):
 * creates it when missing (migrations); force also overwrites it (after a
 * copy, with the log not moving). */
int mm_pg_alog_head_rebuild(struct mm_pg_conn *pc, bool force);
int mm_pg_alog_head(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN]);
int mm_pg_alog_scan(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg);
int mm_pg_alog_ckpt_add(struct mm_conn *c, const struct mm_alog_ckpt *ck);
int mm_pg_alog_ckpt_latest(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out);
int mm_pg_alog_ckpt_list(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out,
			 size_t *n);
int mm_pg_alog_cut_get(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out);
int mm_pg_alog_prune(struct mm_conn *c, const struct mm_alog_cut *cut);

/* pg_auditquery.c */
extern const struct mm_auditq_ops mm_pg_auditq;

/* pg_copy.c */
int mm_pg_backup(struct mm_conn *c, const char *path, char *why, size_t whylen);
int mm_pg_restore(struct mm_conn *c, const char *path, char *why, size_t whylen);
int mm_pg_copy_columns(struct mm_conn *c, const char *table, struct mm_arena *a, const char ***cols,
		       size_t *n);
int mm_pg_copy_scan(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		    mm_copy_fn fn, void *arg);
int mm_pg_copy_clear(struct mm_conn *c, const char *table);
int mm_pg_copy_put(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		   const struct mm_cval *row);
int mm_pg_copy_finish(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n);

#endif
