#!/bin/bash
# SBOM generation against cdxgen (issue 4): `cairn sbom` and cdxgen (@cyclonedx/cdxgen, pinned in
# bench/cdxgen) on the same input, built once by bench/make-sbom-rootfs: a Debian bookworm minbase root
# with python3-requests and python3-yaml (Python packages), umoci and age (Go binaries from Debian
# packages) and an npm project of about 170 packages (bench/sbom-app) in /app.
#
# Measured twice: as a directory (cairn sbom dir:ROOT; cdxgen -t rootfs ROOT) and as an image (cairn sbom
# oci-dir:LAYOUT, oci-archive:TAR and docker-archive:TAR; cdxgen with the docker-archive, a .tar path,
# which it unpacks into a temporary directory). The OCI layer is gzip-compressed; skopeo's
# docker-archive holds it uncompressed, so the docker-archive rows have no decompression to do.
# Both tools run offline: inside a new network namespace (unshare -rn) that has no interface but a
# down loopback, so neither can reach a registry or download a database.
#
# Figures: wall time and peak memory, as ratios cairn / cdxgen, and recall (and precision) per package
# type against ground truth from the package managers themselves: dpkg-query --admindir ROOT/var/lib/dpkg
# -W (installed packages), npm ls --all --json in ROOT/app, the Name/Version of every *.dist-info and
# *.egg-info under ROOT, and `go version -m` of every ELF file (Go version as stdlib, main module and
# dependencies: the lines go/mod/dep; Debian builds in GOPATH mode, so there are no mod lines).
#
# Memory: cdxgen is node plus child processes (trivy for the OS packages). /usr/bin/time's %M (wait4's
# ru_maxrss) is the peak of the single largest process of the tree, not of the tree. So every command
# runs under a small sampler (python3, below) that reads VmRSS of the whole process tree from /proc
# every 50 ms; a tool's peak memory is the larger of ru_maxrss and the largest sampled sum. Sampling can
# miss a short spike, so for cdxgen the figure is a lower bound and the ratio cairn/cdxgen an upper bound
# (unfavourable to cairn). cairn is one process: its ru_maxrss is exact.
#
# Linear growth: cairn on the root with its /usr, /app and /var trees present 1, 2 and 4 times (the extra
# copies under /opt/copy-K, hard links, so they cost no disk); the time per file must not grow (verdict:
# at 4x within 1.25x of 1x), and the cost of each added file is printed for 1x->2x and 2x->4x.
#
# Environment: CAIRN_BIN (default build/cairn), BENCH_RUNS (cairn runs per input, median; default 5),
# CDXGEN_RUNS (cdxgen runs per input, median; default 3: one takes about 30 s), CAIRN_CDXGEN (where
# cdxgen is installed, default build/cdxgen), BENCH_KEEP=1 keeps the SBOMs in build/bench/sbom-out.
# Exit status: 0 measured (the lines say whether the targets hold), 2 a missing tool, 4 no network to
# build the input (Debian mirror, npm registry), 3 any other failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cairn=${CAIRN_BIN:-build/cairn}
runs=${BENCH_RUNS:-5}
cdx_runs=${CDXGEN_RUNS:-3}
cdx_dir=${CAIRN_CDXGEN:-build/cdxgen}
input=build/bench/sbom
outdir=build/bench/sbom-out
scale_dir=build/bench/sbom-scale

die() { echo "sbom_cdxgen: FAILED: $2" >&2; exit "$1"; }
for tool in node npm python3 go jq tar; do
	command -v "$tool" >/dev/null 2>&1 || die 2 "$tool is missing (run scripts/deps)"
done
[ -x "$cairn" ] || die 2 "$cairn is not built (make all, or set CAIRN_BIN)"
cairn=$(cd "$(dirname "$cairn")" && pwd)/$(basename "$cairn")

# Offline for both tools: a fresh network namespace when the kernel allows one to this user.
offline=(unshare -rn)
if ! unshare -rn true 2>/dev/null; then
	offline=()
	echo "sbom_cdxgen: note: unshare -rn is not permitted here; the tools run with the network" >&2
fi

# ---- cdxgen, installed from the pinned lock file (as tests/e2e/sigstore-js/install.sh does) ----
# `npm install` against the lock rather than `npm ci`: cdxgen's safer-exec names optional packages
# for platforms that were never published (darwin-arm64 ...), which npm cannot lock and `npm ci` then
# refuses; `npm install` with a lock installs exactly the locked versions.
install_cdxgen() {
	mkdir -p "$cdx_dir"
	exec 9>"$cdx_dir/.install.lock"
	flock 9
	if ! cmp -s bench/cdxgen/package-lock.json "$cdx_dir/package-lock.json" ||
		[ ! -f "$cdx_dir/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js" ]; then
		cp bench/cdxgen/package.json bench/cdxgen/package-lock.json "$cdx_dir/"
		(cd "$cdx_dir" && npm install --cache "$repo/build/npm-cache" --prefer-offline --no-audit --no-fund \
			--ignore-scripts --loglevel=error) >&2 || die 4 "npm could not install cdxgen (no network?)"
		cmp -s bench/cdxgen/package-lock.json "$cdx_dir/package-lock.json" ||
			die 3 "npm changed the pinned lock file of cdxgen"
	fi
	exec 9>&-
}
install_cdxgen
cdxgen_js=$(cd "$cdx_dir" && pwd)/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js
cdx_version=$(jq -r .version "$cdx_dir/node_modules/@cyclonedx/cdxgen/package.json")

# ---- the input ----
status=0
bench/make-sbom-rootfs "$input" >&2 || status=$?
[ "$status" = 0 ] || die "$status" "the input $input could not be built (exit $status)"
root=$(cd "$input/rootfs" && pwd)
layout=$(cd "$input/oci" && pwd)
oci_tar=$(cd "$input" && pwd)/image.oci.tar
docker_tar=$(cd "$input" && pwd)/image.docker.tar

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d build/bench/sbom-cdxgen.XXXXXX)
work=$(cd "$work" && pwd)
trap 'rm -rf "$work"' EXIT

# ---- ground truth, from the package managers ----
truth="$work/truth"
mkdir -p "$truth"
dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package}\t${Version}\t${db:Status-Status}\n' |
	awk -F'\t' '$3 != "config-files" && $3 != "not-installed" {print $1 "\t" $2}' | LC_ALL=C sort -u >"$truth/deb"
(cd "$root/app" && npm ls --all --json 2>/dev/null) | python3 -c '
import json, sys
out = set()
def walk(n):
    for name, v in n.get("dependencies", {}).items():
        if "version" in v:
            out.add(name + "\t" + v["version"])
        walk(v)
walk(json.load(sys.stdin))
print("\n".join(sorted(out)))
' >"$truth/npm"
python3 - "$root" >"$truth/pypi" <<'EOF'
import os, re, sys
# Every installed distribution's own metadata: .dist-info/METADATA or .egg-info (directory with
# PKG-INFO, or a file), names normalised as PEP 503 does (the pypi purl's rule).
out = set()
for top, dirs, files in os.walk(sys.argv[1]):
    for entry in dirs + files:
        if not entry.endswith((".dist-info", ".egg-info")):
            continue
        p = os.path.join(top, entry)
        meta = p
        if os.path.isdir(p):
            meta = os.path.join(p, "METADATA" if entry.endswith(".dist-info") else "PKG-INFO")
        if not os.path.isfile(meta):
            continue
        fields = {}
        for line in open(meta, encoding="utf-8", errors="replace"):
            if not line.strip():
                break
            k, _, v = line.partition(":")
            fields.setdefault(k.strip(), v.strip())
        if "Name" in fields and "Version" in fields:
            out.add(re.sub(r"[-_.]+", "-", fields["Name"]).lower() + "\t" + fields["Version"])
print("\n".join(sorted(out)))
EOF
find "$root" -type f -size +100k -print0 | while IFS= read -r -d '' f; do
	[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	go version -m "$f" 2>/dev/null | F="${f#"$root"}" python3 -c '
import os, sys
lines = sys.stdin.read().split("\n")
if ": " not in lines[0]:
    sys.exit(0)
f = os.environ["F"]
print(f + "\tstdlib\t" + lines[0].split(": ", 1)[1].split(" ")[0])
for l in lines[1:]:
    t = l.strip("\t").split("\t")
    if t[0] in ("mod", "dep") and len(t) > 2:
        print(f + "\t" + t[1] + "\t" + t[2])
'
done | LC_ALL=C sort -u >"$truth/golang"
for t in deb npm pypi golang; do
	[ -s "$truth/$t" ] || die 3 "no $t packages in the ground truth of $root"
done

# ---- running and measuring ----
# sampler OUT CMD...: runs CMD (stdout and stderr to OUT.log), writes "seconds ru_maxrss_kib
# tree_peak_kib exit cpu_seconds" to OUT (CPU time: user + system of CMD and the children it waited for).
sampler='
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
page = os.sysconf("SC_PAGE_SIZE") // 1024
def tree_rss(root):
    kids, rss = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read()
            with open("/proc/%s/statm" % p) as f:
                rss[int(p)] = int(f.read().split()[1]) * page
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(p))
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(kids.get(p, []))
    return total
log = os.open(out + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(log, 1); os.dup2(log, 2)
    os.execvp(cmd[0], cmd)
peak = 0
while True:
    p, status, ru = os.wait4(pid, os.WNOHANG)
    if p == pid:
        break
    peak = max(peak, tree_rss(pid))
    time.sleep(0.05)
elapsed = time.monotonic() - start
with open(out, "w") as f:
    f.write("%.2f %d %d %d %.2f\n" % (elapsed, ru.ru_maxrss, peak, os.waitstatus_to_exitcode(status),
                                      ru.ru_utime + ru.ru_stime))
'
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
declare -A times mems trees cpus
# measure NAME SBOM_FILE CMD...: one run; figures appended to NAME's lists; fails on a non-zero exit.
measure() {
	local name=$1 sbom=$2 t m tree rc cpu
	shift 2
	rm -f "$sbom"
	python3 -c "$sampler" "$work/$name.run" "$@"
	read -r t m tree rc cpu <"$work/$name.run"
	if [ "$rc" != 0 ] || [ ! -s "$sbom" ]; then
		tail -n 30 "$work/$name.run.log" >&2
		die 3 "$name exited with $rc (output above)"
	fi
	[ "$tree" -gt "$m" ] || tree=$m
	times[$name]+="$t " mems[$name]+="$m " trees[$name]+="$tree " cpus[$name]+="$cpu "
}
med_time() { echo "${times[$1]}" | median; }
med_mem() { echo "${trees[$1]}" | median; }
med_single() { echo "${mems[$1]}" | median; }
med_cpu() { echo "${cpus[$1]}" | median; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }

run_cairn() { # NAME SOURCE
	measure "$1" "$outdir/$1.cdx.json" "${offline[@]}" "$cairn" sbom "$2" -o "cyclonedx-json=$outdir/$1.cdx.json"
}
# cdxgen as documented for an unpacked root (-t rootfs) and an image archive (a .tar path, -t docker);
# no dependency installation (cdxgen turns it off for these types anyway), no schema validation of its
# output (cairn does not validate at run time either), CycloneDX 1.6 as cairn writes. Its temporary
# files (the unpacked archive) go to a scratch directory that is emptied after each run.
run_cdxgen() { # NAME TYPE INPUT
	local tmp="$work/tmp-$1" rc=0
	mkdir -p "$tmp"
	(cd "$tmp" && TMPDIR="$tmp" FETCH_LICENSE=false measure "$1" "$outdir/$1.cdx.json" "${offline[@]}" node \
		"$cdxgen_js" -t "$2" --no-install-deps --no-validate --spec-version 1.6 -o "$outdir/$1.cdx.json" "$3") ||
		rc=$?
	chmod -R u+w "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
	return "$rc"
}
# The subshell above loses the figures; this reads them back from the run file.
collect() {
	local t m tree rc cpu
	read -r t m tree rc cpu <"$work/$1.run"
	[ "$tree" -gt "$m" ] || tree=$m
	times[$1]+="$t " mems[$1]+="$m " trees[$1]+="$tree " cpus[$1]+="$cpu "
}

echo "load before: $(uptime | sed 's/.*load average/load average/')"
echo "input: $root ($(find "$root" | wc -l) entries, $(du -sm "$root" | cut -f1) MiB); ground truth:" \
	"$(wc -l <"$truth/deb") deb, $(wc -l <"$truth/npm") npm, $(wc -l <"$truth/pypi") pypi," \
	"$(wc -l <"$truth/golang") golang (over $(cut -f1 "$truth/golang" | sort -u | wc -l) binaries)"
echo "cairn: $cairn; cdxgen $cdx_version (node $(node --version)); offline: ${offline[*]:-no}"
echo "cairn runs: $runs (median), cdxgen runs: $cdx_runs (median)"

cat "$root"/var/lib/dpkg/status >/dev/null # warm the page cache alike for every tool
for ((i = 0; i < cdx_runs; i++)); do
	run_cdxgen cdxgen_dir rootfs "$root" || exit $?
	collect cdxgen_dir
	run_cdxgen cdxgen_image docker "$docker_tar" || exit $?
	collect cdxgen_image
	echo "  cdxgen round $((i + 1)) done ($(uptime | sed 's/.*load average/load average/'))" >&2
done
for ((i = 0; i < runs; i++)); do
	run_cairn cairn_dir "dir:$root"
	run_cairn cairn_ocidir "oci-dir:$layout"
	run_cairn cairn_ociarchive "oci-archive:$oci_tar"
	run_cairn cairn_dockerarchive "docker-archive:$docker_tar"
done

# ---- recall and precision per package type ----
score() { # NAME: per type "expected found matched recall precision", then the misses
	python3 - "$outdir/$1.cdx.json" "$truth" <<'EOF'
import json, re, sys, urllib.parse
bom, truth = sys.argv[1], sys.argv[2]
want = {t: set(l for l in open("%s/%s" % (truth, t)).read().split("\n") if l) for t in ("deb", "npm", "pypi", "golang")}
got = {t: set() for t in want}
go_any = set()  # Go components without a file location: they count for every binary that has them
def location(c):
    for p in c.get("properties", []):
        if p.get("name") in ("cairn:location:path", "SrcFile"):
            return p.get("value")
    for o in c.get("evidence", {}).get("occurrences", []):
        return o.get("location")
    return None
for c in json.load(open(bom)).get("components", []):
    purl = c.get("purl", "")
    m = re.match(r"pkg:([^/]+)/([^@?#]+)(?:@([^?#]*))?(?:\?([^#]*))?", purl)
    if not m:
        continue
    ptype, path, version, quals = m.group(1), m.group(2), urllib.parse.unquote(m.group(3) or ""), m.group(4) or ""
    q = dict(kv.split("=", 1) for kv in quals.split("&") if "=" in kv)
    parts = [urllib.parse.unquote(x) for x in path.split("/")]
    if ptype == "deb":
        # the epoch may be a qualifier (purl-spec) or part of the version
        if "epoch" in q and ":" not in version:
            version = q["epoch"] + ":" + version
        got["deb"].add(parts[-1] + "\t" + version)
    elif ptype == "npm":
        got["npm"].add("/".join(parts) + "\t" + version)
    elif ptype == "pypi":
        got["pypi"].add(re.sub(r"[-_.]+", "-", parts[-1]).lower() + "\t" + version)
    elif ptype == "golang":
        mod = "/".join(parts)
        if mod == "stdlib":
            version = "go" + version.lstrip("go") if version else version
        loc = location(c)
        if loc:
            got["golang"].add(loc + "\t" + mod + "\t" + version)
        else:
            go_any.add(mod + "\t" + version)
for w in want["golang"]:
    if w.split("\t", 1)[1] in go_any:
        got["golang"].add(w)
got["golang"] |= {"?\t" + g for g in go_any if not any(w.endswith("\t" + g) for w in want["golang"])}
for t in want:
    tp = len(want[t] & got[t])
    print(t, len(want[t]), len(got[t]), tp, "%.1f" % (100.0 * tp / len(want[t])),
          "%.1f" % (100.0 * tp / len(got[t])) if got[t] else "-")
for t in want:
    for m in sorted(want[t] - got[t]):
        print("miss", t, m.replace("\t", " "))
    for m in sorted(got[t] - want[t]):
        print("extra", t, m.replace("\t", " "))
EOF
}

echo
printf '%-34s %9s %9s %13s %13s\n' "" "wall time" "CPU time" "peak memory" "(largest process)"
row() { printf '%-34s %7s s %7s s %9s KiB %13s KiB\n' "$1" "$(med_time "$2")" "$(med_cpu "$2")" "$(med_mem "$2")" "$(med_single "$2")"; }
row "cairn sbom dir:ROOT" cairn_dir
row "cdxgen -t rootfs ROOT" cdxgen_dir
row "cairn sbom oci-dir:LAYOUT" cairn_ocidir
row "cairn sbom oci-archive:TAR" cairn_ociarchive
row "cairn sbom docker-archive:TAR" cairn_dockerarchive
row "cdxgen -t docker DOCKER-ARCHIVE.tar" cdxgen_image
printf '%-34s %9s %9s %13s\n' "ratio cairn / cdxgen" "time" "CPU" "memory"
ratio_row() {
	printf '%-34s %9s %9s %13s\n' "$1" "$(ratio "$(med_time "$2")" "$(med_time "$3")")" \
		"$(ratio "$(med_cpu "$2")" "$(med_cpu "$3")")" "$(ratio "$(med_mem "$2")" "$(med_mem "$3")")"
}
ratio_row "directory" cairn_dir cdxgen_dir
ratio_row "image (oci-dir vs docker archive)" cairn_ocidir cdxgen_image
ratio_row "image (docker archive, both)" cairn_dockerarchive cdxgen_image

echo
printf '%-22s %-7s %8s %6s %8s %7s %9s\n' "recall" type expected found matched recall precision
declare -A complete
for name in cairn_dir cdxgen_dir cairn_ocidir cairn_dockerarchive cdxgen_image; do
	score "$name" >"$work/$name.score"
	complete[$name]=yes
	while read -r t exp found tp rec prec; do
		printf '%-22s %-7s %8s %6s %8s %6s%% %8s%%\n' "$name" "$t" "$exp" "$found" "$tp" "$rec" "$prec"
		[ "$tp" = "$exp" ] || complete[$name]=no
	done < <(grep -v '^miss\|^extra' "$work/$name.score")
done
for name in cairn_dir cairn_ocidir cairn_dockerarchive; do
	if grep -q '^miss\|^extra' "$work/$name.score"; then
		echo "$name misses and extras (first 20):"
		grep '^miss\|^extra' "$work/$name.score" | head -n 20 | sed 's/^/  /'
	fi
done
for name in cdxgen_dir cdxgen_image; do
	echo "$name: $(grep -c '^miss' "$work/$name.score" || true) missed, $(grep -c '^extra' "$work/$name.score" || true) extra" \
		"(by type: $(grep '^miss' "$work/$name.score" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s %s ", $1, $2}'))"
done
same=$(cmp -s <(grep -v '^miss\|^extra' "$work/cairn_dir.score") <(grep -v '^miss\|^extra' "$work/cairn_ocidir.score") && echo yes || echo no)
echo "cairn: the same counts from the directory and the image: $same"

# ---- linear growth ----
# ROOT plus K-1 copies of its /usr, /app and /var trees under /opt/copy-K (hard links).
echo
rm -rf "$scale_dir"
mkdir -p "$scale_dir"
printf '%-8s %9s %9s %9s %9s %12s %9s\n' growth files packages "time s" "CPU s" "us/file" "RSS KiB"
base_per_file=""
declare -a scale_files scale_time
for n in 1 2 4; do
	d="$scale_dir/x$n"
	cp -al "$root" "$d"
	for ((k = 2; k <= n; k++)); do
		mkdir -p "$d/opt/copy-$k"
		cp -al "$root/usr" "$root/app" "$root/var" "$d/opt/copy-$k/"
	done
	files=$(find "$d" -type f | wc -l)
	for ((i = 0; i < runs; i++)); do
		run_cairn "cairn_x$n" "dir:$d"
	done
	pkgs=$(jq '.components | length' "$outdir/cairn_x$n.cdx.json")
	t=$(med_time "cairn_x$n")
	per_file=$(echo "scale=2; $t * 1000000 / $files" | bc -l | sed 's/^\./0./')
	[ -n "$base_per_file" ] || base_per_file=$per_file
	printf '%-8s %9s %9s %9s %9s %12s %9s\n' "${n}x" "$files" "$pkgs" "$t" "$(med_cpu "cairn_x$n")" "$per_file" "$(med_mem "cairn_x$n")"
	last_per_file=$per_file
	scale_files[n]=$files scale_time[n]=$t
done
# The cost of each added file (the fixed start-up cost, reading os-release and the dpkg database, drops
# out): from 1x to 2x and from 2x to 4x; linear growth keeps these two alike.
marginal() { echo "scale=2; (${scale_time[$2]} - ${scale_time[$1]}) * 1000000 / (${scale_files[$2]} - ${scale_files[$1]})" | bc -l | sed 's/^\./0./;s/^-\./-0./'; }
echo "growth: each added file cost $(marginal 1 2) us from 1x to 2x and $(marginal 2 4) us from 2x to 4x"
chmod -R u+w "$scale_dir" 2>/dev/null || true
rm -rf "$scale_dir"
growth=$(ratio "$last_per_file" "$base_per_file")
echo "growth: time per file at 4x is ${growth}x that at 1x"

# ---- targets (issue 4) ----
verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo "met"; else echo "MISSED"; fi; }
t=$(med_time cairn_dir) m=$(med_mem cairn_dir)
echo
c=$(med_cpu cairn_dir)
echo "target: directory under 0.5 s: $(verdict "$t < 0.5") ($t s wall clock; CPU time $c s: $(verdict "$c < 0.5"))"
echo "target: directory under 40 MB: $(verdict "$m * 1024 < 40000000") ($((m / 1024)) MiB, $((m * 1024 / 1000000)) MB)"
echo "target: complete recall (deb, npm, pypi, golang) from the directory: $([ "${complete[cairn_dir]}" = yes ] && echo met || echo MISSED)," \
	"from the image: $([ "${complete[cairn_ocidir]}" = yes ] && echo met || echo MISSED)"
echo "target: time growing linearly with the file count (per-file time at 4x within 1.25x of 1x): $(verdict "$growth <= 1.25")"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$outdir"
