/* cairn/merkle.h - RFC 6962 / RFC 9162 Merkle trees: hashes, roots, inclusion and consistency proofs.
 *
 * The tree over leaves d[0..n) is the one of RFC 9162 section 2.1.1: a leaf hashes as
 * SHA-256(0x00 || d), an interior node as SHA-256(0x01 || left || right), and a tree of n > 1 leaves
 * splits at k, the largest power of two smaller than n. The empty tree's hash is SHA-256("").
 *
 * Verification is pure: it takes the proof as an array of 32-byte hashes and allocates nothing.
 * Generation reads the hashes it needs through a callback (cairn_merkle_node_fn), so a storage
 * layer can serve them from wherever it keeps the tree; cairn_merkle_subtree_hash builds such hashes
 * from leaf hashes read by index, and cairn_merkle_array_node serves them from an array in memory.
 *
 * Subtrees follow draft-ietf-plants-merkle-tree-certs (used by C2SP tlog-cosignature): [start, end)
 * is a subtree when start < end and start is a multiple of the smallest power of two >= end - start.
 * A consistency proof from a tree of size m to one of size n is the subtree consistency proof of
 * [0, m); an inclusion proof for leaf i is the subtree consistency proof of [i, i + 1). */
#ifndef CAIRN_MERKLE_H
#define CAIRN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define CAIRN_MERKLE_HASH_SIZE 32
/* No proof in a tree of fewer than 2^64 leaves has more hashes than this (inclusion: 64, consistency:
 * 65); generation writes into an array of this many. */
#define CAIRN_MERKLE_MAX_PROOF 66

typedef struct cairn_merkle_hash {
	uint8_t bytes[CAIRN_MERKLE_HASH_SIZE];
} cairn_merkle_hash;

/* Copies a hash received from outside (a proof element, a root), refusing any length but 32 bytes;
 * `what` names it in the message. */
int cairn_merkle_hash_from_bytes(cairn_merkle_hash *out, const void *bytes, size_t len, const char *what);
/* 1 when the two hashes are equal, 0 when not (hashes in proofs are public: no constant time). */
int cairn_merkle_hash_equal(const cairn_merkle_hash *a, const cairn_merkle_hash *b);

/* SHA-256(""), the root of the empty tree. */
void cairn_merkle_empty_root(cairn_merkle_hash *out);
/* SHA-256(0x00 || data). */
int cairn_merkle_leaf_hash(const void *data, size_t len, cairn_merkle_hash *out);
/* SHA-256(0x01 || left || right); out may alias either input. */
int cairn_merkle_node_hash(const cairn_merkle_hash *left, const cairn_merkle_hash *right, cairn_merkle_hash *out);

/* 1 when [start, end) is a subtree as defined above, 0 when not. */
int cairn_merkle_subtree_valid(uint64_t start, uint64_t end);

/* --- Building hashes from leaves ------------------------------------------------------------------ */

/* Reads the hash of leaf `index` (a storage layer's leaf table, for example). */
typedef int (*cairn_merkle_leaf_fn)(void *ctx, uint64_t index, cairn_merkle_hash *out);
/* Returns MTH(d[start:end]) for a subtree [start, end) of the tree being proven (for end == start + 1,
 * the leaf hash). Proof generation only asks for subtrees (cairn_merkle_subtree_valid holds). */
typedef int (*cairn_merkle_node_fn)(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out);

/* MTH of the leaves [start, end) read one by one through `leaf` (end - start reads, end - start - 1
 * node hashes, constant memory); the empty range gives the empty root. Any range may be asked for. */
int cairn_merkle_subtree_hash(cairn_merkle_leaf_fn leaf, void *ctx, uint64_t start, uint64_t end,
			      cairn_merkle_hash *out);
/* MTH of count leaf hashes held in an array. */
int cairn_merkle_root_from_leaves(const cairn_merkle_hash *leaves, size_t count, cairn_merkle_hash *out);

/* A cairn_merkle_node_fn over leaf hashes in memory: pass it with a cairn_merkle_leaf_array as ctx. */
typedef struct cairn_merkle_leaf_array {
	const cairn_merkle_hash *leaves;
	uint64_t count;
} cairn_merkle_leaf_array;
int cairn_merkle_array_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out);

/* A cairn_merkle_node_fn over leaf hashes read by index: pass it with a cairn_merkle_leaf_reader as ctx.
 * Each subtree costs a read of all its leaves; a store that keeps interior nodes should use
 * cairn_merkle_perfect_node instead. */
typedef struct cairn_merkle_leaf_reader {
	cairn_merkle_leaf_fn leaf;
	void *ctx;
} cairn_merkle_leaf_reader;
int cairn_merkle_reader_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out);

/* Reads the hash of the perfect subtree of 2^level leaves [index << level, (index + 1) << level): the
 * nodes a tile store (C2SP tlog-tiles) keeps; level 0 is the leaf hashes. */
typedef int (*cairn_merkle_perfect_fn)(void *ctx, unsigned level, uint64_t index, cairn_merkle_hash *out);
/* MTH(d[start:end]) of a subtree from at most 64 perfect-subtree reads (one per set bit of end - start).
 * As a cairn_merkle_node_fn: pass cairn_merkle_perfect_reader_node with a cairn_merkle_perfect_reader. */
int cairn_merkle_perfect_node(cairn_merkle_perfect_fn perfect, void *ctx, uint64_t start, uint64_t end,
			      cairn_merkle_hash *out);
typedef struct cairn_merkle_perfect_reader {
	cairn_merkle_perfect_fn perfect;
	void *ctx;
} cairn_merkle_perfect_reader;
int cairn_merkle_perfect_reader_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out);

/* The right edge of a growing tree: the roots of its perfect subtrees, enough to append leaves and
 * compute the root in O(log n) hashes without reading old leaves (what a log's sequencer keeps). */
typedef struct cairn_merkle_frontier {
	uint64_t size;
	cairn_merkle_hash nodes[64]; /* nodes[h] is the perfect subtree of 2^h leaves when bit h of size is set */
} cairn_merkle_frontier;

void cairn_merkle_frontier_init(cairn_merkle_frontier *frontier);
int cairn_merkle_frontier_append(cairn_merkle_frontier *frontier, const cairn_merkle_hash *leaf_hash);
int cairn_merkle_frontier_root(const cairn_merkle_frontier *frontier, cairn_merkle_hash *root);

/* --- Generating proofs ---------------------------------------------------------------------------- */
/* Each writes at most CAIRN_MERKLE_MAX_PROOF hashes into proof (ordered from the leaves up, as RFC 9162
 * and Rekor send them) and their number into *count. Hashes are read through node(ctx, ...). */

/* RFC 9162 2.1.3.1 PATH(index, D[size]); needs index < size. */
int cairn_merkle_inclusion_proof(cairn_merkle_node_fn node, void *ctx, uint64_t index, uint64_t size,
				 cairn_merkle_hash *proof, size_t *count);
/* RFC 9162 2.1.4.1 PROOF(size1, D[size2]); needs 0 < size1 <= size2 (empty when they are equal). */
int cairn_merkle_consistency_proof(cairn_merkle_node_fn node, void *ctx, uint64_t size1, uint64_t size2,
				   cairn_merkle_hash *proof, size_t *count);
/* Inclusion of leaf index in the subtree [start, end). */
int cairn_merkle_subtree_inclusion_proof(cairn_merkle_node_fn node, void *ctx, uint64_t index, uint64_t start,
					 uint64_t end, cairn_merkle_hash *proof, size_t *count);
/* Consistency of the subtree [start, end) with the tree of `size` leaves; needs a subtree and end <= size. */
int cairn_merkle_subtree_consistency_proof(cairn_merkle_node_fn node, void *ctx, uint64_t start, uint64_t end,
					   uint64_t size, cairn_merkle_hash *proof, size_t *count);

/* --- Verifying proofs ----------------------------------------------------------------------------- */
/* Each returns 0 when the proof holds, CAIRN_EVERIFY (with the reason) when it does not, including
 * indices or sizes out of range and proofs of the wrong length. */

/* RFC 9162 2.1.3.2: leaf `index` with hash leaf is in the tree of `size` leaves with hash root. */
int cairn_merkle_verify_inclusion(uint64_t index, uint64_t size, const cairn_merkle_hash *leaf,
				  const cairn_merkle_hash *proof, size_t count, const cairn_merkle_hash *root);
/* The root an inclusion proof leads to (the same checks, without the final comparison). */
int cairn_merkle_root_from_inclusion(uint64_t index, uint64_t size, const cairn_merkle_hash *leaf,
				     const cairn_merkle_hash *proof, size_t count, cairn_merkle_hash *root);
/* RFC 9162 2.1.4.2: the tree of size2 leaves (root2) extends the one of size1 leaves (root1). Equal
 * sizes need an empty proof and equal roots; size1 == 0 is refused (nothing to prove). */
int cairn_merkle_verify_consistency(uint64_t size1, uint64_t size2, const cairn_merkle_hash *proof, size_t count,
				    const cairn_merkle_hash *root1, const cairn_merkle_hash *root2);
/* Leaf index (hash leaf) is in the subtree [start, end) whose hash is subtree_root. */
int cairn_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end, const cairn_merkle_hash *leaf,
					  const cairn_merkle_hash *proof, size_t count,
					  const cairn_merkle_hash *subtree_root);
/* The subtree [start, end) with hash subtree_root is part of the tree of `size` leaves with hash root.
 * An empty range [s, s) with s <= size is accepted with an empty proof when subtree_root is the empty
 * root (it holds no leaves, so there is nothing to prove), as transparency-dev's verifier does. */
int cairn_merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size, const cairn_merkle_hash *proof,
					    size_t count, const cairn_merkle_hash *subtree_root,
					    const cairn_merkle_hash *root);

#endif
