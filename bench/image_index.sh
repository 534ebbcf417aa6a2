#!/bin/bash
# Image indexing: `cairn image ls` of a Debian bookworm minbase image (an OCI layout with one gzip layer,
# built once by bench/make-minbase-image) against unpacking the same layer with `umoci raw unpack`,
# `umoci unpack --rootless` and `tar -xzf`, and against just decompressing it (`gzip -dc`, the floor; and
# zlib's inflate alone through python3, a stricter one).
# Wall time, peak RSS and CPU time (user + system) come from /usr/bin/time; each figure is the median of
# BENCH_RUNS runs (default 5). Targets (issue 3): cairn no slower than the decompression itself, peak
# memory under 64 MiB.
# A second, bigger image (minbase plus build-essential, python3 and the boost headers, about 3x the
# files) checks that time grows linearly with the number of files.
#
# Environment: BUILD (build directory of the release cairn, default build), BENCH_RUNS.
# Exit status: 0 when measured (whether or not the targets hold; the lines say), non-zero when the
# image could not be built (4: the Debian mirror is unreachable) or a command failed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
build_dir=${BUILD:-build}
cairn="$build_dir/cairn"
image=build/bench/minbase
image_big=build/bench/minbase-dev
big_packages=build-essential,python3,libboost-dev

mkdir -p build/bench
timing=build/bench/image_index.time errors=build/bench/image_index.err scratch=""
trap 'rm -rf "$timing" "$errors" ${scratch:+"$scratch"}' EXIT
make --no-print-directory BUILD="$build_dir" all >"$errors" 2>&1 || {
	cat "$errors" >&2
	echo "image_index: FAILED: building $cairn failed" >&2
	exit 3
}
for tool in umoci gzip tar jq python3 bc /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || { echo "image_index: $tool is missing (run scripts/deps)" >&2; exit 2; }
done

build_image() {
	local status=0
	bench/make-minbase-image "$@" || status=$?
	if [ "$status" = 4 ]; then
		echo "image_index: FAILED: the Debian mirror cannot be reached (no network?)," \
			"so the test image $1 could not be built" >&2
		exit 4
	elif [ "$status" != 0 ]; then
		echo "image_index: FAILED: building the test image $1 failed (exit $status)" >&2
		exit "$status"
	fi
}
build_image "$image" >&2
build_image "$image_big" "$big_packages" >&2

# The layer blobs of the layout's single image, in order.
layers() {
	local manifest
	manifest=$(jq -r '.manifests[0].digest' "$1/index.json")
	jq -r '.layers[].digest' "$1/blobs/${manifest/://}" | sed "s|^sha256:|$1/blobs/sha256/|"
}

# The zlib floor: inflate with zlib itself (what libarchive uses), output counted and dropped. gzip(1)
# has its own, slower inflate, so both are shown.
zlib_inflate='
import sys, zlib
total = 0
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        d = zlib.decompressobj(31)
        while chunk := f.read(1 << 20):
            while chunk:
                total += len(d.decompress(chunk))
                chunk = b""
                if d.eof:  # a further gzip member may follow
                    chunk, d = d.unused_data, zlib.decompressobj(31)
print(total)
'

# Each command is run once per round and the rounds repeat $runs times, so that a burst of load from
# others on the machine hits every command alike; each figure is then the median over the rounds.
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
declare -A times mems cpus
timed() { /usr/bin/time -o "$timing" -f '%e %M %U %S' "$@" >/dev/null 2>"$errors"; }
clean_scratch() { rm -rf "$scratch"; mkdir -p "$scratch"; }
# shellcheck disable=SC2016 # the inner shells expand $1 and $l
run_one() {
	local status=0 t m u k
	case $1 in
	cairn) timed "$cairn" image ls "oci-dir:$image" || status=$? ;;
	cairn_big) timed "$cairn" image ls "oci-dir:$image_big" || status=$? ;;
	zlib) timed python3 -c "$zlib_inflate" "${blobs[@]}" || status=$? ;;
	gzip) timed sh -c 'for l; do gzip -dc "$l"; done >/dev/null' sh "${blobs[@]}" || status=$? ;;
	tar)
		clean_scratch
		timed sh -c 'd=$1; shift; for l; do tar -xzf "$l" -C "$d" || exit 1; done' sh "$scratch" "${blobs[@]}" ||
			status=$?
		;;
	umoci_raw)
		clean_scratch
		timed umoci raw unpack --rootless --image "$image:bookworm" "$scratch/rootfs" || status=$?
		;;
	umoci)
		clean_scratch
		timed umoci unpack --rootless --image "$image:bookworm" "$scratch/bundle" || status=$?
		;;
	esac
	if [ "$status" != 0 ]; then
		cat "$errors" >&2
		echo "image_index: FAILED: the $1 run did not succeed (exit $status)" >&2
		exit 3
	fi
	read -r t m u k <"$timing"
	times[$1]+="$t " mems[$1]+="$m " cpus[$1]+="$(echo "$u + $k" | bc -l) "
}
med_time() { echo "${times[$1]}" | median; }
med_mem() { echo "${mems[$1]}" | median; }
med_cpu() { echo "${cpus[$1]}" | median | sed 's/^\./0./'; }
ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }
row() { printf '%-34s %8s s %9s KiB %8s s\n' "$1" "$(med_time "$2")" "$(med_mem "$2")" "$(med_cpu "$2")"; }
ratio_row() {
	printf '%-34s %8s   %9s     %8s\n' "cairn / $1" "$(ratio "$cairn_time" "$(med_time "$2")")" \
		"$(ratio "$cairn_mem" "$(med_mem "$2")")" "$(ratio "$(med_cpu cairn)" "$(med_cpu "$2")")"
}

mapfile -t blobs < <(layers "$image")
mapfile -t big_blobs < <(layers "$image_big")
entries=$("$cairn" image ls "oci-dir:$image" | wc -l)
big_entries=$("$cairn" image ls "oci-dir:$image_big" | wc -l)
layer_bytes=$(cat "${blobs[@]}" | wc -c)
raw_bytes=$(cat "${blobs[@]}" | gzip -dc | wc -c)
big_raw_bytes=$(cat "${big_blobs[@]}" | gzip -dc | wc -c) # this also warms the page cache for all alike
[ "$(python3 -c "$zlib_inflate" "${blobs[@]}")" = "$raw_bytes" ] ||
	{ echo "image_index: FAILED: the zlib floor does not inflate the layers to their size" >&2; exit 3; }

# The peers unpack into tmpfs when there is room, so that no disk (and no writeback of the previous
# run's files) is timed: the best case for them, which makes cairn's ratios conservative.
if [ -d /dev/shm ] && [ -w /dev/shm ] &&
	[ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt $((3 * raw_bytes / 1024)) ]; then
	scratch=$(mktemp -d /dev/shm/cairn-bench.XXXXXX)
	scratch_kind="tmpfs"
else
	scratch=$(mktemp -d build/bench/unpack.XXXXXX)
	scratch_kind="disk"
fi

echo "load before: $(uptime | sed 's/.*load average/load average/')"
echo "image: $image, ${#blobs[@]} layer(s), $entries entries, $layer_bytes bytes gzip, $raw_bytes bytes tar;" \
	"median of $runs runs;" \
	"unpacking into $scratch ($scratch_kind)"
for ((round = 0; round < runs; round++)); do
	for name in cairn zlib gzip tar umoci_raw umoci cairn_big; do
		run_one "$name"
	done
done
cairn_time=$(med_time cairn) cairn_mem=$(med_mem cairn)
gzip_time=$(med_time gzip) zlib_time=$(med_time zlib)

printf '%-34s %10s %13s %10s\n' "" "wall time" "peak RSS" "CPU time"
row "cairn image ls" cairn
row "zlib inflate only (python3)" zlib
row "gzip -dc (decompression only)" gzip
row "tar -xzf" tar
row "umoci raw unpack --rootless" umoci_raw
row "umoci unpack --rootless" umoci
printf '%-34s %8s   %9s     %8s\n' "ratio" "time" "memory" "CPU"
ratio_row "zlib inflate" zlib
ratio_row "gzip -dc" gzip
ratio_row "tar -xzf" tar
ratio_row "umoci raw unpack" umoci_raw
ratio_row "umoci unpack" umoci

verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo "holds"; else echo "MISSED"; fi; }
echo "target: no slower than the decompression itself (gzip -dc): $(verdict "$cairn_time <= $gzip_time")" \
	"($cairn_time s vs $gzip_time s)"
echo "        and than zlib's inflate alone: $(verdict "$cairn_time <= $zlib_time")" \
	"($cairn_time s vs $zlib_time s)"
echo "target: peak memory under 64 MiB: $(verdict "$cairn_mem < 65536")" \
	"($((cairn_mem / 1024)) MiB)"

# Linear growth (the cairn_big runs): time per entry and per MiB of tar on the bigger image against the
# small one. Most of the time goes to decompressing, so time should follow the bytes; a per-entry cost
# well above the small image's would mean something that grows faster than the tree.
big_time=$(med_time cairn_big) big_mem=$(med_mem cairn_big)
per_entry() { echo "scale=1; $1 * 1000000 / $2" | bc -l | sed 's/^\./0./'; }
per_mib() { echo "scale=1; $1 * 1000 * 1048576 / $2" | bc -l | sed 's/^\./0./'; }
growth_row() { printf '%-24s %8s %10s %8s %11s %12s %9s\n' "$@"; }
growth_row growth entries "tar MiB" "time s" "us/entry" "ms/tar MiB" "RSS KiB"
growth_row "$image" "$entries" "$((raw_bytes / 1048576))" "$cairn_time" \
	"$(per_entry "$cairn_time" "$entries")" "$(per_mib "$cairn_time" "$raw_bytes")" "$cairn_mem"
growth_row "$image_big" "$big_entries" "$((big_raw_bytes / 1048576))" "$big_time" \
	"$(per_entry "$big_time" "$big_entries")" "$(per_mib "$big_time" "$big_raw_bytes")" "$big_mem"
echo "growth: $(ratio "$big_entries" "$entries")x the entries took $(ratio "$big_time" "$cairn_time")x the time" \
	"and $(ratio "$big_mem" "$cairn_mem")x the memory"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
