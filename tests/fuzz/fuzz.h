/* What every fuzz target shares: the libFuzzer entry point, an invariant
 * check that aborts (so libFuzzer and the replay driver both see it), and a
 * throwaway database for the targets that need one. */
#ifndef MM_FUZZ_H
#define MM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional: set-up before the first input (a database, a server), so that
 * it does not count against the first input's time. replay.c calls it too. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,    \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif

/* A database for the targets that need one: a SQLite file in /dev/shm (or
 * $TMPDIR) with every register, the demo organisation and 20 assets, an
 * account for the first demo person with a password, a session (cookie and
 * CSRF token) and a personal API token. Made on the first call and removed
 * at exit. */
struct fuzz_db {
	struct mm_store *st;
	char path[96];
	char session[72]; /* the mm_session cookie's value */
	char csrf[72];	  /* its CSRF token */
	char bearer[64];  /* "Bearer mmt_…" */
};

const struct fuzz_db *fuzz_db(void);
