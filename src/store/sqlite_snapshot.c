/* The read snapshot a connection keeps between uses (SQLite backend).
 *
 * A statement outside a transaction opens a read transaction of its own and
 * closes it when done: the locks of the database file and of a read mark in
 * the WAL index (fcntl calls, unless another connection of the process
 * holds the same), a check of the WAL index header, the unlocks. Keeping
 * the snapshot took a GET of one record from 53-58 to 43-45 us of the
 * server's CPU (bench/README.md, "Seventh session").
 *
 * So a read outside any transaction leaves its read transaction open, and
 * the connection's next read goes on in it while the WAL index header reads
 * the same as just before it began. Then no transaction of any connection
 * or process has committed since (sqlite_generation.c says why), so the
 * snapshot is the newest one, the same a new read transaction would see.
 * Once the header moves, the next statement ends the snapshot and reads in
 * a new one.
 *
 * To the rest of the backend the connection is outside any transaction
 * (mm_sq_autocommit). Transactions, operations and SQL run whole end the
 * snapshot first, and mm_sq_step ends it before a statement that writes, so
 * nothing is ever written inside it. It ends with COMMIT, which lets a
 * statement still stepping finish on its snapshot, as outside a
 * transaction; ROLLBACK could abort it.
 *
 * A kept snapshot holds back checkpoints from the frames committed after it
 * began, so the WAL could grow while a connection sits idle in the pool;
 * mm_store_rest ends the snapshots of idle connections (the server calls it
 * every second). */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <string.h>

void mm_sq_snapshot_end(struct mm_sq_conn *sc)
{
	sqlite3_stmt *st;

	if (!sc->kept)
		return;
	sc->kept = false;
	/* Transaction control: stepped directly, not through mm_sq_step. */
	if (!sqlite3_get_autocommit(sc->db) && mm_sq_stmt_fixed(sc, FX_COMMIT, &st) == MM_OK) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
}

/* Whether the kept snapshot is still the newest: no commit since it began. */
static bool kept_fresh(const struct mm_sq_conn *sc)
{
	uint32_t now[MM_SQ_WAL_HEADER_WORDS];

	return !sqlite3_get_autocommit(sc->db) && mm_sq_wal_read(sc, now) &&
	       memcmp(now, sc->kept_at, sizeof(now)) == 0;
}

/* Whether a statement of the connection is between its first step and its
 * end: it holds a read transaction that began before now. */
static bool stepping(const struct mm_sq_conn *sc)
{
	for (sqlite3_stmt *st = sqlite3_next_stmt(sc->db, NULL); st;
	     st = sqlite3_next_stmt(sc->db, st))
		if (sqlite3_stmt_busy(st))
			return true;
	return false;
}

/* Begins a snapshot to keep, noting the header first: the snapshot the
 * next statement takes is then no older than the header says. Not while
 * another statement is stepping: the next would read in that statement's
 * older snapshot. */
static void keep(struct mm_sq_conn *sc)
{
	sqlite3_stmt *st;

	if (!sqlite3_get_autocommit(sc->db) || stepping(sc) || !mm_sq_wal_read(sc, sc->kept_at) ||
	    mm_sq_stmt_fixed(sc, FX_BEGIN, &st) != MM_OK)
		return;
	sc->kept = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_reset(st);
	if (sc->kept)
		sc->base.snapshots_kept++;
}

int mm_sq_step(struct mm_sq_conn *sc, sqlite3_stmt *st)
{
	int src;

	/* Only a statement's first step, and only outside a transaction of
	 * the connection's users. */
	if (!sqlite3_stmt_busy(st) && mm_sq_autocommit(sc)) {
		bool reads = sqlite3_stmt_readonly(st);

		if (sc->kept && !(reads && kept_fresh(sc)))
			mm_sq_snapshot_end(sc);
		if (reads && !sc->kept)
			keep(sc);
	}
	src = sqlite3_step(st);
	/* The WAL is open once a statement has read: map its index. */
	if (!sc->wal_header_tried)
		mm_sq_wal_map(sc);
	return src;
}

void mm_sq_rest(struct mm_conn *c)
{
	mm_sq_snapshot_end(mm_sq_conn(c));
}
