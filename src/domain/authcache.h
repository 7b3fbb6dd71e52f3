/* A cache of principals by credential, so that a request with a session
 * cookie or API token that was checked a moment ago costs one read of the
 * store generation instead of five queries.
 *
 * An entry is used only while
 * - the store generation is the one it was loaded at (any write to records,
 *   accounts or grants, and every sign-out, session end and token
 *   revocation, moves it on, in this process or another one such as the
 *   CLI),
 * - it is the same JST day (role holdings start and end by date), and
 * - now is before its fresh_until, which the loader sets to when the
 *   credential must next be touched or ends.
 * Past that, the full check runs again and refreshes the entry. */
#ifndef MM_DOMAIN_AUTHCACHE_H
#define MM_DOMAIN_AUTHCACHE_H

#include "domain/principal.h"

#include <stdbool.h>
#include <stdint.h>

struct mm_arena;
struct mm_auth_cache;

/* A cache of slots entries (rounded up to a power of two); NULL when out of
 * memory. Safe to use from several threads. */
struct mm_auth_cache *mm_auth_cache_new(unsigned slots);
void mm_auth_cache_free(struct mm_auth_cache *c);

/* What a check of a credential concluded. */
struct mm_auth_hit {
	int rc;		       /* MM_OK, or MM_EPERM (must enrol TOTP) */
	struct mm_principal p; /* strings in the caller's arena after a get */
	const char *csrf;      /* a session's CSRF token, or NULL */
	int64_t generation;    /* store generation it was checked at */
	int64_t day;	       /* JST day number it was checked on */
	int64_t fresh_until;   /* unix seconds */
};

/* Finds the entry for hash (a credential's hex SHA-256, kind 's' for
 * sessions or 'b' for bearer tokens) that is still good at generation, day
 * and now; copies it into out with strings in a. False when there is none. */
bool mm_auth_cache_get(struct mm_auth_cache *c, char kind, const char *hash, int64_t generation,
		       int64_t day, int64_t now, struct mm_arena *a, struct mm_auth_hit *out);

/* Remembers what the check of hash concluded. Entries whose strings do not
 * fit are not kept. */
void mm_auth_cache_put(struct mm_auth_cache *c, char kind, const char *hash,
		       const struct mm_auth_hit *hit);

struct mm_ctx;

/* For the checks in auth.c: looks hash up in ctx's cache (ctx->auth_cache,
 * which may be NULL). True when a fresh entry answers, with *out, *csrf
 * (may be NULL) and *rc set from it. Otherwise *gen is the generation to
 * remember the full check's result under, or -1 when it may not be kept. */
bool mm_auth_recall(struct mm_ctx *ctx, char kind, const char *hash, int64_t now, int64_t *gen,
		    struct mm_principal *out, const char **csrf, int *rc);

/* Keeps the result rc of a full check for mm_auth_recall, good until
 * fresh_until, when gen is not -1 and rc is MM_OK or MM_EPERM. */
void mm_auth_remember(struct mm_ctx *ctx, char kind, const char *hash, int64_t gen, int64_t now,
		      int64_t fresh_until, const struct mm_principal *p, const char *csrf, int rc);

#endif
