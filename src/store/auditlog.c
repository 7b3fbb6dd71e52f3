/* The audit log's canonical entry bytes and hashes (auditlog.h), the same
 * for every backend, and the dispatch of its operations. */
#include "store/auditlog.h"

#include "core/err.h"
#include "store/backend.h"
#include "store/store.h"

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

int mm_alog_ckpt_latest(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out)
{
	return c->be->alog_ckpt_latest(c, a, out);
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

/* What a connection's snapshot shows of the log: its head and cut. */
struct state {
	int64_t head, cut;
	uint8_t head_chain[MM_HASH_LEN], cut_chain[MM_HASH_LEN];
};

static int state_of(struct mm_conn *c, struct state *s)
{
	struct mm_alog_cut cut;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = mm_alog_head(c, &s->head, s->head_chain);
	if (!rc)
		rc = mm_alog_cut_get(c, NULL, &cut);
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (!rc) {
		s->cut = cut.size;
		memcpy(s->cut_chain, cut.chain, MM_HASH_LEN);
	}
	return rc;
}

static bool state_eq(const struct state *a, const struct state *b)
{
	return a->head == b->head && a->cut == b->cut &&
	       !memcmp(a->head_chain, b->head_chain, MM_HASH_LEN) &&
	       !memcmp(a->cut_chain, b->cut_chain, MM_HASH_LEN);
}

/* Ends every read transaction of the group. */
static void readers_end(struct mm_alog_readers *g)
{
	for (size_t i = 0; i < g->n; i++)
		mm_tx_rollback(g->r[i]);
	if (g->tx)
		mm_tx_rollback(g->c);
	g->tx = false;
}

/* One try: c's snapshot, then the others'. MM_OK with *same telling
 * whether they all show c's state. */
static int readers_try(struct mm_alog_readers *g, bool *same)
{
	struct state s, t;
	int rc;

	*same = false;
	rc = mm_tx_begin(g->c, false);
	g->tx = rc == MM_OK;
	if (!rc)
		rc = state_of(g->c, &s);
	if (rc)
		return rc;
	g->head = s.head;
	if (g->between)
		g->between(g->between_arg);
	*same = true;
	for (size_t i = 0; i < g->n && *same; i++) {
		/* A reader that cannot be read leaves c alone to scan. */
		if (mm_tx_begin(g->r[i], false) || state_of(g->r[i], &t)) {
			*same = false;
			return MM_OK;
		}
		*same = state_eq(&s, &t);
	}
	return MM_OK;
}

static void readers_drop(struct mm_alog_readers *g)
{
	for (size_t i = 0; i < g->n; i++) {
		mm_tx_rollback(g->r[i]);
		g->r[i]->be->close(g->r[i]);
		g->r[i] = NULL;
	}
	g->n = 0;
}

int mm_alog_readers_open(struct mm_conn *c, size_t want, struct mm_alog_readers *g)
{
	bool same = false;
	int rc = MM_OK;

	g->c = c;
	g->n = 0;
	g->tx = false;
	g->head = 0;
	g->retries = 0;
	want = want < MM_ALOG_READERS_MAX ? want : MM_ALOG_READERS_MAX;
	while (g->n < want && !rc) {
		rc = c->be->alog_reader_open(c, &g->r[g->n]);
		if (!rc)
			g->n++;
	}
	if (rc == MM_EBUSY && g->n == 0)
		return MM_OK; /* c is in the caller's transaction */
	if (rc)
		readers_drop(g);
	for (int i = 0; i < MM_ALOG_READERS_TRIES && g->n; i++) {
		rc = readers_try(g, &same);
		if (rc || same)
			break;
		readers_end(g);
		g->retries++;
	}
	if (rc || !same) {
		readers_end(g);
		readers_drop(g);
		/* c alone: one snapshot, always the same state. */
		rc = mm_tx_begin(c, false);
		g->tx = rc == MM_OK;
		if (!rc)
			rc = mm_alog_head(c, &g->head, (uint8_t[MM_HASH_LEN]){ 0 });
	}
	if (rc)
		mm_alog_readers_close(g);
	return rc;
}

void mm_alog_readers_close(struct mm_alog_readers *g)
{
	readers_end(g);
	readers_drop(g);
}
