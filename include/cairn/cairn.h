/* cairn/cairn.h - the whole public API of libcairn. */
#ifndef CAIRN_CAIRN_H
#define CAIRN_CAIRN_H

#include "cairn/attest.h"
#include "cairn/buf.h"
#include "cairn/bundle.h"
#include "cairn/cert.h"
#include "cairn/cosign.h"
#include "cairn/cvss.h"
#include "cairn/digest.h"
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/image.h"
#include "cairn/json.h"
#include "cairn/key.h"
#include "cairn/logstore.h"
#include "cairn/merkle.h"
#include "cairn/note.h"
#include "cairn/provenance.h"
#include "cairn/ref.h"
#include "cairn/rekor.h"
#include "cairn/registry.h"
#include "cairn/sbom.h"
#include "cairn/scan.h"
#include "cairn/sig.h"
#include "cairn/tree.h"
#include "cairn/trustroot.h"
#include "cairn/version.h"
#include "cairn/vulndb.h"

#endif
