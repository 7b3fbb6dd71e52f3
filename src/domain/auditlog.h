/* The tamper-evident audit log's operations above the store: making signed
 * checkpoints, verifying the whole log against its chain and checkpoints,
 * inclusion and consistency proofs, the overdue-checkpoint warning, export,
 * archive and the syslog line of an entry. Entries are appended through
 * mm_audit (domain/audit.h). Library code: nothing here prints. */
#ifndef MM_DOMAIN_AUDITLOG_H
#define MM_DOMAIN_AUDITLOG_H

#include "core/arena.h"
#include "core/buf.h"
#include "domain/checkpoint.h"
#include "store/auditlog.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A checkpoint is due after this many unsigned entries or seconds. */
enum { MM_ALOG_CKPT_ENTRIES = 1000, MM_ALOG_CKPT_SECONDS = 300 };

enum mm_alog_problem {
	MM_ALOG_OK,
	MM_ALOG_GAP,	       /* bad_seq is missing */
	MM_ALOG_CHANGED,       /* bad_seq's bytes or place do not match its chain value */
	MM_ALOG_RECHAINED,     /* bad_seq..bad_to do not match a signed checkpoint */
	MM_ALOG_TRUNCATED,     /* the log ends before bad_seq, which a checkpoint signed */
	MM_ALOG_BAD_SIGNATURE, /* the checkpoint of size bad_seq is not signed by the key */
	MM_ALOG_FORK,	       /* two signed checkpoints of size bad_seq differ */
	MM_ALOG_NO_CHECKPOINT, /* entries but no signed checkpoint at all */
	MM_ALOG_BAD_CUT,       /* what the last archive left does not match */
};

struct mm_alog_report {
	enum mm_alog_problem problem;
	int64_t bad_seq, bad_to;
	int64_t first, last; /* the entries checked */
	size_t checkpoints;  /* checkpoint signatures that verified */
	int64_t signed_size; /* the largest signed tree size */
	int64_t new_size;    /* mm_auditlog_checkpoint: the size it signed, 0: none */
	int readers;	     /* connections that read the entries */
	int retries;	     /* times they saw different states and tried again */
};

/* For tests and the benchmark: the split pass's entries per chunk and
 * connections reading (0: the defaults), and a function called while the
 * readers open, after the caller's connection took its snapshot and before
 * the others take theirs. */
void mm_auditlog_tune(int64_t chunk, size_t readers, void (*between)(void *), void *arg);

/* One line saying what the report found, English then Japanese. */
void mm_alog_report_text(const struct mm_alog_report *r, struct mm_buf *out);

/* Checks every entry against the chain and every checkpoint (those in the
 * database and the extra signed notes, e.g. an off-host copy) against k,
 * in one pass. MM_OK with r->problem telling the outcome; an error only
 * when the database could not be read. */
int mm_auditlog_verify(struct mm_conn *c, const struct mm_ckpt_vkey *k, const char *const *extra,
		       size_t nextra, struct mm_arena *a, struct mm_alog_report *r);

/* Signs a checkpoint of the whole log with k, extending the latest one
 * (whose signature and frontier it checks first) with the entries since,
 * whose chain it checks. Does nothing when the log has not grown
 * (r->new_size 0). A problem found is in r, and nothing is signed. */
int mm_auditlog_checkpoint(struct mm_conn *c, const struct mm_ckpt_skey *k, int64_t now,
			   const char *clock, struct mm_arena *a, struct mm_alog_report *r);

struct mm_alog_status {
	int64_t first, head; /* the kept entries */
	int64_t ckpt_size;   /* the latest checkpoint, 0: none */
	int64_t ckpt_at;
	int64_t unsigned_count; /* entries after it */
	int64_t unsigned_since; /* time of the first of them, 0: none */
	bool overdue;		/* MM_ALOG_CKPT_ENTRIES or _SECONDS passed */
};

/* The log's state at now; other code calls this to warn of a missing
 * checkpoint signer. */
int mm_auditlog_status(struct mm_conn *c, int64_t now, struct mm_alog_status *out);

/* The leaf hashes of the kept entries up to size, for proofs. */
struct mm_alog_tree {
	struct mm_merkle_frontier cut;
	struct mm_merkle_leaves leaves;
};
int mm_auditlog_tree(struct mm_conn *c, int64_t size, struct mm_arena *a, struct mm_alog_tree *t);

/* A checkpoint of the database whose note verifies with k: the one of size
 * (0: the latest). MM_ENOTFOUND when none, MM_EPERM when it does not
 * verify. */
int mm_auditlog_signed(struct mm_conn *c, const struct mm_ckpt_vkey *k, int64_t size,
		       struct mm_arena *a, struct mm_alog_ckpt *out);

/* Export formats of entries. */
enum mm_alog_format { MM_ALOG_JSONL, MM_ALOG_CSV };

/* Writes the entries with since <= at < until to f (CSV with a BOM and a
 * heading row). */
int mm_auditlog_export(struct mm_conn *c, int64_t since, int64_t until, enum mm_alog_format fmt,
		       FILE *f, int64_t *count);

struct mm_ctx;

/* Archives the signed entries made before time before (at most up to the
 * latest checkpoint; the last entry always stays): writes them to out as
 * JSON lines — a head line with the chain value and Merkle frontier before
 * them, one line per entry with its chain value, and the signed checkpoint
 * that covers them with the consistency proof from their tree to its tree —
 * syncs it, then removes them and records the removal as
 * an entry, in one transaction. Sets the archived range. MM_ENOTFOUND when
 * nothing is old enough, MM_EINVAL when the entries do not verify. */
int mm_auditlog_archive(struct mm_ctx *ctx, int64_t before, FILE *out, int64_t *first,
			int64_t *last);

enum mm_alog_archive_problem {
	MM_ARCH_OK,
	MM_ARCH_MALFORMED, /* line is not what mamori writes (why) */
	MM_ARCH_TRUNCATED, /* the file ends at line, before its checkpoint (why) */
	MM_ARCH_MISSING,   /* bad_seq is missing or out of its place (at line) */
	MM_ARCH_CHANGED,   /* bad_seq's bytes or chain value do not match the chain */
	MM_ARCH_SHORT,	   /* the checkpoint (size) does not reach entry last */
	MM_ARCH_ROOT,	   /* the entries' tree is not a prefix of the checkpoint's */
	MM_ARCH_SIGNATURE, /* the checkpoint is not signed by the key (why) */
};

struct mm_alog_archive_report {
	enum mm_alog_archive_problem problem;
	int64_t line;	     /* the file's line where the problem shows */
	int64_t bad_seq;     /* the entry, when one is to blame */
	const char *why;     /* static text */
	int64_t first, last; /* the archived entries the head line names */
	int64_t size;	     /* the checkpoint's tree size */
};

/* Checks an archive file written by mm_auditlog_archive, read from in,
 * without the database: every line must be as mamori writes it; each
 * entry's chain value must follow from the one before (from the head's);
 * the Merkle tree of the head's frontier and the entries' leaves must be a
 * prefix of the covering checkpoint's tree (by its consistency proof); and
 * that checkpoint must be signed by k. Stops at the first problem. MM_OK
 * with the outcome in r; an error only when in cannot be read. */
int mm_auditlog_archive_verify(FILE *in, const struct mm_ckpt_vkey *k,
			       struct mm_alog_archive_report *r);
/* One line saying what r found, English then Japanese. */
void mm_alog_archive_report_text(const struct mm_alog_archive_report *r, struct mm_buf *out);

/* Appends one entry as JSON (one line, no newline). */
void mm_alog_entry_json(struct mm_buf *b, const struct mm_audit_event *e,
			const uint8_t chain[MM_HASH_LEN]);

/* Appends one entry as an RFC 5424 syslog message (facility auth, 10;
 * severity notice, or warning when refused or failed) from host. */
void mm_alog_syslog_line(struct mm_buf *b, const struct mm_audit_event *e, const char *host);

#endif
