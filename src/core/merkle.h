/* RFC 9162 Merkle tree hashing over SHA-256 (libcrypto): leaf and node
 * hashes, a frontier that grows one leaf at a time and gives the root of
 * the tree so far, inclusion and consistency proofs (§2.1.3, §2.1.4) and
 * their verifiers. Leaf indexes start at 0. */
#ifndef MM_CORE_MERKLE_H
#define MM_CORE_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MM_HASH_LEN = 32, MM_MERKLE_MAX_DEPTH = 64 };

/* SHA-256 of n bytes. */
void mm_sha256(const void *p, size_t n, uint8_t out[MM_HASH_LEN]);

/* SHA-256(0x00 || data): the hash of one leaf. */
void mm_merkle_leaf(const void *data, size_t n, uint8_t out[MM_HASH_LEN]);

/* SHA-256(0x01 || left || right): the hash of an interior node. */
void mm_merkle_node(const uint8_t left[MM_HASH_LEN], const uint8_t right[MM_HASH_LEN],
		    uint8_t out[MM_HASH_LEN]);

/* The roots of the perfect subtrees that make up a tree of size leaves,
 * largest (leftmost) first: one per bit set in size. */
struct mm_merkle_frontier {
	uint64_t size;
	size_t n;
	uint8_t h[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
};

void mm_merkle_frontier_init(struct mm_merkle_frontier *f);
/* Appends one leaf hash. */
void mm_merkle_push(struct mm_merkle_frontier *f, const uint8_t leaf[MM_HASH_LEN]);
/* The tree's root (SHA-256 of nothing when empty). */
void mm_merkle_root(const struct mm_merkle_frontier *f, uint8_t out[MM_HASH_LEN]);
/* Reads a frontier of size leaves from n bytes (popcount(size) hashes);
 * false when n does not fit. */
bool mm_merkle_frontier_load(struct mm_merkle_frontier *f, uint64_t size, const void *p, size_t n);

/* Leaf hashes known for [first, first + n), and optionally the frontier
 * of everything before first (an archived prefix: cut->size == first). */
struct mm_merkle_leaves {
	const uint8_t (*leaf)[MM_HASH_LEN];
	uint64_t first;
	uint64_t n;
	const struct mm_merkle_frontier *cut;
};

/* The hash of the subtree over leaves [lo, hi). False when it needs
 * leaves that are not known. */
bool mm_merkle_range(const struct mm_merkle_leaves *l, uint64_t lo, uint64_t hi,
		     uint8_t out[MM_HASH_LEN]);

/* The audit path of leaf index in the tree of size leaves: at most
 * MM_MERKLE_MAX_DEPTH hashes into proof, their number into *n. False when
 * index >= size or a needed subtree is unknown. */
bool mm_merkle_inclusion_proof(const struct mm_merkle_leaves *l, uint64_t index, uint64_t size,
			       uint8_t proof[][MM_HASH_LEN], size_t *n);
/* The consistency proof between the trees of size m and size leaves
 * (0 < m <= size). False when a needed subtree is unknown. */
bool mm_merkle_consistency_proof(const struct mm_merkle_leaves *l, uint64_t m, uint64_t size,
				 uint8_t proof[][MM_HASH_LEN], size_t *n);

/* Verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2): true when the proof shows
 * the leaf at index in the tree of size with root, or the tree of size1
 * with root1 to be a prefix of the tree of size2 with root2. */
bool mm_merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf[MM_HASH_LEN],
				const uint8_t proof[][MM_HASH_LEN], size_t n,
				const uint8_t root[MM_HASH_LEN]);
bool mm_merkle_consistency_verify(uint64_t size1, uint64_t size2, const uint8_t root1[MM_HASH_LEN],
				  const uint8_t root2[MM_HASH_LEN],
				  const uint8_t proof[][MM_HASH_LEN], size_t n);

#endif
