/* Unit tests of the Merkle tree: RFC 6962 vectors, transparency-dev's Merkle probes (every file, the
 * ones that must fail included), the accumulated subtree vectors of draft-ietf-plants-merkle-tree-certs,
 * and generated proofs checked against the verifier with every byte tampered. */
#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/merkle.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static json_t *load_json(const char *path, cairn_buf *text)
{
	cairn_buf_clear(text);
	cr_assert_eq(cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, text), 0, "%s: %s", path, cairn_error_message());
	json_error_t error;
	/* Some probes hold indices above 2^63, which jansson cannot hold as integers: numbers are read as
	 * reals here and the integers are taken from the text by field_u64. */
	json_t *root = json_loadb((const char *)text->data, text->len, JSON_DECODE_INT_AS_REAL, &error);
	cr_assert_not_null(root, "%s: %s", path, error.text);
	return root;
}

static void hex_to_hash(const char *hex, cairn_merkle_hash *out)
{
	cairn_buf buf = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_hex_decode(&buf, hex, strlen(hex)), 0);
	cr_assert_eq(cairn_merkle_hash_from_bytes(out, buf.data, buf.len, "vector"), 0);
	cairn_buf_free(&buf);
}

static void hash_to_hex(const cairn_merkle_hash *hash, char out[65])
{
	cairn_buf buf = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_hex_encode(&buf, hash->bytes, sizeof hash->bytes), 0);
	memcpy(out, buf.data, 65);
	cairn_buf_free(&buf);
}

/* --- RFC 6962 vectors ----------------------------------------------------------------------------- */

typedef struct rfc_vectors {
	cairn_buf text;
	json_t *root;
	cairn_merkle_hash leaves[8];
} rfc_vectors;

static void rfc_load(rfc_vectors *v)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tlog/rfc6962-vectors.json", test_corpus());
	cairn_buf_init(&v->text);
	v->root = load_json(path, &v->text);
	json_t *leaves = json_object_get(v->root, "leaves_hex");
	json_t *hashes = json_object_get(v->root, "leaf_hashes");
	cr_assert_eq(json_array_size(leaves), 8);
	for (size_t i = 0; i < 8; i++) {
		cairn_buf data = CAIRN_BUF_INIT;
		const char *hex = json_string_value(json_array_get(leaves, i));
		cr_assert_eq(cairn_hex_decode(&data, hex, strlen(hex)), 0);
		cr_assert_eq(cairn_merkle_leaf_hash(data.data ? data.data : (const uint8_t *)"", data.len, &v->leaves[i]), 0);
		cairn_merkle_hash want;
		hex_to_hash(json_string_value(json_array_get(hashes, i)), &want);
		cr_assert(cairn_merkle_hash_equal(&v->leaves[i], &want), "leaf hash %zu", i);
		cairn_buf_free(&data);
	}
}

static void rfc_free(rfc_vectors *v)
{
	json_decref(v->root);
	cairn_buf_free(&v->text);
}

static void proof_from_hex(json_t *array, cairn_merkle_hash *proof, size_t *count)
{
	*count = json_array_size(array);
	cr_assert(*count <= CAIRN_MERKLE_MAX_PROOF);
	for (size_t i = 0; i < *count; i++)
		hex_to_hash(json_string_value(json_array_get(array, i)), &proof[i]);
}

Test(merkle, rfc6962_hasher_and_roots)
{
	rfc_vectors v;
	rfc_load(&v);
	cairn_merkle_hash hash, want;
	cr_assert_eq(cairn_merkle_leaf_hash("L123456", 7, &hash), 0);
	hex_to_hash(json_string_value(json_object_get(json_object_get(v.root, "hasher_kats"), "leaf(4C313233343536)")), &want);
	cr_assert(cairn_merkle_hash_equal(&hash, &want));
	/* Node hashing is checked through the roots below (the corpus's node KAT uses 4-byte children,
	 * which cairn's 32-byte hash type cannot express). */
	cairn_merkle_empty_root(&hash);
	hex_to_hash(json_string_value(json_object_get(v.root, "empty_root")), &want);
	cr_assert(cairn_merkle_hash_equal(&hash, &want));
	cr_assert_eq(cairn_merkle_root_from_leaves(v.leaves, 0, &hash), 0);
	cr_assert(cairn_merkle_hash_equal(&hash, &want));

	json_t *roots = json_object_get(v.root, "roots_by_size");
	cairn_merkle_frontier frontier;
	cairn_merkle_frontier_init(&frontier);
	for (size_t n = 1; n <= 8; n++) {
		char key[8];
		snprintf(key, sizeof key, "%zu", n);
		hex_to_hash(json_string_value(json_object_get(roots, key)), &want);
		cr_assert_eq(cairn_merkle_root_from_leaves(v.leaves, n, &hash), 0);
		cr_assert(cairn_merkle_hash_equal(&hash, &want), "root of %zu leaves", n);
		cr_assert_eq(cairn_merkle_frontier_append(&frontier, &v.leaves[n - 1]), 0);
		cr_assert_eq(cairn_merkle_frontier_root(&frontier, &hash), 0);
		cr_assert(cairn_merkle_hash_equal(&hash, &want), "frontier root of %zu leaves", n);
	}
	rfc_free(&v);
}

Test(merkle, rfc6962_inclusion_proofs)
{
	rfc_vectors v;
	rfc_load(&v);
	json_t *cases = json_object_get(v.root, "inclusion");
	json_t *roots = json_object_get(v.root, "roots_by_size");
	cr_assert_gt(json_array_size(cases), 0);
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		uint64_t index = (uint64_t)json_number_value(json_object_get(c, "leaf_index"));
		uint64_t size = (uint64_t)json_number_value(json_object_get(c, "tree_size"));
		cairn_merkle_hash want[CAIRN_MERKLE_MAX_PROOF], got[CAIRN_MERKLE_MAX_PROOF], root;
		size_t want_count, got_count;
		proof_from_hex(json_object_get(c, "proof"), want, &want_count);
		char key[8];
		snprintf(key, sizeof key, "%llu", (unsigned long long)size);
		hex_to_hash(json_string_value(json_object_get(roots, key)), &root);

		cairn_merkle_leaf_array array = {v.leaves, size};
		cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_array_node, &array, index, size, got, &got_count), 0);
		cr_assert_eq(got_count, want_count, "leaf %llu of %llu", (unsigned long long)index, (unsigned long long)size);
		cr_assert_eq(memcmp(got, want, want_count * sizeof want[0]), 0);
		cr_assert_eq(cairn_merkle_verify_inclusion(index, size, &v.leaves[index], want, want_count, &root), 0, "%s",
			     cairn_error_message());
		/* The proof for one leaf does not prove its neighbour. */
		uint64_t other = index ^ 1;
		if (other < size)
			cr_assert_eq(cairn_merkle_verify_inclusion(other, size, &v.leaves[index], want, want_count, &root),
				     CAIRN_EVERIFY);
	}
	rfc_free(&v);
}

Test(merkle, rfc6962_consistency_proofs)
{
	rfc_vectors v;
	rfc_load(&v);
	json_t *cases = json_object_get(v.root, "consistency");
	json_t *roots = json_object_get(v.root, "roots_by_size");
	cr_assert_eq(json_array_size(cases), 36); /* every 1 <= size1 <= size2 <= 8 */
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		uint64_t size1 = (uint64_t)json_number_value(json_object_get(c, "size1"));
		uint64_t size2 = (uint64_t)json_number_value(json_object_get(c, "size2"));
		cairn_merkle_hash want[CAIRN_MERKLE_MAX_PROOF], got[CAIRN_MERKLE_MAX_PROOF], root1, root2;
		size_t want_count, got_count;
		proof_from_hex(json_object_get(c, "proof"), want, &want_count);
		char key[8];
		snprintf(key, sizeof key, "%llu", (unsigned long long)size1);
		hex_to_hash(json_string_value(json_object_get(roots, key)), &root1);
		snprintf(key, sizeof key, "%llu", (unsigned long long)size2);
		hex_to_hash(json_string_value(json_object_get(roots, key)), &root2);

		cairn_merkle_leaf_array array = {v.leaves, size2};
		cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, size1, size2, got, &got_count), 0);
		cr_assert_eq(got_count, want_count, "%llu -> %llu", (unsigned long long)size1, (unsigned long long)size2);
		cr_assert_eq(memcmp(got, want, want_count * sizeof want[0]), 0);
		cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, want, want_count, &root1, &root2), 0, "%s",
			     cairn_error_message());
		if (size1 != size2) /* swapping the roots must fail */
			cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, want, want_count, &root2, &root1), CAIRN_EVERIFY);
	}
	rfc_free(&v);
}

/* --- transparency-dev probes ---------------------------------------------------------------------- */

/* The unsigned integer after "key": in the probe's text (jansson holds at most 2^63 - 1). */
static uint64_t field_u64(const cairn_buf *text, const char *key)
{
	char pattern[64];
	snprintf(pattern, sizeof pattern, "\"%s\":", key);
	const char *at = strstr((const char *)text->data, pattern);
	cr_assert_not_null(at, "no field %s", key);
	at += strlen(pattern);
	while (*at == ' ')
		at++;
	char *end;
	unsigned long long value = strtoull(at, &end, 10);
	cr_assert(end != at, "field %s is not a number", key);
	return value;
}

/* Decodes a base64 hash of a probe. Some probes put the 12-byte text "don't care 1" where the value
 * is irrelevant; cairn's hashes are 32 bytes by type, so such a placeholder becomes SHA-256 of itself,
 * which keeps two placeholders equal or different as they were. Any other wrong length is refused by
 * cairn_merkle_hash_from_bytes, which is how a wire parser would refuse it. */
static int probe_hash(json_t *value, cairn_merkle_hash *out)
{
	const char *text = json_string_value(value);
	cr_assert_not_null(text);
	cairn_buf raw = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_decode(&raw, text, strlen(text), CAIRN_BASE64_STD, "probe"), 0);
	int err;
	if (raw.len == 12 && memcmp(raw.data, "don't care", 10) == 0) {
		cairn_digest d;
		cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, raw.data, raw.len, &d), 0);
		err = cairn_merkle_hash_from_bytes(out, d.bytes, d.len, "placeholder");
	} else {
		err = cairn_merkle_hash_from_bytes(out, raw.data ? raw.data : (const uint8_t *)"", raw.len, "probe hash");
	}
	cairn_buf_free(&raw);
	return err;
}

static int probe_proof(json_t *array, cairn_merkle_hash *proof, size_t *count)
{
	*count = 0;
	if (json_is_null(array))
		return 0;
	cr_assert(json_is_array(array));
	if (json_array_size(array) > CAIRN_MERKLE_MAX_PROOF)
		return CAIRN_ETOOBIG;
	for (size_t i = 0; i < json_array_size(array); i++) {
		int err = probe_hash(json_array_get(array, i), &proof[i]);
		if (err)
			return err;
	}
	*count = json_array_size(array);
	return 0;
}

/* Runs one probe file; returns the verifier's result (or the decoding error). */
static int run_probe(const char *kind, json_t *p, const cairn_buf *text)
{
	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF], a, b;
	size_t count;
	int err = probe_proof(json_object_get(p, "proof"), proof, &count);
	if (strcmp(kind, "inclusion") == 0 || strcmp(kind, "subtreeinclusion") == 0) {
		if (!err)
			err = probe_hash(json_object_get(p, "leafHash"), &a);
		if (!err)
			err = probe_hash(json_object_get(p, "root"), &b);
		if (err)
			return err;
		if (kind[0] == 'i')
			return cairn_merkle_verify_inclusion(field_u64(text, "leafIdx"), field_u64(text, "treeSize"), &a, proof,
							     count, &b);
		return cairn_merkle_verify_subtree_inclusion(field_u64(text, "leafIdx"), field_u64(text, "start"),
							     field_u64(text, "end"), &a, proof, count, &b);
	}
	if (!err)
		err = probe_hash(json_object_get(p, "root1"), &a);
	if (!err)
		err = probe_hash(json_object_get(p, "root2"), &b);
	if (err)
		return err;
	if (strcmp(kind, "consistency") == 0)
		return cairn_merkle_verify_consistency(field_u64(text, "size1"), field_u64(text, "size2"), proof, count, &a,
						       &b);
	return cairn_merkle_verify_subtree_consistency(field_u64(text, "start"), field_u64(text, "end"),
						       field_u64(text, "size"), proof, count, &a, &b);
}

typedef struct probe_stats {
	size_t files, must_fail, happy;
} probe_stats;

static void run_probe_dir(const char *kind, const char *dir, probe_stats *stats)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	struct dirent *entry;
	cairn_buf text = CAIRN_BUF_INIT;
	while ((entry = readdir(d)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
		struct stat st;
		cr_assert_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			run_probe_dir(kind, path, stats);
			continue;
		}
		size_t len = strlen(entry->d_name);
		if (len < 5 || strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		json_t *p = load_json(path, &text);
		int want_error = json_is_true(json_object_get(p, "wantErr"));
		cairn_error_clear();
		int err = run_probe(kind, p, &text);
		if (want_error) {
			cr_expect_neq(err, 0, "%s: must fail but verified", path);
			cr_expect_neq(cairn_error_message()[0], '\0', "%s: failed without a reason", path);
			stats->must_fail++;
		} else {
			cr_expect_eq(err, 0, "%s: must verify: %s", path, cairn_error_message());
			stats->happy++;
		}
		stats->files++;
		json_decref(p);
	}
	cairn_buf_free(&text);
	closedir(d);
}

Test(merkle, transparency_dev_probes)
{
	static const char *const kinds[] = {"inclusion", "consistency", "subtreeinclusion", "subtreeconsistency"};
	probe_stats total = {0, 0, 0};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/tlog/merkle-probes/%s", test_corpus(), kinds[i]);
		probe_stats stats = {0, 0, 0};
		run_probe_dir(kinds[i], dir, &stats);
		cr_assert_gt(stats.happy, 0, "%s: no happy-path probe found", kinds[i]);
		cr_assert_gt(stats.must_fail, 0, "%s: no failing probe found", kinds[i]);
		total.files += stats.files;
		total.must_fail += stats.must_fail;
		total.happy += stats.happy;
	}
	cr_assert_eq(total.files, 518, "the corpus README promises 518 probe files, found %zu", total.files);
}

/* --- draft-ietf-plants-merkle-tree-certs accumulated subtree vectors -------------------------------- */
/* For the tree of 130 leaves d[i] = byte i, every subtree hash, subtree inclusion proof and subtree
 * consistency proof is written as a line into one rolling SHA-256; the expected digests are the ones
 * transparency-dev/merkle's testonly/vectors_test.go (commit 417fb0c) checks, reproducing the draft's
 * "Subtree Test Vectors" appendix. Empty ranges [s, s) appear with the empty root and no proof. */

#define VECTOR_MAX 130

typedef struct vector_tree {
	cairn_merkle_hash leaves[VECTOR_MAX];
	cairn_digest_ctx *rolling;
} vector_tree;

static void vector_tree_init(vector_tree *t)
{
	for (int i = 0; i < VECTOR_MAX; i++) {
		uint8_t byte = (uint8_t)i;
		cr_assert_eq(cairn_merkle_leaf_hash(&byte, 1, &t->leaves[i]), 0);
	}
	cr_assert_eq(cairn_digest_ctx_new(&t->rolling, CAIRN_DIGEST_SHA256), 0);
}

static void vector_line(vector_tree *t, const char *prefix, const cairn_merkle_hash *hashes, size_t count)
{
	cr_assert_eq(cairn_digest_update(t->rolling, prefix, strlen(prefix)), 0);
	for (size_t i = 0; i < count; i++) {
		char hex[65];
		hash_to_hex(&hashes[i], hex);
		cr_assert_eq(cairn_digest_update(t->rolling, " ", 1), 0);
		cr_assert_eq(cairn_digest_update(t->rolling, hex, 64), 0);
	}
	cr_assert_eq(cairn_digest_update(t->rolling, "\n", 1), 0);
}

static void vector_check(vector_tree *t, const char *want)
{
	cairn_digest d;
	cr_assert_eq(cairn_digest_final(t->rolling, &d), 0);
	cairn_digest_ctx_free(t->rolling);
	cairn_buf hex = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_digest_hex(&d, &hex), 0);
	cr_assert_str_eq(cairn_buf_cstr(&hex), want);
	cairn_buf_free(&hex);
}

/* Go's isSubtreeValid, which also admits empty ranges. */
static int vector_range(uint64_t start, uint64_t end) { return start == end || cairn_merkle_subtree_valid(start, end); }

Test(merkle, subtree_hash_vectors)
{
	vector_tree t;
	vector_tree_init(&t);
	cairn_merkle_leaf_array array = {t.leaves, VECTOR_MAX};
	for (uint64_t end = 0; end <= VECTOR_MAX; end++)
		for (uint64_t start = 0; start <= end; start++) {
			if (!vector_range(start, end))
				continue;
			cairn_merkle_hash hash;
			cr_assert_eq(cairn_merkle_array_node(&array, start, end, &hash), 0);
			char prefix[64];
			snprintf(prefix, sizeof prefix, "[%llu, %llu)", (unsigned long long)start, (unsigned long long)end);
			vector_line(&t, prefix, &hash, 1);
		}
	vector_check(&t, "b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81");
}

Test(merkle, subtree_inclusion_vectors)
{
	vector_tree t;
	vector_tree_init(&t);
	cairn_merkle_leaf_array array = {t.leaves, VECTOR_MAX};
	for (uint64_t end = 0; end <= VECTOR_MAX; end++)
		for (uint64_t start = 0; start <= end; start++) {
			if (!vector_range(start, end))
				continue;
			cairn_merkle_hash root;
			cr_assert_eq(cairn_merkle_array_node(&array, start, end, &root), 0);
			for (uint64_t index = start; index < end; index++) {
				cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF];
				size_t count;
				cr_assert_eq(cairn_merkle_subtree_inclusion_proof(cairn_merkle_array_node, &array, index, start, end,
										  proof, &count),
					     0, "%s", cairn_error_message());
				cr_assert_eq(cairn_merkle_verify_subtree_inclusion(index, start, end, &t.leaves[index], proof, count,
										   &root),
					     0, "%s", cairn_error_message());
				char prefix[96];
				snprintf(prefix, sizeof prefix, "%llu [%llu, %llu)", (unsigned long long)index,
					 (unsigned long long)start, (unsigned long long)end);
				vector_line(&t, prefix, proof, count);
			}
		}
	vector_check(&t, "ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f");
}

Test(merkle, subtree_consistency_vectors)
{
	vector_tree t;
	vector_tree_init(&t);
	cairn_merkle_leaf_array array = {t.leaves, VECTOR_MAX};
	cairn_merkle_frontier frontier;
	cairn_merkle_frontier_init(&frontier);
	for (uint64_t n = 0; n <= VECTOR_MAX; n++) {
		cairn_merkle_hash root;
		cr_assert_eq(cairn_merkle_frontier_root(&frontier, &root), 0);
		for (uint64_t end = 0; end <= n; end++)
			for (uint64_t start = 0; start <= end; start++) {
				if (!vector_range(start, end))
					continue;
				cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF], sub;
				size_t count = 0;
				if (start != end)
					cr_assert_eq(cairn_merkle_subtree_consistency_proof(cairn_merkle_array_node, &array, start,
											    end, n, proof, &count),
						     0, "%s", cairn_error_message());
				cr_assert_eq(cairn_merkle_array_node(&array, start, end, &sub), 0);
				cr_assert_eq(cairn_merkle_verify_subtree_consistency(start, end, n, proof, count, &sub, &root), 0,
					     "[%llu, %llu) %llu: %s", (unsigned long long)start, (unsigned long long)end,
					     (unsigned long long)n, cairn_error_message());
				char prefix[96];
				snprintf(prefix, sizeof prefix, "[%llu, %llu) %llu", (unsigned long long)start,
					 (unsigned long long)end, (unsigned long long)n);
				vector_line(&t, prefix, proof, count);
			}
		if (n < VECTOR_MAX)
			cr_assert_eq(cairn_merkle_frontier_append(&frontier, &t.leaves[n]), 0);
	}
	vector_check(&t, "10fa99b37bf9bf9ffa26b412fbd98bd75363256d0b75d61bc4538b9c9c5a0a74");
}

/* --- generated proofs ----------------------------------------------------------------------------- */

#define GEN_MAX 64

static void gen_leaves(cairn_merkle_hash *leaves, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		char data[32];
		int len = snprintf(data, sizeof data, "leaf %zu", i);
		cr_assert_eq(cairn_merkle_leaf_hash(data, (size_t)len, &leaves[i]), 0);
	}
}

/* Flipping any bit of any proof hash, dropping or adding a hash must all fail. */
static void expect_tampered_inclusion_fails(uint64_t index, uint64_t size, const cairn_merkle_hash *leaf,
					    cairn_merkle_hash *proof, size_t count, const cairn_merkle_hash *root)
{
	for (size_t i = 0; i < count; i++)
		for (size_t byte = 0; byte < CAIRN_MERKLE_HASH_SIZE; byte++) {
			proof[i].bytes[byte] ^= 0x01;
			cr_assert_eq(cairn_merkle_verify_inclusion(index, size, leaf, proof, count, root), CAIRN_EVERIFY);
			proof[i].bytes[byte] ^= 0x01;
		}
	if (count > 0)
		cr_assert_eq(cairn_merkle_verify_inclusion(index, size, leaf, proof, count - 1, root), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_inclusion(index, size, leaf, proof, count + 1, root), CAIRN_EVERIFY);
	/* (The same proof for another tree size may still verify when the path hashes the same way, e.g.
	 * leaf 0 of sizes 3 and 4: RFC 6962 does not bind the size into the hashes; the root does.) */
}

Test(merkle, generated_inclusion_proofs_verify_and_tampering_fails)
{
	cairn_merkle_hash leaves[GEN_MAX + 1];
	gen_leaves(leaves, GEN_MAX + 1);
	cairn_merkle_leaf_array array = {leaves, GEN_MAX + 1};
	for (uint64_t size = 1; size <= GEN_MAX; size++) {
		cairn_merkle_hash root;
		cr_assert_eq(cairn_merkle_root_from_leaves(leaves, size, &root), 0);
		for (uint64_t index = 0; index < size; index++) {
			cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF + 1], computed;
			size_t count;
			cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_array_node, &array, index, size, proof, &count), 0);
			cr_assert_eq(cairn_merkle_verify_inclusion(index, size, &leaves[index], proof, count, &root), 0,
				     "leaf %llu of %llu: %s", (unsigned long long)index, (unsigned long long)size,
				     cairn_error_message());
			cr_assert_eq(cairn_merkle_root_from_inclusion(index, size, &leaves[index], proof, count, &computed), 0);
			cr_assert(cairn_merkle_hash_equal(&computed, &root));
			proof[count] = root; /* the extra hash used by the "one too many" check */
			expect_tampered_inclusion_fails(index, size, &leaves[index], proof, count, &root);
			/* The wrong leaf or the wrong index. */
			cr_assert_eq(cairn_merkle_verify_inclusion(index, size, &leaves[size], proof, count, &root), CAIRN_EVERIFY);
			if (size > 1)
				cr_assert_eq(cairn_merkle_verify_inclusion((index + 1) % size, size, &leaves[index], proof, count,
									   &root),
					     CAIRN_EVERIFY);
		}
	}
}

Test(merkle, generated_consistency_proofs_verify_and_tampering_fails)
{
	cairn_merkle_hash leaves[GEN_MAX];
	cairn_merkle_hash roots[GEN_MAX + 1];
	gen_leaves(leaves, GEN_MAX);
	cairn_merkle_leaf_array array = {leaves, GEN_MAX};
	for (uint64_t n = 0; n <= GEN_MAX; n++)
		cr_assert_eq(cairn_merkle_root_from_leaves(leaves, n, &roots[n]), 0);
	for (uint64_t size2 = 1; size2 <= GEN_MAX; size2++)
		for (uint64_t size1 = 1; size1 <= size2; size1++) {
			cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF + 1];
			size_t count;
			cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, size1, size2, proof, &count),
				     0);
			cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, proof, count, &roots[size1], &roots[size2]), 0,
				     "%llu -> %llu: %s", (unsigned long long)size1, (unsigned long long)size2,
				     cairn_error_message());
			for (size_t i = 0; i < count; i++)
				for (size_t byte = 0; byte < CAIRN_MERKLE_HASH_SIZE; byte++) {
					proof[i].bytes[byte] ^= 0x80;
					cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, proof, count, &roots[size1],
										     &roots[size2]),
						     CAIRN_EVERIFY, "%llu -> %llu, hash %zu byte %zu", (unsigned long long)size1,
						     (unsigned long long)size2, i, byte);
					proof[i].bytes[byte] ^= 0x80;
				}
			proof[count] = roots[0];
			cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, proof, count + 1, &roots[size1], &roots[size2]),
				     CAIRN_EVERIFY);
			if (count > 0)
				cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, proof, count - 1, &roots[size1],
									     &roots[size2]),
					     CAIRN_EVERIFY);
			/* Another tree's old root, or another new root. */
			cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, proof, count, &roots[size1 - 1], &roots[size2]),
				     CAIRN_EVERIFY);
			if (size2 > size1)
				cr_assert_eq(cairn_merkle_verify_consistency(size1, size2, proof, count, &roots[size1],
									     &roots[size2 - 1]),
					     CAIRN_EVERIFY);
		}
}

Test(merkle, bounds_are_checked)
{
	cairn_merkle_hash leaves[4], root, proof[CAIRN_MERKLE_MAX_PROOF];
	gen_leaves(leaves, 4);
	cr_assert_eq(cairn_merkle_root_from_leaves(leaves, 4, &root), 0);
	cairn_merkle_leaf_array array = {leaves, 4};
	size_t count = 99;
	/* index >= size, size 0 */
	cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_array_node, &array, 4, 4, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(count, 0);
	cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_array_node, &array, 0, 0, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_merkle_verify_inclusion(4, 4, &leaves[0], proof, 2, &root), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "not below the tree size") != NULL, "%s", cairn_error_message());
	cr_assert_eq(cairn_merkle_verify_inclusion(0, 0, &leaves[0], proof, 0, &root), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_inclusion(UINT64_MAX, UINT64_MAX, &leaves[0], proof, 64, &root), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_inclusion(0, UINT64_MAX, &leaves[0], proof, 64, &root), CAIRN_EVERIFY);
	/* a single-leaf tree: the leaf is the root, the proof is empty */
	cr_assert_eq(cairn_merkle_verify_inclusion(0, 1, &leaves[0], proof, 0, &leaves[0]), 0);
	cr_assert_eq(cairn_merkle_verify_inclusion(0, 1, &leaves[0], proof, 1, &leaves[0]), CAIRN_EVERIFY);
	/* consistency: size1 0, size1 > size2, equal sizes */
	cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, 0, 4, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, 3, 2, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, 4, 4, proof, &count), 0);
	cr_assert_eq(count, 0);
	cairn_merkle_hash empty;
	cairn_merkle_empty_root(&empty);
	cr_assert_eq(cairn_merkle_verify_consistency(0, 4, proof, 0, &empty, &root), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_consistency(0, 0, proof, 0, &empty, &empty), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_consistency(4, 3, proof, 0, &root, &root), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_consistency(4, 4, proof, 0, &root, &root), 0);
	cr_assert_eq(cairn_merkle_verify_consistency(4, 4, proof, 0, &root, &leaves[0]), CAIRN_EVERIFY);
	proof[0] = root;
	cr_assert_eq(cairn_merkle_verify_consistency(4, 4, proof, 1, &root, &root), CAIRN_EVERIFY);
	cr_assert_eq(cairn_merkle_verify_consistency(1, UINT64_MAX, proof, CAIRN_MERKLE_MAX_PROOF, &root, &root),
		     CAIRN_EVERIFY);
	/* subtrees */
	cr_assert(cairn_merkle_subtree_valid(0, 3));
	cr_assert(cairn_merkle_subtree_valid(4, 8));
	cr_assert(cairn_merkle_subtree_valid(8, 13));
	cr_assert(!cairn_merkle_subtree_valid(4, 9));
	cr_assert(!cairn_merkle_subtree_valid(2, 5));
	cr_assert(!cairn_merkle_subtree_valid(3, 3));
	cr_assert(!cairn_merkle_subtree_valid(1, UINT64_MAX));
	cr_assert(cairn_merkle_subtree_valid(0, UINT64_MAX));
	cr_assert(cairn_merkle_subtree_valid(UINT64_C(1) << 63, UINT64_MAX));
	cr_assert_eq(cairn_merkle_subtree_inclusion_proof(cairn_merkle_array_node, &array, 1, 2, 4, proof, &count),
		     CAIRN_EINVAL);
	cr_assert_eq(cairn_merkle_subtree_consistency_proof(cairn_merkle_array_node, &array, 0, 5, 4, proof, &count),
		     CAIRN_EINVAL);
	/* a hash of the wrong length */
	cr_assert_eq(cairn_merkle_hash_from_bytes(&root, "short", 5, "root hash of checkpoint"), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "root hash of checkpoint") != NULL);
}

static int failing_node(void *ctx, uint64_t start, uint64_t end, cairn_merkle_hash *out)
{
	(void)ctx;
	(void)start;
	(void)end;
	(void)out;
	return cairn_error_set(CAIRN_EIO, "storage unavailable");
}

Test(merkle, storage_errors_pass_through)
{
	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF];
	size_t count = 7;
	cr_assert_eq(cairn_merkle_inclusion_proof(failing_node, NULL, 3, 10, proof, &count), CAIRN_EIO);
	cr_assert_eq(count, 0);
	cr_assert_str_eq(cairn_error_message(), "storage unavailable");
}

/* The frontier and a fresh computation agree at every size, and the frontier refuses to overflow. */
Test(merkle, frontier_matches_full_computation)
{
	cairn_merkle_hash leaves[100];
	gen_leaves(leaves, 100);
	cairn_merkle_frontier frontier;
	cairn_merkle_frontier_init(&frontier);
	for (size_t n = 0; n < 100; n++) {
		cairn_merkle_hash a, b;
		cr_assert_eq(cairn_merkle_frontier_root(&frontier, &a), 0);
		cr_assert_eq(cairn_merkle_root_from_leaves(leaves, n, &b), 0);
		cr_assert(cairn_merkle_hash_equal(&a, &b), "size %zu", n);
		cr_assert_eq(cairn_merkle_frontier_append(&frontier, &leaves[n]), 0);
	}
	frontier.size = UINT64_MAX;
	cr_assert_eq(cairn_merkle_frontier_append(&frontier, &leaves[0]), CAIRN_ETOOBIG);
}

/* --- storage adapters ----------------------------------------------------------------------------- */

static int leaf_by_index(void *ctx, uint64_t index, cairn_merkle_hash *out)
{
	const cairn_merkle_hash *leaves = ctx;
	*out = leaves[index];
	return 0;
}

typedef struct perfect_store {
	const cairn_merkle_hash *leaves;
	uint64_t count;
	size_t reads;
} perfect_store;

/* A store of perfect subtrees computed from the leaves (standing in for a tile store). */
static int perfect_by_level(void *ctx, unsigned level, uint64_t index, cairn_merkle_hash *out)
{
	perfect_store *store = ctx;
	uint64_t start = index << level, end = (index + 1) << level;
	cr_assert(end <= store->count, "perfect node %u/%llu beyond the tree", level, (unsigned long long)index);
	store->reads++;
	return cairn_merkle_root_from_leaves(store->leaves + start, (size_t)(end - start), out);
}

/* Proofs generated through a leaf reader and through perfect-subtree reads are the array's proofs. */
Test(merkle, storage_adapters_give_the_same_proofs)
{
	cairn_merkle_hash leaves[GEN_MAX];
	gen_leaves(leaves, GEN_MAX);
	cairn_merkle_leaf_array array = {leaves, GEN_MAX};
	cairn_merkle_leaf_reader reader = {leaf_by_index, leaves};
	perfect_store store = {leaves, GEN_MAX, 0};
	cairn_merkle_perfect_reader perfect = {perfect_by_level, &store};
	for (uint64_t size = 1; size <= GEN_MAX; size++)
		for (uint64_t m = 0; m < size; m++) {
			cairn_merkle_hash a[CAIRN_MERKLE_MAX_PROOF], b[CAIRN_MERKLE_MAX_PROOF], c[CAIRN_MERKLE_MAX_PROOF];
			size_t na, nb, nc;
			cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_array_node, &array, m, size, a, &na), 0);
			cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_reader_node, &reader, m, size, b, &nb), 0);
			cr_assert_eq(cairn_merkle_inclusion_proof(cairn_merkle_perfect_reader_node, &perfect, m, size, c, &nc), 0);
			cr_assert(na == nb && na == nc && memcmp(a, b, na * sizeof a[0]) == 0 && memcmp(a, c, na * sizeof a[0]) == 0);
			cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_array_node, &array, m + 1, size, a, &na), 0);
			store.reads = 0;
			cr_assert_eq(cairn_merkle_consistency_proof(cairn_merkle_perfect_reader_node, &perfect, m + 1, size, c, &nc), 0);
			cr_assert(na == nc && memcmp(a, c, na * sizeof a[0]) == 0);
			cr_assert_leq(store.reads, 2 * 7 * 7, "a proof should need O(log^2 n) perfect reads, took %zu", store.reads);
		}
	cairn_merkle_hash h;
	cr_assert_eq(cairn_merkle_perfect_node(perfect_by_level, &store, 2, 5, &h), CAIRN_EINVAL);
}

/* Tampering any byte of a subtree proof, or dropping a hash, fails. */
Test(merkle, tampered_subtree_proofs_fail)
{
	cairn_merkle_hash leaves[40];
	gen_leaves(leaves, 40);
	cairn_merkle_leaf_array array = {leaves, 40};
	for (uint64_t size = 1; size <= 40; size++) {
		cairn_merkle_hash root;
		cr_assert_eq(cairn_merkle_root_from_leaves(leaves, size, &root), 0);
		for (uint64_t end = 1; end <= size; end++)
			for (uint64_t start = 0; start < end; start++) {
				if (!cairn_merkle_subtree_valid(start, end))
					continue;
				cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF], sub;
				size_t count;
				cr_assert_eq(cairn_merkle_array_node(&array, start, end, &sub), 0);
				cr_assert_eq(cairn_merkle_subtree_consistency_proof(cairn_merkle_array_node, &array, start, end, size,
										    proof, &count),
					     0);
				cr_assert_eq(cairn_merkle_verify_subtree_consistency(start, end, size, proof, count, &sub, &root), 0);
				for (size_t i = 0; i < count; i++)
					for (size_t byte = 0; byte < CAIRN_MERKLE_HASH_SIZE; byte += 7) {
						proof[i].bytes[byte] ^= 0x10;
						cr_assert_eq(cairn_merkle_verify_subtree_consistency(start, end, size, proof, count, &sub,
												     &root),
							     CAIRN_EVERIFY, "[%llu, %llu) in %llu: hash %zu byte %zu",
							     (unsigned long long)start, (unsigned long long)end,
							     (unsigned long long)size, i, byte);
						proof[i].bytes[byte] ^= 0x10;
					}
				if (count > 0)
					cr_assert_eq(cairn_merkle_verify_subtree_consistency(start, end, size, proof, count - 1, &sub,
											     &root),
						     CAIRN_EVERIFY);
				/* and a subtree inclusion proof for its last leaf */
				cr_assert_eq(cairn_merkle_subtree_inclusion_proof(cairn_merkle_array_node, &array, end - 1, start, end,
										  proof, &count),
					     0);
				for (size_t i = 0; i < count; i++) {
					proof[i].bytes[31] ^= 0x01;
					cr_assert_eq(cairn_merkle_verify_subtree_inclusion(end - 1, start, end, &leaves[end - 1], proof,
											   count, &sub),
						     CAIRN_EVERIFY);
					proof[i].bytes[31] ^= 0x01;
				}
			}
	}
}
