/* DSSE v1 envelopes: the pre-authentication encoding, JSON parsing and writing, signing, and
 * verification against a set of keys with a threshold. */
#include "cairn/dsse.h"

#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/sig.h"

#include <stdlib.h>
#include <string.h>

int cairn_dsse_pae(const char *type, const void *payload, size_t len, cairn_buf *out)
{
	int err = cairn_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, len);
	if (!err)
		err = cairn_buf_append(out, payload, len);
	return err;
}

int cairn_dsse_envelope_init(cairn_dsse_envelope *env, const char *type, const void *payload, size_t len)
{
	memset(env, 0, sizeof *env);
	env->payload_type = strdup(type);
	if (env->payload_type == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = cairn_buf_append(&env->payload, payload, len);
	if (err)
		cairn_dsse_envelope_free(env);
	return err;
}

void cairn_dsse_envelope_free(cairn_dsse_envelope *env)
{
	if (env == NULL)
		return;
	free(env->payload_type);
	cairn_buf_free(&env->payload);
	for (size_t i = 0; i < env->sig_count; i++) {
		free(env->sigs[i].keyid);
		cairn_buf_free(&env->sigs[i].sig);
	}
	free(env->sigs);
	memset(env, 0, sizeof *env);
}

/* Decodes a base64 field: the spec allows standard and URL-safe encodings, so each alphabet is tried,
 * strictly, with or without padding. */
static int decode_b64(cairn_buf *out, const char *text, size_t len, const char *what)
{
	if (cairn_base64_decode(out, text, len, CAIRN_BASE64_STD | CAIRN_BASE64_PAD_OPTIONAL, what) == 0)
		return 0;
	cairn_buf_clear(out);
	char message[512];
	snprintf(message, sizeof message, "%s", cairn_error_message());
	if (cairn_base64_decode(out, text, len, CAIRN_BASE64_URL | CAIRN_BASE64_PAD_OPTIONAL, what) == 0) {
		cairn_error_clear();
		return 0;
	}
	return cairn_error_set(CAIRN_EINVAL, "%s", message);
}

static const char *get_string(const json_t *obj, const char *key, size_t *len)
{
	const json_t *value = json_object_get(obj, key);
	if (!json_is_string(value))
		return NULL;
	*len = json_string_length(value);
	return json_string_value(value);
}

static int append_signature(cairn_dsse_envelope *env, const char *keyid, size_t keyid_len)
{
	if (env->sig_count >= CAIRN_DSSE_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_ETOOBIG, "DSSE envelope has more than %d signatures",
				       CAIRN_DSSE_MAX_SIGNATURES);
	cairn_dsse_signature *grown = realloc(env->sigs, (env->sig_count + 1) * sizeof *grown);
	if (grown == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	env->sigs = grown;
	cairn_dsse_signature *s = &env->sigs[env->sig_count];
	cairn_buf_init(&s->sig);
	s->keyid = strndup(keyid, keyid_len);
	if (s->keyid == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	env->sig_count++;
	return 0;
}

static int parse_signatures(cairn_dsse_envelope *env, const json_t *array, const char *what)
{
	if (!json_is_array(array) || json_array_size(array) == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: DSSE envelope has no signatures", what);
	if (json_array_size(array) > CAIRN_DSSE_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: DSSE envelope has %zu signatures, more than the limit %d",
				       what, json_array_size(array), CAIRN_DSSE_MAX_SIGNATURES);
	size_t i;
	const json_t *item;
	json_array_foreach(array, i, item) {
		if (!json_is_object(item))
			return cairn_error_set(CAIRN_EINVAL, "%s: DSSE signature %zu is not an object", what, i);
		size_t keyid_len = 0, sig_len = 0;
		const char *keyid = "";
		const json_t *keyid_value = json_object_get(item, "keyid");
		if (keyid_value != NULL && !json_is_null(keyid_value)) {
			keyid = get_string(item, "keyid", &keyid_len);
			if (keyid == NULL)
				return cairn_error_set(CAIRN_EINVAL, "%s: DSSE signature %zu: keyid is not a string", what, i);
			if (keyid_len > CAIRN_DSSE_MAX_KEYID)
				return cairn_error_set(CAIRN_ETOOBIG, "%s: DSSE signature %zu: keyid is too long", what, i);
		}
		const char *sig = get_string(item, "sig", &sig_len);
		if (sig == NULL || sig_len == 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: DSSE signature %zu has no \"sig\" string", what, i);
		int err = append_signature(env, keyid, keyid_len);
		if (err)
			return err;
		char field[300];
		snprintf(field, sizeof field, "%s: DSSE signature %zu", what, i);
		err = decode_b64(&env->sigs[env->sig_count - 1].sig, sig, sig_len, field);
		if (err)
			return err;
	}
	return 0;
}

int cairn_dsse_parse_json(cairn_dsse_envelope *out, const json_t *value, const char *what)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(value))
		return cairn_error_set(CAIRN_EINVAL, "%s: a DSSE envelope must be a JSON object", what);
	size_t type_len = 0, payload_len = 0;
	const char *type = get_string(value, "payloadType", &type_len);
	const char *payload = get_string(value, "payload", &payload_len);
	if (type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: DSSE envelope has no \"payloadType\" string", what);
	if (payload == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: DSSE envelope has no \"payload\" string", what);
	if (strlen(type) != type_len)
		return cairn_error_set(CAIRN_EINVAL, "%s: DSSE payloadType contains a NUL byte", what);
	out->payload_type = strdup(type);
	if (out->payload_type == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	char field[300];
	snprintf(field, sizeof field, "%s: DSSE payload", what);
	int err = decode_b64(&out->payload, payload, payload_len, field);
	if (!err)
		err = parse_signatures(out, json_object_get(value, "signatures"), what);
	if (err)
		cairn_dsse_envelope_free(out);
	return err;
}

int cairn_dsse_parse(cairn_dsse_envelope *out, const void *json, size_t len, const char *what)
{
	memset(out, 0, sizeof *out);
	cairn_json_limits limits = {CAIRN_DSSE_MAX_SIZE, 64};
	json_t *root;
	int err = cairn_json_parse(&root, json, len, &limits, what);
	if (err)
		return err;
	err = cairn_dsse_parse_json(out, root, what);
	json_decref(root);
	return err;
}

static int append_json_string(cairn_buf *out, const char *text, size_t len)
{
	json_t *value = json_stringn(text, len);
	if (value == NULL)
		return cairn_error_set(CAIRN_EINVAL, "DSSE field is not valid UTF-8");
	char *encoded = json_dumps(value, JSON_ENCODE_ANY);
	json_decref(value);
	if (encoded == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = cairn_buf_append_str(out, encoded);
	free(encoded);
	return err;
}

int cairn_dsse_serialize(const cairn_dsse_envelope *env, cairn_buf *out)
{
	cairn_buf b64 = CAIRN_BUF_INIT;
	int err = cairn_buf_append_str(out, "{\"payloadType\":");
	if (!err)
		err = append_json_string(out, env->payload_type, strlen(env->payload_type));
	if (!err)
		err = cairn_base64_encode(&b64, env->payload.data, env->payload.len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_buf_printf(out, ",\"payload\":\"%s\",\"signatures\":[", cairn_buf_cstr(&b64));
	for (size_t i = 0; !err && i < env->sig_count; i++) {
		cairn_buf_clear(&b64);
		err = cairn_buf_append_str(out, i == 0 ? "{\"keyid\":" : ",{\"keyid\":");
		if (!err)
			err = append_json_string(out, env->sigs[i].keyid, strlen(env->sigs[i].keyid));
		if (!err)
			err = cairn_base64_encode(&b64, env->sigs[i].sig.data, env->sigs[i].sig.len, CAIRN_BASE64_STD);
		if (!err)
			err = cairn_buf_printf(out, ",\"sig\":\"%s\"}", cairn_buf_cstr(&b64));
	}
	if (!err)
		err = cairn_buf_append_str(out, "]}");
	cairn_buf_free(&b64);
	return err;
}

int cairn_dsse_sign(cairn_dsse_envelope *env, const cairn_key *key, const char *keyid)
{
	if (keyid == NULL)
		keyid = "";
	if (strlen(keyid) > CAIRN_DSSE_MAX_KEYID)
		return cairn_error_set(CAIRN_EINVAL, "DSSE keyid is too long");
	cairn_buf pae = CAIRN_BUF_INIT, sig = CAIRN_BUF_INIT;
	int err = cairn_dsse_pae(env->payload_type, env->payload.data, env->payload.len, &pae);
	if (!err)
		err = cairn_sig_sign(key, pae.data, pae.len, &sig);
	if (!err)
		err = append_signature(env, keyid, strlen(keyid));
	if (!err) {
		env->sigs[env->sig_count - 1].sig = sig;
		cairn_buf_init(&sig);
	}
	cairn_buf_free(&pae);
	cairn_buf_free(&sig);
	return err;
}

/* Verifies over an already built PAE: DER first, then raw r||s converted to DER for ECDSA keys. */
static int verify_pae(const cairn_key *key, const cairn_buf *pae, const uint8_t *sig, size_t sig_len)
{
	int err = cairn_sig_verify(key, pae->data, pae->len, sig, sig_len);
	size_t field = cairn_sig_ecdsa_field_size(key);
	if (err != CAIRN_EVERIFY || field == 0 || sig_len != 2 * field)
		return err;
	cairn_buf der = CAIRN_BUF_INIT;
	int raw_err = cairn_sig_ecdsa_raw_to_der(sig, sig_len, &der);
	if (!raw_err)
		err = cairn_sig_verify(key, pae->data, pae->len, der.data, der.len);
	cairn_buf_free(&der);
	return err;
}

int cairn_dsse_verify_one(const cairn_dsse_envelope *env, const cairn_key *key, const uint8_t *sig, size_t sig_len)
{
	cairn_buf pae = CAIRN_BUF_INIT;
	int err = cairn_dsse_pae(env->payload_type, env->payload.data, env->payload.len, &pae);
	if (!err)
		err = verify_pae(key, &pae, sig, sig_len);
	cairn_buf_free(&pae);
	if (err == CAIRN_EVERIFY)
		cairn_error_set(CAIRN_EVERIFY, "the DSSE signature does not verify with the %s key over the payload",
				cairn_key_type_name(cairn_key_get_type(key)));
	return err;
}

/* Marks key k and every other key with the same public key as used: two copies of one key are one
 * signer, whatever objects the caller passed. */
static void mark_used(const cairn_buf *ders, size_t count, size_t k, unsigned char *used)
{
	for (size_t i = 0; i < count; i++)
		if (ders[i].len == ders[k].len && memcmp(ders[i].data, ders[k].data, ders[k].len) == 0)
			used[i] = 1;
}

static int count_signers(const cairn_dsse_envelope *env, const cairn_buf *pae, const cairn_key *const *keys,
			 const cairn_buf *ders, size_t key_count, size_t threshold, unsigned char *used, size_t *verified)
{
	/* Each key may be counted once and each signature used once, so that one signature repeated,
	 * or one key listed twice, cannot make up a threshold. */
	for (size_t s = 0; s < env->sig_count && *verified < threshold; s++) {
		for (size_t k = 0; k < key_count; k++) {
			if (used[k])
				continue;
			int v = verify_pae(keys[k], pae, env->sigs[s].sig.data, env->sigs[s].sig.len);
			if (v == 0) {
				mark_used(ders, key_count, k, used);
				(*verified)++;
				break;
			}
			if (v != CAIRN_EVERIFY)
				return v;
		}
	}
	return 0;
}

int cairn_dsse_verify(const cairn_dsse_envelope *env, const cairn_key *const *keys, size_t key_count,
		      size_t threshold)
{
	if (threshold == 0 || threshold > key_count)
		return cairn_error_set(CAIRN_EINVAL, "DSSE threshold %zu cannot be met with %zu keys", threshold, key_count);
	if (env->sig_count == 0)
		return cairn_error_set(CAIRN_EVERIFY, "the DSSE envelope has no signatures");
	cairn_buf pae = CAIRN_BUF_INIT;
	unsigned char *used = calloc(key_count, 1);
	cairn_buf *ders = calloc(key_count, sizeof *ders);
	int err = used && ders ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t k = 0; !err && k < key_count; k++)
		err = cairn_key_public_der(keys[k], &ders[k]);
	if (!err)
		err = cairn_dsse_pae(env->payload_type, env->payload.data, env->payload.len, &pae);
	size_t verified = 0;
	if (!err)
		err = count_signers(env, &pae, keys, ders, key_count, threshold, used, &verified);
	for (size_t k = 0; ders && k < key_count; k++)
		cairn_buf_free(&ders[k]);
	free(ders);
	free(used);
	cairn_buf_free(&pae);
	if (err)
		return err;
	cairn_error_clear();
	if (verified < threshold)
		return cairn_error_set(CAIRN_EVERIFY,
				       "the DSSE envelope has %zu signature(s) verified by distinct keys, %zu needed "
				       "(payload type \"%s\")",
				       verified, threshold, env->payload_type);
	return 0;
}

/* --- in-toto statements ---------------------------------------------------------------------------- */

void cairn_intoto_statement_free(cairn_intoto_statement *st)
{
	if (st == NULL)
		return;
	free(st->type);
	free(st->predicate_type);
	for (size_t i = 0; i < st->subject_count; i++) {
		free(st->subjects[i].name);
		free(st->subjects[i].digests);
	}
	free(st->subjects);
	json_decref(st->predicate);
	memset(st, 0, sizeof *st);
}

static int parse_digest_set(cairn_intoto_subject *subject, const json_t *set, const char *what, size_t index)
{
	if (!json_is_object(set) || json_object_size(set) == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: subject %zu has no digest set", what, index);
	if (json_object_size(set) > CAIRN_INTOTO_MAX_DIGESTS)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: subject %zu has too many digests", what, index);
	subject->digests = calloc(json_object_size(set), sizeof *subject->digests);
	if (subject->digests == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	const char *alg_name;
	const json_t *value;
	json_object_foreach((json_t *)set, alg_name, value) {
		if (!json_is_string(value))
			return cairn_error_set(CAIRN_EINVAL, "%s: subject %zu: digest \"%s\" is not a string", what, index,
					       alg_name);
		enum cairn_digest_alg alg;
		if (cairn_digest_alg_parse(alg_name, &alg) != 0) {
			cairn_error_clear(); /* other algorithms (gitCommit, ...) are allowed; cairn cannot match them */
			continue;
		}
		cairn_buf raw = CAIRN_BUF_INIT;
		int err = cairn_hex_decode(&raw, json_string_value(value), json_string_length(value));
		if (!err && raw.len != cairn_digest_alg_size(alg))
			err = CAIRN_EINVAL;
		if (err) {
			cairn_buf_free(&raw);
			return cairn_error_set(CAIRN_EINVAL, "%s: subject %zu: %s digest is not %zu bytes of hex", what, index,
					       alg_name, cairn_digest_alg_size(alg));
		}
		cairn_digest *d = &subject->digests[subject->digest_count++];
		d->alg = alg;
		d->len = raw.len;
		memcpy(d->bytes, raw.data, raw.len);
		cairn_buf_free(&raw);
	}
	return 0;
}

static int parse_subjects(cairn_intoto_statement *st, const json_t *array, const char *what)
{
	if (!json_is_array(array) || json_array_size(array) == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: the in-toto statement has no subjects", what);
	if (json_array_size(array) > CAIRN_INTOTO_MAX_SUBJECTS)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: the in-toto statement has more than %d subjects", what,
				       CAIRN_INTOTO_MAX_SUBJECTS);
	st->subjects = calloc(json_array_size(array), sizeof *st->subjects);
	if (st->subjects == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	size_t i;
	const json_t *item;
	json_array_foreach(array, i, item) {
		if (!json_is_object(item))
			return cairn_error_set(CAIRN_EINVAL, "%s: subject %zu is not an object", what, i);
		cairn_intoto_subject *subject = &st->subjects[st->subject_count++];
		const json_t *name = json_object_get(item, "name");
		if (name != NULL && !json_is_string(name))
			return cairn_error_set(CAIRN_EINVAL, "%s: subject %zu: name is not a string", what, i);
		subject->name = strdup(name ? json_string_value(name) : "");
		if (subject->name == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
		int err = parse_digest_set(subject, json_object_get(item, "digest"), what, i);
		if (err)
			return err;
	}
	return 0;
}

int cairn_intoto_statement_parse(cairn_intoto_statement *out, const void *json, size_t len, const char *what)
{
	memset(out, 0, sizeof *out);
	json_t *root;
	int err = cairn_json_parse(&root, json, len, NULL, what);
	if (err)
		return err;
	if (!json_is_object(root)) {
		json_decref(root);
		return cairn_error_set(CAIRN_EINVAL, "%s: an in-toto statement must be a JSON object", what);
	}
	const char *type = json_string_value(json_object_get(root, "_type"));
	const json_t *ptype = json_object_get(root, "predicateType");
	if (type == NULL)
		err = cairn_error_set(CAIRN_EINVAL, "%s: the in-toto statement has no \"_type\"", what);
	else if (strcmp(type, CAIRN_INTOTO_STATEMENT_V1) != 0 && strcmp(type, "https://in-toto.io/Statement/v0.1") != 0)
		err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: \"%s\" is not an in-toto Statement type cairn reads", what,
				      type);
	else if (ptype != NULL && !json_is_string(ptype))
		err = cairn_error_set(CAIRN_EINVAL, "%s: predicateType is not a string", what);
	if (!err) {
		out->type = strdup(type);
		out->predicate_type = strdup(ptype ? json_string_value(ptype) : "");
		if (out->type == NULL || out->predicate_type == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = parse_subjects(out, json_object_get(root, "subject"), what);
	if (!err) {
		out->predicate = json_object_get(root, "predicate");
		json_incref(out->predicate);
	}
	json_decref(root);
	if (err)
		cairn_intoto_statement_free(out);
	return err;
}

int cairn_intoto_statement_has_digest(const cairn_intoto_statement *st, const cairn_digest *digest)
{
	for (size_t i = 0; i < st->subject_count; i++)
		for (size_t j = 0; j < st->subjects[i].digest_count; j++)
			if (cairn_digest_equal(&st->subjects[i].digests[j], digest) == 0)
				return 1;
	return 0;
}
