#include "core/buf.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty[1];

void mm_buf_init(struct mm_buf *b, size_t cap)
{
	b->data = empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->err = MM_OK;
}

void mm_buf_free(struct mm_buf *b)
{
	if (b->alloc)
		free(b->data);
	mm_buf_init(b, b->cap);
}

void mm_buf_reset(struct mm_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->data[0] = '\0';
	b->err = MM_OK;
}

char *mm_buf_detach(struct mm_buf *b, size_t *len)
{
	char *p;

	if (b->err)
		return NULL;
	if (!b->alloc) {
		p = calloc(1, 1);
		if (!p)
			return NULL;
	} else {
		p = b->data;
	}
	if (len)
		*len = b->len;
	mm_buf_init(b, b->cap);
	return p;
}

/* Makes room for n more bytes plus the NUL; sets the sticky error on failure. */
static int grow(struct mm_buf *b, size_t n)
{
	size_t want, size;
	char *p;

	if (b->err)
		return -1;
	if (n > b->cap - b->len || n >= SIZE_MAX - b->len) {
		b->err = MM_ETOOBIG;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->alloc)
		return 0;
	size = b->alloc ? b->alloc : 64;
	while (size < want)
		size = size > SIZE_MAX / 2 ? want : size * 2;
	/* Never hold more than the cap allows: the inline append trusts alloc. */
	if (b->cap < SIZE_MAX && size > b->cap + 1)
		size = b->cap + 1;
	p = realloc(b->alloc ? b->data : NULL, size);
	if (!p) {
		b->err = MM_ENOMEM;
		return -1;
	}
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = size;
	return 0;
}

void mm_buf_reserve(struct mm_buf *b, size_t n)
{
	grow(b, n);
}

void mm_buf_add_slow(struct mm_buf *b, const void *p, size_t n)
{
	if (grow(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void mm_buf_adds(struct mm_buf *b, const char *s)
{
	mm_buf_add(b, s, strlen(s));
}

void mm_buf_addi(struct mm_buf *b, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	mm_buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void mm_buf_vprintf(struct mm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = MM_EINVAL;
		return;
	}
	if (grow(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void mm_buf_printf(struct mm_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mm_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void mm_buf_truncate(struct mm_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}
