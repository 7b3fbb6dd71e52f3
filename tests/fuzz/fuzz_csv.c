/* CSV files as spreadsheets save them: encoding detection (UTF-8, UTF-8
 * with BOM, CP932), conversion to UTF-8, then the RFC 4180 reader.
 * Invariants: converted text is valid UTF-8; an error offset lies inside the
 * input; and the records read, written back with the CSV writer, read again
 * as the same fields (the round trip an export and re-import makes). */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/encoding.h"
#include "core/err.h"
#include "core/slice.h"

#include <string.h>

enum { MAX_RECORDS = 4096, ARENA_CAP = 64u << 20 };

struct table {
	struct mm_slice *rec[MAX_RECORDS];
	size_t n[MAX_RECORDS];
	size_t nrec;
	int err;
};

/* Reads every record of text into t; stops at the first error. */
static void read_all(const char *text, size_t len, struct mm_arena *a, struct table *t)
{
	struct mm_csv_reader r;

	mm_csv_reader_init(&r, text, len);
	t->nrec = 0;
	t->err = MM_OK;
	while (t->nrec < MAX_RECORDS) {
		int rc = mm_csv_next(&r, a, &t->rec[t->nrec], &t->n[t->nrec]);

		if (rc == MM_ENOTFOUND)
			break;
		if (rc) {
			t->err = rc;
			/* The error is sticky. */
			FUZZ_CHECK(mm_csv_next(&r, a, &t->rec[t->nrec], &t->n[t->nrec]) == rc);
			break;
		}
		FUZZ_CHECK(t->n[t->nrec] >= 1 && t->n[t->nrec] <= MM_CSV_MAX_FIELDS);
		for (size_t i = 0; i < t->n[t->nrec]; i++)
			FUZZ_CHECK(t->rec[t->nrec][i].ptr[t->rec[t->nrec][i].len] == '\0');
		t->nrec++;
	}
}

static void round_trip(const struct table *t, struct mm_arena *a)
{
	static struct table again;
	struct mm_buf out;

	mm_buf_init(&out, 64u << 20);
	for (size_t r = 0; r < t->nrec; r++) {
		for (size_t i = 0; i < t->n[r]; i++) {
			if (i)
				mm_buf_addc(&out, ',');
			mm_csv_field(&out, t->rec[r][i].ptr, t->rec[r][i].len, false);
		}
		mm_csv_row_end(&out);
	}
	FUZZ_CHECK(!out.err);
	read_all(out.data ? out.data : "", out.len, a, &again);
	FUZZ_CHECK(again.err == MM_OK);
	/* Records of one empty field at the very end are empty lines, which the
	 * reader skips at the end of input. */
	size_t want = t->nrec;
	while (want && t->n[want - 1] == 1 && t->rec[want - 1][0].len == 0)
		want--;
	FUZZ_CHECK(again.nrec == want);
	for (size_t r = 0; r < want; r++) {
		FUZZ_CHECK(again.n[r] == t->n[r]);
		for (size_t i = 0; i < t->n[r]; i++)
			FUZZ_CHECK(mm_slice_eq(again.rec[r][i], t->rec[r][i]));
	}
	mm_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct table t;
	const char *in = (const char *)data;
	enum mm_enc enc;
	struct mm_buf utf8;
	struct mm_arena a;
	size_t bad = 0;
	int rc;

	FUZZ_CHECK(mm_enc_line_at(in, size, size) >= 1);
	if (mm_enc_detect(in, size, &enc) != MM_OK)
		return 0;
	mm_buf_init(&utf8, 64u << 20);
	rc = mm_enc_to_utf8(in, size, enc, &utf8, &bad);
	if (rc == MM_EENCODING)
		FUZZ_CHECK(bad < size);
	/* Detection promised that the whole input converts. */
	FUZZ_CHECK(rc == MM_OK);
	FUZZ_CHECK(mm_utf8_valid(utf8.data ? utf8.data : "", utf8.len));
	if (enc == MM_ENC_CP932) {
		/* UTF-8 back to CP932 succeeds for text that came from CP932. */
		struct mm_buf cp;

		mm_buf_init(&cp, 64u << 20);
		rc = mm_utf8_to_cp932(utf8.data ? utf8.data : "", utf8.len, &cp, &bad);
		FUZZ_CHECK(rc == MM_OK);
		mm_buf_free(&cp);
	}
	mm_arena_init(&a, ARENA_CAP);
	read_all(utf8.data ? utf8.data : "", utf8.len, &a, &t);
	if (t.err == MM_OK && t.nrec < MAX_RECORDS)
		round_trip(&t, &a);
	mm_arena_free(&a);
	mm_buf_free(&utf8);
	return 0;
}
