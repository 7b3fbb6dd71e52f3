/* Internals shared by the files of the SQLite backend; nothing outside
 * src/store/sqlite*.c includes this header.
 *
 *   sqlite.c          connections, errors, statements, transactions, the table
 *                     of fixed SQL and the backend's function table
 *   sqlite_schema.c   versioned migrations, register tables, indexes, FTS
 *   sqlite_records.c  per-register statements; get, insert, update, find;
 *                     history, counters, settings
 *   sqlite_list.c     lists: WHERE and ORDER BY, totals, the list statement cache
 *   sqlite_identity.c accounts, sessions, tokens, rate counters, audit events
 *   sqlite_grants.c   record grants; the access condition of lists
 *   sqlite_auditlog.c the audit log: appends, scans, checkpoints, archive cut
 *   sqlite_copy.c     whole tables read and written for mamori db copy
 *   sqlite_generation.c the WAL index header; the store generation
 *   sqlite_snapshot.c the read snapshot kept between uses; mm_sq_step
 *
 * Names shared between these files start with mm_sq_. */
#ifndef MM_STORE_SQLITE_INT_H
#define MM_STORE_SQLITE_INT_H

#include "store/acl_sql.h"
#include "store/backend.h"
#include "store/identity.h"

#include "core/arena.h"
#include "core/buf.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_SQ_SQL_CAP = 1 << 16 };

/* Fixed statements; their SQL is in sqlite.c. Transaction control comes
 * first, up to FX_UNDO. */
enum mm_sq_fixed {
	FX_BEGIN,
	FX_BEGIN_WRITE,
	FX_COMMIT,
	FX_ROLLBACK,
	FX_SAVE,
	FX_RELEASE,
	FX_UNDO,
	FX_HIST_ADD,
	FX_HIST_LIST,
	FX_SEQ_NEXT,
	FX_META_GET,
	FX_META_SET,
	FX_MIG_MAX,
	FX_MIG_HAS,
	FX_MIG_ADD,
	FX_COLUMNS,
	FX_COUNTS_GET,
	FX_COUNTS_ADD,
	FX_LEVEL_ADD,
	FX_INDEX_EXISTS,
	FX_GEN_BUMP,
	FX_GEN_GET,
	FX_COUNT
};

/* The system columns every register table starts with, in read order. */
enum { MM_SQ_NSYSCOLS = 6 };

/* Statements of one register, built for one connection. */
struct mm_sq_cached {
	struct mm_sq_cached *next;
	const struct mm_schema *s;
	size_t nfields;
	sqlite3_stmt *get, *insert, *update, *state;
	sqlite3_stmt *fts_del, *fts_add; /* NULL without search fields */
	sqlite3_stmt **find;		 /* per field, prepared on first use */
};

struct mm_sq_lists;
/* A set of fixed statements prepared on first use (see mm_sq_lazy). */
struct mm_sq_lazy {
	sqlite3_stmt **st; /* NULL until the first use */
	size_t n;
};

/* The 48-byte header at the start of the WAL index, in 32-bit words. */
enum { MM_SQ_WAL_HEADER_WORDS = 12 };

struct mm_sq_conn {
	struct mm_conn base;
	sqlite3 *db;
	sqlite3_stmt *fixed[FX_COUNT];
	struct mm_sq_cached *cache;
	struct mm_sq_lists *lists; /* list statements, see sqlite_list.c */
	struct mm_sq_lazy ident;   /* identity statements, see sqlite_identity.c */
	struct mm_sq_lazy grants;  /* grant statements, see sqlite_grants.c */
	struct mm_sq_lazy alog;	   /* audit log statements, see sqlite_auditlog.c */
	struct mm_sq_lazy arange;  /* period searches, see sqlite_auditrange.c */
	struct mm_buf canon;	   /* scratch for an entry's canonical bytes */
	sqlite3_stmt *copy_put;	   /* the last insert of db copy, see sqlite_copy.c */
	bool op_tx;		   /* the open operation is a transaction of its own */
	bool gen_dirty;		   /* this transaction changed what caches depend on */
	/* The WAL index, once mapped (sqlite_generation.c). */
	const volatile uint32_t *wal_header;
	bool wal_header_tried;
	/* The generation as last read, and the WAL index header just before. */
	bool gen_known;
	uint32_t gen_at[MM_SQ_WAL_HEADER_WORDS];
	int64_t gen_value;
	/* The read transaction kept open between uses, and the WAL index
	 * header just before it began (sqlite_snapshot.c). */
	bool kept;
	uint32_t kept_at[MM_SQ_WAL_HEADER_WORDS];
};

static inline struct mm_sq_conn *mm_sq_conn(struct mm_conn *c)
{
	return (struct mm_sq_conn *)c;
}

static inline bool mm_sq_int_field(const struct mm_field *f)
{
	return f->type == MM_FT_INT || f->type == MM_FT_REF;
}

/* sqlite.c: errors and statements. */

/* Keeps msg as the connection's last error. */
void mm_sq_note(struct mm_sq_conn *sc, const char *msg);
/* Maps an SQLite result code to an mm_err and keeps SQLite's message. */
int mm_sq_fail(struct mm_sq_conn *sc, int src);
int mm_sq_prepare(struct mm_sq_conn *sc, const char *sql, bool persistent, sqlite3_stmt **out);
/* Prepares the text in b, or reports the buffer's error. */
int mm_sq_prepare_buf(struct mm_sq_conn *sc, struct mm_buf *b, bool persistent, sqlite3_stmt **out);
int mm_sq_exec(struct mm_sq_conn *sc, const char *sql);
int mm_sq_exec_buf(struct mm_sq_conn *sc, struct mm_buf *b);

/* Counts the records of s into record_counts (sqlite_schema.c); b is
 * scratch. */
int mm_sq_recount(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_buf *b);
/* Returns a fixed statement, preparing it on first use. */
int mm_sq_stmt_fixed(struct mm_sq_conn *sc, enum mm_sq_fixed which, sqlite3_stmt **out);
int mm_sq_run_fixed(struct mm_sq_conn *sc, enum mm_sq_fixed which);
/* Makes a statement ready for its next use; its bound text may die now. */
void mm_sq_done(sqlite3_stmt *st);
/* Runs a statement that returns no rows, then mm_sq_done. */
int mm_sq_step_done(struct mm_sq_conn *sc, sqlite3_stmt *st);

/* Brackets statements that must take effect together (a change and its
 * index and count changes) or read one snapshot (a list and its total).
 * Inside a transaction this is a savepoint; outside one, a write operation
 * is a transaction of its own that takes the write lock at once, so that
 * what it reads first cannot go stale before it writes. mm_sq_op_end keeps
 * the changes when rc is MM_OK, undoes them otherwise, and returns the
 * outcome. Operations do not nest. */
int mm_sq_op_begin(struct mm_sq_conn *sc, bool write);
int mm_sq_op_end(struct mm_sq_conn *sc, int rc);

int mm_sq_tx_commit(struct mm_conn *c);
void mm_sq_tx_rollback(struct mm_conn *c);

/* sqlite_generation.c: the WAL index header, and the store generation
 * (backend.h). mm_sq_wal_map maps the header once the connection has run a
 * statement; mm_sq_wal_read copies it into out, false while a commit is
 * writing it or when it is not mapped. */
void mm_sq_wal_map(struct mm_sq_conn *sc);
bool mm_sq_wal_read(const struct mm_sq_conn *sc, uint32_t out[MM_SQ_WAL_HEADER_WORDS]);
int mm_sq_generation(struct mm_conn *c, int64_t *out);

/* sqlite_snapshot.c: the read snapshot kept between uses. mm_sq_step steps
 * st as sqlite3_step does, first ending a kept snapshot that is stale or
 * that st would write in, and keeping one for a read outside any
 * transaction. Every data statement of the backend steps through it;
 * transaction control does not. */
int mm_sq_step(struct mm_sq_conn *sc, sqlite3_stmt *st);
/* Ends the kept snapshot, if any; the connection is then outside any
 * transaction. Before a transaction, an operation, or SQL run whole. */
void mm_sq_snapshot_end(struct mm_sq_conn *sc);
/* Whether the connection is outside any transaction as its users see it:
 * a kept snapshot does not count. */
static inline bool mm_sq_autocommit(const struct mm_sq_conn *sc)
{
	return sc->kept || sqlite3_get_autocommit(sc->db);
}
/* The backend's rest (backend.h): ends the kept snapshot. */
void mm_sq_rest(struct mm_conn *c);

/* Returns statement which of the set, preparing sql[which] on first use; the
 * set holds n statements. mm_sq_lazy_free finalizes them. */
int mm_sq_lazy(struct mm_sq_conn *sc, struct mm_sq_lazy *set, size_t n, const char *const *sql,
	       size_t which, sqlite3_stmt **out);
void mm_sq_lazy_free(struct mm_sq_lazy *set);

/* SQL text. Names reaching these were checked by mm_store_ident_ok. */
void mm_sq_add_ident(struct mm_buf *b, const char *name, const char *suffix);
/* The system columns, then every field of s: the order read_record reads. */
void mm_sq_add_columns(struct mm_buf *b, const struct mm_schema *s);
size_t mm_sq_count_search(const struct mm_schema *s);

/* sqlite_schema.c */
int mm_sq_migrate(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n);
/* Whether the database holds an index of that name. */
int mm_sq_index_exists(struct mm_sq_conn *sc, const char *name, bool *found);
int mm_sq_index(struct mm_conn *c, const struct mm_schema *s, const size_t *f, size_t n);
/* The version of the newest migration this program knows. */
int64_t mm_sq_latest_migration(void);

/* sqlite_backup.c */
int mm_sq_backup(struct mm_conn *c, const char *path, char *why, size_t whylen);
int mm_sq_restore(struct mm_conn *c, const char *path, char *why, size_t whylen);

/* sqlite_records.c */

/* Finds or builds the statements of schema s on this connection, checking
 * the schema's names the first time. */
int mm_sq_cached_for(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_sq_cached **out);
/* Finalizes every per-register statement of the connection. */
void mm_sq_drop_cache(struct mm_sq_conn *sc);
/* Copies a text column into the arena; NULL stays NULL. */
int mm_sq_dup_text(sqlite3_stmt *st, int col, struct mm_arena *a, const char **out);
/* Reads a row selected by mm_sq_add_columns. */
int mm_sq_read_record(sqlite3_stmt *st, const struct mm_schema *s, struct mm_arena *a,
		      struct mm_record *r);
/* Reads the number of active and retired records of s kept in
 * record_counts. MM_ENOTFOUND when the register has no row there. */
int mm_sq_counts_get(struct mm_sq_conn *sc, const struct mm_schema *s, int64_t *active,
		     int64_t *retired);

int mm_sq_rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		  struct mm_record *out);
int mm_sq_rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec);
int mm_sq_rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
		     int64_t expected_version);
int mm_sq_rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
		   const struct mm_value *value, int64_t exclude_id, int64_t *id);
int mm_sq_hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h);
int mm_sq_hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		    struct mm_hist **out, size_t *n);
int mm_sq_seq_next(struct mm_conn *c, const char *name, int64_t *out);
int mm_sq_meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value);
int mm_sq_meta_set(struct mm_conn *c, const char *key, const char *value);

/* sqlite_list.c */

/* Finalizes the connection's cached list statements. */
void mm_sq_lists_free(struct mm_sq_conn *sc);
int mm_sq_rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
		   struct mm_arena *a, struct mm_page *out);

/* sqlite_auditquery.c */
extern const struct mm_auditq_ops mm_sq_auditq;
/* sqlite_auditrange.c: the seqs [*first, *last] that hold every entry of
 * [from, until) (0: open), maybe a few more; empty: *first > *last. */
int mm_sq_auditq_range(struct mm_conn *c, int64_t from, int64_t until, int64_t *first,
		       int64_t *last);

/* sqlite_identity.c */

int mm_sq_account_get(struct mm_conn *c, int64_t id, struct mm_arena *a, struct mm_account *out);
int mm_sq_account_by_login(struct mm_conn *c, const char *login, struct mm_arena *a,
			   struct mm_account *out);
int mm_sq_account_by_person(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
			    struct mm_account *out);
int mm_sq_account_insert(struct mm_conn *c, struct mm_account *acct);
int mm_sq_account_update(struct mm_conn *c, const struct mm_account *acct);
int mm_sq_account_list(struct mm_conn *c, struct mm_arena *a, struct mm_account **out, size_t *n);
int mm_sq_session_insert(struct mm_conn *c, const struct mm_session *s);
int mm_sq_session_get(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
		      struct mm_session *out);
int mm_sq_session_update(struct mm_conn *c, const struct mm_session *s);
int mm_sq_session_delete(struct mm_conn *c, const char *id_hash);
int mm_sq_session_delete_account(struct mm_conn *c, int64_t account_id);
int mm_sq_session_purge(struct mm_conn *c, int64_t idle_before, int64_t absolute_before);
int mm_sq_token_insert(struct mm_conn *c, struct mm_token *tok);
int mm_sq_token_by_hash(struct mm_conn *c, const char *hash, struct mm_arena *a,
			struct mm_token *out);
int mm_sq_token_list(struct mm_conn *c, int64_t account_id, struct mm_arena *a,
		     struct mm_token **out, size_t *n);
int mm_sq_token_revoke(struct mm_conn *c, int64_t id);
int mm_sq_token_used(struct mm_conn *c, int64_t id, int64_t now);
int mm_sq_rate_hit(struct mm_conn *c, const char *key, int64_t window, int64_t now, int64_t *count);
int mm_sq_audit_list(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
		     struct mm_audit_event **out, size_t *n);

/* sqlite_auditlog.c */

int mm_sq_audit_insert(struct mm_conn *c, struct mm_audit_event *e);
/* Chains the entries written before the log was tamper-evident (migration
 * 12), in order, once. */
int mm_sq_alog_backfill(struct mm_sq_conn *sc);
int mm_sq_alog_head(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN]);
int mm_sq_alog_scan(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg);
int mm_sq_alog_ckpt_add(struct mm_conn *c, const struct mm_alog_ckpt *ck);
int mm_sq_alog_ckpt_latest(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out);
int mm_sq_alog_ckpt_list(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out,
			 size_t *n);
int mm_sq_alog_cut_get(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out);
int mm_sq_alog_prune(struct mm_conn *c, const struct mm_alog_cut *cut);

/* sqlite_copy.c: the copy operations of backend.h. */

int mm_sq_copy_columns(struct mm_conn *c, const char *table, struct mm_arena *a, const char ***cols,
		       size_t *n);
int mm_sq_copy_scan(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		    mm_copy_fn fn, void *arg);
int mm_sq_copy_clear(struct mm_conn *c, const char *table);
int mm_sq_copy_put(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		   const struct mm_cval *row);
int mm_sq_copy_finish(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n);
/* Finalizes the statement copy_put keeps. */
void mm_sq_copy_free(struct mm_sq_conn *sc);

/* sqlite_grants.c */

int mm_sq_grant_add(struct mm_conn *c, struct mm_grant *g);
int mm_sq_grant_remove(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id);
int mm_sq_grant_list(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
		     struct mm_grant **out, size_t *n);
int mm_sq_grant_kinds(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
		      unsigned *kinds);

/* The access condition of lists is built by acl_sql.c. */

#endif
