#!/bin/bash
# Installs the pinned sigstore-js packages (package.json and package-lock.json beside this script)
# into build/sigstore-js, or $CAIRN_SIGSTORE_JS, with `npm ci`. Idempotent and quick when nothing
# changed: it reinstalls only when the lock file differs from the installed one. Safe to run from
# several processes at once (a lock serialises them). Prints the directory it installed into.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${CAIRN_SIGSTORE_JS:-$here/../../../build/sigstore-js}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

command -v node >/dev/null || { echo "install.sh: node is missing (Node.js 20.17 or later is needed)" >&2; exit 2; }
command -v npm >/dev/null || { echo "install.sh: npm is missing" >&2; exit 2; }
major="$(node -p 'process.versions.node.split(".")[0]')"
minor="$(node -p 'process.versions.node.split(".")[1]')"
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 17 ]; }; then
	echo "install.sh: node $(node --version) is too old: the pinned sigstore-js needs 20.17 or later" >&2
	exit 2
fi

exec 9>"$dest/.install.lock"
flock 9
if ! cmp -s "$here/package-lock.json" "$dest/package-lock.json" || [ ! -d "$dest/node_modules/@sigstore/verify" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$dest/"
	(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi
echo "$dest"
