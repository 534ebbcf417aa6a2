/* Registry authentication: WWW-Authenticate challenges, where credentials come from, and the
 * distribution token flow.
 *
 * A request goes out anonymously first (or with what an earlier challenge asked for). On 401 the
 * challenge decides: "Basic" means sending the credentials on every request from then on; "Bearer"
 * means asking the realm it names for a token for the request's scope ("repository:NAME:pull" or
 * "...:pull,push"), with Basic credentials when there are any, and caching that token per scope.
 * Credentials and tokens are never written to messages or logs. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/ref.h"
#include "registry_internal.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DOCKER_CONFIG_MAX ((size_t)1024 * 1024)
#define TOKEN_MAX 16384

void registry_free_secret(char *secret)
{
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
}

/* ---- WWW-Authenticate ---------------------------------------------------------------------------- */

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static size_t token_length(const char *p)
{
	size_t n = 0;
	while (is_tchar(p[n]))
		n++;
	return n;
}

/* Reads a token or a quoted-string at *p into a new string; advances *p. */
static int read_value(const char **p, char **value)
{
	cairn_buf out = CAIRN_BUF_INIT;
	const char *s = *p;
	int err = 0;
	if (*s == '"') {
		s++;
		while (!err && *s != '"') {
			if (*s == '\0')
				err = cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: unterminated quoted string");
			else if (*s == '\\' && s[1] != '\0')
				s++;
			if (!err)
				err = cairn_buf_append_byte(&out, (uint8_t)*s++);
			if (!err && out.len > REGISTRY_HEADER_MAX)
				err = cairn_error_set(CAIRN_ETOOBIG, "WWW-Authenticate: parameter value too long");
		}
		s += !err;
	} else {
		size_t n = token_length(s);
		err = cairn_buf_append(&out, s, n);
		s += n;
	}
	if (!err && out.data == NULL)
		err = cairn_buf_append_str(&out, "");
	if (err) {
		cairn_buf_free(&out);
		return err;
	}
	*p = s;
	*value = (char *)cairn_buf_detach(&out, NULL);
	return 0;
}

static int set_param(registry_challenge *c, const char *name, size_t name_len, char *value)
{
	char **slot = NULL;
	if (name_len == 5 && strncasecmp(name, "realm", 5) == 0)
		slot = &c->realm;
	else if (name_len == 7 && strncasecmp(name, "service", 7) == 0)
		slot = &c->service;
	else if (name_len == 5 && strncasecmp(name, "scope", 5) == 0)
		slot = &c->scope;
	if (slot == NULL) {
		free(value); /* "error", "charset" and other parameters are not needed */
		return 0;
	}
	if (*slot != NULL) {
		free(value);
		return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: parameter \"%.*s\" given twice", (int)name_len,
				       name);
	}
	*slot = value;
	return 0;
}

/* Parses the parameters of one challenge, starting after its scheme; stops at the next scheme. */
static int parse_params(const char **pp, registry_challenge *c)
{
	const char *p = *pp;
	bool first = true;
	for (;;) {
		const char *start = p;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		const char *name = p;
		size_t n = token_length(p);
		const char *after = skip_space(p + n);
		if (n == 0)
			return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: unexpected character '%c'", *p);
		if (*after != '=') {
			p = start; /* a token without '=': the next challenge's scheme */
			break;
		}
		const char *value_at = skip_space(after + 1);
		if (*value_at == '=' || *value_at == ',' || *value_at == '\0') {
			if (!first) /* token68 ("abc==") only directly after the scheme */
				return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: parameter without a value");
			while (*value_at == '=')
				value_at++;
			p = value_at;
			first = false;
			continue;
		}
		char *value = NULL;
		const char *v = value_at;
		int err = read_value(&v, &value);
		if (!err)
			err = set_param(c, name, n, value);
		if (err)
			return err;
		p = skip_space(v);
		if (*p != '\0' && *p != ',')
			return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: expected ',' after parameter \"%.*s\"",
					       (int)n, name);
		first = false;
	}
	*pp = p;
	return 0;
}

void registry_challenge_free(registry_challenge *challenge)
{
	free(challenge->realm);
	free(challenge->service);
	free(challenge->scope);
	memset(challenge, 0, sizeof *challenge);
}

int registry_challenge_parse(registry_challenge *out, const char *header)
{
	memset(out, 0, sizeof *out);
	if (strnlen(header, REGISTRY_HEADER_MAX + 1) > REGISTRY_HEADER_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "WWW-Authenticate: header longer than %d bytes", REGISTRY_HEADER_MAX);
	const char *p = header;
	for (int count = 0;; count++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		size_t n = token_length(p);
		if (n == 0 || count >= 16) {
			registry_challenge_free(out);
			return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: malformed challenge list");
		}
		registry_challenge c = {REGISTRY_AUTH_NONE, NULL, NULL, NULL};
		if (n == 5 && strncasecmp(p, "Basic", 5) == 0)
			c.scheme = REGISTRY_AUTH_BASIC;
		else if (n == 6 && strncasecmp(p, "Bearer", 6) == 0)
			c.scheme = REGISTRY_AUTH_BEARER;
		p += n;
		if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',') {
			registry_challenge_free(out);
			return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: unexpected character '%c' after scheme", *p);
		}
		int err = parse_params(&p, &c);
		if (err) {
			registry_challenge_free(&c);
			registry_challenge_free(out);
			return err;
		}
		/* Keep the first Bearer, else the first Basic. */
		if (c.scheme != REGISTRY_AUTH_NONE &&
		    (out->scheme == REGISTRY_AUTH_NONE || (out->scheme == REGISTRY_AUTH_BASIC && c.scheme == REGISTRY_AUTH_BEARER))) {
			registry_challenge_free(out);
			*out = c;
		} else {
			registry_challenge_free(&c);
		}
	}
	if (out->scheme == REGISTRY_AUTH_NONE)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "WWW-Authenticate: no Basic or Bearer challenge");
	if (out->scheme == REGISTRY_AUTH_BEARER && (out->realm == NULL || out->realm[0] == '\0')) {
		registry_challenge_free(out);
		return cairn_error_set(CAIRN_EINVAL, "WWW-Authenticate: Bearer challenge without a realm");
	}
	return 0;
}

/* ---- Docker config.json auths -------------------------------------------------------------------- */

/* The host a config key names: "https://index.docker.io/v1/" -> "index.docker.io". */
static void key_host(const char *key, const char **host, size_t *len)
{
	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncasecmp(key, "http://", 7) == 0)
		key += 7;
	*host = key;
	*len = strcspn(key, "/");
}

static bool is_docker_hub(const char *host, size_t len)
{
	static const char *const names[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == len && strncasecmp(names[i], host, len) == 0)
			return true;
	return false;
}

static bool key_names_registry(const char *key, const char *registry)
{
	const char *host;
	size_t len;
	key_host(key, &host, &len);
	if (strlen(registry) == len && strncasecmp(registry, host, len) == 0)
		return true;
	return is_docker_hub(registry, strlen(registry)) && is_docker_hub(host, len);
}

static char *dup_secret(const char *text, size_t len)
{
	char *out = malloc(len + 1);
	if (out != NULL) {
		memcpy(out, text, len);
		out[len] = '\0';
	}
	return out;
}

static int decode_entry(json_t *entry, const char *key, const char *what, char **username, char **password)
{
	json_t *auth = json_object_get(entry, "auth");
	if (json_is_string(auth) && json_string_length(auth) > 0) {
		cairn_buf plain = CAIRN_BUF_SECRET_INIT;
		if (cairn_base64_decode(&plain, json_string_value(auth), json_string_length(auth),
					CAIRN_BASE64_STD | CAIRN_BASE64_PAD_OPTIONAL, "auth") != 0) {
			cairn_buf_free_secret(&plain);
			return cairn_error_set(CAIRN_EINVAL, "%s: the \"auth\" of \"%s\" is not valid base64", what, key);
		}
		const char *colon = memchr(plain.data, ':', plain.len);
		if (colon == NULL || colon == (const char *)plain.data || memchr(plain.data, 0, plain.len) != NULL) {
			cairn_buf_free_secret(&plain);
			return cairn_error_set(CAIRN_EINVAL, "%s: the \"auth\" of \"%s\" is not \"username:password\"", what,
					       key);
		}
		size_t user_len = (size_t)(colon - (const char *)plain.data);
		*username = dup_secret((const char *)plain.data, user_len);
		*password = dup_secret(colon + 1, plain.len - user_len - 1);
		cairn_buf_free_secret(&plain);
	} else {
		json_t *user = json_object_get(entry, "username");
		json_t *pass = json_object_get(entry, "password");
		if (!json_is_string(user) || !json_is_string(pass) || json_string_length(user) == 0)
			return 0; /* an entry kept for a credential helper, which cairn does not run */
		*username = dup_secret(json_string_value(user), json_string_length(user));
		*password = dup_secret(json_string_value(pass), json_string_length(pass));
	}
	if (*username == NULL || *password == NULL) {
		registry_free_secret(*username);
		registry_free_secret(*password);
		*username = *password = NULL;
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	return 0;
}

int registry_docker_auths_lookup(const char *json_text, size_t len, const char *registry, const char *what,
				 char **username, char **password)
{
	*username = *password = NULL;
	json_t *root;
	cairn_json_limits limits = {DOCKER_CONFIG_MAX, 32};
	int err = cairn_json_parse(&root, json_text, len, &limits, what);
	if (err)
		return err;
	json_t *auths = json_object_get(root, "auths");
	if (auths != NULL && !json_is_object(auths))
		err = cairn_error_set(CAIRN_EINVAL, "%s: \"auths\" is not an object", what);
	const char *key;
	json_t *entry;
	if (!err && auths != NULL) {
		/* An exact key wins over an alias ("docker.io" over "https://index.docker.io/v1/"). */
		for (int pass = 0; pass < 2 && *username == NULL && !err; pass++) {
			json_object_foreach (auths, key, entry) {
				bool match = pass == 0 ? strcasecmp(key, registry) == 0 : key_names_registry(key, registry);
				if (!match || !json_is_object(entry))
					continue;
				err = decode_entry(entry, key, what, username, password);
				if (err || *username != NULL)
					break;
			}
		}
	}
	json_decref(root);
	return err;
}

static int read_docker_config(cairn_registry *reg, const cairn_registry_options *opts)
{
	cairn_buf path = CAIRN_BUF_INIT, text = CAIRN_BUF_SECRET_INIT;
	const char *dir = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	int err = 0;
	if (opts != NULL && opts->docker_config != NULL)
		err = cairn_buf_append_str(&path, opts->docker_config);
	else if (dir != NULL && dir[0] != '\0')
		err = cairn_buf_printf(&path, "%s/config.json", dir);
	else if (home != NULL && home[0] != '\0')
		err = cairn_buf_printf(&path, "%s/.docker/config.json", home);
	bool named = opts != NULL && opts->docker_config != NULL;
	if (!err && named && !cairn_file_exists(cairn_buf_cstr(&path)))
		err = cairn_error_set(CAIRN_ENOENT, "Docker config %s: no such file", cairn_buf_cstr(&path));
	if (!err && path.len > 0 && cairn_file_exists(cairn_buf_cstr(&path))) {
		err = cairn_file_read(cairn_buf_cstr(&path), DOCKER_CONFIG_MAX, &text);
		if (!err)
			err = registry_docker_auths_lookup((const char *)text.data, text.len, reg->registry,
							   cairn_buf_cstr(&path), &reg->username, &reg->password);
	}
	cairn_buf_free_secret(&text);
	cairn_buf_free(&path);
	return err;
}

int registry_credentials_resolve(cairn_registry *reg, const cairn_registry_options *opts)
{
	const char *user = NULL, *pass = NULL;
	if (opts != NULL && opts->username != NULL) {
		if (opts->password == NULL)
			return cairn_error_set(CAIRN_EINVAL, "registry %s: a username was given without a password",
					       reg->registry);
		user = opts->username;
		pass = opts->password;
	} else if (getenv("CAIRN_REGISTRY_USERNAME") != NULL) {
		user = getenv("CAIRN_REGISTRY_USERNAME");
		pass = getenv("CAIRN_REGISTRY_PASSWORD");
		if (pass == NULL)
			return cairn_error_set(CAIRN_EINVAL,
					       "CAIRN_REGISTRY_USERNAME is set but CAIRN_REGISTRY_PASSWORD is not");
	}
	if (user == NULL)
		return read_docker_config(reg, opts);
	reg->username = dup_secret(user, strlen(user));
	reg->password = dup_secret(pass, strlen(pass));
	if (reg->username == NULL || reg->password == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

/* ---- Bearer tokens ------------------------------------------------------------------------------- */

const char *registry_token_find(const cairn_registry *reg, const char *scope)
{
	for (size_t i = 0; i < REGISTRY_TOKEN_CACHE; i++)
		if (reg->tokens[i].scope != NULL && strcmp(reg->tokens[i].scope, scope) == 0)
			return reg->tokens[i].token;
	return NULL;
}

static void token_forget(cairn_registry *reg, const char *scope)
{
	for (size_t i = 0; i < REGISTRY_TOKEN_CACHE; i++) {
		if (reg->tokens[i].scope != NULL && strcmp(reg->tokens[i].scope, scope) == 0) {
			free(reg->tokens[i].scope);
			registry_free_secret(reg->tokens[i].token);
			reg->tokens[i].scope = reg->tokens[i].token = NULL;
		}
	}
}

static int token_store(cairn_registry *reg, const char *scope, char *token)
{
	size_t slot = REGISTRY_TOKEN_CACHE;
	for (size_t i = 0; i < REGISTRY_TOKEN_CACHE && slot == REGISTRY_TOKEN_CACHE; i++)
		if (reg->tokens[i].scope == NULL)
			slot = i;
	if (slot == REGISTRY_TOKEN_CACHE) { /* full: replace in turn */
		slot = reg->token_next++ % REGISTRY_TOKEN_CACHE;
		free(reg->tokens[slot].scope);
		registry_free_secret(reg->tokens[slot].token);
	}
	reg->tokens[slot].scope = strdup(scope);
	reg->tokens[slot].token = token;
	if (reg->tokens[slot].scope == NULL) {
		registry_free_secret(token);
		reg->tokens[slot].token = NULL;
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	return 0;
}

int registry_host_is_insecure(const cairn_registry *reg, const char *host)
{
	for (char **h = reg->insecure; h != NULL && *h != NULL; h++)
		if (strcasecmp(*h, host) == 0)
			return 1;
	return 0;
}

/* The realm must be https, or plain http on a host where plain http is allowed anyway. */
static int check_realm(const cairn_registry *reg, const char *realm)
{
	if (strncasecmp(realm, "https://", 8) == 0)
		return 0;
	if (strncasecmp(realm, "http://", 7) == 0) {
		char host[256];
		size_t len = strcspn(realm + 7, "/?#");
		if (len > 0 && len < sizeof host && memchr(realm + 7, '@', len) == NULL) {
			memcpy(host, realm + 7, len);
			host[len] = '\0';
			if (cairn_ref_registry_is_loopback(host) || registry_host_is_insecure(reg, host))
				return 0;
		}
	}
	return cairn_error_set(CAIRN_EACCES,
			       "registry %s: refusing token realm \"%.200s\": not https, and not a loopback or insecure host",
			       reg->registry, realm);
}

static int token_from_answer(const cairn_registry *reg, const cairn_buf *body, char **token)
{
	json_t *root;
	cairn_json_limits limits = {REGISTRY_TOKEN_BODY_MAX, 16};
	int err = cairn_json_parse(&root, body->data != NULL ? (const char *)body->data : "", body->len, &limits,
				   "token service answer");
	if (err)
		return cairn_error_prefix(CAIRN_EINVAL, "registry %s", reg->registry);
	json_t *value = json_object_get(root, "token");
	if (!json_is_string(value) || json_string_length(value) == 0)
		value = json_object_get(root, "access_token");
	err = 0;
	size_t len = json_is_string(value) ? json_string_length(value) : 0;
	const char *text = len > 0 ? json_string_value(value) : "";
	for (size_t i = 0; i < len && !err; i++)
		if (text[i] <= ' ' || text[i] > '~')
			err = cairn_error_set(CAIRN_EINVAL, "registry %s: the token service sent a token with invalid characters",
					      reg->registry);
	if (!err && (len == 0 || len > TOKEN_MAX))
		err = cairn_error_set(CAIRN_EINVAL, "registry %s: the token service sent no usable token", reg->registry);
	if (!err && (*token = dup_secret(text, len)) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	json_decref(root);
	return err;
}

static int fetch_token(cairn_registry *reg, const registry_challenge *challenge, const char *scope, char **token)
{
	int err = check_realm(reg, challenge->realm);
	if (err)
		return err;
	cairn_buf url = CAIRN_BUF_INIT, body = CAIRN_BUF_SECRET_INIT;
	err = cairn_buf_printf(&url, "%s%c", challenge->realm, strchr(challenge->realm, '?') ? '&' : '?');
	if (!err && challenge->service != NULL) {
		err = cairn_buf_append_str(&url, "service=");
		if (!err)
			err = registry_url_escape(&url, challenge->service);
		if (!err)
			err = cairn_buf_append_str(&url, "&");
	}
	if (!err)
		err = cairn_buf_append_str(&url, "scope=");
	if (!err)
		err = registry_url_escape(&url, scope);
	struct registry_request req = {0};
	req.method = "GET";
	req.url = cairn_buf_cstr(&url);
	req.body_out = &body;
	req.max_body = REGISTRY_TOKEN_BODY_MAX;
	req.retry_on_server_error = 1;
	if (!err)
		err = registry_perform(reg, &req);
	if (!err && (req.status == 401 || req.status == 403))
		err = cairn_error_set(CAIRN_EACCES, "%s for %s: the token service refused them (HTTP %ld)",
				      reg->username != NULL ? "credentials rejected" : "anonymous access denied",
				      reg->registry, req.status);
	else if (!err && req.status != 200)
		err = cairn_error_set(CAIRN_EIO, "registry %s: the token service answered HTTP %ld", reg->registry,
				      req.status);
	if (!err)
		err = token_from_answer(reg, &body, token);
	registry_request_free(&req);
	cairn_buf_free_secret(&body);
	cairn_buf_free(&url);
	return err;
}

int registry_auth_answer(cairn_registry *reg, struct registry_request *req)
{
	if (req->headers.www_authenticate == NULL)
		return cairn_error_set(CAIRN_EACCES, "authentication required by %s, but it sent no challenge",
				       reg->registry);
	registry_challenge challenge;
	int err = registry_challenge_parse(&challenge, req->headers.www_authenticate);
	if (err)
		return cairn_error_prefix(err, "registry %s", reg->registry);
	if (challenge.scheme == REGISTRY_AUTH_BASIC) {
		if (reg->username == NULL)
			err = cairn_error_set(CAIRN_EACCES,
					      "authentication required for %s: no credentials (use --username and "
					      "--password-stdin, CAIRN_REGISTRY_USERNAME and CAIRN_REGISTRY_PASSWORD, or docker login)",
					      reg->registry);
		else if (reg->use_basic && req->sent_credentials)
			err = cairn_error_set(CAIRN_EACCES, "credentials rejected for %s", reg->registry);
		reg->use_basic = 1;
	} else {
		char *token = NULL;
		const char *scope = req->scope != NULL ? req->scope : challenge.scope;
		if (scope == NULL)
			err = cairn_error_set(CAIRN_EACCES, "registry %s: a token was asked for without a scope",
					      reg->registry);
		if (!err) {
			token_forget(reg, scope);
			err = fetch_token(reg, &challenge, scope, &token);
		}
		if (!err)
			err = token_store(reg, scope, token);
	}
	registry_challenge_free(&challenge);
	return err;
}
