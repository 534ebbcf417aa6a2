#!/bin/bash
# Installs the pinned npm package that ships the official SARIF 2.1.0 JSON schema (package.json and
# package-lock.json beside this script) into build/sarif-schema, or $CAIRN_SARIF_SCHEMA_DIR, with
# `npm ci`, and prints the schema file's path. Idempotent and quick when nothing changed: it
# reinstalls only when the lock file differs from the installed one. Safe to run from several
# processes at once (a lock serialises them). The schema is never committed into the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${CAIRN_SARIF_SCHEMA_DIR:-$here/../../../build/sarif-schema}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
schema="$dest/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"

command -v npm >/dev/null || { echo "install.sh: npm is missing" >&2; exit 2; }

exec 9>"$dest/.install.lock"
flock 9
if ! cmp -s "$here/package-lock.json" "$dest/package-lock.json" || [ ! -f "$schema" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$dest/"
	(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi
[ -f "$schema" ] || { echo "install.sh: $schema is missing after npm ci" >&2; exit 2; }
echo "$schema"
