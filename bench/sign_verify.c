/* Sign and verify throughput of libcairn for each key type, in operations per second on one core.
 * Like `openssl speed`, ECDSA signs a pre-computed digest and Ed25519 a short message, and time is
 * the process's CPU time (openssl speed's default), so the figures measure the same work and hold
 * on a busy machine. Prints: type sign/s verify/s. */
#include "cairn/cairn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int measure(enum cairn_key_type type, double seconds, double *sign_rate, double *verify_rate)
{
	cairn_key *key;
	if (cairn_key_generate(&key, type) != 0)
		return -1;
	const char message[] = "cairn benchmark message of 36 bytes"; /* openssl speed's size */
	cairn_digest digest;
	enum cairn_digest_alg alg = cairn_key_default_digest(key);
	if (alg != CAIRN_DIGEST_NONE)
		cairn_digest_compute(alg, message, sizeof message, &digest);
	cairn_buf sig = CAIRN_BUF_INIT;
	long count = 0;
	double start = now(), end;
	do {
		cairn_buf_clear(&sig);
		int err = alg == CAIRN_DIGEST_NONE ? cairn_sig_sign(key, message, sizeof message, &sig)
						   : cairn_sig_sign_digest(key, &digest, &sig);
		if (err)
			return -1;
		count++;
	} while ((end = now()) - start < seconds);
	*sign_rate = (double)count / (end - start);
	count = 0;
	start = now();
	do {
		int err = alg == CAIRN_DIGEST_NONE ? cairn_sig_verify(key, message, sizeof message, sig.data, sig.len)
						   : cairn_sig_verify_digest(key, &digest, sig.data, sig.len);
		if (err)
			return -1;
		count++;
	} while ((end = now()) - start < seconds);
	*verify_rate = (double)count / (end - start);
	cairn_buf_free(&sig);
	cairn_key_free(key);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	const enum cairn_key_type types[] = {CAIRN_KEY_ECDSA_P256, CAIRN_KEY_ECDSA_P384, CAIRN_KEY_ED25519};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		double sign_rate, verify_rate;
		if (measure(types[i], seconds, &sign_rate, &verify_rate) != 0) {
			fprintf(stderr, "bench: %s failed: %s\n", cairn_key_type_name(types[i]), cairn_error_message());
			return 3;
		}
		printf("%s %.1f %.1f\n", cairn_key_type_name(types[i]), sign_rate, verify_rate);
	}
	return 0;
}
