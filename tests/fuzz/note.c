/* libFuzzer target: signed notes, verifier keys and checkpoint bodies must never crash or leak,
 * whatever the bytes. The first byte picks the parser; notes are opened against a fixed key set
 * (Go's and C2SP's test keys, a cosigner, and Rekor v1's ECDSA key), so the verification paths for
 * every signature type run on fuzzed signatures. */
#include "cairn/error.h"
#include "cairn/note.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const vkeys[] = {
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
	"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
	"rekor.sigstore.dev+c0d23d6a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=",
};
#define VKEY_COUNT (sizeof vkeys / sizeof vkeys[0])

static cairn_note_verifier *verifiers[VKEY_COUNT + 1];

static void load_verifiers(void)
{
	if (verifiers[0] != NULL)
		return;
	for (size_t i = 0; i < VKEY_COUNT; i++)
		if (cairn_note_verifier_parse(&verifiers[i], vkeys[i], strlen(vkeys[i])) != 0)
			abort();
	/* a cosigner (type 0x04) over the example key's bytes */
	static const char cosigner[] = "witness.example/w1+";
	char vkey[160];
	uint32_t id;
	cairn_buf raw = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
	const char *b64 = strrchr(vkeys[2], '+') + 1;
	if (cairn_base64_decode(&raw, b64, strlen(b64), CAIRN_BASE64_STD, "vkey") != 0)
		abort();
	raw.data[0] = CAIRN_NOTE_SIG_COSIGNATURE_V1;
	if (cairn_note_key_id("witness.example/w1", CAIRN_NOTE_SIG_COSIGNATURE_V1, raw.data + 1, raw.len - 1, &id) != 0 ||
	    cairn_base64_encode(&text, raw.data, raw.len, CAIRN_BASE64_STD) != 0)
		abort();
	int n = snprintf(vkey, sizeof vkey, "%s%08x+%s", cosigner, (unsigned)id, cairn_buf_cstr(&text));
	if (cairn_note_verifier_parse(&verifiers[VKEY_COUNT], vkey, (size_t)n) != 0)
		abort();
	cairn_buf_free(&raw);
	cairn_buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_verifiers();
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 3) {
	case 0: {
		cairn_note *note;
		if (cairn_note_open(&note, text, len, (const cairn_note_verifier *const *)verifiers, VKEY_COUNT + 1, "fuzz") == 0) {
			size_t text_len;
			const char *signed_text = cairn_note_text(note, &text_len);
			if (text_len == 0 || signed_text[text_len - 1] != '\n' || cairn_note_sig_count(note) == 0)
				__builtin_trap();
			cairn_checkpoint cp;
			if (cairn_checkpoint_parse(&cp, signed_text, text_len, "fuzz") == 0)
				cairn_checkpoint_free(&cp);
			cairn_note_free(note);
		}
		break;
	}
	case 1: {
		cairn_note_verifier *v;
		if (cairn_note_verifier_parse(&v, text, len) == 0) {
			/* an accepted vkey formats back to the same text, apart from the ID's hex case */
			cairn_buf out = CAIRN_BUF_INIT;
			if (cairn_note_verifier_format(v, &out) != 0 || out.len != len ||
			    strncasecmp((const char *)out.data, text, len) != 0)
				__builtin_trap();
			cairn_buf_free(&out);
			cairn_note_verifier_free(v);
		}
		break;
	}
	default: {
		cairn_checkpoint cp;
		if (cairn_checkpoint_parse(&cp, text, len, "fuzz") == 0) {
			/* an accepted checkpoint formats back to exactly its text */
			cairn_buf out = CAIRN_BUF_INIT;
			if (cairn_checkpoint_format(cp.origin, cp.size, &cp.root, cp.extensions, &out) != 0 || out.len != len ||
			    memcmp(out.data, text, len) != 0)
				__builtin_trap();
			cairn_buf_free(&out);
			cairn_checkpoint_free(&cp);
		}
		break;
	}
	}
	return 0;
}
