/* The register engine's record operations: create, update, retire, read,
 * list and history, each a transaction that writes the record and its
 * history entry together. Every operation applies the access rules of
 * access.h for ctx->who: a record the reader may not see answers as if it
 * did not exist, a write the writer may not make is MM_EPERM, and both are
 * audited once the refused work is rolled back. */
#include "domain/register.h"
#include "domain/register_int.h"

#include "core/buf.h"
#include "core/datetime.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/access.h"
#include "domain/audit_record.h"
#include "domain/principal.h"

#include <stdio.h>
#include <string.h>

enum { HIST_CAP = 1 << 20 };

int mm_ctx_tx_begin(struct mm_ctx *ctx)
{
	return ctx->in_tx ? MM_OK : mm_tx_begin(ctx->conn, true);
}

int mm_ctx_tx_end(struct mm_ctx *ctx, int rc)
{
	if (ctx->in_tx)
		return rc;
	if (rc) {
		mm_tx_rollback(ctx->conn);
		return rc;
	}
	return mm_tx_commit(ctx->conn);
}

static void json_value(struct mm_json *j, const struct mm_field *f, const struct mm_value *v)
{
	if (!v || !v->set)
		mm_json_null(j);
	else if (f->type == MM_FT_INT || f->type == MM_FT_REF)
		mm_json_int(j, v->i);
	else
		mm_json_str(j, v->s);
}

/* Writes {"field": [old, new], ...} for the fields that differ. */
const char *mm_reg_diff_json(const struct mm_register *r, struct mm_ctx *ctx,
			     const struct mm_value *old, const struct mm_value *now)
{
	const struct mm_schema *s = &r->schema;
	struct mm_buf b;
	struct mm_json j;
	const char *out;

	mm_buf_init(&b, HIST_CAP);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		const struct mm_value *o = old ? &old[i] : NULL;
		bool same;

		if (o && o->set == now[i].set && !o->set)
			continue;
		if (!o && !now[i].set)
			continue;
		same = o && o->set == now[i].set &&
		       ((f->type == MM_FT_INT || f->type == MM_FT_REF)
				? o->i == now[i].i
				: strcmp(o->s, now[i].s) == 0);
		if (same)
			continue;
		mm_json_key(&j, f->name);
		mm_json_arr_open(&j);
		json_value(&j, f, o);
		json_value(&j, f, &now[i]);
		mm_json_arr_close(&j);
	}
	mm_json_obj_close(&j);
	out = b.err ? NULL : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out;
}

int mm_reg_add_history(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		       const char *action, const char *changes)
{
	struct mm_hist h = {
		.record_id = rec->id,
		.version = rec->version,
		.at = rec->updated_at,
		.actor = ctx->actor,
		.action = action,
		.changes = changes,
	};

	if (!changes)
		return MM_ENOMEM;
	return mm_hist_add(ctx->conn, &r->schema, &h);
}

const char *mm_reg_now_iso(struct mm_ctx *ctx)
{
	char t[21];

	mm_time_iso(mm_now(), t);
	return mm_arena_strdup(ctx->a, t);
}

/* Gives the record an automatic key (prefix + counter) when it has none. */
static int assign_key(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec)
{
	struct mm_value *v;
	int rc;

	if (r->key_field < 0 || !(r->schema.fields[r->key_field].flags & MM_F_AUTO))
		return MM_OK;
	v = &rec->v[r->key_field];
	while (!v->set) {
		char key[32];
		int64_t n, other;

		rc = mm_seq_next(ctx->conn, r->schema.name, &n);
		if (rc)
			return rc;
		snprintf(key, sizeof(key), "%s%06lld", r->key_prefix, (long long)n);
		v->s = mm_arena_strdup(ctx->a, key);
		if (!v->s)
			return MM_ENOMEM;
		v->set = true;
		rc = mm_rec_find(ctx->conn, &r->schema, r->key_field, v, 0, &other);
		if (rc == MM_OK)
			v->set = false; /* taken by a hand-made key; draw the next */
		else if (rc != MM_ENOTFOUND)
			return rc;
	}
	return MM_OK;
}

/* Reads record id for the reader. A record the reader may not see is
 * MM_ENOTFOUND, like one that does not exist, with *denied set. */
int mm_reg_get_visible(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		       struct mm_record *out, const char **denied)
{
	bool ok = true;
	int rc = mm_rec_get(ctx->conn, &r->schema, id, ctx->a, out);

	if (!rc && ctx->who)
		rc = mm_access_read(ctx, r, out, &ok);
	if (rc || ok)
		return rc;
	*denied = "read";
	return MM_ENOTFOUND;
}

/* Refuses op unless ctx's principal may take it on rec (MM_EPERM, *denied
 * set). */
int mm_reg_allow(const struct mm_register *r, struct mm_ctx *ctx, enum mm_access_op op,
		 const char *name, const struct mm_record *rec, const char **denied)
{
	bool ok = true;
	int rc = ctx->who ? mm_access_may(ctx, r, op, rec, &ok) : MM_OK;

	if (rc || ok)
		return rc;
	*denied = name;
	return MM_EPERM;
}

/* Ends the engine's transaction, then records a refusal when there was
 * one: the refused work is rolled back, the record of the refusal is not. */
int mm_reg_finish(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int rc,
		  const char *denied)
{
	rc = mm_ctx_tx_end(ctx, rc);
	return denied ? mm_access_denied(ctx, r, id, denied, rc) : rc;
}

/* Whoever makes a record 極秘 over the web is named on it (access.h). */
static int name_classifier(const struct mm_register *r, struct mm_ctx *ctx,
			   const struct mm_record *rec)
{
	return ctx->who && mm_access_level(r, rec) >= 4 ? mm_access_name_self(ctx, r, rec->id)
							: MM_OK;
}

/* The register's own refusal of a write (struct mm_register's guard). */
static int guard(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		 const char *op, const char **denied)
{
	const struct mm_workflow *wf = r->workflow;
	int rc = r->guard ? r->guard(r, ctx, rec) : MM_OK;

	/* A decision freezes a record of a workflow: only its transitions
	 * move it on. */
	if (!rc && wf && !wf->edit_reopens && ctx->who && strcmp(op, "edit") == 0 &&
	    rec->v[wf->state_field].set && strcmp(rec->v[wf->state_field].s, wf->initial) != 0) {
		ctx->refusal = "wf_frozen";
		rc = MM_EPERM;
	}
	if (rc == MM_EPERM)
		*denied = op;
	return rc;
}

/* A changed record of a workflow that edits reopen goes back to its
 * initial state, its decision's stamps cleared; true when it did. */
static bool reopen(const struct mm_register *r, struct mm_record *rec)
{
	const struct mm_workflow *wf = r->workflow;
	const int stamps[] = { wf ? wf->actor_field : -1, wf ? wf->at_field : -1,
			       wf ? wf->comment_field : -1 };

	if (!wf || !wf->edit_reopens || !rec->v[wf->state_field].set ||
	    strcmp(rec->v[wf->state_field].s, wf->initial) == 0)
		return false;
	rec->v[wf->state_field].s = wf->initial;
	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++)
		if (stamps[i] >= 0)
			rec->v[stamps[i]].set = false;
	return true;
}

/* A new record of a register with a workflow starts in its initial state,
 * requested by whoever creates it. */
static void wf_start(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec)
{
	const struct mm_workflow *wf = r->workflow;

	if (!wf)
		return;
	rec->v[wf->state_field].set = true;
	rec->v[wf->state_field].s = wf->initial;
	if (wf->requester_field >= 0 && ctx->who && ctx->who->person_id) {
		rec->v[wf->requester_field].set = true;
		rec->v[wf->requester_field].i = ctx->who->person_id;
	}
}

int mm_reg_get(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, struct mm_record *out)
{
	const char *denied = NULL;
	int rc = mm_reg_get_visible(r, ctx, id, out, &denied);

	return denied ? mm_access_denied(ctx, r, id, denied, rc) : rc;
}

/* A record created without an owning section, in a register whose owner
 * field may be left empty, belongs to its creator's section. */
static void default_owner(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec)
{
	int fi = r->owner_field;

	if (fi < 0 || (r->schema.fields[fi].flags & MM_F_REQUIRED) || !ctx->who ||
	    !ctx->who->section_id)
		return;
	rec->v[fi].set = true;
	rec->v[fi].i = ctx->who->section_id;
}

int mm_reg_create(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_input *in,
		  struct mm_ferrs *errs, struct mm_record *out)
{
	const char *denied = NULL;
	int rc;

	errs->n = 0;
	memset(out, 0, sizeof(*out));
	out->v = mm_arena_zalloc(ctx->a, sizeof(*out->v) * r->schema.nfields);
	if (!out->v)
		return MM_ENOMEM;
	/* Someone who may create nowhere hears so before any field check. */
	if (!mm_access_may_create_any(ctx, r))
		return mm_access_denied(ctx, r, 0, "create", MM_EPERM);
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	default_owner(r, ctx, out);
	wf_start(r, ctx, out);
	rc = mm_reg_validate(r, ctx, in, out, errs);
	if (!rc)
		rc = mm_reg_allow(r, ctx, MM_ACCESS_CREATE, "create", out, &denied);
	if (!rc)
		rc = guard(r, ctx, out, "create", &denied);
	if (rc)
		goto out;
	rc = assign_key(r, ctx, out);
	if (rc)
		goto out;
	out->version = 1;
	out->created_at = out->updated_at = mm_reg_now_iso(ctx);
	out->updated_by = ctx->actor;
	rc = mm_rec_insert(ctx->conn, &r->schema, out);
	if (rc)
		goto out;
	rc = mm_reg_add_history(r, ctx, out, ctx->importing ? "import" : "create",
				mm_reg_diff_json(r, ctx, NULL, out->v));
	if (!rc)
		rc = name_classifier(r, ctx, out);
	if (!rc && r->after)
		rc = r->after(r, ctx, out, "create");
	if (!rc)
		rc = mm_audit_change(r, ctx, "create", NULL, NULL, out);
out:
	return mm_reg_finish(r, ctx, 0, rc, denied);
}

int mm_reg_update(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t version,
		  const struct mm_input *in, struct mm_ferrs *errs, struct mm_record *out)
{
	struct mm_record before;
	struct mm_value *old;
	size_t size = sizeof(*old) * r->schema.nfields;
	const char *changes, *denied = NULL;
	int fo = r->owner_field;
	int rc;

	errs->n = 0;
	old = mm_arena_alloc(ctx->a, size);
	if (!old)
		return MM_ENOMEM;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	/* Access before the version: a conflict must not tell that a hidden
	 * record exists. */
	rc = mm_reg_get_visible(r, ctx, id, out, &denied);
	if (!rc)
		rc = mm_reg_allow(r, ctx, MM_ACCESS_EDIT, "edit", out, &denied);
	if (!rc)
		rc = guard(r, ctx, out, "edit", &denied);
	if (rc)
		goto out;
	if (out->version != version) {
		rc = MM_ECONFLICT;
		goto out;
	}
	memcpy(old, out->v, size);
	before = *out;
	before.v = old;
	rc = mm_reg_validate(r, ctx, in, out, errs);
	if (rc)
		goto out;
	/* A record moves only to a section the writer could create it in. */
	if (fo >= 0 && (out->v[fo].set != old[fo].set || out->v[fo].i != old[fo].i))
		rc = mm_reg_allow(r, ctx, MM_ACCESS_CREATE, "edit", out, &denied);
	if (!rc)
		rc = guard(r, ctx, out, "edit", &denied);
	if (rc)
		goto out;
	changes = mm_reg_diff_json(r, ctx, old, out->v);
	if (!changes) {
		rc = MM_ENOMEM;
		goto out;
	}
	if (strcmp(changes, "{}") == 0)
		goto out; /* nothing changed: no new version */
	if (reopen(r, out))
		changes = mm_reg_diff_json(r, ctx, old, out->v);
	if (!changes) {
		rc = MM_ENOMEM;
		goto out;
	}
	out->version = version + 1;
	out->updated_at = mm_reg_now_iso(ctx);
	out->updated_by = ctx->actor;
	rc = mm_rec_update(ctx->conn, &r->schema, out, version);
	if (rc)
		goto out;
	rc = mm_reg_add_history(r, ctx, out, ctx->importing ? "import" : "update", changes);
	if (!rc)
		rc = name_classifier(r, ctx, out);
	if (!rc && r->after)
		rc = r->after(r, ctx, out, "update");
	if (!rc)
		rc = mm_audit_change(r, ctx, "update", NULL, &before, out);
out:
	return mm_reg_finish(r, ctx, id, rc, denied);
}

int mm_reg_set_retired(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t version,
		       bool retire, struct mm_record *out)
{
	const char *denied = NULL;
	struct mm_record before;
	int rc = mm_ctx_tx_begin(ctx);

	if (rc)
		return rc;
	rc = mm_reg_get_visible(r, ctx, id, out, &denied);
	if (!rc)
		rc = mm_reg_allow(r, ctx, MM_ACCESS_RETIRE, retire ? "retire" : "restore", out,
				  &denied);
	if (!rc && !retire)
		rc = guard(r, ctx, out, "restore", &denied);
	if (rc)
		goto out;
	if (out->version != version) {
		rc = MM_ECONFLICT;
		goto out;
	}
	if (out->retired == retire) {
		rc = MM_EINVAL;
		goto out;
	}
	before = *out;
	out->retired = retire;
	out->version = version + 1;
	out->updated_at = mm_reg_now_iso(ctx);
	out->updated_by = ctx->actor;
	rc = mm_rec_update(ctx->conn, &r->schema, out, version);
	if (rc)
		goto out;
	rc = mm_reg_add_history(r, ctx, out, retire ? "retire" : "restore",
				retire ? "{\"retired\":[false,true]}"
				       : "{\"retired\":[true,false]}");
	if (!rc && r->after)
		rc = r->after(r, ctx, out, retire ? "retire" : "restore");
	if (!rc)
		rc = mm_audit_change(r, ctx, retire ? "retire" : "restore", NULL, &before, out);
out:
	return mm_reg_finish(r, ctx, id, rc, denied);
}

/* Runs q for the reader: only the records they may see, and only those
 * counted. */
static int list_visible(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
			struct mm_page *out)
{
	struct mm_query vq = *q;
	struct mm_acl acl;
	int rc = mm_access_acl(ctx, r, &acl, &vq.acl);

	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	return mm_rec_list(ctx->conn, &r->schema, &vq, ctx->a, out);
}

int mm_reg_list(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		struct mm_page *out)
{
	return list_visible(r, ctx, q, out);
}

int mm_reg_history(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		   struct mm_hist **out, size_t *n)
{
	struct mm_record rec;
	int rc = mm_reg_get(r, ctx, id, &rec);

	*out = NULL;
	*n = 0;
	return rc ? rc : mm_hist_list(ctx->conn, &r->schema, id, ctx->a, out, n);
}

/* The display text of rec (see mm_reg_display). */
static const char *display_of(const struct mm_register *r, struct mm_ctx *ctx,
			      const struct mm_record *rec)
{
	const char *key, *title;
	struct mm_buf b;
	const char *out;
	bool ok = true;

	/* A reference to a record the reader may not see shows nothing of it. */
	if (ctx->who && (mm_access_read(ctx, r, rec, &ok) != MM_OK || !ok))
		return "";
	key = r->key_field >= 0 && rec->v[r->key_field].set ? rec->v[r->key_field].s : NULL;
	title = rec->v[r->title_field].set ? rec->v[r->title_field].s : "";
	if (!key)
		return title;
	mm_buf_init(&b, 1024);
	mm_buf_printf(&b, "%s %s", key, title);
	out = b.err ? "" : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : "";
}

const char *mm_reg_display(const struct mm_register *r, struct mm_ctx *ctx, int64_t id)
{
	struct mm_record rec;

	if (mm_rec_get(ctx->conn, &r->schema, id, ctx->a, &rec) != MM_OK)
		return "";
	return display_of(r, ctx, &rec);
}

int mm_reg_display_many(const struct mm_register *r, struct mm_ctx *ctx, const int64_t *ids,
			size_t n, const char **texts)
{
	struct mm_record *recs = mm_arena_alloc(ctx->a, (n ? n : 1) * sizeof(*recs));
	size_t got = 0;
	int rc;

	if (!recs)
		return MM_ENOMEM;
	rc = mm_rec_get_many(ctx->conn, &r->schema, ids, n, ctx->a, recs, &got);
	for (size_t i = 0; i < n; i++) {
		texts[i] = "";
		for (size_t k = 0; !rc && k < got; k++)
			if (recs[k].id == ids[i])
				texts[i] = display_of(r, ctx, &recs[k]);
	}
	return rc;
}

/* Finds the one record the reader sees whose field fi equals text;
 * MM_ECONFLICT when several. */
static int find_by(const struct mm_register *r, struct mm_ctx *ctx, int fi, const char *text,
		   int64_t *id)
{
	struct mm_filter f = { fi, MM_OP_EQ, { true, 0, text } };
	struct mm_query q = { &f, 1, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 2, 0, NULL, NULL };
	struct mm_page page;
	int rc = list_visible(r, ctx, &q, &page);

	if (rc)
		return rc;
	if (page.n == 0)
		return MM_ENOTFOUND;
	if (page.n > 1)
		return MM_ECONFLICT;
	*id = page.recs[0].id;
	return MM_OK;
}

int mm_reg_resolve(const struct mm_register *r, struct mm_ctx *ctx, const char *text, size_t len,
		   int64_t *id)
{
	const char *whole = mm_arena_strndup(ctx->a, text, len);
	const char *sp = memchr(text, ' ', len);
	int rc;

	if (!whole)
		return MM_ENOMEM;
	if (r->key_field >= 0) {
		const char *key = sp ? mm_arena_strndup(ctx->a, text, (size_t)(sp - text)) : whole;
		if (!key)
			return MM_ENOMEM;
		rc = find_by(r, ctx, r->key_field, key, id);
		if (rc != MM_ENOTFOUND)
			return rc;
	}
	return find_by(r, ctx, r->title_field, whole, id);
}
