#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mm_arena_block {
	struct mm_arena_block *next;
	size_t size;
	size_t off;
	max_align_t data[];
};

enum { BLOCK_MIN = 8192 };

void mm_arena_init(struct mm_arena *a, size_t cap)
{
	a->head = NULL;
	a->cap = cap;
	a->used = 0;
}

void mm_arena_free(struct mm_arena *a)
{
	struct mm_arena_block *b = a->head;

	while (b) {
		struct mm_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

void *mm_arena_alloc(struct mm_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct mm_arena_block *b = a->head;
	size_t need, size;

	if (n > SIZE_MAX / 2)
		return NULL;
	need = (n + align - 1) & ~(align - 1);
	if (need == 0)
		need = align;
	if (b && b->size - b->off >= need) {
		void *p = (char *)b->data + b->off;
		b->off += need;
		return p;
	}
	size = need > BLOCK_MIN ? need : BLOCK_MIN;
	if (b && b->size < (size_t)1 << 20 && size < b->size * 2)
		size = b->size * 2;
	if (a->cap && a->used + size > a->cap) {
		if (a->used + need > a->cap)
			return NULL;
		size = need;
	}
	b = malloc(sizeof(*b) + size);
	if (!b)
		return NULL;
	b->size = size;
	b->off = need;
	b->next = a->head;
	a->head = b;
	a->used += size;
	return b->data;
}

void *mm_arena_zalloc(struct mm_arena *a, size_t n)
{
	void *p = mm_arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *mm_arena_strndup(struct mm_arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? mm_arena_alloc(a, n + 1) : NULL;

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *mm_arena_strdup(struct mm_arena *a, const char *s)
{
	return s ? mm_arena_strndup(a, s, strlen(s)) : NULL;
}

bool mm_arena_grow(struct mm_arena *a, void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	void **vp = v;
	size_t c = *cap ? *cap * 2 : first;
	char *nv;

	if (n < *cap)
		return true;
	nv = c < SIZE_MAX / size ? mm_arena_alloc(a, c * size) : NULL;
	if (!nv)
		return false;
	if (n)
		memcpy(nv, *vp, n * size);
	*vp = nv;
	*cap = c;
	return true;
}
