/* The tamper-evident audit log's part of the store interface. Audit events
 * (identity.h: mm_audit_insert, mm_audit_list) are kept in sequence, each
 * with the hash chain value it ends; checkpoints and the cut left by an
 * archive live beside them. Backends implement this behind struct
 * mm_backend; every statement is parameterised.
 *
 * The canonical bytes of an entry (version 1), which its leaf hash and
 * chain value cover, are, integers big-endian:
 *
 *   seq u64 | at i64 | account_id i64 | person_id i64 |
 *   actor | ip | request_id | action | object | result | details
 *
 * where each string is its byte length (u32) followed by its UTF-8 bytes.
 * leaf(e) = SHA-256(0x00 || canonical(e)), the RFC 9162 leaf hash of entry
 * e at index seq - 1 of the Merkle tree; chain(0) = 32 zero bytes and
 * chain(seq) = SHA-256(chain(seq - 1) || leaf(e)).
 *
 * Sequence numbers start at 1 and have no gaps: mm_audit_insert takes the
 * next one from the chain head inside the write, so an entry commits or
 * rolls back with the transaction it is part of. */
#ifndef MM_STORE_AUDITLOG_H
#define MM_STORE_AUDITLOG_H

#include "core/buf.h"
#include "core/merkle.h"
#include "store/identity.h"

#include <stdint.h>

/* The most canonical bytes one entry may have. */
enum { MM_ALOG_CANON_CAP = 1 << 24 };

/* Puts 0x00 followed by the canonical bytes of e into b (reset first). */
void mm_alog_canonical(struct mm_buf *b, const struct mm_audit_event *e);
/* The same bytes appended to b. */
void mm_alog_canonical_add(struct mm_buf *b, const struct mm_audit_event *e);

/* The leaf hash of e; scratch holds the canonical bytes afterwards.
 * MM_ENOMEM when they do not fit. */
int mm_alog_leaf(const struct mm_audit_event *e, struct mm_buf *scratch, uint8_t out[MM_HASH_LEN]);

/* chain(seq) from chain(seq - 1) and the entry's leaf hash. */
void mm_alog_chain(const uint8_t prev[MM_HASH_LEN], const uint8_t leaf[MM_HASH_LEN],
		   uint8_t out[MM_HASH_LEN]);

/* The last entry's seq and chain value: the archive cut's when every entry
 * was archived, seq 0 and zeros for an empty log. */
int mm_alog_head(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN]);

/* Calls fn on the entries from seq from to seq to (0: the last) in order.
 * The event's strings and chain live only during the call. A non-zero
 * return of fn ends the scan and is returned. */
typedef int (*mm_alog_fn)(void *arg, const struct mm_audit_event *e,
			  const uint8_t chain[MM_HASH_LEN]);
int mm_alog_scan(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg);

/* A signed checkpoint of the log's first size entries. */
struct mm_alog_ckpt {
	int64_t size;
	uint8_t root[MM_HASH_LEN];
	int64_t at;	      /* unix seconds, when it was made */
	const char *clock;    /* mm_clock_line at that time */
	const char *note;     /* the C2SP signed note: all a verifier trusts */
	const void *frontier; /* the Merkle frontier at size (for the next one) */
	size_t frontier_len;
};

/* Adds a checkpoint. MM_ECONFLICT when one of the same size exists. */
int mm_alog_ckpt_add(struct mm_conn *c, const struct mm_alog_ckpt *ck);
/* The latest (largest) checkpoint; MM_ENOTFOUND when there is none. */
int mm_alog_ckpt_latest(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out);
/* Every checkpoint, smallest first (strings and bytes from a). */
int mm_alog_ckpt_list(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out, size_t *n);

/* What an archive leaves behind of the entries it removed: their number
 * (the last removed seq), the chain value there and the Merkle frontier of
 * those entries, so the rest still verifies. */
struct mm_alog_cut {
	int64_t size;
	uint8_t chain[MM_HASH_LEN];
	const void *frontier;
	size_t frontier_len;
	int64_t at;
};

/* MM_ENOTFOUND when nothing was ever archived. */
int mm_alog_cut_get(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out);

/* Removes the entries up to seq cut->size and keeps cut in their place.
 * MM_EINVAL when cut->size is not past the current cut or not below the
 * head (the last entry always stays). */
int mm_alog_prune(struct mm_conn *c, const struct mm_alog_cut *cut);

/* A scan split across threads: the caller's connection and up to
 * MM_ALOG_READERS_MAX others, each in a read transaction, all seeing the
 * same log. SQLite here cannot share one snapshot between connections, so
 * mm_alog_readers_open checks it: after every connection has taken its
 * snapshot, each must see the same head (seq and chain value) and the same
 * archive cut. Every change a running mamori makes to the log moves one of
 * them (an append the head, an archive the cut), so equal means the same
 * entries. When they differ it tries again, up to MM_ALOG_READERS_TRIES
 * times, then goes on with the caller's connection alone. */
enum { MM_ALOG_READERS_MAX = 4, MM_ALOG_READERS_TRIES = 3 };

struct mm_alog_readers {
	struct mm_conn *c;			/* the caller's, borrowed */
	struct mm_conn *r[MM_ALOG_READERS_MAX]; /* the others, owned */
	size_t n;				/* others open; 0: c alone */
	bool tx;				/* c's read transaction is ours */
	int64_t head;				/* the last seq all of them see */
	int retries;				/* times the states differed */
	/* For tests: called after c took its snapshot, before the others. */
	void (*between)(void *arg);
	void *between_arg;
};

/* Opens a read transaction on c and want more connections (see above);
 * between and between_arg of g are the caller's, the rest is filled in.
 * When c is already inside a transaction nothing is opened (g->n 0,
 * g->tx false): the caller's transaction is the snapshot. When the others
 * cannot be opened or keep seeing another state, g->n is 0 and c's read
 * transaction stays open. An error only when c itself cannot be read. */
int mm_alog_readers_open(struct mm_conn *c, size_t want, struct mm_alog_readers *g);
/* Closes the others and ends c's read transaction if it is g's. */
void mm_alog_readers_close(struct mm_alog_readers *g);

#endif
