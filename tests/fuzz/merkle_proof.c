/* libFuzzer target: Merkle proof verification with fuzzed sizes, indices, hashes and proofs must never
 * crash, hang or accept a proof for a leaf it was not generated for; and for small trees a generated
 * proof must always verify (generation and verification agree).
 *
 * Input: 1 byte mode, three 8-byte big-endian numbers a, b, c, a 32-byte leaf hash, a 32-byte root,
 * then proof hashes of 32 bytes each. */
#include "cairn/merkle.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#define SMALL_TREE 300

/* Generated proofs for a small tree verify, and the same proof fails for another leaf. */
static void round_trip(uint64_t a, uint64_t b, uint64_t c)
{
	static cairn_merkle_hash leaves[SMALL_TREE];
	static int ready;
	if (!ready) {
		for (int i = 0; i < SMALL_TREE; i++) {
			uint8_t byte[2] = {(uint8_t)i, (uint8_t)(i >> 8)};
			cairn_merkle_leaf_hash(byte, sizeof byte, &leaves[i]);
		}
		ready = 1;
	}
	cairn_merkle_leaf_array array = {leaves, SMALL_TREE};
	uint64_t n = 1 + c % SMALL_TREE;
	uint64_t index = a % n, first = 1 + b % n;
	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF], root, old_root;
	size_t count;
	if (cairn_merkle_root_from_leaves(leaves, n, &root) != 0 || cairn_merkle_root_from_leaves(leaves, first, &old_root) != 0)
		__builtin_trap();
	if (cairn_merkle_inclusion_proof(cairn_merkle_array_node, &array, index, n, proof, &count) != 0 ||
	    cairn_merkle_verify_inclusion(index, n, &leaves[index], proof, count, &root) != 0)
		__builtin_trap();
	if (n > 1 && cairn_merkle_verify_inclusion(index, n, &leaves[(index + 1) % n], proof, count, &root) == 0)
		__builtin_trap();
	if (cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, first, n, proof, &count) != 0 ||
	    cairn_merkle_verify_consistency(first, n, proof, count, &old_root, &root) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 + 24 + 64)
		return 0;
	uint8_t mode = data[0];
	uint64_t a = be64(data + 1), b = be64(data + 9), c = be64(data + 17);
	cairn_merkle_hash leaf, root, proof[CAIRN_MERKLE_MAX_PROOF + 8], out;
	memcpy(leaf.bytes, data + 25, 32);
	memcpy(root.bytes, data + 57, 32);
	size_t count = (size - 89) / 32;
	if (count > sizeof proof / sizeof proof[0])
		count = sizeof proof / sizeof proof[0];
	memcpy(proof, data + 89, count * 32);
	switch (mode % 6) {
	case 0: (void)cairn_merkle_verify_inclusion(a, b, &leaf, proof, count, &root); break;
	case 1: (void)cairn_merkle_root_from_inclusion(a, b, &leaf, proof, count, &out); break;
	case 2: (void)cairn_merkle_verify_consistency(a, b, proof, count, &leaf, &root); break;
	case 3: (void)cairn_merkle_verify_subtree_inclusion(a, b, c, &leaf, proof, count, &root); break;
	case 4: (void)cairn_merkle_verify_subtree_consistency(a, b, c, proof, count, &leaf, &root); break;
	default: round_trip(a, b, c); break;
	}
	return 0;
}
