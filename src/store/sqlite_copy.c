/* The SQLite backend's part of mamori db copy (store/copy.c): whole tables
 * read and written row by row, values keeping their storage class, then the
 * full-text indexes and record counts rebuilt from the rows. Ids need no
 * care here: an INTEGER PRIMARY KEY without AUTOINCREMENT hands out one
 * more than the largest id present. */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <string.h>

enum { ROW_MAX = 512 }; /* the most columns a copied table may have */

/* Checks table and every column name before they go into SQL text. */
static int names_ok(struct mm_sq_conn *sc, const char *table, const char *const *cols, size_t n)
{
	if (!mm_store_ident_ok(table) || n == 0 || n > ROW_MAX) {
		mm_sq_note(sc, "copy: bad table name or column count");
		return MM_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!mm_store_ident_ok(cols[i])) {
			mm_sq_note(sc, "copy: bad column name");
			return MM_EINVAL;
		}
	}
	return MM_OK;
}

static void add_cols(struct mm_buf *b, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			mm_buf_adds(b, ", ");
		mm_sq_add_ident(b, cols[i], NULL);
	}
}

int mm_sq_copy_columns(struct mm_conn *c, const char *table, struct mm_arena *a, const char ***cols,
		       size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	const char **v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, src;

	*cols = NULL;
	*n = 0;
	rc = mm_sq_stmt_fixed(sc, FX_COLUMNS, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((src = mm_sq_step(sc, st)) == SQLITE_ROW) {
		if (!mm_arena_grow(a, &v, *n, &cap, sizeof(*v), 16)) {
			rc = MM_ENOMEM;
			goto out;
		}
		rc = mm_sq_dup_text(st, 0, a, &v[*n]);
		if (rc)
			goto out;
		(*n)++;
	}
	if (src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
out:
	mm_sq_done(st);
	*cols = v;
	if (rc)
		*n = 0;
	return rc;
}

/* Reads column i of the current row into v; its bytes live until the next
 * step. */
static int read_cval(struct mm_sq_conn *sc, sqlite3_stmt *st, int i, struct mm_cval *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		v->kind = MM_CV_NULL;
		return MM_OK;
	case SQLITE_INTEGER:
		v->kind = MM_CV_INT;
		v->i = sqlite3_column_int64(st, i);
		return MM_OK;
	case SQLITE_TEXT:
		v->kind = MM_CV_TEXT;
		v->p = sqlite3_column_text(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		return v->p ? MM_OK : MM_ENOMEM;
	case SQLITE_BLOB:
		v->kind = MM_CV_BLOB;
		v->p = sqlite3_column_blob(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		if (!v->p)
			v->p = ""; /* an empty blob */
		return MM_OK;
	default:
		/* mamori stores no floating-point values. */
		mm_sq_note(sc, "copy: a column holds a floating-point value");
		return MM_EDB;
	}
}

int mm_sq_copy_scan(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		    mm_copy_fn fn, void *arg)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_cval row[ROW_MAX];
	sqlite3_stmt *st = NULL;
	struct mm_buf b;
	int rc, src = SQLITE_DONE;

	rc = names_ok(sc, table, cols, n);
	if (rc)
		return rc;
	mm_buf_init(&b, MM_SQ_SQL_CAP);
	mm_buf_adds(&b, "SELECT ");
	add_cols(&b, cols, n);
	mm_buf_adds(&b, " FROM ");
	mm_sq_add_ident(&b, table, NULL);
	mm_buf_adds(&b, " ORDER BY ");
	mm_sq_add_ident(&b, cols[0], NULL);
	rc = mm_sq_prepare_buf(sc, &b, false, &st);
	while (!rc && (src = mm_sq_step(sc, st)) == SQLITE_ROW) {
		for (size_t i = 0; i < n && !rc; i++)
			rc = read_cval(sc, st, (int)i, &row[i]);
		if (!rc)
			rc = fn(arg, row, n);
	}
	if (!rc && src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
	sqlite3_finalize(st);
	mm_buf_free(&b);
	return rc;
}

int mm_sq_copy_clear(struct mm_conn *c, const char *table)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_buf b;
	int rc;

	if (!mm_store_ident_ok(table)) {
		mm_sq_note(sc, "copy: bad table name");
		return MM_EINVAL;
	}
	mm_buf_init(&b, 256);
	mm_buf_adds(&b, "DELETE FROM ");
	mm_sq_add_ident(&b, table, NULL);
	rc = mm_sq_exec_buf(sc, &b);
	mm_buf_free(&b);
	return rc;
}

static int bind_cval(sqlite3_stmt *st, int idx, const struct mm_cval *v)
{
	switch (v->kind) {
	case MM_CV_INT:
		return sqlite3_bind_int64(st, idx, v->i);
	case MM_CV_TEXT:
		return sqlite3_bind_text64(st, idx, v->p, v->len, SQLITE_STATIC, SQLITE_UTF8);
	case MM_CV_BLOB:
		return sqlite3_bind_blob64(st, idx, v->p, v->len, SQLITE_STATIC);
	default:
		return sqlite3_bind_null(st, idx);
	}
}

/* The insert statement of table with cols, kept on the connection while
 * rows of the same table and columns follow. */
static int put_stmt(struct mm_sq_conn *sc, const char *table, const char *const *cols, size_t n,
		    sqlite3_stmt **out)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_SQ_SQL_CAP);
	mm_buf_adds(&b, "INSERT INTO ");
	mm_sq_add_ident(&b, table, NULL);
	mm_buf_addc(&b, '(');
	add_cols(&b, cols, n);
	mm_buf_adds(&b, ") VALUES(");
	for (size_t i = 0; i < n; i++)
		mm_buf_adds(&b, i ? ", ?" : "?");
	mm_buf_addc(&b, ')');
	if (b.err) {
		mm_buf_free(&b);
		mm_sq_note(sc, "generated SQL too long");
		return MM_ENOMEM;
	}
	if (sc->copy_put && strcmp(sqlite3_sql(sc->copy_put), b.data) == 0) {
		mm_buf_free(&b);
		*out = sc->copy_put;
		return MM_OK;
	}
	sqlite3_finalize(sc->copy_put);
	sc->copy_put = NULL;
	rc = mm_sq_prepare_buf(sc, &b, true, &sc->copy_put);
	mm_buf_free(&b);
	*out = sc->copy_put;
	return rc;
}

int mm_sq_copy_put(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		   const struct mm_cval *row)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc;

	rc = names_ok(sc, table, cols, n);
	if (!rc)
		rc = put_stmt(sc, table, cols, n, &st);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (bind_cval(st, (int)i + 1, &row[i]) != SQLITE_OK) {
			rc = mm_sq_fail(sc, sqlite3_errcode(sc->db));
			mm_sq_done(st);
			return rc;
		}
	}
	return mm_sq_step_done(sc, st);
}

void mm_sq_copy_free(struct mm_sq_conn *sc)
{
	sqlite3_finalize(sc->copy_put);
	sc->copy_put = NULL;
}

/* Rebuilds one register's full-text index (external content: the copied
 * rows never reached it) and its active and retired counts. */
static int finish_register(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_buf *b)
{
	if (mm_sq_count_search(s)) {
		int rc;

		mm_buf_reset(b);
		mm_buf_adds(b, "INSERT INTO ");
		mm_sq_add_ident(b, s->name, "_fts");
		mm_buf_addc(b, '(');
		mm_sq_add_ident(b, s->name, "_fts");
		mm_buf_adds(b, ") VALUES('rebuild')");
		rc = mm_sq_exec_buf(sc, b);
		if (rc)
			return rc;
	}
	return mm_sq_recount(sc, s, b);
}

int mm_sq_copy_finish(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_buf b;
	int rc = MM_OK;

	mm_sq_copy_free(sc);
	mm_buf_init(&b, MM_SQ_SQL_CAP);
	for (size_t i = 0; i < n && !rc; i++) {
		if (mm_store_schema_check(schemas[i])) {
			mm_sq_note(sc, "schema has a name that is not a safe SQL identifier");
			rc = MM_EINVAL;
			break;
		}
		rc = finish_register(sc, schemas[i], &b);
	}
	mm_buf_free(&b);
	/* Statements cached before the tables were refilled still work, but
	 * list plans may have been chosen on empty tables: start afresh. */
	mm_sq_drop_cache(sc);
	mm_sq_lists_free(sc);
	return rc;
}
