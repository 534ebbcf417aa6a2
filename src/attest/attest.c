/* attest.c - predicate types, predicate checks, in-toto statements and their DSSE envelopes.
 *
 * The names of predicate types are cosign's --type names (cmd/cosign/cli/options/predicate.go),
 * mapped to the URIs the in-toto attestation framework and cosign use. */
#include "cairn/attest.h"

#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/json.h"

#include <string.h>

struct type_name {
	const char *name;
	const char *uri;
};

static const struct type_name type_names[] = {
	{"slsaprovenance02", CAIRN_ATTEST_PREDICATE_SLSA_V02},
	{"slsaprovenance1", CAIRN_ATTEST_PREDICATE_SLSA_V1},
	{"cyclonedx", CAIRN_ATTEST_PREDICATE_CYCLONEDX},
	{"spdx", CAIRN_ATTEST_PREDICATE_SPDX},
	{"spdxjson", CAIRN_ATTEST_PREDICATE_SPDX},
	{"vuln", CAIRN_ATTEST_PREDICATE_VULN},
	{"openvex", CAIRN_ATTEST_PREDICATE_OPENVEX},
	{"link", CAIRN_ATTEST_PREDICATE_LINK},
};

#define TYPE_NAMES "slsaprovenance, slsaprovenance02, slsaprovenance1, cyclonedx, spdx, spdxjson, vuln, openvex, link"

/* An absolute URI as a predicate type is written: a scheme, "://", and printable ASCII after it. */
static int is_uri(const char *text)
{
	size_t len = strlen(text);
	if (len == 0 || len > CAIRN_ATTEST_MAX_URI)
		return 0;
	const char *sep = strstr(text, "://");
	if (sep == NULL || sep == text || sep[3] == '\0')
		return 0;
	for (const char *p = text; p < sep; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (p > text && ((*p >= '0' && *p <= '9') ||
											  *p == '+' || *p == '-' || *p == '.'))))
			return 0;
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

int cairn_attest_type_uri(const char *type, const json_t *predicate, const char **uri)
{
	*uri = NULL;
	if (type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a predicate type is required (%s, or a URI)", TYPE_NAMES);
	if (strcmp(type, "slsaprovenance") == 0) {
		/* cosign maps this name to v0.2 only; a v1 predicate is told apart by its members */
		int v02 = predicate != NULL && json_object_get(predicate, "buildDefinition") == NULL &&
			  json_object_get(predicate, "builder") != NULL;
		*uri = v02 ? CAIRN_ATTEST_PREDICATE_SLSA_V02 : CAIRN_ATTEST_PREDICATE_SLSA_V1;
		return 0;
	}
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
		if (strcmp(type, type_names[i].name) == 0) {
			*uri = type_names[i].uri;
			return 0;
		}
	}
	if (is_uri(type)) {
		*uri = type;
		return 0;
	}
	return cairn_error_set(CAIRN_EINVAL, "predicate type \"%s\" is neither a known name (%s) nor an absolute URI",
			       type, TYPE_NAMES);
}

int cairn_attest_type_matches(const char *type, const char *predicate_type)
{
	if (type == NULL || predicate_type == NULL)
		return 0;
	if (strcmp(type, "slsaprovenance") == 0)
		return strcmp(predicate_type, CAIRN_ATTEST_PREDICATE_SLSA_V1) == 0 ||
		       strcmp(predicate_type, CAIRN_ATTEST_PREDICATE_SLSA_V02) == 0;
	const char *uri = NULL;
	if (cairn_attest_type_uri(type, NULL, &uri) != 0) {
		cairn_error_clear();
		return 0;
	}
	return strcmp(uri, predicate_type) == 0;
}

/* ---- predicates ---- */

static int not_a(const char *what, const char *kind, const char *why)
{
	return cairn_error_set(CAIRN_EINVAL, "%s: not %s predicate: %s", what, kind, why);
}

static int string_member_is(const json_t *obj, const char *name, const char *value)
{
	json_t *v = json_object_get(obj, name);
	return json_is_string(v) && strcmp(json_string_value(v), value) == 0;
}

static int string_member_starts(const json_t *obj, const char *name, const char *prefix)
{
	json_t *v = json_object_get(obj, name);
	return json_is_string(v) && strncmp(json_string_value(v), prefix, strlen(prefix)) == 0;
}

/* What the predicate must look like for its type; other types only need a JSON object. */
static int check_shape(const json_t *p, const char *type_uri, const char *what)
{
	if (strcmp(type_uri, CAIRN_ATTEST_PREDICATE_CYCLONEDX) == 0) {
		if (!string_member_is(p, "bomFormat", "CycloneDX"))
			return not_a(what, "a CycloneDX", "\"bomFormat\" is not \"CycloneDX\"");
		if (!json_is_string(json_object_get(p, "specVersion")))
			return not_a(what, "a CycloneDX", "\"specVersion\" is missing");
	} else if (strcmp(type_uri, CAIRN_ATTEST_PREDICATE_SPDX) == 0) {
		if (!string_member_starts(p, "spdxVersion", "SPDX-"))
			return not_a(what, "an SPDX", "\"spdxVersion\" is missing or not \"SPDX-...\"");
		if (!json_is_string(json_object_get(p, "SPDXID")))
			return not_a(what, "an SPDX", "\"SPDXID\" is missing");
	} else if (strcmp(type_uri, CAIRN_ATTEST_PREDICATE_SLSA_V1) == 0) {
		if (!json_is_object(json_object_get(p, "buildDefinition")) || !json_is_object(json_object_get(p, "runDetails")))
			return not_a(what, "a SLSA v1 provenance", "\"buildDefinition\" and \"runDetails\" objects are required");
	} else if (strcmp(type_uri, CAIRN_ATTEST_PREDICATE_SLSA_V02) == 0) {
		if (!json_is_object(json_object_get(p, "builder")))
			return not_a(what, "a SLSA v0.2 provenance", "a \"builder\" object is required");
	} else if (strcmp(type_uri, CAIRN_ATTEST_PREDICATE_OPENVEX) == 0) {
		if (!string_member_starts(p, "@context", "https://openvex.dev/ns"))
			return not_a(what, "an OpenVEX", "\"@context\" is not https://openvex.dev/ns...");
	}
	return 0;
}

int cairn_attest_predicate_parse(json_t **out, const void *data, size_t len, const char *type_uri, const char *what)
{
	*out = NULL;
	if (len > CAIRN_ATTEST_MAX_PREDICATE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is over the %zu-byte limit of a predicate", what, len,
				       CAIRN_ATTEST_MAX_PREDICATE);
	json_t *p = NULL;
	int err = cairn_json_parse(&p, data, len, NULL, what);
	if (err)
		return err;
	if (!json_is_object(p))
		err = cairn_error_set(CAIRN_EINVAL, "%s: a predicate must be a JSON object", what);
	else
		err = check_shape(p, type_uri, what);
	if (err)
		json_decref(p);
	else
		*out = p;
	return err;
}

/* ---- statements ---- */

static int oom(void)
{
	return cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

static json_t *subject_json(const char *name, const cairn_digest *digests, size_t count)
{
	json_t *subject = json_object(), *set = json_object();
	int bad = subject == NULL || set == NULL;
	for (size_t i = 0; !bad && i < count; i++) {
		cairn_buf hex = CAIRN_BUF_INIT;
		bad = cairn_digest_hex(&digests[i], &hex) != 0 ||
		      json_object_set_new(set, cairn_digest_alg_name(digests[i].alg), json_string(cairn_buf_cstr(&hex)));
		cairn_buf_free(&hex);
	}
	bad = bad || json_object_set_new(subject, "name", json_string(name)) || json_object_set_new(subject, "digest", set);
	if (bad) {
		json_decref(subject);
		return NULL;
	}
	return subject;
}

int cairn_attest_statement_make(const char *subject_name, const cairn_digest *digests, size_t digest_count,
				const char *predicate_type, const json_t *predicate, cairn_buf *out)
{
	if (subject_name == NULL || digest_count == 0 || digest_count > CAIRN_INTOTO_MAX_DIGESTS || predicate_type == NULL ||
	    !json_is_object(predicate))
		return cairn_error_set(CAIRN_EINVAL, "statement: a subject with digests, a predicate type and a "
						     "predicate object are required");
	json_t *root = json_object(), *subjects = json_array();
	json_t *subject = subject_json(subject_name, digests, digest_count);
	int bad = root == NULL || subjects == NULL || subject == NULL;
	if (subject != NULL && json_array_append_new(subjects, subject))
		bad = 1;
	bad = bad || json_object_set_new(root, "_type", json_string(CAIRN_INTOTO_STATEMENT_V1)) ||
	      json_object_set(root, "subject", subjects) ||
	      json_object_set_new(root, "predicateType", json_string(predicate_type)) ||
	      json_object_set(root, "predicate", (json_t *)predicate);
	json_decref(subjects);
	int err = bad ? oom() : cairn_json_dump(root, JSON_COMPACT | JSON_PRESERVE_ORDER, out);
	json_decref(root);
	return err;
}

int cairn_attest_envelope_sign(const cairn_key *key, const void *statement, size_t len, cairn_buf *out)
{
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	int err = cairn_dsse_envelope_init(&env, CAIRN_DSSE_INTOTO_TYPE, statement, len);
	if (!err)
		err = cairn_dsse_sign(&env, key, NULL);
	if (!err)
		err = cairn_dsse_serialize(&env, out);
	cairn_dsse_envelope_free(&env);
	return err;
}
