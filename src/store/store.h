/* The storage interface. Domain code talks only to this header; backends
 * (SQLite, PostgreSQL) live behind a table of function pointers
 * chosen by the database URL. Every statement a backend runs is
 * parameterised; identifiers come only from static schemas.
 *
 * A store is shared by all threads. A connection (mm_conn) is used by one
 * thread at a time: take one with mm_store_acquire and give it back with
 * mm_store_release. */
#ifndef MM_STORE_STORE_H
#define MM_STORE_STORE_H

#include "core/arena.h"
#include "core/schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_store;
struct mm_conn;

enum mm_op { MM_OP_EQ, MM_OP_GE, MM_OP_LE };

struct mm_filter {
	int field; /* index into the schema's fields */
	enum mm_op op;
	struct mm_value v;
};

enum mm_status_filter { MM_ACTIVE, MM_RETIRED, MM_ANY_STATUS };

struct mm_acl; /* store/grants.h */

/* Keyset paging: a list that goes on after one record, in the list's
 * order (sort key, then id), instead of skipping offset records. */
struct mm_after {
	int64_t id;
	struct mm_value key; /* the sort key's value, unset for NULL; unused
				when the list is sorted by id */
};

struct mm_query {
	const struct mm_filter *filters;
	size_t nfilters;
	const char *q; /* free text over MM_F_SEARCH fields, or NULL */
	int sort;      /* field index, MM_SORT_ID or MM_SORT_UPDATED */
	bool desc;
	enum mm_status_filter status;
	size_t limit; /* at most this many records (the caller caps it) */
	size_t offset;
	/* Which records the reader may see (store/grants.h); NULL: all. The
	 * total counts only those. */
	const struct mm_acl *acl;
	const struct mm_after *after; /* NULL, or offset is 0 */
};

/* Lists count what they select up to this many records: past it, a count
 * would read every matching record of a large register (a million assets)
 * for a number nobody pages through. Lists of a whole register without an
 * access filter are counted exactly (the store keeps those numbers). */
enum { MM_TOTAL_CAP = 10000 };

struct mm_page {
	struct mm_record *recs;
	size_t n;
	int64_t total; /* records matching the query, ignoring limit/offset/after */
	bool capped;   /* total is MM_TOTAL_CAP: at least that many match */
	bool more;     /* records follow this page */
};

/* One entry of a record's history: a version and what changed in it. */
struct mm_hist {
	int64_t record_id;
	int64_t version;
	const char *at;	     /* UTC ISO 8601 */
	const char *actor;   /* who made the change */
	const char *action;  /* create, update, retire, restore, import */
	const char *changes; /* JSON object: field -> [old, new] */
};

/* Opens the database named by url ("sqlite:PATH", or a plain path for SQLite;
 * "postgresql://..." or "postgres://..." for PostgreSQL, passed whole to
 * libpq) with a pool of up to pool_size connections. On failure returns an error and
 * writes a human-readable reason into why (may be NULL). */
int mm_store_open(const char *url, size_t pool_size, struct mm_store **out, char *why,
		  size_t whylen);

/* Closes every connection; NULL does nothing. */
void mm_store_close(struct mm_store *st);

/* Brings the database to the current schema version: system tables through
 * versioned migrations, register tables and indexes from their schemas. */
int mm_store_migrate(struct mm_store *st, const struct mm_schema *const *schemas, size_t n);

/* Makes sure lists of active records of s can count and select by the
 * fields f[0..n-1] together from one index (retired, f..., id): for
 * conditions the schema alone does not tell of, such as the access rule's
 * owning section with level. n is 1 to 3; an f[i] of MM_INDEX_UPDATED is
 * the time of the last change (updated_at), which orders lists too. */
#define MM_INDEX_UPDATED ((size_t)-1)
int mm_store_index(struct mm_store *st, const struct mm_schema *s, const size_t *f, size_t n);

/* Writes a consistent copy of the whole database to a new file at path
 * (never over an existing one; readable by its owner only) while others
 * keep reading and writing, and checks the copy's integrity. On failure
 * nothing is left at path and why says what went wrong. */
int mm_store_backup(struct mm_conn *c, const char *path, char *why, size_t whylen);

/* Replaces the whole database with the backup at path, after checking that
 * it is an intact mamori database no newer than this program. Meant for a
 * stopped server: a running one would serve the old and new mixed. */
int mm_store_restore(struct mm_conn *c, const char *path, char *why, size_t whylen);

/* Takes a connection from the pool, waiting while all are busy; NULL when a
 * new connection could not be opened. */
struct mm_conn *mm_store_acquire(struct mm_store *st);
void mm_store_release(struct mm_store *st, struct mm_conn *c);
/* Lets the idle connections go of what they keep between uses: on SQLite
 * the read snapshot, which holds back the WAL's checkpoints. A server calls
 * it every second or so. */
void mm_store_rest(struct mm_store *st);
/* Closes the idle connections, with what they hold (statements, page cache,
 * the map of the file); the pool opens new ones when it needs them. */
void mm_store_close_idle(struct mm_store *st);

/* Transactions. A write transaction takes the write lock at begin. */
int mm_tx_begin(struct mm_conn *c, bool write);
int mm_tx_commit(struct mm_conn *c);
void mm_tx_rollback(struct mm_conn *c);

/* Reads record id into out (strings from a). MM_ENOTFOUND when absent. */
int mm_rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
	       struct mm_record *out);

/* Reads the records of ids (n at most MM_GET_MANY_MAX) that exist into
 * out, which has room for n, in any order; *nout gets their number. One
 * round trip on a database server where n mm_rec_get would make n. */
enum { MM_GET_MANY_MAX = 1000 };
int mm_rec_get_many(struct mm_conn *c, const struct mm_schema *s, const int64_t *ids, size_t n,
		    struct mm_arena *a, struct mm_record *out, size_t *nout);

/* Inserts rec (version 1, not retired) and sets rec->id. */
int mm_rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec);

/* Stores rec over the record with the same id if its stored version is still
 * expected_version, writing rec->version (which the caller has raised).
 * MM_ECONFLICT when the stored version differs, MM_ENOTFOUND when absent. */
int mm_rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
		  int64_t expected_version);

/* Lists records matching q into out (strings from a). */
int mm_rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
		struct mm_arena *a, struct mm_page *out);

/* Looks up the id of the record whose field holds value (text or integer).
 * MM_ENOTFOUND when none; exclude_id (0: none) is skipped. */
int mm_rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
		const struct mm_value *value, int64_t exclude_id, int64_t *id);

/* Appends a history entry for a record of schema s. */
int mm_hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h);

/* Lists the history of one record, oldest first. */
int mm_hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		 struct mm_hist **out, size_t *n);

/* Returns the next value of the named counter (starting at 1). */
int mm_seq_next(struct mm_conn *c, const char *name, int64_t *out);

/* A number that changes whenever a transaction commits that changed records,
 * grants or accounts, or ended a session or revoked an API token, through any
 * connection or process (0 before the first). Touching a session, counting
 * failures and appending audit events leave it alone. Caches of what was
 * read (rendered lists, principals) keep it and compare. */
int mm_store_generation(struct mm_conn *c, int64_t *out);

/* Settings kept in the database. mm_meta_get gives MM_ENOTFOUND when unset. */
int mm_meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value);
int mm_meta_set(struct mm_conn *c, const char *key, const char *value);

/* The backend's message for the last failed operation on c (empty when none),
 * for logs only: it may name tables or constraints but never holds values. */
const char *mm_conn_errmsg(const struct mm_conn *c);

#endif
