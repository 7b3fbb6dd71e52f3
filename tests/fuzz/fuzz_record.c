/* JSON request bodies of the API, from bytes to a validated record of the
 * assets register: mm_api_json_input (jansson, typed values), then the
 * register engine's validation against a database that is only read.
 * Invariants: every string item is valid UTF-8 of its stated length; the
 * items written with mamori's JSON writer read back the same; and a
 * record that validates, written as the API writes it and read back (its
 * writable fields), validates again to the same values. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/registers.h"
#include "web/handlers.h"

#include <string.h>

static const struct mm_register *const reg = &mm_reg_assets;

static int validate(struct mm_ctx *ctx, const struct mm_input *in, struct mm_record *rec)
{
	struct mm_ferrs errs = { .n = 0 };
	const struct mm_schema *s = &reg->schema;

	memset(rec, 0, sizeof(*rec));
	rec->v = mm_arena_zalloc(ctx->a, sizeof(*rec->v) * s->nfields);
	if (!rec->v)
		return MM_ENOMEM;
	return mm_reg_validate(reg, ctx, in, rec, &errs);
}

/* Keeps the items of in that name writable fields. */
static void writable_only(struct mm_input *in)
{
	size_t k = 0;

	for (size_t i = 0; i < in->n; i++) {
		int fi = mm_schema_field(&reg->schema, in->items[i].name);

		if (fi >= 0 && !(reg->schema.fields[fi].flags & MM_F_DERIVED))
			in->items[k++] = in->items[i];
	}
	in->n = k;
}

static void round_trip(struct mm_ctx *ctx, struct mm_req *rq, const struct mm_record *rec)
{
	const struct mm_schema *s = &reg->schema;
	struct mm_record again;
	struct mm_input in;
	struct mm_json j;
	struct mm_buf out;
	int64_t version = 0;

	struct mm_record shown = *rec;

	/* Not stored, so without the times a stored record has. */
	shown.created_at = shown.updated_at = "2026-11-26T00:00:00Z";
	shown.updated_by = "fuzz";
	mm_buf_init(&out, 16u << 20);
	mm_json_init(&j, &out);
	mm_json_record(&j, reg, &shown);
	FUZZ_CHECK(!out.err);
	rq->body = out.data;
	rq->body_len = out.len;
	FUZZ_CHECK(mm_api_json_input(rq, &in, &version) == NULL);
	writable_only(&in);
	FUZZ_CHECK(validate(ctx, &in, &again) == MM_OK);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_value *a = &rec->v[i], *b = &again.v[i];

		FUZZ_CHECK(a->set == b->set);
		if (!a->set)
			continue;
		if (s->fields[i].type == MM_FT_INT || s->fields[i].type == MM_FT_REF)
			FUZZ_CHECK(a->i == b->i);
		else
			FUZZ_CHECK(strcmp(a->s, b->s) == 0);
	}
	mm_buf_free(&out);
}

/* Writes the items with mamori's JSON writer, reads them back with
 * mm_api_json_input and checks that nothing changed: the writer escapes
 * every string the parser can give. Items of other kinds (arrays, objects,
 * reals) are left out. */
static void items_round_trip(struct mm_req *rq, const struct mm_input *in)
{
	struct mm_input again;
	struct mm_json j;
	struct mm_buf out;
	int64_t version = 0;
	size_t k = 0;

	mm_buf_init(&out, 16u << 20);
	mm_json_init(&j, &out);
	mm_json_obj_open(&j);
	for (size_t i = 0; i < in->n; i++) {
		const struct mm_in *it = &in->items[i];

		if (it->kind == MM_IN_OTHER)
			continue;
		mm_json_key(&j, it->name);
		if (it->kind == MM_IN_NULL)
			mm_json_null(&j);
		else if (it->kind == MM_IN_INT)
			mm_json_int(&j, it->i);
		else
			mm_json_strn(&j, it->s, it->len);
	}
	mm_json_obj_close(&j);
	FUZZ_CHECK(!out.err);
	rq->body = out.data;
	rq->body_len = out.len;
	FUZZ_CHECK(mm_api_json_input(rq, &again, &version) == NULL);
	for (size_t i = 0; i < in->n; i++) {
		const struct mm_in *a = &in->items[i], *b;

		if (a->kind == MM_IN_OTHER)
			continue;
		FUZZ_CHECK(k < again.n);
		b = &again.items[k++];
		FUZZ_CHECK(strcmp(a->name, b->name) == 0 && a->kind == b->kind);
		if (a->kind == MM_IN_INT)
			FUZZ_CHECK(a->i == b->i);
		if (a->kind == MM_IN_STR)
			FUZZ_CHECK(a->len == b->len && memcmp(a->s, b->s, a->len) == 0);
	}
	FUZZ_CHECK(k == again.n);
	mm_buf_free(&out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	(void)fuzz_db();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_db *db = fuzz_db();
	struct mm_req rq = { 0 };
	struct mm_record rec;
	struct mm_input in;
	struct mm_ctx ctx;
	struct mm_arena a;
	int64_t version = 0;
	int rc;

	mm_arena_init(&a, 256u << 20);
	rq.a = &a;
	rq.content_type = "application/json";
	rq.body = (const char *)data;
	rq.body_len = size;
	if (mm_api_json_input(&rq, &in, &version) != NULL)
		goto out;
	for (size_t i = 0; i < in.n; i++) {
		FUZZ_CHECK(in.items[i].name != NULL);
		if (in.items[i].kind == MM_IN_STR)
			FUZZ_CHECK(mm_utf8_valid(in.items[i].s, in.items[i].len));
	}
	items_round_trip(&rq, &in);
	memset(&ctx, 0, sizeof(ctx));
	ctx.conn = mm_store_acquire(db->st);
	FUZZ_CHECK(ctx.conn != NULL);
	ctx.a = &a;
	ctx.actor = "fuzz";
	ctx.lang = size % 2 ? MM_EN : MM_JA;
	rc = validate(&ctx, &in, &rec);
	FUZZ_CHECK(rc == MM_OK || rc == MM_EVALIDATE);
	if (rc == MM_OK)
		round_trip(&ctx, &rq, &rec);
	mm_store_release(db->st, ctx.conn);
out:
	mm_arena_free(&a);
	return 0;
}
