/* A streaming JSON writer over an mm_buf. It tracks commas itself, so callers
 * only say what comes next. Strings are escaped per RFC 8259; bytes that are
 * not valid UTF-8 never reach it (input is validated at the edges). Errors
 * land in the buffer's sticky error. */
#ifndef MM_CORE_JSON_H
#define MM_CORE_JSON_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_JSON_MAX_DEPTH = 32 };

struct mm_json {
	struct mm_buf *b;
	int depth;
	bool after_key;
	bool has_item[MM_JSON_MAX_DEPTH];
};

void mm_json_init(struct mm_json *j, struct mm_buf *b);
void mm_json_obj_open(struct mm_json *j);
void mm_json_obj_close(struct mm_json *j);
void mm_json_arr_open(struct mm_json *j);
void mm_json_arr_close(struct mm_json *j);
void mm_json_key(struct mm_json *j, const char *key);
void mm_json_str(struct mm_json *j, const char *s);
void mm_json_strn(struct mm_json *j, const char *s, size_t n);
void mm_json_int(struct mm_json *j, int64_t v);
void mm_json_bool(struct mm_json *j, bool v);
void mm_json_null(struct mm_json *j);

/* Appends a value that is already JSON text (trusted, e.g. stored by mamori). */
void mm_json_raw(struct mm_json *j, const char *json);

/* Appends s as a JSON string literal (with quotes) to b. */
void mm_json_escape(struct mm_buf *b, const char *s, size_t n);

#endif
