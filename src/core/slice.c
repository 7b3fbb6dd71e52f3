#include "core/slice.h"

#include <string.h>

struct mm_slice mm_slice_cstr(const char *s)
{
	struct mm_slice r = { s ? s : "", s ? strlen(s) : 0 };
	return r;
}

bool mm_slice_eq(struct mm_slice a, struct mm_slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool mm_slice_eqs(struct mm_slice a, const char *s)
{
	return mm_slice_eq(a, mm_slice_cstr(s));
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct mm_slice mm_slice_trim(struct mm_slice s)
{
	while (s.len && is_space(s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && is_space(s.ptr[s.len - 1]))
		s.len--;
	return s;
}

struct mm_slice mm_slice_cut(struct mm_slice s, char sep, struct mm_slice *head)
{
	const char *p = s.len ? memchr(s.ptr, sep, s.len) : NULL;
	struct mm_slice tail = { NULL, 0 };

	if (!p) {
		*head = s;
		return tail;
	}
	head->ptr = s.ptr;
	head->len = (size_t)(p - s.ptr);
	tail.ptr = p + 1;
	tail.len = s.len - head->len - 1;
	return tail;
}

bool mm_slice_to_i64(struct mm_slice s, int64_t *out)
{
	uint64_t v = 0, limit;
	bool neg = false;
	size_t i = 0;

	if (s.len && (s.ptr[0] == '-' || s.ptr[0] == '+')) {
		neg = s.ptr[0] == '-';
		i = 1;
	}
	if (i == s.len)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < s.len; i++) {
		unsigned d = (unsigned char)s.ptr[i] - '0';
		if (d > 9 || v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool mm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p;
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

size_t mm_utf8_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
