/* The principal cache (authcache.h): a fixed table of slots, each with its
 * own lock, indexed by the credential's hash. A newer entry simply replaces
 * whatever shared its slot. */
#include "domain/authcache.h"

#include "core/arena.h"
#include "core/err.h"
#include "domain/auth_int.h"
#include "domain/register.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Room for a login, a name and a CSRF token. */
enum { STRS = 448 };

struct slot {
	pthread_mutex_t lock;
	bool used;
	char kind;
	char hash[MM_AUTH_HASH_HEX];
	struct mm_auth_hit hit;	 /* string pointers cleared */
	short login, name, csrf; /* offsets into strs, or -1 */
	char strs[STRS];
};

struct mm_auth_cache {
	unsigned mask;
	struct slot slots[];
};

struct mm_auth_cache *mm_auth_cache_new(unsigned slots)
{
	struct mm_auth_cache *c;
	unsigned n = 1;

	while (n < slots && n < (1u << 20))
		n <<= 1;
	c = calloc(1, sizeof(*c) + n * sizeof(c->slots[0]));
	if (!c)
		return NULL;
	c->mask = n - 1;
	for (unsigned i = 0; i < n; i++)
		pthread_mutex_init(&c->slots[i].lock, NULL);
	return c;
}

void mm_auth_cache_free(struct mm_auth_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i <= c->mask; i++)
		pthread_mutex_destroy(&c->slots[i].lock);
	free(c);
}

/* The slot for a hash: its first eight hex digits pick it. */
static struct slot *slot_for(struct mm_auth_cache *c, const char *hash)
{
	unsigned v = 0;

	for (int i = 0; i < 8 && hash[i]; i++) {
		char ch = hash[i];
		v = v << 4 | (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
	}
	return &c->slots[v & c->mask];
}

static bool same_key(const struct slot *s, char kind, const char *hash)
{
	return s->used && s->kind == kind && strcmp(s->hash, hash) == 0;
}

bool mm_auth_cache_get(struct mm_auth_cache *c, char kind, const char *hash, int64_t generation,
		       int64_t day, int64_t now, struct mm_arena *a, struct mm_auth_hit *out)
{
	struct slot *s;
	bool ok;

	if (!c)
		return false;
	s = slot_for(c, hash);
	pthread_mutex_lock(&s->lock);
	ok = same_key(s, kind, hash) && s->hit.generation == generation && s->hit.day == day &&
	     now < s->hit.fresh_until;
	if (ok) {
		*out = s->hit;
		out->p.login = s->login < 0 ? NULL : mm_arena_strdup(a, s->strs + s->login);
		out->p.name = s->name < 0 ? NULL : mm_arena_strdup(a, s->strs + s->name);
		out->csrf = s->csrf < 0 ? NULL : mm_arena_strdup(a, s->strs + s->csrf);
		ok = (s->login < 0 || out->p.login) && (s->name < 0 || out->p.name) &&
		     (s->csrf < 0 || out->csrf);
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

/* Appends str to buf at *at; its offset, -1 for NULL, or -2 when full. */
static short keep(char *buf, size_t *at, const char *str)
{
	size_t n;
	short off;

	if (!str)
		return -1;
	n = strlen(str) + 1;
	if (*at + n > STRS)
		return -2;
	memcpy(buf + *at, str, n);
	off = (short)*at;
	*at += n;
	return off;
}

void mm_auth_cache_put(struct mm_auth_cache *c, char kind, const char *hash,
		       const struct mm_auth_hit *hit)
{
	char strs[STRS];
	size_t at = 0;
	short login, name, csrf;
	struct slot *s;

	size_t hlen = strlen(hash);

	if (!c || hlen >= MM_AUTH_HASH_HEX)
		return;
	login = keep(strs, &at, hit->p.login);
	name = keep(strs, &at, hit->p.name);
	csrf = keep(strs, &at, hit->csrf);
	if (login == -2 || name == -2 || csrf == -2)
		return;
	s = slot_for(c, hash);
	pthread_mutex_lock(&s->lock);
	s->used = true;
	s->kind = kind;
	memcpy(s->hash, hash, hlen + 1);
	s->hit = *hit;
	s->hit.p.login = s->hit.p.name = s->hit.csrf = NULL;
	s->login = login;
	s->name = name;
	s->csrf = csrf;
	memcpy(s->strs, strs, at);
	pthread_mutex_unlock(&s->lock);
}

/* The JST day number of a unix time: role holdings change at JST midnight. */
static int64_t jst_day(int64_t t)
{
	return (t + 9 * 3600) / 86400;
}

bool mm_auth_recall(struct mm_ctx *ctx, char kind, const char *hash, int64_t now, int64_t *gen,
		    struct mm_principal *out, const char **csrf, int *rc)
{
	struct mm_auth_hit hit;

	*gen = -1;
	if (!ctx->auth_cache || mm_store_generation(ctx->conn, gen) != MM_OK) {
		*gen = -1;
		return false;
	}
	if (!mm_auth_cache_get(ctx->auth_cache, kind, hash, *gen, jst_day(now), now, ctx->a, &hit))
		return false;
	*out = hit.p;
	if (csrf)
		*csrf = hit.csrf;
	*rc = hit.rc;
	return true;
}

void mm_auth_remember(struct mm_ctx *ctx, char kind, const char *hash, int64_t gen, int64_t now,
		      int64_t fresh_until, const struct mm_principal *p, const char *csrf, int rc)
{
	struct mm_auth_hit hit = { rc, *p, csrf, gen, jst_day(now), fresh_until };

	if (ctx->auth_cache && gen >= 0 && (rc == MM_OK || rc == MM_EPERM))
		mm_auth_cache_put(ctx->auth_cache, kind, hash, &hit);
}
