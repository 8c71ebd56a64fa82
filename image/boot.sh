#!/usr/bin/env bash
# Boots the AICert base image under QEMU (software emulation, no KVM) with OVMF and a fresh
# swtpm, waits until the runner in it answers GET /v1/health, prints the time that took, and
# shuts everything down again. See image/README.md.
#
#   image/boot.sh [options] IMAGE-DIR
#
# Options:
#   --tpm-state DIR  a manufactured TPM state made by `aicert image prepare-tpm DIR` (copied, never
#                    changed); without it one is made in a temporary directory with `aicert`
#   --port N         the host port forwarded to the runner's port 8443 (default: a free one)
#   --token-file F   the runner's bearer token (default: a random one; required with --keep-running)
#   --capture DIR    keep the serial log and the boot report there: eventlog.bin (the firmware
#                    event log), pcrs.txt (SHA-256 PCRs 0-15), ima.txt (the IMA list), serial.log,
#                    firmware.txt (OVMF and QEMU versions): a reference boot for `aicert image measure`
#   --timeout S      give up after S seconds (default 900)
#   --keep-running   leave the machine running once ready, until interrupted (Ctrl-C)
#
# Environment: AICERT (the aicert binary, default: aicert on PATH), OVMF_CODE, OVMF_VARS.
# Exit status: 0 ready, 1 the machine stopped or timed out before the runner answered, 2 usage.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

tpm_state=
token_file=
port=
capture=
timeout=900
keep_running=
while [ $# -gt 0 ]; do
    case "$1" in
        --tpm-state) tpm_state=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --token-file) token_file=$2; shift 2 ;;
        --capture) capture=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --keep-running) keep_running=1; shift ;;
        -h|--help) usage ;;
        -*) echo "boot.sh: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
image=$(cd "$1" && pwd)
[ -f "$image/disk.raw" ] || { echo "boot.sh: $image/disk.raw not found; build it with image/build.sh" >&2; exit 2; }

ovmf_code=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
ovmf_vars=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
# QEMU separates option values with commas: a path with one would add options of its own.
for path in "$image" "$ovmf_code" "$ovmf_vars"; do
    case "$path" in *,*) echo "boot.sh: $path contains a comma, which QEMU's options cannot take" >&2; exit 2 ;; esac
done
if [ -n "$keep_running" ] && [ -z "$token_file" ]; then
    echo "boot.sh: --keep-running needs --token-file, so that the token is never printed" >&2
    exit 2
fi
for tool in qemu-system-x86_64 swtpm curl; do
    command -v "$tool" > /dev/null || { echo "boot.sh: $tool is not installed (see image/README.md)" >&2; exit 2; }
done

run=$(mktemp -d /tmp/aicert-boot.XXXXXX)
qemu_pid=
swtpm_pid=
shutdown() {
    local status=$?
    set +e
    # QEMU first (it holds the TPM connection), then swtpm; wait for both so nothing is left.
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        echo "boot.sh: stopping QEMU (SIGTERM) as the boot is done with; it answers 'terminating on signal 15'"
        kill -TERM "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    if [ -n "$swtpm_pid" ] && kill -0 "$swtpm_pid" 2>/dev/null; then
        kill -TERM "$swtpm_pid" 2>/dev/null || true
        wait "$swtpm_pid" 2>/dev/null || true
    fi
    if [ -n "$capture" ] && [ -f "$run/serial.log" ]; then
        mkdir -p "$capture"
        tr -d '\r' < "$run/serial.log" > "$capture/serial.log"
        {
            echo "ovmf $(dpkg-query -W -f='${Version}' ovmf 2>/dev/null || echo unknown) $(sha256sum "$ovmf_code" | cut -d' ' -f1)"
            echo "qemu $(qemu-system-x86_64 --version | head -n1)"
            echo "machine q35, tcg, 2 vCPUs, 2 GiB, virtio disk and NIC (no option ROM), tpm-tis"
        } > "$capture/firmware.txt"
        # Report lines may follow other console output on the same line: match anywhere.
        report=$(grep -ao 'aicert-report .*' "$capture/serial.log" | sed 's/^aicert-report //' || true)
        if echo "$report" | grep -qx end; then
            echo "$report" | sed -n 's/^pcr //p' > "$capture/pcrs.txt"
            echo "$report" | sed -n 's/^ima //p' > "$capture/ima.txt"
            echo "$report" | sed -n 's/^eventlog //p' | base64 -d > "$capture/eventlog.bin"
        else
            echo "boot.sh: no complete boot report in the serial log, so nothing was captured but serial.log" >&2
            [ "$status" -ne 0 ] || status=1
        fi
    fi
    rm -rf "$run"
    exit "$status"
}
trap shutdown EXIT
trap 'exit 1' INT TERM

start=$(date +%s%3N)
elapsed() { local ms=$(( $(date +%s%3N) - start )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

# The TPM: a copy of a manufactured state with the AK at 0x81000003 and its certificate.
if [ -z "$tpm_state" ]; then
    tpm_state=$run/prepared
    "${AICERT:-aicert}" image prepare-tpm "$tpm_state" > /dev/null
fi
[ -d "$tpm_state/state" ] || { echo "boot.sh: $tpm_state has no state/ (make it with aicert image prepare-tpm)" >&2; exit 2; }
cp -a "$tpm_state/state" "$run/tpm"
swtpm socket --tpm2 --tpmstate dir="$run/tpm" --ctrl type=unixio,path="$run/swtpm.sock" \
    --terminate --log file="$run/swtpm.log" &
swtpm_pid=$!
for _ in $(seq 100); do [ -S "$run/swtpm.sock" ] && break; sleep 0.05; done
[ -S "$run/swtpm.sock" ] || { echo "boot.sh: swtpm did not start: $(cat "$run/swtpm.log")" >&2; exit 1; }

# The token reaches the runner through fw_cfg only; it is neither on disk in the image nor measured.
umask 077
if [ -n "$token_file" ]; then
    cp "$token_file" "$run/token"
else
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$run/token"
fi
umask 022
fw_cfg=(-fw_cfg "name=opt/aicert/token,file=$run/token")
if [ -f "$tpm_state/ak-intermediates.pem" ]; then
    fw_cfg+=(-fw_cfg "name=opt/aicert/ak-intermediates,file=$tpm_state/ak-intermediates.pem")
fi
if [ -f "$image/image.json" ]; then
    fw_cfg+=(-fw_cfg "name=opt/aicert/image,file=$image/image.json")
fi

if [ -z "$port" ]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
cp "$ovmf_vars" "$run/OVMF_VARS.fd"
qemu-system-x86_64 \
    -machine q35 -accel tcg -cpu max -smp 2 -m 2048 \
    -nodefaults -display none -no-reboot \
    -drive if=pflash,format=raw,unit=0,readonly=on,file="$ovmf_code" \
    -drive if=pflash,format=raw,unit=1,file="$run/OVMF_VARS.fd" \
    -drive file="$image/disk.raw",if=virtio,format=raw,readonly=on \
    -chardev socket,id=chrtpm,path="$run/swtpm.sock" \
    -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0 \
    -netdev user,id=net0,hostfwd=tcp:127.0.0.1:"$port"-:8443 -device virtio-net-pci,netdev=net0,romfile= \
    "${fw_cfg[@]}" \
    -serial file:"$run/serial.log" &
qemu_pid=$!

echo "boot.sh: booting $image (serial log $run/serial.log, runner port $port)"
until curl -fsSk -m 5 "https://127.0.0.1:$port/v1/health" > "$run/health.json" 2>/dev/null; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
        echo "boot.sh: the machine stopped after $(elapsed) s; the end of its serial log:" >&2
        tail -n 25 "$run/serial.log" | tr -d '\r' >&2
        exit 1
    fi
    if [ $(( $(date +%s%3N) - start )) -gt $((timeout * 1000)) ]; then
        echo "boot.sh: the runner did not answer within $timeout s; the end of the serial log:" >&2
        tail -n 25 "$run/serial.log" | tr -d '\r' >&2
        exit 1
    fi
    sleep 1
done
echo "boot.sh: runner ready after $(elapsed) s: $(cat "$run/health.json")"
# The boot report is printed once userspace is up; give it a moment to be complete.
for _ in $(seq 120); do
    grep -aq 'aicert-report end' "$run/serial.log" && break
    sleep 1
done
if [ -n "$keep_running" ]; then
    echo "boot.sh: runner at https://127.0.0.1:$port, token in $token_file; Ctrl-C stops the machine"
    wait "$qemu_pid" || true
fi
