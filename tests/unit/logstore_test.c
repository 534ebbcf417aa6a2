/* Unit tests of the transparency log store (cairn/logstore.h): the RFC 6962 vectors through the log,
 * concurrent appends, proofs checked with the independent verifier, signed checkpoints, C2SP
 * tlog-tiles tiles, entry bundles and paths (the spec's examples), duplicates, the bounded queue,
 * reopening, recovery after SIGKILL, and refusing damaged or foreign databases. */
#include "cairn/buf.h"
#include "cairn/error.h"
#include "cairn/key.h"
#include "cairn/logstore.h"
#include "cairn/merkle.h"
#include "cairn/note.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- helpers --------------------------------------------------------------------------------------- */

typedef struct tmp_log {
	char dir[64];
	char path[128];
} tmp_log;

static void tmp_make(tmp_log *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/cairn-logstore-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/log.db", t->dir);
}

static void tmp_remove(tmp_log *t)
{
	char p[160];
	unlink(t->path);
	snprintf(p, sizeof p, "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", t->path);
	unlink(p);
	rmdir(t->dir);
}

static cairn_key *new_key(enum cairn_key_type type)
{
	cairn_key *key;
	cr_assert_eq(cairn_key_generate(&key, type), 0, "%s", cairn_error_message());
	return key;
}

static cairn_log *open_log(const char *path, const cairn_key *key, const char *origin, size_t queue_max,
			   size_t batch_max, unsigned wait_ms)
{
	cairn_log_options opts = {path, key, origin, queue_max, batch_max, wait_ms};
	cairn_log *log;
	cr_assert_eq(cairn_log_open(&log, &opts), 0, "open %s: %s", path, cairn_error_message());
	return log;
}

static void hex_hash(const char *hex, cairn_merkle_hash *out)
{
	cairn_buf b = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_hex_decode(&b, hex, strlen(hex)), 0);
	cr_assert_eq(cairn_merkle_hash_from_bytes(out, b.data, b.len, "vector"), 0);
	cairn_buf_free(&b);
}

static uint64_t add_ok(cairn_log *log, const void *body, size_t len)
{
	cairn_log_added added;
	cr_assert_eq(cairn_log_add(log, body, len, &added), 0, "add: %s", cairn_error_message());
	cr_assert_gt(added.tree_size, added.index);
	cr_assert_gt(added.integrated_time, 1600000000);
	return added.index;
}

/* The latest checkpoint must open with the log's verifier and say what the log says. */
static void check_checkpoint(cairn_log *log, uint64_t *size, cairn_merkle_hash *root)
{
	cairn_buf note = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_checkpoint(log, &note, size, root), 0);
	const cairn_note_verifier *verifiers[1] = {cairn_log_verifier(log)};
	cairn_note *opened;
	cr_assert_eq(cairn_note_open(&opened, note.data, note.len, verifiers, 1, "checkpoint"), 0, "%s",
		     cairn_error_message());
	size_t text_len;
	const char *text = cairn_note_text(opened, &text_len);
	cairn_checkpoint cp;
	cr_assert_eq(cairn_checkpoint_parse(&cp, text, text_len, "checkpoint"), 0);
	cr_assert_str_eq(cp.origin, cairn_log_origin(log));
	cr_assert_eq(cp.size, *size);
	cr_assert(cairn_merkle_hash_equal(&cp.root, root));
	cairn_checkpoint_free(&cp);
	cairn_note_free(opened);
	cairn_buf_free(&note);
}

/* Body of entry number n in the tests that make many (varied lengths, so bundles are not uniform). */
static size_t make_body(char *out, size_t cap, const char *tag, unsigned n)
{
	int len = snprintf(out, cap, "{\"%s\":%u,\"pad\":\"%.*s\"}", tag, n, (int)(n % 37),
			   "abcdefghijklmnopqrstuvwxyz0123456789!");
	return (size_t)len;
}

/* --- tile paths (C2SP tlog-tiles) ------------------------------------------------------------------ */

static void parse_ok(const char *path, int entries, unsigned level, uint64_t index, unsigned width)
{
	int e;
	unsigned l, w;
	uint64_t n;
	cr_assert_eq(cairn_log_tile_path_parse(path, &e, &l, &n, &w), 0, "%s: %s", path, cairn_error_message());
	cr_assert_eq(e, entries, "%s", path);
	cr_assert_eq(l, level, "%s", path);
	cr_assert_eq(n, index, "%s", path);
	cr_assert_eq(w, width, "%s", path);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_tile_path_format(entries, level, index, width, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), path);
	cairn_buf_free(&out);
}

static void format_is(int entries, unsigned level, uint64_t index, unsigned width, const char *want)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_tile_path_format(entries, level, index, width, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), want);
	cairn_buf_free(&out);
}

Test(logstore, tile_paths_spec_examples)
{
	/* The spec: "index 1234067 will be encoded as x001/x234/067". */
	format_is(0, 0, 1234067, 256, "/tile/0/x001/x234/067");
	format_is(1, 0, 1234067, 256, "/tile/entries/x001/x234/067");
	format_is(0, 2, 1234067, 17, "/tile/2/x001/x234/067.p/17");
	format_is(0, 0, 0, 256, "/tile/0/000");
	format_is(0, 1, 999, 1, "/tile/1/999.p/1");
	format_is(0, 1, 1000, 255, "/tile/1/x001/000.p/255");
	format_is(1, 0, 273, 112, "/tile/entries/273.p/112"); /* the spec's tree of 70,000 */
	format_is(0, 63, UINT64_MAX, 256, "/tile/63/x018/x446/x744/x073/x709/x551/615");

	parse_ok("/tile/0/x001/x234/067", 0, 0, 1234067, 256);
	parse_ok("/tile/entries/x001/x234/067.p/5", 1, 0, 1234067, 5);
	parse_ok("/tile/1/000", 0, 1, 0, 256);
	parse_ok("/tile/2/001.p/1", 0, 2, 1, 1);
	parse_ok("/tile/63/x018/x446/x744/x073/x709/x551/615", 0, 63, UINT64_MAX, 256);
	/* Go sumdb's examples without their height element, as C2SP spells them. */
	parse_ok("/tile/0/001", 0, 0, 1, 256);
	parse_ok("/tile/0/001.p/5", 0, 0, 1, 5);
	parse_ok("/tile/5/x123/x456/078", 0, 5, 123456078, 256);
	parse_ok("/tile/5/x123/x456/078.p/2", 0, 5, 123456078, 2);
	parse_ok("/tile/entries/x003/x057/500", 1, 0, 3057500, 256);
	/* Without the leading slash, as a server strips its prefix. */
	int e;
	unsigned l, w;
	uint64_t n;
	cr_assert_eq(cairn_log_tile_path_parse("tile/3/x001/002.p/3", &e, &l, &n, &w), 0);
	cr_assert(e == 0 && l == 3 && n == 1002 && w == 3);

	const char *invalid[] = {
		"/tile/5/123/456/078",        /* groups without x (Go's invalid example) */
		"/tile/-1/001",               /* negative level */
		"/tile/00/001",               /* leading zero in the level */
		"/tile/64/001",               /* level over 63 */
		"/tile/0/1234067",            /* not in groups */
		"/tile/0/01",                 /* short group */
		"/tile/0/0001",               /* long group */
		"/tile/0/x001/234/067",       /* middle group without x */
		"/tile/0/x001",               /* last group with x */
		"/tile/0/x000/001",           /* leading zero group: not canonical */
		"/tile/0/001.p/0",            /* width 0 */
		"/tile/0/001.p/256",          /* a full tile has no .p */
		"/tile/0/001.p/05",           /* leading zero in the width */
		"/tile/0/001.p/",             /* no width */
		"/tile/0/001/",               /* trailing slash */
		"/tile/0/001.p/5/",           /* trailing slash */
		"/tile/x/001",                /* level not a number */
		"/tile/entries/001.p/1x",     /* junk after the width */
		"/tile/0/x018/x446/x744/x073/x709/x551/616", /* 2^64 */
		"/tile/0/x001/x001/x001/x001/x001/x001/x001/001", /* too many groups */
		"/tile/data/001",             /* Go's name, not C2SP's */
		"/tile/8/0/001",              /* Go's height element */
		"/tiles/0/001",
		"",
		"/tile/",
		"/tile/0/",
		"/tile/0/00a",
	};
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		cr_assert_eq(cairn_log_tile_path_parse(invalid[i], &e, &l, &n, &w), CAIRN_EINVAL, "accepted '%s'",
			     invalid[i]);
		cr_assert(strstr(cairn_error_message(), "tile path") != NULL);
	}
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_tile_path_format(0, 64, 0, 256, &out), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_tile_path_format(0, 0, 0, 0, &out), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_tile_path_format(0, 0, 0, 257, &out), CAIRN_EINVAL);
	cairn_buf_free(&out);
}

Test(logstore, tile_paths_round_trip)
{
	uint64_t values[] = {0, 1, 9, 10, 99, 100, 999, 1000, 1001, 999999, 1000000, 1234067, (uint64_t)1 << 40,
			     UINT64_MAX - 1};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		for (unsigned width = 1; width <= 256; width += 51) {
			cairn_buf out = CAIRN_BUF_INIT;
			cr_assert_eq(cairn_log_tile_path_format(0, 7, values[i], width, &out), 0);
			int e;
			unsigned l, w;
			uint64_t n;
			cr_assert_eq(cairn_log_tile_path_parse(cairn_buf_cstr(&out), &e, &l, &n, &w), 0, "%s",
				     cairn_buf_cstr(&out));
			cr_assert(e == 0 && l == 7 && n == values[i] && w == width, "%s", cairn_buf_cstr(&out));
			cairn_buf_free(&out);
		}
	}
}

/* --- the RFC 6962 vectors through the log ---------------------------------------------------------- */

static void proof_is(const cairn_merkle_hash *proof, size_t count, json_t *want)
{
	cr_assert_eq(count, json_array_size(want));
	for (size_t i = 0; i < count; i++) {
		cairn_merkle_hash h;
		hex_hash(json_string_value(json_array_get(want, i)), &h);
		cr_assert(cairn_merkle_hash_equal(&proof[i], &h), "proof element %zu differs", i);
	}
}

Test(logstore, rfc6962_vectors)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tlog/rfc6962-vectors.json", test_corpus());
	json_error_t jerr;
	json_t *vec = json_load_file(path, 0, &jerr);
	cr_assert_not_null(vec, "%s: %s", path, jerr.text);
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256);
	cairn_log *log = open_log(t.path, key, "log.example - 1234", 0, 0, 0);
	cr_assert_eq(cairn_note_verifier_type(cairn_log_verifier(log)), CAIRN_NOTE_SIG_ECDSA);
	cr_assert_str_eq(cairn_note_verifier_name(cairn_log_verifier(log)), "log.example");

	/* The empty log already has a signed checkpoint. */
	uint64_t size;
	cairn_merkle_hash root, want;
	check_checkpoint(log, &size, &root);
	cr_assert_eq(size, 0);
	hex_hash(json_string_value(json_object_get(vec, "empty_root")), &want);
	cr_assert(cairn_merkle_hash_equal(&root, &want));

	json_t *leaves = json_object_get(vec, "leaves_hex");
	for (size_t i = 0; i < json_array_size(leaves); i++) {
		cairn_buf leaf = CAIRN_BUF_INIT;
		const char *hex = json_string_value(json_array_get(leaves, i));
		cr_assert_eq(cairn_hex_decode(&leaf, hex, strlen(hex)), 0);
		cr_assert_eq(add_ok(log, leaf.data, leaf.len), i);
		cairn_buf_free(&leaf);
		/* Sequential adds: each one is its own batch and checkpoint. */
		check_checkpoint(log, &size, &root);
		cr_assert_eq(size, i + 1);
		char key_text[24];
		snprintf(key_text, sizeof key_text, "%zu", i + 1);
		hex_hash(json_string_value(json_object_get(json_object_get(vec, "roots_by_size"), key_text)), &want);
		cr_assert(cairn_merkle_hash_equal(&root, &want), "root of size %zu", i + 1);
	}
	/* Every root, inclusion and consistency proof of the vectors, from the stored tiles. */
	for (uint64_t s = 1; s <= 8; s++) {
		char key_text[24];
		snprintf(key_text, sizeof key_text, "%llu", (unsigned long long)s);
		hex_hash(json_string_value(json_object_get(json_object_get(vec, "roots_by_size"), key_text)), &want);
		cr_assert_eq(cairn_log_root(log, s, &root), 0, "%s", cairn_error_message());
		cr_assert(cairn_merkle_hash_equal(&root, &want), "root of size %llu", (unsigned long long)s);
	}
	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF];
	size_t count, i;
	json_t *item;
	json_array_foreach(json_object_get(vec, "inclusion"), i, item) {
		uint64_t index = (uint64_t)json_integer_value(json_object_get(item, "leaf_index"));
		uint64_t tree = (uint64_t)json_integer_value(json_object_get(item, "tree_size"));
		cr_assert_eq(cairn_log_inclusion_proof(log, index, tree, proof, &count), 0, "%s", cairn_error_message());
		proof_is(proof, count, json_object_get(item, "proof"));
	}
	json_array_foreach(json_object_get(vec, "consistency"), i, item) {
		uint64_t s1 = (uint64_t)json_integer_value(json_object_get(item, "size1"));
		uint64_t s2 = (uint64_t)json_integer_value(json_object_get(item, "size2"));
		cr_assert_eq(cairn_log_consistency_proof(log, s1, s2, proof, &count), 0, "%s", cairn_error_message());
		proof_is(proof, count, json_object_get(item, "proof"));
	}
	/* Bounds: named clearly. */
	cr_assert_eq(cairn_log_inclusion_proof(log, 0, 9, proof, &count), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "latest checkpoint (size 8)") != NULL, "%s", cairn_error_message());
	cr_assert_eq(cairn_log_inclusion_proof(log, 8, 8, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_consistency_proof(log, 0, 8, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_consistency_proof(log, 5, 4, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_consistency_proof(log, 4, 9, proof, &count), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_root(log, 9, &root), CAIRN_EINVAL);
	cairn_buf body = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_entry(log, 8, &body, NULL), CAIRN_ENOENT);
	int64_t itime;
	cr_assert_eq(cairn_log_entry(log, 7, &body, &itime), 0);
	cr_assert_eq(body.len, 16);
	cr_assert_eq(memcmp(body.data, "`abcdefghijklmno", 16), 0);
	cairn_buf_free(&body);
	/* find: by the vectors' leaf hashes. */
	json_array_foreach(json_object_get(vec, "leaf_hashes"), i, item) {
		cairn_merkle_hash h;
		uint64_t index;
		hex_hash(json_string_value(item), &h);
		cr_assert_eq(cairn_log_find(log, &h, &index), 0);
		cr_assert_eq(index, i);
	}
	cairn_merkle_hash unknown;
	memset(&unknown, 0x5a, sizeof unknown);
	uint64_t index;
	cr_assert_eq(cairn_log_find(log, &unknown, &index), CAIRN_ENOENT);
	cairn_log_close(log);
	cairn_key_free(key);
	json_decref(vec);
	tmp_remove(&t);
}

/* --- concurrent appends ---------------------------------------------------------------------------- */

typedef struct appender {
	cairn_log *log;
	const char *tag;
	unsigned thread, count;
	uint64_t *indexes; /* [thread * count + i] */
	uint64_t *sizes;
} appender;

static void *append_main(void *arg)
{
	appender *a = arg;
	char body[128];
	for (unsigned i = 0; i < a->count; i++) {
		unsigned n = a->thread * a->count + i;
		size_t len = make_body(body, sizeof body, a->tag, n);
		cairn_log_added added;
		int err = cairn_log_add(a->log, body, len, &added);
		if (err != 0) {
			fprintf(stderr, "append %u: %s\n", n, cairn_error_message());
			a->indexes[n] = UINT64_MAX;
			continue;
		}
		a->indexes[n] = added.index;
		a->sizes[n] = added.tree_size;
	}
	return NULL;
}

/* Runs threads * per_thread appends; returns by_index[index] = entry number, checking the indexes are
 * exactly 0..total-1 once each (dense and unique) starting from `base`. */
static unsigned *append_many(cairn_log *log, const char *tag, unsigned threads, unsigned per_thread, uint64_t base)
{
	unsigned total = threads * per_thread;
	uint64_t *indexes = calloc(total, sizeof *indexes), *sizes = calloc(total, sizeof *sizes);
	unsigned *by_index = malloc(total * sizeof *by_index);
	pthread_t tids[64];
	appender args[64];
	cr_assert(threads <= 64);
	for (unsigned t = 0; t < threads; t++) {
		args[t] = (appender){log, tag, t, per_thread, indexes, sizes};
		cr_assert_eq(pthread_create(&tids[t], NULL, append_main, &args[t]), 0);
	}
	for (unsigned t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	for (unsigned n = 0; n < total; n++)
		by_index[n] = UINT32_MAX;
	for (unsigned n = 0; n < total; n++) {
		cr_assert_neq(indexes[n], UINT64_MAX, "append %u failed", n);
		cr_assert(indexes[n] >= base && indexes[n] < base + total, "index %llu out of range",
			  (unsigned long long)indexes[n]);
		cr_assert(sizes[n] > indexes[n] && sizes[n] <= base + total);
		cr_assert_eq(by_index[indexes[n] - base], UINT32_MAX, "index %llu given twice",
			     (unsigned long long)indexes[n]);
		by_index[indexes[n] - base] = n;
	}
	free(indexes);
	free(sizes);
	return by_index;
}

/* The leaf hashes the test expects, from its own bodies. */
static cairn_merkle_hash *expected_leaves(const char *tag, const unsigned *by_index, unsigned total)
{
	cairn_merkle_hash *leaves = calloc(total, sizeof *leaves);
	char body[128];
	for (unsigned i = 0; i < total; i++) {
		size_t len = make_body(body, sizeof body, tag, by_index[i]);
		cr_assert_eq(cairn_merkle_leaf_hash(body, len, &leaves[i]), 0);
	}
	return leaves;
}

Test(logstore, concurrent_appends_and_proofs, .timeout = 120)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ED25519);
	cairn_log *log = open_log(t.path, key, NULL, 0, 0, 2);
	cr_assert_str_eq(cairn_log_origin(log), "cairn-log");
	cr_assert_eq(cairn_note_verifier_type(cairn_log_verifier(log)), CAIRN_NOTE_SIG_ED25519);
	const unsigned threads = 32, per = 40, total = threads * per;
	unsigned *by_index = append_many(log, "c", threads, per, 0);
	cairn_merkle_hash *leaves = expected_leaves("c", by_index, total);

	uint64_t size;
	cairn_merkle_hash root, want;
	check_checkpoint(log, &size, &root);
	cr_assert_eq(size, total);
	cr_assert_eq(cairn_merkle_root_from_leaves(leaves, total, &want), 0);
	cr_assert(cairn_merkle_hash_equal(&root, &want), "checkpoint root differs from the leaves' root");

	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF];
	size_t count;
	/* Inclusion of every entry in the latest tree and in a few smaller ones. */
	uint64_t sizes[] = {1, 2, 3, 255, 256, 257, 511, 777, total};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		cairn_merkle_hash sub_root;
		cr_assert_eq(cairn_merkle_root_from_leaves(leaves, sizes[s], &sub_root), 0);
		cr_assert_eq(cairn_log_root(log, sizes[s], &root), 0);
		cr_assert(cairn_merkle_hash_equal(&root, &sub_root), "root of size %llu", (unsigned long long)sizes[s]);
		uint64_t step = sizes[s] == total ? 1 : 7;
		for (uint64_t i = 0; i < sizes[s]; i += step) {
			cr_assert_eq(cairn_log_inclusion_proof(log, i, sizes[s], proof, &count), 0, "%s",
				     cairn_error_message());
			cr_assert_eq(cairn_merkle_verify_inclusion(i, sizes[s], &leaves[i], proof, count, &sub_root), 0,
				     "inclusion of %llu in %llu: %s", (unsigned long long)i, (unsigned long long)sizes[s],
				     cairn_error_message());
		}
		/* Consistency from every smaller size in the list. */
		for (size_t s1 = 0; s1 <= s; s1++) {
			cairn_merkle_hash root1;
			cr_assert_eq(cairn_merkle_root_from_leaves(leaves, sizes[s1], &root1), 0);
			cr_assert_eq(cairn_log_consistency_proof(log, sizes[s1], sizes[s], proof, &count), 0);
			cr_assert_eq(cairn_merkle_verify_consistency(sizes[s1], sizes[s], proof, count, &root1, &sub_root), 0,
				     "consistency %llu -> %llu: %s", (unsigned long long)sizes[s1],
				     (unsigned long long)sizes[s], cairn_error_message());
		}
	}
	/* Each entry reads back at its index, and is found by its leaf hash. */
	char body[128];
	for (unsigned i = 0; i < total; i += 13) {
		cairn_buf got = CAIRN_BUF_INIT;
		int64_t itime;
		size_t len = make_body(body, sizeof body, "c", by_index[i]);
		cr_assert_eq(cairn_log_entry(log, i, &got, &itime), 0);
		cr_assert_eq(got.len, len);
		cr_assert_eq(memcmp(got.data, body, len), 0);
		uint64_t found;
		cr_assert_eq(cairn_log_find(log, &leaves[i], &found), 0);
		cr_assert_eq(found, i);
		cairn_buf_free(&got);
	}
	cairn_log_close(log);
	cairn_key_free(key);
	free(leaves);
	free(by_index);
	tmp_remove(&t);
}

/* Readers (more threads than the log keeps read connections) check proofs against whatever checkpoint
 * is current while appends go on. */
typedef struct proof_reader {
	cairn_log *log;
	volatile int *stop;
	unsigned seed;
	unsigned checked;
	int failed;
} proof_reader;

static void *read_main(void *arg)
{
	proof_reader *r = arg;
	for (unsigned round = 0; round < 100000 && !*r->stop && !r->failed; round++) {
		uint64_t size;
		cairn_merkle_hash root, leaf, proof[CAIRN_MERKLE_MAX_PROOF];
		size_t count;
		cairn_buf body = CAIRN_BUF_INIT;
		if (cairn_log_checkpoint(r->log, NULL, &size, &root) != 0) {
			r->failed = 1;
			break;
		}
		if (size == 0) {
			usleep(200); /* the appenders have not started yet */
			continue;
		}
		uint64_t index = (uint64_t)rand_r(&r->seed) % size;
		if (cairn_log_entry(r->log, index, &body, NULL) != 0 || cairn_merkle_leaf_hash(body.data, body.len, &leaf) != 0 ||
		    cairn_log_inclusion_proof(r->log, index, size, proof, &count) != 0 ||
		    cairn_merkle_verify_inclusion(index, size, &leaf, proof, count, &root) != 0) {
			fprintf(stderr, "reader: entry %llu of %llu: %s\n", (unsigned long long)index,
				(unsigned long long)size, cairn_error_message());
			r->failed = 1;
		}
		r->checked++;
		cairn_buf_free(&body);
	}
	return NULL;
}

Test(logstore, reads_during_appends, .timeout = 120)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256);
	cairn_log *log = open_log(t.path, key, NULL, 0, 0, 1);
	volatile int stop = 0;
	enum { READERS = 40 };
	pthread_t tids[READERS];
	proof_reader readers[READERS];
	for (unsigned i = 0; i < READERS; i++) {
		readers[i] = (proof_reader){log, &stop, i + 1, 0, 0};
		cr_assert_eq(pthread_create(&tids[i], NULL, read_main, &readers[i]), 0);
	}
	unsigned *by_index = append_many(log, "rd", 16, 40, 0);
	stop = 1;
	unsigned checked = 0;
	for (unsigned i = 0; i < READERS; i++) {
		pthread_join(tids[i], NULL);
		cr_assert_eq(readers[i].failed, 0, "reader %u failed", i);
		checked += readers[i].checked;
	}
	cr_assert_gt(checked, 0);
	free(by_index);
	cairn_log_close(log);
	cairn_key_free(key);
	tmp_remove(&t);
}

/* --- tiles and entry bundles ----------------------------------------------------------------------- */

/* The hashes of tile (level, index) of the given width (the test asserts it exists). */
static cairn_buf get_tile(cairn_log *log, unsigned level, uint64_t index, unsigned width)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_tile(log, level, index, width, &out), 0, "tile %u/%llu width %u: %s", level,
		     (unsigned long long)index, width, cairn_error_message());
	cr_assert_eq(out.len, (size_t)width * 32);
	return out;
}

/* The bodies of a tree, by index, as the test made them. */
typedef struct tree_bodies {
	char (*text)[128];
	size_t *len;
	uint64_t size;
} tree_bodies;

static void bodies_add(tree_bodies *b, const char *tag, const unsigned *by_index, unsigned count)
{
	b->text = realloc(b->text, (b->size + count) * sizeof *b->text);
	b->len = realloc(b->len, (b->size + count) * sizeof *b->len);
	for (unsigned i = 0; i < count; i++)
		b->len[b->size + i] = make_body(b->text[b->size + i], sizeof b->text[0], tag, by_index[i]);
	b->size += count;
}

/* Checks the tiles of a tree against the spec's rules and against leaves computed by the test. */
static void check_tiles(cairn_log *log, const tree_bodies *b)
{
	uint64_t size = b->size;
	cairn_merkle_hash *leaves = calloc(size, sizeof *leaves);
	for (uint64_t i = 0; i < size; i++)
		cr_assert_eq(cairn_merkle_leaf_hash(b->text[i], b->len[i], &leaves[i]), 0);
	cairn_buf scratch = CAIRN_BUF_INIT;
	/* Level 0: the leaf hashes, in full tiles then one partial of width size mod 256. */
	cairn_merkle_hash *from_tiles = calloc(size, sizeof *from_tiles);
	uint64_t full0 = size / 256;
	unsigned part0 = (unsigned)(size % 256);
	for (uint64_t n = 0; n <= full0; n++) {
		unsigned width = n < full0 ? 256 : part0;
		if (width == 0)
			break;
		cairn_buf tile = get_tile(log, 0, n, width);
		memcpy(&from_tiles[n * 256], tile.data, tile.len);
		cairn_buf_free(&tile);
	}
	cr_assert_eq(memcmp(from_tiles, leaves, size * sizeof *leaves), 0, "level-0 tiles differ from the leaf hashes");
	/* The root recomputed from the served tiles alone is the checkpoint's. */
	uint64_t cp_size;
	cairn_merkle_hash cp_root, root;
	check_checkpoint(log, &cp_size, &cp_root);
	cr_assert_eq(cp_size, size);
	cr_assert_eq(cairn_merkle_root_from_leaves(from_tiles, size, &root), 0);
	cr_assert(cairn_merkle_hash_equal(&root, &cp_root));
	/* Level 1: hash i is the root of full level-0 tile i; its width is floor(size / 256) mod 256. */
	unsigned part1 = (unsigned)(full0 % 256);
	if (part1 > 0) {
		cairn_buf tile = get_tile(log, 1, 0, part1);
		for (unsigned i = 0; i < part1; i++) {
			cairn_merkle_hash sub;
			cr_assert_eq(cairn_merkle_root_from_leaves(&leaves[i * 256], 256, &sub), 0);
			cr_assert_eq(memcmp(tile.data + i * 32, sub.bytes, 32), 0, "level-1 hash %u", i);
		}
		cairn_buf_free(&tile);
		cr_assert_eq(cairn_log_tile(log, 1, 0, part1 + 1, &scratch), CAIRN_ENOENT);
		cr_assert_eq(cairn_log_tile(log, 1, 0, 256, &scratch), CAIRN_ENOENT);
	} else {
		cr_assert_eq(cairn_log_tile(log, 1, 0, 1, &scratch), CAIRN_ENOENT);
	}
	/* Partial tiles exist only up to their width; the full one not yet; nothing beyond. */
	if (part0 > 0) {
		cr_assert_eq(cairn_log_tile(log, 0, full0, part0 + 1, &scratch), CAIRN_ENOENT);
		cr_assert_eq(cairn_log_tile(log, 0, full0, 256, &scratch), CAIRN_ENOENT);
		cr_assert(strstr(cairn_error_message(), "width 256") != NULL, "%s", cairn_error_message());
		/* A narrower prefix (what an older checkpoint's client asks for) is served. */
		cairn_buf prefix = get_tile(log, 0, full0, 1);
		cr_assert_eq(memcmp(prefix.data, &leaves[full0 * 256], 32), 0);
		cairn_buf_free(&prefix);
	}
	cr_assert_eq(cairn_log_tile(log, 0, full0 + 1, 1, &scratch), CAIRN_ENOENT);
	cr_assert_eq(cairn_log_tile(log, 2, 0, 1, &scratch), CAIRN_ENOENT);
	cr_assert_eq(cairn_log_tile(log, 9, 0, 1, &scratch), CAIRN_ENOENT);
	cr_assert_eq(cairn_log_tile(log, 0, 0, 0, &scratch), CAIRN_EINVAL);
	cr_assert_eq(cairn_log_tile(log, 0, UINT64_MAX, 1, &scratch), CAIRN_ENOENT);
	cr_assert_eq(scratch.len, 0);

	/* Entry bundles: uint16 big-endian length, then the body, for each entry; parsed back here. */
	for (uint64_t n = 0; n <= full0; n++) {
		unsigned width = n < full0 ? 256 : part0;
		if (width == 0)
			break;
		cairn_buf bundle = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_log_entry_bundle(log, n, width, &bundle), 0, "%s", cairn_error_message());
		size_t off = 0;
		for (unsigned i = 0; i < width; i++) {
			uint64_t index = n * 256 + i;
			cr_assert_leq(off + 2, bundle.len);
			size_t len = (size_t)bundle.data[off] << 8 | bundle.data[off + 1];
			off += 2;
			cr_assert_eq(len, b->len[index]);
			cr_assert_leq(off + len, bundle.len);
			cr_assert_eq(memcmp(bundle.data + off, b->text[index], len), 0);
			off += len;
		}
		cr_assert_eq(off, bundle.len, "bytes after the last entry of bundle %llu", (unsigned long long)n);
		cairn_buf_free(&bundle);
		cr_assert_eq(cairn_log_entry_bundle(log, n, width == 256 ? 256 : width + 1, &scratch),
			     width == 256 ? 0 : CAIRN_ENOENT);
		cairn_buf_clear(&scratch);
	}
	cr_assert_eq(cairn_log_entry_bundle(log, full0 + 1, 1, &scratch), CAIRN_ENOENT);
	cairn_buf_free(&scratch);
	free(from_tiles);
	free(leaves);
}

Test(logstore, tiles_and_entry_bundles, .timeout = 120)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P384);
	cairn_log *log = open_log(t.path, key, "tiles.example", 0, 0, 2);
	tree_bodies bodies = {NULL, NULL, 0};
	/* The spec: "a tree of size 256 will be represented by a full level 0 tile and a partial level 1
	 * tile of width 1". */
	unsigned *by_index = append_many(log, "t", 32, 8, 0);
	bodies_add(&bodies, "t", by_index, 256);
	free(by_index);
	check_tiles(log, &bodies);
	/* Two full level-0 tiles and a partial one of width 74; a level-1 tile of width 2. */
	by_index = append_many(log, "u", 33, 10, 256);
	bodies_add(&bodies, "u", by_index, 330);
	free(by_index);
	check_tiles(log, &bodies);
	/* The tiles survive a reopen, and the next batches extend the partial tiles in place. */
	cairn_log_close(log);
	log = open_log(t.path, key, "tiles.example", 0, 0, 2);
	check_tiles(log, &bodies);
	by_index = append_many(log, "v", 7, 1, 586);
	bodies_add(&bodies, "v", by_index, 7);
	free(by_index);
	check_tiles(log, &bodies);
	cairn_log_close(log);
	cairn_key_free(key);
	free(bodies.text);
	free(bodies.len);
	tmp_remove(&t);
}

Test(logstore, oversize_entries)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ED25519);
	cairn_log *log = open_log(t.path, key, NULL, 0, 0, 0);
	size_t big_len = CAIRN_LOG_MAX_ENTRY;
	uint8_t *big = calloc(1, big_len + 1);
	cairn_log_added added;
	cr_assert_eq(cairn_log_add(log, big, big_len + 1, &added), CAIRN_ETOOBIG);
	cr_assert(strstr(cairn_error_message(), "limit") != NULL);
	/* 65535 bytes fit an entry bundle; 65536 and up do not, so that bundle is refused (ETOOBIG), while
	 * the entry itself, its proofs and its tile remain served. */
	cr_assert_eq(add_ok(log, big, 65535), 0);
	big[0] = 1;
	cr_assert_eq(add_ok(log, big, 65536), 1);
	big[0] = 2;
	cr_assert_eq(add_ok(log, big, big_len), 2);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_entry_bundle(log, 0, 1, &out), 0);
	cr_assert_eq(out.len, 2 + 65535);
	cr_assert(out.data[0] == 0xff && out.data[1] == 0xff);
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_log_entry_bundle(log, 0, 2, &out), CAIRN_ETOOBIG);
	cr_assert(strstr(cairn_error_message(), "65535") != NULL, "%s", cairn_error_message());
	cr_assert_eq(out.len, 0, "a refused bundle leaves nothing behind");
	cr_assert_eq(cairn_log_entry(log, 2, &out, NULL), 0);
	cr_assert_eq(out.len, big_len);
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_log_tile(log, 0, 0, 3, &out), 0);
	cr_assert_eq(out.len, 96);
	cairn_buf_free(&out);
	cairn_log_close(log);
	cairn_key_free(key);
	free(big);
	tmp_remove(&t);
}

/* --- duplicates and the bounded queue -------------------------------------------------------------- */

typedef struct same_adder {
	cairn_log *log;
	int err;
	cairn_log_added added;
} same_adder;

static void *add_same(void *arg)
{
	same_adder *a = arg;
	a->err = cairn_log_add(a->log, "twin", 4, &a->added);
	return NULL;
}

Test(logstore, duplicates)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256);
	/* A long batch wait gathers the eight identical appends into one batch. */
	cairn_log *log = open_log(t.path, key, NULL, 0, 0, 300);
	cr_assert_eq(add_ok(log, "first", 5), 0);
	pthread_t tids[8];
	same_adder args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (same_adder){log, 0, {0, 0, 0}};
		cr_assert_eq(pthread_create(&tids[i], NULL, add_same, &args[i]), 0);
	}
	int stored = 0, existing = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(tids[i], NULL);
		if (args[i].err == 0)
			stored++;
		else if (args[i].err == CAIRN_EEXIST)
			existing++;
		cr_assert_eq(args[i].added.index, 1, "every twin names index 1");
		cr_assert_eq(args[i].added.tree_size, 2);
	}
	cr_assert_eq(stored, 1);
	cr_assert_eq(existing, 7);
	/* Already stored: EEXIST with where it is. */
	cairn_log_added added;
	cr_assert_eq(cairn_log_add(log, "first", 5, &added), CAIRN_EEXIST);
	cr_assert_eq(added.index, 0);
	cr_assert_eq(added.tree_size, 1);
	cr_assert(strstr(cairn_error_message(), "index 0") != NULL, "%s", cairn_error_message());
	uint64_t size;
	cairn_merkle_hash root;
	check_checkpoint(log, &size, &root);
	cr_assert_eq(size, 2, "duplicates add nothing");
	/* The empty body is an entry like any other, once. */
	cr_assert_eq(add_ok(log, "", 0), 2);
	cr_assert_eq(cairn_log_add(log, NULL, 0, &added), CAIRN_EEXIST);
	cr_assert_eq(added.index, 2);
	cairn_log_close(log);
	cairn_key_free(key);
	tmp_remove(&t);
}

typedef struct slow_adder {
	cairn_log *log;
	int err;
} slow_adder;

static void *add_slow(void *arg)
{
	slow_adder *a = arg;
	cairn_log_added added;
	a->err = cairn_log_add(a->log, "slow", 4, &added);
	return NULL;
}

Test(logstore, queue_full_is_busy)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ED25519);
	/* A queue of one. Another connection holds the database's write lock, so the sequencer's batch
	 * (the slow append) cannot commit and stays in flight: the queue is full until the lock goes. */
	cairn_log *log = open_log(t.path, key, NULL, 1, 0, 0);
	sqlite3 *other = NULL;
	cr_assert_eq(sqlite3_open(t.path, &other), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(other));
	slow_adder a = {log, -100};
	pthread_t tid;
	cr_assert_eq(pthread_create(&tid, NULL, add_slow, &a), 0);
	usleep(300 * 1000);
	cairn_log_added added;
	cr_assert_eq(cairn_log_add(log, "other", 5, &added), CAIRN_EBUSY);
	cr_assert(strstr(cairn_error_message(), "try again") != NULL, "%s", cairn_error_message());
	cr_assert_eq(cairn_error_exit_status(CAIRN_EBUSY), 2);
	cr_assert_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	pthread_join(tid, NULL);
	cr_assert_eq(a.err, 0);
	cr_assert_eq(add_ok(log, "other", 5), 1, "accepted once the queue drained");
	cairn_log_close(log);
	cairn_key_free(key);
	tmp_remove(&t);
}

/* A batch is full at the queue's size when that is smaller than batch_max: the sequencer does not sit
 * out its whole wait for entries that could not be queued. */
Test(logstore, small_queue_does_not_wait_out_the_batch)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ED25519);
	cairn_log *log = open_log(t.path, key, NULL, 1, 0, 5000);
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	cr_assert_eq(add_ok(log, "one", 3), 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	cr_assert_lt(seconds, 4.0, "the append took %.2f s: the sequencer waited out its 5 s batch wait", seconds);
	cairn_log_close(log);
	cairn_key_free(key);
	tmp_remove(&t);
}

/* --- reopening, identity, damage ------------------------------------------------------------------- */

Test(logstore, reopen_resumes_exactly)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256);
	cairn_log *log = open_log(t.path, key, "resume.example", 0, 0, 0);
	char body[64];
	unsigned *by_index = append_many(log, "r", 10, 30, 0);
	free(by_index);
	uint64_t size1, size2;
	cairn_merkle_hash root1, root2;
	cairn_buf note1 = CAIRN_BUF_INIT, note2 = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_log_checkpoint(log, &note1, &size1, &root1), 0);
	/* Another open of the same file while this one runs is refused clearly. */
	cairn_log_options opts = {t.path, key, "resume.example", 0, 0, 0};
	cairn_log *second;
	cr_assert_eq(cairn_log_open(&second, &opts), CAIRN_EBUSY);
	cr_assert(strstr(cairn_error_message(), "already open") != NULL, "%s", cairn_error_message());
	cairn_log_close(log);

	log = open_log(t.path, key, "resume.example", 0, 0, 0);
	cr_assert_eq(cairn_log_checkpoint(log, &note2, &size2, &root2), 0);
	cr_assert_eq(size2, 300);
	cr_assert_eq(size1, size2);
	cr_assert(cairn_merkle_hash_equal(&root1, &root2));
	cr_assert_eq(note1.len, note2.len);
	cr_assert_eq(memcmp(note1.data, note2.data, note1.len), 0, "the same signed checkpoint");
	snprintf(body, sizeof body, "after reopen");
	cr_assert_eq(add_ok(log, body, strlen(body)), 300, "the next index");
	uint64_t size3;
	cairn_merkle_hash root3;
	check_checkpoint(log, &size3, &root3);
	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF];
	size_t count;
	cr_assert_eq(cairn_log_consistency_proof(log, 300, 301, proof, &count), 0);
	cr_assert_eq(cairn_merkle_verify_consistency(300, 301, proof, count, &root1, &root3), 0);
	cairn_log_close(log);

	/* The identity is fixed: another origin or another key is refused. */
	cr_assert_eq(cairn_log_open(&second, &(cairn_log_options){t.path, key, "other.example", 0, 0, 0}), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "origin 'resume.example'") != NULL, "%s", cairn_error_message());
	cairn_key *other = new_key(CAIRN_KEY_ECDSA_P256);
	cr_assert_eq(cairn_log_open(&second, &(cairn_log_options){t.path, other, "resume.example", 0, 0, 0}),
		     CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "signed by key") != NULL, "%s", cairn_error_message());
	/* A public key cannot sign. */
	cairn_key *pub;
	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	cr_assert_eq(cairn_log_open(&second, &(cairn_log_options){t.path, pub, "resume.example", 0, 0, 0}),
		     CAIRN_EINVAL);
	cairn_key_free(pub);
	cairn_key_free(other);
	cairn_buf_free(&note1);
	cairn_buf_free(&note2);
	cairn_key_free(key);
	tmp_remove(&t);
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

Test(logstore, refuses_damaged_and_foreign_databases)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ED25519);
	cairn_log *log;
	cairn_log_options opts = {t.path, key, NULL, 0, 0, 0};

	/* Not SQLite at all. */
	FILE *f = fopen(t.path, "w");
	fputs("this is not a database, just some text long enough to have a header of sorts.....\n", f);
	fclose(f);
	cr_assert_eq(cairn_log_open(&log, &opts), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "not a cairn transparency log") != NULL, "%s", cairn_error_message());
	tmp_remove(&t);

	/* Another application's SQLite file. */
	tmp_make(&t);
	opts.db_path = t.path;
	sql_exec(t.path, "CREATE TABLE things(x); PRAGMA user_version = 1;");
	cr_assert_eq(cairn_log_open(&log, &opts), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "not a cairn transparency log") != NULL, "%s", cairn_error_message());
	tmp_remove(&t);

	/* A future schema version. */
	tmp_make(&t);
	opts.db_path = t.path;
	log = open_log(t.path, key, NULL, 0, 0, 0);
	for (int i = 0; i < 5; i++) {
		char body[16];
		snprintf(body, sizeof body, "e%d", i);
		add_ok(log, body, strlen(body));
	}
	cairn_log_close(log);
	sql_exec(t.path, "PRAGMA user_version = 2;");
	cr_assert_eq(cairn_log_open(&log, &opts), CAIRN_EUNSUPPORTED);
	cr_assert(strstr(cairn_error_message(), "schema version 2") != NULL, "%s", cairn_error_message());
	sql_exec(t.path, "PRAGMA user_version = 1;");
	log = open_log(t.path, key, NULL, 0, 0, 0);
	cairn_log_close(log);

	/* A tampered leaf hash in a tile: the tiles no longer give the signed root. */
	sql_exec(t.path, "UPDATE tiles SET hashes = zeroblob(32) || substr(hashes, 33) WHERE level = 0 AND idx = 0;");
	cr_assert_eq(cairn_log_open(&log, &opts), CAIRN_EIO);
	cr_assert(strstr(cairn_error_message(), "different root") != NULL, "%s", cairn_error_message());

	/* An entry beyond the latest checkpoint. */
	sql_exec(t.path, "UPDATE tiles SET hashes = (SELECT hashes FROM tiles WHERE level = 0 AND idx = 0) "
			 "WHERE level = 0 AND idx = 0;");
	sql_exec(t.path, "INSERT INTO entries(idx, leaf, body, itime) VALUES(5, x'00', x'00', 0);");
	cr_assert_eq(cairn_log_open(&log, &opts), CAIRN_EIO);
	cr_assert(strstr(cairn_error_message(), "inconsistent") != NULL, "%s", cairn_error_message());
	sql_exec(t.path, "DELETE FROM entries WHERE idx = 5;");

	/* A checkpoint whose signature does not verify. */
	sql_exec(t.path, "UPDATE checkpoints SET note = replace(note, 'cairn-log', 'cairn-lug') WHERE size = 5;");
	cr_assert_neq(cairn_log_open(&log, &opts), 0);
	tmp_remove(&t);
	cairn_key_free(key);
}

/* --- a crash in the middle of appends -------------------------------------------------------------- */

typedef struct ack {
	uint32_t round, thread, n;
	uint32_t pad;
	uint64_t index;
} ack;

typedef struct crash_worker {
	cairn_log *log;
	int fd;
	uint32_t round, thread;
} crash_worker;

static size_t crash_body(char *out, size_t cap, uint32_t round, uint32_t thread, uint32_t n)
{
	return (size_t)snprintf(out, cap, "crash round %u thread %u entry %u", round, thread, n);
}

static void *crash_main(void *arg)
{
	crash_worker *w = arg;
	char body[96];
	for (uint32_t n = 0; n < 100000; n++) {
		size_t len = crash_body(body, sizeof body, w->round, w->thread, n);
		cairn_log_added added;
		if (cairn_log_add(w->log, body, len, &added) != 0)
			_exit(3);
		ack a = {w->round, w->thread, n, 0, added.index};
		if (write(w->fd, &a, sizeof a) != (ssize_t)sizeof a)
			_exit(4);
	}
	return NULL;
}

/* The child: appends from 8 threads, reporting each acknowledged index, until it is killed. */
static void crash_child(const char *path, const cairn_key *key, int fd, uint32_t round)
{
	cairn_log_options opts = {path, key, NULL, 0, 0, 1};
	cairn_log *log;
	if (cairn_log_open(&log, &opts) != 0) {
		fprintf(stderr, "child: %s\n", cairn_error_message());
		_exit(2);
	}
	pthread_t tids[8];
	crash_worker workers[8];
	for (uint32_t i = 0; i < 8; i++) {
		workers[i] = (crash_worker){log, fd, round, i};
		pthread_create(&tids[i], NULL, crash_main, &workers[i]);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(tids[i], NULL);
	_exit(0);
}

static int read_ack(int fd, ack *a)
{
	size_t got = 0;
	while (got < sizeof *a) {
		ssize_t n = read(fd, (char *)a + got, sizeof *a - got);
		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

Test(logstore, sigkill_keeps_acknowledged_entries, .timeout = 120)
{
	tmp_log t;
	tmp_make(&t);
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256);
	ack *acks = calloc(100000, sizeof *acks);
	size_t acked = 0;
	/* Three rounds: each child appends until the parent has seen some acknowledgements, then is
	 * killed mid-run; the next round resumes the same file. */
	for (uint32_t round = 0; round < 3; round++) {
		int fds[2];
		cr_assert_eq(pipe(fds), 0);
		pid_t pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0) {
			close(fds[0]);
			crash_child(t.path, key, fds[1], round);
		}
		close(fds[1]);
		size_t target = acked + 100 + 37 * round;
		ack a;
		while (acked < target && read_ack(fds[0], &a))
			acks[acked++] = a;
		cr_assert_eq(acked, target, "round %u: the child stopped early", round);
		cr_assert_eq(kill(pid, SIGKILL), 0);
		int status;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "round %u: the child exited with %d", round,
			  status);
		/* Acknowledgements written before the kill count too. */
		while (acked < 100000 && read_ack(fds[0], &a))
			acks[acked++] = a;
		close(fds[0]);
	}
	/* Every acknowledged entry is there, at the index it was given. */
	cairn_log *log = open_log(t.path, key, NULL, 0, 0, 0);
	uint64_t size;
	cairn_merkle_hash root;
	check_checkpoint(log, &size, &root);
	char body[96];
	for (size_t i = 0; i < acked; i++) {
		cairn_buf got = CAIRN_BUF_INIT;
		size_t len = crash_body(body, sizeof body, acks[i].round, acks[i].thread, acks[i].n);
		cr_assert_lt(acks[i].index, size);
		cr_assert_eq(cairn_log_entry(log, acks[i].index, &got, NULL), 0);
		cr_assert_eq(got.len, len);
		cr_assert_eq(memcmp(got.data, body, len), 0, "entry %llu", (unsigned long long)acks[i].index);
		cairn_buf_free(&got);
	}
	/* The whole tree agrees with its checkpoint, and appending resumes at the next index. */
	cairn_merkle_hash *leaves = calloc(size, sizeof *leaves), recomputed;
	for (uint64_t i = 0; i < size; i++) {
		cairn_buf got = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_log_entry(log, i, &got, NULL), 0);
		cr_assert_eq(cairn_merkle_leaf_hash(got.data, got.len, &leaves[i]), 0);
		cairn_buf_free(&got);
	}
	cr_assert_eq(cairn_merkle_root_from_leaves(leaves, size, &recomputed), 0);
	cr_assert(cairn_merkle_hash_equal(&recomputed, &root));
	cr_assert_eq(add_ok(log, "after the crashes", 17), size);
	cairn_log_close(log);
	free(leaves);
	free(acks);
	cairn_key_free(key);
	tmp_remove(&t);
}
