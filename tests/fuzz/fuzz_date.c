/* Dates typed by people (和暦 and western shapes, full-width forms) and
 * ISO 8601 instants. Invariants: a parsed date is valid, and its ISO,
 * 和暦 and abbreviated 和暦 forms parse back to the same day; a parsed
 * instant written as ISO parses back to the same second. */
#include "fuzz.h"

#include "core/datetime.h"
#include "core/err.h"

#include <string.h>

static void date_round_trip(struct mm_date d)
{
	char iso[11], w[MM_WAREKI_MAX];
	struct mm_date back;

	FUZZ_CHECK(mm_date_valid(d));
	mm_date_iso(d, iso);
	FUZZ_CHECK(mm_date_parse(mm_slice_cstr(iso), &back) == MM_OK);
	FUZZ_CHECK(mm_date_cmp(back, d) == 0);
	for (int abbrev = 0; abbrev < 2; abbrev++) {
		FUZZ_CHECK(mm_date_wareki(d, abbrev, w, sizeof(w)) == MM_OK);
		FUZZ_CHECK(mm_date_parse(mm_slice_cstr(w), &back) == MM_OK);
		FUZZ_CHECK(mm_date_cmp(back, d) == 0);
	}
	FUZZ_CHECK(mm_date_cmp(mm_date_from_days(mm_date_to_days(d)), d) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_date d;
	char *s;
	int64_t t, back;

	if (mm_date_parse((struct mm_slice){ (const char *)data, size }, &d) == MM_OK)
		date_round_trip(d);
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mm_time_parse_iso(s, &t) == MM_OK) {
		char iso[21];

		mm_time_iso(t, iso);
		FUZZ_CHECK(mm_time_parse_iso(iso, &back) == MM_OK);
		FUZZ_CHECK(back == t);
	}
	free(s);
	return 0;
}
