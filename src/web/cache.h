/* A cache of rendered responses, for read-heavy pages such as lists. An entry
 * is valid only for the store generation it was rendered at, so any committed
 * write, by any process, makes every entry stale. Keys must include whatever
 * changes the response: path, query, language and (with access control) who
 * is reading. Thread-safe; bounded in entries and bytes. */
#ifndef MM_WEB_CACHE_H
#define MM_WEB_CACHE_H

#include "web/web.h"

#include <stdbool.h>
#include <stdint.h>

struct mm_cache;

/* A cache of up to max_bytes of response bodies; NULL when out of memory. */
struct mm_cache *mm_cache_new(size_t max_bytes);
void mm_cache_free(struct mm_cache *c);

/* Fills rs (status, content type, body) from the entry for key at
 * generation gen and returns true; false when there is none. */
bool mm_cache_get(struct mm_cache *c, const char *key, int64_t gen, struct mm_resp *rs);

/* Keeps a copy of rs (a 200 response without extra headers) under key. */
void mm_cache_put(struct mm_cache *c, const char *key, int64_t gen, const struct mm_resp *rs);

/* The key of a request: method, path, query parameters in order, language
 * and viewer, in the request arena. */
const char *mm_cache_key(struct mm_req *rq, const char *viewer);

#endif
