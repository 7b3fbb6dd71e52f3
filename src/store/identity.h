/* The identity part of the store interface: accounts, sessions, personal API
 * tokens, per-key rate counters and audit events. Like store.h, backends
 * implement it behind struct mm_backend; every statement is parameterised.
 * Times are unix seconds (UTC). Strings returned come from the caller's
 * arena. Secrets are stored only as hashes, except the TOTP seed, which the
 * domain layer seals before it reaches the store.
 *
 * Strings that name a row (login, session id_hash and csrf, token hash, the
 * action and result of an audit event) must not be NULL: MM_EINVAL. Other
 * NULL strings are stored as "" (an audit event's details as "{}"), except
 * password_hash and totp_secret, which stay NULL. A write outside an explicit
 * transaction is a transaction of its own. */
#ifndef MM_STORE_IDENTITY_H
#define MM_STORE_IDENTITY_H

#include "store/store.h"

struct mm_account {
	int64_t id;
	const char *login; /* unique, case-sensitive ASCII */
	int64_t person_id; /* unique: one person, one account */
	bool disabled;
	const char *password_hash; /* argon2id string; NULL: no password set */
	const char *totp_secret;   /* sealed seed; NULL: not enrolled */
	bool totp_enabled;
	int64_t totp_last_step; /* last accepted TOTP time step (no replays) */
	int64_t failures;	/* failed sign-ins since the last success */
	int64_t locked_until;	/* 0: not locked */
	int64_t created_at;
	int64_t updated_at;
	int64_t password_changed_at;
};

/* Reads an account by id, login or person. MM_ENOTFOUND when absent. */
int mm_account_get(struct mm_conn *c, int64_t id, struct mm_arena *a, struct mm_account *out);
int mm_account_by_login(struct mm_conn *c, const char *login, struct mm_arena *a,
			struct mm_account *out);
int mm_account_by_person(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
			 struct mm_account *out);

/* Inserts acct and sets acct->id. MM_ECONFLICT when the login or the person
 * already has an account; then nothing is written. */
int mm_account_insert(struct mm_conn *c, struct mm_account *acct);

/* Writes every column of acct but created_at over the row with its id.
 * MM_ENOTFOUND when absent, MM_ECONFLICT when the new login or person belongs
 * to another account. */
int mm_account_update(struct mm_conn *c, const struct mm_account *acct);

/* All accounts, ordered by login. */
int mm_account_list(struct mm_conn *c, struct mm_arena *a, struct mm_account **out, size_t *n);

struct mm_session {
	const char *id_hash; /* hex SHA-256 of the cookie token; the token itself is never stored */
	int64_t account_id;
	int64_t created_at;
	int64_t last_seen;
	const char *csrf; /* the session's CSRF token (random, hex) */
	bool mfa_pending; /* password accepted, TOTP still to come */
	const char *ip;
};

/* MM_ECONFLICT when a session has the same id_hash. */
int mm_session_insert(struct mm_conn *c, const struct mm_session *s);
/* MM_ENOTFOUND when absent. */
int mm_session_get(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
		   struct mm_session *out);
/* Sets last_seen and mfa_pending of the session. MM_ENOTFOUND when absent.
 * The deletes below succeed when there is nothing to delete. */
int mm_session_update(struct mm_conn *c, const struct mm_session *s);
int mm_session_delete(struct mm_conn *c, const char *id_hash);
/* Ends every session of an account (sign-out everywhere, disable). */
int mm_session_delete_account(struct mm_conn *c, int64_t account_id);
/* Removes sessions last seen before idle_before or created before
 * absolute_before. */
int mm_session_purge(struct mm_conn *c, int64_t idle_before, int64_t absolute_before);

struct mm_token {
	int64_t id;
	const char *hash; /* hex SHA-256 of the token */
	int64_t account_id;
	const char *label;
	int64_t created_at;
	int64_t expires_at; /* 0: never */
	bool revoked;
	int64_t last_used;
};

/* Inserts tok and sets tok->id. MM_ECONFLICT when the hash is taken. */
int mm_token_insert(struct mm_conn *c, struct mm_token *tok);
/* MM_ENOTFOUND when absent. */
int mm_token_by_hash(struct mm_conn *c, const char *hash, struct mm_arena *a, struct mm_token *out);
/* The tokens of an account, oldest first. */
int mm_token_list(struct mm_conn *c, int64_t account_id, struct mm_arena *a, struct mm_token **out,
		  size_t *n);
/* Marks a token revoked; used sets last_used. MM_ENOTFOUND when absent. */
int mm_token_revoke(struct mm_conn *c, int64_t id);
int mm_token_used(struct mm_conn *c, int64_t id, int64_t now);

/* Adds one hit to the counter key in the fixed window of window seconds that
 * contains now, and returns the hits in that window (this one included).
 * Shared by every server on the database (rate limits per IP). A key is
 * always used with the same window: a hit removes the key's counters of
 * earlier windows. MM_EINVAL when key is NULL, window < 1 or now < 0. */
int mm_rate_hit(struct mm_conn *c, const char *key, int64_t window, int64_t now, int64_t *count);

/* One entry of the tamper-evident audit log (store/auditlog.h tells how
 * entries are hashed and chained). */
struct mm_audit_event {
	int64_t seq; /* set by the store */
	int64_t at;
	int64_t account_id; /* 0: nobody signed in */
	const char *actor;  /* login or "cli:user"; "" for anonymous */
	const char *ip;
	const char *request_id;
	const char *action;  /* signin, signout, lockout, totp_enrol, password_change,
			      * role_change, access_denied, ... */
	const char *object;  /* e.g. "accounts/12", "assets/5" */
	const char *result;  /* ok, refused, failed */
	const char *details; /* JSON object; never secrets */
	int64_t person_id;   /* the actor's person; 0: none */
};

/* Appends e to the log: sets e->seq to the chain head's seq + 1 and stores
 * the entry's chain value, inside the caller's transaction when one is
 * open (a transaction of its own otherwise). Times never go back in the
 * log: when e->at is before the head's time, the entry is recorded at the
 * head's time (e->at is set to it) and its details, when a JSON object,
 * begin with "at_clock": the time e->at had. */
int mm_audit_insert(struct mm_conn *c, struct mm_audit_event *e);
/* The newest events first, at most limit, only those of action unless it is
 * NULL. */
int mm_audit_list(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
		  struct mm_audit_event **out, size_t *n);

#endif
