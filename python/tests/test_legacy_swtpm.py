"""Legacy AICert proofs made live against swtpm with tpm2-tools, verified and tampered."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import start_tpm
from cryptography.hazmat.primitives import serialization
from pki import NOW, PKI, der, pem
from swtpm import SoftwareTPM

import aicert_verify
from aicert_verify.report import INTERNAL_ERROR
from aicert_verify.tpm import parse_pcr_file

EVENTS = ['{"event": "input", "hash": "ab12"}', '{"event": "output", "hash": "cd34"}', "naïve ✓"]
RESETTABLE_EVENTS = ['{"event": "input", "hash": "ee99"}']
AT = "2026-11-26T00:00:00Z"


@dataclass
class Proofs:
    documents: dict[str, dict[str, Any]]
    pcr_file: bytes
    pcrread: bytes
    intermediate_pem: bytes


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def legacy_document(quote: tuple[bytes, bytes, bytes], chain: list[bytes], events: list[str]) -> dict[str, Any]:
    message, signature, pcr = quote
    return {
        "ca_cert": "-----BEGIN CERTIFICATE-----\nnot checked\n-----END CERTIFICATE-----\n",
        "event_log": events,
        "remote_attestation": {
            "quote": {
                "message": {"base64": b64(message)},
                "signature": {"base64": b64(signature)},
                "pcr": {"base64": b64(pcr)},
            },
            "cert_chain": [{"base64": b64(item)} for item in chain],
        },
    }


@pytest.fixture(scope="module")
def tpm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftwareTPM]:
    yield from start_tpm(tmp_path_factory.mktemp("swtpm-legacy"))


@pytest.fixture(scope="module")
def proofs(tpm: SoftwareTPM, pki: PKI) -> Proofs:
    for event in EVENTS:
        tpm.extend(15, hashlib.sha256(event.encode("utf-8")).digest())
    for event in RESETTABLE_EVENTS:
        tpm.extend(16, hashlib.sha256(event.encode("utf-8")).digest())
    documents: dict[str, dict[str, Any]] = {}
    selection = "sha256:" + ",".join(str(pcr) for pcr in range(17))
    intermediate_pem = pem(pki.intermediate)
    for label, algorithm, scheme in (("rsa", "rsa", "rsassa"), ("pss", "rsa", "rsapss"), ("ecc", "ecc", "ecdsa")):
        tpm.create_ak(label, algorithm, scheme)
        key = serialization.load_pem_public_key((tpm.workdir / f"{label}.pem").read_bytes())
        certificate = pki.ak_certificate(key, subject=f"legacy AK {label}")
        quote = tpm.quote(label, selection, b"\x01\x02", scheme=scheme)
        documents[label] = legacy_document(quote, [der(certificate), intermediate_pem], EVENTS)
    rsa_quote = tpm.quote("rsa", selection, b"\x03")
    chain = [der(pki.ak_certificate(serialization.load_pem_public_key((tpm.workdir / "rsa.pem").read_bytes())))]
    documents["resettable"] = legacy_document(rsa_quote, chain + [intermediate_pem], RESETTABLE_EVENTS)
    documents["no-match"] = legacy_document(rsa_quote, chain + [intermediate_pem], EVENTS[:2])
    documents["empty-log"] = legacy_document(rsa_quote, chain + [intermediate_pem], [])
    documents["der-chain"] = legacy_document(rsa_quote, chain + [der(pki.intermediate)], EVENTS)
    return Proofs(documents, rsa_quote[2], tpm.read_pcrs(selection), intermediate_pem)


def verify(document: dict[str, Any], root: Path | None, **options: Any) -> aicert_verify.Report:
    options.setdefault("allow_unmeasured_boot", True)
    report = aicert_verify.verify(
        json.dumps(document).encode(), trust_roots=[root] if root else [], at=options.pop("at", AT), **options
    )
    assert not any(check.detail.startswith(INTERNAL_ERROR) for check in report.checks), report.checks
    assert report.format == "aicert-legacy" and report.platform == "azure"
    return report


def statuses(report: aicert_verify.Report) -> dict[str, str]:
    return {check.name: check.status.value for check in report.checks}


def reasons(report: aicert_verify.Report) -> dict[str, str]:
    return {check.name: check.reason for check in report.checks}


def test_the_pcr_file_holds_what_tpm2_pcrread_reads(proofs: Proofs) -> None:
    parsed = parse_pcr_file(proofs.pcr_file)
    assert len(proofs.pcr_file) == 136 + 3 * 532  # 17 PCRs: lists of 8, 8 and 1
    assert b"".join(parsed.values[(0x000B, pcr)] for pcr in range(17)) == proofs.pcrread


@pytest.mark.parametrize("label", ["rsa", "pss", "ecc", "der-chain"])
def test_real_legacy_proofs_verify(label: str, proofs: Proofs, root_pem: Path) -> None:
    report = verify(proofs.documents[label], root_pem)
    assert report.valid, report.checks
    assert statuses(report) == {
        "ak-chain": "pass",
        "quote-signature": "pass",
        "quote-content": "warn",
        "event-log": "pass",
        "boot-state": "skip",
        "policy": "skip",
        "artifacts": "skip",
    }
    assert reasons(report) == {
        "ak-chain": "ok",
        "quote-signature": "ok",
        "quote-content": "nonce-absent",
        "event-log": "ok",
        "boot-state": "boot-not-measured",
        "policy": "not-requested",
        "artifacts": "not-requested",
    }
    assert (report.verdict, report.trust, report.trust_root) == (
        "VALID, boot not measured",
        "custom",
        "AICert Test Root CA",
    )
    assert "the legacy format records no nonce" in report.check("quote-content").detail
    assert "replay to quoted PCR 15" in report.check("event-log").detail
    assert report.inputs == [] and report.outputs == []


def test_a_log_replaying_only_to_a_resettable_pcr_fails_naming_it(proofs: Proofs, root_pem: Path) -> None:
    report = verify(proofs.documents["resettable"], root_pem)
    assert not report.valid and report.check("event-log").status == "fail"
    assert report.check("event-log").reason == "pcr-replay-mismatch"
    assert "PCR 16" in report.check("event-log").detail and "reset" in report.check("event-log").detail


def test_a_log_replaying_to_no_pcr_or_empty_fails(proofs: Proofs, root_pem: Path) -> None:
    no_match = verify(proofs.documents["no-match"], root_pem).check("event-log")
    assert "no quoted sha256 PCR" in no_match.detail and no_match.reason == "pcr-replay-mismatch"
    empty = verify(proofs.documents["empty-log"], root_pem).check("event-log")
    assert "empty" in empty.detail and empty.reason == "log-grammar"


def tamper(document: dict[str, Any], field: str, offset: int) -> dict[str, Any]:
    document = copy.deepcopy(document)
    holder = document["remote_attestation"]["quote"][field]
    data = bytearray(base64.b64decode(holder["base64"]))
    data[offset] ^= 0x01
    holder["base64"] = b64(bytes(data))
    return document


def failing(report: aicert_verify.Report) -> set[str]:
    return {check.name for check in report.checks if check.status == "fail"}


def failing_reasons(report: aicert_verify.Report) -> dict[str, str]:
    return {check.name: check.reason for check in report.checks if check.status == "fail"}


def test_tampered_proofs_fail_the_right_check(proofs: Proofs, root_pem: Path) -> None:
    good = proofs.documents["rsa"]
    # a byte of extraData: the quote still parses, its signature no longer verifies
    assert failing_reasons(verify(tamper(good, "message", 0x2C), root_pem)) == {"quote-signature": "signature-invalid"}
    assert failing_reasons(verify(tamper(good, "signature", 40), root_pem)) == {"quote-signature": "signature-invalid"}
    # a byte of PCR 15's value in the PCR file: the quote's digest no longer matches
    offset = 136 + 532 + 4 + 7 * 66 + 2 + 5  # PCR 15: list 1, slot 7, 5 bytes into its value
    report = verify(tamper(good, "pcr", offset), root_pem)
    assert failing_reasons(report) == {"quote-content": "pcr-digest-mismatch", "event-log": "pcr-replay-mismatch"}
    assert "PCR value was changed" in report.check("quote-content").detail
    truncated = copy.deepcopy(good)
    truncated["remote_attestation"]["quote"]["pcr"]["base64"] = b64(proofs.pcr_file[:-1])
    assert failing_reasons(verify(truncated, root_pem))["quote-content"] == "pcr-values-malformed"


def test_chain_problems(proofs: Proofs, root_pem: Path, pki: PKI) -> None:
    good = proofs.documents["rsa"]
    assert failing_reasons(verify(good, None)) == {"ak-chain": "untrusted-root"}
    expired = verify(good, root_pem, at="2030-01-01T00:00:00Z")
    assert failing_reasons(expired) == {"ak-chain": "certificate-expired"}
    assert "expired at 2030-01-01T00:00:00Z: valid from" in expired.check("ak-chain").detail
    garbage = copy.deepcopy(good)
    garbage["remote_attestation"]["cert_chain"][1]["base64"] = b64(b"not a certificate")
    unreadable = verify(garbage, root_pem).check("ak-chain")
    assert "cert_chain[1] is neither a DER nor a PEM certificate" in unreadable.detail
    assert unreadable.reason == "certificate-unreadable"
    # without --at, the legacy chain is checked now; this AK certificate was issued for a test date
    current = verify(good, root_pem, at=None)
    now = dt.datetime.now(dt.timezone.utc)
    assert (current.check("ak-chain").status == "pass") == (
        NOW - dt.timedelta(days=1) <= now <= NOW + dt.timedelta(days=365)
    )


def test_policy_requirements_and_artifacts_cannot_be_met(proofs: Proofs, root_pem: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\noutputs:\n  - name: model\n")
    report = verify(proofs.documents["rsa"], root_pem, policy=policy, artifacts=[tmp_path])
    assert failing_reasons(report) == {"policy": "requirement-missing", "artifacts": "artifact-mismatch"}
    policy.write_text(f'version: 1\nplatforms:\n  azure:\n    pcrs:\n      sha256:\n        0: "{"00" * 32}"\n')
    measured = verify(proofs.documents["rsa"], root_pem, policy=policy, allow_unmeasured_boot=False)
    assert (statuses(measured)["boot-state"], measured.verdict) == ("pass", "VALID")


def test_the_command_line_on_legacy_proofs(proofs: Proofs, root_pem: Path, tmp_path: Path) -> None:
    for label, code in (("rsa", 0), ("resettable", 1)):
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(proofs.documents[label]))
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "aicert_verify",
                "verify",
                str(path),
                "--trust-root",
                str(root_pem),
                "--at",
                AT,
                "--allow-unmeasured-boot",
            ],
            capture_output=True,
            text=True,
        )
        assert run.returncode == code, run.stdout + run.stderr
        assert "! quote-content" in run.stdout
