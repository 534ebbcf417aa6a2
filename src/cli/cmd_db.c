/* cairn db: import, inspect, query and update the offline advisory database (cairn/vulndb.h). */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/vulndb.h"
#include "cli.h"

#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DOWNLOAD_MAX ((curl_off_t)4 * 1024 * 1024 * 1024) /* 4 GiB: more is no advisory archive */

const char cmd_db_usage[] =
	"usage: cairn db import [--db PATH] PATH...\n"
	"       cairn db status [--db PATH]\n"
	"       cairn db match [--db PATH] ECOSYSTEM NAME VERSION\n"
	"       cairn db update --url URL [--sha256 HEX] [--db PATH]\n"
	"\n"
	"import  reads advisories from files, directories and archives (.zip, .tar, .tar.gz, .tar.zst):\n"
	"        OSV JSON and YAML, RustSec and HSEC (Markdown with TOML), RubySec and FriendsOfPHP YAML,\n"
	"        Alpine secdb (YAML or JSON) and the Debian security tracker's JSON. Prints the counts per\n"
	"        source: imported, skipped as withdrawn, corrupt (each corrupt file is named on stderr\n"
	"        and skipped). Each path (and each archive) is one transaction: a failure loses nothing\n"
	"        imported before it.\n"
	"status  the sources, their advisory counts, newest record and import time, and the schema version\n"
	"match   the IDs of the advisories affecting that package version, sorted, one per line;\n"
	"        aliases (CVE, GHSA, ...) of one vulnerability are reported once.\n"
	"        ECOSYSTEM as OSV writes it: PyPI, npm, Go, Maven, RubyGems, crates.io, NuGet, Packagist,\n"
	"        Hackage, CRAN, Bitnami, Debian:12 (or Debian:bookworm), Alpine:v3.20, AlmaLinux:9, ...\n"
	"        Distribution packages are looked up by their source package name.\n"
	"update  downloads an OSV archive over HTTPS (plain HTTP only to a loopback address), checks its\n"
	"        SHA-256 when --sha256 is given, and imports it.\n"
	"\n"
	"options:\n"
	"  --db PATH      the database (default $XDG_CACHE_HOME/cairn/vuln.db or ~/.cache/cairn/vuln.db)\n"
	"  --url URL      update: where to download from\n"
	"  --sha256 HEX   update: the archive's expected SHA-256\n"
	"\n"
	"A database written by another schema version is refused; delete it and import again.\n"
	"exit status: 0 success (corrupt advisories are reported but do not fail an import); 1 a checksum\n"
	"did not match; 2 bad usage, an unreadable input or database; 3 an I/O, network or internal failure.\n";

struct db_args {
	const char *db;
	const char *url;
	const char *sha256;
	char **operands;
	int operand_count;
	cairn_buf default_path;
};

static int parse_args(const char *sub, int argc, char **argv, struct db_args *a)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'},
		{"url", required_argument, NULL, 'u'},
		{"sha256", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	optind = 1;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'd': a->db = optarg; break;
		case 'u': a->url = optarg; break;
		case 's': a->sha256 = optarg; break;
		case 'h': return -1;
		default: return cli_option_error(sub, argv, opt);
		}
	}
	a->operands = argv + optind;
	a->operand_count = argc - optind;
	if (a->db == NULL) {
		if (cairn_vulndb_default_path(&a->default_path) != 0)
			return cli_report_error();
		a->db = cairn_buf_cstr(&a->default_path);
	}
	return 0;
}

/* ---- import ---- */

struct progress {
	int tty;
	int shown;
};

static void on_corrupt(void *ctx, const char *file, const char *reason)
{
	struct progress *p = ctx;
	if (p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = 0;
	}
	/* Readers name the file at the start of their reason; say it once. */
	if (strncmp(reason, file, strlen(file)) == 0)
		fprintf(stderr, "cairn: skipped corrupt advisory %s\n", reason);
	else
		fprintf(stderr, "cairn: skipped corrupt advisory %s: %s\n", file, reason);
}

static void on_progress(void *ctx, size_t files, size_t advisories)
{
	struct progress *p = ctx;
	if (!p->tty)
		return;
	fprintf(stderr, "\r\033[Kimporting: %zu files, %zu advisories", files, advisories);
	p->shown = 1;
}

static void print_report(const cairn_vulndb_report *r)
{
	size_t imported = 0, withdrawn = 0, corrupt = 0;
	printf("%-24s %10s %10s %8s\n", "SOURCE", "IMPORTED", "WITHDRAWN", "CORRUPT");
	for (size_t i = 0; i < r->n_sources; i++) {
		const cairn_vulndb_count *c = &r->sources[i];
		printf("%-24s %10zu %10zu %8zu\n", c->source, c->imported, c->withdrawn, c->corrupt);
		imported += c->imported;
		withdrawn += c->withdrawn;
		corrupt += c->corrupt;
	}
	printf("%-24s %10zu %10zu %8zu\n", "total", imported, withdrawn, corrupt);
	printf("%zu files read, %zu not advisories\n", r->files, r->ignored);
}

static int import_paths(const char *db_path, char **paths, int count)
{
	cairn_vulndb *db;
	if (cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_CREATE) != 0)
		return cli_report_error();
	struct progress p = {isatty(STDERR_FILENO), 0};
	cairn_vulndb_import_options opts = {on_corrupt, on_progress, &p};
	cairn_vulndb_report report;
	memset(&report, 0, sizeof report);
	int status = CLI_OK;
	for (int i = 0; i < count; i++) {
		if (cairn_vulndb_import(db, paths[i], &opts, &report) != 0) {
			if (p.shown)
				fputs("\r\033[K", stderr);
			p.shown = 0;
			int s = cli_report_error();
			if (status == CLI_OK)
				status = s;
		}
	}
	if (p.shown)
		fputs("\r\033[K", stderr);
	cairn_vulndb_close(db);
	print_report(&report);
	return status;
}

/* ---- status and match ---- */

static int show_status(const char *db_path)
{
	cairn_vulndb *db;
	cairn_vulndb_status st;
	if (cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_READ) != 0)
		return cli_report_error();
	int err = cairn_vulndb_get_status(db, &st);
	cairn_vulndb_close(db);
	if (err != 0)
		return cli_report_error();
	printf("database:       %s\n", db_path);
	printf("schema version: %d\n", st.schema_version);
	printf("advisories:     %zu (%zu affected packages)\n", st.advisories, st.packages);
	printf("\n%-24s %10s  %-28s %s\n", "SOURCE", "ADVISORIES", "NEWEST RECORD", "IMPORTED");
	for (size_t i = 0; i < st.n_sources; i++) {
		const cairn_vulndb_source_status *s = &st.sources[i];
		printf("%-24s %10zu  %-28s %s\n", s->source, s->advisories, s->newest[0] ? s->newest : "-",
		       s->imported_at);
	}
	return CLI_OK;
}

static int match_package(const char *db_path, char **operands)
{
	cairn_vulndb *db;
	cairn_vulndb_findings *findings;
	if (cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_READ) != 0)
		return cli_report_error();
	int err = cairn_vulndb_match(db, operands[0], operands[1], operands[2], &findings);
	cairn_vulndb_close(db);
	if (err != 0)
		return cli_report_error();
	for (size_t i = 0; i < cairn_vulndb_findings_count(findings); i++)
		printf("%s\n", cairn_vulndb_findings_get(findings, i)->id);
	cairn_vulndb_findings_free(findings);
	return CLI_OK;
}

/* ---- update ---- */

struct download {
	FILE *out;
	cairn_digest_ctx *digest;
	int tty;
	int failed;
};

static size_t write_body(char *data, size_t size, size_t count, void *ctx)
{
	struct download *d = ctx;
	size_t n = size * count;
	if (fwrite(data, 1, n, d->out) != n || cairn_digest_update(d->digest, data, n) != 0) {
		d->failed = 1;
		return 0;
	}
	return n;
}

static int show_transfer(void *ctx, curl_off_t total, curl_off_t now, curl_off_t up_total, curl_off_t up_now)
{
	(void)up_total;
	(void)up_now;
	struct download *d = ctx;
	if (!d->tty)
		return 0;
	if (total > 0)
		fprintf(stderr, "\r\033[Kdownloading: %lld of %lld KiB", (long long)now / 1024, (long long)total / 1024);
	else
		fprintf(stderr, "\r\033[Kdownloading: %lld KiB", (long long)now / 1024);
	return 0;
}

/* Plain http is allowed only to a loopback host; everything else must be https. */
static int check_url(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int err = 0;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		err = cairn_error_set(CAIRN_EINVAL, "--url %s: not a URL", url);
	} else if (strcasecmp(scheme, "https") != 0) {
		int loopback = strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
			       strcasecmp(host, "localhost") == 0;
		if (strcasecmp(scheme, "http") != 0 || !loopback)
			err = cairn_error_set(CAIRN_EINVAL, "--url %s: only https is allowed (plain http only to a "
							    "loopback address)",
					      url);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return err;
}

/* The file name to import the download as: the URL path's last part keeps its archive suffix. */
static void download_name(const char *url, const char *dir, char *out, size_t size)
{
	const char *end = url + strcspn(url, "?#");
	const char *slash = end;
	while (slash > url && slash[-1] != '/')
		slash--;
	int n = (int)(end - slash);
	if (n <= 0 || n > 100 || memchr(slash, '.', (size_t)n) == NULL)
		snprintf(out, size, "%s/download-%ld.zip", dir, (long)getpid());
	else
		snprintf(out, size, "%s/download-%ld-%.*s", dir, (long)getpid(), n, slash);
}

static int fetch(const char *url, const char *file, const char *sha256)
{
	struct download d = {NULL, NULL, isatty(STDERR_FILENO), 0};
	char errbuf[CURL_ERROR_SIZE] = "";
	int err = 0;
	if ((d.out = fopen(file, "wb")) == NULL)
		return cairn_error_set(CAIRN_EIO, "cannot create %s", file);
	if ((err = cairn_digest_ctx_new(&d.digest, CAIRN_DIGEST_SHA256)) != 0) {
		fclose(d.out);
		return err;
	}
	CURL *curl = curl_easy_init();
	if (curl == NULL) {
		err = cairn_error_set(CAIRN_EINTERNAL, "cannot start libcurl");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, DOWNLOAD_MAX);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, show_transfer);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &d);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, d.tty ? 0L : 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "cairn/" CAIRN_VERSION);
	CURLcode rc = curl_easy_perform(curl);
	if (d.tty)
		fputs("\r\033[K", stderr);
	if (rc != CURLE_OK || d.failed)
		err = cairn_error_set(CAIRN_EIO, "downloading %s: %s", url,
				      d.failed ? "cannot write the download" : errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_cleanup(curl);
	if (fclose(d.out) != 0 && err == 0)
		err = cairn_error_set(CAIRN_EIO, "writing %s failed", file);
	d.out = NULL;
	if (err == 0 && sha256 != NULL) {
		cairn_digest digest;
		cairn_buf hex = CAIRN_BUF_INIT;
		if ((err = cairn_digest_final(d.digest, &digest)) == 0 && (err = cairn_digest_hex(&digest, &hex)) == 0 &&
		    strcasecmp(cairn_buf_cstr(&hex), sha256) != 0)
			err = cairn_error_set(CAIRN_EVERIFY, "%s: SHA-256 is %s, not the expected %s; nothing imported", url,
					      cairn_buf_cstr(&hex), sha256);
		cairn_buf_free(&hex);
	}
out:
	if (d.out != NULL)
		fclose(d.out);
	cairn_digest_ctx_free(d.digest);
	return err;
}

static int update(const char *db_path, const char *url, const char *sha256)
{
	if (sha256 != NULL && (strlen(sha256) != 64 || strspn(sha256, "0123456789abcdefABCDEF") != 64))
		return cli_usage_error("db", "--sha256 needs 64 hexadecimal digits");
	if (check_url(url) != 0)
		return cli_report_error();
	/* Download beside the database: the same file system, and a place the user owns. */
	char dir[4096], file[4300];
	const char *slash = strrchr(db_path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - db_path > 0 ? slash - db_path : 1), db_path);
	cairn_vulndb *db;
	if (cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_CREATE) != 0)
		return cli_report_error();
	cairn_vulndb_close(db);
	download_name(url, dir, file, sizeof file);
	if (fetch(url, file, sha256) != 0) {
		unlink(file);
		return cli_report_error();
	}
	char *paths[] = {file};
	int status = import_paths(db_path, paths, 1);
	unlink(file);
	return status;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return argc < 2 ? cli_usage_error("db", "expected a subcommand: import, status, match or update")
				: cli_print_usage("db");
	const char *sub = argv[1];
	struct db_args a;
	memset(&a, 0, sizeof a);
	int status = parse_args("db", argc - 1, argv + 1, &a);
	if (status == -1) {
		cairn_buf_free(&a.default_path);
		return cli_print_usage("db");
	}
	if (status != 0)
		goto out;
	if (strcmp(sub, "import") == 0) {
		status = a.operand_count < 1 ? cli_usage_error("db", "import needs at least one PATH")
					     : import_paths(a.db, a.operands, a.operand_count);
	} else if (strcmp(sub, "status") == 0) {
		status = a.operand_count != 0 ? cli_usage_error("db", "status takes no operands") : show_status(a.db);
	} else if (strcmp(sub, "match") == 0) {
		status = a.operand_count != 3 ? cli_usage_error("db", "match needs ECOSYSTEM NAME VERSION")
					      : match_package(a.db, a.operands);
	} else if (strcmp(sub, "update") == 0) {
		status = a.url == NULL || a.operand_count != 0 ? cli_usage_error("db", "update needs --url URL and no operands")
							       : update(a.db, a.url, a.sha256);
	} else {
		status = cli_usage_error("db", "unknown subcommand '%s' (import, status, match, update)", sub);
	}
out:
	cairn_buf_free(&a.default_path);
	return status;
}
