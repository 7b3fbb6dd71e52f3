/* CSV as in RFC 4180, for spreadsheet import and export. The writer quotes
 * only when needed and can defuse formula injection; the reader accepts what
 * Excel and LibreOffice write (CRLF or LF, quoted fields across lines, a
 * final record without a line end). */
#ifndef MM_CORE_CSV_H
#define MM_CORE_CSV_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/slice.h"

#include <stdbool.h>
#include <stddef.h>

enum {
	MM_CSV_MAX_FIELDS = 1000,	/* fields in one record */
	MM_CSV_MAX_FIELD = 1024 * 1024, /* bytes in one field, after unquoting */
};

/* Appends the n bytes of s to b as one CSV field. The field is quoted (with
 * inner quotes doubled) when it contains a comma, quote, CR or LF or starts or
 * ends with a space or tab, or starts with a UTF-8 byte order mark. With
 * neutralise, a value starting with = + - @,
 * TAB or CR is prefixed with a single quote so that a spreadsheet shows it as
 * text instead of running it as a formula; so is one where such a character
 * follows leading single quotes ("'=x" is written "''=x"), which lets
 * mm_csv_unneutralise give back every text exactly. Pass true for text values
 * and false for numbers. The caller writes the "," between fields. Errors
 * land in b's sticky error. */
void mm_csv_field(struct mm_buf *b, const char *s, size_t n, bool neutralise);

/* Undoes mm_csv_field's neutralising quote on a cell read back: a cell that
 * starts with a single quote and, past its leading quotes, with = + - @, TAB
 * or CR loses its first quote. Any other cell is returned as it is ("'abc"
 * stays "'abc"). In a hand-made file "'=x" reads as "=x", as Excel takes a
 * leading quote to mark text. Returns a slice of s. */
struct mm_slice mm_csv_unneutralise(struct mm_slice s);

/* Appends the record terminator "\r\n". */
void mm_csv_row_end(struct mm_buf *b);

/* A reader over a borrowed buffer, which must outlive it. A leading UTF-8
 * byte order mark is skipped. Fields are not checked for valid UTF-8; the
 * caller validates the whole input first. */
struct mm_csv_reader {
	const char *data;
	size_t len;
	size_t off;	  /* where the next record starts */
	size_t line;	  /* 1-based line on which the last record read started */
	size_t next_line; /* line on which the next record starts */
	int err;	  /* sticky: once a record fails, every later call fails */
};

void mm_csv_reader_init(struct mm_csv_reader *r, const char *data, size_t len);

/* Reads the next record into *fields (an array of *n slices) allocated from
 * a. Each field is an arena copy with quoting undone and a NUL after its last
 * byte. An empty line in the middle of the input is a record with one empty
 * field; empty lines at the very end are skipped. Returns MM_OK; MM_ENOTFOUND
 * at the end of input; MM_EINVAL for an unterminated quoted field or text
 * after a closing quote; MM_ETOOBIG past MM_CSV_MAX_FIELDS fields or a field
 * longer than MM_CSV_MAX_FIELD; MM_ENOMEM when a is exhausted. After an error
 * r->line still names the record's first line and the same error repeats. */
int mm_csv_next(struct mm_csv_reader *r, struct mm_arena *a, struct mm_slice **fields, size_t *n);

#endif
