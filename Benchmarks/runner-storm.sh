#!/usr/bin/env bash
# Load on the runner's cheapest endpoint: starts a release `aicert-runner serve` on a swtpm
# (scripts/live-runner.sh), runs `wrk` on GET /v1/health for 30 s, and prints requests/s, the
# p99 latency and the runner's resident memory (ps) before and after, with its peak (VmHWM).
# Every process runs under a timeout. Uses wrk (Debian package `wrk`), swtpm, tpm2-tools.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<'USAGE'
usage: Benchmarks/runner-storm.sh [--duration SECONDS] [--connections N] [--threads N] [--scratch-path DIR]

  --duration SECONDS  how long wrk runs (default: 30)
  --connections N     open connections (default: 64)
  --threads N         wrk threads (default: 4)
  --scratch-path DIR  build directory for `swift build` (default: .build-runner)
USAGE
}

duration=30
connections=64
threads=4
scratch_path=".build-runner"
parse_options "--duration:duration --connections:connections --threads:threads" "$@"

package_root="$(cd "$(dirname "$0")/.." && pwd)"
require_tools "scripts/install-deps" wrk swtpm tpm2_createprimary tpm2_evictcontrol tpm2_nvdefine tpm2_nvwrite \
    openssl curl python3 ps

echo "== building aicert-runner (release)"
if ! output="$(cd "$package_root" && timeout 1800 swift build -c release --product aicert-runner \
    --scratch-path "$scratch_path" 2>&1)"; then
    echo "$output" >&2
    exit 1
fi
runner="$(cd "$package_root" && swift build -c release --scratch-path "$scratch_path" --show-bin-path)/aicert-runner"

if [ -z "$work_dir" ]; then work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aicert-runner-storm.XXXXXX")"; fi
. "$package_root/scripts/live-runner.sh"
cleanup() {
    live_runner_stop
    if [ "$keep" = 0 ]; then rm -rf "$work_dir"; fi
}
trap cleanup EXIT

echo "== starting swtpm and aicert-runner"
live_runner_start "$runner" "$work_dir/live"
# The runner itself, not the `timeout` around it.
pid=$live_runner_process
rss() { ps -o rss= -p "$pid" | awk '{ printf "%.1f", $1 / 1024 }'; }
peak_rss() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
timeout 10 curl -ksS --fail "$live_runner_base/v1/health" >/dev/null
idle_rss="$(rss)"

echo "== wrk: $threads threads, $connections connections, ${duration} s on GET /v1/health"
timeout "$((duration + 60))" wrk --latency -t "$threads" -c "$connections" -d "${duration}s" --timeout 10s \
    "$live_runner_base/v1/health" > "$work_dir/wrk.out"
cat "$work_dir/wrk.out"
kill -0 "$pid" || { echo "the runner died under load" >&2; exit 1; }
timeout 10 curl -ksS --fail "$live_runner_base/v1/health" >/dev/null

requests_per_second="$(awk '/^Requests\/sec:/ { print $2 }' "$work_dir/wrk.out")"
p99="$(awk '$1 == "99%" { print $2 }' "$work_dir/wrk.out")"
errors="$(awk '/Non-2xx|Socket errors/' "$work_dir/wrk.out")"
echo "== results"
printf '%-36s %s\n' "requests/s" "$requests_per_second"
printf '%-36s %s\n' "p99 latency" "$p99"
printf '%-36s %s MB\n' "runner RSS idle (ps)" "$idle_rss"
printf '%-36s %s MB\n' "runner RSS after the storm (ps)" "$(rss)"
printf '%-36s %s MB\n' "runner peak RSS (VmHWM)" "$(peak_rss)"
printf '%-36s %s\n' "errors" "${errors:-none}"
