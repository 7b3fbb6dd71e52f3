/* Sample data for demonstrations and benchmarks: a plausible city
 * organisation, its people and systems, and information assets of every
 * kind and level. */
#ifndef MM_DOMAIN_DEMO_H
#define MM_DOMAIN_DEMO_H

#include "domain/register.h"

struct mm_demo_counts {
	size_t sections, people, systems, assets;
};

/* Loads the sample organisation and n_assets assets (about 200 for a demo)
 * in one transaction. MM_ECONFLICT when the database already has sections. */
int mm_demo_seed(struct mm_ctx *ctx, size_t n_assets, struct mm_demo_counts *out);

#endif
