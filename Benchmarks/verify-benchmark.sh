#!/usr/bin/env bash
# Verification speed: in-process (the Swift library), the whole `aicert verify` process, and
# `tpm2_checkquote` on the same quote, which checks only the signature, nonce and PCR digest.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20
if [ "${1:-}" = "--help" ]; then
    echo "usage: Benchmarks/verify-benchmark.sh [RUNS]   (default $runs process runs)"
    exit 0
fi
[ -n "${1:-}" ] && runs="$1"
fixtures=Tests/AICertVerifyTests/Fixtures
swift build -c release --product aicert >/dev/null
swift build -c release --product verify-benchmark >/dev/null
bin="$(swift build -c release --show-bin-path)"

"$bin/verify-benchmark" "$fixtures/certificate.json" "$fixtures/root.pem" 500

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The same quote as tpm2_checkquote reads it: AK public key (from the AK certificate),
# message, signature, nonce and tpm2-tools' serialized PCR file.
python3 - "$fixtures/certificate.json" "$work" <<'PY'
import base64, json, struct, sys
cert = json.load(open(sys.argv[1])); out = sys.argv[2]
open(f"{out}/msg", "wb").write(base64.b64decode(cert["quote"]["attest"]))
open(f"{out}/sig", "wb").write(base64.b64decode(cert["quote"]["signature"]))
open(f"{out}/ak.der", "wb").write(base64.b64decode(cert["attestation_key"]["certificate_chain"][0]))
open(f"{out}/nonce", "w").write(cert["nonce"])
values = [bytes.fromhex(cert["pcrs"]["sha256"][str(i)]) for i in range(16)]
blob = struct.pack("<I", 1) + struct.pack("<HB", 0x0B, 3) + bytes([0xFF, 0xFF, 0x00, 0x00, 0x00]) + bytes(15 * 8)
blocks = [values[i:i + 8] for i in range(0, 16, 8)]
blob += struct.pack("<I", len(blocks))
for block in blocks:
    blob += struct.pack("<I", len(block))
    for index in range(8):
        digest = block[index] if index < len(block) else b""
        blob += struct.pack("<H", len(digest)) + digest + bytes(64 - len(digest))
open(f"{out}/pcrs", "wb").write(blob)
PY
openssl x509 -inform DER -in "$work/ak.der" -pubkey -noout >"$work/ak.pem"
nonce="$(cat "$work/nonce")"
tpm2_checkquote -u "$work/ak.pem" -m "$work/msg" -s "$work/sig" -f "$work/pcrs" -g sha256 -q "$nonce" >/dev/null

time_runs() {  # name, command...
    local name="$1"; shift
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; exit 1; }; done
    end=$(date +%s%N)
    echo $(( (end - start) / runs / 1000 ))
}
ours=$(time_runs "aicert verify" "$bin/aicert" verify "$fixtures/certificate.json" --trust-root "$fixtures/root.pem" --allow-unmeasured-boot)
theirs=$(time_runs "tpm2_checkquote" tpm2_checkquote -u "$work/ak.pem" -m "$work/msg" -s "$work/sig" -f "$work/pcrs" -g sha256 -q "$nonce")
echo "aicert verify (whole process, all 7 checks):      $((ours / 1000)).$(( (ours % 1000) / 100 )) ms per run over $runs runs"
echo "tpm2_checkquote (signature, nonce, PCR digest):   $((theirs / 1000)).$(( (theirs % 1000) / 100 )) ms per run over $runs runs"
python3 -c "print(f'ratio aicert verify / tpm2_checkquote: {$ours / $theirs:.2f}')"
