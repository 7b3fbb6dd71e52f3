/* Sample data for demonstrations and benchmarks: a plausible city
 * organisation, its people and systems, and information assets of every
 * kind and level. */
#ifndef MM_DOMAIN_DEMO_H
#define MM_DOMAIN_DEMO_H

#include "domain/register.h"

struct mm_demo_counts {
	size_t sections, people, systems, assets, holdings; /* records created */
	size_t risks;
};

/* Loads the sample organisation, its role holders and n_assets assets (about
 * 200 for a demo) in one transaction, after the default profile (seed.h);
 * sections the profile made are kept. MM_ECONFLICT when the database already
 * has people or assets. */
int mm_demo_seed(struct mm_ctx *ctx, size_t n_assets, struct mm_demo_counts *out);

#endif
