/* cairn keygen: a new key pair, the private half passphrase-protected. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_keygen_usage[] =
	"usage: cairn keygen [--type TYPE] [--cosign] [--output-key-prefix PREFIX] [--force]\n"
	"\n"
	"Generates a key pair for signing and writes PREFIX.key (PEM PKCS#8 private key, mode 0600) and\n"
	"PREFIX.pub (PEM public key). PREFIX defaults to \"cairn\".\n"
	"\n"
	"The private key is encrypted (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC) with the passphrase from\n"
	"CAIRN_PASSWORD, or one asked for twice on the terminal. An empty passphrase writes it unencrypted.\n"
	"\n"
	"With --cosign, PREFIX.key is written in cosign's format instead (ENCRYPTED SIGSTORE PRIVATE KEY:\n"
	"scrypt and a NaCl secretbox), which `cosign` reads; PREFIX defaults to \"cosign\", and the password\n"
	"comes from COSIGN_PASSWORD, then CAIRN_PASSWORD, then the terminal. An empty password still\n"
	"encrypts the key, as cosign does.\n"
	"\n"
	"options:\n"
	"  --type TYPE                 ecdsa-p256 (default), ecdsa-p384 or ed25519\n"
	"  --cosign                    write the private key in cosign's encrypted format\n"
	"  --output-key-prefix PREFIX  where to write the keys (PREFIX.key and PREFIX.pub)\n"
	"  --force                     overwrite existing key files\n";

static int write_key_pair(const cairn_key *key, const char *passphrase, int cosign, const char *key_path,
			  const char *pub_path)
{
	cairn_buf private_pem = CAIRN_BUF_SECRET_INIT, public_pem = CAIRN_BUF_INIT;
	int err = cosign ? cairn_key_save_cosign(key, passphrase, &private_pem)
			 : cairn_key_save_private(key, passphrase, &private_pem);
	if (!err)
		err = cairn_key_save_public(key, &public_pem);
	/* The private key first: a public key without its private half would be useless. */
	if (!err)
		err = cairn_file_write_atomic(key_path, private_pem.data, private_pem.len, 0600);
	if (!err)
		err = cairn_file_write_atomic(pub_path, public_pem.data, public_pem.len, 0644);
	cairn_buf_free_secret(&private_pem);
	cairn_buf_free(&public_pem);
	return err;
}

/* cosign reads COSIGN_PASSWORD (even when empty) before anything else; so does --cosign. */
static int read_password(int cosign, cairn_buf *out)
{
	const char *env = cosign ? getenv("COSIGN_PASSWORD") : NULL;
	if (env != NULL)
		return cairn_buf_append_str(out, env);
	int err = cairn_passphrase_read(out, cosign ? "Enter password for the cosign private key: "
						    : "Enter passphrase for the private key: ",
					1);
	if (err && cosign)
		err = cairn_error_prefix(err, "no password for the cosign key (COSIGN_PASSWORD is not set)");
	return err;
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option options[] = {
		{"type", required_argument, NULL, 't'},
		{"output-key-prefix", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		{"cosign", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *type_name = "ecdsa-p256";
	const char *prefix = NULL;
	int force = 0, cosign = 0;
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 't': type_name = optarg; break;
		case 'o': prefix = optarg; break;
		case 'f': force = 1; break;
		case 'c': cosign = 1; break;
		case 'h': return cli_print_usage("keygen");
		default: return cli_option_error("keygen", argv, opt);
		}
	}
	if (optind != argc)
		return cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);

	enum cairn_key_type type;
	if (cairn_key_type_parse(type_name, &type) != 0 || type == CAIRN_KEY_RSA)
		return cli_usage_error("keygen", "unknown key type '%s' (expected ecdsa-p256, ecdsa-p384 or ed25519)",
				       type_name);

	if (prefix == NULL)
		prefix = cosign ? "cosign" : "cairn";

	cairn_buf key_path = CAIRN_BUF_INIT, pub_path = CAIRN_BUF_INIT, passphrase = CAIRN_BUF_SECRET_INIT;
	cairn_key *key = NULL;
	int status = CLI_OK;
	if (cairn_buf_printf(&key_path, "%s.key", prefix) || cairn_buf_printf(&pub_path, "%s.pub", prefix)) {
		status = cli_report_error();
		goto done;
	}
	for (const cairn_buf *path = &key_path; !force && path != NULL; path = path == &key_path ? &pub_path : NULL) {
		if (cairn_file_exists(cairn_buf_cstr(path))) {
			fprintf(stderr, "cairn keygen: %s already exists; use --force to overwrite it\n",
				cairn_buf_cstr(path));
			status = CLI_USAGE;
			goto done;
		}
	}
	if (read_password(cosign, &passphrase) || cairn_key_generate(&key, type) ||
	    write_key_pair(key, cairn_buf_cstr(&passphrase), cosign, cairn_buf_cstr(&key_path),
			   cairn_buf_cstr(&pub_path))) {
		status = cli_report_error();
		goto done;
	}
	const char *note = "";
	if (cosign)
		note = " (cosign format)";
	else if (passphrase.len == 0)
		note = " (unencrypted: the passphrase was empty)";
	fprintf(stderr, "Private key written to %s%s\nPublic key written to %s\n", cairn_buf_cstr(&key_path), note,
		cairn_buf_cstr(&pub_path));
done:
	cairn_key_free(key);
	cairn_buf_free_secret(&passphrase);
	cairn_buf_free(&key_path);
	cairn_buf_free(&pub_path);
	return status;
}
