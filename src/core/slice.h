/* Borrowed byte ranges for parsing: {ptr, len}, never NUL-terminated by
 * contract. A slice does not own its bytes. */
#ifndef MM_CORE_SLICE_H
#define MM_CORE_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_slice {
	const char *ptr;
	size_t len;
};

#define MM_SLICE_LIT(s) ((struct mm_slice){ (s), sizeof(s) - 1 })

/* Slice over a NUL-terminated string (empty when s is NULL). */
struct mm_slice mm_slice_cstr(const char *s);

bool mm_slice_eq(struct mm_slice a, struct mm_slice b);
bool mm_slice_eqs(struct mm_slice a, const char *s);

/* Removes ASCII spaces, tabs, CR and LF at both ends. */
struct mm_slice mm_slice_trim(struct mm_slice s);

/* Splits s at the first sep: *head gets the part before, the return value
 * the part after (empty, with ptr NULL, when sep does not occur). */
struct mm_slice mm_slice_cut(struct mm_slice s, char sep, struct mm_slice *head);

/* Parses an optionally signed decimal integer that fills the whole slice.
 * Returns false on empty input, other characters or overflow. */
bool mm_slice_to_i64(struct mm_slice s, int64_t *out);

/* True when s is well-formed UTF-8 (no overlongs, surrogates, or code points
 * past U+10FFFF). */
bool mm_utf8_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8. */
size_t mm_utf8_count(const char *s, size_t len);

#endif
