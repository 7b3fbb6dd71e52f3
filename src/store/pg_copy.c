/* The PostgreSQL backend's side of mamori db copy (backend.h: copy_*), and
 * its answer to mamori backup and restore: a PostgreSQL database is backed
 * up with pg_dump and restored with pg_restore, which know its server's
 * consistency and permissions better than a file copy could. */
#include "store/pg_int.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23 };

static int refuse(char *why, size_t whylen, const char *what)
{
	if (why && whylen)
		snprintf(why, whylen,
			 "%s of a PostgreSQL database is done with PostgreSQL's own tools: "
			 "pg_dump -Fc to back it up, pg_restore into an empty database to "
			 "restore it (mamori %s works on SQLite files only)",
			 strcmp(what, "backup") == 0 ? "a backup" : "a restore", what);
	return MM_EINVAL;
}

int mm_pg_backup(struct mm_conn *c, const char *path, char *why, size_t whylen)
{
	(void)c;
	(void)path;
	return refuse(why, whylen, "backup");
}

int mm_pg_restore(struct mm_conn *c, const char *path, char *why, size_t whylen)
{
	(void)c;
	(void)path;
	return refuse(why, whylen, "restore");
}

/* "SELECT cols FROM table ORDER BY cols[0]" or the INSERT of copy_put. */
static int copy_sql(struct mm_buf *b, const char *table, const char *const *cols, size_t n,
		    bool insert)
{
	if (!mm_store_ident_ok(table) || n == 0)
		return MM_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!mm_store_ident_ok(cols[i]))
			return MM_EINVAL;
	mm_buf_adds(b, insert ? "INSERT INTO " : "SELECT ");
	if (insert) {
		mm_pg_add_ident(b, table, NULL);
		mm_buf_addc(b, '(');
	}
	for (size_t i = 0; i < n; i++) {
		mm_buf_adds(b, i ? ", " : "");
		mm_pg_add_ident(b, cols[i], NULL);
	}
	if (insert) {
		mm_buf_adds(b, ") VALUES(");
		for (size_t i = 0; i < n; i++)
			mm_buf_printf(b, "%s$%zu", i ? ", " : "", i + 1);
		mm_buf_addc(b, ')');
	} else {
		mm_buf_adds(b, " FROM ");
		mm_pg_add_ident(b, table, NULL);
		mm_buf_adds(b, " ORDER BY ");
		mm_pg_add_ident(b, cols[0], NULL);
	}
	return b->err ? MM_ENOMEM : MM_OK;
}

/* One row of a scan as values; blobs are decoded into blob (grown). */
static int row_values(const PGresult *r, struct mm_cval *v, size_t n, uint8_t **blob, size_t *cap)
{
	size_t need = 0, used = 0;

	for (size_t i = 0; i < n; i++)
		if (PQftype(r, (int)i) == OID_BYTEA && !PQgetisnull(r, 0, (int)i))
			need += (size_t)PQgetlength(r, 0, (int)i) / 2;
	if (need > *cap) {
		uint8_t *p = realloc(*blob, need);
		if (!p)
			return MM_ENOMEM;
		*blob = p;
		*cap = need;
	}
	for (size_t i = 0; i < n; i++) {
		int col = (int)i;
		Oid t = PQftype(r, col);
		memset(&v[i], 0, sizeof(v[i]));
		if (PQgetisnull(r, 0, col)) {
			v[i].kind = MM_CV_NULL;
		} else if (t == OID_INT8 || t == OID_INT4 || t == OID_INT2) {
			v[i].kind = MM_CV_INT;
			v[i].i = mm_pg_int(r, 0, col);
		} else if (t == OID_BYTEA) {
			size_t len;
			if (!mm_pg_bytes(r, 0, col, *blob + used, *cap - used, &len))
				return MM_EDB;
			v[i].kind = MM_CV_BLOB;
			v[i].p = *blob + used;
			v[i].len = len;
			used += len;
		} else {
			v[i].kind = MM_CV_TEXT;
			v[i].p = PQgetvalue(r, 0, col);
			v[i].len = (size_t)PQgetlength(r, 0, col);
		}
	}
	return MM_OK;
}

/* Rows come one at a time (single-row mode), so that a large table is
 * never held in memory at once. */
int mm_pg_copy_scan(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		    mm_copy_fn fn, void *arg)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_cval *v = calloc(n ? n : 1, sizeof(*v));
	uint8_t *blob = NULL;
	size_t cap = 0;
	PGresult *res;
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_PG_SQL_CAP);
	rc = v ? copy_sql(&b, table, cols, n, false) : MM_ENOMEM;
	if (!rc && !PQsendQueryParams(pc->pg, b.data, 0, NULL, NULL, NULL, NULL, 0))
		rc = mm_pg_fail(pc, NULL);
	mm_buf_free(&b);
	if (rc) {
		free(v);
		return rc;
	}
	PQsetSingleRowMode(pc->pg);
	while ((res = PQgetResult(pc->pg))) {
		ExecStatusType s = PQresultStatus(res);
		if (s == PGRES_SINGLE_TUPLE && !rc) {
			rc = row_values(res, v, n, &blob, &cap);
			if (!rc)
				rc = fn(arg, v, n);
			if (rc) { /* stop the server sending the rest */
				PGcancel *cc = PQgetCancel(pc->pg);
				char err[64];
				if (cc) {
					PQcancel(cc, err, sizeof(err));
					PQfreeCancel(cc);
				}
			}
		} else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK && !rc) {
			rc = mm_pg_fail(pc, res);
		}
		PQclear(res);
	}
	free(blob);
	free(v);
	return rc;
}

int mm_pg_copy_clear(struct mm_conn *c, const char *table)
{
	struct mm_buf b;
	int rc;

	if (!mm_store_ident_ok(table))
		return MM_EINVAL;
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_buf_adds(&b, "DELETE FROM ");
	mm_pg_add_ident(&b, table, NULL);
	rc = mm_pg_exec_buf(mm_pg_conn(c), &b);
	mm_buf_free(&b);
	return rc;
}

int mm_pg_copy_put(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		   const struct mm_cval *row)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args a;
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_PG_SQL_CAP);
	rc = copy_sql(&b, table, cols, n, true);
	if (!rc && (!pc->copy_sql || strcmp(pc->copy_sql, b.data) != 0)) {
		/* A new table: prepare its INSERT once for all its rows. */
		free(pc->copy_sql);
		pc->copy_sql = strdup(b.data);
		pc->copy_put.id = 0;
		if (!pc->copy_sql)
			rc = MM_ENOMEM;
	}
	mm_buf_free(&b);
	if (rc)
		return rc;
	mm_pg_args_init(&a);
	for (size_t i = 0; i < n; i++) {
		const struct mm_cval *x = &row[i];
		if (x->kind == MM_CV_INT)
			mm_pg_arg_int(&a, x->i);
		else if (x->kind == MM_CV_TEXT)
			mm_pg_arg_textn(&a, x->p, x->len);
		else if (x->kind == MM_CV_BLOB)
			mm_pg_arg_bytes(&a, x->p, x->len);
		else
			mm_pg_arg_null(&a);
	}
	rc = mm_pg_run(pc, &pc->copy_put, pc->copy_sql, &a, NULL);
	mm_pg_args_free(&a);
	return rc;
}

/* Sets every identity column's next value past the ids copied in. */
static int reset_identities(struct mm_pg_conn *pc)
{
	PGresult *res;
	struct mm_buf b;
	int rc;

	rc = mm_pg_query(pc,
			 "SELECT table_name, column_name FROM information_schema.columns "
			 "WHERE table_schema = current_schema() AND is_identity = 'YES'",
			 NULL, &res);
	if (rc)
		return rc;
	mm_buf_init(&b, MM_PG_SQL_CAP);
	for (int i = 0; i < PQntuples(res) && !rc; i++) {
		const char *t = PQgetvalue(res, i, 0), *col = PQgetvalue(res, i, 1);
		if (!mm_store_ident_ok(t) || !mm_store_ident_ok(col))
			continue;
		mm_buf_reset(&b);
		mm_buf_printf(&b,
			      "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), "
			      "coalesce((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, false)",
			      t, col, col, t);
		rc = mm_pg_exec_buf(pc, &b);
	}
	mm_buf_free(&b);
	PQclear(res);
	return rc;
}

int mm_pg_copy_finish(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	int rc = reset_identities(pc);

	if (!rc)
		rc = mm_pg_alog_head_rebuild(pc, true);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = mm_store_schema_check(schemas[i]);
		if (!rc)
			rc = mm_pg_recount(pc, schemas[i]);
	}
	if (!rc)
		pc->gen_dirty = true;
	return rc;
}
