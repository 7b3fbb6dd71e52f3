#include "core/json.h"

#include "core/err.h"

#include <string.h>

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
	sep(j);
	mm_json_escape(j->b, key, strlen(key));
	mm_buf_addc(j->b, ':');
	j->after_key = true;
}

void mm_json_escape(struct mm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	mm_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		mm_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			mm_buf_add(b, u, 6);
			continue;
		}
		mm_buf_adds(b, esc);
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
