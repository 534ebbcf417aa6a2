/* Tests of cosign image signatures (cairn/cosign.h) against independent expectations: a payload and
 * signature made by cosign itself (containers/image's signature/fixtures/dir-img-cosign-valid, with
 * its cosign.pub), the layout of cosign's SIGNATURE_SPEC.md, and go-containerregistry's config form. */
#include "cairn/cosign.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "sign/cosign_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Made by cosign: the payload of dir-img-cosign-valid/signature-1, its signature and the key. */
static const char cosign_payload[] =
	"{\"critical\":{\"identity\":{\"docker-reference\":\"192.168.64.2:5000/cosign-signed-single-sample\"},"
	"\"image\":{\"docker-manifest-digest\":\"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00\"},"
	"\"type\":\"cosign container image signature\"},\"optional\":null}";
static const char cosign_signature[] =
	"MEYCIQDmtamqYPjMg81nqeBhptrPls44aA/r7PwLmspINJY4MwIhANKRpqe2E9UCBtGFdPoz/8jAbaQm4uP4h+IpwKTE6ClR";
static const char cosign_pub[] = "-----BEGIN PUBLIC KEY-----\n"
				 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFNLqFhf4fiN6o/glAuYnq2jYUeL0\n"
				 "vRuLu/z39pmbVwS9ff5AYnlwaP9sxREajdLY9ynM6G1sy6AAmb7Z63TsLg==\n"
				 "-----END PUBLIC KEY-----\n";
static const char image_digest[] = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

static cairn_digest digest_of(const char *text)
{
	cairn_digest d;
	cr_assert_eq(cairn_digest_parse(text, strlen(text), &d), 0);
	return d;
}

Test(cosign, payload_is_byte_for_byte_what_cosign_writes)
{
	cairn_digest d = digest_of(image_digest);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_cosign_payload_make("192.168.64.2:5000/cosign-signed-single-sample", &d, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), cosign_payload);
	cairn_buf_free(&out);
	/* a reference that would need JSON escapes is refused rather than written differently */
	cr_assert_neq(cairn_cosign_payload_make("a\"b", &d, &out), 0);
}

Test(cosign, docker_reference_spells_docker_hub_as_cosign_does)
{
	cairn_ref ref;
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_ref_parse(&ref, "alpine:3"), 0);
	cr_assert_eq(cairn_cosign_docker_reference(&ref, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "index.docker.io/library/alpine");
	cairn_ref_free(&ref);
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_ref_parse(&ref, "127.0.0.1:5000/a/b@sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"), 0);
	cr_assert_eq(cairn_cosign_docker_reference(&ref, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "127.0.0.1:5000/a/b");
	cairn_ref_free(&ref);
	cairn_buf_free(&out);
}

Test(cosign, payload_parse_accepts_cosign_and_rejects_others)
{
	cairn_cosign_payload p;
	cr_assert_eq(cairn_cosign_payload_parse(&p, cosign_payload, strlen(cosign_payload), "t"), 0);
	cr_assert_str_eq(p.docker_reference, "192.168.64.2:5000/cosign-signed-single-sample");
	cairn_digest d = digest_of(image_digest);
	cr_assert_eq(cairn_digest_equal(&p.image, &d), 0);
	cairn_cosign_payload_free(&p);
	static const char *const bad[] = {
		"this is not a signature",
		"[]",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":"
		"\"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00\"},\"type\":\"atomic container signature\"}}",
		"{\"critical\":{\"identity\":{},\"image\":{\"docker-manifest-digest\":"
		"\"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00\"},\"type\":\"cosign container image signature\"}}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"sha256:abc\"},"
		"\"type\":\"cosign container image signature\"}}",
		"{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":"
		"\"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00\"},\"type\":\"cosign container image signature\"},"
		"\"optional\":[]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(cairn_cosign_payload_parse(&p, bad[i], strlen(bad[i]), "t"), CAIRN_EVERIFY, "case %zu", i);
		cr_assert_null(p.docker_reference);
	}
}

Test(cosign, signature_tag_follows_the_spec)
{
	cairn_digest d = digest_of(image_digest);
	cairn_buf tag = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_cosign_signature_tag(&d, &tag), 0);
	cr_assert_str_eq(cairn_buf_cstr(&tag), "sha256-634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00.sig");
	cairn_buf_free(&tag);
}

Test(cosign, reference_matching_is_by_repository)
{
	cr_assert(cairn_cosign_reference_matches("192.168.64.2:5000/skopeo-signed:tag", "192.168.64.2:5000/skopeo-signed"));
	cr_assert(cairn_cosign_reference_matches("index.docker.io/library/alpine", "alpine:3"));
	cr_assert(cairn_cosign_reference_matches("docker.io/library/alpine", "alpine@sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"));
	cr_assert_not(cairn_cosign_reference_matches("192.168.64.2:5000/cosign-signed-single-sample", "this/doesnt:match"));
	cr_assert_not(cairn_cosign_reference_matches("not a reference", "not a reference"));
}

/* cosign's own signature verifies; a flipped payload byte, another digest and a truncated signature
 * do not. */
Test(cosign, verifies_a_cosign_made_signature)
{
	cairn_key *key = NULL;
	cr_assert_eq(cairn_key_load_public(&key, cosign_pub, strlen(cosign_pub), "cosign.pub"), 0);
	cairn_cosign_verify_options opts;
	memset(&opts, 0, sizeof opts);
	opts.key = key;
	cairn_digest d = digest_of(image_digest);
	cairn_cosign_signature sig = {(const uint8_t *)cosign_payload, strlen(cosign_payload), cosign_signature, NULL, NULL, NULL};
	cairn_cosign_verified v;
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &d, &opts, &v), 0, "%s", cairn_error_message());
	cr_assert_str_eq(v.payload, cosign_payload);
	cr_assert_str_eq(v.docker_reference, "192.168.64.2:5000/cosign-signed-single-sample");
	cr_assert_null(v.identity);
	cairn_cosign_verified_free(&v);

	char flipped[sizeof cosign_payload];
	memcpy(flipped, cosign_payload, sizeof flipped);
	flipped[60] ^= 1;
	sig.payload = (const uint8_t *)flipped;
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &d, &opts, &v), CAIRN_EVERIFY);
	sig.payload = (const uint8_t *)cosign_payload;

	cairn_digest other = digest_of("sha256:0000000000000000000000000000000000000000000000000000000000000000");
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &other, &opts, &v), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "not this image") != NULL);

	sig.signature = "MEYCIQDmtamqYPjMg81nqeBhptrPls44aA==";
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &d, &opts, &v), CAIRN_EVERIFY);
	sig.signature = NULL;
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &d, &opts, &v), CAIRN_EVERIFY);

	/* keyless: a certificate without a Rekor bundle cannot establish the signing time */
	opts.key = NULL;
	opts.identity.identity = "someone@example.com";
	opts.identity.issuer = "https://accounts.example.com";
	sig.signature = cosign_signature;
	sig.certificate = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &d, &opts, &v), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "without a Rekor bundle") != NULL, "%s", cairn_error_message());
	sig.certificate = NULL;
	cr_assert_eq(cairn_cosign_verify_signature(&sig, &d, &opts, &v), CAIRN_EVERIFY);
	cairn_key_free(key);
}

/* The manifest and config, written by hand from SIGNATURE_SPEC.md and go-containerregistry's
 * ConfigFile field order, for one signature layer. */
Test(cosign, manifest_matches_cosign_layout)
{
	cairn_cosign_signature sig = {(const uint8_t *)cosign_payload, strlen(cosign_payload), cosign_signature, NULL, NULL, NULL};
	cairn_buf manifest = CAIRN_BUF_INIT, config = CAIRN_BUF_INIT, expected = CAIRN_BUF_INIT, hex = CAIRN_BUF_INIT;
	int added = 0;
	cr_assert_eq(cairn_cosign_manifest_append(NULL, 0, &sig, &manifest, &config, &added), 0);
	cr_assert_eq(added, 1);
	cairn_digest payload_digest, config_digest;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, cosign_payload, strlen(cosign_payload), &payload_digest), 0);
	cairn_digest_format(&payload_digest, &hex);
	cairn_buf_printf(&expected,
			 "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":"
			 "\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},"
			 "\"config\":{}}",
			 cairn_buf_cstr(&hex));
	cr_assert_str_eq(cairn_buf_cstr(&config), cairn_buf_cstr(&expected));
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, config.data, config.len, &config_digest), 0);
	cairn_buf cfg_hex = CAIRN_BUF_INIT;
	cairn_digest_format(&config_digest, &cfg_hex);
	cairn_buf_clear(&expected);
	cairn_buf_printf(&expected,
			 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":%zu,\"digest\":\"%s\"},"
			 "\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":%zu,"
			 "\"digest\":\"%s\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"%s\"}}]}",
			 config.len, cairn_buf_cstr(&cfg_hex), strlen(cosign_payload), cairn_buf_cstr(&hex), cosign_signature);
	cr_assert_str_eq(cairn_buf_cstr(&manifest), cairn_buf_cstr(&expected));

	/* the same signature again adds nothing */
	cairn_buf m2 = CAIRN_BUF_INIT, c2 = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_cosign_manifest_append(manifest.data, manifest.len, &sig, &m2, &c2, &added), 0);
	cr_assert_eq(added, 0);
	cr_assert_eq(m2.len, 0);

	/* a keyless signature is appended after it, annotations in Go's sorted order, first layer kept */
	cairn_cosign_signature keyless = {(const uint8_t *)"{}", 2, "c2ln", "CERT", "CHAIN", "{\"b\":1}"};
	cr_assert_eq(cairn_cosign_manifest_append(manifest.data, manifest.len, &keyless, &m2, &c2, &added), 0);
	cr_assert_eq(added, 1);
	json_t *root = NULL;
	cr_assert_eq(cairn_json_parse(&root, m2.data, m2.len, NULL, "m2"), 0);
	json_t *layers = json_object_get(root, "layers");
	cr_assert_eq(json_array_size(layers), 2);
	const char *keys[4];
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_array_get(layers, 1), "annotations"), k, v) keys[n++] = k;
	cr_assert_eq(n, 4);
	cr_assert_str_eq(keys[0], "dev.cosignproject.cosign/signature");
	cr_assert_str_eq(keys[1], "dev.sigstore.cosign/bundle");
	cr_assert_str_eq(keys[2], "dev.sigstore.cosign/certificate");
	cr_assert_str_eq(keys[3], "dev.sigstore.cosign/chain");
	cr_assert(strstr(cairn_buf_cstr(&c2), "\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"},{\"created\"") != NULL);
	json_decref(root);

	/* an index under the .sig tag is not something to append to */
	static const char index[] = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
	cairn_buf m3 = CAIRN_BUF_INIT, c3 = CAIRN_BUF_INIT;
	cr_assert_neq(cairn_cosign_manifest_append(index, strlen(index), &sig, &m3, &c3, &added), 0);
	cr_assert_eq(added, 0);
	cairn_buf_free(&m3);
	cairn_buf_free(&c3);
	cairn_buf_free(&m2);
	cairn_buf_free(&c2);
	cairn_buf_free(&cfg_hex);
	cairn_buf_free(&manifest);
	cairn_buf_free(&config);
	cairn_buf_free(&expected);
	cairn_buf_free(&hex);
}

/* ---- keyless evidence, from a real Sigstore bundle restated in cosign's annotation form ---- */


#define BEACON_ID                                                                                            \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/" \
	"extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define BEACON_ISSUER "https://token.actions.githubusercontent.com"

struct evidence {
	cairn_buf artifact, signature, certificate, rekor;
};

static void read_corpus(const char *rel, cairn_buf *out)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/sigstore/conformance/bundle-verify/%s", test_corpus(), rel);
	cr_assert_eq(cairn_file_read(path, 1 << 20, out), 0, "%s", cairn_error_message());
}

/* What cosign puts in the annotations, made from a bundle's certificate, tlog entry and signature:
 * the certificate as PEM and {"SignedEntryTimestamp","Payload":{body,integratedTime,logIndex,logID}}. */
static void evidence_from_bundle(const char *dir, struct evidence *ev, const char *tamper)
{
	memset(ev, 0, sizeof *ev);
	char rel[256];
	cairn_buf text = CAIRN_BUF_INIT;
	snprintf(rel, sizeof rel, "%s/bundle.sigstore.json", dir);
	read_corpus(rel, &text);
	read_corpus("a.txt", &ev->artifact);
	json_t *b = json_loadb((const char *)text.data, text.len, 0, NULL);
	cr_assert_not_null(b);
	json_t *vm = json_object_get(b, "verificationMaterial");
	json_t *e = json_array_get(json_object_get(vm, "tlogEntries"), 0);
	json_t *certs = json_object_get(json_object_get(vm, "x509CertificateChain"), "certificates");
	if (certs != NULL) {
		const char *der64 = json_string_value(json_object_get(json_array_get(certs, 0), "rawBytes"));
		cairn_buf_append_str(&ev->certificate, "-----BEGIN CERTIFICATE-----\n");
		for (size_t i = 0, n = strlen(der64); i < n; i += 64)
			cairn_buf_printf(&ev->certificate, "%.*s\n", (int)(n - i < 64 ? n - i : 64), der64 + i);
		cairn_buf_append_str(&ev->certificate, "-----END CERTIFICATE-----\n");
	}
	cairn_buf id = CAIRN_BUF_INIT, hex = CAIRN_BUF_INIT;
	const char *key_id = json_string_value(json_object_get(json_object_get(e, "logId"), "keyId"));
	cr_assert_eq(cairn_base64_decode(&id, key_id, strlen(key_id), CAIRN_BASE64_STD, "keyId"), 0);
	cairn_hex_encode(&hex, id.data, id.len);
	long long integrated = atoll(json_string_value(json_object_get(e, "integratedTime")));
	long long index = atoll(json_string_value(json_object_get(e, "logIndex")));
	const char *set = json_string_value(json_object_get(json_object_get(e, "inclusionPromise"), "signedEntryTimestamp"));
	if (tamper && strcmp(tamper, "time") == 0)
		integrated++;
	cairn_buf_printf(&ev->rekor,
			 "{\"SignedEntryTimestamp\":\"%s\",\"Payload\":{\"body\":\"%s\",\"integratedTime\":%lld,"
			 "\"logIndex\":%lld,\"logID\":\"%s\"}}",
			 set, json_string_value(json_object_get(e, "canonicalizedBody")), integrated, index, cairn_buf_cstr(&hex));
	if (tamper && strcmp(tamper, "set") == 0) {
		char *p = strstr((char *)ev->rekor.data, "\"SignedEntryTimestamp\":\"") + 30;
		*p = *p == 'A' ? 'B' : 'A';
	}
	cairn_buf_append_str(&ev->signature,
			     json_string_value(json_object_get(json_object_get(b, "messageSignature"), "signature")));
	json_decref(b);
	cairn_buf_free(&text);
	cairn_buf_free(&id);
	cairn_buf_free(&hex);
}

static void evidence_free(struct evidence *ev)
{
	cairn_buf_free(&ev->artifact);
	cairn_buf_free(&ev->signature);
	cairn_buf_free(&ev->certificate);
	cairn_buf_free(&ev->rekor);
}

static int check_evidence(const struct evidence *ev, const cairn_key *key, const char *identity, cairn_cosign_verified *out)
{
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0);
	cairn_cosign_verify_options opts;
	memset(&opts, 0, sizeof opts);
	opts.root = root;
	opts.key = key;
	opts.identity.identity = identity;
	opts.identity.issuer = BEACON_ISSUER;
	cairn_cosign_signature sig = {ev->artifact.data, ev->artifact.len, cairn_buf_cstr(&ev->signature),
				      ev->certificate.len ? cairn_buf_cstr(&ev->certificate) : NULL, NULL,
				      cairn_buf_cstr(&ev->rekor)};
	int err = cosign_verify_evidence(&sig, &opts, out);
	cairn_trusted_root_free(root);
	return err;
}

Test(cosign, keyless_evidence_verifies_through_the_bundle_verifier)
{
	struct evidence ev;
	cairn_cosign_verified v;
	memset(&v, 0, sizeof v);
	evidence_from_bundle("happy-path-v0.1", &ev, NULL);
	cr_assert_eq(check_evidence(&ev, NULL, BEACON_ID, &v), 0, "%s", cairn_error_message());
	cr_assert_str_eq(v.identity, BEACON_ID);
	cr_assert_str_eq(v.issuer, BEACON_ISSUER);
	cr_assert_eq(v.signed_at, 1689177396);
	cairn_cosign_verified_free(&v);
	/* another identity, a flipped SET, another integrated time: each refused */
	cr_assert_eq(check_evidence(&ev, NULL, "someone@example.com", &v), CAIRN_EVERIFY);
	evidence_free(&ev);
	evidence_from_bundle("happy-path-v0.1", &ev, "set");
	cr_assert_eq(check_evidence(&ev, NULL, BEACON_ID, &v), CAIRN_EVERIFY);
	evidence_free(&ev);
	evidence_from_bundle("happy-path-v0.1", &ev, "time");
	cr_assert_eq(check_evidence(&ev, NULL, BEACON_ID, &v), CAIRN_EVERIFY);
	/* a signature over other bytes than the payload */
	evidence_free(&ev);
	evidence_from_bundle("happy-path-v0.1", &ev, NULL);
	ev.artifact.data[0] ^= 1;
	cr_assert_eq(check_evidence(&ev, NULL, BEACON_ID, &v), CAIRN_EVERIFY);
	evidence_free(&ev);
}

Test(cosign, key_signature_with_rekor_bundle_verifies_its_log_entry)
{
	struct evidence ev;
	cairn_cosign_verified v;
	memset(&v, 0, sizeof v);
	cairn_buf pem = CAIRN_BUF_INIT;
	read_corpus("managed-key-happy-path/key.pub", &pem);
	cairn_key *key = NULL;
	cr_assert_eq(cairn_key_load_public(&key, pem.data, pem.len, "key.pub"), 0);
	evidence_from_bundle("managed-key-happy-path", &ev, NULL);
	cr_assert_eq(ev.certificate.len, 0);
	cr_assert_eq(check_evidence(&ev, key, NULL, &v), 0, "%s", cairn_error_message());
	cr_assert_gt(v.signed_at, 0);
	cairn_cosign_verified_free(&v);
	evidence_free(&ev);
	evidence_from_bundle("managed-key-happy-path", &ev, "set");
	cr_assert_eq(check_evidence(&ev, key, NULL, &v), CAIRN_EVERIFY);
	evidence_free(&ev);
	/* the wrong key */
	cairn_key *other = NULL;
	cr_assert_eq(cairn_key_load_public(&other, cosign_pub, strlen(cosign_pub), "cosign.pub"), 0);
	evidence_from_bundle("managed-key-happy-path", &ev, NULL);
	cr_assert_eq(check_evidence(&ev, other, NULL, &v), CAIRN_EVERIFY);
	evidence_free(&ev);
	cairn_key_free(other);
	cairn_key_free(key);
	cairn_buf_free(&pem);
}
