#!/usr/bin/env bash
# Benchmarks `aicert hash` against openssl, sha256sum and Python's hashlib with 4 KB reads, on
# (a) one large file, (b) eight medium files and (c) many small files in nested directories.
# Prints wall time, throughput and peak resident memory for each, then the ratios the targets
# are stated in. See Benchmarks/README.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
usage: Benchmarks/hash-benchmark.sh [--small] [--runs N] [--dir DIR] [--scratch-path DIR] [--keep]

  --small             sizes scaled down 10x (200 MB, 8 x 25.6 MB, 10,000 files) for a quick run
  --runs N            timed runs per tool and case, after one untimed warm-up (default 3);
                      the median is reported
  --dir DIR           where to generate the file sets (default: a new directory under $TMPDIR)
  --scratch-path DIR  build directory for `swift build` (default: .build)
  --keep              keep the generated files
USAGE
}

scale=1
runs=3
scratch_path=".build"
parse_options "--small:scale=10 --runs:runs" "$@"

package_root="$(cd "$(dirname "$0")/.." && pwd)"
require_tools "GNU time is the Debian package 'time'" openssl sha256sum python3 /usr/bin/time

echo "== building aicert (release)"
(cd "$package_root" && swift build -c release --product aicert --scratch-path "$scratch_path" >/dev/null)
aicert="$(cd "$package_root" && swift build -c release --scratch-path "$scratch_path" --show-bin-path)/aicert"

if [ -z "$work_dir" ]; then work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aicert-hash-benchmark.XXXXXX")"; fi
mkdir -p "$work_dir"
if [ "$keep" = 0 ]; then trap 'rm -rf "$work_dir"' EXIT; fi

large_bytes=$((2000000000 / scale))
medium_bytes=$((256000000 / scale))
small_count=$((100000 / scale))

echo "== generating file sets in $work_dir"
mkdir -p "$work_dir/a" "$work_dir/b" "$work_dir/c"
head -c "$large_bytes" /dev/urandom > "$work_dir/a/large.bin"
for i in 0 1 2 3 4 5 6 7; do head -c "$medium_bytes" /dev/urandom > "$work_dir/b/shard-$i.bin"; done
python3 - "$work_dir/c" "$small_count" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
random = os.urandom(count * 1024)
for i in range(count):
    directory = os.path.join(root, f"d{i // 10000:02d}", f"e{i // 100 % 100:02d}")
    if i % 100 == 0:
        os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"f{i:06d}.bin"), "wb") as f:
        f.write(random[i * 1024:(i + 1) * 1024])
PY
sync

# Python's hashlib reading 4 KB at a time, file by file, as the original AICert did.
cat > "$work_dir/hashlib4k.py" <<'PY'
import hashlib, os, sys
def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4096):
            h.update(chunk)
    return h.hexdigest()
for root in sys.argv[1:]:
    paths = [root] if os.path.isfile(root) else sorted(
        os.path.join(d, n) for d, _, names in os.walk(root) for n in names)
    for path in paths:
        print(digest(path), path)
PY

bytes_of() { du -sb --apparent-size "$1" | cut -f1; }

# run NAME COMMAND: one warm-up, then $runs timed runs; records the median wall time and the
# largest peak RSS of the runs. Times are taken with `date` (GNU time prints only 10 ms steps).
declare -A wall rss
run() {
    local name="$1" command="$2" times=() peak=0 i start end kilobytes
    sh -c "$command" >/dev/null
    # The first read of a new file updates its access time; flush those inode writes now, so that
    # background writeback does not compete with the timed runs.
    sync
    for ((i = 0; i < runs; i++)); do
        start="$(date +%s%N)"
        /usr/bin/time -f "%M" -o "$work_dir/time.out" sh -c "$command" >/dev/null
        end="$(date +%s%N)"
        times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')")
        kilobytes="$(tail -n 1 "$work_dir/time.out")"
        if [ "$kilobytes" -gt "$peak" ]; then peak="$kilobytes"; fi
    done
    wall[$name]="$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
    rss[$name]="$peak"
}

report() {
    local case="$1" bytes="$2"; shift 2
    local name
    for name in "$@"; do
        awk -v c="$case" -v n="$name" -v w="${wall[$case/$name]}" -v r="${rss[$case/$name]}" -v b="$bytes" \
            'BEGIN { printf "%-4s %-26s %9.3f s %10.0f MB/s %9.1f MB\n", c, n, w, (w > 0 ? b / w / 1e6 : 0), r / 1024 }'
    done
}

cd "$work_dir"
echo "== timing ($runs runs each after a warm-up, median wall time; files are in the page cache)"
printf '%-4s %-26s %11s %15s %12s\n' case tool "wall" throughput "peak RSS"

run "a/aicert" "'$aicert' hash a/large.bin"
run "a/openssl" "openssl dgst -sha256 a/large.bin"
run "a/sha256sum" "sha256sum a/large.bin"
run "a/python-hashlib-4k" "python3 hashlib4k.py a/large.bin"
report a "$(bytes_of a)" aicert openssl sha256sum python-hashlib-4k

run "b/aicert" "'$aicert' hash b"
run "b/openssl-sequential" "for f in b/*.bin; do openssl dgst -sha256 \"\$f\"; done"
run "b/sha256sum" "sha256sum b/*.bin"
run "b/python-hashlib-4k" "python3 hashlib4k.py b"
report b "$(bytes_of b)" aicert openssl-sequential sha256sum python-hashlib-4k

run "c/aicert" "'$aicert' hash c"
run "c/openssl-xargs" "find c -type f -print0 | xargs -0 openssl dgst -sha256"
run "c/find-xargs-sha256sum" "find c -type f -print0 | xargs -0 sha256sum"
run "c/python-hashlib-4k" "python3 hashlib4k.py c"
report c "$(find c -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')" \
    aicert openssl-xargs find-xargs-sha256sum python-hashlib-4k

echo "== ratios (target in brackets)"
ratio() {
    local label="$1" numerator="$2" denominator="$3" target="$4"
    awk -v l="$label" -v n="${wall[$numerator]}" -v d="${wall[$denominator]}" -v t="$target" 'BEGIN {
        r = n / d
        printf "%-48s %5.2f  [<= %.1f]  %s\n", l, r, t, (r <= t ? "met" : "NOT met")
    }'
}
ratio "(a) aicert / openssl dgst" a/aicert a/openssl 1.0
ratio "(b) aicert / sequential openssl dgst" b/aicert b/openssl-sequential 0.6
ratio "(c) aicert / find | xargs sha256sum" c/aicert c/find-xargs-sha256sum 0.5
for case in a b c; do
    awk -v c="$case" -v n="${wall[$case/aicert]}" -v d="${wall[$case/python-hashlib-4k]}" \
        'BEGIN { printf "%-48s %5.2f  (no target)\n", "(" c ") aicert / python hashlib 4 KB reads", n / d }'
done
for case in a b c; do
    awk -v c="$case" -v r="${rss[$case/aicert]}" 'BEGIN {
        printf "%-48s %5.1f MB  [< 64 MB]  %s\n", "(" c ") aicert peak RSS", r / 1024, (r < 65536 ? "met" : "NOT met")
    }'
done
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
    "sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
