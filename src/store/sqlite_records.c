/* The SQLite backend's single-record operations: the per-register
 * statements built once per connection, reading and writing records, unique
 * lookups, history, counters and settings. */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

static int bind_value(sqlite3_stmt *st, int idx, const struct mm_field *f, const struct mm_value *v)
{
	if (!v->set)
		return sqlite3_bind_null(st, idx);
	if (mm_sq_int_field(f))
		return sqlite3_bind_int64(st, idx, v->i);
	if (!v->s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, v->s, -1, SQLITE_STATIC);
}

static int bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

/* Copies a text column into the arena; NULL stays NULL. */
int mm_sq_dup_text(sqlite3_stmt *st, int col, struct mm_arena *a, const char **out)
{
	const unsigned char *p = sqlite3_column_text(st, col);

	*out = NULL;
	if (!p) /* NULL, or no memory to convert the value to text */
		return sqlite3_column_type(st, col) == SQLITE_NULL ? MM_OK : MM_ENOMEM;
	*out = mm_arena_strndup(a, (const char *)p, (size_t)sqlite3_column_bytes(st, col));
	return *out ? MM_OK : MM_ENOMEM;
}

static int read_value(sqlite3_stmt *st, int col, const struct mm_field *f, struct mm_arena *a,
		      struct mm_value *v)
{
	int rc;

	v->i = 0;
	v->s = NULL;
	if (mm_sq_int_field(f)) {
		v->set = sqlite3_column_type(st, col) != SQLITE_NULL;
		if (v->set)
			v->i = sqlite3_column_int64(st, col);
		return MM_OK;
	}
	rc = mm_sq_dup_text(st, col, a, &v->s);
	v->set = v->s != NULL;
	return rc;
}

/* Reads a row selected as system_cols followed by the schema's fields. */
int mm_sq_read_record(sqlite3_stmt *st, const struct mm_schema *s, struct mm_arena *a,
		      struct mm_record *r)
{
	int rc;

	r->id = sqlite3_column_int64(st, 0);
	r->version = sqlite3_column_int64(st, 1);
	r->retired = sqlite3_column_int64(st, 2) != 0;
	rc = mm_sq_dup_text(st, 3, a, &r->created_at);
	if (!rc)
		rc = mm_sq_dup_text(st, 4, a, &r->updated_at);
	if (!rc)
		rc = mm_sq_dup_text(st, 5, a, &r->updated_by);
	if (rc)
		return rc;
	r->v = mm_arena_zalloc(a, (s->nfields ? s->nfields : 1) * sizeof(*r->v));
	if (!r->v)
		return MM_ENOMEM;
	for (size_t i = 0; i < s->nfields && !rc; i++)
		rc = read_value(st, MM_SQ_NSYSCOLS + (int)i, &s->fields[i], a, &r->v[i]);
	return rc;
}

static void add_search_columns(struct mm_buf *b, const struct mm_schema *s, const char *prefix)
{
	for (size_t i = 0; i < s->nfields; i++) {
		if (!(s->fields[i].flags & MM_F_SEARCH))
			continue;
		mm_buf_adds(b, prefix);
		mm_sq_add_ident(b, s->fields[i].name, NULL);
	}
}

/* The statement cache. */

static void free_cached(struct mm_sq_cached *e)
{
	if (!e)
		return;
	sqlite3_finalize(e->get);
	sqlite3_finalize(e->insert);
	sqlite3_finalize(e->update);
	sqlite3_finalize(e->state);
	sqlite3_finalize(e->fts_del);
	sqlite3_finalize(e->fts_add);
	if (e->find)
		for (size_t i = 0; i < e->nfields; i++)
			sqlite3_finalize(e->find[i]);
	free(e->find);
	free(e);
}

void mm_sq_drop_cache(struct mm_sq_conn *sc)
{
	while (sc->cache) {
		struct mm_sq_cached *e = sc->cache;
		sc->cache = e->next;
		free_cached(e);
	}
}

/* The statements that keep the search index in step: remove a row's
 * entry before it changes, add it again afterwards. */
static int build_fts(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_sq_cached *e,
		     struct mm_buf *b)
{
	const char *t = s->name;
	int rc;

	mm_buf_reset(b);
	mm_buf_adds(b, "INSERT INTO ");
	mm_sq_add_ident(b, t, "_fts");
	mm_buf_addc(b, '(');
	mm_sq_add_ident(b, t, "_fts");
	mm_buf_adds(b, ", rowid");
	add_search_columns(b, s, ", ");
	mm_buf_adds(b, ") SELECT 'delete', id");
	add_search_columns(b, s, ", ");
	mm_buf_adds(b, " FROM ");
	mm_sq_add_ident(b, t, NULL);
	mm_buf_adds(b, " WHERE id = ?");
	rc = mm_sq_prepare_buf(sc, b, true, &e->fts_del);
	if (rc)
		return rc;

	mm_buf_reset(b);
	mm_buf_adds(b, "INSERT INTO ");
	mm_sq_add_ident(b, t, "_fts");
	mm_buf_adds(b, "(rowid");
	add_search_columns(b, s, ", ");
	mm_buf_adds(b, ") SELECT id");
	add_search_columns(b, s, ", ");
	mm_buf_adds(b, " FROM ");
	mm_sq_add_ident(b, t, NULL);
	mm_buf_adds(b, " WHERE id = ?");
	return mm_sq_prepare_buf(sc, b, true, &e->fts_add);
}

static int build_cached(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_sq_cached *e)
{
	const char *t = s->name;
	int lf = mm_schema_level_field(s);
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_SQ_SQL_CAP);

	mm_buf_adds(&b, "SELECT ");
	mm_sq_add_columns(&b, s);
	mm_buf_adds(&b, " FROM ");
	mm_sq_add_ident(&b, t, NULL);
	mm_buf_adds(&b, " WHERE id = ?");
	rc = mm_sq_prepare_buf(sc, &b, true, &e->get);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "INSERT INTO ");
	mm_sq_add_ident(&b, t, NULL);
	mm_buf_adds(&b, "(version, retired, created_at, updated_at, updated_by");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		mm_sq_add_ident(&b, s->fields[i].name, NULL);
	}
	mm_buf_adds(&b, ") VALUES(1, 0, ?, ?, ?");
	for (size_t i = 0; i < s->nfields; i++)
		mm_buf_adds(&b, ", ?");
	mm_buf_addc(&b, ')');
	rc = mm_sq_prepare_buf(sc, &b, true, &e->insert);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "UPDATE ");
	mm_sq_add_ident(&b, t, NULL);
	mm_buf_adds(&b, " SET version = ?, retired = ?, updated_at = ?, updated_by = ?");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		mm_sq_add_ident(&b, s->fields[i].name, NULL);
		mm_buf_adds(&b, " = ?");
	}
	mm_buf_adds(&b, " WHERE id = ? AND version = ?");
	rc = mm_sq_prepare_buf(sc, &b, true, &e->update);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "SELECT retired, ");
	if (lf >= 0) {
		mm_buf_adds(&b, "coalesce(");
		mm_sq_add_ident(&b, s->fields[lf].name, NULL);
		mm_buf_adds(&b, ", 4)");
	} else {
		mm_buf_adds(&b, "0");
	}
	mm_buf_adds(&b, " FROM ");
	mm_sq_add_ident(&b, t, NULL);
	mm_buf_adds(&b, " WHERE id = ?");
	rc = mm_sq_prepare_buf(sc, &b, true, &e->state);
	if (rc)
		goto out;

	if (mm_sq_count_search(s))
		rc = build_fts(sc, s, e, &b);
out:
	mm_buf_free(&b);
	return rc;
}

/* Finds or builds the statements of schema s on this connection. Schemas are
 * static data keyed by address; they must outlive the store. */
int mm_sq_cached_for(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_sq_cached **out)
{
	struct mm_sq_cached *e;
	int rc;

	for (e = sc->cache; e; e = e->next) {
		if (e->s == s && e->nfields == s->nfields) {
			*out = e;
			return MM_OK;
		}
	}
	rc = mm_store_schema_check(s);
	if (rc) {
		mm_sq_note(sc, "schema has a name that is not a safe SQL identifier");
		return rc;
	}
	rc = MM_ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->s = s;
	e->nfields = s->nfields;
	e->find = calloc(s->nfields ? s->nfields : 1, sizeof(*e->find));
	if (!e->find)
		goto out;
	rc = build_cached(sc, s, e);
	if (rc)
		goto out;
	e->next = sc->cache;
	sc->cache = e;
	*out = e;
	e = NULL;
out:
	free_cached(e);
	return rc;
}

static int fts_step(struct mm_sq_conn *sc, sqlite3_stmt *st, int64_t id)
{
	if (!st)
		return MM_OK;
	sqlite3_bind_int64(st, 1, id);
	return mm_sq_step_done(sc, st);
}

/* Records. */

int mm_sq_rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		  struct mm_record *out)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_sq_cached *e;
	int rc, src;

	rc = mm_sq_cached_for(sc, s, &e);
	if (rc)
		return rc;
	sqlite3_bind_int64(e->get, 1, id);
	src = mm_sq_step(sc, e->get);
	if (src == SQLITE_ROW)
		rc = mm_sq_read_record(e->get, s, a, out);
	else if (src == SQLITE_DONE)
		rc = MM_ENOTFOUND;
	else
		rc = mm_sq_fail(sc, src);
	mm_sq_done(e->get);
	return rc;
}

static int bind_fields(sqlite3_stmt *st, int first, const struct mm_schema *s,
		       const struct mm_value *v)
{
	int src = SQLITE_OK;

	for (size_t i = 0; i < s->nfields && src == SQLITE_OK; i++)
		src = bind_value(st, first + (int)i, &s->fields[i], &v[i]);
	return src;
}

/* Adds to the numbers of active and retired records of s. A register
 * without a row in record_counts gets none: its lists count their rows. */
static int counts_add(struct mm_sq_conn *sc, const struct mm_schema *s, int active, int retired)
{
	sqlite3_stmt *st;
	int rc;

	rc = mm_sq_stmt_fixed(sc, FX_COUNTS_ADD, &st);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, active);
	sqlite3_bind_int(st, 2, retired);
	bind_text(st, 3, s->name);
	return mm_sq_step_done(sc, st);
}

/* The level a record is counted at in level_counts: its level field, 4
 * when that is empty. */
static int64_t level_of(const struct mm_schema *s, const struct mm_value *v)
{
	int lf = mm_schema_level_field(s);

	return v[lf].set ? v[lf].i : 4;
}

/* Adds to the numbers of active and retired records of s at level. */
static int level_add(struct mm_sq_conn *sc, const struct mm_schema *s, int64_t level, int active,
		     int retired)
{
	sqlite3_stmt *st;
	int rc;

	rc = mm_sq_stmt_fixed(sc, FX_LEVEL_ADD, &st);
	if (rc)
		return rc;
	bind_text(st, 1, s->name);
	sqlite3_bind_int64(st, 2, level);
	sqlite3_bind_int(st, 3, active);
	sqlite3_bind_int(st, 4, retired);
	return mm_sq_step_done(sc, st);
}

/* Moves a record's count in level_counts from its state before an update
 * to its state after; nothing when neither changed. */
static int level_move(struct mm_sq_conn *sc, const struct mm_schema *s, int64_t was_level,
		      bool was_retired, const struct mm_record *rec)
{
	int64_t level = level_of(s, rec->v);
	int rc;

	if (level == was_level && was_retired == rec->retired)
		return MM_OK;
	rc = level_add(sc, s, was_level, was_retired ? 0 : -1, was_retired ? -1 : 0);
	if (!rc)
		rc = level_add(sc, s, level, rec->retired ? 0 : 1, rec->retired ? 1 : 0);
	return rc;
}

int mm_sq_counts_get(struct mm_sq_conn *sc, const struct mm_schema *s, int64_t *active,
		     int64_t *retired)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = mm_sq_stmt_fixed(sc, FX_COUNTS_GET, &st);
	if (rc)
		return rc;
	bind_text(st, 1, s->name);
	src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW) {
		*active = sqlite3_column_int64(st, 0);
		*retired = sqlite3_column_int64(st, 1);
		rc = MM_OK;
	} else {
		rc = src == SQLITE_DONE ? MM_ENOTFOUND : mm_sq_fail(sc, src);
	}
	mm_sq_done(st);
	return rc;
}

int mm_sq_rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_sq_cached *e;
	int64_t id = 0;
	int rc;

	if (!rec->created_at || !rec->updated_at || !rec->updated_by || (s->nfields && !rec->v))
		return MM_EINVAL;
	rc = mm_sq_cached_for(sc, s, &e);
	if (rc)
		return rc;
	rc = mm_sq_op_begin(sc, true);
	if (rc)
		return rc;
	bind_text(e->insert, 1, rec->created_at);
	bind_text(e->insert, 2, rec->updated_at);
	bind_text(e->insert, 3, rec->updated_by);
	if (bind_fields(e->insert, 4, s, rec->v) != SQLITE_OK) {
		rc = mm_sq_fail(sc, sqlite3_extended_errcode(sc->db));
		mm_sq_done(e->insert);
		goto out;
	}
	rc = mm_sq_step_done(sc, e->insert);
	if (rc)
		goto out;
	id = sqlite3_last_insert_rowid(sc->db);
	rc = fts_step(sc, e->fts_add, id);
	if (!rc)
		rc = counts_add(sc, s, 1, 0);
	if (!rc && mm_schema_level_field(s) >= 0)
		rc = level_add(sc, s, level_of(s, rec->v), 1, 0);
	if (!rc)
		sc->gen_dirty = true;
out:
	rc = mm_sq_op_end(sc, rc);
	if (!rc) {
		rec->id = id;
		rec->version = 1;
		rec->retired = false;
	}
	return rc;
}

/* Reads whether record id is retired now, and its level in level_counts
 * (0 for a schema without a level field). MM_ENOTFOUND when absent. */
static int read_state(struct mm_sq_conn *sc, struct mm_sq_cached *e, int64_t id, bool *retired,
		      int64_t *level)
{
	int src, rc;

	sqlite3_bind_int64(e->state, 1, id);
	src = mm_sq_step(sc, e->state);
	if (src == SQLITE_ROW) {
		*retired = sqlite3_column_int64(e->state, 0) != 0;
		*level = sqlite3_column_int64(e->state, 1);
		rc = MM_OK;
	} else if (src == SQLITE_DONE) {
		rc = MM_ENOTFOUND;
	} else {
		rc = mm_sq_fail(sc, src);
	}
	mm_sq_done(e->state);
	return rc;
}

int mm_sq_rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
		     int64_t expected_version)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_sq_cached *e;
	bool was_retired = false;
	int64_t was_level = 0;
	int rc, k;

	if (!rec->updated_at || !rec->updated_by || (s->nfields && !rec->v))
		return MM_EINVAL;
	rc = mm_sq_cached_for(sc, s, &e);
	if (rc)
		return rc;
	rc = mm_sq_op_begin(sc, true);
	if (rc)
		return rc;
	rc = read_state(sc, e, rec->id, &was_retired, &was_level);
	if (rc)
		goto out;
	rc = fts_step(sc, e->fts_del, rec->id);
	if (rc)
		goto out;
	sqlite3_bind_int64(e->update, 1, rec->version);
	sqlite3_bind_int(e->update, 2, rec->retired ? 1 : 0);
	bind_text(e->update, 3, rec->updated_at);
	bind_text(e->update, 4, rec->updated_by);
	k = 5 + (int)s->nfields;
	if (bind_fields(e->update, 5, s, rec->v) != SQLITE_OK ||
	    sqlite3_bind_int64(e->update, k, rec->id) != SQLITE_OK ||
	    sqlite3_bind_int64(e->update, k + 1, expected_version) != SQLITE_OK) {
		rc = mm_sq_fail(sc, sqlite3_extended_errcode(sc->db));
		mm_sq_done(e->update);
		goto out;
	}
	rc = mm_sq_step_done(sc, e->update);
	if (rc)
		goto out;
	if (sqlite3_changes(sc->db) == 0) {
		rc = MM_ECONFLICT; /* the record exists: its version differs */
		goto out;
	}
	rc = fts_step(sc, e->fts_add, rec->id);
	if (!rc && was_retired != rec->retired)
		rc = counts_add(sc, s, rec->retired ? -1 : 1, rec->retired ? 1 : -1);
	if (!rc && mm_schema_level_field(s) >= 0)
		rc = level_move(sc, s, was_level, was_retired, rec);
	if (!rc)
		sc->gen_dirty = true;
out:
	return mm_sq_op_end(sc, rc);
}

int mm_sq_rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
		   const struct mm_value *value, int64_t exclude_id, int64_t *id)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	const struct mm_field *f;
	struct mm_sq_cached *e;
	sqlite3_stmt *st;
	struct mm_buf b;
	int rc, src;

	rc = mm_sq_cached_for(sc, s, &e);
	if (rc)
		return rc;
	if (field < 0 || (size_t)field >= s->nfields)
		return MM_EINVAL;
	f = &s->fields[field];
	if (!value->set || (!mm_sq_int_field(f) && !value->s))
		return MM_ENOTFOUND;
	if (!e->find[field]) {
		mm_buf_init(&b, MM_SQ_SQL_CAP);
		mm_buf_adds(&b, "SELECT id FROM ");
		mm_sq_add_ident(&b, s->name, NULL);
		mm_buf_adds(&b, " WHERE ");
		mm_sq_add_ident(&b, f->name, NULL);
		mm_buf_adds(&b, " = ? AND id <> ? ORDER BY id LIMIT 1");
		rc = mm_sq_prepare_buf(sc, &b, true, &e->find[field]);
		mm_buf_free(&b);
		if (rc)
			return rc;
	}
	st = e->find[field];
	bind_value(st, 1, f, value);
	sqlite3_bind_int64(st, 2, exclude_id);
	src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	rc = src == SQLITE_ROW ? MM_OK : src == SQLITE_DONE ? MM_ENOTFOUND : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

/* History, counters and settings. */

int mm_sq_hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc;

	if (!h->at || !h->actor || !h->action || !h->changes)
		return MM_EINVAL;
	rc = mm_sq_stmt_fixed(sc, FX_HIST_ADD, &st);
	if (rc)
		return rc;
	bind_text(st, 1, s->name);
	sqlite3_bind_int64(st, 2, h->record_id);
	sqlite3_bind_int64(st, 3, h->version);
	bind_text(st, 4, h->at);
	bind_text(st, 5, h->actor);
	bind_text(st, 6, h->action);
	bind_text(st, 7, h->changes);
	return mm_sq_step_done(sc, st);
}

int mm_sq_hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		    struct mm_hist **out, size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_hist *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, src;

	*out = NULL;
	*n = 0;
	rc = mm_sq_stmt_fixed(sc, FX_HIST_LIST, &st);
	if (rc)
		return rc;
	bind_text(st, 1, s->name);
	sqlite3_bind_int64(st, 2, id);
	while ((src = mm_sq_step(sc, st)) == SQLITE_ROW) {
		struct mm_hist *h;
		if (!mm_arena_grow(a, &v, *n, &cap, sizeof(*v), 8)) {
			rc = MM_ENOMEM;
			goto out;
		}
		h = &v[*n];
		h->record_id = sqlite3_column_int64(st, 0);
		h->version = sqlite3_column_int64(st, 1);
		rc = mm_sq_dup_text(st, 2, a, &h->at);
		if (!rc)
			rc = mm_sq_dup_text(st, 3, a, &h->actor);
		if (!rc)
			rc = mm_sq_dup_text(st, 4, a, &h->action);
		if (!rc)
			rc = mm_sq_dup_text(st, 5, a, &h->changes);
		if (rc)
			goto out;
		(*n)++;
	}
	if (src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
out:
	mm_sq_done(st);
	*out = v;
	if (rc)
		*n = 0;
	return rc;
}

int mm_sq_seq_next(struct mm_conn *c, const char *name, int64_t *out)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc, src;

	if (!name)
		return MM_EINVAL;
	rc = mm_sq_stmt_fixed(sc, FX_SEQ_NEXT, &st);
	if (rc)
		return rc;
	bind_text(st, 1, name);
	src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		src = mm_sq_step(sc, st);
		if (src == SQLITE_DONE)
			src = SQLITE_ROW;
	}
	rc = src == SQLITE_ROW ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

int mm_sq_meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc, src;

	*value = NULL;
	if (!key)
		return MM_EINVAL;
	rc = mm_sq_stmt_fixed(sc, FX_META_GET, &st);
	if (rc)
		return rc;
	bind_text(st, 1, key);
	src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW)
		rc = mm_sq_dup_text(st, 0, a, value);
	else
		rc = src == SQLITE_DONE ? MM_ENOTFOUND : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

int mm_sq_meta_set(struct mm_conn *c, const char *key, const char *value)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc;

	if (!key || !value)
		return MM_EINVAL;
	rc = mm_sq_stmt_fixed(sc, FX_META_SET, &st);
	if (rc)
		return rc;
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	return mm_sq_step_done(sc, st);
}
