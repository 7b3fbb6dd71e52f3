/* A growable byte buffer with a mandatory size cap and a sticky error.
 *
 * Invariants: data is never NULL after mm_buf_init (it points at a static
 * empty string until the first append) and is always NUL-terminated; len
 * never exceeds cap. Once an append fails (allocation or cap), err is set,
 * later appends do nothing, and the caller checks err once at the end. */
#ifndef MM_CORE_BUF_H
#define MM_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mm_buf {
	char *data;
	size_t len;
	size_t alloc; /* 0 while data points at the static empty string */
	size_t cap;
	int err;
};

/* Prepares an empty buffer that may hold at most cap bytes. */
void mm_buf_init(struct mm_buf *b, size_t cap);

/* Frees the buffer's memory and leaves it empty and reusable. */
void mm_buf_free(struct mm_buf *b);

/* Empties the buffer and clears its error, keeping its memory. */
void mm_buf_reset(struct mm_buf *b);

/* Hands the heap string over to the caller (who frees it) and empties b.
 * Returns NULL when the buffer is in error. */
char *mm_buf_detach(struct mm_buf *b, size_t *len);

/* The append slow path: grows the buffer; use mm_buf_add. */
void mm_buf_add_slow(struct mm_buf *b, const void *p, size_t n);

/* Makes room for n more bytes so that appends up to n do not reallocate. */
void mm_buf_reserve(struct mm_buf *b, size_t n);

/* Appends n bytes. Inline: the common case (a short piece, room left) is a
 * copy; the rest goes through mm_buf_add_slow. */
static inline void mm_buf_add(struct mm_buf *b, const void *p, size_t n)
{
	if (n < 4096 && b->alloc - b->len > n && !b->err) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	mm_buf_add_slow(b, p, n);
}

static inline void mm_buf_addc(struct mm_buf *b, char c)
{
	mm_buf_add(b, &c, 1);
}

void mm_buf_adds(struct mm_buf *b, const char *s);
void mm_buf_addi(struct mm_buf *b, int64_t v);
void mm_buf_printf(struct mm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mm_buf_vprintf(struct mm_buf *b, const char *fmt, va_list ap);

/* Shortens the buffer to len bytes when it is longer. */
void mm_buf_truncate(struct mm_buf *b, size_t len);

#endif
