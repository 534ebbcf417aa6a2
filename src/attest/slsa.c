/* slsa.c - the SLSA v1 provenance cairn writes for an isolated build, and the directory digest it
 * records for sources that are not git checkouts.
 *
 * The statement follows https://slsa.dev/spec/v1.0/provenance; the parameters of buildType
 * https://cairn.dev/build/v1 are documented in docs/slsa.md. */
#include "cairn/provenance.h"

#include "cairn/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIRHASH_MAX_DEPTH 256

/* ---- cairn dirhash v1 ---- */

struct dirhash {
	cairn_digest_ctx *ctx;
	size_t files;
};

static int name_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name); /* bytes, not the locale's collation */
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* One record: TYPE SP VALUE NUL PATH NUL, where TYPE is f (file), x (executable file), l (symlink,
 * VALUE its target) or d (directory, VALUE empty) and VALUE of a file is its sha256 in hex. */
static int dirhash_record(struct dirhash *h, char type, const char *value, const char *rel)
{
	char head[2] = {type, ' '};
	int err = cairn_digest_update(h->ctx, head, 2);
	if (!err)
		err = cairn_digest_update(h->ctx, value, strlen(value) + 1);
	if (!err)
		err = cairn_digest_update(h->ctx, rel, strlen(rel) + 1);
	return err;
}

static int dirhash_walk(struct dirhash *h, const char *dir, const char *rel, int depth)
{
	if (depth > DIRHASH_MAX_DEPTH)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: directories nested deeper than %d", dir, DIRHASH_MAX_DEPTH);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, skip_dots, name_order);
	if (n < 0)
		return cairn_error_set(CAIRN_EIO, "%s: cannot list the directory: %s", dir, strerror(errno));
	int err = 0;
	for (int i = 0; i < n && !err; i++) {
		const char *name = names[i]->d_name;
		if (depth == 0 && strcmp(name, ".git") == 0)
			continue;
		if (++h->files > CAIRN_BUILD_MAX_TREE_FILES) {
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: more than %d entries", dir, CAIRN_BUILD_MAX_TREE_FILES);
			break;
		}
		char *path = NULL, *sub = NULL;
		if (asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&sub, "%s%s%s", rel, rel[0] ? "/" : "", name) < 0) {
			free(path);
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
		struct stat st;
		if (lstat(path, &st) != 0) {
			err = cairn_error_set(CAIRN_EIO, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			err = dirhash_record(h, 'd', "", sub);
			if (!err)
				err = dirhash_walk(h, path, sub, depth + 1);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlink(path, target, sizeof target - 1);
			if (len < 0)
				err = cairn_error_set(CAIRN_EIO, "%s: %s", path, strerror(errno));
			else {
				target[len] = '\0';
				err = dirhash_record(h, 'l', target, sub);
			}
		} else if (S_ISREG(st.st_mode)) {
			cairn_digest d;
			cairn_buf hex = CAIRN_BUF_INIT;
			err = cairn_digest_file(CAIRN_DIGEST_SHA256, path, &d);
			if (!err)
				err = cairn_digest_hex(&d, &hex);
			if (!err)
				err = dirhash_record(h, (st.st_mode & 0111) ? 'x' : 'f', cairn_buf_cstr(&hex), sub);
			cairn_buf_free(&hex);
		} else {
			err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: not a file, directory or symlink", path);
		}
		free(path);
		free(sub);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

int cairn_slsa_dirhash(const char *dir, cairn_digest *out)
{
	struct dirhash h = {NULL, 0};
	int err = cairn_digest_ctx_new(&h.ctx, CAIRN_DIGEST_SHA256);
	if (!err)
		err = dirhash_walk(&h, dir, "", 0);
	if (!err)
		err = cairn_digest_final(h.ctx, out);
	cairn_digest_ctx_free(h.ctx);
	return err;
}

/* ---- the statement ---- */

static json_t *digest_set(const cairn_digest *d)
{
	cairn_buf hex = CAIRN_BUF_INIT;
	json_t *set = NULL;
	if (cairn_digest_hex(d, &hex) == 0)
		set = json_pack("{s:s}", cairn_digest_alg_name(d->alg), cairn_buf_cstr(&hex));
	cairn_buf_free(&hex);
	return set;
}

/* RFC 3339 in UTC, as SLSA's Timestamp. */
static json_t *timestamp(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char text[64];
	if (gmtime_r(&tt, &tm) == NULL || strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return json_string(text);
}

/* Adds value under key, consuming it; a NULL value means an allocation failed earlier. */
static int put(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, key, value) != 0)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory building provenance");
	return 0;
}

static int push(json_t *array, json_t *value)
{
	if (value == NULL || json_array_append_new(array, value) != 0)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory building provenance");
	return 0;
}

static json_t *source_dependency(const cairn_slsa_build *b)
{
	json_t *dep = json_object();
	json_t *digest = digest_set(&b->source_tree);
	if (dep == NULL || digest == NULL)
		goto fail;
	/* The tree digest is cairn's own (dirhash), named so no one mistakes it for a git object. */
	json_t *hash = json_object_get(digest, "sha256");
	if (json_object_set(digest, "cairnDirhashV1Sha256", hash) != 0 || json_object_del(digest, "sha256") != 0)
		goto fail;
	if (b->source_git_commit && json_object_set_new(digest, "gitCommit", json_string(b->source_git_commit)) != 0)
		goto fail;
	if (b->source_git_tree && json_object_set_new(digest, "gitTree", json_string(b->source_git_tree)) != 0)
		goto fail;
	char *uri = NULL;
	const char *plain = strncmp(b->source_uri, "git+", 4) == 0 ? b->source_uri + 4 : b->source_uri;
	int git = b->source_git_commit != NULL;
	if (asprintf(&uri, "%s%s%s%s", git ? "git+" : "", plain, b->source_ref ? "@" : "", b->source_ref ? b->source_ref : "") < 0)
		goto fail;
	int bad = json_object_set_new(dep, "uri", json_string(uri)) != 0 || json_object_set_new(dep, "digest", digest) != 0;
	free(uri);
	digest = NULL;
	if (bad)
		goto fail;
	return dep;
fail:
	json_decref(digest);
	json_decref(dep);
	return NULL;
}

static int build_definition(const cairn_slsa_build *b, json_t *def)
{
	json_t *command = json_array();
	int err = command ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < b->argc; i++)
		err = push(command, json_string(b->argv[i]));
	json_t *source = NULL;
	if (!err) {
		source = json_pack("{s:s}", "uri", b->source_uri);
		if (source && b->source_ref)
			json_object_set_new(source, "ref", json_string(b->source_ref));
	}
	if (!err)
		err = put(def, "buildType", json_string(CAIRN_SLSA_BUILD_TYPE));
	if (!err)
		err = put(def, "externalParameters", json_pack("{s:o, s:o}", "command", command, "source", source));
	else {
		json_decref(command);
		json_decref(source);
	}
	json_t *internal = NULL;
	if (!err) {
		internal = json_pack("{s:i, s:s, s:s}", "timeoutSeconds", b->timeout_seconds, "workspace", "/workspace",
				     "network", "none");
		if (internal && b->source_date_epoch)
			json_object_set_new(internal, "SOURCE_DATE_EPOCH", json_string(b->source_date_epoch));
		err = put(def, "internalParameters", internal);
	}
	json_t *deps = NULL;
	if (!err) {
		deps = json_array();
		err = put(def, "resolvedDependencies", deps);
	}
	if (!err)
		err = push(deps, source_dependency(b));
	for (size_t i = 0; !err && i < b->input_count; i++)
		err = push(deps, json_pack("{s:s, s:o}", "uri", b->inputs[i].name, "digest", digest_set(&b->inputs[i].digest)));
	for (size_t i = 0; !err && i < b->tool_count; i++) {
		char *uri = NULL;
		if (asprintf(&uri, "file://%s", b->tools[i].path) < 0)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
		err = push(deps, json_pack("{s:s, s:s, s:o, s:{s:s}}", "uri", uri, "name", "toolchain", "digest",
					   digest_set(&b->tools[i].digest), "annotations", "version", b->tools[i].version));
		free(uri);
	}
	return err;
}

static int run_details(const cairn_slsa_build *b, json_t *run)
{
	int err = put(run, "builder", json_pack("{s:s, s:{s:s}}", "id", b->builder_id ? b->builder_id : CAIRN_SLSA_BUILDER_ID,
						   "version", "cairn", b->builder_version ? b->builder_version : ""));
	if (!err)
		err = put(run, "metadata", json_pack("{s:s, s:o, s:o}", "invocationId", b->invocation_id, "startedOn",
						     timestamp(b->started_on), "finishedOn", timestamp(b->finished_on)));
	if (!err)
		err = put(run, "byproducts", json_pack("[{s:s, s:{s:i}}]", "name", "exit-status", "content", "exitStatus",
						       b->exit_status));
	return err;
}

int cairn_slsa_statement(const cairn_slsa_build *b, json_t **out)
{
	*out = NULL;
	if (b->subject_count == 0)
		return cairn_error_set(CAIRN_EINVAL, "provenance needs at least one output to name as its subject");
	if (b->source_uri == NULL || b->invocation_id == NULL)
		return cairn_error_set(CAIRN_EINVAL, "provenance needs a source URI and an invocation ID");
	json_t *st = json_object(), *subjects = json_array(), *def = json_object(), *run = json_object();
	int err = (st && subjects && def && run) ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < b->subject_count; i++)
		err = push(subjects, json_pack("{s:s, s:o}", "name", b->subjects[i].name, "digest",
					       digest_set(&b->subjects[i].digest)));
	if (!err)
		err = build_definition(b, def);
	if (!err)
		err = run_details(b, run);
	if (!err)
		err = put(st, "_type", json_string(CAIRN_INTOTO_STATEMENT_V1));
	if (!err) {
		err = put(st, "subject", subjects);
		subjects = NULL;
	}
	if (!err)
		err = put(st, "predicateType", json_string(CAIRN_SLSA_PROVENANCE_V1));
	if (!err) {
		err = put(st, "predicate", json_pack("{s:O, s:O}", "buildDefinition", def, "runDetails", run));
	}
	json_decref(subjects);
	json_decref(def);
	json_decref(run);
	if (err) {
		json_decref(st);
		return err;
	}
	*out = st;
	return 0;
}
