#include "core/json.h"

#include "core/err.h"

#include <string.h>

/* Bytes that JSON strings cannot hold as they are: control characters, the
 * quote and the backslash. Everything else (UTF-8 included) is copied. */
static const unsigned char needs_escape[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
	[0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

void mm_json_init(struct mm_json *j, struct mm_buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

/* Writes the comma that separates this value from the previous one. */
static void sep(struct mm_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_item[j->depth])
		mm_buf_addc(j->b, ',');
	j->has_item[j->depth] = true;
}

static void open(struct mm_json *j, char c)
{
	sep(j);
	mm_buf_addc(j->b, c);
	if (j->depth + 1 >= MM_JSON_MAX_DEPTH) {
		j->b->err = MM_EINVAL;
		return;
	}
	j->depth++;
	j->has_item[j->depth] = false;
}

static void close_(struct mm_json *j, char c)
{
	mm_buf_addc(j->b, c);
	if (j->depth > 0)
		j->depth--;
}

void mm_json_obj_open(struct mm_json *j)
{
	open(j, '{');
}
void mm_json_obj_close(struct mm_json *j)
{
	close_(j, '}');
}
void mm_json_arr_open(struct mm_json *j)
{
	open(j, '[');
}
void mm_json_arr_close(struct mm_json *j)
{
	close_(j, ']');
}

void mm_json_key(struct mm_json *j, const char *key)
{
	size_t n = strlen(key);
	char tmp[64];

	sep(j);
	j->after_key = true;
	/* Keys are nearly always plain identifiers: write them in one piece. */
	if (n + 3 <= sizeof(tmp)) {
		bool plain = true;
		for (size_t i = 0; i < n && plain; i++)
			plain = !needs_escape[(unsigned char)key[i]];
		if (plain) {
			tmp[0] = '"';
			memcpy(tmp + 1, key, n);
			tmp[n + 1] = '"';
			tmp[n + 2] = ':';
			mm_buf_add(j->b, tmp, n + 3);
			return;
		}
	}
	mm_json_escape(j->b, key, n);
	mm_buf_addc(j->b, ':');
}

void mm_json_escape(struct mm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0;

	mm_buf_reserve(b, n + 2);
	mm_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		size_t elen = 6;

		if (!needs_escape[c])
			continue;
		mm_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			elen = 2;
			break;
		case '\n':
			esc[1] = 'n';
			elen = 2;
			break;
		case '\r':
			esc[1] = 'r';
			elen = 2;
			break;
		case '\t':
			esc[1] = 't';
			elen = 2;
			break;
		}
		mm_buf_add(b, esc, elen);
	}
	mm_buf_add(b, s + run, n - run);
	mm_buf_addc(b, '"');
}

void mm_json_strn(struct mm_json *j, const char *s, size_t n)
{
	sep(j);
	mm_json_escape(j->b, s, n);
}

void mm_json_str(struct mm_json *j, const char *s)
{
	if (!s) {
		mm_json_null(j);
		return;
	}
	mm_json_strn(j, s, strlen(s));
}

void mm_json_int(struct mm_json *j, int64_t v)
{
	sep(j);
	mm_buf_addi(j->b, v);
}

void mm_json_bool(struct mm_json *j, bool v)
{
	sep(j);
	mm_buf_adds(j->b, v ? "true" : "false");
}

void mm_json_null(struct mm_json *j)
{
	sep(j);
	mm_buf_adds(j->b, "null");
}

void mm_json_raw(struct mm_json *j, const char *json)
{
	sep(j);
	mm_buf_adds(j->b, json);
}
