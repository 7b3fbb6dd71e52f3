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
	char ntp_server[128];  /* whom, when ntp_known or ntp_asked */
	bool ntp_asked;	       /* a server was asked (answered or not) */
	int64_t ntp_delay_us;  /* round trip, when ntp_known */
	int ntp_stratum;       /* the server's stratum, when ntp_known */
	char ntp_error[128];   /* why not, when ntp_asked and not ntp_known */
	int64_t checked_at;    /* when the server was asked (Unix seconds); 0: never */
};

/* What is checked, from [clock] of the configuration. */
struct mm_clock_settings {
	const char *ntp_server;	  /* "host[:port]"; NULL: the kernel's state only */
	int64_t max_offset_ms;	  /* larger offsets are a warning (default 1000) */
	int check_every_s;	  /* how often the server is asked (default 300) */
	bool require_kernel_sync; /* the kernel's STA_UNSYNC is a warning (default) */
};

/* The settings the process runs with; the configuration file fills them. */
extern struct mm_clock_settings mm_clock_settings;

/* Checks s for sanity: a server string that parses, 1 <= max_offset_ms <=
 * 86400000, 10 <= check_every_s <= 86400. Returns MM_OK or MM_EINVAL. */
int mm_clock_settings_check(const struct mm_clock_settings *s);

enum mm_clock_verdict {
	MM_CLOCK_OK,
	MM_CLOCK_UNSYNCED,  /* the kernel is not synchronised (or unknown) */
	MM_CLOCK_NO_ANSWER, /* the server was asked and gave no good answer */
	MM_CLOCK_OFFSET,    /* the offset is larger than the threshold */
};

/* Judges s against cfg, the first problem winning in the order above. A
 * server that was not asked yet is not a problem. */
enum mm_clock_verdict mm_clock_verdict(const struct mm_clock_status *s,
				       const struct mm_clock_settings *cfg);

/* Reads the kernel and, when cfg names a server, asks it (blocking up to
 * timeout_ms). Fills out; never changes the clock. */
void mm_clock_check(const struct mm_clock_settings *cfg, int timeout_ms,
		    struct mm_clock_status *out);

/* The server's status kept by a background thread that asks the server of
 * its settings every check_every_s, so that no request waits on the
 * network. */
struct mm_clock_watch;

/* Starts watching with a copy of cfg (a thread only when it names a
 * server). Returns MM_OK, or MM_ENOMEM / MM_EIO when no thread could be had. */
int mm_clock_watch_start(const struct mm_clock_settings *cfg, struct mm_clock_watch **out);

/* The kernel's state now with the last server answer; thread safe. w may be
 * NULL (kernel only). */
void mm_clock_watch_get(struct mm_clock_watch *w, struct mm_clock_status *out);

/* The settings w watches with (mm_clock_settings when w is NULL). */
const struct mm_clock_settings *mm_clock_watch_settings(const struct mm_clock_watch *w);

/* Stops the thread and frees w; NULL does nothing. */
void mm_clock_watch_stop(struct mm_clock_watch *w);

/* Fills out from the kernel; kernel_known is false when it cannot be read
 * (synced is then false too). Never changes the clock. */
void mm_clock_kernel(struct mm_clock_status *out);

/* The part of mm_clock_kernel that reads the answer of ntp_adjtime: tx and
 * its return value state (TIME_OK, TIME_ERROR, ..., or -1 for a failure). */
void mm_clock_from_timex(const struct timex *tx, int state, struct mm_clock_status *out);

/* One line of plain ASCII that says it all, for checkpoints and logs:
 * "clock synced maxerror=16000us esterror=500us" and, when known,
 * " ntp=ntp.example offset=+1200us delay=300us" (" ntp=ntp.example
 * no-answer" when it was asked in vain); "clock unsynchronised ..."
 * otherwise. */
void mm_clock_line(const struct mm_clock_status *s, char *buf, size_t n);

#endif
