/* The state of the system clock (7.7: clocks synchronised to JST): what the
 * kernel says of its synchronisation (ntp_adjtime, read only) and, when an
 * NTP server was asked, the offset measured against it. The audit log's
 * checkpoints carry it, and the admin pages show it. */
#ifndef MM_CORE_CLOCK_H
#define MM_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timex;

struct mm_clock_status {
	bool kernel_known;     /* ntp_adjtime answered */
	bool synced;	       /* the kernel does not flag STA_UNSYNC, nor TIME_ERROR */
	int64_t maxerror_us;   /* the kernel's maximum error estimate */
	int64_t esterror_us;   /* its estimated error */
	bool ntp_known;	       /* a server was asked and answered */
	int64_t ntp_offset_us; /* server time minus ours */
	char ntp_server[128];  /* whom, when ntp_known */
};

/* Fills out from the kernel; kernel_known is false when it cannot be read
 * (synced is then false too). Never changes the clock. */
void mm_clock_kernel(struct mm_clock_status *out);

/* The part of mm_clock_kernel that reads the answer of ntp_adjtime: tx and
 * its return value state (TIME_OK, TIME_ERROR, ..., or -1 for a failure). */
void mm_clock_from_timex(const struct timex *tx, int state, struct mm_clock_status *out);

/* One line of plain ASCII that says it all, for checkpoints and logs:
 * "clock synced maxerror=16000us esterror=500us" and, when known,
 * " ntp=ntp.example offset=+1200us"; "clock unsynchronised ..." otherwise. */
void mm_clock_line(const struct mm_clock_status *s, char *buf, size_t n);

#endif
