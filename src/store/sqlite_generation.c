/* The store generation on SQLite (backend.h), read without a transaction
 * when nothing has been committed since it was last read.
 *
 * Every request checks its credential against the generation, and reading
 * it as a statement costs a read transaction of its own: the lock of a read
 * mark in the WAL index (an fcntl), a B-tree search, the unlock. Measured
 * under bench/run.sh's get-one that was 14 % of the server's CPU, for a
 * value that moves only when records, accounts or credentials change.
 *
 * Every commit, by any connection of any process, rewrites the header at
 * the start of the WAL index (the -shm file). Its layout is part of SQLite's
 * file format (walformat.html), since connections of different SQLite
 * versions share it: two copies of a 48-byte header, which a committer
 * writes second copy first and every reader compares, holding a change
 * counter, the last frame and the checksums. So when the header reads the
 * same as just before the generation was last read from the database, no
 * transaction has committed since, and the value read then is the value
 * now: the same answer the statement would give, not a guess. Anything
 * unusual (no WAL index mapped, a header being written, a transaction that
 * has read already) takes the statement. The WAL index is mapped after the
 * connection's first statement (mm_sq_step). */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <string.h>

/* The WAL index's first page size, and where isInit sits in a header. */
enum { WAL_INDEX_PAGE = 32768, HEADER_IS_INIT = 12 };

/* Maps the first page of the WAL index of sc's database. Called after a
 * statement has run, so that the connection has its WAL open. */
void mm_sq_wal_map(struct mm_sq_conn *sc)
{
	sqlite3_file *f = NULL;
	void volatile *p = NULL;

	if (sc->wal_header_tried)
		return;
	sc->wal_header_tried = true;
	if (sqlite3_file_control(sc->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
		return;
	if (f->pMethods->xShmMap(f, 0, WAL_INDEX_PAGE, 0, &p) == SQLITE_OK && p)
		sc->wal_header = (const volatile uint32_t *)p;
}

/* Copies the WAL index header into out, as SQLite's readers do: the first
 * copy, a barrier, the second. False while a commit is writing it (the
 * copies differ), before the index is set up, or when it is not mapped. */
bool mm_sq_wal_read(const struct mm_sq_conn *sc, uint32_t out[MM_SQ_WAL_HEADER_WORDS])
{
	const volatile uint32_t *h = sc->wal_header;
	uint32_t again[MM_SQ_WAL_HEADER_WORDS];

	if (!h)
		return false;
	for (int i = 0; i < MM_SQ_WAL_HEADER_WORDS; i++)
		out[i] = h[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < MM_SQ_WAL_HEADER_WORDS; i++)
		again[i] = h[MM_SQ_WAL_HEADER_WORDS + i];
	return memcmp(out, again, sizeof(again)) == 0 &&
	       ((const unsigned char *)out)[HEADER_IS_INIT] != 0;
}

/* Reads the generation with a statement. */
static int query(struct mm_sq_conn *sc, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = mm_sq_stmt_fixed(sc, FX_GEN_GET, &st);
	int src;

	if (rc)
		return rc;
	sc->base.generation_reads++;
	src = mm_sq_step(sc, st);
	*out = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

int mm_sq_generation(struct mm_conn *c, int64_t *out)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	uint32_t before[MM_SQ_WAL_HEADER_WORDS];
	/* Outside any transaction, or in one that has not read yet, the
	 * statement reads the newest commit, one no older than the header
	 * read before it; so does it in a kept snapshot, which mm_sq_step ends
	 * once the header moves. Inside a transaction that has read, it reads
	 * the transaction's snapshot, which the header says nothing about. */
	bool fresh = sc->kept || sqlite3_txn_state(sc->db, "main") == SQLITE_TXN_NONE;
	bool seen = fresh && mm_sq_wal_read(sc, before);
	int rc;

	if (seen && sc->gen_known && memcmp(before, sc->gen_at, sizeof(before)) == 0) {
		*out = sc->gen_value;
		return MM_OK;
	}
	rc = query(sc, out);
	/* (What a transaction's snapshot read leaves the last fresh value be.) */
	if (fresh)
		sc->gen_known = rc == MM_OK && seen;
	if (fresh && sc->gen_known) {
		memcpy(sc->gen_at, before, sizeof(before));
		sc->gen_value = *out;
	}
	return rc;
}
