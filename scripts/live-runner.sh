# Sourced, not run: starts a real `aicert-runner serve` on a real swtpm on loopback, for
# scripts/test-runner-api and Benchmarks/runner-storm.sh. The swtpm gets an AK at 0x81000003
# and a placeholder AK certificate at NV 0x01C101D0 (nothing here verifies a certificate), as
# Benchmarks/runner-transfer.sh sets one up. Needs swtpm, tpm2-tools, openssl, python3, bwrap.
#
#   live_runner_start RUNNER DIR [plain]
#                                  starts both under DIR (which it creates); sets
#                                  live_runner_pid (its `timeout` wrapper), live_runner_process
#                                  (the runner itself, for its memory), live_runner_port,
#                                  live_runner_token, live_runner_base (https://…, or http://…
#                                  with `plain`: --plain-http-for-tests). The runner's TLS
#                                  certificate is self-signed: these callers probe the API, not
#                                  the channel, so they pass curl -k.
#   live_runner_stop               stops both (call it from an EXIT trap)
#
# Every process runs under `timeout`, so nothing outlives a hung caller for long.

live_runner_pid=""
live_runner_process=""
live_swtpm_pid=""
live_runner_port=""
live_runner_token=""
live_runner_base=""
# How long the swtpm and the runner may live at most (seconds).
live_runner_lifetime=${LIVE_RUNNER_LIFETIME:-900}

live_runner_free_port() {
    # A free port whose successor is free too (swtpm's control port).
    timeout 10 python3 -c 'import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p + 1)); t.close(); print(p); break
    except OSError:
        t.close()'
}

live_runner_stop() {
    local pid
    for pid in "$live_runner_pid" "$live_swtpm_pid"; do
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    live_runner_pid=""
    live_swtpm_pid=""
}

live_runner_start() {
    local runner=$1 dir=$2 transport=${3:-tls} tpm_port
    local plain=()
    [ "$transport" = plain ] && plain=(--plain-http-for-tests)
    mkdir -p "$dir/tpm"
    tpm_port=$(live_runner_free_port)
    timeout "$live_runner_lifetime" swtpm socket --tpm2 --tpmstate dir="$dir/tpm" \
        --flags not-need-init,startup-clear \
        --server type=tcp,port="$tpm_port",bindaddr=127.0.0.1 \
        --ctrl type=tcp,port="$((tpm_port + 1))",bindaddr=127.0.0.1 > "$dir/swtpm.log" 2>&1 &
    live_swtpm_pid=$!
    local tcti="swtpm:host=127.0.0.1,port=$tpm_port"
    for _ in $(seq 50); do TPM2TOOLS_TCTI=$tcti timeout 5 tpm2_getrandom 1 >/dev/null 2>&1 && break; sleep 0.1; done
    TPM2TOOLS_TCTI=$tcti timeout 30 tpm2_createprimary -Q -C e -g sha256 -G rsa2048:rsassa-sha256:null \
        -c "$dir/ak.ctx" -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign'
    TPM2TOOLS_TCTI=$tcti timeout 10 tpm2_evictcontrol -Q -C o -c "$dir/ak.ctx" 0x81000003 >/dev/null
    timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=live-runner \
        -days 1 -keyout "$dir/ak-cert-key.pem" -outform DER -out "$dir/ak-cert.der" 2>/dev/null
    TPM2TOOLS_TCTI=$tcti timeout 10 tpm2_nvdefine -Q 0x01C101D0 -C o -s "$(stat -c %s "$dir/ak-cert.der")" \
        -a 'ownerwrite|ownerread|authread|no_da'
    TPM2TOOLS_TCTI=$tcti timeout 10 tpm2_nvwrite -Q 0x01C101D0 -C o -i "$dir/ak-cert.der"

    live_runner_token=$(timeout 10 python3 -c 'import secrets; print(secrets.token_hex(32))')
    (umask 077 && printf '%s' "$live_runner_token" > "$dir/token")
    timeout "$live_runner_lifetime" "$runner" serve --tcti "$tcti" --workspace "$dir/workspace" \
        --listen 127.0.0.1:0 --token-file "$dir/token" --firmware-log none "${plain[@]}" \
        > "$dir/runner.out" 2> "$dir/runner.err" &
    live_runner_pid=$!
    live_runner_port=""
    for _ in $(seq 300); do
        live_runner_port=$(sed -n 's/^aicert-runner listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/runner.out")
        [ -n "$live_runner_port" ] && break
        if ! kill -0 "$live_runner_pid" 2>/dev/null; then
            cat "$dir/runner.out" "$dir/runner.err" >&2
            echo "live-runner: the runner exited before it listened" >&2
            return 1
        fi
        sleep 0.1
    done
    if [ -z "$live_runner_port" ]; then
        cat "$dir/runner.out" "$dir/runner.err" >&2
        echo "live-runner: the runner did not listen within 30 s" >&2
        return 1
    fi
    if [ "$transport" = plain ]; then
        live_runner_base="http://127.0.0.1:$live_runner_port"
    else
        live_runner_base="https://127.0.0.1:$live_runner_port"
    fi
    live_runner_process=$(pgrep -P "$live_runner_pid" -x aicert-runner)
}
