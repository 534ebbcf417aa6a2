/* cli_registry.c - the registry and trust options several commands take, parsed in one place so that
 * every command spells, bounds and checks them the same way. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_registry_option(struct cli_registry_args *a, int opt, const char *command)
{
	switch (opt) {
	case CLI_OPT_PLATFORM: a->opts.platform = optarg; return 1;
	case CLI_OPT_CA_FILE: a->opts.registry.ca_file = optarg; return 1;
	case CLI_OPT_INSECURE_REGISTRY:
		if (a->insecure_count >= CLI_INSECURE_MAX) {
			cli_usage_error(command, "at most %d --insecure-registry", CLI_INSECURE_MAX);
			return -1;
		}
		a->insecure[a->insecure_count++] = optarg;
		a->opts.registry.insecure_hosts = a->insecure;
		return 1;
	case CLI_OPT_USERNAME: a->opts.registry.username = optarg; return 1;
	case CLI_OPT_PASSWORD_STDIN: a->password_stdin = 1; return 1;
	case CLI_OPT_CACHE_DIR: a->opts.cache_dir = optarg; return 1;
	default: return 0;
	}
}

int cli_next_option(int argc, char **argv, const char *shortopts, const struct option *options,
		    struct cli_registry_args *reg, struct cli_trust_args *trust, const char *command)
{
	opterr = 0;
	for (;;) {
		int opt = getopt_long(argc, argv, shortopts, options, NULL);
		int taken = opt == -1 ? 0 : cli_registry_option(reg, opt, command);
		if (taken < 0)
			return CLI_OPT_REFUSED;
		if (!taken && (trust == NULL || !cli_trust_option(trust, opt)))
			return opt;
	}
}

/* The password is the whole of standard input but a trailing newline; it is never echoed. */
static int read_password(struct cli_registry_args *a, const char *command)
{
	size_t len = fread(a->password, 1, sizeof a->password - 1, stdin);
	a->password[len] = '\0';
	if (strlen(a->password) != len)
		return cli_usage_error(command, "the password holds a NUL byte");
	while (len > 0 && (a->password[len - 1] == '\n' || a->password[len - 1] == '\r'))
		a->password[--len] = '\0';
	a->opts.registry.password = a->password;
	return CLI_OK;
}

int cli_registry_finish(struct cli_registry_args *a, const char *command)
{
	if (a->password_stdin != (a->opts.registry.username != NULL))
		return cli_usage_error(command, "--username and --password-stdin go together");
	if (a->password_stdin && read_password(a, command) != CLI_OK)
		return CLI_USAGE;
	return CLI_OK;
}

int cli_registry_ref(const char *image, cairn_ref *ref)
{
	if (strncmp(image, "registry:", 9) == 0)
		image += 9;
	memset(ref, 0, sizeof *ref);
	if (cairn_ref_parse(ref, image) != 0)
		return cli_report_error();
	return CLI_OK;
}

int cli_output_json(int *json, const char *command)
{
	if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
		return cli_usage_error(command, "-o takes json or text, not '%s'", optarg);
	*json = strcmp(optarg, "json") == 0;
	return CLI_OK;
}

int cli_env_limit(const char *name, uint64_t *value, const char *command)
{
	const char *text = getenv(name);
	if (text == NULL || text[0] == '\0')
		return CLI_OK;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || text[0] == '-' || v == 0)
		return cli_usage_error(command, "%s='%s' is not a positive number", name, text);
	*value = v;
	return CLI_OK;
}

int cli_tree_limits(cairn_tree_limits *limits, const char *command)
{
	cairn_tree_limits_default(limits);
	uint64_t entries = limits->max_entries;
	int status = cli_env_limit("CAIRN_MAX_ENTRIES", &entries, command);
	limits->max_entries = (size_t)entries;
	if (status == CLI_OK)
		status = cli_env_limit("CAIRN_MAX_FILE_SIZE", &limits->max_file_size, command);
	if (status == CLI_OK)
		status = cli_env_limit("CAIRN_MAX_TOTAL_SIZE", &limits->max_total_size, command);
	if (status == CLI_OK)
		status = cli_env_limit("CAIRN_MAX_RATIO", &limits->max_ratio, command);
	if (status == CLI_OK)
		status = cli_env_limit("CAIRN_RATIO_FLOOR", &limits->ratio_floor, command);
	return status;
}

void cli_registry_free(struct cli_registry_args *a)
{
	explicit_bzero(a->password, sizeof a->password);
}

int cli_trust_option(struct cli_trust_args *t, int opt)
{
	switch (opt) {
	case CLI_OPT_KEY: t->key_path = optarg; return 1;
	case CLI_OPT_TRUSTED_ROOT: t->root_path = optarg; return 1;
	case CLI_OPT_IDENTITY: t->identity.identity = optarg; return 1;
	case CLI_OPT_IDENTITY_REGEXP: t->identity.identity_regexp = optarg; return 1;
	case CLI_OPT_ISSUER: t->identity.issuer = optarg; return 1;
	case CLI_OPT_ISSUER_REGEXP: t->identity.issuer_regexp = optarg; return 1;
	default: return 0;
	}
}

int cli_trust_check(const struct cli_trust_args *t, const char *command)
{
	const cairn_identity_policy *p = &t->identity;
	int has_identity = p->identity || p->identity_regexp || p->issuer || p->issuer_regexp;
	if (t->key_path && has_identity)
		return cli_usage_error(command, "give either --key or a certificate identity, not both");
	if (t->key_path)
		return CLI_OK;
	if (!has_identity)
		return cli_usage_error(command, "--key or --certificate-identity and --certificate-oidc-issuer are required");
	if ((p->identity && p->identity_regexp) || (p->issuer && p->issuer_regexp))
		return cli_usage_error(command, "give an exact value or a regular expression, not both");
	if (!p->identity && !p->identity_regexp)
		return cli_usage_error(command, "--certificate-identity or --certificate-identity-regexp is required");
	if (!p->issuer && !p->issuer_regexp)
		return cli_usage_error(command, "--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required");
	return CLI_OK;
}

int cli_trust_load(struct cli_trust_args *t, const cairn_key **key, cairn_identity_policy *identity,
		   const cairn_trusted_root **root)
{
	if (t->key_path && cairn_key_load_public_file(&t->key, t->key_path))
		return cli_report_error();
	/* the trusted root is needed for keyless signatures and for Rekor bundles beside key signatures */
	int err = t->root_path ? cairn_trusted_root_load_file(&t->root, t->root_path) : cairn_trusted_root_public_good(&t->root);
	if (err) {
		int status = cli_report_error();
		cli_trust_free(t);
		return status;
	}
	*key = t->key;
	*identity = t->identity;
	*root = t->root;
	return CLI_OK;
}

void cli_trust_free(struct cli_trust_args *t)
{
	cairn_trusted_root_free(t->root);
	cairn_key_free(t->key);
	t->root = NULL;
	t->key = NULL;
}
