/* The SNTP client: server strings, the request, every check of the reply,
 * the offset and delay arithmetic, and whole queries against a responder on
 * loopback that answers well, badly or not at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/ntp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SEC(s) ((uint64_t)(s) << 32)
#define MS(ms) ((uint64_t)(ms)*4294967296ULL / 1000)

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A good server reply to a request with transmit xmt: received at t1,
 * sent at t2. */
static void reply(uint8_t p[MM_NTP_PACKET], uint64_t xmt, uint64_t t1, uint64_t t2)
{
	memset(p, 0, MM_NTP_PACKET);
	p[0] = 0 << 6 | 4 << 3 | 4;
	p[1] = 2;
	put64(p + 24, xmt);
	put64(p + 32, t1);
	put64(p + 40, t2);
}

static void test_server_parse(void **state)
{
	char host[64];
	uint16_t port;

	(void)state;
	assert_int_equal(mm_ntp_server_parse("ntp.nict.jp", host, sizeof(host), &port), MM_OK);
	assert_string_equal(host, "ntp.nict.jp");
	assert_int_equal(port, 123);
	assert_int_equal(mm_ntp_server_parse("127.0.0.1:12123", host, sizeof(host), &port), MM_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 12123);
	assert_int_equal(mm_ntp_server_parse("[::1]:999", host, sizeof(host), &port), MM_OK);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 999);
	assert_int_equal(mm_ntp_server_parse("[fe80::1]", host, sizeof(host), &port), MM_OK);
	assert_int_equal(port, 123);
	static const char *const bad[] = { "",	       ":123",	  "host:", "host:0", "host:65536",
					   "host:12x", "host:-1", "::1",   "[::1",   "[::1]x",
					   "a b",      "host/x",  "[]:123" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mm_ntp_server_parse(bad[i], host, sizeof(host), &port) != MM_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(mm_ntp_server_parse(NULL, host, sizeof(host), &port), MM_EINVAL);
	assert_int_equal(mm_ntp_server_parse("longer-than-eight", host, 8, &port), MM_EINVAL);
}

static void test_request(void **state)
{
	uint8_t p[MM_NTP_PACKET];

	(void)state;
	memset(p, 0xaa, sizeof(p));
	mm_ntp_request(p, 0x0102030405060708ULL);
	assert_int_equal(p[0], 0x23); /* LI 0, version 4, mode 3 */
	for (int i = 1; i < 40; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[40], 1);
	assert_int_equal(p[47], 8);
}

static void test_offset_and_delay(void **state)
{
	uint64_t t0 = SEC(3900000000u), xmt = t0 ^ 0x1234;
	struct mm_ntp_result r;
	uint8_t p[MM_NTP_PACKET];
	const char *why;

	(void)state;
	/* The server is 500 ms ahead; 10 ms each way, 2 ms inside it. */
	reply(p, xmt, t0 + MS(510), t0 + MS(512));
	assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(22), &r, &why), MM_OK);
	assert_null(why);
	assert_true(r.offset_us >= 499999 && r.offset_us <= 500001);
	assert_true(r.delay_us >= 19999 && r.delay_us <= 20001);
	assert_int_equal(r.stratum, 2);
	/* The server is 2 s behind. */
	reply(p, xmt, t0 - SEC(2) + MS(10), t0 - SEC(2) + MS(10));
	assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(20), &r, &why), MM_OK);
	assert_true(r.offset_us >= -2000001 && r.offset_us <= -1999999);
	assert_true(r.delay_us >= 19999 && r.delay_us <= 20001);
	/* Across the NTP era boundary of 2036 the arithmetic wraps right. */
	t0 = SEC(0xffffffffu);
	reply(p, t0, t0 + SEC(1) + MS(5), t0 + SEC(1) + MS(5));
	assert_int_equal(mm_ntp_reply(p, sizeof(p), t0, t0, t0 + MS(10), &r, &why), MM_OK);
	assert_true(r.offset_us >= 999999 && r.offset_us <= 1000001);
}

/* Every way a reply is refused, each with its reason. */
static void test_reply_refusals(void **state)
{
	uint64_t t0 = SEC(3900000000u), xmt = t0 + 77;
	struct mm_ntp_result r;
	uint8_t p[MM_NTP_PACKET];
	const char *why;
	static const struct {
		int byte, value;
		const char *reason;
	} cases[] = {
		{ 0, 3 << 6 | 4 << 3 | 4, "leap indicator 3" },
		{ 0, 4 << 3 | 3, "mode" },
		{ 0, 4 << 3 | 5, "mode" },
		{ 1, 0, "stratum 0" },
		{ 1, 16, "stratum above 15" },
		{ 24, 0x55, "originate" },
		{ 47, 0x01, "originate" }, /* see below: a transmit of its own */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reply(p, xmt, t0 + MS(1), t0 + MS(1));
		if (cases[i].byte == 47) {
			put64(p + 24, xmt + 1);
		} else {
			p[cases[i].byte] = (uint8_t)cases[i].value;
		}
		assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(2), &r, &why),
				 MM_EINVAL);
		if (!why || !strstr(why, cases[i].reason))
			fail_msg("case %zu: reason \"%s\"", i, why ? why : "(none)");
	}
	reply(p, xmt, t0 + MS(1), 0);
	assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(2), &r, &why), MM_EINVAL);
	assert_non_null(strstr(why, "zero"));
	reply(p, xmt, 0, t0 + MS(1));
	assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(2), &r, &why), MM_EINVAL);
	reply(p, xmt, t0 + MS(1), t0 + MS(1));
	assert_int_equal(mm_ntp_reply(p, 47, xmt, t0, t0 + MS(2), &r, &why), MM_EINVAL);
	assert_non_null(strstr(why, "short"));
	/* Version 3 servers and stratum 1 and 15 are fine. */
	p[0] = 3 << 3 | 4;
	p[1] = 15;
	assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(2), &r, &why), MM_OK);
	p[1] = 1;
	assert_int_equal(mm_ntp_reply(p, sizeof(p), xmt, t0, t0 + MS(2), &r, &why), MM_OK);
}

/* A responder on loopback: answers the first request as told. */
enum behaviour { GOOD, WRONG_MODE, ZERO_TRANSMIT, NOT_OURS, SILENT };

struct responder {
	int fd;
	uint16_t port;
	enum behaviour how;
	pthread_t thread;
};

static void *respond(void *arg)
{
	struct responder *rs = arg;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	uint8_t q[MM_NTP_PACKET], p[MM_NTP_PACKET];
	uint64_t xmt = 0, now;

	if (recvfrom(rs->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen) != sizeof(q) ||
	    rs->how == SILENT)
		return NULL;
	for (int i = 40; i < 48; i++)
		xmt = xmt << 8 | q[i];
	now = mm_ntp_now();
	reply(p, rs->how == NOT_OURS ? xmt + 1 : xmt, now, rs->how == ZERO_TRANSMIT ? 0 : now);
	if (rs->how == WRONG_MODE)
		p[0] = 4 << 3 | 3;
	sendto(rs->fd, p, sizeof(p), 0, (struct sockaddr *)&from, flen);
	return NULL;
}

static void start(struct responder *rs, enum behaviour how)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rs->how = how;
	rs->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(rs->fd >= 0);
	assert_int_equal(bind(rs->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(rs->fd, (struct sockaddr *)&a, &len), 0);
	rs->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&rs->thread, NULL, respond, rs), 0);
}

static int ask(enum behaviour how, struct mm_ntp_result *r, char *why, size_t n)
{
	struct responder rs;
	char server[32];
	int rc;

	start(&rs, how);
	snprintf(server, sizeof(server), "127.0.0.1:%u", (unsigned)rs.port);
	rc = mm_ntp_query(server, 300, r, why, n);
	pthread_join(rs.thread, NULL);
	close(rs.fd);
	return rc;
}

static void test_query_loopback(void **state)
{
	struct mm_ntp_result r;
	char why[128];

	(void)state;
	assert_int_equal(ask(GOOD, &r, why, sizeof(why)), MM_OK);
	assert_true(r.offset_us > -50000 && r.offset_us < 50000);
	assert_true(r.delay_us >= -1000 && r.delay_us < 300000);
	assert_int_equal(ask(WRONG_MODE, &r, why, sizeof(why)), MM_EIO);
	assert_non_null(strstr(why, "reply refused: reply not in server mode"));
	assert_int_equal(ask(ZERO_TRANSMIT, &r, why, sizeof(why)), MM_EIO);
	assert_non_null(strstr(why, "zero"));
	assert_int_equal(ask(NOT_OURS, &r, why, sizeof(why)), MM_EIO);
	assert_non_null(strstr(why, "originate"));
	assert_int_equal(ask(SILENT, &r, why, sizeof(why)), MM_EIO);
	assert_string_equal(why, "no answer within 300 ms");
	assert_int_equal(mm_ntp_query("bad host", 300, &r, why, sizeof(why)), MM_EINVAL);
	assert_int_equal(mm_ntp_query("bad host", 300, &r, NULL, 0), MM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_parse),	 cmocka_unit_test(test_request),
		cmocka_unit_test(test_offset_and_delay), cmocka_unit_test(test_reply_refusals),
		cmocka_unit_test(test_query_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
