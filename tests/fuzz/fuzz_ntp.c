/* SNTP replies from the network (the clock check of 7.7) and the server
 * setting "host[:port]". The input's first 24 bytes are the request's
 * transmit time and the send and receive times (t0, t3); the rest is the
 * reply, whose originate field the fuzzer must match, or which is made to
 * match when the first byte is odd. Invariants: a refusal says why; an
 * accepted reply has a stratum of 1..15; a parsed server name is printable
 * and fits. */
#include "fuzz.h"

#include "core/err.h"
#include "core/ntp.h"

#include <string.h>

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void server_spec(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1), host[64];
	uint16_t port = 0;

	if (!spec)
		return;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (mm_ntp_server_parse(spec, host, sizeof(host), &port) == MM_OK) {
		FUZZ_CHECK(port >= 1 && strlen(host) >= 1 && strlen(host) < sizeof(host));
		for (const char *c = host; *c; c++)
			FUZZ_CHECK((unsigned char)*c > ' ' && (unsigned char)*c < 0x7f);
	}
	free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_ntp_result r;
	const char *why = NULL;
	uint8_t pkt[MM_NTP_PACKET];
	uint64_t xmt, t0, t3;
	int rc;

	server_spec(data, size);
	if (size < 24)
		return 0;
	xmt = get64(data);
	t0 = get64(data + 8);
	t3 = get64(data + 16);
	data += 24;
	size -= 24;
	if (size >= MM_NTP_PACKET && (data[0] & 1)) {
		memcpy(pkt, data, sizeof(pkt));
		xmt = get64(pkt + 24);
		rc = mm_ntp_reply(pkt, sizeof(pkt), xmt, t0, t3, &r, &why);
	} else {
		rc = mm_ntp_reply(data, size, xmt, t0, t3, &r, &why);
	}
	FUZZ_CHECK(rc == MM_OK || (rc == MM_EINVAL && why != NULL));
	if (rc == MM_OK)
		FUZZ_CHECK(r.stratum >= 1 && r.stratum <= 15 && why == NULL);
	return 0;
}
