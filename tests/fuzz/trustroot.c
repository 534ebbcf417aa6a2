/* libFuzzer target: trusted_root.json parsing must never crash or leak, whatever the bytes, and a
 * root it accepts must answer lookups. */
#include "cairn/error.h"
#include "cairn/trustroot.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_trusted_root *root = NULL;
	if (cairn_trusted_root_parse(&root, data, size, "fuzz") != 0) {
		if (root != NULL)
			__builtin_trap(); /* a failed parse must leave nothing behind */
		return 0;
	}
	for (size_t i = 0; i < root->tlog_count; i++) {
		const cairn_trusted_log *log = &root->tlogs[i];
		if (cairn_trusted_root_find_tlog(root, log->log_id, log->log_id_len) == NULL)
			__builtin_trap();
		if (log->valid.end < log->valid.start)
			__builtin_trap();
	}
	for (size_t i = 0; i < root->ctlog_count; i++)
		if (cairn_trusted_root_find_ctlog(root, root->ctlogs[i].log_id, root->ctlogs[i].log_id_len) == NULL)
			__builtin_trap();
	for (size_t i = 0; i < root->ca_count; i++)
		if (root->cas[i].chain_len == 0 || root->cas[i].chain == NULL)
			__builtin_trap();
	cairn_trusted_root_free(root);
	return 0;
}
