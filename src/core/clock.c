/* The system clock's synchronisation state (clock.h). */
#include "core/clock.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/ntp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

void mm_clock_from_timex(const struct timex *tx, int state, struct mm_clock_status *out)
{
	memset(out, 0, sizeof(*out));
	if (state < 0)
		return;
	out->kernel_known = true;
	out->synced = !(tx->status & STA_UNSYNC) && state != TIME_ERROR;
	out->maxerror_us = tx->maxerror;
	out->esterror_us = tx->esterror;
}

void mm_clock_kernel(struct mm_clock_status *out)
{
	struct timex tx;
	int state;

	memset(&tx, 0, sizeof(tx)); /* modes 0: read, change nothing */
	state = ntp_adjtime(&tx);
	mm_clock_from_timex(&tx, state, out);
}

void mm_clock_line(const struct mm_clock_status *s, char *buf, size_t n)
{
	int k;

	if (!n)
		return;
	if (!s->kernel_known)
		k = snprintf(buf, n, "clock unknown");
	else
		k = snprintf(buf, n, "clock %s maxerror=%" PRId64 "us esterror=%" PRId64 "us",
			     s->synced ? "synced" : "unsynchronised", s->maxerror_us,
			     s->esterror_us);
	if (k < 0 || (size_t)k >= n)
		return;
	if (s->ntp_known)
		snprintf(buf + k, n - (size_t)k,
			 " ntp=%s offset=%+" PRId64 "us delay=%" PRId64 "us", s->ntp_server,
			 s->ntp_offset_us, s->ntp_delay_us);
	else if (s->ntp_asked)
		snprintf(buf + k, n - (size_t)k, " ntp=%s no-answer", s->ntp_server);
}

struct mm_clock_settings mm_clock_settings = { NULL, 1000, 300, true };

int mm_clock_settings_check(const struct mm_clock_settings *s)
{
	char host[256];
	uint16_t port;

	if (s->ntp_server && mm_ntp_server_parse(s->ntp_server, host, sizeof(host), &port))
		return MM_EINVAL;
	if (s->ntp_server &&
	    strlen(s->ntp_server) >= sizeof(((struct mm_clock_status *)0)->ntp_server))
		return MM_EINVAL;
	if (s->max_offset_ms < 1 || s->max_offset_ms > 86400000)
		return MM_EINVAL;
	if (s->check_every_s < 10 || s->check_every_s > 86400)
		return MM_EINVAL;
	return MM_OK;
}

enum mm_clock_verdict mm_clock_verdict(const struct mm_clock_status *s,
				       const struct mm_clock_settings *cfg)
{
	int64_t off = s->ntp_offset_us < 0 ? -s->ntp_offset_us : s->ntp_offset_us;

	if (cfg->require_kernel_sync && !s->synced)
		return MM_CLOCK_UNSYNCED;
	if (s->ntp_asked && !s->ntp_known)
		return MM_CLOCK_NO_ANSWER;
	if (s->ntp_known && off > cfg->max_offset_ms * 1000)
		return MM_CLOCK_OFFSET;
	return MM_CLOCK_OK;
}

void mm_clock_check(const struct mm_clock_settings *cfg, int timeout_ms,
		    struct mm_clock_status *out)
{
	struct mm_ntp_result r;

	mm_clock_kernel(out);
	if (!cfg->ntp_server)
		return;
	snprintf(out->ntp_server, sizeof(out->ntp_server), "%s", cfg->ntp_server);
	out->ntp_asked = true;
	out->checked_at = mm_now();
	if (mm_ntp_query(cfg->ntp_server, timeout_ms, &r, out->ntp_error, sizeof(out->ntp_error)) !=
	    MM_OK)
		return;
	out->ntp_known = true;
	out->ntp_offset_us = r.offset_us;
	out->ntp_delay_us = r.delay_us;
	out->ntp_stratum = r.stratum;
}
