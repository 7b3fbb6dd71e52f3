/* The response cache: a fixed table of slots chosen by a hash of the key,
 * each with its own lock; a new entry replaces whatever held its slot. */
#include "web/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 256, MAX_ENTRY = 1 << 20 };

struct slot {
	pthread_mutex_t lock;
	char *key;
	int64_t gen;
	const char *content_type; /* static strings only */
	char *body;
	size_t len;
};

struct mm_cache {
	struct slot slots[SLOTS];
	size_t max_bytes;
	atomic_size_t bytes;
};

struct mm_cache *mm_cache_new(size_t max_bytes)
{
	struct mm_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	for (size_t i = 0; i < SLOTS; i++)
		pthread_mutex_init(&c->slots[i].lock, NULL);
	c->max_bytes = max_bytes;
	atomic_init(&c->bytes, 0);
	return c;
}

static void clear(struct mm_cache *c, struct slot *s)
{
	atomic_fetch_sub(&c->bytes, s->len);
	free(s->key);
	free(s->body);
	s->key = s->body = NULL;
	s->len = 0;
}

void mm_cache_free(struct mm_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		clear(c, &c->slots[i]);
		pthread_mutex_destroy(&c->slots[i].lock);
	}
	free(c);
}

static struct slot *slot_for(struct mm_cache *c, const char *key)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return &c->slots[h % SLOTS];
}

bool mm_cache_get(struct mm_cache *c, const char *key, int64_t gen, struct mm_resp *rs)
{
	struct slot *s;
	bool hit;

	if (!c)
		return false;
	s = slot_for(c, key);
	pthread_mutex_lock(&s->lock);
	hit = s->key && s->gen == gen && strcmp(s->key, key) == 0;
	if (hit) {
		mm_buf_reset(&rs->body);
		mm_buf_add(&rs->body, s->body, s->len);
		rs->status = 200;
		rs->content_type = s->content_type;
		hit = rs->body.err == 0;
	}
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void mm_cache_put(struct mm_cache *c, const char *key, int64_t gen, const struct mm_resp *rs)
{
	struct slot *s;
	char *k, *body;

	if (!c || rs->status != 200 || rs->nheaders || rs->body.err || rs->body.len > MAX_ENTRY)
		return;
	k = strdup(key);
	body = malloc(rs->body.len + 1);
	if (!k || !body) {
		free(k);
		free(body);
		return;
	}
	memcpy(body, rs->body.data, rs->body.len + 1);
	s = slot_for(c, key);
	pthread_mutex_lock(&s->lock);
	clear(c, s);
	if (atomic_load(&c->bytes) + rs->body.len <= c->max_bytes) {
		s->key = k;
		s->body = body;
		s->len = rs->body.len;
		s->gen = gen;
		s->content_type = rs->content_type;
		atomic_fetch_add(&c->bytes, s->len);
		k = body = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	free(k);
	free(body);
}

const char *mm_cache_key(struct mm_req *rq, const char *viewer)
{
	struct mm_buf b;
	const char *out;

	mm_buf_init(&b, 8192);
	/* Every part is length-prefixed, so no two requests share a key. */
	mm_buf_printf(&b, "%zu:%s %zu:%s %d %zu:%s", strlen(rq->method), rq->method,
		      strlen(rq->path), rq->path, (int)rq->lang, viewer ? strlen(viewer) : 0,
		      viewer ? viewer : "");
	for (size_t i = 0; i < rq->nquery; i++) {
		mm_buf_printf(&b, " %zu:%s %zu:", strlen(rq->query[i].name), rq->query[i].name,
			      rq->query[i].len);
		mm_buf_add(&b, rq->query[i].value, rq->query[i].len);
	}
	out = b.err ? NULL : mm_arena_strndup(rq->a, b.data, b.len);
	mm_buf_free(&b);
	return out;
}
