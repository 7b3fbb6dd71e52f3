/* CSV imports of the assets register (the upload of /assets/import and
 * mamori asset import): encoding detection, headings, every row through the
 * register engine, references by display text — as a dry run, which writes
 * nothing but its audit record. Invariants: the result is success or a
 * validation failure with its reasons; counts never exceed the rows read. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/err.h"
#include "domain/export.h"
#include "domain/registers.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	(void)fuzz_db();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_db *db = fuzz_db();
	struct mm_file_report rep;
	struct mm_ctx ctx;
	struct mm_arena a;
	int rc;

	mm_arena_init(&a, 256u << 20);
	memset(&ctx, 0, sizeof(ctx));
	ctx.conn = mm_store_acquire(db->st);
	FUZZ_CHECK(ctx.conn != NULL);
	ctx.a = &a;
	ctx.actor = "fuzz";
	ctx.lang = size % 2 ? MM_EN : MM_JA;
	rc = mm_import_csv(&mm_reg_assets, &ctx, (const char *)data, size, true, &rep);
	FUZZ_CHECK(rc == MM_OK || rc == MM_EVALIDATE || rc == MM_ETOOBIG);
	if (rc == MM_EVALIDATE)
		FUZZ_CHECK(rep.nerrs > 0);
	if (rc == MM_OK)
		FUZZ_CHECK(rep.nerrs == 0 && rep.created + rep.updated + rep.unchanged <= rep.rows);
	mm_store_release(db->st, ctx.conn);
	mm_arena_free(&a);
	return 0;
}
