/* Image references in the Docker grammar (the distribution project's "reference" package):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path                  at most 255 characters once normalised
 *   domain     := host [ ":" port ]                    host: DNS name, IPv4, or "[" IPv6 "]"
 *   path       := component ( "/" component )*
 *   component  := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *
 * The first component is the domain only when it contains '.' or ':' or is "localhost"; otherwise the
 * reference is on Docker Hub ("docker.io"), where a one-component path is an official image under
 * "library/". Parsing is strict: anything outside the grammar is refused with the reason. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/ref.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 255 /* registry + "/" + repository, as Docker limits it */
#define TAG_MAX_LEN 128
#define TEXT_MAX_LEN 1024 /* no valid reference comes near this; stops work on hostile input early */
#define DOCKER_HUB "docker.io"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* One path component: lowercase alphanumeric runs joined by '.', '_', "__" or one or more '-'. */
static int check_component(const char *text, size_t len, const char *whole)
{
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": empty path component", whole);
	size_t i = 0;
	while (i < len) {
		if (!is_lower_alnum(text[i])) {
			if (text[i] >= 'A' && text[i] <= 'Z')
				return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": repository name must be lowercase",
						       whole);
			return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": invalid character '%c' in \"%.*s\"",
					       whole, text[i], (int)len, text);
		}
		while (i < len && is_lower_alnum(text[i]))
			i++;
		if (i == len)
			return 0;
		/* A separator, which must be followed by another alphanumeric run. */
		size_t start = i;
		if (text[i] == '.') {
			i++;
		} else if (text[i] == '_') {
			i++;
			if (i < len && text[i] == '_')
				i++;
		} else if (text[i] == '-') {
			while (i < len && text[i] == '-')
				i++;
		} else {
			continue; /* reported as an invalid character above */
		}
		if (i == len || !is_lower_alnum(text[i]))
			return cairn_error_set(CAIRN_EINVAL,
					       "reference \"%s\": separator \"%.*s\" in \"%.*s\" must sit between letters or digits",
					       whole, (int)(i - start), text + start, (int)len, text);
	}
	return 0;
}

static int check_path(const char *text, size_t len, const char *whole)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '/') {
			int err = check_component(text + start, i - start, whole);
			if (err)
				return err;
			start = i + 1;
		}
	}
	return 0;
}

/* DNS-style components: alphanumerics with inner '-', joined by '.' (uppercase allowed, as DNS is
 * case-insensitive and Docker keeps what was written). */
static bool is_domain_name(const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '.') {
			if (!is_alnum(text[i]) && text[i] != '-')
				return false;
			continue;
		}
		if (i == start || text[start] == '-' || text[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

static bool is_bracketed_ipv6(const char *text, size_t len)
{
	char address[INET6_ADDRSTRLEN + 1];
	unsigned char binary[16];
	if (len < 3 || text[0] != '[' || text[len - 1] != ']' || len - 2 > INET6_ADDRSTRLEN)
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (!(is_alnum(text[i]) && strchr("0123456789abcdefABCDEF", text[i]) != NULL) && text[i] != ':')
			return false;
	memcpy(address, text + 1, len - 2);
	address[len - 2] = '\0';
	return inet_pton(AF_INET6, address, binary) == 1;
}

static bool is_port(const char *text, size_t len)
{
	if (len == 0 || len > 5)
		return false;
	unsigned value = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	return value >= 1 && value <= 65535;
}

/* Where the port starts in "host[:port]": the last ':' after any IPv6 bracket, or len when none. */
static size_t port_separator(const char *text, size_t len)
{
	size_t from = 0;
	if (len > 0 && text[0] == '[') {
		const char *close = memchr(text, ']', len);
		from = close != NULL ? (size_t)(close - text) : len;
	}
	for (size_t i = len; i > from; i--)
		if (text[i - 1] == ':')
			return i - 1;
	return len;
}

static int check_domain(const char *text, size_t len, const char *whole)
{
	size_t colon = port_separator(text, len);
	if (colon < len && !is_port(text + colon + 1, len - colon - 1))
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": invalid registry port \"%.*s\"", whole,
				       (int)(len - colon - 1), text + colon + 1);
	bool bracketed = colon > 0 && text[0] == '[';
	if (colon == 0 || !(bracketed ? is_bracketed_ipv6(text, colon) : is_domain_name(text, colon)))
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": invalid registry host \"%.*s\"", whole,
				       (int)colon, text);
	return 0;
}

static int check_tag(const char *text, size_t len, const char *whole)
{
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": empty tag", whole);
	if (len > TAG_MAX_LEN)
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": tag longer than %d characters", whole,
				       TAG_MAX_LEN);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool word = is_alnum(c) || c == '_';
		if (!(word || (i > 0 && (c == '.' || c == '-'))))
			return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": invalid tag \"%.*s\"", whole, (int)len,
					       text);
	}
	return 0;
}

/* Docker refuses a bare 64-hex-digit name: it would read as an image ID. */
static bool is_image_id(const char *text)
{
	if (strlen(text) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	return true;
}

static char *copy(const char *text, size_t len)
{
	char *out = malloc(len + 1);
	if (out != NULL) {
		memcpy(out, text, len);
		out[len] = '\0';
	}
	return out;
}

/* Splits name into registry and repository and normalises Docker Hub names. */
static int split_name(cairn_ref *out, const char *name, size_t len, const char *whole)
{
	const char *slash = memchr(name, '/', len);
	size_t first = slash != NULL ? (size_t)(slash - name) : len;
	bool has_domain = slash != NULL && (memchr(name, '.', first) != NULL || memchr(name, ':', first) != NULL ||
					     (first == 9 && memcmp(name, "localhost", 9) == 0));
	const char *path = name;
	size_t path_len = len;
	if (has_domain) {
		int err = check_domain(name, first, whole);
		if (err)
			return err;
		path = slash + 1;
		path_len = len - first - 1;
		if (first == 15 && strncasecmp(name, "index.docker.io", 15) == 0)
			out->registry = copy(DOCKER_HUB, strlen(DOCKER_HUB));
		else
			out->registry = copy(name, first);
	} else {
		out->registry = copy(DOCKER_HUB, strlen(DOCKER_HUB));
	}
	if (out->registry == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = check_path(path, path_len, whole);
	if (err)
		return err;
	bool official = strcmp(out->registry, DOCKER_HUB) == 0 && memchr(path, '/', path_len) == NULL;
	size_t repo_len = path_len + (official ? 8 : 0);
	if (strlen(out->registry) + 1 + repo_len > NAME_MAX_LEN)
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": name longer than %d characters", whole,
				       NAME_MAX_LEN);
	out->repository = malloc(repo_len + 1);
	if (out->repository == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	memcpy(out->repository, "library/", official ? 8 : 0);
	memcpy(out->repository + (official ? 8 : 0), path, path_len);
	out->repository[repo_len] = '\0';
	return 0;
}

static int parse(cairn_ref *out, const char *text)
{
	size_t len = strnlen(text, TEXT_MAX_LEN + 1);
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "empty image reference");
	if (len > TEXT_MAX_LEN)
		return cairn_error_set(CAIRN_EINVAL, "image reference longer than %d characters", TEXT_MAX_LEN);
	if (is_image_id(text))
		return cairn_error_set(CAIRN_EINVAL,
				       "reference \"%s\": a 64-digit hexadecimal name is an image ID, not a repository", text);
	const char *at = strchr(text, '@');
	size_t name_tag_len = at != NULL ? (size_t)(at - text) : len;
	if (at != NULL) {
		cairn_digest parsed;
		if (cairn_digest_parse(at + 1, len - name_tag_len - 1, &parsed) != 0)
			return cairn_error_prefix(CAIRN_EINVAL, "reference \"%s\"", text);
		out->digest = copy(at + 1, len - name_tag_len - 1);
		if (out->digest == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	/* The tag follows the last ':' that comes after the last '/' (a ':' before it is a port). */
	size_t name_len = name_tag_len;
	for (size_t i = name_tag_len; i > 0 && text[i - 1] != '/'; i--) {
		if (text[i - 1] == ':') {
			name_len = i - 1;
			break;
		}
	}
	if (name_len < name_tag_len) {
		int err = check_tag(text + name_len + 1, name_tag_len - name_len - 1, text);
		if (err)
			return err;
		out->tag = copy(text + name_len + 1, name_tag_len - name_len - 1);
		if (out->tag == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (name_len == 0)
		return cairn_error_set(CAIRN_EINVAL, "reference \"%s\": missing repository name", text);
	return split_name(out, text, name_len, text);
}

int cairn_ref_parse(cairn_ref *out, const char *text)
{
	memset(out, 0, sizeof *out);
	int err = parse(out, text);
	if (err)
		cairn_ref_free(out);
	return err;
}

void cairn_ref_free(cairn_ref *ref)
{
	if (ref == NULL)
		return;
	free(ref->registry);
	free(ref->repository);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof *ref);
}

const char *cairn_ref_reference(const cairn_ref *ref)
{
	if (ref->digest != NULL)
		return ref->digest;
	return ref->tag != NULL ? ref->tag : "latest";
}

int cairn_ref_format(const cairn_ref *ref, cairn_buf *out)
{
	int err = cairn_buf_printf(out, "%s/%s", ref->registry, ref->repository);
	if (!err && (ref->tag != NULL || ref->digest == NULL))
		err = cairn_buf_printf(out, ":%s", ref->tag != NULL ? ref->tag : "latest");
	if (!err && ref->digest != NULL)
		err = cairn_buf_printf(out, "@%s", ref->digest);
	return err;
}

const char *cairn_ref_api_host(const cairn_ref *ref)
{
	return strcmp(ref->registry, DOCKER_HUB) == 0 ? "registry-1.docker.io" : ref->registry;
}

int cairn_ref_registry_is_loopback(const char *registry)
{
	size_t len = strlen(registry);
	if (len == 0 || len > 300)
		return 0;
	size_t colon = port_separator(registry, len);
	if (colon < len && !is_port(registry + colon + 1, len - colon - 1))
		colon = len; /* a bare IPv6 address ("::1") has colons but no port */
	char host[301];
	memcpy(host, registry, colon);
	host[colon] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return 1;
	unsigned char binary[16];
	if (inet_pton(AF_INET, host, binary) == 1)
		return binary[0] == 127;
	const char *v6 = host;
	if (colon >= 2 && host[0] == '[' && host[colon - 1] == ']') {
		host[colon - 1] = '\0';
		v6 = host + 1;
	} else if (inet_pton(AF_INET6, registry, binary) == 1) {
		v6 = registry;
	}
	if (inet_pton(AF_INET6, v6, binary) != 1)
		return 0;
	static const unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	return memcmp(binary, loopback6, 16) == 0;
}

int cairn_ref_check_registry(const char *registry)
{
	size_t len = strnlen(registry, NAME_MAX_LEN + 1);
	if (len == 0 || len > NAME_MAX_LEN)
		return cairn_error_set(CAIRN_EINVAL, "registry \"%.80s\": empty or too long", registry);
	return check_domain(registry, len, registry);
}

int cairn_ref_check_repository(const char *repository)
{
	size_t len = strnlen(repository, NAME_MAX_LEN + 1);
	if (len > NAME_MAX_LEN)
		return cairn_error_set(CAIRN_EINVAL, "repository \"%.80s...\": longer than %d characters", repository,
				       NAME_MAX_LEN);
	return check_path(repository, len, repository);
}

int cairn_ref_check_tag(const char *tag)
{
	return check_tag(tag, strnlen(tag, TAG_MAX_LEN + 1), tag);
}
