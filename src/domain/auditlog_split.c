/* The verify pass split across several readers (auditlog_int.h). Reading
 * a row from SQLite costs more than hashing it, and one connection reads
 * in one thread, so the entries are cut into chunks that the readers take
 * in turn, each on its own connection: chunk i goes to reader i % n. A
 * reader checks the chain of its chunk from the chain value stored in the
 * entry before it, which the reader of the chunk before checks in turn, so
 * the first bad entry is still named exactly. This thread takes the
 * chunks in order and adds their leaf hashes to the Merkle tree, checking
 * the signed heads as it goes; it stops at the first problem in seq order,
 * as the one-reader pass does. */
#include "domain/auditlog_int.h"

#include "core/err.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS_PER_READER = 2, STOPPED = -2 };

/* One chunk of entries, lo..hi, as a reader left it. */
struct chunk {
	int64_t lo, hi;
	int64_t n; /* entries checked; their leaf hashes */
	uint8_t (*leaf)[MM_HASH_LEN];
	uint8_t chain[MM_HASH_LEN];   /* the chain value after them */
	enum mm_alog_problem problem; /* at the entry after them */
	int64_t bad_seq, bad_to;
	bool end; /* the log ends after them */
	int rc;	  /* a read error */
	bool ready;
};

struct split {
	struct mm_alog_pass *p;
	uint8_t seed[MM_HASH_LEN]; /* the chain value before the first chunk */
	int64_t first, chunk;
	size_t nchunks, nslots, nreaders;
	struct chunk *slot;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t consumed; /* chunks this thread is done with */
	atomic_bool stop;
	int64_t last;
};

struct reader {
	struct split *s;
	struct mm_conn *c;
	size_t id;
	pthread_t t;
	struct chunk *k;
	struct mm_buf canon;
	uint8_t prev[MM_HASH_LEN];
	int64_t expect;
	bool seeded;
};

static int problem(struct chunk *k, enum mm_alog_problem p, int64_t seq, int64_t to)
{
	k->problem = p;
	k->bad_seq = seq;
	k->bad_to = to;
	return -1;
}

static int check_entry(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct reader *w = arg;
	struct chunk *k = w->k;
	uint8_t *leaf;

	if (!w->seeded) {
		/* The entry before the chunk, which the chunk before checks:
		 * when it is missing, that chunk names the gap first. */
		w->seeded = true;
		if (e->seq != k->lo - 1)
			return problem(k, MM_ALOG_GAP, k->lo - 1, e->seq);
		memcpy(w->prev, chain, MM_HASH_LEN);
		return MM_OK;
	}
	if (e->seq != w->expect)
		return problem(k, MM_ALOG_GAP, w->expect, e->seq);
	mm_alog_canonical(&w->canon, e);
	if (w->canon.err)
		return MM_ENOMEM;
	leaf = k->leaf[k->n];
	mm_sha256(w->canon.data, w->canon.len, leaf);
	mm_alog_chain(w->prev, leaf, w->prev);
	if (memcmp(w->prev, chain, MM_HASH_LEN) != 0)
		return problem(k, MM_ALOG_CHANGED, e->seq, e->seq);
	k->n++;
	w->expect++;
	return atomic_load_explicit(&w->s->stop, memory_order_relaxed) ? STOPPED : MM_OK;
}

static int first_seq(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	(void)chain;
	*(int64_t *)arg = e->seq;
	return 1;
}

/* Checks chunk i into k. */
static void chunk_run(struct reader *w, size_t i, struct chunk *k)
{
	struct split *s = w->s;
	int64_t next = 0;
	int rc;

	k->lo = s->first + (int64_t)i * s->chunk;
	k->hi = k->lo + s->chunk - 1 < s->last ? k->lo + s->chunk - 1 : s->last;
	k->n = 0;
	k->problem = MM_ALOG_OK;
	k->end = false;
	w->k = k;
	w->expect = k->lo;
	w->seeded = i == 0;
	memcpy(w->prev, s->seed, MM_HASH_LEN);
	rc = mm_alog_scan(w->c, w->seeded ? k->lo : k->lo - 1, k->hi, check_entry, w);
	memcpy(k->chain, w->prev, MM_HASH_LEN);
	k->rc = rc > 0 && rc != 1 ? rc : MM_OK;
	if (rc || k->problem)
		return;
	if (w->expect <= k->hi) {
		/* The rows end early: a gap up to the next one, or the end. */
		rc = mm_alog_scan(w->c, w->expect, 0, first_seq, &next);
		k->rc = rc == 1 ? MM_OK : rc;
		if (next)
			problem(k, MM_ALOG_GAP, w->expect, next);
		else
			k->end = true;
	}
}

static void *read_chunks(void *arg)
{
	struct reader *w = arg;
	struct split *s = w->s;

	for (size_t i = w->id; i < s->nchunks; i += s->nreaders) {
		struct chunk *k = &s->slot[i % s->nslots];

		pthread_mutex_lock(&s->mu);
		while (i >= s->consumed + s->nslots && !atomic_load(&s->stop))
			pthread_cond_wait(&s->cv, &s->mu);
		pthread_mutex_unlock(&s->mu);
		if (atomic_load(&s->stop))
			break;
		chunk_run(w, i, k);
		pthread_mutex_lock(&s->mu);
		k->ready = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (k->problem || k->rc || k->end)
			break;
	}
	return NULL;
}

/* Takes one chunk into the pass: -1 with the problem in p->r, an error,
 * or MM_OK; *end when nothing follows. */
static int take(struct mm_alog_pass *p, const struct chunk *k, bool *end)
{
	int rc = MM_OK;

	for (int64_t j = 0; j < k->n && !rc; j++)
		rc = mm_alog_pass_leaf(p, k->leaf[j]);
	if (rc)
		return rc;
	if (k->n)
		memcpy(p->prev, k->chain, MM_HASH_LEN);
	if (k->problem)
		return mm_alog_pass_fail(p->r, k->problem, k->bad_seq, k->bad_to);
	*end = k->end;
	return k->rc;
}

static int consume(struct split *s)
{
	bool end = false;
	int rc = MM_OK;

	for (size_t i = 0; i < s->nchunks && !rc && !end; i++) {
		struct chunk *k = &s->slot[i % s->nslots];

		pthread_mutex_lock(&s->mu);
		while (!k->ready)
			pthread_cond_wait(&s->cv, &s->mu);
		pthread_mutex_unlock(&s->mu);
		rc = take(s->p, k, &end);
		pthread_mutex_lock(&s->mu);
		k->ready = false;
		s->consumed++;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	return rc;
}

static void stop_all(struct split *s)
{
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, true);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Starts a reader per connection and consumes; *ran false when a thread
 * could not be started (nothing was taken into the pass then). */
static int run(struct split *s, struct mm_alog_readers *g, struct reader *w, bool *ran)
{
	size_t started = 0;
	int rc = MM_OK;

	*ran = true;
	for (size_t i = 0; i < s->nreaders; i++) {
		w[i] = (struct reader){ .s = s, .c = i ? g->r[i - 1] : g->c, .id = i };
		mm_buf_init(&w[i].canon, MM_ALOG_CANON_CAP);
		if (started == i && pthread_create(&w[i].t, NULL, read_chunks, &w[i]) == 0)
			started++;
	}
	if (started == s->nreaders)
		rc = consume(s);
	else
		*ran = false;
	stop_all(s);
	for (size_t i = 0; i < started; i++)
		pthread_join(w[i].t, NULL);
	for (size_t i = 0; i < s->nreaders; i++)
		mm_buf_free(&w[i].canon);
	return rc;
}

int mm_alog_split_scan(struct mm_alog_readers *g, struct mm_alog_pass *p, int64_t last,
		       int64_t chunk, bool *ran)
{
	struct reader w[MM_ALOG_READERS_MAX + 1];
	struct split *s = calloc(1, sizeof(*s));
	int rc = MM_ENOMEM;

	*ran = false;
	if (!s)
		return rc;
	s->p = p;
	memcpy(s->seed, p->prev, MM_HASH_LEN);
	s->first = p->expect;
	s->last = last;
	s->chunk = chunk;
	s->nchunks = (size_t)((last - p->expect + chunk) / chunk);
	s->nreaders = g->n + 1;
	s->nslots = s->nreaders * SLOTS_PER_READER;
	s->slot = calloc(s->nslots, sizeof(*s->slot));
	for (size_t i = 0; s->slot && i < s->nslots; i++)
		if (!(s->slot[i].leaf = malloc((size_t)chunk * MM_HASH_LEN)))
			goto out;
	if (!s->slot)
		goto out;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	atomic_init(&s->stop, false);
	rc = run(s, g, w, ran);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
out:
	for (size_t i = 0; s->slot && i < s->nslots; i++)
		free(s->slot[i].leaf);
	free(s->slot);
	free(s);
	return rc;
}
