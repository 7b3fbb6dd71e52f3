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

/* "SELECT cols FROM table ORDER BY cols[0]" or the COPY of copy_put. */
static int copy_sql(struct mm_buf *b, const char *table, const char *const *cols, size_t n,
		    bool insert)
{
	if (!mm_store_ident_ok(table) || n == 0)
		return MM_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!mm_store_ident_ok(cols[i]))
			return MM_EINVAL;
	mm_buf_adds(b, insert ? "COPY " : "SELECT ");
	if (insert) {
		mm_pg_add_ident(b, table, NULL);
		mm_buf_addc(b, '(');
	}
	for (size_t i = 0; i < n; i++) {
		mm_buf_adds(b, i ? ", " : "");
		mm_pg_add_ident(b, cols[i], NULL);
	}
	if (insert) {
		mm_buf_adds(b, ") FROM STDIN");
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
	rc = mm_pg_copy_end(mm_pg_conn(c), true);
	if (rc)
		return rc;
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_buf_adds(&b, "DELETE FROM ");
	mm_pg_add_ident(&b, table, NULL);
	rc = mm_pg_exec_buf(mm_pg_conn(c), &b);
	mm_buf_free(&b);
	return rc;
}

/* Rows go to the server in COPY's text format, many to a message: an INSERT
 * a row took a round trip each, hours for ten million audit entries. The
 * COPY of a table stays open across its rows and ends when another table
 * begins, the copy finishes, or the transaction ends (mm_pg_copy_end). */
enum { COPY_CHUNK = 1 << 16 };

static void copy_text(struct mm_buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '\\':
			mm_buf_adds(b, "\\\\");
			break;
		case '\t':
			mm_buf_adds(b, "\\t");
			break;
		case '\n':
			mm_buf_adds(b, "\\n");
			break;
		case '\r':
			mm_buf_adds(b, "\\r");
			break;
		default:
			mm_buf_addc(b, (char)p[i]);
		}
	}
}

static void copy_row(struct mm_buf *b, const struct mm_cval *row, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		const struct mm_cval *x = &row[i];
		const unsigned char *p = x->p;

		if (i)
			mm_buf_addc(b, '\t');
		if (x->kind == MM_CV_INT) {
			mm_buf_printf(b, "%lld", (long long)x->i);
		} else if (x->kind == MM_CV_TEXT) {
			copy_text(b, p, x->len);
		} else if (x->kind == MM_CV_BLOB) {
			mm_buf_adds(b, "\\\\x"); /* bytea's hex form, its backslash escaped */
			for (size_t k = 0; k < x->len; k++) {
				mm_buf_addc(b, hex[p[k] >> 4]);
				mm_buf_addc(b, hex[p[k] & 15]);
			}
		} else {
			mm_buf_adds(b, "\\N");
		}
	}
	mm_buf_addc(b, '\n');
}

static int copy_flush(struct mm_pg_conn *pc)
{
	int ok = pc->copy_rows.len == 0 ||
		 PQputCopyData(pc->pg, pc->copy_rows.data, (int)pc->copy_rows.len) == 1;

	mm_buf_reset(&pc->copy_rows);
	if (!ok) {
		mm_pg_note(pc, PQerrorMessage(pc->pg));
		return MM_EIO;
	}
	return MM_OK;
}

int mm_pg_copy_end(struct mm_pg_conn *pc, bool keep)
{
	PGresult *res;
	int rc;

	if (!pc->copying)
		return MM_OK;
	pc->copying = false;
	rc = keep ? copy_flush(pc) : MM_OK;
	mm_buf_reset(&pc->copy_rows);
	if (PQputCopyEnd(pc->pg, keep && !rc ? NULL : "abandoned") != 1 && !rc) {
		mm_pg_note(pc, PQerrorMessage(pc->pg));
		rc = MM_EIO;
	}
	while ((res = PQgetResult(pc->pg)) != NULL) {
		if (!rc && keep && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = mm_pg_fail(pc, res);
		PQclear(res);
	}
	return rc;
}

int mm_pg_copy_put(struct mm_conn *c, const char *table, const char *const *cols, size_t n,
		   const struct mm_cval *row)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_buf b;
	PGresult *res;
	int rc;

	mm_buf_init(&b, MM_PG_SQL_CAP);
	rc = copy_sql(&b, table, cols, n, true);
	if (!rc && (!pc->copying || strcmp(pc->copy_sql, b.data) != 0)) {
		/* A new table: end the last one's COPY, begin this one's. */
		rc = mm_pg_copy_end(pc, true);
		free(pc->copy_sql);
		pc->copy_sql = rc ? NULL : strdup(b.data);
		if (!rc && !pc->copy_sql)
			rc = MM_ENOMEM;
		if (!rc) {
			res = PQexec(pc->pg, pc->copy_sql);
			if (PQresultStatus(res) == PGRES_COPY_IN)
				pc->copying = true;
			else
				rc = mm_pg_fail(pc, res);
			PQclear(res);
		}
	}
	mm_buf_free(&b);
	if (rc)
		return rc;
	copy_row(&pc->copy_rows, row, n);
	if (pc->copy_rows.err) {
		mm_pg_copy_end(pc, false);
		return MM_ENOMEM;
	}
	return pc->copy_rows.len >= COPY_CHUNK ? copy_flush(pc) : MM_OK;
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
	int rc = mm_pg_copy_end(pc, true);

	if (!rc)
		rc = reset_identities(pc);
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
