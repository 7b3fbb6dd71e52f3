/* The audit log's canonical entry bytes and hashes (auditlog.h), the same
 * for every backend, and the dispatch of its operations. */
#include "store/auditlog.h"

#include "core/err.h"
#include "store/backend.h"

#include <string.h>

static uint8_t *put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	return p + n;
}

void mm_alog_canonical_add(struct mm_buf *b, const struct mm_audit_event *e)
{
	const char *s[7] = { e->actor,	e->ip,	   e->request_id, e->action,
			     e->object, e->result, e->details };
	size_t n[7], total = 1 + 4 * 8 + 7 * 4;
	uint8_t *p;

	for (int i = 0; i < 7; i++) {
		n[i] = s[i] ? strlen(s[i]) : 0;
		if (n[i] > UINT32_MAX) {
			b->err = b->err ? b->err : MM_ETOOBIG;
			return;
		}
		total += n[i];
	}
	/* One reservation, then the bytes written in place. */
	mm_buf_reserve(b, total);
	if (b->err)
		return;
	p = (uint8_t *)b->data + b->len;
	*p++ = 0x00;
	p = put_be(p, (uint64_t)e->seq, 8);
	p = put_be(p, (uint64_t)e->at, 8);
	p = put_be(p, (uint64_t)e->account_id, 8);
	p = put_be(p, (uint64_t)e->person_id, 8);
	for (int i = 0; i < 7; i++) {
		p = put_be(p, n[i], 4);
		if (n[i])
			memcpy(p, s[i], n[i]);
		p += n[i];
	}
	b->len += total;
	b->data[b->len] = '\0';
}

void mm_alog_canonical(struct mm_buf *b, const struct mm_audit_event *e)
{
	mm_buf_reset(b);
	mm_alog_canonical_add(b, e);
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
