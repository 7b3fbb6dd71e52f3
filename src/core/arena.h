/* A bump allocator: many small allocations, one free. Each HTTP request and
 * each CLI command owns one; everything allocated from it dies with it. */
#ifndef MM_CORE_ARENA_H
#define MM_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct mm_arena_block;

struct mm_arena {
	struct mm_arena_block *head;
	size_t cap;  /* total bytes this arena may hold; 0 means no cap */
	size_t used; /* bytes obtained from malloc so far */
};

/* Prepares an empty arena that will refuse to grow past cap bytes (0: no cap). */
void mm_arena_init(struct mm_arena *a, size_t cap);

/* Releases every block; the arena may be reused afterwards. */
void mm_arena_free(struct mm_arena *a);

/* Returns n bytes aligned for any type, or NULL when out of memory or past the
 * cap. The memory is not zeroed. */
void *mm_arena_alloc(struct mm_arena *a, size_t n);

/* Like mm_arena_alloc, zeroed. */
void *mm_arena_zalloc(struct mm_arena *a, size_t n);

/* Makes room for one more element in an array of n elements of size bytes
 * at *v with room for *cap: doubles it (from first) by copying into the
 * arena when full. False when out of memory (*v then unchanged). */
bool mm_arena_grow(struct mm_arena *a, void *v, size_t n, size_t *cap, size_t size, size_t first);

/* Copies n bytes of s into the arena and adds a NUL; NULL on failure. */
char *mm_arena_strndup(struct mm_arena *a, const char *s, size_t n);

/* Copies the NUL-terminated s; NULL on failure or when s is NULL. */
char *mm_arena_strdup(struct mm_arena *a, const char *s);

#endif
