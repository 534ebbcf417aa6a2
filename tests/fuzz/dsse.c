/* libFuzzer target: DSSE envelopes and in-toto statements must never crash or leak. An envelope that
 * parses is serialised, parsed back (it must give the same type, payload and signatures) and verified
 * against a fixed key set; the first byte picks whether the input is an envelope or a statement. */
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/key.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cairn_key *keys[3];

static void load_keys(void)
{
	if (keys[0] != NULL)
		return;
	if (cairn_key_generate(&keys[0], CAIRN_KEY_ECDSA_P256) != 0 || cairn_key_generate(&keys[1], CAIRN_KEY_ED25519) != 0 ||
	    cairn_key_generate(&keys[2], CAIRN_KEY_ECDSA_P384) != 0)
		abort();
}

static int same(const cairn_dsse_envelope *a, const cairn_dsse_envelope *b)
{
	if (strcmp(a->payload_type, b->payload_type) != 0 || a->payload.len != b->payload.len ||
	    (a->payload.len && memcmp(a->payload.data, b->payload.data, a->payload.len) != 0) || a->sig_count != b->sig_count)
		return 0;
	for (size_t i = 0; i < a->sig_count; i++)
		if (strcmp(a->sigs[i].keyid, b->sigs[i].keyid) != 0 || a->sigs[i].sig.len != b->sigs[i].sig.len ||
		    memcmp(a->sigs[i].sig.data, b->sigs[i].sig.data, a->sigs[i].sig.len) != 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_keys();
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		cairn_intoto_statement st;
		if (cairn_intoto_statement_parse(&st, text, len, "fuzz") == 0)
			cairn_intoto_statement_free(&st);
		return 0;
	}
	cairn_dsse_envelope env, back;
	if (cairn_dsse_parse(&env, text, len, "fuzz") != 0)
		return 0;
	cairn_buf json = CAIRN_BUF_INIT;
	if (cairn_dsse_serialize(&env, &json) == 0) {
		if (cairn_dsse_parse(&back, json.data, json.len, "round trip") != 0 || !same(&env, &back))
			__builtin_trap();
		cairn_dsse_envelope_free(&back);
	}
	const cairn_key *set[3] = {keys[0], keys[1], keys[2]};
	/* fresh keys: nothing fuzzed can carry their signatures */
	if (cairn_dsse_verify(&env, set, 3, 1) == 0)
		__builtin_trap();
	cairn_buf_free(&json);
	cairn_dsse_envelope_free(&env);
	return 0;
}
