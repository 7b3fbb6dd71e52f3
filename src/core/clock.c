/* The system clock's synchronisation state (clock.h). */
#include "core/clock.h"

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
	if (k < 0 || (size_t)k >= n || !s->ntp_known)
		return;
	snprintf(buf + k, n - (size_t)k, " ntp=%s offset=%+" PRId64 "us", s->ntp_server,
		 s->ntp_offset_us);
}
