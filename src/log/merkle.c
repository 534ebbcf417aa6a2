/* RFC 6962 / RFC 9162 Merkle trees, with the subtree proofs of draft-ietf-plants-merkle-tree-certs.
 *
 * Verification follows the step-by-step procedures of RFC 9162 sections 2.1.3.2 and 2.1.4.2 and the
 * draft's "Verifying a Subtree Consistency Proof" (which is RFC 9162's consistency check generalised
 * to any subtree). Before hashing anything we walk the same index arithmetic once without hashes to
 * learn how many proof elements the sizes call for, so a proof of the wrong length is refused with a
 * clear message and hostile input never costs more than 65 hash computations.
 *
 * Generation follows the recursive definitions (PATH, PROOF, SUBTREE_SUBPROOF); one recursion serves
 * all three proof kinds, because an inclusion proof for leaf i is the subtree consistency proof of
 * [i, i + 1) and a consistency proof from size m is the one of [0, m). */
#include "cairn/merkle.h"
#include "cairn/error.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/* SHA-256 of the empty string, the empty tree's root (RFC 9162 2.1.1). */
static const uint8_t empty_root[CAIRN_MERKLE_HASH_SIZE] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

int cairn_merkle_hash_from_bytes(cairn_merkle_hash *out, const void *bytes, size_t len, const char *what)
{
	if (len != CAIRN_MERKLE_HASH_SIZE)
		return cairn_error_set(CAIRN_EINVAL, "%s: a Merkle tree hash has %d bytes, not %zu",
				       what ? what : "hash", CAIRN_MERKLE_HASH_SIZE, len);
	memcpy(out->bytes, bytes, CAIRN_MERKLE_HASH_SIZE);
	return 0;
}

int cairn_merkle_hash_equal(const cairn_merkle_hash *a, const cairn_merkle_hash *b)
{
	return memcmp(a->bytes, b->bytes, CAIRN_MERKLE_HASH_SIZE) == 0;
}

void cairn_merkle_empty_root(cairn_merkle_hash *out) { memcpy(out->bytes, empty_root, sizeof empty_root); }

/* SHA-256 fetched once: EVP_sha256() and SHA256() look the algorithm up in the provider on every
 * call, which cost more than hashing the 65 bytes of a node (proofs and tiles hash thousands). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) { sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); }

/* SHA-256 of prefix || data. */
static int prefixed_hash(uint8_t prefix, const void *data, size_t len, cairn_merkle_hash *out)
{
	pthread_once(&sha256_once, fetch_sha256);
	EVP_MD_CTX *md = sha256_md != NULL ? EVP_MD_CTX_new() : NULL;
	int ok = md != NULL && EVP_DigestInit_ex(md, sha256_md, NULL) == 1 && EVP_DigestUpdate(md, &prefix, 1) == 1 &&
		 EVP_DigestUpdate(md, data, len) == 1 && EVP_DigestFinal_ex(md, out->bytes, NULL) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int cairn_merkle_leaf_hash(const void *data, size_t len, cairn_merkle_hash *out)
{
	if (prefixed_hash(0x00, data, len, out) != 0)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "Merkle leaf hash: SHA-256 failed");
	return 0;
}

int cairn_merkle_node_hash(const cairn_merkle_hash *left, const cairn_merkle_hash *right, cairn_merkle_hash *out)
{
	uint8_t input[2 * CAIRN_MERKLE_HASH_SIZE];
	memcpy(input, left->bytes, CAIRN_MERKLE_HASH_SIZE);
	memcpy(input + CAIRN_MERKLE_HASH_SIZE, right->bytes, CAIRN_MERKLE_HASH_SIZE);
	if (prefixed_hash(0x01, input, sizeof input, out) != 0)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "Merkle node hash: SHA-256 failed");
	return 0;
}

int cairn_merkle_subtree_valid(uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	uint64_t width = end - start;
	/* start must be a multiple of BIT_CEIL(width); above 2^63 that power is 2^64, so only start 0. */
	if (width > (UINT64_C(1) << 63))
		return start == 0;
	uint64_t ceil = 1;
	while (ceil < width)
		ceil <<= 1;
	return (start & (ceil - 1)) == 0;
}

/* --- Building hashes from leaves ------------------------------------------------------------------ */

void cairn_merkle_frontier_init(cairn_merkle_frontier *frontier) { memset(frontier, 0, sizeof *frontier); }

int cairn_merkle_frontier_append(cairn_merkle_frontier *frontier, const cairn_merkle_hash *leaf_hash)
{
	if (frontier->size == UINT64_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "Merkle tree: cannot grow past 2^64 - 1 leaves");
	/* Like adding one in binary: each set low bit is a perfect subtree that merges with the carry. */
	cairn_merkle_hash carry = *leaf_hash;
	int level = 0;
	while (frontier->size >> level & 1) {
		int err = cairn_merkle_node_hash(&frontier->nodes[level], &carry, &carry);
		if (err)
			return err;
		level++;
	}
	frontier->nodes[level] = carry;
	frontier->size++;
	return 0;
}

int cairn_merkle_frontier_root(const cairn_merkle_frontier *frontier, cairn_merkle_hash *root)
{
	if (frontier->size == 0) {
		cairn_merkle_empty_root(root);
		return 0;
	}
	/* MTH splits off the largest perfect subtree on the left, so the root folds the perfect subtrees
	 * from the smallest (rightmost) up. */
	int level = __builtin_ctzll(frontier->size);
	cairn_merkle_hash acc = frontier->nodes[level];
	for (level++; level < 64; level++) {
		if (!(frontier->size >> level & 1))
			continue;
		int err = cairn_merkle_node_hash(&frontier->nodes[level], &acc, &acc);
		if (err)
			return err;
	}
	*root = acc;
	return 0;
}

int cairn_merkle_subtree_hash(cairn_merkle_leaf_fn leaf, void *ctx, uint64_t start, uint64_t end,
			      cairn_merkle_hash *out)
{
	if (end < start)
		return cairn_error_set(CAIRN_EINVAL, "Merkle range [%llu, %llu) ends before it starts",
				       (unsigned long long)start, (unsigned long long)end);
	cairn_merkle_frontier frontier;
	cairn_merkle_frontier_init(&frontier);
	for (uint64_t i = start; i < end; i++) {
		cairn_merkle_hash hash;
		int err = leaf(ctx, i, &hash);
		if (!err)
			err = cairn_merkle_frontier_append(&frontier, &hash);
		if (err)
			return err;
	}
	return cairn_merkle_frontier_root(&frontier, out);
}

static int array_leaf(void *ctx, uint64_t index, cairn_merkle_hash *out)
{
	const cairn_merkle_leaf_array *array = ctx;
	if (index >= array->count)
		return cairn_error_set(CAIRN_EINVAL, "Merkle tree: leaf %llu asked of a tree of %llu leaves",
				       (unsigned long long)index, (unsigned long long)array->count);
	*out = array->leaves[index];
	return 0;
}

int cairn_merkle_root_from_leaves(const cairn_merkle_hash *leaves, size_t count, cairn_merkle_hash *out)
{
	cairn_merkle_leaf_array array = {leaves, count};
	return cairn_merkle_subtree_hash(array_leaf, &array, 0, count, out);
}

int cairn_merkle_array_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out)
{
	return cairn_merkle_subtree_hash(array_leaf, ctx, start, end, out);
}

int cairn_merkle_reader_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out)
{
	const cairn_merkle_leaf_reader *reader = ctx;
	return cairn_merkle_subtree_hash(reader->leaf, reader->ctx, start, end, out);
}

int cairn_merkle_perfect_node(cairn_merkle_perfect_fn perfect, void *ctx, uint64_t start, uint64_t end,
			      cairn_merkle_hash *out)
{
	if (!cairn_merkle_subtree_valid(start, end))
		return cairn_error_set(CAIRN_EINVAL, "Merkle range [%llu, %llu) is not a subtree", (unsigned long long)start,
				       (unsigned long long)end);
	/* A subtree's start is aligned to its width rounded up to a power of two, so the width's binary
	 * digits, largest first, are perfect subtrees laid side by side from start; MTH nests them to the
	 * right, so fold from the last one back. */
	cairn_merkle_hash parts[64];
	int count = 0;
	uint64_t width = end - start, pos = start;
	for (int level = 63; level >= 0; level--) {
		if (!(width >> level & 1))
			continue;
		int err = perfect(ctx, (unsigned)level, pos >> level, &parts[count++]);
		if (err)
			return err;
		pos += UINT64_C(1) << level;
	}
	cairn_merkle_hash acc = parts[count - 1];
	for (int i = count - 2; i >= 0; i--) {
		int err = cairn_merkle_node_hash(&parts[i], &acc, &acc);
		if (err)
			return err;
	}
	*out = acc;
	return 0;
}

int cairn_merkle_perfect_reader_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out)
{
	const cairn_merkle_perfect_reader *reader = ctx;
	return cairn_merkle_perfect_node(reader->perfect, reader->ctx, start, end, out);
}

/* --- Generating proofs ---------------------------------------------------------------------------- */

typedef struct proof_writer {
	cairn_merkle_node_fn node;
	void *ctx;
	cairn_merkle_hash *proof;
	size_t count;
} proof_writer;

static int emit(proof_writer *w, uint64_t start, uint64_t end)
{
	if (w->count >= CAIRN_MERKLE_MAX_PROOF)
		return cairn_error_set(CAIRN_EINTERNAL, "Merkle proof longer than %d hashes", CAIRN_MERKLE_MAX_PROOF);
	int err = w->node(w->ctx, start, end, &w->proof[w->count]);
	if (err)
		return err;
	w->count++;
	return 0;
}

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n) { return UINT64_C(1) << (63 - __builtin_clzll(n - 1)); }

/* Appends SUBTREE_SUBPROOF(start, end, D[off:off+n], known): the draft's recursion, where `known`
 * says whether the verifier already holds the hash of [start, end). Needs a subtree with end <= n. */
static int subproof(proof_writer *w, uint64_t off, uint64_t n, uint64_t start, uint64_t end, bool known)
{
	if (start == 0 && end == n)
		return known ? 0 : emit(w, off, off + n);
	uint64_t k = split_point(n);
	int err;
	if (end <= k) /* wholly in the left child: prove it there, then give the right child */
		err = subproof(w, off, k, start, end, known);
	else if (k <= start) /* wholly in the right child */
		err = subproof(w, off + k, n - k, start - k, end - k, known);
	else /* straddles k, so start == 0: the left child is shared, prove the rest on the right */
		err = subproof(w, off + k, n - k, 0, end - k, false);
	if (err)
		return err;
	return end <= k ? emit(w, off + k, off + n) : emit(w, off, off + k);
}

static int generate(cairn_merkle_node_fn node, void *ctx, uint64_t off, uint64_t n, uint64_t start, uint64_t end,
		    cairn_merkle_hash *proof, size_t *count)
{
	proof_writer w = {node, ctx, proof, 0};
	*count = 0;
	int err = subproof(&w, off, n, start, end, true);
	if (!err)
		*count = w.count;
	return err;
}

int cairn_merkle_inclusion_proof(cairn_merkle_node_fn node, void *ctx, uint64_t index, uint64_t size,
				 cairn_merkle_hash *proof, size_t *count)
{
	*count = 0;
	if (index >= size)
		return cairn_error_set(CAIRN_EINVAL, "inclusion proof: leaf index %llu is not below the tree size %llu",
				       (unsigned long long)index, (unsigned long long)size);
	return generate(node, ctx, 0, size, index, index + 1, proof, count);
}

int cairn_merkle_consistency_proof(cairn_merkle_node_fn node, void *ctx, uint64_t size1, uint64_t size2,
				   cairn_merkle_hash *proof, size_t *count)
{
	*count = 0;
	if (size1 == 0 || size1 > size2)
		return cairn_error_set(CAIRN_EINVAL, "consistency proof from tree size %llu to %llu: need 0 < first <= second",
				       (unsigned long long)size1, (unsigned long long)size2);
	return generate(node, ctx, 0, size2, 0, size1, proof, count);
}

int cairn_merkle_subtree_inclusion_proof(cairn_merkle_node_fn node, void *ctx, uint64_t index, uint64_t start,
					 uint64_t end, cairn_merkle_hash *proof, size_t *count)
{
	*count = 0;
	if (!cairn_merkle_subtree_valid(start, end) || index < start || index >= end)
		return cairn_error_set(CAIRN_EINVAL, "subtree inclusion proof: leaf %llu in [%llu, %llu) is not a leaf of a subtree",
				       (unsigned long long)index, (unsigned long long)start, (unsigned long long)end);
	/* A subtree is a Merkle tree of its own; only the offset of its leaves differs. */
	return generate(node, ctx, start, end - start, index - start, index - start + 1, proof, count);
}

int cairn_merkle_subtree_consistency_proof(cairn_merkle_node_fn node, void *ctx, uint64_t start, uint64_t end,
					   uint64_t size, cairn_merkle_hash *proof, size_t *count)
{
	*count = 0;
	if (!cairn_merkle_subtree_valid(start, end) || end > size)
		return cairn_error_set(CAIRN_EINVAL, "subtree consistency proof: [%llu, %llu) is not a subtree of a tree of size %llu",
				       (unsigned long long)start, (unsigned long long)end, (unsigned long long)size);
	return generate(node, ctx, 0, size, start, end, proof, count);
}

/* --- Verifying proofs ----------------------------------------------------------------------------- */

static int verify_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int verify_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cairn_error_setv(CAIRN_EVERIFY, fmt, ap);
	va_end(ap);
	return CAIRN_EVERIFY;
}

/* The RFC 9162 2.1.3.2 walk without the hashing: how many proof elements reach sn == 0. */
static size_t inclusion_length(uint64_t fn, uint64_t sn)
{
	size_t length = 0;
	while (sn != 0) {
		if ((fn & 1) || fn == sn) {
			while (fn != 0 && !(fn & 1)) {
				fn >>= 1;
				sn >>= 1;
			}
		}
		fn >>= 1;
		sn >>= 1;
		length++;
	}
	return length;
}

/* RFC 9162 2.1.3.2 steps 1-5, returning r; `what` names the proof kind in messages. */
static int inclusion_root(uint64_t index, uint64_t size, const cairn_merkle_hash *leaf, const cairn_merkle_hash *proof,
			  size_t count, cairn_merkle_hash *root, const char *what)
{
	if (index >= size)
		return verify_fail("%s: leaf index %llu is not below the tree size %llu", what, (unsigned long long)index,
				   (unsigned long long)size);
	uint64_t fn = index, sn = size - 1;
	size_t want = inclusion_length(fn, sn);
	if (count != want)
		return verify_fail("%s: proof has %zu hashes, but leaf %llu of a tree of %llu needs %zu", what, count,
				   (unsigned long long)index, (unsigned long long)size, want);
	cairn_merkle_hash r = *leaf;
	for (size_t i = 0; i < count; i++) {
		if (sn == 0) /* cannot happen after the length check; kept so the loop stands on its own */
			return verify_fail("%s: proof is too long", what);
		int err;
		if ((fn & 1) || fn == sn) {
			err = cairn_merkle_node_hash(&proof[i], &r, &r);
			while (fn != 0 && !(fn & 1)) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			err = cairn_merkle_node_hash(&r, &proof[i], &r);
		}
		if (err)
			return err;
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return verify_fail("%s: proof is too short", what);
	*root = r;
	return 0;
}

int cairn_merkle_root_from_inclusion(uint64_t index, uint64_t size, const cairn_merkle_hash *leaf,
				     const cairn_merkle_hash *proof, size_t count, cairn_merkle_hash *root)
{
	return inclusion_root(index, size, leaf, proof, count, root, "inclusion proof");
}

int cairn_merkle_verify_inclusion(uint64_t index, uint64_t size, const cairn_merkle_hash *leaf,
				  const cairn_merkle_hash *proof, size_t count, const cairn_merkle_hash *root)
{
	cairn_merkle_hash computed;
	int err = inclusion_root(index, size, leaf, proof, count, &computed, "inclusion proof");
	if (err)
		return err;
	if (!cairn_merkle_hash_equal(&computed, root))
		return verify_fail("inclusion proof: leaf %llu does not lead to the root of the tree of size %llu",
				   (unsigned long long)index, (unsigned long long)size);
	return 0;
}

int cairn_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end, const cairn_merkle_hash *leaf,
					  const cairn_merkle_hash *proof, size_t count,
					  const cairn_merkle_hash *subtree_root)
{
	if (!cairn_merkle_subtree_valid(start, end))
		return verify_fail("subtree inclusion proof: [%llu, %llu) is not a subtree", (unsigned long long)start,
				   (unsigned long long)end);
	if (index < start || index >= end)
		return verify_fail("subtree inclusion proof: leaf %llu is outside [%llu, %llu)", (unsigned long long)index,
				   (unsigned long long)start, (unsigned long long)end);
	cairn_merkle_hash computed;
	int err = inclusion_root(index - start, end - start, leaf, proof, count, &computed, "subtree inclusion proof");
	if (err)
		return err;
	if (!cairn_merkle_hash_equal(&computed, subtree_root))
		return verify_fail("subtree inclusion proof: leaf %llu does not lead to the hash of [%llu, %llu)",
				   (unsigned long long)index, (unsigned long long)start, (unsigned long long)end);
	return 0;
}

/* The draft's consistency walk state: fn, sn, tn are the positions of the subtree's first and last
 * leaf and of the tree's last leaf, shifted up level by level. */
typedef struct walk {
	uint64_t fn, sn, tn;
} walk;

static void walk_up(walk *w)
{
	w->fn >>= 1;
	w->sn >>= 1;
	w->tn >>= 1;
}

/* Steps 2-4 of the draft: climb to the first level where the proof starts. */
static void walk_start(walk *w, uint64_t start, uint64_t end, uint64_t size)
{
	w->fn = start;
	w->sn = end - 1;
	w->tn = size - 1;
	if (w->sn == w->tn) {
		while (w->fn != w->sn)
			walk_up(w);
	} else {
		while (w->fn != w->sn && (w->sn & 1))
			walk_up(w);
	}
}

/* The same walk without hashes: how many proof elements the sizes call for. */
static size_t consistency_length(uint64_t start, uint64_t end, uint64_t size)
{
	walk w;
	walk_start(&w, start, end, size);
	size_t length = w.fn == w.sn ? 0 : 1;
	while (w.tn != 0) {
		if ((w.sn & 1) || w.sn == w.tn) {
			while (!(w.sn & 1))
				walk_up(&w);
		}
		walk_up(&w);
		length++;
	}
	return length;
}

static int subtree_consistency(uint64_t start, uint64_t end, uint64_t size, const cairn_merkle_hash *proof,
			       size_t count, const cairn_merkle_hash *subtree_root, const cairn_merkle_hash *root,
			       const char *what)
{
	size_t want = consistency_length(start, end, size);
	if (count != want)
		return verify_fail("%s: proof has %zu hashes, but [%llu, %llu) in a tree of %llu needs %zu", what, count,
				   (unsigned long long)start, (unsigned long long)end, (unsigned long long)size, want);
	walk w;
	walk_start(&w, start, end, size);
	cairn_merkle_hash fr, sr;
	size_t i = 0;
	if (w.fn == w.sn) {
		fr = sr = *subtree_root;
	} else {
		fr = sr = proof[0]; /* count >= 1 here: the length check counted this seed */
		i = 1;
	}
	for (; i < count; i++) {
		if (w.tn == 0) /* cannot happen after the length check */
			return verify_fail("%s: proof is too long", what);
		int err = 0;
		if ((w.sn & 1) || w.sn == w.tn) {
			if (w.fn < w.sn)
				err = cairn_merkle_node_hash(&proof[i], &fr, &fr);
			if (!err)
				err = cairn_merkle_node_hash(&proof[i], &sr, &sr);
			while (!(w.sn & 1)) /* sn == tn != 0 here, so this ends */
				walk_up(&w);
		} else {
			err = cairn_merkle_node_hash(&sr, &proof[i], &sr);
		}
		if (err)
			return err;
		walk_up(&w);
	}
	if (w.tn != 0)
		return verify_fail("%s: proof is too short", what);
	if (!cairn_merkle_hash_equal(&fr, subtree_root))
		return verify_fail("%s: the proof does not lead to the hash of the tree of size %llu", what,
				   (unsigned long long)end);
	if (!cairn_merkle_hash_equal(&sr, root))
		return verify_fail("%s: the proof does not lead to the root of the tree of size %llu", what,
				   (unsigned long long)size);
	return 0;
}

int cairn_merkle_verify_consistency(uint64_t size1, uint64_t size2, const cairn_merkle_hash *proof, size_t count,
				    const cairn_merkle_hash *root1, const cairn_merkle_hash *root2)
{
	const char *what = "consistency proof";
	if (size1 > size2)
		return verify_fail("%s: the first tree size %llu is larger than the second %llu", what,
				   (unsigned long long)size1, (unsigned long long)size2);
	if (size1 == 0)
		return verify_fail("%s: a proof from the empty tree proves nothing", what);
	return subtree_consistency(0, size1, size2, proof, count, root1, root2, what);
}

int cairn_merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size, const cairn_merkle_hash *proof,
					    size_t count, const cairn_merkle_hash *subtree_root,
					    const cairn_merkle_hash *root)
{
	const char *what = "subtree consistency proof";
	if (end > size)
		return verify_fail("%s: [%llu, %llu) does not fit in a tree of size %llu", what, (unsigned long long)start,
				   (unsigned long long)end, (unsigned long long)size);
	if (start == end) {
		cairn_merkle_hash empty;
		cairn_merkle_empty_root(&empty);
		if (count != 0)
			return verify_fail("%s: an empty range needs an empty proof, not %zu hashes", what, count);
		if (!cairn_merkle_hash_equal(subtree_root, &empty))
			return verify_fail("%s: the hash of an empty range must be the empty root", what);
		return 0;
	}
	if (!cairn_merkle_subtree_valid(start, end))
		return verify_fail("%s: [%llu, %llu) is not a subtree", what, (unsigned long long)start,
				   (unsigned long long)end);
	return subtree_consistency(start, end, size, proof, count, subtree_root, root, what);
}
