#!/usr/bin/env bash
# Benchmarks the runner's data path: uploads one large input through `PUT /v1/build/inputs`,
# runs a job that copies it to the outputs, downloads it through `GET /v1/build/outputs/…`,
# and prints both throughputs next to `sha256sum` on the same file, with the runner's peak
# resident memory (VmHWM). Uses the release `aicert-runner`, swtpm, tpm2-tools and curl.
# Targets (issue 5): each transfer within 2x the time of `sha256sum`, peak RSS under 100 MB.
# It runs over the attested TLS channel (curl pinning the runner's key) and over plain HTTP
# (--plain-http-for-tests) for the ratio (target: TLS within 1.3x), and once more over TLS with
# the upload cut at half its bytes and resumed at the offset the runner kept.
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
. "$package_root/scripts/live-runner.sh"
cleanup() {
    live_runner_stop
    if [ "$keep" = 0 ]; then rm -rf "$work_dir"; fi
}
trap cleanup EXIT
cd "$work_dir"

echo "== generating a $size-byte input"
head -c "$size" /dev/urandom > input.bin
peak_rss() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$runner_pid/status"; }
now() { date +%s%N; }
seconds() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'; }
rate() { awk -v b="$size" -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }

# Every tool reads the input from the page cache: warm it first.
cat input.bin > /dev/null
start="$(now)"
expected="$(sha256sum input.bin | cut -d' ' -f1)"
end="$(now)"
hash_time="$(seconds "$start" "$end")"
# The upload answers the input's manifest digest: one file entry named after the input.
manifest_digest="$(printf '{"entries":[{"path":"data","sha256":"%s","size":%s,"type":"file"}],"version":1}' "$expected" "$size" \
    | sha256sum | cut -d' ' -f1)"

# One build on a fresh runner served over TRANSPORT (tls: the attested channel, with curl
# pinning the runner's key as the aicert client does; plain: --plain-http-for-tests);
# sets upload_time, download_time and the RSS figures, prefixed with TRANSPORT.
transfer() {
    local transport=$1 mode=${2:-whole} pin=()
    echo "== $transport: starting swtpm with an AK at 0x81000003 and a placeholder AK certificate, and aicert-runner"
    live_runner_start "$runner" "$work_dir/live-$transport-$mode" "$transport"
    runner_pid=$live_runner_process
    local token=$live_runner_token base=$live_runner_base
    if [ "$transport" = tls ]; then
        # The runner's key, as its first connection presented it, pinned for every later request
        # (curl checks a pinned key even with -k, which only skips the name and chain checks).
        local spki
        spki="$(timeout 10 openssl s_client -connect "127.0.0.1:$live_runner_port" -tls1_3 </dev/null 2>/dev/null \
            | openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
        pin=(-k --pinnedpubkey "sha256//$spki")
    fi
    api() { curl -sS --fail-with-body "${pin[@]}" -H "Authorization: Bearer $token" "$@"; }
    api -X POST "$base/v1/build" -H 'Content-Type: application/json' -d '{
        "command": ["/bin/cp", "/aicert/inputs/data", "/aicert/outputs/model.bin"],
        "inputs": [{"name": "data", "kind": "upload", "source": "input.bin"}],
        "outputs": ["model.bin"], "timeout_seconds": 3600}' >/dev/null
    local idle_rss start end uploaded state
    idle_rss="$(peak_rss)"
    start="$(now)"
    if [ "$mode" = resume ]; then
        # The connection breaks after half the bytes (the body ends before its Content-Length);
        # the runner keeps them, says how many, and the rest is sent from there.
        timeout 600 python3 - "$live_runner_port" "$token" "$size" <<'PYTHON'
import http.client, ssl, sys
port, token, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
# Only the cut is sent from here: the API is probed, not the channel (the resume below pins it).
context = ssl._create_unverified_context()
connection = http.client.HTTPSConnection("127.0.0.1", port, context=context)
connection.putrequest("PUT", "/v1/build/inputs/data")
for name, value in (("Authorization", f"Bearer {token}"), ("Content-Type", "application/octet-stream"),
                    ("Content-Length", str(size))):
    connection.putheader(name, value)
connection.endheaders()
with open("input.bin", "rb") as source:
    left = size // 2
    while left:
        chunk = source.read(min(left, 1 << 20))
        connection.send(chunk)
        left -= len(chunk)
connection.sock.close()
PYTHON
        local received=""
        for _ in $(seq 100); do
            received="$(api "$base/v1/build" | python3 -c 'import json, sys
inputs = json.load(sys.stdin)["inputs"]
print(next((i.get("received", "") for i in inputs if i["state"] == "interrupted"), ""))')"
            [ -n "$received" ] && break
            sleep 0.1
        done
        [ -n "$received" ] || { echo "the runner kept no interrupted upload" >&2; exit 1; }
        resume_start="$(now)"
        uploaded="$(tail -c "+$((received + 1))" input.bin | api -X PUT "$base/v1/build/inputs/data?offset=$received" \
            -H 'Content-Type: application/octet-stream' -H 'Expect:' -T -)"
    else
        # No 'Expect: 100-continue': curl would wait a second for an interim answer.
        uploaded="$(api -X PUT "$base/v1/build/inputs/data" -H 'Content-Type: application/octet-stream' -H 'Expect:' \
            -T input.bin)"
    fi
    end="$(now)"
    case "$uploaded" in *"$manifest_digest"*) ;; *) echo "the runner measured another digest: $uploaded" >&2; exit 1 ;; esac
    if [ "$mode" = resume ]; then
        resume_time="$(seconds "$start" "$end")"
        resume_part_time="$(seconds "$resume_start" "$end")"
        resumed_at="$received"
        live_runner_stop
        return
    fi
    printf -v "${transport}_upload_time" '%s' "$(seconds "$start" "$end")"
    printf -v "${transport}_upload_rss" '%s' "$(peak_rss)"

    api -X POST "$base/v1/build/start" >/dev/null
    for _ in $(seq 3600); do
        state="$(api "$base/v1/build" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
        case "$state" in finished) break ;; failed) api "$base/v1/build" >&2; exit 1 ;; esac
        sleep 0.2
    done
    [ "$state" = finished ] || { echo "the build did not finish" >&2; exit 1; }
    printf -v "${transport}_after_job_rss" '%s' "$(peak_rss)"

    start="$(now)"
    api -o output.bin "$base/v1/build/outputs/model.bin"
    end="$(now)"
    printf -v "${transport}_download_time" '%s' "$(seconds "$start" "$end")"
    printf -v "${transport}_download_rss" '%s' "$(peak_rss)"
    printf -v "${transport}_idle_rss" '%s' "$idle_rss"
    [ "$(sha256sum output.bin | cut -d' ' -f1)" = "$expected" ] || { echo "the download differs from the input" >&2; exit 1; }
    rm -f output.bin
    live_runner_stop
}

transfer tls
transfer plain
transfer tls resume
upload_time=$tls_upload_time
download_time=$tls_download_time
download_rss=$tls_download_rss

echo "== results ($size bytes, files in the page cache, loopback; TLS 1.3 pinned, and plain HTTP for comparison)"
printf '%-44s %8s s %8s MB/s\n' "sha256sum input" "$hash_time" "$(rate "$hash_time")"
printf '%-44s %8s s %8s MB/s\n' "upload (PUT, streamed, hashed, written)" "$upload_time" "$(rate "$upload_time")"
printf '%-44s %8s s %8s MB/s\n' "download (GET, streamed)" "$download_time" "$(rate "$download_time")"
printf '%-44s %8s s %8s MB/s\n' "upload over plain HTTP" "$plain_upload_time" "$(rate "$plain_upload_time")"
printf '%-44s %8s s %8s MB/s\n' "download over plain HTTP" "$plain_download_time" "$(rate "$plain_download_time")"
printf '%-44s %8s s (resumed at byte %s; %s the unbroken upload)\n' "upload cut at 50 % and resumed, TLS" \
    "$resume_time" "$resumed_at" "$(awk -v r="$resume_time" -v u="$upload_time" 'BEGIN { printf "%.2fx", r / u }')"
printf '%-44s %8s s (%s the unbroken upload'"'"'s time for as many bytes)\n' "  of which the resumed rest" \
    "$resume_part_time" "$(awk -v r="$resume_part_time" -v u="$upload_time" -v b="$resumed_at" -v s="$size" \
        'BEGIN { printf "%.2fx", r / (u * (s - b) / s) }')"
awk -v t="$upload_time" -v p="$plain_upload_time" -v dt="$download_time" -v dp="$plain_download_time" 'BEGIN {
    printf "%-44s %8.2f  [<= 1.3]  %s\n", "upload time, TLS / plain HTTP", t / p, (t / p <= 1.3 ? "met" : "NOT met")
    printf "%-44s %8.2f  [<= 1.3]  %s\n", "download time, TLS / plain HTTP", dt / dp, (dt / dp <= 1.3 ? "met" : "NOT met")
}'
awk -v u="$upload_time" -v d="$download_time" -v h="$hash_time" 'BEGIN {
    printf "%-44s %8.2f  [<= 2.0]  %s\n", "upload time / sha256sum time", u / h, (u / h <= 2 ? "met" : "NOT met")
    printf "%-44s %8.2f  [<= 2.0]  %s\n", "download time / sha256sum time", d / h, (d / h <= 2 ? "met" : "NOT met")
}'
printf '%-44s %8s MB (idle %s, after upload %s, after the job %s)\n' "runner peak RSS over TLS (VmHWM)" \
    "$download_rss" "$tls_idle_rss" "$tls_upload_rss" "$tls_after_job_rss"
printf '%-44s %8s MB\n' "runner peak RSS over plain HTTP (VmHWM)" "$plain_download_rss"
awk -v r="$download_rss" 'BEGIN { printf "%-44s %8s  [< 100 MB]  %s\n", "runner peak RSS", r, (r < 100 ? "met" : "NOT met") }'
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
    "sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
