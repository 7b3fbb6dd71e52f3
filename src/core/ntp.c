/* The SNTP client (ntp.h). One request, one socket, a deadline. */
#include "core/ntp.h"

#include "core/err.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Seconds from 1900-01-01 (NTP's era 0) to 1970-01-01. */
#define NTP_UNIX_DELTA 2208988800ULL

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A difference of two NTP timestamps (32.32) in microseconds. The
 * subtraction wraps, so a difference of under 68 years is right across an
 * era boundary too. */
static int64_t diff_us(uint64_t a, uint64_t b)
{
	int64_t d = (int64_t)(a - b);
	int64_t sec = d >> 32; /* floor, also for negative d */
	uint64_t frac = (uint64_t)d & 0xffffffffu;

	return sec * 1000000 + (int64_t)((frac * 1000000) >> 32);
}

uint64_t mm_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec + NTP_UNIX_DELTA) << 32 |
	       (((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

int mm_ntp_server_parse(const char *spec, char *host, size_t host_n, uint16_t *port)
{
	const char *h = spec, *end, *colon;
	unsigned long p = MM_NTP_PORT;
	size_t len;

	if (!spec || !*spec)
		return MM_EINVAL;
	if (*spec == '[') {
		h = spec + 1;
		end = strchr(h, ']');
		if (!end)
			return MM_EINVAL;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return MM_EINVAL;
	} else {
		colon = strchr(spec, ':');
		if (colon && strchr(colon + 1, ':'))
			return MM_EINVAL; /* a bare IPv6 address needs brackets */
		end = colon ? colon : spec + strlen(spec);
	}
	len = (size_t)(end - h);
	if (len == 0 || len >= host_n)
		return MM_EINVAL;
	if (colon) {
		char *stop;

		if (colon[1] < '0' || colon[1] > '9')
			return MM_EINVAL;
		errno = 0;
		p = strtoul(colon + 1, &stop, 10);
		if (errno || *stop || p == 0 || p > 65535)
			return MM_EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)h[i] <= ' ' || (unsigned char)h[i] >= 0x7f || h[i] == '/')
			return MM_EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (uint16_t)p;
	return MM_OK;
}

void mm_ntp_request(uint8_t pkt[MM_NTP_PACKET], uint64_t xmt)
{
	memset(pkt, 0, MM_NTP_PACKET);
	pkt[0] = 0 << 6 | 4 << 3 | 3; /* LI 0, VN 4, mode 3 */
	put64(pkt + 40, xmt);
}

int mm_ntp_reply(const uint8_t *p, size_t n, uint64_t xmt, uint64_t t0, uint64_t t3,
		 struct mm_ntp_result *out, const char **why)
{
	uint64_t t1, t2;

	*why = NULL;
	if (n < MM_NTP_PACKET)
		*why = "reply too short";
	else if (p[0] >> 6 == 3)
		*why = "server not synchronised (leap indicator 3)";
	else if ((p[0] & 7) != 4)
		*why = "reply not in server mode (4)";
	else if (p[1] < 1 || p[1] > 15)
		*why = p[1] ? "stratum above 15" : "kiss-o'-death (stratum 0)";
	else if (get64(p + 24) != xmt)
		*why = "originate timestamp is not ours";
	else if (!get64(p + 32) || !get64(p + 40))
		*why = "zero receive or transmit timestamp";
	if (*why)
		return MM_EINVAL;
	t1 = get64(p + 32);
	t2 = get64(p + 40);
	out->offset_us = (diff_us(t1, t0) + diff_us(t2, t3)) / 2;
	out->delay_us = diff_us(t3, t0) - diff_us(t2, t1);
	out->stratum = p[1];
	return MM_OK;
}

/* A connected UDP socket to host:port, or -1 with why filled. */
static int open_socket(const char *host, uint16_t port, char *why, size_t n, int *rc)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL, *ai;
	char serv[8];
	int fd = -1, g;

	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	g = getaddrinfo(host, serv, &hints, &res);
	if (g) {
		snprintf(why, n, "cannot resolve %s: %s", host, gai_strerror(g));
		*rc = MM_ENOTFOUND;
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, n, "cannot reach %s: %s", host, strerror(errno));
		*rc = MM_EIO;
	}
	return fd;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), at least 0. */
static int left_ms(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

/* Waits for a good reply on fd until deadline; bad ones are dropped and
 * the last reason kept for the message. */
static int await_reply(int fd, uint64_t xmt, uint64_t t0, const struct timespec *deadline,
		       int timeout_ms, struct mm_ntp_result *out, char *why, size_t n)
{
	const char *bad = NULL;
	uint8_t p[512];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ms = left_ms(deadline), r;
		const char *reason;
		ssize_t got;

		r = ms ? poll(&pfd, 1, ms) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = recv(fd, p, sizeof(p), 0);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(why, n, "no answer: %s", strerror(errno));
			return MM_EIO;
		}
		if (mm_ntp_reply(p, (size_t)got, xmt, t0, mm_ntp_now(), out, &reason) == MM_OK)
			return MM_OK;
		bad = reason;
	}
	if (bad)
		snprintf(why, n, "reply refused: %s", bad);
	else
		snprintf(why, n, "no answer within %d ms", timeout_ms);
	return MM_EIO;
}

int mm_ntp_query(const char *server, int timeout_ms, struct mm_ntp_result *out, char *why, size_t n)
{
	char host[256], dummy[1];
	struct timespec deadline;
	uint8_t pkt[MM_NTP_PACKET];
	uint64_t t0, xmt;
	uint16_t port, noise = 0;
	int fd, rc = MM_OK;

	if (!why || !n)
		why = dummy, n = sizeof(dummy);
	why[0] = '\0';
	if (mm_ntp_server_parse(server, host, sizeof(host), &port)) {
		snprintf(why, n, "bad server '%s' (host[:port])", server ? server : "");
		return MM_EINVAL;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	fd = open_socket(host, port, why, n, &rc);
	if (fd < 0)
		return rc;
	/* Random low bits make the originate hard to guess (RFC 5905 9.1);
	 * they are below 16 microseconds, and t0 keeps the true time. */
	if (getrandom(&noise, sizeof(noise), 0) != (ssize_t)sizeof(noise))
		noise = 0;
	t0 = mm_ntp_now();
	xmt = t0 ^ noise;
	mm_ntp_request(pkt, xmt);
	if (send(fd, pkt, sizeof(pkt), 0) != (ssize_t)sizeof(pkt)) {
		snprintf(why, n, "cannot send to %s: %s", server, strerror(errno));
		close(fd);
		return MM_EIO;
	}
	rc = await_reply(fd, xmt, t0, &deadline, timeout_ms, out, why, n);
	close(fd);
	return rc;
}
