/* The identity in a Fulcio certificate, and checking it against what the verifier expects.
 *
 * The signer's identity is the Subject Alternative Name: an email (GEN_EMAIL), a URI such as a CI
 * workflow (GEN_URI), or an otherName of type 1.3.6.1.4.1.57264.1.7 holding a UTF8String username.
 * The OIDC issuer and the CI build details are extensions under 1.3.6.1.4.1.57264.1 (Fulcio's
 * docs/oid-info.md): .1 to .6 are the deprecated v1 extensions, whose value is the raw string bytes;
 * .8 onwards hold a DER UTF8String. .8 is the issuer (v2) and is preferred over .1 (v1).
 *
 * Every string taken from the certificate is refused if it holds a NUL byte or another control
 * character, so a policy never compares a value that a C string would silently cut short, and a
 * message never prints a line break an attacker chose. */
#include "cairn/cert.h"
#include "cairn/error.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FULCIO_ARC "1.3.6.1.4.1.57264.1."
#define FULCIO_OTHERNAME_OID "1.3.6.1.4.1.57264.1.7"
#define FULCIO_ISSUER_V1 1
#define FULCIO_ISSUER_V2 8
#define FULCIO_LAST_V1 6
#define SAN_MAX_COUNT 64
#define VALUE_MAX_LEN 8192
#define REGEXP_MAX_LEN 4096

/* Copies bytes into a new C string after checking them: no NUL and no other control character. */
static int copy_value(const unsigned char *data, int len, const char *what, char **out)
{
	*out = NULL;
	if (len < 0 || len > VALUE_MAX_LEN)
		return cairn_error_set(CAIRN_EVERIFY, "certificate: %s is longer than %d bytes", what, VALUE_MAX_LEN);
	for (int i = 0; i < len; i++)
		if (data[i] == 0 || data[i] < 0x20 || data[i] == 0x7f)
			return cairn_error_set(CAIRN_EVERIFY, "certificate: %s holds a control character or NUL", what);
	char *s = malloc((size_t)len + 1);
	if (s == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (len > 0)
		memcpy(s, data, (size_t)len);
	s[len] = '\0';
	*out = s;
	return 0;
}

static int copy_asn1_string(const ASN1_STRING *str, const char *what, char **out)
{
	return copy_value(ASN1_STRING_get0_data(str), ASN1_STRING_length(str), what, out);
}

/* ---- SANs ---- */

static int add_san(cairn_cert_identity *id, const ASN1_STRING *value, const char *what)
{
	if (id->san_count >= SAN_MAX_COUNT)
		return cairn_error_set(CAIRN_EVERIFY, "certificate has more than %d subject alternative names", SAN_MAX_COUNT);
	char *s;
	int err = copy_asn1_string(value, what, &s);
	if (err)
		return err;
	id->sans[id->san_count++] = s;
	return 0;
}

static bool is_fulcio_othername(const OTHERNAME *other)
{
	char oid[64];
	int n = OBJ_obj2txt(oid, sizeof oid, other->type_id, 1);
	return n > 0 && (size_t)n < sizeof oid && strcmp(oid, FULCIO_OTHERNAME_OID) == 0;
}

static int read_sans(X509 *x, cairn_cert_identity *id)
{
	int crit = 0;
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (names == NULL) {
		ERR_clear_error();
		/* -1: absent (fine here: the policy check reports it); -2: present twice; else malformed. */
		return crit == -1 ? 0 : cairn_error_set(CAIRN_EVERIFY, "certificate's subject alternative name extension is malformed or repeated");
	}
	int count = sk_GENERAL_NAME_num(names);
	int err = 0;
	id->sans = calloc(SAN_MAX_COUNT, sizeof *id->sans);
	if (id->sans == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (int i = 0; !err && i < count; i++) {
		GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
		switch (name->type) {
		case GEN_EMAIL: err = add_san(id, name->d.rfc822Name, "email SAN"); break;
		case GEN_URI: err = add_san(id, name->d.uniformResourceIdentifier, "URI SAN"); break;
		case GEN_OTHERNAME:
			if (!is_fulcio_othername(name->d.otherName))
				break; /* an otherName Sigstore does not define carries no identity */
			if (name->d.otherName->value->type != V_ASN1_UTF8STRING)
				err = cairn_error_set(CAIRN_EVERIFY, "certificate's username SAN is not a UTF8String");
			else
				err = add_san(id, name->d.otherName->value->value.utf8string, "username SAN");
			break;
		default: break; /* DNS names, IP addresses: not identities Fulcio issues */
		}
	}
	GENERAL_NAMES_free(names);
	return err;
}

/* ---- Fulcio extensions ---- */

/* The last arc of a Fulcio extension OID (1.3.6.1.4.1.57264.1.N), or -1 for other OIDs. */
static int fulcio_arc(const ASN1_OBJECT *obj)
{
	char oid[80];
	int n = OBJ_obj2txt(oid, sizeof oid, obj, 1);
	size_t prefix = strlen(FULCIO_ARC);
	if (n <= 0 || (size_t)n >= sizeof oid || strncmp(oid, FULCIO_ARC, prefix) != 0)
		return -1;
	const char *arc = oid + prefix;
	int value = 0;
	if (arc[0] == '\0' || (arc[0] == '0' && arc[1] != '\0'))
		return -1;
	for (const char *p = arc; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || value > 1000)
			return -1; /* a deeper arc (N.M) or a huge number: not one of ours */
		value = value * 10 + (*p - '0');
	}
	return value;
}

static int read_extension(X509_EXTENSION *ext, int arc, cairn_cert_identity *id)
{
	char what[64];
	snprintf(what, sizeof what, "extension " FULCIO_ARC "%d", arc);
	if (id->extensions[arc] != NULL)
		return cairn_error_set(CAIRN_EVERIFY, "certificate: %s appears twice", what);
	const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(ext);
	if (arc <= FULCIO_LAST_V1)
		return copy_asn1_string(data, what, &id->extensions[arc]);
	const unsigned char *p = ASN1_STRING_get0_data(data);
	long len = ASN1_STRING_length(data);
	ASN1_UTF8STRING *utf8 = d2i_ASN1_UTF8STRING(NULL, &p, len);
	int err;
	if (utf8 == NULL || p != ASN1_STRING_get0_data(data) + len)
		err = cairn_error_set(CAIRN_EVERIFY, "certificate: %s is not a DER UTF8String", what);
	else
		err = copy_asn1_string(utf8, what, &id->extensions[arc]);
	ASN1_UTF8STRING_free(utf8);
	ERR_clear_error();
	return err;
}

static int read_extensions(X509 *x, cairn_cert_identity *id)
{
	int count = X509_get_ext_count(x);
	for (int i = 0; i < count; i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		int arc = fulcio_arc(X509_EXTENSION_get_object(ext));
		/* .7 is the otherName SAN type, not an extension; arcs past the array are future ones. */
		if (arc < 1 || arc == 7 || arc >= (int)(sizeof id->extensions / sizeof id->extensions[0]))
			continue;
		int err = read_extension(ext, arc, id);
		if (err)
			return err;
	}
	const char *issuer = id->extensions[FULCIO_ISSUER_V2] != NULL ? id->extensions[FULCIO_ISSUER_V2]
								       : id->extensions[FULCIO_ISSUER_V1];
	if (issuer != NULL && (id->issuer = strdup(issuer)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

int cairn_cert_get_identity(const cairn_cert *cert, cairn_cert_identity *out)
{
	memset(out, 0, sizeof *out);
	X509 *x = cairn_cert_x509(cert);
	int err = read_sans(x, out);
	if (!err)
		err = read_extensions(x, out);
	if (err)
		cairn_cert_identity_free(out);
	return err;
}

void cairn_cert_identity_free(cairn_cert_identity *identity)
{
	if (identity == NULL)
		return;
	for (size_t i = 0; i < identity->san_count; i++)
		free(identity->sans[i]);
	free(identity->sans);
	free(identity->issuer);
	for (size_t i = 0; i < sizeof identity->extensions / sizeof identity->extensions[0]; i++)
		free(identity->extensions[i]);
	memset(identity, 0, sizeof *identity);
}

/* ---- policy ---- */

/* 1 when text matches the whole of the POSIX extended regular expression, 0 when not. */
static int regexp_matches(const char *pattern, const char *text, const char *flag, int *result)
{
	if (strlen(pattern) > REGEXP_MAX_LEN)
		return cairn_error_set(CAIRN_EINVAL, "%s: the regular expression is longer than %d characters", flag,
				       REGEXP_MAX_LEN);
	/* Anchored on both ends, so "a.b" never matches "xa.bx" (Go's and cosign's regexps match a
	 * substring; a policy that means the whole identity is the safe reading). */
	size_t size = strlen(pattern) + 5;
	char *anchored = malloc(size);
	if (anchored == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	snprintf(anchored, size, "^(%s)$", pattern);
	regex_t re;
	int rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
	free(anchored);
	if (rc != 0) {
		char reason[256];
		regerror(rc, &re, reason, sizeof reason);
		return cairn_error_set(CAIRN_EINVAL, "%s: \"%s\" is not a valid POSIX extended regular expression: %s",
				       flag, pattern, reason);
	}
	*result = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return 0;
}

/* Checks one value (a SAN or the issuer) against an exact and/or a regexp expectation. */
static int value_matches(const char *value, const char *exact, const char *regexp, const char *flag, int *result)
{
	*result = 1;
	if (exact != NULL && strcmp(value, exact) != 0)
		*result = 0;
	if (*result && regexp != NULL)
		return regexp_matches(regexp, value, flag, result);
	return 0;
}

static int check_identity(const cairn_identity_policy *policy, const cairn_cert_identity *id)
{
	if (id->san_count == 0)
		return cairn_error_set(CAIRN_EVERIFY, "certificate holds no email, URI or username identity");
	for (size_t i = 0; i < id->san_count; i++) {
		int match;
		int err = value_matches(id->sans[i], policy->identity, policy->identity_regexp,
					"--certificate-identity-regexp", &match);
		if (err || match)
			return err;
	}
	cairn_buf held = CAIRN_BUF_INIT;
	for (size_t i = 0; i < id->san_count; i++)
		cairn_buf_printf(&held, "%s\"%s\"", i > 0 ? ", " : "", id->sans[i]);
	int err;
	if (policy->identity != NULL && policy->identity_regexp != NULL)
		err = cairn_error_set(CAIRN_EVERIFY,
				      "certificate identity mismatch: the certificate was issued to %s, but \"%s\" matching the regular expression \"%s\" was expected",
				      cairn_buf_cstr(&held), policy->identity, policy->identity_regexp);
	else if (policy->identity != NULL)
		err = cairn_error_set(CAIRN_EVERIFY,
				      "certificate identity mismatch: the certificate was issued to %s, but \"%s\" was expected",
				      cairn_buf_cstr(&held), policy->identity);
	else
		err = cairn_error_set(CAIRN_EVERIFY,
				      "certificate identity mismatch: the certificate was issued to %s, which does not match the regular expression \"%s\"",
				      cairn_buf_cstr(&held), policy->identity_regexp);
	cairn_buf_free(&held);
	return err;
}

static int check_issuer(const cairn_identity_policy *policy, const cairn_cert_identity *id)
{
	if (id->issuer == NULL)
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate has no OIDC issuer extension (1.3.6.1.4.1.57264.1.8 or .1.1), so its issuer cannot be checked");
	int match;
	int err = value_matches(id->issuer, policy->issuer, policy->issuer_regexp, "--certificate-oidc-issuer-regexp",
				&match);
	if (err || match)
		return err;
	if (policy->issuer != NULL && policy->issuer_regexp != NULL)
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate issuer mismatch: the certificate's OIDC issuer is \"%s\", but \"%s\" matching the regular expression \"%s\" was expected",
				       id->issuer, policy->issuer, policy->issuer_regexp);
	if (policy->issuer != NULL)
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate issuer mismatch: the certificate's OIDC issuer is \"%s\", but \"%s\" was expected",
				       id->issuer, policy->issuer);
	return cairn_error_set(CAIRN_EVERIFY,
			       "certificate issuer mismatch: the certificate's OIDC issuer \"%s\" does not match the regular expression \"%s\"",
			       id->issuer, policy->issuer_regexp);
}

int cairn_identity_policy_check(const cairn_identity_policy *policy, const cairn_cert *leaf)
{
	if (policy == NULL || leaf == NULL)
		return cairn_error_set(CAIRN_EINVAL, "identity check needs a policy and a certificate");
	if (policy->identity == NULL && policy->identity_regexp == NULL)
		return cairn_error_set(CAIRN_EINVAL,
				       "an identity policy needs --certificate-identity or --certificate-identity-regexp");
	if (policy->issuer == NULL && policy->issuer_regexp == NULL)
		return cairn_error_set(CAIRN_EINVAL,
				       "an identity policy needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp");
	cairn_cert_identity id;
	int err = cairn_cert_get_identity(leaf, &id);
	if (err)
		return err;
	err = check_identity(policy, &id);
	if (!err)
		err = check_issuer(policy, &id);
	cairn_cert_identity_free(&id);
	return err;
}
