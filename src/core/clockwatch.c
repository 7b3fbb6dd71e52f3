/* The background check of the NTP server (clock.h: mm_clock_watch). One
 * thread asks the server every check_every_s and keeps the answer under a
 * mutex; readers copy it and add the kernel's state of the moment. */
#include "core/clock.h"

#include "core/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long one question to the server may take. */
enum { ASK_TIMEOUT_MS = 2000 };

struct mm_clock_watch {
	struct mm_clock_settings cfg;
	char server[128];
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled on stop */
	pthread_t thread;
	bool running, stopping;
	struct mm_clock_status last; /* the NTP fields are what readers take */
};

static void *watch(void *arg)
{
	struct mm_clock_watch *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		struct mm_clock_status s;
		struct timespec until;

		pthread_mutex_unlock(&w->mu);
		mm_clock_check(&w->cfg, ASK_TIMEOUT_MS, &s);
		pthread_mutex_lock(&w->mu);
		w->last = s;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += w->cfg.check_every_s;
		while (!w->stopping && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int mm_clock_watch_start(const struct mm_clock_settings *cfg, struct mm_clock_watch **out)
{
	struct mm_clock_watch *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;

	*out = NULL;
	if (!w)
		return MM_ENOMEM;
	w->cfg = *cfg;
	if (cfg->ntp_server) {
		snprintf(w->server, sizeof(w->server), "%s", cfg->ntp_server);
		w->cfg.ntp_server = w->server;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (w->cfg.ntp_server) {
		if (pthread_create(&w->thread, NULL, watch, w) != 0) {
			mm_clock_watch_stop(w);
			return MM_EIO;
		}
		w->running = true;
	}
	*out = w;
	return MM_OK;
}

void mm_clock_watch_get(struct mm_clock_watch *w, struct mm_clock_status *out)
{
	struct mm_clock_status k;

	mm_clock_kernel(&k);
	if (!w) {
		*out = k;
		return;
	}
	pthread_mutex_lock(&w->mu);
	*out = w->last;
	pthread_mutex_unlock(&w->mu);
	out->kernel_known = k.kernel_known;
	out->synced = k.synced;
	out->maxerror_us = k.maxerror_us;
	out->esterror_us = k.esterror_us;
}

const struct mm_clock_settings *mm_clock_watch_settings(const struct mm_clock_watch *w)
{
	return w ? &w->cfg : &mm_clock_settings;
}

void mm_clock_watch_stop(struct mm_clock_watch *w)
{
	if (!w)
		return;
	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->stopping = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
