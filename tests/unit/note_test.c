/* Unit tests of signed notes, verifier keys, checkpoints and cosignatures: the corpus's signed-note
 * vectors (Go's sumdb/note tests and the C2SP example), real Rekor v1 (ECDSA) and Rekor v2 (Ed25519)
 * checkpoints from the Sigstore conformance suite, and the spec's format rules one by one. */
#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/note.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define EM_DASH "\xe2\x80\x94"

static json_t *load_corpus_json(const char *relative)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", test_corpus(), relative);
	json_error_t error;
	json_t *root = json_load_file(path, 0, &error);
	cr_assert_not_null(root, "%s: %s", path, error.text);
	return root;
}

static cairn_note_verifier *vkey(const char *text)
{
	cairn_note_verifier *v;
	cr_assert_eq(cairn_note_verifier_parse(&v, text, strlen(text)), 0, "%s: %s", text, cairn_error_message());
	return v;
}

/* --- the corpus's signed-note vectors ------------------------------------------------------------- */

static int has_name(json_t *array, const char *name)
{
	size_t i;
	json_t *item;
	json_array_foreach(array, i, item) {
		const char *s = json_string_value(item);
		size_t n = strlen(name);
		/* "EnochRoot(corrupt)" names a corrupt line of EnochRoot */
		if (strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == '('))
			return 1;
	}
	return 0;
}

Test(note, vkeys_parse_and_format_back)
{
	json_t *root = load_corpus_json("tlog/signed-note-vectors.json");
	const char *name;
	json_t *value;
	size_t seen = 0;
	json_object_foreach(json_object_get(root, "vkeys"), name, value) {
		const char *text = json_string_value(value);
		cairn_note_verifier *v = vkey(text);
		cr_assert_str_eq(cairn_note_verifier_name(v), name);
		cr_assert_eq(cairn_note_verifier_type(v), CAIRN_NOTE_SIG_ED25519);
		unsigned id;
		cr_assert_eq(sscanf(strchr(text, '+') + 1, "%8x", &id), 1);
		cr_assert_eq(cairn_note_verifier_key_id(v), id);
		cairn_buf out = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_note_verifier_format(v, &out), 0);
		cr_assert_str_eq(cairn_buf_cstr(&out), text);
		cairn_buf_free(&out);
		cairn_note_verifier_free(v);
		seen++;
	}
	cr_assert_eq(seen, 3);
	json_decref(root);
}

Test(note, signed_note_vectors)
{
	json_t *root = load_corpus_json("tlog/signed-note-vectors.json");
	json_t *vkeys = json_object_get(root, "vkeys");
	json_t *cases = json_object_get(root, "cases");
	cr_assert_geq(json_array_size(cases), 12);
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *text = json_string_value(json_object_get(c, "note"));
		json_t *names = json_object_get(c, "verifiers");
		cairn_note_verifier *verifiers[8];
		size_t count = json_array_size(names);
		cr_assert(count <= 8);
		for (size_t k = 0; k < count; k++)
			verifiers[k] = vkey(json_string_value(json_object_get(vkeys, json_string_value(json_array_get(names, k)))));

		cairn_note *note = NULL;
		cairn_error_clear();
		int err = cairn_note_open(&note, text, strlen(text), (const cairn_note_verifier *const *)verifiers, count, id);
		const char *expect = json_string_value(json_object_get(c, "expect"));
		if (strcmp(expect, "ok") == 0) {
			cr_assert_eq(err, 0, "%s: %s", id, cairn_error_message());
			json_t *verified = json_object_get(c, "verified_sigs");
			for (size_t k = 0; k < count; k++)
				cr_assert_eq(cairn_note_verified_by(note, verifiers[k]),
					     has_name(verified, cairn_note_verifier_name(verifiers[k])), "%s: %s", id,
					     cairn_note_verifier_name(verifiers[k]));
			/* every line from a key not given must be left unverified */
			json_t *unverified = json_object_get(c, "unverified_sigs");
			for (size_t k = 0; k < cairn_note_sig_count(note); k++) {
				const cairn_note_sig *sig = cairn_note_sig_at(note, k);
				if (has_name(unverified, sig->name) && !has_name(verified, sig->name))
					cr_assert_null(sig->verifier, "%s: line %zu", id, k);
			}
			size_t text_len;
			const char *signed_text = cairn_note_text(note, &text_len);
			cr_assert(text_len > 0 && signed_text[text_len - 1] == '\n');
			cr_assert(strncmp(signed_text, text, text_len) == 0);
		} else {
			const char *why = json_string_value(json_object_get(c, "error"));
			cr_assert_neq(err, 0, "%s: must fail (%s)", id, why);
			cr_assert_null(note);
			if (strncmp(why, "malformed note", 14) == 0)
				cr_assert(err == CAIRN_EINVAL || err == CAIRN_ETOOBIG, "%s: %s", id, cairn_error_message());
			else if (strncmp(why, "invalid signature for key", 25) == 0) {
				cr_assert_eq(err, CAIRN_EVERIFY, "%s", id);
				cr_assert(strstr(cairn_error_message(), "PeterNeumann+c74f20a3 does not verify") != NULL, "%s",
					  cairn_error_message());
			} else {
				cr_assert_eq(err, CAIRN_EVERIFY, "%s: %s", id, cairn_error_message());
				cr_assert(strstr(cairn_error_message(), "no signature from a known key") != NULL, "%s",
					  cairn_error_message());
			}
			cr_assert(strstr(cairn_error_message(), id) != NULL, "%s: message does not name the input: %s", id,
				  cairn_error_message());
		}
		cairn_note_free(note);
		for (size_t k = 0; k < count; k++)
			cairn_note_verifier_free(verifiers[k]);
	}
	json_decref(root);
}

/* The Go test's bad-invalid-utf8 case, which JSON cannot carry. */
Test(note, invalid_utf8_is_malformed)
{
	json_t *root = load_corpus_json("tlog/signed-note-vectors.json");
	json_t *first = json_array_get(json_object_get(root, "cases"), 0);
	const char *good = json_string_value(json_object_get(first, "note"));
	cairn_buf bad = CAIRN_BUF_INIT;
	cairn_buf_append_byte(&bad, 0xff);
	cairn_buf_append_str(&bad, good);
	cairn_note *note;
	cr_assert_eq(cairn_note_parse(&note, bad.data, bad.len, "note"), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "invalid UTF-8 at byte 0") != NULL, "%s", cairn_error_message());
	cairn_buf_free(&bad);
	json_decref(root);
}

/* Ed25519 is deterministic, so signing Go's test text with Go's test key must give Go's signature. */
Test(note, signing_reproduces_go_signature)
{
	json_t *root = load_corpus_json("tlog/signed-note-vectors.json");
	const char *skey = json_string_value(json_object_get(root, "skey_PeterNeumann"));
	const char *text = json_string_value(json_object_get(root, "text"));
	/* PRIVATE+KEY+name+id+base64(0x01 || seed) */
	const char *b64 = skey; /* after the fourth '+' (the base64 may hold '+' too) */
	for (int plus = 0; plus < 4; plus++)
		b64 = strchr(b64, '+') + 1;
	cairn_buf seed = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_decode(&seed, b64, strlen(b64), CAIRN_BASE64_STD, "skey"), 0);
	cr_assert_eq(seed.len, 33);
	cr_assert_eq(seed.data[0], 0x01);
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed.data + 1, 32);
	cr_assert_not_null(pkey);
	cairn_key *key;
	cr_assert_eq(cairn_key_from_evp(&key, pkey, "PeterNeumann"), 0, "%s", cairn_error_message());
	EVP_PKEY_free(pkey);

	cairn_note_signer *signer;
	cr_assert_eq(cairn_note_signer_new(&signer, "PeterNeumann", key), 0, "%s", cairn_error_message());
	cairn_buf line = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_note_sign_line(signer, text, strlen(text), &line), 0, "%s", cairn_error_message());
	const char *expected_note = json_string_value(json_object_get(json_array_get(json_object_get(root, "cases"), 0), "note"));
	const char *expected_line = strstr(expected_note, EM_DASH " PeterNeumann ");
	cr_assert_not_null(expected_line);
	cr_assert(strncmp(cairn_buf_cstr(&line), expected_line, line.len) == 0, "got %s", cairn_buf_cstr(&line));

	/* and its verifier key is Go's vkey */
	cairn_note_verifier *v;
	cr_assert_eq(cairn_note_signer_verifier(signer, &v), 0);
	cairn_buf vk = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_note_verifier_format(v, &vk), 0);
	cr_assert_str_eq(cairn_buf_cstr(&vk), json_string_value(json_object_get(json_object_get(root, "vkeys"), "PeterNeumann")));

	/* a whole note signed by it opens with that verifier */
	cairn_buf whole = CAIRN_BUF_INIT;
	const cairn_note_signer *signers[] = {signer};
	cr_assert_eq(cairn_note_sign(text, strlen(text), signers, 1, &whole), 0);
	cairn_note *note;
	const cairn_note_verifier *verifiers[] = {v};
	cr_assert_eq(cairn_note_open(&note, whole.data, whole.len, verifiers, 1, "signed"), 0, "%s", cairn_error_message());
	cairn_note_free(note);

	cairn_buf_free(&whole);
	cairn_buf_free(&vk);
	cairn_buf_free(&line);
	cairn_buf_free(&seed);
	cairn_note_verifier_free(v);
	cairn_note_signer_free(signer);
	cairn_key_free(key);
	json_decref(root);
}

/* --- real Rekor checkpoints ------------------------------------------------------------------------ */

static cairn_key *trusted_root_log_key(const char *trusted_root, const char *base_url)
{
	json_t *root = load_corpus_json(trusted_root);
	size_t i;
	json_t *log;
	cairn_key *key = NULL;
	json_array_foreach(json_object_get(root, "tlogs"), i, log) {
		if (strcmp(json_string_value(json_object_get(log, "baseUrl")), base_url) != 0)
			continue;
		const char *b64 = json_string_value(json_object_get(json_object_get(log, "publicKey"), "rawBytes"));
		cairn_buf der = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_base64_decode(&der, b64, strlen(b64), CAIRN_BASE64_STD, "rawBytes"), 0);
		cr_assert_eq(cairn_key_load_public_der(&key, der.data, der.len, base_url), 0, "%s", cairn_error_message());
		cairn_buf_free(&der);
	}
	cr_assert_not_null(key, "no log %s in %s", base_url, trusted_root);
	json_decref(root);
	return key;
}

/* The checkpoint envelope of a conformance bundle (the caller frees it). */
static char *bundle_checkpoint(const char *name)
{
	char relative[512];
	snprintf(relative, sizeof relative, "sigstore/conformance/bundle-verify/%s/bundle.sigstore.json", name);
	json_t *bundle = load_corpus_json(relative);
	json_t *entry = json_array_get(json_object_get(json_object_get(bundle, "verificationMaterial"), "tlogEntries"), 0);
	const char *envelope =
		json_string_value(json_object_get(json_object_get(json_object_get(entry, "inclusionProof"), "checkpoint"), "envelope"));
	cr_assert_not_null(envelope, "%s has no checkpoint", name);
	char *copy = strdup(envelope);
	json_decref(bundle);
	return copy;
}

static int open_checkpoint(const char *bundle, const cairn_note_verifier *v, cairn_note **note)
{
	char *envelope = bundle_checkpoint(bundle);
	const cairn_note_verifier *verifiers[] = {v};
	int err = cairn_note_open(note, envelope, strlen(envelope), verifiers, 1, bundle);
	free(envelope);
	return err;
}

Test(note, rekor_v1_ecdsa_checkpoints)
{
	cairn_key *key = trusted_root_log_key("sigstore/trusted_root.public-good.json", "https://rekor.sigstore.dev");
	cairn_note_verifier *v;
	cr_assert_eq(cairn_note_verifier_new(&v, "rekor.sigstore.dev", key), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_note_verifier_type(v), CAIRN_NOTE_SIG_ECDSA);
	/* Rekor's key ID: SHA-256 of the DER public key, whose first bytes the trusted root's logId shows */
	cr_assert_eq(cairn_note_verifier_key_id(v), 0xc0d23d6a);

	static const char *const good[] = {"happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3"};
	for (size_t i = 0; i < 3; i++) {
		cairn_note *note;
		cr_assert_eq(open_checkpoint(good[i], v, &note), 0, "%s: %s", good[i], cairn_error_message());
		cr_assert(cairn_note_verified_by(note, v));
		size_t len;
		const char *text = cairn_note_text(note, &len);
		cairn_checkpoint cp;
		cr_assert_eq(cairn_checkpoint_parse(&cp, text, len, good[i]), 0, "%s", cairn_error_message());
		cr_assert_str_eq(cp.origin, "rekor.sigstore.dev - 2605736670972794746");
		if (i < 2) {
			cr_assert_eq(cp.size, 23083062);
			cr_assert_eq(cp.extension_count, 1);
			cr_assert_str_eq(cp.extensions, "Timestamp: 1689177396617352539\n");
		} else {
			cr_assert_eq(cp.size, 75408393);
			cr_assert_eq(cp.extension_count, 0);
		}
		/* formatting the parsed fields gives back the signed text */
		cairn_buf again = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_checkpoint_format(cp.origin, cp.size, &cp.root, cp.extensions, &again), 0);
		cr_assert_eq(again.len, len);
		cr_assert_eq(memcmp(again.data, text, len), 0);
		cairn_buf_free(&again);
		cairn_checkpoint_free(&cp);
		cairn_note_free(note);
	}
	cairn_note *note;
	cr_assert_eq(open_checkpoint("invalid-checkpoint-signature_fail", v, &note), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "rekor.sigstore.dev+c0d23d6a does not verify") != NULL, "%s",
		  cairn_error_message());
	/* the key hint (key ID) names another key: the line is ignored, so nothing known signed */
	cr_assert_eq(open_checkpoint("checkpoint-bad-keyhint_fail", v, &note), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "no signature from a known key") != NULL, "%s", cairn_error_message());
	cairn_note_verifier_free(v);
	cairn_key_free(key);
}

Test(note, rekor_v2_ed25519_checkpoints)
{
	cairn_key *key = trusted_root_log_key("sigstore/conformance/bundle-verify/rekor2-happy-path/trusted_root.json",
					      "https://log2025-alpha1.rekor.sigstage.dev");
	cairn_note_verifier *v;
	cr_assert_eq(cairn_note_verifier_new(&v, "log2025-alpha1.rekor.sigstage.dev", key), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_note_verifier_type(v), CAIRN_NOTE_SIG_ED25519);
	static const char *const good[] = {"rekor2-happy-path", "rekor2-checkpoint-cosigned", "rekor2-checkpoint-multiple-cosigs",
					   "rekor2-checkpoint-origin-not-first", "rekor2-checkpoint-two-sigs-cosigned",
					   "rekor2-checkpoint-two-sigs-from-origin"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		cairn_note *note;
		cr_assert_eq(open_checkpoint(good[i], v, &note), 0, "%s: %s", good[i], cairn_error_message());
		size_t len;
		const char *text = cairn_note_text(note, &len);
		cairn_checkpoint cp;
		cr_assert_eq(cairn_checkpoint_parse(&cp, text, len, good[i]), 0, "%s", cairn_error_message());
		cr_assert_str_eq(cp.origin, "log2025-alpha1.rekor.sigstage.dev");
		cr_assert_eq(cp.size, 736);
		cairn_checkpoint_free(&cp);
		cairn_note_free(note);
	}
	cairn_note *note;
	/* no signature lines at all */
	cr_assert_eq(open_checkpoint("rekor2-checkpoint-missing-log-signature_fail", v, &note), CAIRN_EINVAL);
	/* signed under another name: unknown, so nothing known signed */
	cr_assert_eq(open_checkpoint("rekor2-checkpoint-no-matching-signature_fail", v, &note), CAIRN_EVERIFY);
	cairn_note_verifier_free(v);
	cairn_key_free(key);
}

/* --- signing, cosigning and the spec's rules ------------------------------------------------------ */

static const char checkpoint_text[] = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

Test(note, ecdsa_and_cosignature_round_trip)
{
	cairn_key *log_key, *witness_key, *other_key;
	cr_assert_eq(cairn_key_generate(&log_key, CAIRN_KEY_ECDSA_P256), 0);
	cr_assert_eq(cairn_key_generate(&witness_key, CAIRN_KEY_ED25519), 0);
	cr_assert_eq(cairn_key_generate(&other_key, CAIRN_KEY_ED25519), 0);
	cairn_note_signer *log_signer, *witness;
	cr_assert_eq(cairn_note_signer_new(&log_signer, "example.com/behind-the-sofa", log_key), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_note_signer_new_cosigner(&witness, "witness.example.com/w1", witness_key), 0);
	cairn_note_signer_set_time(witness, 1679315147);
	cairn_note_verifier *log_v, *witness_v, *wrong_v;
	cr_assert_eq(cairn_note_signer_verifier(log_signer, &log_v), 0);
	cr_assert_eq(cairn_note_signer_verifier(witness, &witness_v), 0);
	/* same name, another key: a different key ID, so its absence is just an unknown key */
	cr_assert_eq(cairn_note_verifier_new_cosigner(&wrong_v, "witness.example.com/w1", other_key), 0);
	cr_assert_neq(cairn_note_verifier_key_id(wrong_v), cairn_note_verifier_key_id(witness_v));

	/* key IDs as the specs define them */
	cairn_buf der = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_public_der(log_key, &der), 0);
	cairn_digest d;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, der.data, der.len, &d), 0);
	cr_assert_eq(cairn_note_verifier_key_id(log_v),
		     (uint32_t)d.bytes[0] << 24 | (uint32_t)d.bytes[1] << 16 | (uint32_t)d.bytes[2] << 8 | d.bytes[3]);
	uint8_t raw[32];
	size_t raw_len = sizeof raw;
	cr_assert_eq(EVP_PKEY_get_raw_public_key(cairn_key_evp(witness_key), raw, &raw_len), 1);
	uint8_t id_input[64];
	size_t n = strlen("witness.example.com/w1");
	memcpy(id_input, "witness.example.com/w1\n\x04", n + 2);
	memcpy(id_input + n + 2, raw, 32);
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, id_input, n + 34, &d), 0);
	cr_assert_eq(cairn_note_verifier_key_id(witness_v),
		     (uint32_t)d.bytes[0] << 24 | (uint32_t)d.bytes[1] << 16 | (uint32_t)d.bytes[2] << 8 | d.bytes[3]);

	cairn_buf note_text = CAIRN_BUF_INIT;
	const cairn_note_signer *signers[] = {log_signer, witness};
	cr_assert_eq(cairn_note_sign(checkpoint_text, strlen(checkpoint_text), signers, 2, &note_text), 0, "%s",
		     cairn_error_message());

	cairn_note *note;
	const cairn_note_verifier *both[] = {log_v, witness_v};
	cr_assert_eq(cairn_note_open(&note, note_text.data, note_text.len, both, 2, "cosigned"), 0, "%s", cairn_error_message());
	cr_assert(cairn_note_verified_by(note, log_v));
	cr_assert(cairn_note_verified_by(note, witness_v));
	cr_assert_eq(cairn_note_sig_at(note, 1)->timestamp, 1679315147);
	/* the cosignature is 8 bytes of time and 64 of Ed25519 over the spec's message */
	const cairn_note_sig *cosig = cairn_note_sig_at(note, 1);
	cr_assert_eq(cosig->sig_len, 72);
	cairn_buf msg = CAIRN_BUF_INIT;
	cairn_buf_append_str(&msg, "cosignature/v1\ntime 1679315147\n");
	cairn_buf_append_str(&msg, checkpoint_text);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	cr_assert_eq(EVP_DigestVerifyInit(md, NULL, NULL, NULL, cairn_key_evp(witness_key)), 1);
	cr_assert_eq(EVP_DigestVerify(md, cosig->sig + 8, 64, msg.data, msg.len), 1);
	EVP_MD_CTX_free(md);
	cairn_note_free(note);

	/* only the witness known: still fine; only an unrelated key: fails */
	const cairn_note_verifier *just_witness[] = {witness_v};
	cr_assert_eq(cairn_note_open(&note, note_text.data, note_text.len, just_witness, 1, "cosigned"), 0);
	cr_assert(!cairn_note_verified_by(note, log_v));
	cairn_note_free(note);
	const cairn_note_verifier *unrelated[] = {wrong_v};
	cr_assert_eq(cairn_note_open(&note, note_text.data, note_text.len, unrelated, 1, "cosigned"), CAIRN_EVERIFY);

	/* changing the timestamp in the cosignature breaks it */
	const char *witness_line = strstr((const char *)note_text.data, EM_DASH " witness.example.com/w1 ");
	cr_assert_not_null(witness_line);
	const char *b64 = witness_line + strlen(EM_DASH " witness.example.com/w1 ");
	cairn_buf sig = CAIRN_BUF_INIT, tampered = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_decode(&sig, b64, strcspn(b64, "\n"), CAIRN_BASE64_STD, "sig"), 0);
	sig.data[4 + 7] ^= 1;
	cairn_buf_append(&tampered, note_text.data, (size_t)(b64 - (const char *)note_text.data));
	cairn_base64_encode(&tampered, sig.data, sig.len, CAIRN_BASE64_STD);
	cairn_buf_append_byte(&tampered, '\n');
	cr_assert_eq(cairn_note_open(&note, tampered.data, tampered.len, both, 2, "tampered"), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "witness.example.com/w1+") != NULL, "%s", cairn_error_message());

	/* vkeys of both kinds parse back to the same key IDs */
	cairn_buf vk = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_note_verifier_format(log_v, &vk), 0);
	cairn_note_verifier *parsed = vkey(cairn_buf_cstr(&vk));
	cr_assert_eq(cairn_note_verifier_key_id(parsed), cairn_note_verifier_key_id(log_v));
	cr_assert_eq(cairn_note_verifier_type(parsed), CAIRN_NOTE_SIG_ECDSA);
	cairn_note_verifier_free(parsed);
	cairn_buf_clear(&vk);
	cr_assert_eq(cairn_note_verifier_format(witness_v, &vk), 0);
	parsed = vkey(cairn_buf_cstr(&vk));
	cr_assert_eq(cairn_note_verifier_type(parsed), CAIRN_NOTE_SIG_COSIGNATURE_V1);
	cairn_note_verifier_free(parsed);

	/* a cosigner needs Ed25519; nothing signs with a public key */
	cairn_note_signer *bad;
	cr_assert_eq(cairn_note_signer_new_cosigner(&bad, "w", log_key), CAIRN_EUNSUPPORTED);
	cairn_key *pub;
	cr_assert_eq(cairn_key_public_copy(log_key, &pub), 0);
	cr_assert_eq(cairn_note_signer_new(&bad, "w", pub), CAIRN_EINVAL);
	cairn_key_free(pub);

	cairn_buf_free(&vk);
	cairn_buf_free(&sig);
	cairn_buf_free(&tampered);
	cairn_buf_free(&msg);
	cairn_buf_free(&der);
	cairn_buf_free(&note_text);
	cairn_note_verifier_free(log_v);
	cairn_note_verifier_free(witness_v);
	cairn_note_verifier_free(wrong_v);
	cairn_note_signer_free(log_signer);
	cairn_note_signer_free(witness);
	cairn_key_free(log_key);
	cairn_key_free(witness_key);
	cairn_key_free(other_key);
}

/* A note of `count` copies of the C2SP example's signature line. */
static void example_note(cairn_buf *out, size_t count)
{
	cairn_buf_clear(out);
	cairn_buf_append_str(out, "This is an example message.\n\n");
	for (size_t i = 0; i < count; i++)
		cairn_buf_append_str(out, EM_DASH " example.com/foo "
					  "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n");
}

static int parse_str(const char *text)
{
	cairn_note *note;
	int err = cairn_note_parse(&note, text, strlen(text), "note");
	cairn_note_free(note);
	return err;
}

Test(note, format_rules)
{
	cairn_buf buf = CAIRN_BUF_INIT;
	cairn_note_verifier *v = vkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
	const cairn_note_verifier *verifiers[] = {v};
	cairn_note *note;
	/* the spec requires accepting 16 signatures; the limit is 100 lines */
	example_note(&buf, 16);
	cr_assert_eq(cairn_note_open(&note, buf.data, buf.len, verifiers, 1, "16"), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_note_sig_count(note), 16);
	cairn_note_free(note);
	example_note(&buf, 100);
	cr_assert_eq(cairn_note_open(&note, buf.data, buf.len, verifiers, 1, "100"), 0);
	cairn_note_free(note);
	example_note(&buf, 101);
	cr_assert_eq(cairn_note_parse(&note, buf.data, buf.len, "101"), CAIRN_ETOOBIG);
	cairn_buf_free(&buf);

	const char *sig = "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=";
	char text[512];
	/* the text may hold blank lines: the last one separates */
	snprintf(text, sizeof text, "line\n\nafter blank\n\n" EM_DASH " k %s\n", sig);
	cr_assert_eq(cairn_note_parse(&note, text, strlen(text), "n"), 0, "%s", cairn_error_message());
	size_t len;
	cr_assert_str_eq(cairn_note_text(note, &len), text);
	cr_assert_eq(len, strlen("line\n\nafter blank\n"));
	cairn_note_free(note);
	/* key names: no '+', no spaces of any kind, not empty */
	snprintf(text, sizeof text, "t\n\n" EM_DASH " a+b %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	snprintf(text, sizeof text, "t\n\n" EM_DASH " a\xc2\xa0" "b %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	snprintf(text, sizeof text, "t\n\n" EM_DASH "  %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	/* an ASCII hyphen instead of the em dash; a tab; a lone CR */
	snprintf(text, sizeof text, "t\n\n- k %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	snprintf(text, sizeof text, "t\tx\n\n" EM_DASH " k %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	snprintf(text, sizeof text, "t\r\n\n" EM_DASH " k %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	/* overlong UTF-8 and an encoded surrogate */
	snprintf(text, sizeof text, "\xc0\xaft\n\n" EM_DASH " k %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	snprintf(text, sizeof text, "\xed\xa0\x80t\n\n" EM_DASH " k %s\n", sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	/* base64: unpadded, non-canonical trailing bits, too short to hold key ID and signature */
	snprintf(text, sizeof text, "t\n\n" EM_DASH " k %.*s\n", (int)strlen(sig) - 1, sig);
	cr_assert_eq(parse_str(text), CAIRN_EINVAL);
	cr_assert_eq(parse_str("t\n\n" EM_DASH " k AAAAAAB=\n"), CAIRN_EINVAL);
	cr_assert_eq(parse_str("t\n\n" EM_DASH " k AAAAAA==\n"), CAIRN_EINVAL);
	cr_assert_eq(parse_str("t\n\n" EM_DASH " k AAAAAAA=\n"), 0);
	/* nothing after the last blank line; only a blank line; empty input */
	cr_assert_eq(parse_str("t\n\n"), CAIRN_EINVAL);
	cr_assert_eq(parse_str("\n"), CAIRN_EINVAL);
	cr_assert_eq(parse_str(""), CAIRN_EINVAL);

	/* a known key whose signature has the wrong length fails the note */
	snprintf(text, sizeof text, "This is an example message.\n\n" EM_DASH " example.com/foo Uw2QOkn8srV1\n");
	cr_assert_eq(cairn_note_open(&note, text, strlen(text), verifiers, 1, "short"), CAIRN_EVERIFY);
	/* two verifiers with the same name and ID are ambiguous */
	cairn_note_verifier *twin = vkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
	const cairn_note_verifier *twins[] = {v, twin};
	example_note(&buf, 1);
	cr_assert_eq(cairn_note_open(&note, buf.data, buf.len, twins, 2, "twins"), CAIRN_EINVAL);
	cairn_buf_free(&buf);
	cairn_note_verifier_free(twin);
	/* an oversized note */
	size_t huge = CAIRN_NOTE_MAX_SIZE + 1;
	char *big = malloc(huge);
	memset(big, 'a', huge);
	cr_assert_eq(cairn_note_parse(&note, big, huge, "big"), CAIRN_ETOOBIG);
	free(big);
	cairn_note_verifier_free(v);
}

Test(note, vkey_errors)
{
	cairn_note_verifier *v;
	static const char *const bad[] = {
		"example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* wrong key ID */
		"example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* ID of another name */
		"example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  /* 7 hex digits */
		"example.com/foo+530d903g+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* not hex */
		"example.com/foo+530d903a+A+kyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* another key */
		"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U",   /* 31-byte key */
		"example.com/foo+530d903a+A+kyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k+", /* trailing junk */
		"+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",                /* empty name */
		"example.com/foo",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_neq(cairn_note_verifier_parse(&v, bad[i], strlen(bad[i])), 0, "accepted %s", bad[i]);
		cr_assert_null(v);
	}
	/* type 0x03 is reserved */
	cr_assert_eq(cairn_note_verifier_parse(&v, "x+00000000+A6kyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", 55),
		     CAIRN_EUNSUPPORTED);
}

/* --- checkpoints ---------------------------------------------------------------------------------- */

static int cp_parse(const char *text)
{
	cairn_checkpoint cp;
	int err = cairn_checkpoint_parse(&cp, text, strlen(text), "cp");
	cairn_checkpoint_free(&cp);
	return err;
}

Test(note, checkpoint_bodies)
{
	cairn_checkpoint cp;
	cr_assert_eq(cairn_checkpoint_parse(&cp, checkpoint_text, strlen(checkpoint_text), "c2sp example"), 0);
	cr_assert_str_eq(cp.origin, "example.com/behind-the-sofa");
	cr_assert_eq(cp.size, 20852163);
	cr_assert_str_eq(cp.extensions, "");
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_checkpoint_format(cp.origin, cp.size, &cp.root, NULL, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), checkpoint_text);
	cairn_checkpoint_free(&cp);
	cairn_buf_free(&out);

	/* Go's sumdb tree note is a checkpoint with the origin "go.sum database tree" */
	json_t *root = load_corpus_json("tlog/signed-note-vectors.json");
	json_t *tree = json_object_get(root, "sumdb_tree_note_example");
	const char *text = json_string_value(json_object_get(tree, "text"));
	cr_assert_eq(cairn_checkpoint_parse(&cp, text, strlen(text), "sumdb"), 0, "%s", cairn_error_message());
	cr_assert_str_eq(cp.origin, "go.sum database tree");
	cr_assert_eq(cp.size, (uint64_t)json_integer_value(json_object_get(tree, "tree_size")));
	cairn_checkpoint_free(&cp);
	json_decref(root);

	cr_assert_eq(cp_parse("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), 0);
	cr_assert_eq(cp_parse("o\n9223372036854775807\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), 0);
	cr_assert_eq(cp_parse("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n"), 0);
	cr_assert_eq(cp_parse("o\n9223372036854775808\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_ETOOBIG);
	cr_assert_eq(cp_parse("o\n99999999999999999999\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse("o\n07\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse("o\n00\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse("o\n+7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse("o\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse("o\n 7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse("o\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n"), CAIRN_EINVAL);  /* unpadded */
	cr_assert_eq(cp_parse("o\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n"), CAIRN_EINVAL); /* trailing bits */
	cr_assert_eq(cp_parse("o\n7\nZG9uJ3QgY2FyZSAy\n"), CAIRN_EINVAL);                             /* 12 bytes */
	cr_assert_eq(cp_parse("\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"), CAIRN_EINVAL);  /* empty origin */
	cr_assert_eq(cp_parse("o\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n"), CAIRN_EINVAL); /* empty extension */
	cr_assert_eq(cp_parse("o\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), CAIRN_EINVAL);   /* no newline */
	cr_assert_eq(cp_parse("o\n7\n"), CAIRN_EINVAL);
	cr_assert_eq(cp_parse(""), CAIRN_EINVAL);
	cairn_merkle_hash h;
	cairn_merkle_empty_root(&h);
	cr_assert_eq(cairn_checkpoint_format("two\nlines", 1, &h, NULL, &out), CAIRN_EINVAL);
	cr_assert_eq(cairn_checkpoint_format("o", 1, &h, "no newline", &out), CAIRN_EINVAL);
	cr_assert_eq(cairn_checkpoint_format("o", 1, &h, "a\n\nb\n", &out), CAIRN_EINVAL);
	cairn_buf_free(&out);
}
