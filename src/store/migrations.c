/* The versioned migrations of the system tables (migrations.h), shared by
 * the backends, and the expansion of their dialect tokens. */
#include "store/migrations.h"

#include <string.h>

const struct mm_migration mm_migrations[] = {
	{ 1, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)" },
	{ 2, "CREATE TABLE sequences(name TEXT PRIMARY KEY, value {int} NOT NULL)" },
	{ 3, "CREATE TABLE history(id {id}, register TEXT NOT NULL, "
	     "record_id {int} NOT NULL, version {int} NOT NULL, at TEXT NOT NULL, "
	     "actor TEXT NOT NULL, action TEXT NOT NULL, changes TEXT NOT NULL, "
	     "UNIQUE(register, record_id, version))" },
	{ 4, "CREATE TABLE record_counts(register TEXT PRIMARY KEY, active {int} NOT NULL, "
	     "retired {int} NOT NULL)" },
	/* Identity (see sqlite_identity.c). Times are unix seconds. Index
	 * names end in neither _idx, _key, _fts nor _trgm, so that no
	 * register's index can take them. */
	{ 5, "CREATE TABLE accounts(id {id}, login TEXT NOT NULL UNIQUE, "
	     "person_id {int} NOT NULL UNIQUE, disabled {int} NOT NULL DEFAULT 0, "
	     "password_hash TEXT, totp_secret TEXT, totp_enabled {int} NOT NULL DEFAULT 0, "
	     "totp_last_step {int} NOT NULL DEFAULT 0, failures {int} NOT NULL DEFAULT 0, "
	     "locked_until {int} NOT NULL DEFAULT 0, created_at {int} NOT NULL, "
	     "updated_at {int} NOT NULL, password_changed_at {int} NOT NULL DEFAULT 0)" },
	{ 6, "CREATE TABLE sessions(id_hash TEXT PRIMARY KEY, account_id {int} NOT NULL, "
	     "created_at {int} NOT NULL, last_seen {int} NOT NULL, csrf TEXT NOT NULL, "
	     "mfa_pending {int} NOT NULL DEFAULT 0, ip TEXT NOT NULL DEFAULT '');"
	     "CREATE INDEX sessions_by_account ON sessions(account_id);"
	     "CREATE INDEX sessions_by_last_seen ON sessions(last_seen)" },
	{ 7, "CREATE TABLE tokens(id {id}, hash TEXT NOT NULL UNIQUE, "
	     "account_id {int} NOT NULL, label TEXT NOT NULL DEFAULT '', "
	     "created_at {int} NOT NULL, expires_at {int} NOT NULL DEFAULT 0, "
	     "revoked {int} NOT NULL DEFAULT 0, last_used {int} NOT NULL DEFAULT 0);"
	     "CREATE INDEX tokens_by_account ON tokens(account_id)" },
	{ 8, "CREATE TABLE rate_counters(key TEXT NOT NULL, window_start {int} NOT NULL, "
	     "hits {int} NOT NULL, PRIMARY KEY(key, window_start))" },
	{ 9, "CREATE TABLE audit_events(seq {key}, at {int} NOT NULL, "
	     "account_id {int} NOT NULL DEFAULT 0, actor TEXT NOT NULL DEFAULT '', "
	     "ip TEXT NOT NULL DEFAULT '', request_id TEXT NOT NULL DEFAULT '', "
	     "action TEXT NOT NULL, object TEXT NOT NULL DEFAULT '', result TEXT NOT NULL, "
	     "details TEXT NOT NULL DEFAULT '{}');"
	     "CREATE INDEX audit_events_by_action ON audit_events(action, seq)" },
	/* Record grants (7.1, see sqlite_grants.c). The unique key is also the
	 * index the access condition of lists probes. */
	{ 10, "CREATE TABLE grants(id {id}, register TEXT NOT NULL, "
	      "record_id {int} NOT NULL, person_id {int} NOT NULL, "
	      "kind TEXT NOT NULL CHECK(kind IN ('read','edit','named')), "
	      "granted_by TEXT NOT NULL, granted_at {int} NOT NULL, "
	      "UNIQUE(register, record_id, person_id, kind))" },
	/* The records one person holds grants on: the totals of lists. */
	{ 11, "CREATE INDEX grants_by_person ON grants(person_id, register, kind, record_id)" },
	/* The tamper-evident audit log (see store/auditlog.h and
	 * sqlite_auditlog.c): each entry's person and chain value, signed
	 * checkpoints, and what an archive leaves of the entries it removed.
	 * Entries made before this version are chained by the backend's
	 * backfill. */
	{ 12, "ALTER TABLE audit_events ADD COLUMN person_id {int} NOT NULL DEFAULT 0;"
	      "ALTER TABLE audit_events ADD COLUMN chain {blob};"
	      "CREATE TABLE audit_checkpoints(size {key}, root {blob} NOT NULL, "
	      "at {int} NOT NULL, clock TEXT NOT NULL, note TEXT NOT NULL, "
	      "frontier {blob} NOT NULL);"
	      "CREATE TABLE audit_cut(id {key} CHECK(id = 1), size {int} NOT NULL, "
	      "chain {blob} NOT NULL, frontier {blob} NOT NULL, at {int} NOT NULL)" },
	/* Inspection of the audit log (auditquery.h): events of one object
	 * ("who viewed this"), of one account, and of a period. */
	{ 13, "CREATE INDEX audit_events_by_object ON audit_events(object, seq);"
	      "CREATE INDEX audit_events_by_account ON audit_events(account_id, seq);"
	      "CREATE INDEX audit_events_by_at ON audit_events(at)" },
	/* An audit entry cost a page write per index at every commit: only
	 * the index of "who viewed this" stays. From here on an entry's time
	 * is never before the previous entry's (sqlite_auditlog.c), so a
	 * period is a range of seq found by binary search
	 * (sqlite_auditrange.c) and the other filters are checked within it.
	 * Entries made before may go back in time (requests that overlapped,
	 * a clock set back): audit_order keeps their last seq and the most
	 * any of them is earlier than an entry before it, and the search
	 * widens its bounds by that much over those entries. Computing it
	 * reads the log once. (Released with SQLite's max(x, 0); the CASE
	 * gives the same value in both dialects.) */
	{ 14, "DROP INDEX IF EXISTS audit_events_by_action;"
	      "DROP INDEX IF EXISTS audit_events_by_account;"
	      "DROP INDEX IF EXISTS audit_events_by_at;"
	      "CREATE TABLE audit_order(id {key} CHECK(id = 1), "
	      "legacy_last {int} NOT NULL, legacy_slack {int} NOT NULL);"
	      "INSERT INTO audit_order(id, legacy_last, legacy_slack) "
	      "SELECT 1, coalesce(max(seq), 0), "
	      "coalesce(max(CASE WHEN prior - at > 0 THEN prior - at ELSE 0 END), 0) FROM "
	      "(SELECT seq, at, max(at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING "
	      "AND 1 PRECEDING) AS prior FROM audit_events) AS ordered" },
	/* The number of active and retired records at each level of a
	 * register with a level field (MM_F_LEVEL, core/schema.h), kept with
	 * every write like record_counts and counted again at every
	 * migration. An empty level is counted as 4. */
	{ 15, "CREATE TABLE level_counts(register TEXT NOT NULL, level {int} NOT NULL, "
	      "active {int} NOT NULL, retired {int} NOT NULL, PRIMARY KEY(register, level))" },
};

const size_t mm_nmigrations = sizeof(mm_migrations) / sizeof(mm_migrations[0]);

int64_t mm_migration_latest(void)
{
	return mm_migrations[mm_nmigrations - 1].version;
}

struct token {
	const char *name;
	const char *sqlite, *pg;
};

static const struct token tokens[] = {
	{ "{id}", "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
	{ "{key}", "INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY" },
	{ "{int}", "INTEGER", "BIGINT" },
	{ "{blob}", "BLOB", "BYTEA" },
};

void mm_migration_sql(const struct mm_migration *m, enum mm_dialect d, struct mm_buf *b)
{
	const char *p = m->sql;

	mm_buf_reset(b);
	while (*p) {
		const char *brace = strchr(p, '{');
		size_t i;

		if (!brace) {
			mm_buf_adds(b, p);
			break;
		}
		mm_buf_add(b, p, (size_t)(brace - p));
		for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
			size_t n = strlen(tokens[i].name);
			if (strncmp(brace, tokens[i].name, n) == 0) {
				mm_buf_adds(b,
					    d == MM_DIALECT_PG ? tokens[i].pg : tokens[i].sqlite);
				p = brace + n;
				break;
			}
		}
		if (i == sizeof(tokens) / sizeof(tokens[0])) {
			mm_buf_addc(b, '{'); /* not a token: '{}' in a default */
			p = brace + 1;
		}
	}
}
