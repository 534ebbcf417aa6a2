/* Small helpers the SBOM writers and catalogers share: UUIDs, timestamps and a name index. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "sbom_internal.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int sbom_uuid(const void *seed, size_t seed_len, char out[37])
{
	uint8_t b[32];
	if (seed != NULL) {
		cairn_digest d;
		int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, seed, seed_len, &d);
		if (err)
			return err;
		memcpy(b, d.bytes, 16);
	} else if (RAND_bytes(b, 16) != 1) {
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "sbom: no random bytes for a UUID");
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 layout, as every validator expects */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
		 b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

void cairn_sbom_format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

int cairn_sbom_timestamp(int64_t *out, int *deterministic)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	*deterministic = 0;
	if (sde != NULL && sde[0] != '\0') {
		char *end;
		long long v = strtoll(sde, &end, 10);
		/* up to 9999-12-31, so the RFC 3339 year keeps four digits */
		if (*end != '\0' || v < 0 || v > 253402300799LL)
			return cairn_error_set(CAIRN_EINVAL, "SOURCE_DATE_EPOCH='%s' is not a number of seconds since 1970", sde);
		*out = v;
		*deterministic = 1;
		return 0;
	}
	*out = (int64_t)time(NULL);
	return 0;
}

/* ---- name index: open addressing over (name, package, provided) ---- */

struct name_slot {
	char *name; /* NULL: empty */
	size_t package;
	int provided;
};

struct sbom_name_index {
	struct name_slot *slots;
	size_t cap, count;
};

static uint64_t hash_name(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

int sbom_name_index_new(sbom_name_index **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
}

void sbom_name_index_free(sbom_name_index *index)
{
	if (index == NULL)
		return;
	for (size_t i = 0; i < index->cap; i++)
		free(index->slots[i].name);
	free(index->slots);
	free(index);
}

static struct name_slot *find_slot(struct name_slot *slots, size_t cap, const char *name, size_t len)
{
	size_t i = (size_t)(hash_name(name, len) & (cap - 1));
	while (slots[i].name != NULL && !(strlen(slots[i].name) == len && memcmp(slots[i].name, name, len) == 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int rehash(sbom_name_index *index)
{
	size_t cap = index->cap ? index->cap * 2 : 256;
	struct name_slot *slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	for (size_t i = 0; i < index->cap; i++)
		if (index->slots[i].name != NULL)
			*find_slot(slots, cap, index->slots[i].name, strlen(index->slots[i].name)) = index->slots[i];
	free(index->slots);
	index->slots = slots;
	index->cap = cap;
	return 0;
}

int sbom_name_index_add(sbom_name_index *index, const char *name, size_t len, size_t package, int provided)
{
	if ((index->count + 1) * 2 > index->cap && rehash(index) != 0)
		return CAIRN_ENOMEM;
	struct name_slot *slot = find_slot(index->slots, index->cap, name, len);
	if (slot->name != NULL) {
		/* a real package of that name wins over one that provides it; otherwise the first stays */
		if (slot->provided && !provided) {
			slot->package = package;
			slot->provided = 0;
		}
		return 0;
	}
	if ((slot->name = strndup(name, len)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	slot->package = package;
	slot->provided = provided;
	index->count++;
	return 0;
}

int sbom_name_index_find(const sbom_name_index *index, const char *name, size_t len, size_t *package)
{
	if (index->cap == 0)
		return -1;
	const struct name_slot *slot = find_slot(index->slots, index->cap, name, len);
	if (slot->name == NULL)
		return -1;
	*package = slot->package;
	return 0;
}

int sbom_os_file_index(const cairn_sbom *sbom, size_t limit, int (*keep)(const char *path), sbom_name_index **out)
{
	int err = sbom_name_index_new(out);
	size_t n = cairn_sbom_package_count(sbom);
	for (size_t i = 0; !err && i < n && i < limit; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->type, "deb") != 0 && strcmp(p->type, "rpm") != 0 && strcmp(p->type, "apk") != 0)
			continue;
		for (size_t f = 0; !err && f < p->file_count; f++)
			if (keep == NULL || keep(p->files[f]))
				err = sbom_name_index_add(*out, p->files[f], strlen(p->files[f]), i, 0);
	}
	if (err) {
		sbom_name_index_free(*out);
		*out = NULL;
	}
	return err;
}
