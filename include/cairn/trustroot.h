/* cairn/trustroot.h - Sigstore trust material: trusted_root.json (dev.sigstore.trustedroot.v0.1/v0.2).
 *
 * A trusted root lists the Fulcio certificate authorities, the CT logs, the transparency logs (Rekor
 * v1 and v2) and the RFC 3161 timestamp authorities a verifier trusts, each with a validity window
 * (validFor.start / validFor.end). The Sigstore public-good root is compiled into cairn and used when
 * no file is given, so verification works offline. */
#ifndef CAIRN_TRUSTROOT_H
#define CAIRN_TRUSTROOT_H

#include "cairn/buf.h"
#include "cairn/key.h"

#include <stddef.h>
#include <stdint.h>

struct x509_st; /* OpenSSL's X509 */
struct cairn_note_verifier; /* cairn/note.h */
struct cairn_cert;          /* cairn/cert.h */

/* A validity window in Unix seconds; end is INT64_MAX when open. */
typedef struct cairn_validity {
	int64_t start;
	int64_t end;
} cairn_validity;

/* A transparency log or CT log. */
typedef struct cairn_trusted_log {
	char *base_url;
	uint8_t log_id[32];    /* SHA-256 of the DER public key (Rekor v1, CT), or as the root says */
	size_t log_id_len;
	cairn_key *key;
	cairn_validity valid;
	char *origin;          /* checkpoint origin: baseUrl without scheme or trailing '/' (trusted roots
				  carry no origin; Rekor v2 logs sign checkpoints with this name) */
	struct cairn_note_verifier *note_verifier; /* for origin and key, built once at load (NULL when the
						      key cannot sign notes; then built per use) */
} cairn_trusted_log;

/* A certificate authority (Fulcio) or a timestamp authority: its chain, leaf first, root last. */
typedef struct cairn_trusted_ca {
	char *uri;
	struct x509_st **chain;
	struct cairn_cert **certs; /* the same certificates as cairn_cert (NULL when none could be made):
				      bundles refer to them without parsing their own copies again */
	size_t chain_len;
	cairn_validity valid;
	_Atomic int chain_state; /* cairn_trusted_ca_chain_checked's answer once known (0: not yet) */
} cairn_trusted_ca;

typedef struct cairn_trusted_root {
	cairn_trusted_log *tlogs;
	size_t tlog_count;
	cairn_trusted_log *ctlogs;
	size_t ctlog_count;
	cairn_trusted_ca *cas;
	size_t ca_count;
	cairn_trusted_ca *tsas;
	size_t tsa_count;
} cairn_trusted_root;

int cairn_trusted_root_parse(cairn_trusted_root **out, const void *json, size_t len, const char *what);
int cairn_trusted_root_load_file(cairn_trusted_root **out, const char *path);
/* The embedded Sigstore public-good trusted root. */
int cairn_trusted_root_public_good(cairn_trusted_root **out);
void cairn_trusted_root_free(cairn_trusted_root *root);

/* The transparency log / CT log with this log ID (NULL when none). */
const cairn_trusted_log *cairn_trusted_root_find_tlog(const cairn_trusted_root *root, const uint8_t *log_id,
						      size_t len);
const cairn_trusted_log *cairn_trusted_root_find_ctlog(const cairn_trusted_root *root, const uint8_t *log_id,
						       size_t len);
/* 1 when t lies inside the window. */
/* Whether each certificate of the CA's chain is signed by the next and the chain carries no name or
 * policy constraints. Then every certificate of the chain may serve as a trust anchor, so a leaf needs
 * one signature check (by its issuer), not one per link. Worked out on first use, once per CA
 * (concurrent callers may both work it out; the answer is the same), and kept. */
int cairn_trusted_ca_chain_checked(const cairn_trusted_ca *ca);

int cairn_validity_contains(const cairn_validity *valid, int64_t t);

#endif
