"""aicert/v1 certificates whose quote, AK and PCRs come from a real software TPM."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import CertificateFactory, b64, standard_events
from conftest import start_tpm
from cryptography.hazmat.primitives import serialization
from pki import PKI, der
from swtpm import SoftwareTPM

import aicert_verify
from aicert_verify.tpm import parse_pcr_file


@pytest.fixture(scope="module")
def tpm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftwareTPM]:
    yield from start_tpm(tmp_path_factory.mktemp("swtpm-v1"))


def build(tpm: SoftwareTPM, pki: PKI, label: str, algorithm: str, scheme: str) -> dict[str, Any]:
    """Extends a sample build's events into a fresh TPM's PCRs 14/15 once, then quotes them."""
    factory = CertificateFactory(pki, ak_key=None)  # type: ignore[arg-type]  # only its log helpers are used
    factory.events = standard_events()
    records = factory.records()
    if not getattr(tpm, "extended", False):
        for record in records:
            tpm.extend(record["pcr"], bytes.fromhex(record["digests"][0]["digest"]))
        tpm.extended = True  # type: ignore[attr-defined]
    tpm.create_ak(label, algorithm, scheme)
    public = (tpm.workdir / f"{label}.pub").read_bytes()[2:]  # TPM2B_PUBLIC → TPMT_PUBLIC
    key = serialization.load_pem_public_key((tpm.workdir / f"{label}.pem").read_bytes())
    nonce = os.urandom(32)
    attest, signature, pcr_file = tpm.quote(
        label, "sha256:" + ",".join(str(pcr) for pcr in range(16)), nonce, scheme=scheme
    )
    values = parse_pcr_file(pcr_file).values
    return {
        "format": "aicert/v1",
        "platform": "local",
        "runner_time": "2026-11-25T07:40:00Z",
        "nonce": nonce.hex(),
        "event_log": records,
        "manifests": factory.manifests(),
        "quote": {"attest": b64(attest), "signature": b64(signature)},
        "pcrs": {"sha256": {str(pcr): value.hex() for (_, pcr), value in values.items()}},
        "attestation_key": {
            "public": b64(public),
            "certificate_chain": [b64(der(pki.ak_certificate(key))), b64(der(pki.intermediate))],
        },
        "summary": factory.summary(),
    }


@pytest.mark.parametrize(
    ("label", "algorithm", "scheme"), [("rsa", "rsa", "rsassa"), ("pss", "rsa", "rsapss"), ("ecc", "ecc", "ecdsa")]
)
def test_a_certificate_from_a_real_tpm_verifies(
    label: str, algorithm: str, scheme: str, tpm: SoftwareTPM, pki: PKI, root_pem: Path, tmp_path: Path
) -> None:
    document = build(tpm, pki, label, algorithm, scheme)
    report = aicert_verify.verify(json.dumps(document).encode(), trust_roots=[root_pem], allow_unmeasured_boot=True)
    assert report.valid, report.checks
    assert "restricted signing key" in report.check("quote-signature").detail
    # the PCR 14 the TPM reports is the replay of the log the verifier recomputed
    assert document["pcrs"]["sha256"]["14"] != "00" * 32
    flipped = json.loads(json.dumps(document))
    flipped["event_log"][2]["content"]["source"] = "elsewhere"
    flipped["event_log"][2]["digests"][0]["digest"] = hashlib.sha256(b"x").hexdigest()
    report = aicert_verify.verify(json.dumps(flipped).encode(), trust_roots=[root_pem], allow_unmeasured_boot=True)
    assert [check.name for check in report.failures] == ["event-log"]


def test_a_changed_event_whose_digest_is_kept_fails_only_its_digest(tpm: SoftwareTPM, pki: PKI, root_pem: Path) -> None:
    """Everything a forger can recompute is recomputed (summary, manifests); the quote is genuine."""
    document = build(tpm, pki, "tamper", "rsa", "rsassa")
    factory = CertificateFactory(pki, ak_key=None)  # type: ignore[arg-type]  # only its log helpers are used
    factory.events = standard_events()
    factory.events[3][1]["source"] = "https://elsewhere.example/data"
    forged_records = factory.records()
    # the forged content, under the digest the TPM was really extended with
    forged_records[3]["digests"] = document["event_log"][3]["digests"]
    document["event_log"] = forged_records
    document["summary"] = factory.summary()
    document["manifests"] = factory.manifests()
    report = aicert_verify.verify(json.dumps(document).encode(), trust_roots=[root_pem], allow_unmeasured_boot=True)
    assert [(check.name, check.reason) for check in report.failures] == [("event-log", "event-digest-mismatch")]
    assert report.check("event-log").detail.startswith("record 3:")
