/* Character encodings at the edges: files that Excel users open or produce
 * may be UTF-8, UTF-8 with a byte order mark, or Shift_JIS as Windows writes
 * it (CP932). Inside mamori everything is UTF-8. Conversion uses the C
 * library's iconv and never replaces a character silently: the first one
 * that cannot be converted is reported with its byte offset. */
#ifndef MM_CORE_ENCODING_H
#define MM_CORE_ENCODING_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum mm_enc {
	MM_ENC_UTF8,
	MM_ENC_UTF8_BOM,
	MM_ENC_CP932,
};

/* Guesses the encoding of n bytes at p: a UTF-8 byte order mark followed by
 * valid UTF-8 gives MM_ENC_UTF8_BOM, valid UTF-8 (including empty and plain
 * ASCII input) MM_ENC_UTF8, and bytes that decode fully as CP932
 * MM_ENC_CP932. Returns MM_OK with *out set, or MM_EENCODING when none fits
 * (or MM_EIO when the C library lacks a CP932 converter). */
int mm_enc_detect(const char *p, size_t n, enum mm_enc *out);

/* Appends the UTF-8 form of the n CP932 bytes at in to out. Returns MM_OK;
 * MM_EENCODING with *bad_offset (when not NULL) set to the input offset of
 * the first byte sequence that is not CP932 (including a truncated final
 * character); the buffer's error (MM_ETOOBIG, MM_ENOMEM) when out overflows;
 * MM_EIO when the C library lacks a CP932 converter. On error out holds a
 * partial result that the caller discards. */
int mm_cp932_to_utf8(const char *in, size_t n, struct mm_buf *out, size_t *bad_offset);

/* Appends the CP932 form of the n UTF-8 bytes at in to out. Characters
 * without a CP932 form (emoji, most non-Japanese scripts) and invalid UTF-8
 * give MM_EENCODING with *bad_offset at the character's first byte. WAVE
 * DASH (U+301C), DOUBLE VERTICAL LINE (U+2016), MINUS SIGN (U+2212), EM DASH
 * (U+2014), and U+00A2, U+00A3, U+00AC become the CP932 characters Windows
 * users expect (0x8160, 0x8161, 0x817C, 0x815C, 0x8191, 0x8192, 0x81CA);
 * glibc's CP932 table maps these by itself. Other errors as for
 * mm_cp932_to_utf8. */
int mm_utf8_to_cp932(const char *in, size_t n, struct mm_buf *out, size_t *bad_offset);

/* Appends the UTF-8 text of n bytes at in, which are in encoding enc, to
 * out: a byte order mark is dropped, UTF-8 is checked, CP932 is converted.
 * Errors as for mm_cp932_to_utf8, with *bad_offset counted from the start of
 * in (byte order mark included). */
int mm_enc_to_utf8(const char *in, size_t n, enum mm_enc enc, struct mm_buf *out,
		   size_t *bad_offset);

/* True when the n bytes at p are valid UTF-8 (as mm_utf8_valid). Otherwise
 * sets *bad_offset (when not NULL) to the offset of the first byte of the
 * first invalid sequence. */
bool mm_utf8_check(const char *p, size_t n, size_t *bad_offset);

/* Returns the 1-based line number of byte offset off in the n bytes at p,
 * counting LF, CRLF and a lone CR as line ends; for error messages such as
 * "line 12: not CP932". An offset past the end counts as the end. */
size_t mm_enc_line_at(const char *p, size_t n, size_t off);

#endif
