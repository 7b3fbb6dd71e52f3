#include "fixture.h"

#include "core/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

void mm_test_db_open(struct mm_test_db *d, struct mm_arena *a)
{
	int fd;

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/mm-test-XXXXXX");
	fd = mkstemp(d->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(d->path);
	assert_int_equal(mm_store_open(d->path, 2, &d->st, NULL, 0), MM_OK);
	assert_int_equal(mm_registers_migrate(d->st), MM_OK);
	d->ctx.conn = mm_store_acquire(d->st);
	assert_non_null(d->ctx.conn);
	d->ctx.a = a;
	d->ctx.actor = "tester";
	d->ctx.lang = MM_JA;
}

void mm_test_db_close(struct mm_test_db *d)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };

	if (d->ctx.conn)
		mm_store_release(d->st, d->ctx.conn);
	mm_store_close(d->st);
	for (size_t i = 0; i < 3; i++) {
		char p[96];
		snprintf(p, sizeof(p), "%s%s", d->path, suffix[i]);
		unlink(p);
	}
}
