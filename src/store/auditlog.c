/* The audit log's canonical entry bytes and hashes (auditlog.h), the same
 * for every backend, and the dispatch of its operations. */
#include "store/auditlog.h"

#include "core/err.h"
#include "store/backend.h"

#include <string.h>

static void add_u64(struct mm_buf *b, uint64_t v)
{
	uint8_t p[8];

	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	mm_buf_add(b, p, 8);
}

static void add_str(struct mm_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	uint8_t p[4];

	if (n > UINT32_MAX) {
		b->err = MM_ETOOBIG;
		return;
	}
	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	mm_buf_add(b, p, 4);
	mm_buf_add(b, s ? s : "", n);
}

void mm_alog_canonical(struct mm_buf *b, const struct mm_audit_event *e)
{
	mm_buf_reset(b);
	mm_buf_addc(b, 0x00);
	add_u64(b, (uint64_t)e->seq);
	add_u64(b, (uint64_t)e->at);
	add_u64(b, (uint64_t)e->account_id);
	add_u64(b, (uint64_t)e->person_id);
	add_str(b, e->actor);
	add_str(b, e->ip);
	add_str(b, e->request_id);
	add_str(b, e->action);
	add_str(b, e->object);
	add_str(b, e->result);
	add_str(b, e->details);
}

int mm_alog_leaf(const struct mm_audit_event *e, struct mm_buf *scratch, uint8_t out[MM_HASH_LEN])
{
	if (scratch->cap == 0)
		mm_buf_init(scratch, MM_ALOG_CANON_CAP);
	mm_alog_canonical(scratch, e);
	if (scratch->err)
		return MM_ENOMEM;
	/* The buffer starts with the leaf prefix 0x00. */
	mm_sha256(scratch->data, scratch->len, out);
	return MM_OK;
}

void mm_alog_chain(const uint8_t prev[MM_HASH_LEN], const uint8_t leaf[MM_HASH_LEN],
		   uint8_t out[MM_HASH_LEN])
{
	uint8_t in[2 * MM_HASH_LEN];

	memcpy(in, prev, MM_HASH_LEN);
	memcpy(in + MM_HASH_LEN, leaf, MM_HASH_LEN);
	mm_sha256(in, sizeof(in), out);
}

int mm_alog_head(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN])
{
	return c->be->alog_head(c, seq, chain);
}

int mm_alog_scan(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg)
{
	return c->be->alog_scan(c, from, to, fn, arg);
}

int mm_alog_ckpt_add(struct mm_conn *c, const struct mm_alog_ckpt *ck)
{
	return c->be->alog_ckpt_add(c, ck);
}

int mm_alog_ckpt_list(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out, size_t *n)
{
	return c->be->alog_ckpt_list(c, a, out, n);
}

int mm_alog_cut_get(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out)
{
	return c->be->alog_cut_get(c, a, out);
}

int mm_alog_prune(struct mm_conn *c, const struct mm_alog_cut *cut)
{
	return c->be->alog_prune(c, cut);
}
