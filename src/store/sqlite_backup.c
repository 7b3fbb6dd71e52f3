/* Backup and restore of a SQLite database (mm_store_backup/restore) with
 * SQLite's online backup API: a consistent copy made page by page while
 * the server keeps serving, never a file copy of a live database. Both
 * directions check the copy with PRAGMA integrity_check, and a restore takes
 * only a mamori database no newer than this program. */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages copied per step; between steps writers may commit. */
enum { STEP_PAGES = 1024, BUSY_WAIT_MS = 20, BUSY_TRIES = 500 };

static int say(char *why, size_t whylen, int rc, const char *fmt, const char *arg)
{
	if (why && whylen)
		snprintf(why, whylen, fmt, arg);
	return rc;
}

/* Copies every page of from's main database into to's. */
static int copy_pages(sqlite3 *to, sqlite3 *from, char *why, size_t whylen)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int src = SQLITE_OK, tries = 0;

	if (!b)
		return say(why, whylen, MM_EIO, "%s", sqlite3_errmsg(to));
	for (;;) {
		src = sqlite3_backup_step(b, STEP_PAGES);
		if (src == SQLITE_DONE)
			break;
		if ((src == SQLITE_BUSY || src == SQLITE_LOCKED) && ++tries < BUSY_TRIES) {
			sqlite3_sleep(BUSY_WAIT_MS);
			continue;
		}
		if (src != SQLITE_OK)
			break;
	}
	sqlite3_backup_finish(b);
	if (src != SQLITE_DONE)
		return say(why, whylen, src == SQLITE_BUSY ? MM_EBUSY : MM_EIO, "%s",
			   sqlite3_errstr(src));
	return MM_OK;
}

/* PRAGMA integrity_check says "ok" of db. */
static int check_integrity(sqlite3 *db, const char *name, char *why, size_t whylen)
{
	sqlite3_stmt *st = NULL;
	int rc = MM_EDB;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		if (res && strcmp(res, "ok") == 0)
			rc = MM_OK;
	}
	sqlite3_finalize(st);
	return rc ? say(why, whylen, rc,
			"%s: not an intact database (PRAGMA integrity_check failed)", name)
		  : MM_OK;
}

/* The newest migration a database holds, or -1 when it is not mamori's. */
static int64_t schema_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int mm_sq_backup(struct mm_conn *c, const char *path, char *why, size_t whylen)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3 *dest = NULL;
	int fd, rc;

	/* The copy holds every record: readable by its owner only, and never
	 * over an existing file. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return say(why, whylen, MM_EINVAL, "%s: the file exists already", path);
	if (fd < 0)
		return say(why, whylen, MM_EIO, "%s: cannot create the file", path);
	close(fd);
	if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = say(why, whylen, MM_EIO, "%s: cannot open the copy", path);
		goto fail;
	}
	rc = copy_pages(dest, sc->db, why, whylen);
	if (!rc)
		rc = check_integrity(dest, path, why, whylen);
	if (rc)
		goto fail;
	/* The copy stands alone: fold its log into the file. */
	sqlite3_exec(dest, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(dest);
	return MM_OK;
fail:
	sqlite3_close(dest);
	unlink(path);
	return rc;
}

int mm_sq_restore(struct mm_conn *c, const char *path, char *why, size_t whylen)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3 *from = NULL;
	int64_t v;
	int rc;

	if (access(path, R_OK) != 0)
		return say(why, whylen, MM_ENOTFOUND, "%s: no such file", path);
	if (sqlite3_open_v2(path, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = say(why, whylen, MM_EINVAL, "%s: not a database", path);
		goto out;
	}
	rc = check_integrity(from, path, why, whylen);
	if (rc)
		goto out;
	v = schema_version(from);
	if (v < 0) {
		rc = say(why, whylen, MM_EINVAL, "%s: not a mamori database", path);
		goto out;
	}
	if (v > mm_sq_latest_migration()) {
		rc = say(why, whylen, MM_EINVAL, "%s: made by a newer version of mamori", path);
		goto out;
	}
	mm_sq_drop_cache(sc);
	rc = copy_pages(sc->db, from, why, whylen);
	if (!rc)
		rc = check_integrity(sc->db, "the restored database", why, whylen);
out:
	sqlite3_close(from);
	return rc;
}
