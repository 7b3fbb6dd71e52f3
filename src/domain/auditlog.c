/* Checkpoints, verification and status of the audit log (auditlog.h). */
#include "domain/auditlog.h"
#include "domain/auditlog_int.h"

#include "core/err.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Entries per chunk of the split pass, and readers besides the caller's
 * connection (bench/README.md, "Audit log"). */
enum { SPLIT_CHUNK = 32768, SPLIT_READERS = 1 };

static int head_cmp(const void *x, const void *y)
{
	const struct mm_alog_sth *a = x, *b = y;

	return a->size < b->size ? -1 : a->size > b->size;
}

int mm_alog_pass_fail(struct mm_alog_report *r, enum mm_alog_problem p, int64_t seq, int64_t to)
{
	r->problem = p;
	r->bad_seq = seq;
	r->bad_to = to;
	return -1; /* ends the scan */
}

/* Compares the tree so far with the signed heads of its size. */
static int check_heads(struct mm_alog_pass *p)
{
	uint8_t root[MM_HASH_LEN];

	while (p->nheads && p->heads->size == (int64_t)p->f.size) {
		mm_merkle_root(&p->f, root);
		if (memcmp(root, p->heads->root, MM_HASH_LEN) != 0)
			return mm_alog_pass_fail(p->r, MM_ALOG_RECHAINED, p->good + 1,
						 p->heads->size);
		p->good = p->heads->size;
		p->heads++;
		p->nheads--;
	}
	return 0;
}

int mm_alog_pass_leaf(struct mm_alog_pass *p, const uint8_t leaf[MM_HASH_LEN])
{
	if (p->leaves)
		memcpy(p->leaves[p->nleaves++], leaf, MM_HASH_LEN);
	mm_merkle_push(&p->f, leaf);
	p->r->last = p->expect++;
	return check_heads(p);
}

/* Checks one entry given its canonical bytes (leaf prefix included). */
static int pass_bytes(struct mm_alog_pass *p, int64_t seq, const uint8_t *canon, size_t len,
		      const uint8_t chain[MM_HASH_LEN])
{
	uint8_t leaf[MM_HASH_LEN], c[MM_HASH_LEN];

	if (seq != p->expect)
		return mm_alog_pass_fail(p->r, MM_ALOG_GAP, p->expect, seq);
	mm_sha256(canon, len, leaf);
	mm_alog_chain(p->prev, leaf, c);
	if (memcmp(c, chain, MM_HASH_LEN) != 0)
		return mm_alog_pass_fail(p->r, MM_ALOG_CHANGED, seq, seq);
	memcpy(p->prev, c, MM_HASH_LEN);
	return mm_alog_pass_leaf(p, leaf);
}

static int pass_entry(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct mm_alog_pass *p = arg;

	if (p->canon.cap == 0)
		mm_buf_init(&p->canon, MM_ALOG_CANON_CAP);
	mm_alog_canonical(&p->canon, e);
	if (p->canon.err)
		return MM_ENOMEM;
	return pass_bytes(p, e->seq, (const uint8_t *)p->canon.data, p->canon.len, chain);
}

/* The pipeline of a long pass: the scan (reading rows from the database)
 * runs in the calling thread and puts each entry's canonical bytes into
 * batches; a second thread hashes and checks them in order with
 * pass_bytes. Reading a row and hashing it cost about the same, so the
 * two overlap on two cores. The outcome is the sequential pass's: the
 * hashing thread stops at the first problem, and the scan stops soon
 * after. */
enum { BATCH_ENTRIES = 2048, BATCH_BYTES = 1 << 20, NBATCHES = 4 };

struct batch {
	size_t n;
	int64_t seq[BATCH_ENTRIES];
	uint8_t chain[BATCH_ENTRIES][MM_HASH_LEN];
	size_t end[BATCH_ENTRIES]; /* of each entry's bytes in data */
	struct mm_buf data;
};

struct pipe {
	struct mm_alog_pass *p;
	struct batch b[NBATCHES];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t filled, hashed; /* batches handed over and done, counting up */
	bool closed;	       /* no batch follows the ones handed over */
	atomic_bool stop;      /* the hashing thread found a problem */
	int rc;		       /* its outcome */
};

static void *hash_batches(void *arg)
{
	struct pipe *q = arg;
	int rc = MM_OK;

	for (;;) {
		struct batch *b;
		size_t start = 0;

		pthread_mutex_lock(&q->mu);
		while (q->hashed == q->filled && !q->closed)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->hashed == q->filled) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		b = &q->b[q->hashed % NBATCHES];
		pthread_mutex_unlock(&q->mu);
		for (size_t i = 0; i < b->n && !rc; i++) {
			rc = pass_bytes(q->p, b->seq[i], (const uint8_t *)b->data.data + start,
					b->end[i] - start, b->chain[i]);
			start = b->end[i];
		}
		pthread_mutex_lock(&q->mu);
		q->hashed++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (rc) {
			atomic_store(&q->stop, true);
			break;
		}
	}
	q->rc = rc;
	return NULL;
}

/* Hands the batch being filled to the hashing thread and waits for a free
 * one. */
static void pipe_hand_over(struct pipe *q)
{
	pthread_mutex_lock(&q->mu);
	q->filled++;
	pthread_cond_broadcast(&q->cv);
	while (q->filled - q->hashed == NBATCHES && !atomic_load(&q->stop))
		pthread_cond_wait(&q->cv, &q->mu);
	pthread_mutex_unlock(&q->mu);
	if (!atomic_load(&q->stop)) {
		struct batch *b = &q->b[q->filled % NBATCHES];

		b->n = 0;
		mm_buf_reset(&b->data);
	}
}

static int pipe_entry(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct pipe *q = arg;
	struct batch *b = &q->b[q->filled % NBATCHES];

	if (atomic_load(&q->stop))
		return -1;
	mm_alog_canonical_add(&b->data, e);
	if (b->data.err)
		return MM_ENOMEM;
	b->seq[b->n] = e->seq;
	memcpy(b->chain[b->n], chain, MM_HASH_LEN);
	b->end[b->n++] = b->data.len;
	if (b->n == BATCH_ENTRIES || b->data.len >= BATCH_BYTES)
		pipe_hand_over(q);
	return atomic_load(&q->stop) ? -1 : MM_OK;
}

/* Scans from p->expect to seq to through the pipeline; *ran is false when
 * the hashing thread could not be started. */
static int pipe_scan(struct mm_conn *c, struct mm_alog_pass *p, int64_t to, bool *ran)
{
	struct pipe *q = calloc(1, sizeof(*q));
	pthread_t t;
	int rc;

	*ran = false;
	if (!q)
		return MM_ENOMEM;
	q->p = p;
	for (size_t i = 0; i < NBATCHES; i++)
		mm_buf_init(&q->b[i].data, 2 * MM_ALOG_CANON_CAP);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	atomic_init(&q->stop, false);
	if (p->canon.cap == 0)
		mm_buf_init(&p->canon, MM_ALOG_CANON_CAP);
	rc = MM_OK;
	if (pthread_create(&t, NULL, hash_batches, q) != 0)
		goto out;
	*ran = true;
	rc = mm_alog_scan(c, p->expect, to, pipe_entry, q);
	pthread_mutex_lock(&q->mu);
	if (!atomic_load(&q->stop) && q->b[q->filled % NBATCHES].n)
		q->filled++;
	q->closed = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(t, NULL);
	/* A problem the hashing thread found ends the scan with -1; a read
	 * error ends it with its own code. */
	if (q->rc)
		rc = q->rc;
out:
	for (size_t i = 0; i < NBATCHES; i++)
		mm_buf_free(&q->b[i].data);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
	return rc;
}

/* Starts a pass after the archive cut, if any. */
static int pass_start(struct mm_conn *c, struct mm_arena *a, struct mm_alog_pass *p)
{
	struct mm_alog_cut cut;
	int rc;

	mm_buf_init(&p->canon, 0);
	mm_merkle_frontier_init(&p->f);
	memset(p->prev, 0, MM_HASH_LEN);
	p->expect = 1;
	rc = mm_alog_cut_get(c, a, &cut);
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (rc)
		return rc;
	if (!mm_merkle_frontier_load(&p->f, (uint64_t)cut.size, cut.frontier, cut.frontier_len)) {
		mm_alog_pass_fail(p->r, MM_ALOG_BAD_CUT, cut.size, cut.size);
		return MM_OK;
	}
	memcpy(p->prev, cut.chain, MM_HASH_LEN);
	p->expect = cut.size + 1;
	p->good = 0;
	return MM_OK;
}

/* The split pass's settings (mm_auditlog_tune). */
static struct {
	int64_t chunk;
	size_t readers;
	void (*between)(void *);
	void *arg;
} tune = { SPLIT_CHUNK, SPLIT_READERS, NULL, NULL };

void mm_auditlog_tune(int64_t chunk, size_t readers, void (*between)(void *), void *arg)
{
	tune.chunk = chunk > 0 ? chunk : SPLIT_CHUNK;
	tune.readers = readers ? readers - 1 : SPLIT_READERS;
	tune.between = between;
	tune.arg = arg;
}

/* Opens the connections of a pass (store/auditlog.h): c and, for a log
 * long enough to split, more readers that see the same state. */
static int group_open(struct mm_conn *c, struct mm_alog_readers *g, struct mm_alog_report *r)
{
	int rc;

	memset(g, 0, sizeof(*g));
	g->between = tune.between;
	g->between_arg = tune.arg;
	rc = mm_alog_readers_open(c, tune.readers, g);
	r->readers = (int)g->n + 1;
	r->retries = g->retries;
	return rc;
}

/* Runs the pass from its start to seq to (0: the end). */
static int pass_run(struct mm_alog_readers *g, struct mm_alog_pass *p, int64_t to)
{
	int64_t last = to > 0 && to < g->head ? to : g->head;
	bool ran = false;
	int rc = MM_OK;

	p->r->first = p->expect;
	p->r->last = p->expect - 1;
	/* Heads below the cut only had their signatures checked. */
	while (p->nheads && p->heads->size < (int64_t)p->f.size) {
		p->heads++;
		p->nheads--;
	}
	if (check_heads(p))
		return MM_OK;
	/* Without a transaction of ours (the caller's is open) g->head may be
	 * stale: only c reads then. */
	if (g->n && g->tx && last - p->expect + 1 >= 2 * tune.chunk)
		rc = mm_alog_split_scan(g, p, last, tune.chunk, &ran);
	else
		p->r->readers = 1;
	if (!ran)
		rc = pipe_scan(g->c, p, to, &ran);
	if (!rc && !ran)
		rc = mm_alog_scan(g->c, p->expect, to, pass_entry, p);
	return rc == -1 ? MM_OK : rc;
}

/* Verifies the notes (database and extra) into a sorted array of heads. */
static int collect_heads(struct mm_conn *c, const struct mm_ckpt_vkey *k, const char *const *extra,
			 size_t nextra, struct mm_arena *a, struct mm_alog_report *r,
			 struct mm_alog_sth **out, size_t *n)
{
	struct mm_alog_ckpt *ck;
	struct mm_alog_sth *h;
	size_t nck, m = 0;
	int rc;

	rc = mm_alog_ckpt_list(c, a, &ck, &nck);
	if (rc)
		return rc;
	h = mm_arena_alloc(a, (nck + nextra + 1) * sizeof(*h));
	if (!h)
		return MM_ENOMEM;
	for (size_t i = 0; i < nck + nextra; i++) {
		const char *note = i < nck ? ck[i].note : extra[i - nck];

		if (mm_ckpt_note_open(k, note, &h[m].size, h[m].root) != MM_OK) {
			mm_alog_pass_fail(r, MM_ALOG_BAD_SIGNATURE, i < nck ? ck[i].size : 0, 0);
			return MM_OK;
		}
		m++;
	}
	qsort(h, m, sizeof(*h), head_cmp);
	for (size_t i = 1; i < m; i++)
		if (h[i].size == h[i - 1].size && memcmp(h[i].root, h[i - 1].root, MM_HASH_LEN)) {
			mm_alog_pass_fail(r, MM_ALOG_FORK, h[i].size, h[i].size);
			return MM_OK;
		}
	r->checkpoints = m;
	r->signed_size = m ? h[m - 1].size : 0;
	*out = h;
	*n = m;
	return MM_OK;
}

int mm_auditlog_verify(struct mm_conn *c, const struct mm_ckpt_vkey *k, const char *const *extra,
		       size_t nextra, struct mm_arena *a, struct mm_alog_report *r)
{
	struct mm_alog_pass p = { .r = r };
	struct mm_alog_sth *heads = NULL;
	struct mm_alog_readers g;
	size_t n = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	/* Everything below reads one state of the log: the checkpoints, the
	 * cut and the entries. */
	rc = group_open(c, &g, r);
	if (!rc)
		rc = collect_heads(c, k, extra, nextra, a, r, &heads, &n);
	p.heads = heads;
	p.nheads = n;
	if (!rc && !r->problem)
		rc = pass_start(c, a, &p);
	if (!rc && !r->problem)
		rc = pass_run(&g, &p, 0);
	mm_alog_readers_close(&g);
	mm_buf_free(&p.canon);
	if (rc || r->problem)
		return rc;
	if (p.nheads)
		mm_alog_pass_fail(r, MM_ALOG_TRUNCATED, r->last + 1, p.heads[p.nheads - 1].size);
	else if (n == 0 && r->last > 0)
		mm_alog_pass_fail(r, MM_ALOG_NO_CHECKPOINT, 1, r->last);
	return MM_OK;
}

static int copy_chain(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	(void)e;
	memcpy(arg, chain, MM_HASH_LEN);
	return 1;
}

/* Starts a pass after the latest checkpoint, whose signature and stored
 * frontier are checked first. */
static int pass_from(struct mm_conn *c, const struct mm_ckpt_vkey *k, const struct mm_alog_ckpt *ck,
		     struct mm_arena *a, struct mm_alog_pass *p)
{
	uint8_t root[MM_HASH_LEN], mine[MM_HASH_LEN];
	struct mm_alog_cut cut;
	int64_t size;
	int rc;

	mm_buf_init(&p->canon, 0);
	if (mm_ckpt_note_open(k, ck->note, &size, root) != MM_OK || size != ck->size) {
		mm_alog_pass_fail(p->r, MM_ALOG_BAD_SIGNATURE, ck->size, 0);
		return MM_OK;
	}
	if (!mm_merkle_frontier_load(&p->f, (uint64_t)size, ck->frontier, ck->frontier_len))
		return mm_alog_pass_fail(p->r, MM_ALOG_RECHAINED, 1, size), MM_OK;
	mm_merkle_root(&p->f, mine);
	if (memcmp(mine, root, MM_HASH_LEN) != 0)
		return mm_alog_pass_fail(p->r, MM_ALOG_RECHAINED, 1, size), MM_OK;
	rc = mm_alog_scan(c, size, size, copy_chain, p->prev);
	if (rc == MM_OK && size > 0) {
		/* The entry was archived: the cut keeps its chain value. */
		rc = mm_alog_cut_get(c, a, &cut);
		if (!rc && cut.size != size)
			rc = MM_ENOTFOUND;
		if (!rc)
			memcpy(p->prev, cut.chain, MM_HASH_LEN);
		if (rc == MM_ENOTFOUND)
			return mm_alog_pass_fail(p->r, MM_ALOG_GAP, size, size), MM_OK;
	}
	p->expect = size + 1;
	return rc == 1 ? MM_OK : rc;
}

int mm_auditlog_checkpoint(struct mm_conn *c, const struct mm_ckpt_skey *k, int64_t now,
			   const char *clock, struct mm_arena *a, struct mm_alog_report *r)
{
	struct mm_alog_pass p = { .r = r };
	struct mm_alog_ckpt last, add;
	struct mm_alog_readers g;
	struct mm_buf note;
	bool have = false;
	int64_t from;
	int rc;

	memset(r, 0, sizeof(*r));
	mm_buf_init(&note, 1 << 16);
	rc = group_open(c, &g, r);
	if (!rc) {
		/* Only the latest checkpoint is extended: no need of the others. */
		rc = mm_alog_ckpt_latest(c, a, &last);
		have = rc == MM_OK;
		rc = rc == MM_ENOTFOUND ? MM_OK : rc;
	}
	if (!rc)
		rc = have ? pass_from(c, &k->v, &last, a, &p) : pass_start(c, a, &p);
	from = !rc && have ? last.size : 0;
	if (!rc && !r->problem)
		rc = pass_run(&g, &p, 0);
	/* The read ends before the write: the entries signed stay as they
	 * were read. */
	mm_alog_readers_close(&g);
	if (rc || r->problem || (int64_t)p.f.size == from)
		goto out;
	memset(&add, 0, sizeof(add));
	add.size = (int64_t)p.f.size;
	mm_merkle_root(&p.f, add.root);
	add.at = now;
	add.clock = clock;
	add.frontier = p.f.h;
	add.frontier_len = p.f.n * MM_HASH_LEN;
	rc = mm_ckpt_note_sign(k, add.size, add.root, now, clock, &note);
	add.note = note.data;
	if (!rc)
		rc = mm_alog_ckpt_add(c, &add);
	if (!rc)
		r->new_size = add.size;
	r->signed_size = add.size;
out:
	mm_buf_free(&note);
	mm_buf_free(&p.canon);
	return rc;
}

static int first_time(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	(void)chain;
	*(int64_t *)arg = e->at;
	return 1;
}

int mm_auditlog_status(struct mm_conn *c, int64_t now, struct mm_alog_status *out)
{
	uint8_t chain[MM_HASH_LEN];
	struct mm_alog_cut cut = { 0 };
	struct mm_alog_ckpt last;
	struct mm_arena a;
	int rc;

	memset(out, 0, sizeof(*out));
	mm_arena_init(&a, 0);
	rc = mm_alog_head(c, &out->head, chain);
	if (!rc)
		rc = mm_alog_cut_get(c, NULL, &cut);
	if (rc == MM_ENOTFOUND) {
		cut.size = 0;
		rc = MM_OK;
	}
	out->first = cut.size + 1;
	if (!rc) {
		rc = mm_alog_ckpt_latest(c, &a, &last);
		if (!rc) {
			out->ckpt_size = last.size;
			out->ckpt_at = last.at;
		}
		rc = rc == MM_ENOTFOUND ? MM_OK : rc;
	}
	out->unsigned_count = out->head > out->ckpt_size ? out->head - out->ckpt_size : 0;
	if (!rc && out->unsigned_count) {
		rc = mm_alog_scan(c, out->ckpt_size + 1, out->head, first_time,
				  &out->unsigned_since);
		rc = rc == 1 ? MM_OK : rc;
	}
	out->overdue = out->unsigned_count > MM_ALOG_CKPT_ENTRIES ||
		       (out->unsigned_count > 0 && out->unsigned_since &&
			now - out->unsigned_since > MM_ALOG_CKPT_SECONDS);
	mm_arena_free(&a);
	return rc;
}

int mm_auditlog_signed(struct mm_conn *c, const struct mm_ckpt_vkey *k, int64_t size,
		       struct mm_arena *a, struct mm_alog_ckpt *out)
{
	struct mm_alog_ckpt *ck;
	int64_t got;
	size_t n;
	int rc;

	rc = mm_alog_ckpt_list(c, a, &ck, &n);
	if (rc)
		return rc;
	for (size_t i = n; i-- > 0;) {
		if (size && ck[i].size != size)
			continue;
		*out = ck[i];
		if (mm_ckpt_note_open(k, ck[i].note, &got, out->root) != MM_OK || got != ck[i].size)
			return MM_EPERM;
		return MM_OK;
	}
	return MM_ENOTFOUND;
}

int mm_auditlog_tree(struct mm_conn *c, int64_t size, struct mm_arena *a, struct mm_alog_tree *t)
{
	struct mm_alog_report r;
	struct mm_alog_pass p = { .r = &r };
	struct mm_alog_readers g;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(t, 0, sizeof(*t));
	rc = group_open(c, &g, &r);
	if (!rc)
		rc = pass_start(c, a, &p);
	if (!rc && !r.problem && size > (int64_t)p.f.size) {
		p.leaves = mm_arena_alloc(a, (size_t)(size - (int64_t)p.f.size) * MM_HASH_LEN);
		if (!p.leaves)
			rc = MM_ENOMEM;
	}
	t->cut = p.f;
	if (!rc && !r.problem && p.leaves)
		rc = pass_run(&g, &p, size);
	mm_alog_readers_close(&g);
	mm_buf_free(&p.canon);
	if (!rc && (r.problem || p.r->last != size))
		rc = MM_ENOTFOUND;
	t->leaves.leaf = (const uint8_t(*)[MM_HASH_LEN])p.leaves;
	t->leaves.first = t->cut.size;
	t->leaves.n = (uint64_t)p.nleaves;
	t->leaves.cut = t->cut.size ? &t->cut : NULL;
	return rc;
}

void mm_alog_report_text(const struct mm_alog_report *r, struct mm_buf *out)
{
	long long s = (long long)r->bad_seq, t = (long long)r->bad_to;

	switch (r->problem) {
	case MM_ALOG_OK:
		mm_buf_printf(out,
			      "ok: entries %lld..%lld verified, %zu checkpoint signatures, "
			      "signed up to %lld / 検証成功",
			      (long long)r->first, (long long)r->last, r->checkpoints,
			      (long long)r->signed_size);
		break;
	case MM_ALOG_GAP:
		mm_buf_printf(out, "seq %lld: entry missing (next is %lld) / エントリの欠落", s, t);
		break;
	case MM_ALOG_CHANGED:
		mm_buf_printf(
			out,
			"seq %lld: entry changed, reordered or inserted (chain value does not "
			"match) / エントリの改ざん",
			s);
		break;
	case MM_ALOG_RECHAINED:
		mm_buf_printf(out,
			      "seq %lld: entries %lld..%lld do not match the signed checkpoint of "
			      "size %lld (changed and re-chained without the key) / 署名済み"
			      "チェックポイントと不一致",
			      s, s, t, t);
		break;
	case MM_ALOG_TRUNCATED:
		mm_buf_printf(out,
			      "seq %lld: log truncated (a checkpoint signed %lld entries) / "
			      "ログの切り詰め",
			      s, t);
		break;
	case MM_ALOG_BAD_SIGNATURE:
		mm_buf_printf(out,
			      "checkpoint of size %lld: signature does not verify with this key / "
			      "チェックポイントの署名が不正",
			      s);
		break;
	case MM_ALOG_FORK:
		mm_buf_printf(out, "size %lld: two signed checkpoints differ / 署名の分岐", s);
		break;
	case MM_ALOG_NO_CHECKPOINT:
		mm_buf_printf(out,
			      "seq %lld: entries %lld..%lld have no signed checkpoint / "
			      "署名済みチェックポイントなし",
			      s, s, t);
		break;
	case MM_ALOG_BAD_CUT:
		mm_buf_printf(out,
			      "seq %lld: the archive cut does not match / アーカイブ境界の不一致",
			      s);
		break;
	}
}
