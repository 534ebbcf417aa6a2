/* A load generator for cairn's transparency log server on loopback (bench/log.sh runs it).
 *
 *   log_load append URL CLIENTS SECONDS MAX_ENTRIES   POST pre-signed hashedrekord entries
 *   log_load proof  URL CLIENTS SECONDS TREE_SIZE     GET /api/v1/log/proof (random firstSize)
 *   log_load entry  URL CLIENTS SECONDS TREE_SIZE     GET /api/v1/log/entries?logIndex=N (random N)
 *   log_load tile   URL CLIENTS SECONDS TREE_SIZE     GET /tile/0/N (random full tile, or the partial one)
 *
 * Each client is one thread with one keep-alive libcurl handle, sending its next request as soon as the
 * last one is answered (a closed loop, as a client waiting for its acknowledgement behaves). Entries are
 * signed before the clock starts, each over its own artifact with a key made for this run (so a new run
 * never repeats an entry of an earlier one), so the generator's own cost per request is a memcpy and an
 * HTTP exchange. A request counts as done when the server gives the expected status (201 for appends,
 * 200 for reads); anything else is counted as an error.
 *
 * Prints one line: mode clients done errors seconds per_second p50_ms p99_ms */
#include "cairn/cairn.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CLIENTS 256
#define MAX_ENTRIES 1000000
#define MAX_SECONDS 600

enum mode { MODE_APPEND, MODE_PROOF, MODE_ENTRY, MODE_TILE };

struct shared {
	enum mode mode;
	const char *url;
	double seconds;
	uint64_t tree_size;
	char **entries; /* MODE_APPEND: the request bodies */
	size_t entry_count;
	atomic_size_t next_entry;
};

struct client {
	pthread_t thread;
	struct shared *shared;
	unsigned id;
	double *latency; /* seconds, one per request done */
	size_t latency_cap, done, errors;
	int failed; /* the client could not run at all */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- entries, signed ahead of time ---- */

/* A hashedrekord 0.0.1 proposal: signature, public key PEM (both base64), artifact SHA-256 (hex). */
#define ENTRY_FORMAT                                                                                             \
	"{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"signature\":{\"content\":\"%.*s\","            \
	"\"publicKey\":{\"content\":\"%.*s\"}},\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\"%.*s\"}}}}"

static int make_entries(struct shared *s, size_t count)
{
	cairn_key *key = NULL;
	cairn_buf pem = CAIRN_BUF_INIT, pem64 = CAIRN_BUF_INIT, sig = CAIRN_BUF_INIT, sig64 = CAIRN_BUF_INIT;
	cairn_buf hex = CAIRN_BUF_INIT;
	uint8_t nonce[16];
	int err = cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256);
	if (!err)
		err = cairn_key_save_public(key, &pem);
	if (!err)
		err = cairn_base64_encode(&pem64, pem.data, pem.len, CAIRN_BASE64_STD);
	/* The run's nonce keeps artifacts of different runs apart even if a key repeated. */
	srand((unsigned)time(NULL));
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)rand();
	s->entries = calloc(count, sizeof *s->entries);
	if (!err && s->entries == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < count; i++) {
		char artifact[96];
		int n = snprintf(artifact, sizeof artifact, "log_load artifact %zu %02x%02x%02x%02x%02x%02x%02x%02x", i,
				 nonce[0], nonce[1], nonce[2], nonce[3], nonce[4], nonce[5], nonce[6], nonce[7]);
		cairn_digest digest;
		cairn_buf_clear(&sig);
		cairn_buf_clear(&sig64);
		cairn_buf_clear(&hex);
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, artifact, (size_t)n, &digest);
		if (!err)
			err = cairn_sig_sign_digest(key, &digest, &sig);
		if (!err)
			err = cairn_base64_encode(&sig64, sig.data, sig.len, CAIRN_BASE64_STD);
		if (!err)
			err = cairn_hex_encode(&hex, digest.bytes, digest.len);
		if (err)
			break;
		int len = snprintf(NULL, 0, ENTRY_FORMAT, (int)sig64.len, sig64.data, (int)pem64.len, pem64.data, (int)hex.len, hex.data);
		s->entries[i] = malloc((size_t)len + 1);
		if (s->entries[i] == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
		snprintf(s->entries[i], (size_t)len + 1, ENTRY_FORMAT, (int)sig64.len, sig64.data, (int)pem64.len, pem64.data,
			 (int)hex.len, hex.data);
		s->entry_count = i + 1;
	}
	cairn_buf_free(&pem);
	cairn_buf_free(&pem64);
	cairn_buf_free(&sig);
	cairn_buf_free(&sig64);
	cairn_buf_free(&hex);
	cairn_key_free(key);
	return err;
}

/* ---- one client ---- */

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* xorshift64: a different cheap sequence per client, so reads spread over the tree. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* The URL of the next read request. */
static void read_url(const struct shared *s, uint64_t *rng, char *url, size_t size)
{
	uint64_t n = s->tree_size;
	switch (s->mode) {
	case MODE_PROOF:
		snprintf(url, size, "%s/api/v1/log/proof?firstSize=%" PRIu64 "&lastSize=%" PRIu64, s->url,
			 1 + next_random(rng) % n, n);
		break;
	case MODE_ENTRY:
		snprintf(url, size, "%s/api/v1/log/entries?logIndex=%" PRIu64, s->url, next_random(rng) % n);
		break;
	default: {
		/* A full level-0 tile when there is one, else the partial tile at the tree's edge. */
		uint64_t full = n / CAIRN_LOG_TILE_WIDTH;
		uint64_t index = full > 0 ? next_random(rng) % full : 0;
		unsigned width = full > 0 ? CAIRN_LOG_TILE_WIDTH : (unsigned)n;
		cairn_buf path = CAIRN_BUF_INIT;
		if (cairn_log_tile_path_format(0, 0, index, width, &path) == 0)
			snprintf(url, size, "%s%.*s", s->url, (int)path.len, path.data);
		else
			snprintf(url, size, "%s/tile/invalid", s->url);
		cairn_buf_free(&path);
		break;
	}
	}
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct shared *s = c->shared;
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = headers != NULL ? curl_slist_append(headers, "Expect:") : NULL;
	if (curl == NULL || headers == NULL) {
		c->failed = 1;
		goto out;
	}
	char url[512];
	uint64_t rng = 0x9E3779B97F4A7C15ull * (c->id + 1);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	if (s->mode == MODE_APPEND) {
		snprintf(url, sizeof url, "%s/api/v1/log/entries", s->url);
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	}
	long want = s->mode == MODE_APPEND ? 201 : 200;
	double end = now() + s->seconds;
	for (;;) {
		double start = now();
		if (start >= end)
			break;
		if (s->mode == MODE_APPEND) {
			size_t i = atomic_fetch_add(&s->next_entry, 1);
			if (i >= s->entry_count)
				break; /* every pre-signed entry is used: the run ends early */
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, s->entries[i]);
		} else {
			read_url(s, &rng, url, sizeof url);
			curl_easy_setopt(curl, CURLOPT_URL, url);
		}
		long status = 0;
		CURLcode rc = curl_easy_perform(curl);
		if (rc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		double took = now() - start;
		if (status != want) {
			c->errors++;
			continue;
		}
		if (c->done == c->latency_cap) {
			size_t cap = c->latency_cap ? c->latency_cap * 2 : 4096;
			double *grown = realloc(c->latency, cap * sizeof *grown);
			if (grown == NULL) {
				c->failed = 1;
				break;
			}
			c->latency = grown;
			c->latency_cap = cap;
		}
		c->latency[c->done++] = took;
	}
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return NULL;
}

/* ---- main ---- */

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int usage(void)
{
	fprintf(stderr, "usage: log_load append URL CLIENTS SECONDS MAX_ENTRIES\n"
			"       log_load proof|entry|tile URL CLIENTS SECONDS TREE_SIZE\n");
	return 2;
}

static int parse_number(const char *text, unsigned long long min, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long value = strtoull(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 6)
		return usage();
	struct shared s;
	memset(&s, 0, sizeof s);
	unsigned long long clients, seconds, number;
	if (strcmp(argv[1], "append") == 0)
		s.mode = MODE_APPEND;
	else if (strcmp(argv[1], "proof") == 0)
		s.mode = MODE_PROOF;
	else if (strcmp(argv[1], "entry") == 0)
		s.mode = MODE_ENTRY;
	else if (strcmp(argv[1], "tile") == 0)
		s.mode = MODE_TILE;
	else
		return usage();
	s.url = argv[2];
	if (parse_number(argv[3], 1, MAX_CLIENTS, &clients) != 0 || parse_number(argv[4], 1, MAX_SECONDS, &seconds) != 0 ||
	    parse_number(argv[5], 1, MAX_ENTRIES, &number) != 0)
		return usage();
	s.seconds = (double)seconds;
	s.tree_size = number;
	if (s.mode == MODE_APPEND && make_entries(&s, (size_t)number) != 0) {
		fprintf(stderr, "log_load: cannot sign the entries: %s\n", cairn_error_message());
		return 3;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct client *c = calloc(clients, sizeof *c);
	if (c == NULL)
		return 3;
	double start = now();
	unsigned started = 0;
	for (unsigned i = 0; i < clients; i++) {
		c[i].shared = &s;
		c[i].id = i;
		if (pthread_create(&c[i].thread, NULL, client_main, &c[i]) != 0)
			break;
		started++;
	}
	size_t done = 0, errors = 0;
	int failed = started < clients;
	for (unsigned i = 0; i < started; i++) {
		pthread_join(c[i].thread, NULL);
		done += c[i].done;
		errors += c[i].errors;
		failed |= c[i].failed;
	}
	double elapsed = now() - start;
	double *all = done > 0 ? malloc(done * sizeof *all) : NULL;
	size_t n = 0;
	for (unsigned i = 0; i < started; i++) {
		if (all != NULL)
			memcpy(all + n, c[i].latency, c[i].done * sizeof *all);
		n += c[i].done;
		free(c[i].latency);
	}
	double p50 = 0, p99 = 0;
	if (all != NULL) {
		qsort(all, n, sizeof *all, compare_double);
		p50 = all[(n - 1) * 50 / 100];
		p99 = all[(n - 1) * 99 / 100];
	}
	printf("%s %llu %zu %zu %.2f %.0f %.2f %.2f\n", argv[1], clients, done, errors, elapsed, (double)done / elapsed,
	       p50 * 1000, p99 * 1000);
	free(all);
	free(c);
	for (size_t i = 0; i < s.entry_count; i++)
		free(s.entries[i]);
	free(s.entries);
	curl_global_cleanup();
	return failed ? 3 : 0;
}
