"""A real software TPM (swtpm) driven with tpm2-tools, for tests that need genuine TPM output."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

TOOLS = (
    "swtpm",
    "tpm2_createek",
    "tpm2_createak",
    "tpm2_quote",
    "tpm2_pcrextend",
    "tpm2_flushcontext",
    "tpm2_readpublic",
)


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _free_port_pair() -> int:
    """A port P with P and P+1 both free on loopback (swtpm's server and control ports)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as first, socket.socket() as second:
                first.bind(("127.0.0.1", port))
                second.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free pair of loopback ports")


class SoftwareTPM:
    """One swtpm process with fresh state; tpm2-tools commands run against it in ``workdir``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        state = workdir / "state"
        state.mkdir(parents=True)
        self.port = _free_port_pair()
        self.log = open(workdir / "swtpm.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                "swtpm",
                "socket",
                "--tpmstate",
                f"dir={state}",
                "--tpm2",
                "--server",
                f"type=tcp,port={self.port},bindaddr=127.0.0.1",
                "--ctrl",
                f"type=tcp,port={self.port + 1},bindaddr=127.0.0.1",
                "--flags",
                "not-need-init,startup-clear",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.env = dict(os.environ, TPM2TOOLS_TCTI=f"swtpm:host=127.0.0.1,port={self.port}")
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"swtpm did not start: {(workdir / 'swtpm.log').read_text(errors='replace')}"
                    ) from None
                time.sleep(0.05)
        self.run("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub")

    def run(self, *command: str) -> str:
        """Runs a tpm2-tools command, then flushes transient objects (swtpm has no resource manager)."""
        result = subprocess.run(command, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=60)
        subprocess.run(["tpm2_flushcontext", "-t"], cwd=self.workdir, env=self.env, capture_output=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr}")
        return result.stdout

    def create_ak(self, label: str, algorithm: str = "rsa", scheme: str = "rsassa", hash_alg: str = "sha256") -> Path:
        """An AK under the EK: ``label.ctx``, ``label.pub`` (TPM2B_PUBLIC), ``label.pem``; returns the .ctx path."""
        self.run(
            "tpm2_createak",
            "-C",
            "ek.ctx",
            "-c",
            f"{label}.ctx",
            "-G",
            algorithm,
            "-g",
            hash_alg,
            "-s",
            scheme,
            "-u",
            f"{label}.pub",
            "-n",
            f"{label}.name",
        )
        self.run("tpm2_readpublic", "-c", f"{label}.ctx", "-f", "pem", "-o", f"{label}.pem")
        return self.workdir / f"{label}.ctx"

    def extend(self, pcr: int, digest: bytes) -> None:
        self.run("tpm2_pcrextend", f"{pcr}:sha256={digest.hex()}")

    def read_pcrs(self, selection: str) -> bytes:
        """The selected PCR values, concatenated, as tpm2_pcrread writes them."""
        self.run("tpm2_pcrread", selection, "-o", "pcrread.bin")
        return (self.workdir / "pcrread.bin").read_bytes()

    def quote(
        self, label: str, selection: str, nonce: bytes, hash_alg: str = "sha256", scheme: str | None = None
    ) -> tuple[bytes, bytes, bytes]:
        """(TPMS_ATTEST, TPMT_SIGNATURE, tpm2-tools PCR file) of a quote by AK ``label``."""
        prefix = f"{label}-quote"
        self.run(
            "tpm2_quote",
            "-c",
            f"{label}.ctx",
            "-l",
            selection,
            "-q",
            nonce.hex(),
            "-g",
            hash_alg,
            "-m",
            f"{prefix}.msg",
            "-s",
            f"{prefix}.sig",
            "-o",
            f"{prefix}.pcr",
            *(("--scheme", scheme) if scheme else ()),
        )
        return tuple((self.workdir / f"{prefix}.{suffix}").read_bytes() for suffix in ("msg", "sig", "pcr"))  # type: ignore[return-value]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
