/* The clock's state (7.7): what the kernel's answer means, the one line the
 * checkpoints record, the verdict against the settings, and the settings'
 * own checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

static struct timex tx(int status, long maxerror, long esterror)
{
	struct timex t;

	memset(&t, 0, sizeof(t));
	t.status = status;
	t.maxerror = maxerror;
	t.esterror = esterror;
	return t;
}

static void test_from_timex_synced(void **state)
{
	struct timex t = tx(STA_PLL, 16000, 500);
	struct mm_clock_status s;

	(void)state;
	mm_clock_from_timex(&t, TIME_OK, &s);
	assert_true(s.kernel_known);
	assert_true(s.synced);
	assert_int_equal(s.maxerror_us, 16000);
	assert_int_equal(s.esterror_us, 500);
	assert_false(s.ntp_known);
	assert_false(s.ntp_asked);
}

static void test_from_timex_unsync(void **state)
{
	struct timex t = tx(STA_UNSYNC, 16000000, 16000000);
	struct mm_clock_status s;

	(void)state;
	mm_clock_from_timex(&t, TIME_OK, &s);
	assert_true(s.kernel_known);
	assert_false(s.synced);
	assert_int_equal(s.maxerror_us, 16000000);
}

static void test_from_timex_time_error(void **state)
{
	struct timex t = tx(0, 100, 10); /* no STA_UNSYNC, but the state says error */
	struct mm_clock_status s;

	(void)state;
	mm_clock_from_timex(&t, TIME_ERROR, &s);
	assert_true(s.kernel_known);
	assert_false(s.synced);
	/* A leap second pending is still synchronised. */
	mm_clock_from_timex(&t, TIME_INS, &s);
	assert_true(s.synced);
}

static void test_from_timex_failed(void **state)
{
	struct timex t = tx(STA_PLL, 1, 1);
	struct mm_clock_status s;

	(void)state;
	memset(&s, 0xff, sizeof(s));
	mm_clock_from_timex(&t, -1, &s);
	assert_false(s.kernel_known);
	assert_false(s.synced);
	assert_int_equal(s.maxerror_us, 0);
	assert_false(s.ntp_known);
}

static void test_kernel_reads(void **state)
{
	struct mm_clock_status s;

	(void)state;
	/* Whatever this machine's state, it is read and never changed. */
	mm_clock_kernel(&s);
	assert_true(s.kernel_known);
	assert_true(s.maxerror_us >= 0);
}

static void test_line(void **state)
{
	struct timex t = tx(0, 16000, 500);
	struct mm_clock_status s;
	char buf[256];

	(void)state;
	mm_clock_from_timex(&t, TIME_OK, &s);
	mm_clock_line(&s, buf, sizeof(buf));
	assert_string_equal(buf, "clock synced maxerror=16000us esterror=500us");
	s.ntp_asked = s.ntp_known = true;
	s.ntp_offset_us = 1200;
	s.ntp_delay_us = 300;
	snprintf(s.ntp_server, sizeof(s.ntp_server), "ntp.example");
	mm_clock_line(&s, buf, sizeof(buf));
	assert_string_equal(buf, "clock synced maxerror=16000us esterror=500us ntp=ntp.example "
				 "offset=+1200us delay=300us");
	s.ntp_offset_us = -7;
	mm_clock_line(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, " offset=-7us "));
	s.ntp_known = false;
	mm_clock_line(&s, buf, sizeof(buf));
	assert_string_equal(buf, "clock synced maxerror=16000us esterror=500us ntp=ntp.example "
				 "no-answer");
	s.synced = false;
	s.ntp_asked = false;
	mm_clock_line(&s, buf, sizeof(buf));
	assert_string_equal(buf, "clock unsynchronised maxerror=16000us esterror=500us");
	s.kernel_known = false;
	mm_clock_line(&s, buf, sizeof(buf));
	assert_string_equal(buf, "clock unknown");
}

static void test_line_truncates(void **state)
{
	struct timex t = tx(0, 16000, 500);
	struct mm_clock_status s;
	char buf[12];

	(void)state;
	mm_clock_from_timex(&t, TIME_OK, &s);
	s.ntp_asked = s.ntp_known = true;
	snprintf(s.ntp_server, sizeof(s.ntp_server), "ntp.example");
	mm_clock_line(&s, buf, sizeof(buf));
	assert_string_equal(buf, "clock synce");
	mm_clock_line(&s, buf, 0); /* writes nothing */
}

static void test_verdict(void **state)
{
	struct mm_clock_settings cfg = { "ntp.example", 1000, 300, true };
	struct timex t = tx(0, 16000, 500);
	struct mm_clock_status s;

	(void)state;
	mm_clock_from_timex(&t, TIME_OK, &s);
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_OK); /* not asked yet */
	s.ntp_asked = true;
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_NO_ANSWER);
	s.ntp_known = true;
	s.ntp_offset_us = 1000000; /* at the threshold: fine */
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_OK);
	s.ntp_offset_us = -1000001;
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_OFFSET);
	s.synced = false; /* the kernel first */
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_UNSYNCED);
	cfg.require_kernel_sync = false;
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_OFFSET);
	s.ntp_offset_us = 5;
	assert_int_equal(mm_clock_verdict(&s, &cfg), MM_CLOCK_OK);
}

static void test_settings_check(void **state)
{
	struct mm_clock_settings ok = { NULL, 1000, 300, true };
	struct mm_clock_settings s;

	(void)state;
	assert_int_equal(mm_clock_settings_check(&ok), MM_OK);
	assert_int_equal(mm_clock_settings_check(&mm_clock_settings), MM_OK);
	s = ok, s.ntp_server = "ntp.nict.jp";
	assert_int_equal(mm_clock_settings_check(&s), MM_OK);
	s = ok, s.ntp_server = "[::1]:12123";
	assert_int_equal(mm_clock_settings_check(&s), MM_OK);
	s = ok, s.ntp_server = "host:0";
	assert_int_equal(mm_clock_settings_check(&s), MM_EINVAL);
	s = ok, s.ntp_server = "";
	assert_int_equal(mm_clock_settings_check(&s), MM_EINVAL);
	s = ok, s.max_offset_ms = 0;
	assert_int_equal(mm_clock_settings_check(&s), MM_EINVAL);
	s = ok, s.check_every_s = 9;
	assert_int_equal(mm_clock_settings_check(&s), MM_EINVAL);
	s = ok, s.check_every_s = 86401;
	assert_int_equal(mm_clock_settings_check(&s), MM_EINVAL);
}

static void test_watch_without_server(void **state)
{
	struct mm_clock_settings cfg = { NULL, 1000, 300, true };
	struct mm_clock_watch *w = NULL;
	struct mm_clock_status s;

	(void)state;
	assert_int_equal(mm_clock_watch_start(&cfg, &w), MM_OK);
	mm_clock_watch_get(w, &s);
	assert_true(s.kernel_known);
	assert_false(s.ntp_asked);
	assert_int_equal(mm_clock_watch_settings(w)->max_offset_ms, 1000);
	mm_clock_watch_stop(w);
	mm_clock_watch_stop(NULL);
	mm_clock_watch_get(NULL, &s);
	assert_true(s.kernel_known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_timex_synced),
		cmocka_unit_test(test_from_timex_unsync),
		cmocka_unit_test(test_from_timex_time_error),
		cmocka_unit_test(test_from_timex_failed),
		cmocka_unit_test(test_kernel_reads),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_line_truncates),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_settings_check),
		cmocka_unit_test(test_watch_without_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
