/* Query strings and urlencoded forms, and the list parameters every register
 * list understands. */
#include "web/handlers.h"

#include "core/err.h"
#include "core/slice.h"

#include <string.h>

enum { MAX_PARAMS = 256 };

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one urlencoded component into the arena. */
static int decode(struct mm_arena *a, struct mm_slice s, const char **out, size_t *len)
{
	char *d = mm_arena_alloc(a, s.len + 1);
	size_t o = 0;

	if (!d)
		return MM_ENOMEM;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (i + 2 >= s.len)
				return MM_EINVAL;
			hi = hexval(s.ptr[i + 1]);
			lo = hexval(s.ptr[i + 2]);
			if (hi < 0 || lo < 0)
				return MM_EINVAL;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		d[o++] = c;
	}
	d[o] = '\0';
	if (!mm_utf8_valid(d, o) || memchr(d, '\0', o))
		return MM_EINVAL;
	*out = d;
	*len = o;
	return MM_OK;
}

int mm_form_parse(struct mm_arena *a, const char *s, size_t len, struct mm_param **out, size_t *n)
{
	struct mm_slice rest = { s, len };
	struct mm_param *p;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (len == 0)
		return MM_OK;
	p = mm_arena_alloc(a, sizeof(*p) * MAX_PARAMS);
	if (!p)
		return MM_ENOMEM;
	while (rest.ptr) {
		struct mm_slice pair, key;
		struct mm_slice val;
		size_t klen;
		int rc;

		rest = mm_slice_cut(rest, '&', &pair);
		if (pair.len == 0)
			continue;
		if (count == MAX_PARAMS)
			return MM_ETOOBIG;
		val = mm_slice_cut(pair, '=', &key);
		rc = decode(a, key, &p[count].name, &klen);
		if (rc)
			return rc;
		rc = decode(a, val, &p[count].value, &p[count].len);
		if (rc)
			return rc;
		count++;
	}
	*out = p;
	*n = count;
	return MM_OK;
}

static bool size_param(const char *s, size_t max, size_t *out)
{
	int64_t v;

	if (!mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(s)), &v) || v < 0 || (uint64_t)v > max)
		return false;
	*out = (size_t)v;
	return true;
}

static const char *const list_params[] = {
	"q", "sort", "status", "limit", "offset", "page", "after"
};

/* Reads a keyset cursor as mm_list_cursor writes it: "ID" or "ID:KEY". The
 * key is the sort field's value of record ID (absent: NULL); a list sorted
 * by id has none. */
static bool after_param(struct mm_arena *a, const struct mm_schema *s, struct mm_query *q,
			const char *v)
{
	struct mm_after *af = mm_arena_zalloc(a, sizeof(*af));
	const char *colon = strchr(v, ':');
	size_t idlen = colon ? (size_t)(colon - v) : strlen(v);

	if (!af || !mm_slice_to_i64((struct mm_slice){ v, idlen }, &af->id) || af->id <= 0)
		return false;
	if (colon && q->sort == MM_SORT_ID)
		return false;
	if (colon) {
		af->key.set = true;
		if (q->sort >= 0 && (s->fields[q->sort].type == MM_FT_INT ||
				     s->fields[q->sort].type == MM_FT_REF)) {
			if (!mm_slice_to_i64(mm_slice_cstr(colon + 1), &af->key.i))
				return false;
		} else {
			af->key.s = colon + 1;
		}
	}
	q->after = af;
	return true;
}

/* Handles one per-field filter parameter: name, name_min, name_max. */
static int field_filter(struct mm_req *rq, const struct mm_schema *s, const struct mm_param *p,
			struct mm_filter *fl, size_t *nf, struct mm_ferrs *errs)
{
	size_t n = strlen(p->name);
	enum mm_op op = MM_OP_EQ;
	char name[64];
	int fi;

	if (n >= sizeof(name))
		return MM_EINVAL;
	memcpy(name, p->name, n + 1);
	if (n > 4 && strcmp(name + n - 4, "_min") == 0) {
		op = MM_OP_GE;
		name[n - 4] = '\0';
	} else if (n > 4 && strcmp(name + n - 4, "_max") == 0) {
		op = MM_OP_LE;
		name[n - 4] = '\0';
	}
	fi = mm_schema_field(s, name);
	if (fi < 0 || !(s->fields[fi].flags & MM_F_FILTER) ||
	    (op != MM_OP_EQ && s->fields[fi].type != MM_FT_INT && s->fields[fi].type != MM_FT_DATE))
		return MM_EINVAL;
	if (p->len == 0)
		return MM_OK; /* an empty form field filters nothing */
	fl[*nf].field = fi;
	fl[*nf].op = op;
	if (!mm_filter_value(rq->a, &s->fields[fi], p->value, &fl[*nf].v)) {
		mm_ferr_add(errs, &s->fields[fi], p->name, "bad_query", rq->lang);
		return MM_OK;
	}
	(*nf)++;
	return MM_OK;
}

int mm_list_query(struct mm_web *w, struct mm_req *rq, bool strict, struct mm_query *q,
		  struct mm_ferrs *errs)
{
	const struct mm_schema *s = &rq->reg->schema;
	struct mm_filter *fl = mm_arena_alloc(rq->a, sizeof(*fl) * (rq->nquery + 1));
	size_t nf = 0, page = 0;
	const char *v;

	if (!fl)
		return MM_ENOMEM;
	memset(q, 0, sizeof(*q));
	q->sort = MM_SORT_ID;
	q->status = MM_ACTIVE;
	q->limit = 50;
	for (size_t i = 0; i < rq->nquery; i++) {
		const struct mm_param *p = &rq->query[i];
		bool known = false;

		for (size_t k = 0; k < sizeof(list_params) / sizeof(list_params[0]); k++)
			known = known || strcmp(p->name, list_params[k]) == 0;
		if (known || (!strict && strcmp(p->name, "encoding") == 0))
			continue;
		if (field_filter(rq, s, p, fl, &nf, errs) && strict)
			mm_ferr_add(errs, NULL, p->name, "unknown_field", rq->lang);
	}
	q->filters = fl;
	q->nfilters = nf;
	if ((v = mm_param_get(rq->query, rq->nquery, "q")) && *v)
		q->q = v;
	/* No search holds a control character (PostgreSQL's search text
	 * separates the fields with one). */
	for (const char *c = q->q; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			mm_ferr_add(errs, NULL, "q", "bad_query", rq->lang);
			break;
		}
	if ((v = mm_param_get(rq->query, rq->nquery, "sort")) && *v) {
		bool desc = v[0] == '-';
		const char *name = desc ? v + 1 : v;
		int fi = mm_schema_field(s, name);

		q->desc = desc;
		if (strcmp(name, "id") == 0)
			q->sort = MM_SORT_ID;
		else if (strcmp(name, "updated_at") == 0)
			q->sort = MM_SORT_UPDATED;
		else if (fi >= 0 && (s->fields[fi].flags & MM_F_SORT))
			q->sort = fi;
		else
			mm_ferr_add(errs, NULL, "sort", "bad_query", rq->lang);
	}
	if ((v = mm_param_get(rq->query, rq->nquery, "status")) && *v) {
		if (strcmp(v, "active") == 0)
			q->status = MM_ACTIVE;
		else if (strcmp(v, "retired") == 0)
			q->status = MM_RETIRED;
		else if (strcmp(v, "all") == 0)
			q->status = MM_ANY_STATUS;
		else
			mm_ferr_add(errs, NULL, "status", "bad_query", rq->lang);
	}
	if ((v = mm_param_get(rq->query, rq->nquery, "limit")) &&
	    (!size_param(v, w->page_max, &q->limit) || q->limit == 0))
		mm_ferr_add(errs, NULL, "limit", "bad_query", rq->lang);
	if ((v = mm_param_get(rq->query, rq->nquery, "offset")) &&
	    !size_param(v, (size_t)1 << 40, &q->offset))
		mm_ferr_add(errs, NULL, "offset", "bad_query", rq->lang);
	if ((v = mm_param_get(rq->query, rq->nquery, "page")) && *v) {
		if (!size_param(v, (size_t)1 << 30, &page) || page == 0)
			mm_ferr_add(errs, NULL, "page", "bad_query", rq->lang);
		else
			q->offset = (page - 1) * q->limit;
	}
	if ((v = mm_param_get(rq->query, rq->nquery, "after")) && *v &&
	    (q->offset || !after_param(rq->a, s, q, v)))
		mm_ferr_add(errs, NULL, "after", "bad_query", rq->lang);
	return errs->n ? MM_EINVAL : MM_OK;
}

void mm_list_cursor(struct mm_buf *b, const struct mm_schema *s, const struct mm_query *q,
		    const struct mm_record *last)
{
	struct mm_value updated = { last->updated_at != NULL, 0, last->updated_at };
	const struct mm_value *key = NULL;

	mm_buf_printf(b, "%lld", (long long)last->id);
	if (q->sort >= 0)
		key = &last->v[q->sort];
	else if (q->sort == MM_SORT_UPDATED)
		key = &updated;
	if (!key || !key->set)
		return;
	mm_buf_addc(b, ':');
	if (q->sort >= 0 &&
	    (s->fields[q->sort].type == MM_FT_INT || s->fields[q->sort].type == MM_FT_REF))
		mm_buf_printf(b, "%lld", (long long)key->i);
	else
		mm_buf_adds(b, key->s ? key->s : "");
}
