/* Instants and calendar dates. Instants are Unix seconds, stored as UTC ISO
 * 8601 ("2024-04-01T00:00:00Z") and shown in Japan Standard Time (UTC+9, no
 * daylight saving). Dates are plain calendar days: they are written as
 * YYYY-MM-DD and may be read or shown in the Japanese era calendar (和暦).
 * Nothing here depends on the process locale or time zone. */
#ifndef MM_CORE_DATETIME_H
#define MM_CORE_DATETIME_H

#include "core/slice.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_date {
	int y, m, d;
};

enum {
	MM_JST_OFFSET = 9 * 3600, /* seconds east of UTC */
	MM_DATE_MIN_YEAR = 1868,  /* the first year of 明治 */
	MM_DATE_MAX_YEAR = 9999,
	MM_WAREKI_MAX = 32, /* enough room for any long-form 和暦 date and its NUL */
};

/* Returns the current time in Unix seconds (CLOCK_REALTIME). */
int64_t mm_now(void);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" in UTC. Instants outside the years
 * 0001..9999 are clamped to that range so the output always fits. */
void mm_time_iso(int64_t t, char out[21]);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" into *t. A fraction of a second
 * (".123", dropped) and an offset "+09:00" or "-05:30" in place of "Z" are
 * also accepted. Returns MM_OK, or MM_EINVAL for anything else (including
 * impossible dates, hour 24, leap second 60, and trailing text); *t is then
 * untouched. */
int mm_time_parse_iso(const char *s, int64_t *t);

/* Writes t as "YYYY-MM-DD HH:MM" in JST, clamped like mm_time_iso. */
void mm_time_jst(int64_t t, char out[17]);

/* True when d is a real Gregorian calendar day in the years 1868..9999. */
bool mm_date_valid(struct mm_date d);

/* Parses a date typed by a person. Surrounding spaces (ASCII or U+3000) are
 * ignored and full-width digits, letters and punctuation count as their ASCII
 * forms. Accepted shapes:
 *   2024-04-01  2024/4/1  2024.4.1  20240401  2024年4月1日
 *   令和6年4月1日  令和元年5月1日  R6.4.1  R6/4/1  R06.04.01  r6.4.1  R100.1.1
 * with the eras 明治 (M), 大正 (T), 昭和 (S), 平成 (H) and 令和 (R). An era
 * date must fall inside its era (平成31年5月1日 and 令和1年4月30日 are
 * refused). Returns MM_OK with *out set, or MM_EINVAL (impossible day,
 * out-of-range year, unknown shape, trailing text). */
int mm_date_parse(struct mm_slice s, struct mm_date *out);

/* Writes d as "YYYY-MM-DD"; d should be valid (fields that do not fit the
 * shape give "0000-00-00"). */
void mm_date_iso(struct mm_date d, char out[11]);

/* Writes d in the Japanese era calendar into out (n bytes, NUL-terminated):
 * "令和6年4月1日", with 元年 for an era's first year, or with abbrev
 * "R6.4.1". Returns MM_OK, MM_EINVAL when d is not a valid date, or MM_ENOMEM
 * when n is too small (MM_WAREKI_MAX always suffices). */
int mm_date_wareki(struct mm_date d, bool abbrev, char *out, size_t n);

/* Returns the fiscal year (年度, April to March) that d falls in:
 * 2024-04-01 and 2025-03-31 are both in 2024. */
int mm_fiscal_year(struct mm_date d);

/* Returns the JST calendar date of the instant t. */
struct mm_date mm_date_from_time_jst(int64_t t);

/* Returns today's date in JST. */
struct mm_date mm_date_today(void);

/* Returns a negative number, 0 or a positive number as a is before, the same
 * day as, or after b. */
int mm_date_cmp(struct mm_date a, struct mm_date b);

/* Days since 1970-01-01 (negative before), and its inverse. */
int64_t mm_date_to_days(struct mm_date d);
struct mm_date mm_date_from_days(int64_t days);

/* Returns d moved by n days (n may be negative). */
struct mm_date mm_date_add_days(struct mm_date d, int64_t n);

#endif
