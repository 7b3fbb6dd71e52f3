/* A fresh database for a test: a temporary SQLite file with every register's
 * tables, one connection taken, and a domain context over it. */
#ifndef MM_TEST_FIXTURE_H
#define MM_TEST_FIXTURE_H

#include "core/arena.h"
#include "domain/register.h"
#include "store/store.h"

struct mm_test_db {
	char path[64];
	struct mm_store *st;
	struct mm_ctx ctx; /* ctx.conn is taken from st; ctx.a is the caller's */
};

/* Creates and migrates the database; fails the test on any error. */
void mm_test_db_open(struct mm_test_db *d, struct mm_arena *a);

/* Gives the connection back, closes and deletes the files. */
void mm_test_db_close(struct mm_test_db *d);

#endif
