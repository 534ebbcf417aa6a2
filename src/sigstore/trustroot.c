/* Sigstore trusted_root.json (dev.sigstore.trustroot.v1.TrustedRoot, protobuf JSON).
 *
 * Protobuf JSON rules the format: camelCase member names, bytes as standard base64, timestamps as
 * RFC 3339 strings, and a member set to null means the member is absent. Members we do not know are
 * ignored, so a root from a newer protobuf-specs still loads; a member we do know that is malformed is
 * an error naming its path ("tlogs[1].publicKey.validFor.start"), because a trust root that cannot be
 * read exactly must not be half-trusted.
 *
 * Keys: rawBytes is a DER SubjectPublicKeyInfo, except for the PKCS1_* key details, where it is a
 * PKCS#1 RSAPublicKey (the staging CT log). A key whose keyDetails names an algorithm cairn does not
 * implement (LMS, P-521, ...) keeps its log entry with key NULL, so a bundle that uses that log fails
 * with "unsupported key" while the rest of the root stays usable.
 *
 * Checkpoint origins: the trusted root does not carry them. Rekor v2 signs checkpoints with the host
 * of its base URL as the origin ("log2025-1.rekor.sigstore.dev"), so origin is the baseUrl without its
 * scheme and trailing slash, set for every transparency log. Rekor v1 logs use a different origin
 * ("rekor.sigstore.dev - <tree ID>"), so for them the value is informative only. */
#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/note.h"
#include "cairn/trustroot.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A real root holds a handful of entries; these bounds only stop a hostile file. */
#define ROOT_MAX_BYTES ((size_t)4 * 1024 * 1024)
#define ROOT_MAX_DEPTH ((size_t)32)
#define ROOT_MAX_ENTRIES 256
#define ROOT_MAX_CHAIN 16
#define ROOT_MAX_STRING ((size_t)64 * 1024) /* a base64 certificate is a few KiB */
#define PATH_MAX_LEN 128

static const char *const media_types[] = {
	"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
	"application/vnd.dev.sigstore.trustedroot+json;version=0.2",
	"application/vnd.dev.sigstore.trustedroot.v0.1+json",
	"application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

/* ---- RFC 3339 times ---- */

static bool is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int64_t year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the usual era arithmetic). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" into Unix seconds, rounding a fraction
 * down. Everything is range-checked: no 31st of April, no leap second, no lowercase 't' or 'z'. */
static int parse_rfc3339(const char *text, int64_t *out)
{
	const char *p = text;
	int year, month, day, hour, minute, second;
	if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &month) || *p++ != '-' ||
	    !read_digits(&p, 2, &day) || *p++ != 'T' || !read_digits(&p, 2, &hour) || *p++ != ':' ||
	    !read_digits(&p, 2, &minute) || *p++ != ':' || !read_digits(&p, 2, &second))
		return -1;
	if (*p == '.') {
		p++;
		size_t digits = 0;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
		if (digits == 0 || digits > 9)
			return -1;
	}
	int offset = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (!read_digits(&p, 2, &oh) || *p++ != ':' || !read_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (*p != '\0' || year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
	    hour > 23 || minute > 59 || second > 59)
		return -1;
	*out = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
	return 0;
}

/* ---- reading members ---- */

/* The parse state: the document's name for messages and the path of the member being read. */
struct reader {
	const char *what;
};

static int field_error(const struct reader *r, int code, const char *path, const char *reason)
{
	return cairn_error_set(code, "%s: %s: %s", r->what, path, reason);
}

/* A member, or NULL when it is absent or null (protobuf JSON writes unset members as null). */
static json_t *member(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	return json_is_null(v) ? NULL : v;
}

static int get_object(const struct reader *r, json_t *obj, const char *name, const char *path, bool required,
		      json_t **out)
{
	*out = member(obj, name);
	if (*out == NULL)
		return required ? field_error(r, CAIRN_EINVAL, path, "missing") : 0;
	if (!json_is_object(*out))
		return field_error(r, CAIRN_EINVAL, path, "not a JSON object");
	return 0;
}

/* A string member; *out is NULL when absent and not required. Borrowed from the JSON value. */
static int get_string(const struct reader *r, json_t *obj, const char *name, const char *path, bool required,
		      const char **out)
{
	*out = NULL;
	json_t *v = member(obj, name);
	if (v == NULL)
		return required ? field_error(r, CAIRN_EINVAL, path, "missing") : 0;
	if (!json_is_string(v))
		return field_error(r, CAIRN_EINVAL, path, "not a string");
	if (json_string_length(v) > ROOT_MAX_STRING)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %s: longer than %zu characters", r->what, path, ROOT_MAX_STRING);
	*out = json_string_value(v);
	return 0;
}

static int get_base64(const struct reader *r, json_t *obj, const char *name, const char *path, cairn_buf *out)
{
	const char *text;
	int err = get_string(r, obj, name, path, true, &text);
	if (err)
		return err;
	err = cairn_base64_decode(out, text, strlen(text), CAIRN_BASE64_STD, path);
	if (err)
		return cairn_error_prefix(err, "%s", r->what);
	if (out->len == 0)
		return field_error(r, CAIRN_EINVAL, path, "empty");
	return 0;
}

static int get_time(const struct reader *r, json_t *obj, const char *name, const char *path, bool required,
		    bool *present, int64_t *out)
{
	const char *text;
	*present = false;
	int err = get_string(r, obj, name, path, required, &text);
	if (err || text == NULL)
		return err;
	if (parse_rfc3339(text, out) != 0)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: %s: \"%s\" is not an RFC 3339 time such as 2021-03-07T03:20:29Z", r->what,
				       path, text);
	*present = true;
	return 0;
}

/* validFor: {start (required), end (optional: open-ended)}, both inclusive. */
static int read_validity(const struct reader *r, json_t *parent, const char *path, cairn_validity *out)
{
	char sub[PATH_MAX_LEN * 2];
	json_t *obj;
	snprintf(sub, sizeof sub, "%s.validFor", path);
	int err = get_object(r, parent, "validFor", sub, true, &obj);
	if (err)
		return err;
	bool present;
	snprintf(sub, sizeof sub, "%s.validFor.start", path);
	err = get_time(r, obj, "start", sub, true, &present, &out->start);
	if (err)
		return err;
	snprintf(sub, sizeof sub, "%s.validFor.end", path);
	err = get_time(r, obj, "end", sub, false, &present, &out->end);
	if (err)
		return err;
	if (!present)
		out->end = INT64_MAX;
	if (out->end < out->start)
		return field_error(r, CAIRN_EINVAL, sub, "ends before it starts");
	return 0;
}

static int copy_string(const char *text, char **out)
{
	*out = NULL;
	if (text == NULL)
		return 0;
	*out = strdup(text);
	return *out == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
}

/* ---- keys ---- */

struct key_detail {
	const char *name;
	enum cairn_key_type type;
	bool pkcs1; /* rawBytes is a PKCS#1 RSAPublicKey, not an SPKI */
};

static const struct key_detail key_details[] = {
	{"PKIX_ECDSA_P256_SHA_256", CAIRN_KEY_ECDSA_P256, false},
	{"PKIX_ECDSA_P384_SHA_384", CAIRN_KEY_ECDSA_P384, false},
	{"PKIX_ED25519", CAIRN_KEY_ED25519, false},
	{"PKIX_ED25519_PH", CAIRN_KEY_UNKNOWN, false}, /* pre-hashed Ed25519: not implemented */
	{"PKCS1_RSA_PKCS1V5", CAIRN_KEY_RSA, true},
	{"PKIX_RSA_PKCS1V5", CAIRN_KEY_RSA, false},
	{"PKIX_RSA_PKCS1V15_2048_SHA256", CAIRN_KEY_RSA, false},
	{"PKIX_RSA_PKCS1V15_3072_SHA256", CAIRN_KEY_RSA, false},
	{"PKIX_RSA_PKCS1V15_4096_SHA256", CAIRN_KEY_RSA, false},
};
#define KEY_DETAIL_COUNT (sizeof key_details / sizeof key_details[0])

static int load_pkcs1_rsa(cairn_key **out, const cairn_buf *der, const char *what)
{
	const unsigned char *p = der->data;
	EVP_PKEY *pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)der->len);
	bool whole = p == der->data + der->len;
	ERR_clear_error();
	if (pkey == NULL || !whole) {
		EVP_PKEY_free(pkey);
		return cairn_error_set(CAIRN_EINVAL, "%s: not a valid DER PKCS#1 RSA public key", what);
	}
	int err = cairn_key_from_evp(out, pkey, what);
	EVP_PKEY_free(pkey); /* cairn_key_from_evp took its own reference */
	return err;
}

/* publicKey {rawBytes, keyDetails, validFor}. */
static int read_public_key(const struct reader *r, json_t *log, const char *path, cairn_trusted_log *out)
{
	char sub[PATH_MAX_LEN * 2];
	json_t *pk;
	snprintf(sub, sizeof sub, "%s.publicKey", path);
	int err = get_object(r, log, "publicKey", sub, true, &pk);
	if (err)
		return err;
	char pk_path[PATH_MAX_LEN * 2];
	snprintf(pk_path, sizeof pk_path, "%s.publicKey", path);
	err = read_validity(r, pk, pk_path, &out->valid);
	if (err)
		return err;
	const char *details;
	snprintf(sub, sizeof sub, "%s.publicKey.keyDetails", path);
	err = get_string(r, pk, "keyDetails", sub, true, &details);
	if (err)
		return err;
	const struct key_detail *detail = NULL;
	for (size_t i = 0; i < KEY_DETAIL_COUNT; i++)
		if (strcmp(key_details[i].name, details) == 0)
			detail = &key_details[i];
	cairn_buf der = CAIRN_BUF_INIT;
	snprintf(sub, sizeof sub, "%s.publicKey.rawBytes", path);
	err = get_base64(r, pk, "rawBytes", sub, &der);
	if (err || detail == NULL || detail->type == CAIRN_KEY_UNKNOWN) {
		/* A key algorithm cairn does not implement: the log stays listed, with no key. */
		cairn_buf_free(&der);
		return err;
	}
	char what[PATH_MAX_LEN * 3];
	snprintf(what, sizeof what, "%s: %s", r->what, sub);
	err = detail->pkcs1 ? load_pkcs1_rsa(&out->key, &der, what)
			    : cairn_key_load_public_der(&out->key, der.data, der.len, what);
	cairn_buf_free(&der);
	if (err == CAIRN_EUNSUPPORTED) {
		/* Well-formed but beyond what cairn verifies (an RSA modulus out of range, say): as above. */
		cairn_error_clear();
		return 0;
	}
	if (err)
		return err;
	if (cairn_key_get_type(out->key) != detail->type)
		return cairn_error_set(CAIRN_EINVAL, "%s: %s: holds a %s key but keyDetails says %s", r->what, sub,
				       cairn_key_type_name(cairn_key_get_type(out->key)), details);
	return 0;
}

/* "https://log2025-1.rekor.sigstore.dev/" -> "log2025-1.rekor.sigstore.dev". */
static int origin_from_url(const char *url, char **out)
{
	*out = NULL;
	if (url == NULL)
		return 0;
	const char *start = strstr(url, "://");
	start = start != NULL ? start + 3 : url;
	size_t len = strlen(start);
	while (len > 0 && start[len - 1] == '/')
		len--;
	if (len == 0)
		return 0;
	*out = strndup(start, len);
	return *out == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
}

/* The checkpoint verifier of a transparency log, built once here instead of for every entry. A key
 * that cannot sign notes (RSA) gets none: verifying then fails per entry with that reason. */
static void prepare_note_verifier(cairn_trusted_log *log)
{
	if (log->origin == NULL || log->key == NULL)
		return;
	if (cairn_note_verifier_new(&log->note_verifier, log->origin, log->key) != 0) {
		log->note_verifier = NULL;
		cairn_error_clear();
	}
}

static int read_log(const struct reader *r, json_t *log, const char *path, bool is_tlog, cairn_trusted_log *out)
{
	char sub[PATH_MAX_LEN * 2];
	if (!json_is_object(log))
		return field_error(r, CAIRN_EINVAL, path, "not a JSON object");
	const char *base_url;
	snprintf(sub, sizeof sub, "%s.baseUrl", path);
	int err = get_string(r, log, "baseUrl", sub, false, &base_url);
	if (!err)
		err = copy_string(base_url, &out->base_url);
	if (!err && is_tlog)
		err = origin_from_url(base_url, &out->origin);
	if (err)
		return err;
	/* Merkle trees of Sigstore's logs are SHA-256; hashAlgorithm is read but only type-checked. */
	const char *hash;
	snprintf(sub, sizeof sub, "%s.hashAlgorithm", path);
	err = get_string(r, log, "hashAlgorithm", sub, false, &hash);
	if (err)
		return err;
	json_t *log_id;
	snprintf(sub, sizeof sub, "%s.logId", path);
	err = get_object(r, log, "logId", sub, true, &log_id);
	if (err)
		return err;
	cairn_buf id = CAIRN_BUF_INIT;
	snprintf(sub, sizeof sub, "%s.logId.keyId", path);
	err = get_base64(r, log_id, "keyId", sub, &id);
	if (!err && id.len > sizeof out->log_id)
		err = field_error(r, CAIRN_EINVAL, sub, "longer than 32 bytes");
	if (!err) {
		memcpy(out->log_id, id.data, id.len);
		out->log_id_len = id.len;
	}
	cairn_buf_free(&id);
	if (err)
		return err;
	err = read_public_key(r, log, path, out);
	if (!err && is_tlog)
		prepare_note_verifier(out);
	return err;
}

static void log_clear(cairn_trusted_log *log)
{
	free(log->base_url);
	free(log->origin);
	cairn_key_free(log->key);
	cairn_note_verifier_free(log->note_verifier);
}

/* ---- certificate authorities ---- */

/* Extensions that constrain the certificates below their holder in ways a shortened path (one that
 * stops at an intermediate of the chain) would no longer enforce. */
static bool has_path_constraints(X509 *x)
{
	static const int nids[] = {NID_name_constraints, NID_policy_constraints, NID_inhibit_any_policy};
	for (size_t i = 0; i < sizeof nids / sizeof nids[0]; i++)
		if (X509_get_ext_by_NID(x, nids[i], -1) >= 0)
			return true;
	return false;
}

/* Whether each certificate of the CA's chain is signed by the next (leaf first, root last), checked
 * with OpenSSL's path validation, times aside (validity windows depend on the signing time and are
 * checked for each bundle); cairn_trusted_ca_chain_checked asks once per CA. When it holds,
 * verifiers may trust every certificate of the chain as an anchor, so a bundle's leaf costs one
 * signature check, not one per chain link. When it does not, nothing is lost: verification then
 * walks the whole chain for every bundle, as it must. */
static bool chain_links(const cairn_trusted_ca *ca)
{
	if (ca->chain_len == 1)
		return true;
	for (size_t i = 1; i < ca->chain_len; i++)
		if (has_path_constraints(ca->chain[i]))
			return false;
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = store != NULL && untrusted != NULL && ctx != NULL &&
		  X509_STORE_add_cert(store, ca->chain[ca->chain_len - 1]) == 1;
	for (size_t i = 1; ok && i + 1 < ca->chain_len; i++)
		ok = sk_X509_push(untrusted, ca->chain[i]) > 0;
	ok = ok && X509_STORE_CTX_init(ctx, store, ca->chain[0], untrusted) == 1;
	if (ok) {
		X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx),
					    X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
		ok = X509_verify_cert(ctx) == 1;
	}
	/* the path OpenSSL found must be the chain itself, in its order */
	STACK_OF(X509) *path = ok ? X509_STORE_CTX_get0_chain(ctx) : NULL;
	ok = ok && path != NULL && (size_t)sk_X509_num(path) == ca->chain_len;
	for (size_t i = 0; ok && i < ca->chain_len; i++)
		ok = X509_cmp(sk_X509_value(path, (int)i), ca->chain[i]) == 0;
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* the certificates belong to the CA */
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

static int read_ca(const struct reader *r, json_t *ca, const char *path, cairn_trusted_ca *out)
{
	char sub[PATH_MAX_LEN * 2];
	if (!json_is_object(ca))
		return field_error(r, CAIRN_EINVAL, path, "not a JSON object");
	const char *uri;
	snprintf(sub, sizeof sub, "%s.uri", path);
	int err = get_string(r, ca, "uri", sub, false, &uri);
	if (!err)
		err = copy_string(uri, &out->uri);
	if (!err)
		err = read_validity(r, ca, path, &out->valid);
	json_t *chain;
	snprintf(sub, sizeof sub, "%s.certChain", path);
	if (!err)
		err = get_object(r, ca, "certChain", sub, true, &chain);
	if (err)
		return err;
	json_t *certs = member(chain, "certificates");
	snprintf(sub, sizeof sub, "%s.certChain.certificates", path);
	if (certs == NULL)
		return field_error(r, CAIRN_EINVAL, sub, "missing");
	if (!json_is_array(certs))
		return field_error(r, CAIRN_EINVAL, sub, "not a JSON array");
	size_t count = json_array_size(certs);
	if (count == 0)
		return field_error(r, CAIRN_EINVAL, sub, "empty (a certificate authority needs its chain)");
	if (count > ROOT_MAX_CHAIN)
		return field_error(r, CAIRN_ETOOBIG, sub, "more than 16 certificates");
	out->chain = calloc(count, sizeof *out->chain);
	out->certs = calloc(count, sizeof *out->certs);
	if (out->chain == NULL || out->certs == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		json_t *cert = json_array_get(certs, i);
		snprintf(sub, sizeof sub, "%s.certChain.certificates[%zu]", path, i);
		if (!json_is_object(cert))
			return field_error(r, CAIRN_EINVAL, sub, "not a JSON object");
		snprintf(sub, sizeof sub, "%s.certChain.certificates[%zu].rawBytes", path, i);
		cairn_buf der = CAIRN_BUF_INIT;
		err = get_base64(r, cert, "rawBytes", sub, &der);
		if (err) {
			cairn_buf_free(&der);
			return err;
		}
		const unsigned char *p = der.data;
		X509 *x = d2i_X509(NULL, &p, (long)der.len);
		bool whole = p == der.data + der.len;
		ERR_clear_error();
		if (x == NULL || !whole) {
			X509_free(x);
			cairn_buf_free(&der);
			return field_error(r, CAIRN_EINVAL, sub, "not a valid DER X.509 certificate");
		}
		/* Only an optimisation: without it, verifiers parse the certificate when they need it. */
		if (cairn_cert_load_der(&out->certs[out->chain_len], der.data, der.len, sub) != 0)
			cairn_error_clear();
		cairn_buf_free(&der);
		out->chain[out->chain_len++] = x;
	}
	return 0;
}

static void ca_clear(cairn_trusted_ca *ca)
{
	free(ca->uri);
	for (size_t i = 0; i < ca->chain_len; i++) {
		X509_free(ca->chain[i]);
		cairn_cert_free(ca->certs != NULL ? ca->certs[i] : NULL);
	}
	free(ca->chain);
	free(ca->certs);
}

/* ---- the root ---- */

/* An optional array member: returns its elements count in *count (0 when absent). */
static int get_array(const struct reader *r, json_t *obj, const char *name, json_t **out, size_t *count)
{
	*out = member(obj, name);
	*count = 0;
	if (*out == NULL)
		return 0;
	if (!json_is_array(*out))
		return field_error(r, CAIRN_EINVAL, name, "not a JSON array");
	*count = json_array_size(*out);
	if (*count > ROOT_MAX_ENTRIES)
		return field_error(r, CAIRN_ETOOBIG, name, "more than 256 entries");
	return 0;
}

static int read_logs(const struct reader *r, json_t *doc, const char *name, bool is_tlog,
		     cairn_trusted_log **out, size_t *out_count)
{
	json_t *arr;
	size_t count;
	int err = get_array(r, doc, name, &arr, &count);
	if (err || count == 0)
		return err;
	*out = calloc(count, sizeof **out);
	if (*out == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		char path[PATH_MAX_LEN];
		snprintf(path, sizeof path, "%s[%zu]", name, i);
		(*out_count)++; /* counted first so that a partly read entry is freed too */
		err = read_log(r, json_array_get(arr, i), path, is_tlog, &(*out)[i]);
		if (err)
			return err;
	}
	return 0;
}

static int read_cas(const struct reader *r, json_t *doc, const char *name, cairn_trusted_ca **out,
		    size_t *out_count)
{
	json_t *arr;
	size_t count;
	int err = get_array(r, doc, name, &arr, &count);
	if (err || count == 0)
		return err;
	*out = calloc(count, sizeof **out);
	if (*out == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		char path[PATH_MAX_LEN];
		snprintf(path, sizeof path, "%s[%zu]", name, i);
		(*out_count)++;
		err = read_ca(r, json_array_get(arr, i), path, &(*out)[i]);
		if (err)
			return err;
	}
	return 0;
}

static int read_root(const struct reader *r, json_t *doc, cairn_trusted_root *root)
{
	if (!json_is_object(doc))
		return cairn_error_set(CAIRN_EINVAL, "%s: a trusted root must be a JSON object", r->what);
	const char *media_type;
	int err = get_string(r, doc, "mediaType", "mediaType", true, &media_type);
	if (err)
		return err;
	bool known = false;
	for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++)
		known = known || strcmp(media_types[i], media_type) == 0;
	if (!known)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: mediaType: \"%s\" is not a trusted root version cairn reads (expected application/vnd.dev.sigstore.trustedroot+json;version=0.1 or 0.2)",
				       r->what, media_type);
	err = read_logs(r, doc, "tlogs", true, &root->tlogs, &root->tlog_count);
	if (!err)
		err = read_logs(r, doc, "ctlogs", false, &root->ctlogs, &root->ctlog_count);
	if (!err)
		err = read_cas(r, doc, "certificateAuthorities", &root->cas, &root->ca_count);
	if (!err)
		err = read_cas(r, doc, "timestampAuthorities", &root->tsas, &root->tsa_count);
	return err;
}

int cairn_trusted_root_parse(cairn_trusted_root **out, const void *json, size_t len, const char *what)
{
	*out = NULL;
	struct reader r = {what != NULL ? what : "trusted root"};
	cairn_json_limits limits = {ROOT_MAX_BYTES, ROOT_MAX_DEPTH};
	json_t *doc;
	int err = cairn_json_parse(&doc, json, len, &limits, r.what);
	if (err)
		return err;
	cairn_trusted_root *root = calloc(1, sizeof *root);
	if (root == NULL) {
		json_decref(doc);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	err = read_root(&r, doc, root);
	json_decref(doc);
	if (err) {
		cairn_trusted_root_free(root);
		return err;
	}
	*out = root;
	return 0;
}

int cairn_trusted_root_load_file(cairn_trusted_root **out, const char *path)
{
	*out = NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, ROOT_MAX_BYTES, &text);
	if (!err)
		err = cairn_trusted_root_parse(out, text.data, text.len, strcmp(path, "-") == 0 ? "standard input" : path);
	cairn_buf_free(&text);
	return err;
}

/* The lines of the embedded public-good root (trustroot_public_good.c, made by
 * scripts/embed-trusted-root). */
extern const char *const cairn_public_good_trusted_root_lines[];

int cairn_trusted_root_public_good(cairn_trusted_root **out)
{
	*out = NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && cairn_public_good_trusted_root_lines[i] != NULL; i++)
		err = cairn_buf_append_str(&text, cairn_public_good_trusted_root_lines[i]);
	if (!err)
		err = cairn_trusted_root_parse(out, text.data, text.len, "embedded Sigstore public-good trusted root");
	cairn_buf_free(&text);
	return err;
}

void cairn_trusted_root_free(cairn_trusted_root *root)
{
	if (root == NULL)
		return;
	for (size_t i = 0; i < root->tlog_count; i++)
		log_clear(&root->tlogs[i]);
	for (size_t i = 0; i < root->ctlog_count; i++)
		log_clear(&root->ctlogs[i]);
	for (size_t i = 0; i < root->ca_count; i++)
		ca_clear(&root->cas[i]);
	for (size_t i = 0; i < root->tsa_count; i++)
		ca_clear(&root->tsas[i]);
	free(root->tlogs);
	free(root->ctlogs);
	free(root->cas);
	free(root->tsas);
	free(root);
}

static const cairn_trusted_log *find_log(const cairn_trusted_log *logs, size_t count, const uint8_t *log_id,
					 size_t len)
{
	if (log_id == NULL)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (logs[i].log_id_len == len && memcmp(logs[i].log_id, log_id, len) == 0)
			return &logs[i];
	return NULL;
}

const cairn_trusted_log *cairn_trusted_root_find_tlog(const cairn_trusted_root *root, const uint8_t *log_id,
						      size_t len)
{
	return root == NULL ? NULL : find_log(root->tlogs, root->tlog_count, log_id, len);
}

const cairn_trusted_log *cairn_trusted_root_find_ctlog(const cairn_trusted_root *root, const uint8_t *log_id,
						       size_t len)
{
	return root == NULL ? NULL : find_log(root->ctlogs, root->ctlog_count, log_id, len);
}

enum { CHAIN_UNKNOWN = 0, CHAIN_LINKED = 1, CHAIN_NOT_LINKED = 2 };

int cairn_trusted_ca_chain_checked(const cairn_trusted_ca *ca)
{
	/* The state is the one mutable part of a trusted root; the root was allocated writable. */
	_Atomic int *state = (_Atomic int *)&ca->chain_state;
	int known = atomic_load(state);
	if (known == CHAIN_UNKNOWN) {
		known = chain_links(ca) ? CHAIN_LINKED : CHAIN_NOT_LINKED;
		atomic_store(state, known);
	}
	return known == CHAIN_LINKED;
}

int cairn_validity_contains(const cairn_validity *valid, int64_t t)
{
	/* Both ends are inclusive (protobuf-specs TimeRange; conformance *-validity-end-inclusive). */
	return valid != NULL && t >= valid->start && t <= valid->end;
}
