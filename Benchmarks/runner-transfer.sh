#!/usr/bin/env bash
# Benchmarks the runner's data path: uploads one large input through `PUT /v1/build/inputs`,
# runs a job that copies it to the outputs, downloads it through `GET /v1/build/outputs/…`,
# and prints both throughputs next to `sha256sum` on the same file, with the runner's peak
# resident memory (VmHWM). Uses the release `aicert-runner`, swtpm, tpm2-tools and curl.
# Targets (issue 5): each transfer within 2x the time of `sha256sum`, peak RSS under 100 MB.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
usage: Benchmarks/runner-transfer.sh [--small] [--size BYTES] [--dir DIR] [--scratch-path DIR] [--keep]

  --small             100 MB instead of 1 GB, for a quick run
  --size BYTES        any other size
  --dir DIR           where to put the files (default: a new directory under $TMPDIR)
  --scratch-path DIR  build directory for `swift build` (default: .build-runner)
  --keep              keep the files
USAGE
}

size=1000000000
scratch_path=".build-runner"
parse_options "--small:size=100000000 --size:size" "$@"

package_root="$(cd "$(dirname "$0")/.." && pwd)"
require_tools "scripts/install-deps" \
    swtpm tpm2_createprimary tpm2_evictcontrol tpm2_nvdefine tpm2_nvwrite openssl curl sha256sum python3 bwrap

echo "== building aicert-runner (release)"
if ! output="$(cd "$package_root" && swift build -c release --product aicert-runner --scratch-path "$scratch_path" 2>&1)"; then
    echo "$output" >&2
    exit 1
fi
runner="$(cd "$package_root" && swift build -c release --scratch-path "$scratch_path" --show-bin-path)/aicert-runner"

if [ -z "$work_dir" ]; then work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aicert-runner-benchmark.XXXXXX")"; fi
mkdir -p "$work_dir"
swtpm_pid=""
runner_pid=""
cleanup() {
    if [ -n "$runner_pid" ]; then kill "$runner_pid" 2>/dev/null || true; wait "$runner_pid" 2>/dev/null || true; fi
    if [ -n "$swtpm_pid" ]; then kill "$swtpm_pid" 2>/dev/null || true; wait "$swtpm_pid" 2>/dev/null || true; fi
    if [ "$keep" = 0 ]; then rm -rf "$work_dir"; fi
}
trap cleanup EXIT
cd "$work_dir"

free_port() {
    python3 -c 'import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p + 1)); t.close(); print(p); break
    except OSError:
        t.close()'
}

echo "== starting swtpm with an AK at 0x81000003 and a placeholder AK certificate at NV 0x01C101D0"
mkdir -p tpm
tpm_port="$(free_port)"
swtpm socket --tpm2 --tpmstate dir="$work_dir/tpm" --flags not-need-init,startup-clear \
    --server type=tcp,port="$tpm_port",bindaddr=127.0.0.1 --ctrl type=tcp,port="$((tpm_port + 1))",bindaddr=127.0.0.1 &
swtpm_pid=$!
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$tpm_port"
for _ in $(seq 50); do tpm2_getrandom 1 >/dev/null 2>&1 && break; sleep 0.1; done
tpm2_createprimary -Q -C e -g sha256 -G rsa2048:rsassa-sha256:null -c ak.ctx \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign'
tpm2_evictcontrol -Q -C o -c ak.ctx 0x81000003 >/dev/null
# The benchmark issues no certificate, so the AK certificate need not certify the AK.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=benchmark -days 1 \
    -keyout ak-cert-key.pem -outform DER -out ak-cert.der 2>/dev/null
tpm2_nvdefine -Q 0x01C101D0 -C o -s "$(stat -c %s ak-cert.der)" -a 'ownerwrite|ownerread|authread|no_da'
tpm2_nvwrite -Q 0x01C101D0 -C o -i ak-cert.der
unset TPM2TOOLS_TCTI

echo "== generating a $size-byte input"
head -c "$size" /dev/urandom > input.bin
python3 -c 'import secrets; print(secrets.token_hex(32))' > token
chmod 600 token
token="$(cat token)"

echo "== starting aicert-runner"
"$runner" serve --tcti "swtpm:host=127.0.0.1,port=$tpm_port" --workspace "$work_dir/workspace" \
    --listen 127.0.0.1:0 --token-file "$work_dir/token" > runner.out 2> runner.err &
runner_pid=$!
port=""
for _ in $(seq 100); do
    port="$(sed -n 's/^aicert-runner listening on 127.0.0.1:\([0-9]*\)$/\1/p' runner.out)"
    [ -n "$port" ] && break
    kill -0 "$runner_pid" 2>/dev/null || { cat runner.out runner.err >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "the runner did not start" >&2; cat runner.out runner.err >&2; exit 1; }
base="http://127.0.0.1:$port"
api() { curl -sS --fail-with-body -H "Authorization: Bearer $token" "$@"; }
peak_rss() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$runner_pid/status"; }
now() { date +%s%N; }
seconds() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'; }
rate() { awk -v b="$size" -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }

api -X POST "$base/v1/build" -H 'Content-Type: application/json' -d '{
    "command": ["/bin/cp", "/aicert/inputs/data", "/aicert/outputs/model.bin"],
    "inputs": [{"name": "data", "kind": "upload", "source": "input.bin"}],
    "outputs": ["model.bin"], "timeout_seconds": 3600}' >/dev/null
idle_rss="$(peak_rss)"

# Every tool reads the input from the page cache: warm it first.
cat input.bin > /dev/null
start="$(now)"
expected="$(sha256sum input.bin | cut -d' ' -f1)"
end="$(now)"
hash_time="$(seconds "$start" "$end")"

start="$(now)"
# No 'Expect: 100-continue': curl would wait a second for an interim answer.
uploaded="$(api -X PUT "$base/v1/build/inputs/data" -H 'Content-Type: application/octet-stream' -H 'Expect:' -T input.bin)"
end="$(now)"
upload_time="$(seconds "$start" "$end")"
upload_rss="$(peak_rss)"
# The upload answers the input's manifest digest: one file entry named after the input.
manifest_digest="$(printf '{"entries":[{"path":"data","sha256":"%s","size":%s,"type":"file"}],"version":1}' "$expected" "$size" \
    | sha256sum | cut -d' ' -f1)"
case "$uploaded" in *"$manifest_digest"*) ;; *) echo "the runner measured another digest: $uploaded" >&2; exit 1 ;; esac

api -X POST "$base/v1/build/start" >/dev/null
for _ in $(seq 3600); do
    state="$(api "$base/v1/build" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
    case "$state" in finished) break ;; failed) api "$base/v1/build" >&2; exit 1 ;; esac
    sleep 0.2
done
[ "$state" = finished ] || { echo "the build did not finish" >&2; exit 1; }
after_job_rss="$(peak_rss)"

start="$(now)"
api -o output.bin "$base/v1/build/outputs/model.bin"
end="$(now)"
download_time="$(seconds "$start" "$end")"
download_rss="$(peak_rss)"
[ "$(sha256sum output.bin | cut -d' ' -f1)" = "$expected" ] || { echo "the download differs from the input" >&2; exit 1; }

echo "== results ($size bytes, files in the page cache, loopback HTTP)"
printf '%-44s %8s s %8s MB/s\n' "sha256sum input" "$hash_time" "$(rate "$hash_time")"
printf '%-44s %8s s %8s MB/s\n' "upload (PUT, streamed, hashed, written)" "$upload_time" "$(rate "$upload_time")"
printf '%-44s %8s s %8s MB/s\n' "download (GET, streamed)" "$download_time" "$(rate "$download_time")"
awk -v u="$upload_time" -v d="$download_time" -v h="$hash_time" 'BEGIN {
    printf "%-44s %8.2f  [<= 2.0]  %s\n", "upload time / sha256sum time", u / h, (u / h <= 2 ? "met" : "NOT met")
    printf "%-44s %8.2f  [<= 2.0]  %s\n", "download time / sha256sum time", d / h, (d / h <= 2 ? "met" : "NOT met")
}'
printf '%-44s %8s MB (idle %s, after upload %s, after the job %s)\n' "runner peak RSS (VmHWM)" "$download_rss" \
    "$idle_rss" "$upload_rss" "$after_job_rss"
awk -v r="$download_rss" 'BEGIN { printf "%-44s %8s  [< 100 MB]  %s\n", "runner peak RSS", r, (r < 100 ? "met" : "NOT met") }'
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
    "sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
