#include "core/csv.h"

#include "core/err.h"

#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool starts_formula(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* True when s starts a formula once its leading single quotes are taken off:
 * the values the writer gives one more quote and the reader takes it off
 * again, so that the two undo each other for every text. */
static bool formula_shaped(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '\'')
		i++;
	return i < n && starts_formula(s[i]);
}

struct mm_slice mm_csv_unneutralise(struct mm_slice s)
{
	if (s.len && s.ptr[0] == '\'' && formula_shaped(s.ptr, s.len)) {
		s.ptr++;
		s.len--;
	}
	return s;
}

void mm_csv_field(struct mm_buf *b, const char *s, size_t n, bool neutralise)
{
	bool prefix = neutralise && formula_shaped(s, n);
	/* A leading byte order mark is quoted: unquoted at the start of a file,
	 * a reader would take it for the file's own and drop it. */
	bool quote = n && (is_blank(s[0]) || is_blank(s[n - 1]) ||
			   (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0));
	size_t run = 0;

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (quote)
		mm_buf_addc(b, '"');
	if (prefix)
		mm_buf_addc(b, '\'');
	if (quote) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] != '"')
				continue;
			mm_buf_add(b, s + run, i + 1 - run);
			mm_buf_addc(b, '"');
			run = i + 1;
		}
	}
	mm_buf_add(b, s + run, n - run);
	if (quote)
		mm_buf_addc(b, '"');
}

void mm_csv_row_end(struct mm_buf *b)
{
	mm_buf_add(b, "\r\n", 2);
}

void mm_csv_reader_init(struct mm_csv_reader *r, const char *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->line = 0;
	r->next_line = 1;
	r->err = MM_OK;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->off = 3;
}

/* A growing array of fields in the arena; outgrown copies are left behind,
 * which costs at most as much again as the final array. */
struct fields {
	struct mm_slice *v;
	size_t n, cap;
};

static int push(struct fields *f, struct mm_arena *a, const char *p, size_t n)
{
	if (f->n == MM_CSV_MAX_FIELDS)
		return MM_ETOOBIG;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct mm_slice *v = mm_arena_alloc(a, cap * sizeof(*v));

		if (!v)
			return MM_ENOMEM;
		if (f->n)
			memcpy(v, f->v, f->n * sizeof(*v));
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].ptr = p;
	f->v[f->n].len = n;
	f->n++;
	return MM_OK;
}

/* Reads a quoted field whose opening quote is at r->off and leaves r->off on
 * the byte after the closing quote. */
static int quoted(struct mm_csv_reader *r, struct mm_arena *a, struct fields *f)
{
	const char *d = r->data;
	size_t i = r->off + 1, n = 0, lines = 0, o = 0;
	char *out;

	for (;; i++) {
		if (i >= r->len)
			return MM_EINVAL;
		if (d[i] == '"') {
			if (i + 1 < r->len && d[i + 1] == '"') {
				i++;
			} else {
				break;
			}
		} else if (d[i] == '\n' ||
			   (d[i] == '\r' && (i + 1 == r->len || d[i + 1] != '\n'))) {
			lines++;
		}
		n++;
	}
	if (i + 1 < r->len && d[i + 1] != ',' && d[i + 1] != '\r' && d[i + 1] != '\n')
		return MM_EINVAL;
	if (n > MM_CSV_MAX_FIELD)
		return MM_ETOOBIG;
	out = mm_arena_alloc(a, n + 1);
	if (!out)
		return MM_ENOMEM;
	for (size_t j = r->off + 1; j < i; j++) {
		out[o++] = d[j];
		if (d[j] == '"')
			j++;
	}
	out[o] = '\0';
	r->off = i + 1;
	r->next_line += lines;
	return push(f, a, out, n);
}

/* Reads an unquoted field, leaving r->off on its delimiter or the end. */
static int plain(struct mm_csv_reader *r, struct mm_arena *a, struct fields *f)
{
	const char *d = r->data;
	size_t i = r->off;
	size_t n;
	char *out;

	while (i < r->len && d[i] != ',' && d[i] != '\r' && d[i] != '\n')
		i++;
	n = i - r->off;
	if (n > MM_CSV_MAX_FIELD)
		return MM_ETOOBIG;
	out = mm_arena_strndup(a, d + r->off, n);
	if (!out)
		return MM_ENOMEM;
	r->off = i;
	return push(f, a, out, n);
}

/* True when only line ends remain from off on. */
static bool only_newlines(const struct mm_csv_reader *r)
{
	for (size_t i = r->off; i < r->len; i++)
		if (r->data[i] != '\r' && r->data[i] != '\n')
			return false;
	return true;
}

int mm_csv_next(struct mm_csv_reader *r, struct mm_arena *a, struct mm_slice **fields, size_t *n)
{
	struct fields f = { NULL, 0, 0 };
	int rc;

	if (r->err)
		return r->err;
	if (only_newlines(r))
		return MM_ENOTFOUND;
	r->line = r->next_line;
	for (;;) {
		if (r->off < r->len && r->data[r->off] == '"')
			rc = quoted(r, a, &f);
		else
			rc = plain(r, a, &f);
		if (rc != MM_OK)
			goto out;
		if (r->off == r->len)
			break;
		if (r->data[r->off] == ',') {
			r->off++;
			continue;
		}
		if (r->data[r->off] == '\r')
			r->off++;
		if (r->off < r->len && r->data[r->off] == '\n')
			r->off++;
		r->next_line++;
		break;
	}
	*fields = f.v;
	*n = f.n;
out:
	if (rc != MM_OK)
		r->err = rc;
	return rc;
}
