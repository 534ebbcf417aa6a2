/* Bundle verification, in the order of the Sigstore client specification:
 *
 *   1. the verification material: the leaf certificate (and the bundle's intermediates), or for a
 *      managed-key bundle the key the caller trusts;
 *   2. every transparency-log entry (trusted log, SET, inclusion proof, checkpoint, body matching
 *      this bundle) and every RFC 3161 timestamp, which give the verified signing times;
 *   3. for certificates: at least one verified time; at each, the certificate is valid and chains to
 *      a trusted Fulcio CA; an SCT from a trusted CT log; the identity policy;
 *   4. the signature: over the artifact (message signatures, whose optional messageDigest must be
 *      the artifact's) or over the DSSE envelope, whose in-toto subjects must name the artifact.
 *
 * Fail closed: anything that cannot be checked is a failure, and the message names the check. */
#include "verify_internal.h"

#include "cairn/error.h"
#include "cairn/sig.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the artifact's digests, computed when first needed ---- */

static int artifact_init(artifact_digests *a, const cairn_bundle_artifact *artifact)
{
	memset(a, 0, sizeof *a);
	a->path = artifact->path;
	if (a->path != NULL)
		return 0;
	switch (artifact->digest.alg) {
	case CAIRN_DIGEST_SHA256: a->sha256 = artifact->digest; a->have_sha256 = 1; return 0;
	case CAIRN_DIGEST_SHA384: a->sha384 = artifact->digest; a->have_sha384 = 1; return 0;
	case CAIRN_DIGEST_SHA512: a->sha512 = artifact->digest; a->have_sha512 = 1; return 0;
	default: return cairn_error_set(CAIRN_EINVAL, "no artifact given: neither a file nor a digest");
	}
}

/* The artifact's digest in alg: computed from the file once, or NULL when only another algorithm's
 * digest was given. */
static int artifact_digest_get(artifact_digests *a, enum cairn_digest_alg alg, const cairn_digest **out)
{
	*out = NULL;
	cairn_digest *slot;
	int *have;
	switch (alg) {
	case CAIRN_DIGEST_SHA256: slot = &a->sha256; have = &a->have_sha256; break;
	case CAIRN_DIGEST_SHA384: slot = &a->sha384; have = &a->have_sha384; break;
	case CAIRN_DIGEST_SHA512: slot = &a->sha512; have = &a->have_sha512; break;
	default: return 0;
	}
	if (!*have && a->path != NULL) {
		int err = cairn_digest_file(alg, a->path, slot);
		if (err)
			return err;
		*have = 1;
	}
	if (*have)
		*out = slot;
	return 0;
}

/* ---- certificates ---- */

struct material {
	cairn_cert *leaf;
	cairn_cert *intermediates[CAIRN_BUNDLE_MAX_CHAIN];
	int borrowed[CAIRN_BUNDLE_MAX_CHAIN]; /* the trusted root's own copy, not ours to free */
	size_t intermediate_count;
	cairn_key *leaf_key;
	const cairn_key *key; /* the signing key: leaf_key or the caller's */
};

static void material_free(struct material *m)
{
	cairn_cert_free(m->leaf);
	for (size_t i = 0; i < m->intermediate_count; i++)
		if (!m->borrowed[i])
			cairn_cert_free(m->intermediates[i]);
	cairn_key_free(m->leaf_key);
}

/* The trusted root's parsed copy of a certificate with exactly these DER bytes, or NULL. Bundles
 * made before v0.3 carry the Fulcio intermediate; the same bytes need not be parsed again. */
static cairn_cert *trusted_copy(const cairn_trusted_root *root, const cairn_buf *der)
{
	for (size_t i = 0; i < root->ca_count; i++) {
		const cairn_trusted_ca *ca = &root->cas[i];
		for (size_t j = 0; ca->certs != NULL && j < ca->chain_len; j++) {
			cairn_buf mine = CAIRN_BUF_INIT;
			int same = ca->certs[j] != NULL && cairn_cert_der(ca->certs[j], &mine) == 0 &&
				   mine.len == der->len && memcmp(mine.data, der->data, der->len) == 0;
			cairn_buf_free(&mine);
			cairn_error_clear();
			if (same)
				return ca->certs[j];
		}
	}
	return NULL;
}

static int load_material(const cairn_bundle *b, const cairn_trusted_root *root, const cairn_bundle_options *o,
			 struct material *m)
{
	memset(m, 0, sizeof *m);
	if (b->key_based) {
		if (o->key == NULL)
			return cairn_error_set(CAIRN_EVERIFY, "the bundle is signed with a managed key (it carries no "
							      "certificate), so it can only be verified with that key (--key)");
		m->key = o->key;
		return 0;
	}
	if (o->key != NULL)
		return cairn_error_set(CAIRN_EVERIFY, "the bundle carries a signing certificate, not a managed-key hint: "
						      "verify it with an identity and issuer, not with a key");
	int err = cairn_cert_load_der(&m->leaf, b->certs[0].data, b->certs[0].len, "the bundle's signing certificate");
	for (size_t i = 1; !err && i < b->cert_count; i++) {
		cairn_cert *known = trusted_copy(root, &b->certs[i]);
		m->borrowed[i - 1] = known != NULL;
		m->intermediates[i - 1] = known;
		if (known == NULL)
			err = cairn_cert_load_der(&m->intermediates[i - 1], b->certs[i].data, b->certs[i].len,
						  "a certificate of the bundle's chain");
		if (!err)
			m->intermediate_count++;
	}
	if (!err)
		err = cairn_cert_public_key(m->leaf, &m->leaf_key);
	if (err)
		return cairn_error_prefix(err == CAIRN_ENOMEM ? err : CAIRN_EVERIFY, "the bundle's certificate is unusable");
	m->key = m->leaf_key;
	return 0;
}

/* The certificate that issued leaf: the bundle's first intermediate, else the trusted CA certificate
 * that issued it (v0.3 bundles carry the leaf only). */
static int find_issuer(const struct material *m, const cairn_trusted_root *root, cairn_cert **owned,
		       const cairn_cert **out)
{
	*owned = NULL;
	*out = NULL;
	if (m->intermediate_count > 0) {
		*out = m->intermediates[0];
		return 0;
	}
	X509 *leaf = cairn_cert_x509(m->leaf);
	for (size_t i = 0; i < root->ca_count; i++) {
		for (size_t j = 0; j < root->cas[i].chain_len; j++) {
			X509 *candidate = root->cas[i].chain[j];
			if (X509_check_issued(candidate, leaf) != X509_V_OK)
				continue;
			if (root->cas[i].certs != NULL && root->cas[i].certs[j] != NULL) {
				*out = root->cas[i].certs[j]; /* the trusted root's own, parsed once at load */
				return 0;
			}
			unsigned char *der = NULL;
			int len = i2d_X509(candidate, &der);
			if (len <= 0)
				return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot encode a CA certificate");
			int err = cairn_cert_load_der(owned, der, (size_t)len, "trusted CA certificate");
			OPENSSL_free(der);
			*out = *owned;
			return err;
		}
	}
	return cairn_error_set(CAIRN_EVERIFY, "the signing certificate was not issued by any certificate authority of "
					      "the trusted root");
}

static void format_time(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "%lld", (long long)t);
}

static int check_certificate(const struct material *m, const cairn_trusted_root *root, const cairn_bundle_options *o,
			     const int64_t *times, size_t count)
{
	if (count == 0)
		return cairn_error_set(CAIRN_EVERIFY,
				       "no verified signing time: a certificate bundle needs a Rekor v1 entry with a signed entry "
				       "timestamp or an RFC 3161 timestamp from a trusted authority");
	int64_t not_before = cairn_cert_not_before(m->leaf), not_after = cairn_cert_not_after(m->leaf);
	for (size_t i = 0; i < count; i++) {
		char when[40], from[40], to[40];
		format_time(times[i], when, sizeof when);
		if (times[i] < not_before || times[i] > not_after) {
			format_time(not_before, from, sizeof from);
			format_time(not_after, to, sizeof to);
			return cairn_error_set(CAIRN_EVERIFY,
					       "the signing certificate was not valid at the signing time %s (it is valid from %s "
					       "to %s)",
					       when, from, to);
		}
		int err = cairn_cert_verify_chain(m->leaf, m->intermediates, m->intermediate_count, root, times[i]);
		if (err)
			return cairn_error_prefix(err, "certificate chain at the signing time %s", when);
	}
	cairn_cert *owned = NULL;
	const cairn_cert *issuer = NULL;
	int err = find_issuer(m, root, &owned, &issuer);
	if (!err) {
		err = cairn_cert_verify_scts(m->leaf, issuer, root, 1);
		if (err)
			err = cairn_error_prefix(err, "certificate transparency");
	}
	cairn_cert_free(owned);
	if (!err) {
		err = cairn_identity_policy_check(&o->identity, m->leaf);
		if (err)
			err = cairn_error_prefix(err, "identity");
	}
	return err;
}

/* ---- the signature ---- */

static int check_message_signature(const cairn_bundle *b, const struct material *m, artifact_digests *a)
{
	const cairn_digest *mine;
	int err;
	if (b->has_message_digest) {
		if ((err = artifact_digest_get(a, b->message_digest.alg, &mine)))
			return err;
		if (mine == NULL)
			return cairn_error_set(CAIRN_EVERIFY, "the bundle's message digest is %s, and the artifact's %s digest is "
							      "not known",
					       cairn_digest_alg_name(b->message_digest.alg),
					       cairn_digest_alg_name(b->message_digest.alg));
		if (cairn_digest_equal(mine, &b->message_digest) != 0)
			return cairn_error_set(CAIRN_EVERIFY, "the bundle's message digest is not the artifact's digest: the "
							      "bundle was made for another artifact");
	}
	enum cairn_digest_alg alg = cairn_key_default_digest(m->key);
	if (alg == CAIRN_DIGEST_NONE) {
		if (a->path == NULL)
			return cairn_error_set(CAIRN_EVERIFY, "an %s signature covers the whole artifact, which is needed "
							      "(a digest is not enough)",
					       cairn_key_type_name(cairn_key_get_type(m->key)));
		err = cairn_sig_verify_file(m->key, a->path, b->signature.data, b->signature.len);
	} else {
		if ((err = artifact_digest_get(a, alg, &mine)))
			return err;
		if (mine == NULL)
			return cairn_error_set(CAIRN_EVERIFY, "the signature is over the artifact's %s digest, which is not known "
							      "from the digest given",
					       cairn_digest_alg_name(alg));
		err = cairn_sig_verify_digest(m->key, mine, b->signature.data, b->signature.len);
	}
	if (err == CAIRN_EVERIFY)
		return cairn_error_set(CAIRN_EVERIFY, "the bundle's signature over the artifact does not verify with the %s",
				       b->key_based ? "given key" : "signing certificate's key");
	return err;
}

static int check_dsse(const cairn_bundle *b, const struct material *m, artifact_digests *a)
{
	const cairn_dsse_envelope *env = &b->dsse;
	int err = cairn_dsse_verify_one(env, m->key, env->sigs[0].sig.data, env->sigs[0].sig.len);
	if (err == CAIRN_EVERIFY)
		return cairn_error_set(CAIRN_EVERIFY, "the DSSE envelope's signature does not verify with the %s",
				       b->key_based ? "given key" : "signing certificate's key");
	if (err)
		return err;
	if (strcmp(env->payload_type, CAIRN_DSSE_INTOTO_TYPE) != 0)
		return cairn_error_set(CAIRN_EVERIFY, "the DSSE payload type is \"%s\", not an in-toto statement, so it "
						      "cannot name the artifact",
				       env->payload_type);
	cairn_intoto_statement st;
	err = cairn_intoto_statement_parse(&st, env->payload.data, env->payload.len, "the DSSE payload");
	if (err)
		return cairn_error_prefix(CAIRN_EVERIFY, "in-toto statement");
	static const enum cairn_digest_alg algs[] = {CAIRN_DIGEST_SHA256, CAIRN_DIGEST_SHA512, CAIRN_DIGEST_SHA384};
	int found = 0;
	for (size_t i = 0; !err && !found && i < sizeof algs / sizeof algs[0]; i++) {
		int named = 0;
		for (size_t s = 0; s < st.subject_count && !named; s++)
			for (size_t d = 0; d < st.subjects[s].digest_count; d++)
				named |= st.subjects[s].digests[d].alg == algs[i];
		const cairn_digest *mine = NULL;
		if (named)
			err = artifact_digest_get(a, algs[i], &mine);
		if (!err && mine != NULL)
			found = cairn_intoto_statement_has_digest(&st, mine);
	}
	cairn_intoto_statement_free(&st);
	if (err)
		return err;
	if (!found)
		return cairn_error_set(CAIRN_EVERIFY, "no subject of the in-toto statement has the artifact's digest: the "
						      "attestation is about another artifact");
	return 0;
}

/* ---- putting it together ---- */

static int add_time(cairn_bundle_result *r, int64_t t)
{
	if (r->time_count >= CAIRN_BUNDLE_MAX_TIMES)
		return cairn_error_set(CAIRN_ETOOBIG, "too many signing times");
	r->times[r->time_count++] = t;
	return 0;
}

/* A Rekor v2 entry has no integrated time, so its log's validity window in the trusted root is held
 * against the timestamps: the log must have been trusted when at least one of them was made. */
static int check_log_windows(const cairn_bundle *b, const cairn_trusted_root *root, const int64_t *times, size_t count)
{
	if (count == 0)
		return 0;
	for (size_t i = 0; i < b->entry_count; i++) {
		const bundle_tlog_entry *e = &b->entries[i];
		if (e->integrated_time > 0)
			continue; /* checked against its own integrated time */
		const cairn_trusted_log *log = cairn_trusted_root_find_tlog(root, e->log_id.data, e->log_id.len);
		int inside = 0;
		for (size_t t = 0; log != NULL && t < count && !inside; t++)
			inside = cairn_validity_contains(&log->valid, times[t]);
		if (!inside)
			return cairn_error_set(CAIRN_EVERIFY, "transparency log entry %zu: the log's key was not valid in the "
							      "trusted root at any verified timestamp",
					       i);
	}
	return 0;
}

static int verify_logs_and_times(const cairn_bundle *b, const cairn_trusted_root *root, const struct material *m,
				 artifact_digests *a, const cairn_buf *signature, int64_t now, int allow_missing,
				 cairn_bundle_result *r)
{
	if (b->entry_count == 0 && !(allow_missing && b->key_based))
		return cairn_error_set(CAIRN_EVERIFY, "the bundle has no transparency log entry, and one is required");
	cairn_buf leaf_der = CAIRN_BUF_INIT;
	int err = 0;
	if (m->leaf != NULL)
		err = cairn_cert_der(m->leaf, &leaf_der);
	/* The body comparison needs the artifact's digests in every algorithm the body may name. */
	const cairn_digest *ignored;
	if (!err && a->path != NULL)
		err = artifact_digest_get(a, CAIRN_DIGEST_SHA256, &ignored);
	entry_expect expect = {m->leaf ? &leaf_der : NULL, m->key, signature, b, a};
	for (size_t i = 0; !err && i < b->entry_count; i++) {
		int64_t t = 0;
		err = tlog_verify_entry(&b->entries[i], i, root, &expect, now, &t);
		if (!err) {
			r->tlog_verified++;
			if (t > 0)
				err = add_time(r, t);
		}
	}
	size_t first_timestamp = r->time_count;
	for (size_t i = 0; !err && i < b->timestamp_count; i++) {
		int64_t t = 0;
		err = timestamp_verify(&b->timestamps[i], i, root, signature, &t);
		if (!err && t > now)
			err = cairn_error_set(CAIRN_EVERIFY, "timestamp %zu is in the future", i);
		if (!err)
			err = add_time(r, t);
	}
	if (!err)
		err = check_log_windows(b, root, r->times + first_timestamp, r->time_count - first_timestamp);
	cairn_buf_free(&leaf_der);
	return err;
}

static int fill_identity(const struct material *m, cairn_bundle_result *r)
{
	if (m->leaf == NULL)
		return 0;
	cairn_cert_identity id;
	int err = cairn_cert_get_identity(m->leaf, &id);
	if (err)
		return err;
	if (id.san_count > 0)
		r->identity = strdup(id.sans[0]);
	if (id.issuer != NULL)
		r->issuer = strdup(id.issuer);
	cairn_cert_identity_free(&id);
	if ((id.san_count > 0 && r->identity == NULL))
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

int cairn_bundle_verify(const cairn_bundle *bundle, const cairn_trusted_root *root,
			const cairn_bundle_artifact *artifact, const cairn_bundle_options *options,
			cairn_bundle_result *result)
{
	cairn_bundle_result local;
	cairn_bundle_result *r = result ? result : &local;
	memset(r, 0, sizeof *r);
	int64_t now = options->now > 0 ? options->now : (int64_t)time(NULL);
	artifact_digests a;
	struct material m;
	int err = artifact_init(&a, artifact);
	if (err)
		return err;
	if ((err = load_material(bundle, root, options, &m))) {
		material_free(&m);
		return err;
	}
	const cairn_buf *signature = bundle->is_dsse ? &bundle->dsse.sigs[0].sig : &bundle->signature;
	err = verify_logs_and_times(bundle, root, &m, &a, signature, now, options->allow_missing_tlog, r);
	if (!err && !bundle->key_based)
		err = check_certificate(&m, root, options, r->times, r->time_count);
	if (!err)
		err = bundle->is_dsse ? check_dsse(bundle, &m, &a) : check_message_signature(bundle, &m, &a);
	if (!err)
		err = fill_identity(&m, r);
	material_free(&m);
	if (err || result == NULL)
		cairn_bundle_result_free(r);
	if (!err)
		cairn_error_clear();
	return err;
}

void cairn_bundle_result_free(cairn_bundle_result *result)
{
	if (result == NULL)
		return;
	free(result->identity);
	free(result->issuer);
	result->identity = NULL;
	result->issuer = NULL;
}
