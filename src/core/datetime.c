#include "core/datetime.h"

#include "core/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
	DAY = 86400,
	NORM_MAX = 64, /* longest date text accepted, after normalisation */
};

/* The limits clamped to: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
static const int64_t time_min = -62135596800LL;
static const int64_t time_max = 253402300799LL;

struct era {
	const char *name;
	char letter;
	struct mm_date start;
};

/* 明治 officially began on 1868-10-23 and was applied back to 1868-01-25; dates
 * from 1868-01-01 are accepted as 明治元年 so that every accepted year has an
 * era. */
static const struct era eras[] = {
	{ "明治", 'M', { 1868, 1, 1 } },   { "大正", 'T', { 1912, 7, 30 } },
	{ "昭和", 'S', { 1926, 12, 25 } }, { "平成", 'H', { 1989, 1, 8 } },
	{ "令和", 'R', { 2019, 5, 1 } },
};
enum { NERAS = sizeof(eras) / sizeof(eras[0]) };

int64_t mm_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* True for a real day in the years 1..9999. */
static bool civil_valid(int y, int m, int d)
{
	return y >= 1 && y <= MM_DATE_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct mm_date civil_from_days(int64_t z)
{
	struct mm_date r;
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(y + (r.m <= 2));
	return r;
}

/* Floor division, so instants before 1970 land on the right day. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t clamp_time(int64_t t)
{
	return t < time_min ? time_min : t > time_max ? time_max : t;
}

/* Splits t into its date and its seconds into the day. */
static struct mm_date split(int64_t t, int *sec)
{
	int64_t days = floor_div(t, DAY);

	*sec = (int)(t - days * DAY);
	return civil_from_days(days);
}

/* Writes v as n decimal digits at p, zero-padded; v must fit. */
static char *put(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* Writes "YYYY-MM-DD" at p and returns the end. */
static char *put_date(char *p, struct mm_date d)
{
	p = put(p, (unsigned)d.y, 4);
	*p++ = '-';
	p = put(p, (unsigned)d.m, 2);
	*p++ = '-';
	return put(p, (unsigned)d.d, 2);
}

void mm_time_iso(int64_t t, char out[21])
{
	int sec;
	struct mm_date d = split(clamp_time(t), &sec);
	char *p = put_date(out, d);

	*p++ = 'T';
	p = put(p, (unsigned)sec / 3600, 2);
	*p++ = ':';
	p = put(p, (unsigned)sec / 60 % 60, 2);
	*p++ = ':';
	p = put(p, (unsigned)sec % 60, 2);
	*p++ = 'Z';
	*p = '\0';
}

void mm_time_jst(int64_t t, char out[17])
{
	int sec;
	struct mm_date d = split(clamp_time(clamp_time(t) + MM_JST_OFFSET), &sec);
	char *p = put_date(out, d);

	*p++ = ' ';
	p = put(p, (unsigned)sec / 3600, 2);
	*p++ = ':';
	p = put(p, (unsigned)sec / 60 % 60, 2);
	*p = '\0';
}

/* Reads exactly n ASCII digits at *p; false if any is missing. */
static bool fixed_digits(const char **p, int n, int *v)
{
	int r = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		r = r * 10 + (c - '0');
	}
	*p += n;
	*v = r;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

int mm_time_parse_iso(const char *s, int64_t *t)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s;

	if (!s)
		return MM_EINVAL;
	if (!fixed_digits(&p, 4, &y) || !expect(&p, '-') || !fixed_digits(&p, 2, &mo) ||
	    !expect(&p, '-') || !fixed_digits(&p, 2, &d) || !expect(&p, 'T') ||
	    !fixed_digits(&p, 2, &h) || !expect(&p, ':') || !fixed_digits(&p, 2, &mi) ||
	    !expect(&p, ':') || !fixed_digits(&p, 2, &sec))
		return MM_EINVAL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return MM_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (!fixed_digits(&p, 2, &oh) || !expect(&p, ':') || !fixed_digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return MM_EINVAL;
	} else {
		return MM_EINVAL;
	}
	if (*p != '\0' || !civil_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
		return MM_EINVAL;
	*t = days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + sec -
	     sign * (oh * 3600 + om * 60);
	return MM_OK;
}

bool mm_date_valid(struct mm_date d)
{
	return d.y >= MM_DATE_MIN_YEAR && civil_valid(d.y, d.m, d.d);
}

int mm_date_cmp(struct mm_date a, struct mm_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

int64_t mm_date_to_days(struct mm_date d)
{
	return days_from_civil(d.y, d.m, d.d);
}

struct mm_date mm_date_from_days(int64_t days)
{
	return civil_from_days(days);
}

struct mm_date mm_date_add_days(struct mm_date d, int64_t n)
{
	return civil_from_days(days_from_civil(d.y, d.m, d.d) + n);
}

struct mm_date mm_date_from_time_jst(int64_t t)
{
	int sec;

	return split(clamp_time(clamp_time(t) + MM_JST_OFFSET), &sec);
}

struct mm_date mm_date_today(void)
{
	return mm_date_from_time_jst(mm_now());
}

void mm_date_iso(struct mm_date d, char out[11])
{
	if (d.y < 0 || d.y > 9999 || d.m < 0 || d.m > 99 || d.d < 0 || d.d > 99)
		d = (struct mm_date){ 0, 0, 0 };
	*put_date(out, d) = '\0';
}

int mm_fiscal_year(struct mm_date d)
{
	return d.m >= 4 ? d.y : d.y - 1;
}

/* Returns the index of the era d falls in; d must be valid. */
static int era_of(struct mm_date d)
{
	int i = NERAS - 1;

	while (i > 0 && mm_date_cmp(d, eras[i].start) < 0)
		i--;
	return i;
}

int mm_date_wareki(struct mm_date d, bool abbrev, char *out, size_t n)
{
	const struct era *e;
	int year, len;

	if (!mm_date_valid(d))
		return MM_EINVAL;
	e = &eras[era_of(d)];
	year = d.y - e->start.y + 1;
	if (abbrev)
		len = snprintf(out, n, "%c%d.%d.%d", e->letter, year, d.m, d.d);
	else if (year == 1)
		len = snprintf(out, n, "%s元年%d月%d日", e->name, d.m, d.d);
	else
		len = snprintf(out, n, "%s%d年%d月%d日", e->name, year, d.m, d.d);
	if (len < 0 || (size_t)len >= n) {
		if (n)
			out[0] = '\0';
		return MM_ENOMEM;
	}
	return MM_OK;
}

/* Decodes the code point of the UTF-8 sequence at p (at most left bytes),
 * storing its length in *len; the input has already been validated. */
static unsigned decode(const unsigned char *p, size_t left, size_t *len)
{
	if (p[0] < 0x80 || left < 2) {
		*len = 1;
		return p[0];
	}
	if (p[0] < 0xe0) {
		*len = 2;
		return (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	}
	if (p[0] < 0xf0 || left < 4) {
		*len = 3;
		return (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	}
	*len = 4;
	return (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3f) << 12 |
	       (unsigned)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/* Copies s into out with full-width ASCII (U+FF01..U+FF5E) folded to ASCII,
 * U+3000 to a space and U+2212 MINUS SIGN to '-'; other characters are kept
 * as they are. Returns the length, or -1 when s is not UTF-8 or too long. */
static int normalise(struct mm_slice s, char out[NORM_MAX])
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, o = 0, len;

	if (!mm_utf8_valid(s.ptr, s.len))
		return -1;
	while (i < s.len) {
		unsigned cp = decode(p + i, s.len - i, &len);

		if (cp >= 0xff01 && cp <= 0xff5e) {
			cp -= 0xfee0;
		} else if (cp == 0x3000) {
			cp = ' ';
		} else if (cp == 0x2212) {
			cp = '-';
		}
		if (cp < 0x80) {
			if (o + 1 > NORM_MAX)
				return -1;
			out[o++] = (char)cp;
		} else {
			if (o + len > NORM_MAX)
				return -1;
			memcpy(out + o, p + i, len);
			o += len;
		}
		i += len;
	}
	return (int)o;
}

struct cursor {
	const char *p, *end;
};

/* Reads min..max ASCII digits; false when fewer than min are there. */
static bool digits(struct cursor *c, int min, int max, int *v)
{
	int n = 0, r = 0;

	while (n < max && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		r = r * 10 + (*c->p - '0');
		c->p++;
		n++;
	}
	*v = r;
	return n >= min;
}

/* Consumes the literal text s when it comes next. */
static bool lit(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool is_sep(char c)
{
	return c == '-' || c == '/' || c == '.';
}

/* Reads the month and day after the year: "4月1日" when kanji is set, else
 * the year's separator followed by "4.1" with the same separator twice. */
static bool month_day(struct cursor *c, int *m, int *d)
{
	char sep;

	if (lit(c, "年"))
		return digits(c, 1, 2, m) && lit(c, "月") && digits(c, 1, 2, d) && lit(c, "日");
	if (c->p == c->end || !is_sep(*c->p))
		return false;
	sep = *c->p++;
	if (!digits(c, 1, 2, m) || c->p == c->end || *c->p != sep)
		return false;
	c->p++;
	return digits(c, 1, 2, d);
}

/* Returns the era that starts the text, consuming its name or letter, or -1. */
static int era_prefix(struct cursor *c)
{
	for (int i = 0; i < NERAS; i++) {
		if (lit(c, eras[i].name))
			return i;
		if (c->p < c->end && (*c->p == eras[i].letter || *c->p == eras[i].letter + 32)) {
			c->p++;
			return i;
		}
	}
	return -1;
}

static int parse_western(struct cursor *c, struct mm_date *r)
{
	if (c->end - c->p == 8) {
		struct cursor all = *c;
		int v;

		if (digits(&all, 8, 8, &v) && all.p == c->end) {
			r->y = v / 10000;
			r->m = v / 100 % 100;
			r->d = v % 100;
			c->p = all.p;
			return MM_OK;
		}
	}
	if (!digits(c, 4, 4, &r->y) || !month_day(c, &r->m, &r->d))
		return MM_EINVAL;
	return MM_OK;
}

static int parse_era(struct cursor *c, int era, struct mm_date *r)
{
	int year;

	if (lit(c, "元")) {
		year = 1;
	} else if (!digits(c, 1, 4, &year) || year == 0) {
		return MM_EINVAL;
	}
	if (!month_day(c, &r->m, &r->d))
		return MM_EINVAL;
	r->y = eras[era].start.y + year - 1;
	if (!mm_date_valid(*r) || mm_date_cmp(*r, eras[era].start) < 0 ||
	    (era + 1 < NERAS && mm_date_cmp(*r, eras[era + 1].start) >= 0))
		return MM_EINVAL;
	return MM_OK;
}

int mm_date_parse(struct mm_slice s, struct mm_date *out)
{
	char buf[NORM_MAX];
	struct mm_date r = { 0, 0, 0 };
	struct cursor c;
	int len, era, rc;

	if (!s.ptr)
		return MM_EINVAL;
	len = normalise(s, buf);
	if (len < 0)
		return MM_EINVAL;
	s = mm_slice_trim((struct mm_slice){ buf, (size_t)len });
	c.p = s.ptr;
	c.end = s.ptr + s.len;
	era = era_prefix(&c);
	rc = era < 0 ? parse_western(&c, &r) : parse_era(&c, era, &r);
	if (rc != MM_OK || c.p != c.end || !mm_date_valid(r))
		return MM_EINVAL;
	*out = r;
	return MM_OK;
}
