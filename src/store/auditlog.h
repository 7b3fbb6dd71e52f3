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

#endif
