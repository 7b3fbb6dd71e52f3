/* A small SNTP client (RFC 4330, client mode of RFC 5905) that asks one
 * server for the time and measures our clock's offset against it, for the
 * clock check of 7.7. It never sets the clock. */
#ifndef MM_CORE_NTP_H
#define MM_CORE_NTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_NTP_PACKET = 48, MM_NTP_PORT = 123 };

struct mm_ntp_result {
	int64_t offset_us; /* server time minus ours: ((t1-t0)+(t2-t3))/2 */
	int64_t delay_us;  /* round trip less the server's time: (t3-t0)-(t2-t1) */
	int stratum;
};

/* Splits "host", "host:port", "[v6]" or "[v6]:port" into host and port
 * (123 when not given). Returns MM_OK or MM_EINVAL for an empty host, a
 * host too long for host_n, or a port that is not 1..65535. */
int mm_ntp_server_parse(const char *spec, char *host, size_t host_n, uint16_t *port);

/* Builds the request into pkt: version 4, mode 3 (client), and xmt as the
 * transmit timestamp, which the server must echo back as originate. */
void mm_ntp_request(uint8_t pkt[MM_NTP_PACKET], uint64_t xmt);

/* Checks the reply p[0..n) to a request sent with transmit timestamp xmt,
 * and when it is good fills out from it with t0 (request sent) and t3
 * (reply received), both NTP timestamps (32.32 fixed point). Returns MM_OK,
 * or MM_EINVAL with *why a short English reason: too short, leap indicator 3
 * (server unsynchronised), not mode 4, stratum not 1..15, zero receive or
 * transmit time, originate not ours. */
int mm_ntp_reply(const uint8_t *p, size_t n, uint64_t xmt, uint64_t t0, uint64_t t3,
		 struct mm_ntp_result *out, const char **why);

/* Asks server ("host[:port]") once, waiting at most timeout_ms for a good
 * reply; bad replies are dropped while the time lasts. Returns MM_OK with
 * out filled, MM_EINVAL for a bad server string, MM_ENOTFOUND when the host
 * does not resolve, MM_EIO for network failure or no good reply in time;
 * why (n bytes, may be NULL) then says what happened, in English. */
int mm_ntp_query(const char *server, int timeout_ms, struct mm_ntp_result *out, char *why,
		 size_t n);

/* The NTP timestamp of the system clock now (seconds since 1900, 32.32). */
uint64_t mm_ntp_now(void);

#endif
