/* cairn sign-blob: a detached signature over a file, base64 as cosign writes it, or a Sigstore bundle
 * (v0.3, managed key) holding a signature over the file or a DSSE envelope over an in-toto statement,
 * optionally recorded in a Rekor v1 transparency log (--rekor-url) whose checked entry the bundle
 * then carries. */
#include "cli.h"

#include "cairn/bundle.h"
#include "cairn/json.h"
#include "cairn/rekor.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_sign_blob_usage[] =
	"usage: cairn sign-blob --key KEY [--output-signature FILE] FILE\n"
	"       cairn sign-blob --key KEY --bundle OUT [--in-toto] FILE\n"
	"       cairn sign-blob --key KEY --bundle OUT [--in-toto] --rekor-url URL\n"
	"                       [--rekor-public-key PEM] [--ca-file PEM] FILE\n"
	"\n"
	"Signs FILE (\"-\" for standard input) with the private key KEY and prints the signature in base64\n"
	"(ECDSA: DER, over SHA-256 for P-256 and SHA-384 for P-384; Ed25519: over the whole file). An\n"
	"encrypted key's passphrase comes from CAIRN_PASSWORD or a terminal prompt.\n"
	"\n"
	"With --bundle, writes a Sigstore bundle v0.3 to OUT (\"-\" for standard output) instead: the key's\n"
	"hint (base64 of the SHA-256 of its DER public key), the digest of FILE and the signature. With\n"
	"--in-toto, FILE is an in-toto statement (JSON) and is signed into a DSSE envelope; the bundle then\n"
	"verifies for the artifacts the statement names as subjects. Without --rekor-url signing is\n"
	"offline: the bundle has no transparency-log entry and no timestamp.\n"
	"\n"
	"With --rekor-url, the signature is also recorded in the Rekor v1 transparency log at URL (a\n"
	"hashedrekord entry, or with --in-toto a dsse entry; cairn log serve is one such log) and the\n"
	"log's entry goes into the bundle, once checked: the body the log recorded is the one proposed, its\n"
	"inclusion proof leads to a checkpoint signed by the log's key, and the signed entry timestamp\n"
	"verifies. The log's key is --rekor-public-key (pinned: better), or else fetched from\n"
	"URL/api/v1/log/publicKey. An entry the log already holds is fetched and used. Ed25519 message\n"
	"signatures cannot be logged (hashedrekord needs a signature over a digest): use ECDSA or --in-toto.\n"
	"\n"
	"options:\n"
	"  --key KEY                a private key file (PEM PKCS#8 or SEC1, or a cosign key)\n"
	"  --output-signature FILE  write the base64 signature to FILE instead of standard output\n"
	"  --bundle OUT             write a Sigstore bundle to OUT (written atomically)\n"
	"  --in-toto                FILE is an in-toto statement to sign into a DSSE envelope (needs --bundle)\n"
	"  --rekor-url URL          record the signature in this transparency log (needs --bundle); https,\n"
	"                           or plain http to a loopback address\n"
	"  --rekor-public-key PEM   the log's public key (default: asked of the log itself)\n"
	"  --ca-file PEM            a CA to trust for the log's https\n"
	"\n"
	"exit status: 0 signed; 1 the log's answer did not verify or the log refused the entry; 2 bad usage\n"
	"or unreadable input; 3 an I/O, network or internal failure.\n";

/* Makes the bundle for path with key into json. */
static int make_bundle(const cairn_key *key, const char *path, int in_toto, cairn_buf *json)
{
	if (!in_toto)
		return cairn_bundle_write_message(key, path, json);
	cairn_buf statement = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_DSSE_MAX_SIZE, &statement);
	if (!err) {
		char what[300];
		snprintf(what, sizeof what, "in-toto statement %s", path);
		err = cairn_bundle_write_dsse(key, statement.data, statement.len, what, json);
	}
	cairn_buf_free(&statement);
	return err;
}

/* ---- --rekor-url: recording the signature in a transparency log ---- */

struct rekor_args {
	const char *url;
	const char *public_key; /* the log's key, PEM; NULL: fetched from the log */
	const char *ca_file;
};

static int digest_alg_of(const char *name, enum cairn_digest_alg *alg)
{
	if (name != NULL && strcmp(name, "SHA2_256") == 0)
		*alg = CAIRN_DIGEST_SHA256;
	else if (name != NULL && strcmp(name, "SHA2_384") == 0)
		*alg = CAIRN_DIGEST_SHA384;
	else if (name != NULL && strcmp(name, "SHA2_512") == 0)
		*alg = CAIRN_DIGEST_SHA512;
	else
		return cairn_error_set(CAIRN_EINTERNAL, "the new bundle names no known message digest");
	return 0;
}

/* The hashedrekord proposal for the bundle's messageSignature (the signature and digest just made). */
static int message_proposal(const json_t *message, const cairn_buf *pem, cairn_buf *proposal)
{
	const json_t *md = json_object_get(message, "messageDigest");
	const char *sig64 = json_string_value(json_object_get(message, "signature"));
	const char *digest64 = json_string_value(json_object_get(md, "digest"));
	cairn_buf sig = CAIRN_BUF_INIT, raw = CAIRN_BUF_INIT;
	cairn_digest digest;
	memset(&digest, 0, sizeof digest);
	int err = sig64 == NULL || digest64 == NULL
			  ? cairn_error_set(CAIRN_EINTERNAL, "the new bundle has no signature or digest")
			  : digest_alg_of(json_string_value(json_object_get(md, "algorithm")), &digest.alg);
	if (!err)
		err = cairn_base64_decode(&sig, sig64, strlen(sig64), CAIRN_BASE64_STD, "the bundle's signature");
	if (!err)
		err = cairn_base64_decode(&raw, digest64, strlen(digest64), CAIRN_BASE64_STD, "the bundle's digest");
	if (!err && raw.len > sizeof digest.bytes)
		err = cairn_error_set(CAIRN_EINTERNAL, "the new bundle's digest is too long");
	if (!err) {
		memcpy(digest.bytes, raw.data, raw.len);
		digest.len = raw.len;
		err = cairn_rekor_hashedrekord_proposal(pem->data, pem->len, &digest, sig.data, sig.len, proposal);
	}
	cairn_buf_free(&sig);
	cairn_buf_free(&raw);
	return err;
}

/* The dsse proposal for the bundle's dsseEnvelope. */
static int dsse_proposal(const json_t *envelope, const cairn_buf *pem, cairn_buf *proposal)
{
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	int err = cairn_dsse_parse_json(&env, envelope, "the new bundle's DSSE envelope");
	if (!err)
		err = cairn_rekor_dsse_proposal(&env, pem->data, pem->len, proposal);
	cairn_dsse_envelope_free(&env);
	return err;
}

/* The log's key: pinned by the caller, or (trust on first use) asked of the log. */
static int log_key_load(const struct rekor_args *r, const cairn_rekor_client *client, cairn_key **key)
{
	if (r->public_key != NULL)
		return cairn_key_load_public_file(key, r->public_key);
	fprintf(stderr, "WARNING: the log's key is taken from %s/api/v1/log/publicKey, as the log itself says; pin it "
			"with --rekor-public-key\n", client->base);
	return cairn_rekor_public_key_fetch(client, key);
}

/* Proposes the signature in bundle (a parsed offline bundle) to the log and puts the checked entry
 * into its verificationMaterial.tlogEntries. */
static int add_log_entry(const cairn_key *key, json_t *bundle, const struct rekor_args *r)
{
	cairn_rekor_client client;
	cairn_key *log_key = NULL;
	cairn_buf pem = CAIRN_BUF_INIT, proposal = CAIRN_BUF_INIT;
	cairn_rekor_log_entry entry;
	json_t *item = NULL, *envelope = json_object_get(bundle, "dsseEnvelope");
	int existed = 0, uploaded = 0;
	int err = cairn_rekor_client_init(&client, r->url, r->ca_file);
	if (!err)
		err = cairn_key_save_public(key, &pem);
	if (!err)
		err = envelope != NULL ? dsse_proposal(envelope, &pem, &proposal)
				       : message_proposal(json_object_get(bundle, "messageSignature"), &pem, &proposal);
	if (!err)
		err = log_key_load(r, &client, &log_key);
	if (!err && (err = cairn_rekor_upload(&client, proposal.data, proposal.len, log_key, &entry, &existed)) == 0)
		uploaded = 1;
	if (!err)
		err = cairn_rekor_log_entry_bundle_json(&entry, &item);
	if (!err) {
		json_t *material = json_object_get(bundle, "verificationMaterial");
		if (!json_is_object(material) || json_object_set_new(material, "tlogEntries", json_pack("[O]", item)) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		fprintf(stderr, "%s %s at index %llu (entry %s)\n", existed ? "Already in the log" : "Logged in",
			client.base, (unsigned long long)entry.log_index, entry.uuid);
	json_decref(item);
	if (uploaded)
		cairn_rekor_log_entry_free(&entry);
	cairn_key_free(log_key);
	cairn_buf_free(&pem);
	cairn_buf_free(&proposal);
	return err;
}

/* Replaces json (an offline bundle cairn just wrote) with the same bundle carrying the log entry. */
static int log_bundle(const cairn_key *key, cairn_buf *json, const struct rekor_args *r)
{
	json_t *bundle = NULL;
	char *text = NULL;
	int err = cairn_json_parse(&bundle, json->data, json->len, NULL, "the new bundle");
	if (!err)
		err = add_log_entry(key, bundle, r);
	if (!err && (text = json_dumps(bundle, JSON_COMPACT)) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		cairn_buf_clear(json);
		err = cairn_buf_append_str(json, text);
		if (!err)
			err = cairn_buf_append_byte(json, '\n');
	}
	free(text);
	json_decref(bundle);
	return err;
}

static int sign_bundle(const char *key_path, const char *path, const char *bundle_path, int in_toto,
		       const struct rekor_args *r)
{
	cairn_key *key = NULL;
	cairn_buf json = CAIRN_BUF_INIT;
	int status = CLI_OK;
	if (cairn_key_load_private_file(&key, key_path) || make_bundle(key, path, in_toto, &json) ||
	    (r->url != NULL && log_bundle(key, &json, r)) ||
	    cairn_file_write_or_stdout(bundle_path, json.data, json.len, 0644))
		status = cli_report_error();
	else if (strcmp(bundle_path, "-") != 0)
		fprintf(stderr, "Bundle written to %s\n", bundle_path);
	cairn_key_free(key);
	cairn_buf_free(&json);
	return status;
}

static int sign_detached(const char *key_path, const char *path, const char *output)
{
	cairn_key *key = NULL;
	cairn_buf sig = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
	int status = CLI_OK;
	if (cairn_key_load_private_file(&key, key_path) || cairn_sig_sign_file(key, path, &sig) ||
	    cairn_base64_encode(&text, sig.data, sig.len, CAIRN_BASE64_STD)) {
		status = cli_report_error();
	} else if (output != NULL) {
		if (cairn_file_write_atomic(output, text.data, text.len, 0644))
			status = cli_report_error();
		else
			fprintf(stderr, "Signature written to %s\n", output);
	} else {
		printf("%s\n", cairn_buf_cstr(&text));
	}
	cairn_key_free(key);
	cairn_buf_free(&sig);
	cairn_buf_free(&text);
	return status;
}

int cmd_sign_blob(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"output-signature", required_argument, NULL, 'o'},
		{"bundle", required_argument, NULL, 'b'},
		{"in-toto", no_argument, NULL, 'i'},
		{"rekor-url", required_argument, NULL, 'r'},
		{"rekor-public-key", required_argument, NULL, 'p'},
		{"ca-file", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key_path = NULL;
	const char *output = NULL;
	const char *bundle_path = NULL;
	struct rekor_args rekor = {NULL, NULL, NULL};
	int in_toto = 0;
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'k': key_path = optarg; break;
		case 'o': output = optarg; break;
		case 'b': bundle_path = optarg; break;
		case 'i': in_toto = 1; break;
		case 'r': rekor.url = optarg; break;
		case 'p': rekor.public_key = optarg; break;
		case 'c': rekor.ca_file = optarg; break;
		case 'h': return cli_print_usage("sign-blob");
		default: return cli_option_error("sign-blob", argv, opt);
		}
	}
	if (key_path == NULL)
		return cli_usage_error("sign-blob", "--key is required");
	if (in_toto && bundle_path == NULL)
		return cli_usage_error("sign-blob", "--in-toto needs --bundle: a DSSE envelope is written into a bundle");
	if (bundle_path != NULL && output != NULL)
		return cli_usage_error("sign-blob", "give --bundle or --output-signature, not both (the bundle holds the "
						    "signature)");
	if (rekor.url != NULL && bundle_path == NULL)
		return cli_usage_error("sign-blob", "--rekor-url needs --bundle: the log's entry is written into the bundle");
	if (rekor.url == NULL && (rekor.public_key != NULL || rekor.ca_file != NULL))
		return cli_usage_error("sign-blob", "--rekor-public-key and --ca-file go with --rekor-url");
	if (argc - optind != 1)
		return cli_usage_error("sign-blob", "expected one FILE to sign");
	const char *path = argv[optind];
	return bundle_path ? sign_bundle(key_path, path, bundle_path, in_toto, &rekor)
			   : sign_detached(key_path, path, output);
}
