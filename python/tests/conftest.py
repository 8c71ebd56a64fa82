from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import CertificateFactory
from pki import PKI
from swtpm import SoftwareTPM, missing_tools

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def isolated_aicert_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the images registered in the user's ~/.aicert."""
    monkeypatch.setenv("AICERT_HOME", str(tmp_path_factory.mktemp("aicert-home")))


@pytest.fixture(scope="session")
def pki() -> PKI:
    return PKI.create()


@pytest.fixture(scope="session")
def root_pem(pki: PKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roots") / "root.pem"
    path.write_bytes(pki.root_pem())
    return path


@pytest.fixture(scope="session")
def rsa_factory(pki: PKI) -> CertificateFactory:
    return CertificateFactory.rsa(pki)


@pytest.fixture()
def factory(rsa_factory: CertificateFactory) -> CertificateFactory:
    """A fresh copy of the session's RSA factory (RSA key generation is slow)."""
    return CertificateFactory(rsa_factory.pki, rsa_factory.ak_key)


def start_tpm(path: Path) -> Iterator[SoftwareTPM]:
    missing = missing_tools()
    if missing:
        reason = f"needs swtpm and tpm2-tools (missing: {', '.join(missing)}; scripts/install-deps installs them)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI (CI is set) a missing TPM fails instead of skipping")
        pytest.skip(reason)
    tpm = SoftwareTPM(path)
    try:
        yield tpm
    finally:
        tpm.stop()
