/* RFC 9162 Merkle trees over SHA-256, hashed with libcrypto.
 *
 * The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP,
 * but EVP fetches the algorithm on every one-shot call, which costs more than
 * hashing the ~200 bytes of an entry; SHA256_* run the same SHA-NI code
 * without that. Hence the one suppressed deprecation here. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/merkle.h"

#include <openssl/sha.h>
#include <string.h>

void mm_sha256(const void *p, size_t n, uint8_t out[MM_HASH_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, p, n);
	SHA256_Final(out, &c);
}

void mm_merkle_leaf(const void *data, size_t n, uint8_t out[MM_HASH_LEN])
{
	static const uint8_t zero = 0x00;
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, &zero, 1);
	SHA256_Update(&c, data, n);
	SHA256_Final(out, &c);
}

void mm_merkle_node(const uint8_t left[MM_HASH_LEN], const uint8_t right[MM_HASH_LEN],
		    uint8_t out[MM_HASH_LEN])
{
	uint8_t in[1 + 2 * MM_HASH_LEN];

	in[0] = 0x01;
	memcpy(in + 1, left, MM_HASH_LEN);
	memcpy(in + 1 + MM_HASH_LEN, right, MM_HASH_LEN);
	mm_sha256(in, sizeof(in), out);
}

void mm_merkle_frontier_init(struct mm_merkle_frontier *f)
{
	f->size = 0;
	f->n = 0;
}

void mm_merkle_push(struct mm_merkle_frontier *f, const uint8_t leaf[MM_HASH_LEN])
{
	uint8_t h[MM_HASH_LEN];
	uint64_t s = f->size;

	memcpy(h, leaf, MM_HASH_LEN);
	/* Each low set bit of the size is a subtree of the same height as
	 * the one being carried: merge them. */
	while (s & 1) {
		f->n--;
		mm_merkle_node(f->h[f->n], h, h);
		s >>= 1;
	}
	memcpy(f->h[f->n++], h, MM_HASH_LEN);
	f->size++;
}

void mm_merkle_root(const struct mm_merkle_frontier *f, uint8_t out[MM_HASH_LEN])
{
	uint8_t r[MM_HASH_LEN];

	if (f->n == 0) {
		mm_sha256("", 0, out);
		return;
	}
	memcpy(r, f->h[f->n - 1], MM_HASH_LEN);
	for (size_t i = f->n - 1; i-- > 0;)
		mm_merkle_node(f->h[i], r, r);
	memcpy(out, r, MM_HASH_LEN);
}

bool mm_merkle_frontier_load(struct mm_merkle_frontier *f, uint64_t size, const void *p, size_t n)
{
	size_t k = (size_t)__builtin_popcountll(size);

	if (n != k * MM_HASH_LEN)
		return false;
	f->size = size;
	f->n = k;
	if (n)
		memcpy(f->h, p, n);
	return true;
}

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* Which frontier subtree [lo, hi) is: its index, -1 when it is none, -2
 * when it lies strictly inside one (its hash is lost). */
static int frontier_block(const struct mm_merkle_frontier *f, uint64_t lo, uint64_t hi)
{
	uint64_t start = 0;
	size_t i = 0;

	for (int bit = 63; bit >= 0; bit--) {
		uint64_t len = (uint64_t)1 << bit;

		if (!(f->size & len))
			continue;
		if (lo == start && hi == start + len)
			return (int)i;
		if (lo >= start && hi <= start + len)
			return -2;
		start += len;
		i++;
	}
	return -1;
}

bool mm_merkle_range(const struct mm_merkle_leaves *l, uint64_t lo, uint64_t hi,
		     uint8_t out[MM_HASH_LEN])
{
	uint8_t a[MM_HASH_LEN], b[MM_HASH_LEN];
	uint64_t k;

	if (hi <= lo)
		return false;
	if (l->cut && hi <= l->cut->size) {
		int i = frontier_block(l->cut, lo, hi);

		if (i == -2)
			return false;
		if (i >= 0) {
			memcpy(out, l->cut->h[i], MM_HASH_LEN);
			return true;
		}
	}
	if (hi - lo == 1) {
		if (lo < l->first || lo - l->first >= l->n)
			return false;
		memcpy(out, l->leaf[lo - l->first], MM_HASH_LEN);
		return true;
	}
	k = split(hi - lo);
	if (!mm_merkle_range(l, lo, lo + k, a) || !mm_merkle_range(l, lo + k, hi, b))
		return false;
	mm_merkle_node(a, b, out);
	return true;
}

/* PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, appended to proof. */
static bool path(const struct mm_merkle_leaves *l, uint64_t m, uint64_t lo, uint64_t hi,
		 uint8_t proof[][MM_HASH_LEN], size_t *n)
{
	uint64_t k;
	bool ok;

	if (hi - lo == 1)
		return true;
	if (*n >= MM_MERKLE_MAX_DEPTH)
		return false;
	k = split(hi - lo);
	if (m < k)
		ok = path(l, m, lo, lo + k, proof, n) && mm_merkle_range(l, lo + k, hi, proof[*n]);
	else
		ok = path(l, m - k, lo + k, hi, proof, n) &&
		     mm_merkle_range(l, lo, lo + k, proof[*n]);
	if (ok)
		(*n)++;
	return ok;
}

bool mm_merkle_inclusion_proof(const struct mm_merkle_leaves *l, uint64_t index, uint64_t size,
			       uint8_t proof[][MM_HASH_LEN], size_t *n)
{
	*n = 0;
	if (index >= size)
		return false;
	return path(l, index, 0, size, proof, n);
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1, appended to proof. */
static bool subproof(const struct mm_merkle_leaves *l, uint64_t m, uint64_t lo, uint64_t hi,
		     bool whole, uint8_t proof[][MM_HASH_LEN], size_t *n)
{
	uint64_t k;
	bool ok;

	if (*n >= MM_MERKLE_MAX_DEPTH)
		return false;
	if (m == hi - lo) {
		if (whole)
			return true;
		ok = mm_merkle_range(l, lo, hi, proof[*n]);
	} else {
		k = split(hi - lo);
		if (m <= k)
			ok = subproof(l, m, lo, lo + k, whole, proof, n) &&
			     mm_merkle_range(l, lo + k, hi, proof[*n]);
		else
			ok = subproof(l, m - k, lo + k, hi, false, proof, n) &&
			     mm_merkle_range(l, lo, lo + k, proof[*n]);
	}
	if (ok)
		(*n)++;
	return ok;
}

bool mm_merkle_consistency_proof(const struct mm_merkle_leaves *l, uint64_t m, uint64_t size,
				 uint8_t proof[][MM_HASH_LEN], size_t *n)
{
	*n = 0;
	if (m == 0 || m > size)
		return false;
	return subproof(l, m, 0, size, true, proof, n);
}

bool mm_merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf[MM_HASH_LEN],
				const uint8_t proof[][MM_HASH_LEN], size_t n,
				const uint8_t root[MM_HASH_LEN])
{
	uint64_t fn = index, sn;
	uint8_t r[MM_HASH_LEN];

	if (index >= size)
		return false;
	sn = size - 1;
	memcpy(r, leaf, MM_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			mm_merkle_node(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mm_merkle_node(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, MM_HASH_LEN) == 0;
}

bool mm_merkle_consistency_verify(uint64_t size1, uint64_t size2, const uint8_t root1[MM_HASH_LEN],
				  const uint8_t root2[MM_HASH_LEN],
				  const uint8_t proof[][MM_HASH_LEN], size_t n)
{
	uint8_t fr[MM_HASH_LEN], sr[MM_HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	if (size1 == 0 || size1 > size2)
		return false;
	if (size1 == size2)
		return n == 0 && memcmp(root1, root2, MM_HASH_LEN) == 0;
	if (n == 0)
		return false;
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* A power-of-two first tree is its own first node: RFC 9162 prepends
	 * root1 to the path. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, MM_HASH_LEN);
	} else {
		memcpy(fr, proof[0], MM_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MM_HASH_LEN);
	for (; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			mm_merkle_node(proof[i], fr, fr);
			mm_merkle_node(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mm_merkle_node(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, root1, MM_HASH_LEN) == 0 &&
	       memcmp(sr, root2, MM_HASH_LEN) == 0;
}
