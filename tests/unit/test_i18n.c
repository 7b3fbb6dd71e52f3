/* The message catalogue: every entry speaks both languages. An entry whose
 * English text is missing, empty or the Japanese text again shows Japanese
 * (or nothing) under the English switch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "domain/i18n.h"

#include <stdio.h>
#include <string.h>

static void test_every_entry_has_english(void **state)
{
	size_t n = mm_msg_count();

	(void)state;
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		const char *id = mm_msg_id(i), *ja = mm_msg(MM_JA, id), *en = mm_msg(MM_EN, id);

		if (!en[0] || strcmp(en, ja) == 0 || !ja[0])
			fail_msg("catalogue entry %s lacks an English or Japanese text", id);
	}
	assert_null(mm_msg_id(n));
}

/* English text must not be Japanese: it starts with ASCII. */
static void test_english_starts_in_english(void **state)
{
	(void)state;
	for (size_t i = 0; i < mm_msg_count(); i++) {
		const char *id = mm_msg_id(i);
		const unsigned char *en = (const unsigned char *)mm_msg(MM_EN, id);

		if (en[0] >= 0x80)
			fail_msg("the English text of %s starts in Japanese: %s", id, en);
	}
}

/* What one language fills in, the other fills in too. */
static void test_placeholders_match(void **state)
{
	static const char *const holes[] = { "{label}", "{min}", "{max}" };

	(void)state;
	for (size_t i = 0; i < mm_msg_count(); i++) {
		const char *id = mm_msg_id(i);

		for (size_t k = 0; k < 3; k++)
			if (!strstr(mm_msg(MM_JA, id), holes[k]) !=
			    !strstr(mm_msg(MM_EN, id), holes[k]))
				fail_msg("%s: %s in one language only", id, holes[k]);
	}
}

static void test_ids_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < mm_msg_count(); i++)
		for (size_t j = i + 1; j < mm_msg_count(); j++)
			if (strcmp(mm_msg_id(i), mm_msg_id(j)) == 0)
				fail_msg("message id %s twice", mm_msg_id(i));
}

static void test_format_and_unknown(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 1024);
	mm_msg_format(&b, MM_EN, "out_of_range", "C", 1, 4);
	mm_buf_addc(&b, '\0');
	assert_string_equal(b.data, "C must be between 1 and 4.");
	mm_buf_reset(&b);
	mm_msg_format(&b, MM_JA, "role_contractor", NULL, 0, 0);
	mm_buf_addc(&b, '\0');
	assert_string_equal(b.data, "外部委託者");
	mm_buf_free(&b);
	assert_string_equal(mm_msg(MM_EN, "no_such_message"), "no_such_message");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_entry_has_english),
		cmocka_unit_test(test_english_starts_in_english),
		cmocka_unit_test(test_placeholders_match),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_format_and_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
