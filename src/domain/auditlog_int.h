/* Internals shared by the files of the audit log's verify pass:
 *
 *   auditlog.c        verify, checkpoint, status, the tree for proofs; the
 *                     pass over the entries with one reader
 *   auditlog_split.c  the same pass split across several readers
 *   auditarchive.c    archiving, and the archive file's head and tail lines
 *   auditarchive_verify.c  checking an archive file without the database
 *
 * Nothing outside src/domain/auditlog*.c includes this header. */
#ifndef MM_DOMAIN_AUDITLOG_INT_H
#define MM_DOMAIN_AUDITLOG_INT_H

#include "domain/auditlog.h"

/* A signed tree head a verifier trusts: its note verified with the key. */
struct mm_alog_sth {
	int64_t size;
	uint8_t root[MM_HASH_LEN];
};

/* One streaming pass over the entries. */
struct mm_alog_pass {
	struct mm_alog_report *r;
	struct mm_buf canon;
	uint8_t prev[MM_HASH_LEN];
	struct mm_merkle_frontier f;
	int64_t expect;			 /* the next seq */
	const struct mm_alog_sth *heads; /* the signed heads still ahead, smallest first */
	size_t nheads;
	int64_t good;			/* the largest signed size that matched */
	uint8_t (*leaves)[MM_HASH_LEN]; /* when collecting leaf hashes, else NULL */
	int64_t nleaves;
};

/* Records problem p at seq..to in r; returns -1, which ends a scan. */
int mm_alog_pass_fail(struct mm_alog_report *r, enum mm_alog_problem p, int64_t seq, int64_t to);

/* Adds the leaf hash of entry p->expect to the tree and compares the tree
 * with the signed heads of its new size: 0, or -1 with the problem in
 * p->r. */
int mm_alog_pass_leaf(struct mm_alog_pass *p, const uint8_t leaf[MM_HASH_LEN]);

/* Runs the pass from p->expect to seq last with g's connections, one
 * thread each, each checking the chain of every other chunk of entries
 * from the chain value stored before it; this thread adds the leaves to
 * the tree in order. The outcome is the one-reader pass's: -1 with the
 * problem in p->r, an error, or MM_OK. chunk: entries per chunk, at least
 * 1. *ran is false when the threads could not be started; nothing was
 * taken into the pass then. */
int mm_alog_split_scan(struct mm_alog_readers *g, struct mm_alog_pass *p, int64_t last,
		       int64_t chunk, bool *ran);

/* The archive file's first line (no newline): the archived entries
 * first..last, the chain value and the Merkle frontier f before them. */
void mm_alog_archive_head(struct mm_buf *b, int64_t first, int64_t last,
			  const uint8_t chain[MM_HASH_LEN], const struct mm_merkle_frontier *f);
/* Its last line (no newline): the signed checkpoint note that covers the
 * entries and the n hashes of the RFC 9162 consistency proof from their
 * tree to the checkpoint's (none when the sizes are equal). */
void mm_alog_archive_tail(struct mm_buf *b, const char *note, const uint8_t proof[][MM_HASH_LEN],
			  size_t n);

#endif
