"""aicert/v1 verification against certificates built in software (tests/builders.py)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from builders import (
    AK_ATTRIBUTES,
    DECRYPT,
    ECDSA,
    NULL,
    OUTPUT_FILES,
    RESTRICTED,
    RSAPSS,
    RSASSA,
    SHA256,
    SHA384,
    SHA512,
    CertificateFactory,
    attest_quote,
    b64,
    encode,
    file_entry,
    manifest_digest,
    selection_bytes,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pki import NOW, PKI, der, issue

import aicert_verify
from aicert_verify.report import INTERNAL_ERROR


def verify(document: dict[str, Any], root: Path, **options: Any) -> aicert_verify.Report:
    options.setdefault("allow_unmeasured_boot", True)
    options.setdefault("at", NOW)  # the test PKI's certificates are valid around NOW, not forever
    report = aicert_verify.verify(aicert_verify.load(encode(document)), trust_roots=[root], **options)
    assert not any(check.detail.startswith(INTERNAL_ERROR) for check in report.checks), report.checks
    assert [check.name for check in report.checks] == list(aicert_verify.CHECK_NAMES)
    return report


def failing(report: aicert_verify.Report) -> dict[str, str]:
    return {check.name: check.detail for check in report.checks if check.status == "fail"}


def test_a_sound_certificate_verifies(factory: CertificateFactory, root_pem: Path) -> None:
    report = verify(factory.document(), root_pem)
    assert report.valid, report.checks
    outcomes = {check.name: (check.status.value, check.reason) for check in report.checks}
    assert outcomes == {
        "timestamp": ("skip", "not-requested"),
        "ak-chain": ("pass", "ok"),
        "quote-signature": ("pass", "ok"),
        "quote-content": ("pass", "ok"),
        "event-log": ("pass", "ok"),
        "boot-state": ("skip", "boot-not-measured"),
        "policy": ("skip", "not-requested"),
        "artifacts": ("skip", "not-requested"),
    }
    assert (report.verdict, report.trust, report.trust_root) == (
        "VALID, boot not measured",
        "custom",
        "AICert Test Root CA",
    )
    assert [item["name"] for item in report.inputs] == ["code", "data"]
    assert report.inputs[0]["commit"].startswith("9c4e2f") and "commit" not in report.inputs[1]
    assert report.outputs == [
        {"name": "outputs", "manifest_digest": report.outputs[0]["manifest_digest"], "files": 2, "bytes": 112}
    ]
    as_json = json.loads(report.to_json())
    assert as_json["valid"] is True and as_json["format"] == "aicert/v1" and as_json["platform"] == "local"
    assert as_json["verdict"] == "VALID, boot not measured" and as_json["trust"] == "custom"
    assert as_json["trust_root"] == "AICert Test Root CA"
    assert as_json["checks"][1] == {
        "name": "ak-chain",
        "status": "pass",
        "reason": "ok",
        "detail": report.checks[1].detail,
    }
    assert "timestamp" not in as_json  # only a valid time-stamp token adds it


def test_a_boot_without_reference_values_fails_unless_accepted(factory: CertificateFactory, root_pem: Path) -> None:
    report = verify(factory.document(), root_pem, allow_unmeasured_boot=False)
    assert [(check.name, check.reason) for check in report.failures] == [("boot-state", "boot-not-measured")]
    assert report.verdict == "INVALID"


@pytest.mark.parametrize(
    ("make", "scheme", "hash_alg"),
    [
        (lambda pki: CertificateFactory.rsa(pki, scheme=RSAPSS), RSAPSS, SHA256),
        (lambda pki: CertificateFactory.rsa(pki, hash_alg=SHA384), RSASSA, SHA384),
        (lambda pki: CertificateFactory.ecc(pki), ECDSA, SHA256),
        (lambda pki: CertificateFactory.ecc(pki, ec.SECP384R1(), hash_alg=SHA384), ECDSA, SHA384),
        (lambda pki: CertificateFactory.ecc(pki, ec.SECP521R1(), hash_alg=SHA512), ECDSA, SHA512),
    ],
)
def test_every_accepted_scheme_verifies(make: Any, scheme: int, hash_alg: int, pki: PKI, root_pem: Path) -> None:
    factory = make(pki)
    assert (factory.scheme, factory.hash_alg) == (scheme, hash_alg)
    report = verify(factory.document(), root_pem)
    assert report.valid, report.checks


def test_the_ak_must_be_a_restricted_signing_key(factory: CertificateFactory, root_pem: Path) -> None:
    factory.attributes = AK_ATTRIBUTES & ~RESTRICTED
    assert "lacks restricted" in failing(verify(factory.document(), root_pem))["quote-signature"]
    factory.attributes = AK_ATTRIBUTES | DECRYPT
    assert "decrypt" in failing(verify(factory.document(), root_pem))["quote-signature"]


def test_the_signature_must_use_the_scheme_the_key_names(factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()
    factory.key_scheme = RSAPSS  # the public area says PSS, the TPM signed with RSASSA
    document["attestation_key"]["public"] = factory.document()["attestation_key"]["public"]
    assert "not the scheme the AK allows" in failing(verify(document, root_pem))["quote-signature"]
    factory.key_scheme = NULL  # a key without a scheme accepts either
    document["attestation_key"]["public"] = factory.document()["attestation_key"]["public"]
    assert verify(document, root_pem).valid


def test_sha1_signatures_are_not_accepted(factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()
    signature = bytearray(base64.b64decode(document["quote"]["signature"]))
    signature[2:4] = struct.pack(">H", 0x0004)
    document["quote"]["signature"] = b64(bytes(signature))
    factory.key_scheme = NULL
    document["attestation_key"]["public"] = factory.document()["attestation_key"]["public"]
    assert "sha1 is not accepted" in failing(verify(document, root_pem))["quote-signature"]


def test_the_ak_certificate_must_certify_the_quoting_key(factory: CertificateFactory, pki: PKI, root_pem: Path) -> None:
    document = factory.document()
    other = ec.generate_private_key(ec.SECP256R1())
    document["attestation_key"]["certificate_chain"][0] = b64(der(pki.ak_certificate(other.public_key())))
    assert "another TPM" in failing(verify(document, root_pem))["quote-signature"]


def test_quote_content_rules(factory: CertificateFactory, root_pem: Path) -> None:
    good = factory.document()

    def with_attest(attest: bytes) -> dict[str, Any]:
        document = copy.deepcopy(good)
        document["quote"]["attest"] = b64(attest)
        return factory.resign(document)

    values = {int(pcr): bytes.fromhex(value) for pcr, value in good["pcrs"]["sha256"].items()}
    import hashlib

    composite = hashlib.sha256(b"".join(values[pcr] for pcr in range(16))).digest()
    nonce = factory.nonce
    cases = {
        "magic": (
            attest_quote(nonce, selection_bytes([(SHA256, list(range(16)))]), composite, magic=0xFF544348),
            "magic",
        ),
        "type": (attest_quote(nonce, selection_bytes([(SHA256, list(range(16)))]), composite, kind=0x8017), "type"),
        "nonce": (attest_quote(b"\x00" * 32, selection_bytes([(SHA256, list(range(16)))]), composite), "nonce"),
        "two banks": (
            attest_quote(nonce, selection_bytes([(SHA256, list(range(16))), (0x0004, [0])]), composite),
            "exactly the sha256",
        ),
        "sha384 bank": (
            attest_quote(nonce, selection_bytes([(SHA384, list(range(16)))]), composite),
            "exactly the sha256",
        ),
        "partial": (attest_quote(nonce, selection_bytes([(SHA256, list(range(15)))]), composite), "0-15"),
        "digest": (attest_quote(nonce, selection_bytes([(SHA256, list(range(16)))]), b"\x00" * 32), "PCR digest"),
        "trailing": (
            attest_quote(nonce, selection_bytes([(SHA256, list(range(16)))]), composite) + b"\x00",
            "trailing",
        ),
    }
    for name, (attest, message) in cases.items():
        report = verify(with_attest(attest), root_pem)
        assert set(failing(report)) == {"quote-content"}, (name, report.checks)
        assert message in failing(report)["quote-content"], name
    # the PCR values must be exactly the selected ones
    extra = copy.deepcopy(good)
    extra["pcrs"]["sha256"]["16"] = "00" * 32
    assert "not quoted" in failing(verify(extra, root_pem))["quote-content"]
    other_bank = copy.deepcopy(good)
    other_bank["pcrs"]["sha1"] = {}
    assert "bank 'sha1'" in failing(verify(other_bank, root_pem))["quote-content"]
    leading_zero = copy.deepcopy(good)
    leading_zero["pcrs"]["sha256"]["07"] = leading_zero["pcrs"]["sha256"].pop("7")
    assert "not a PCR index" in failing(verify(leading_zero, root_pem))["quote-content"]
    bad_nonce = copy.deepcopy(good)
    bad_nonce["nonce"] = bad_nonce["nonce"].upper()
    assert "lowercase hex" in failing(verify(bad_nonce, root_pem))["quote-content"]


def test_a_quote_over_more_pcrs_verifies(factory: CertificateFactory, root_pem: Path) -> None:
    factory.boot_pcrs = {pcr: bytes([pcr]) * 32 for pcr in list(range(14)) + [16, 23]}
    assert verify(factory.document(), root_pem).valid


def event(document: dict[str, Any], index: int) -> dict[str, Any]:
    return document["event_log"][index]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda events: events.clear(), "empty"),
        (lambda events: events.pop(0), "aicert/runner is required"),
        (lambda events: events.pop(1), "aicert/build-spec is required"),
        (lambda events: events.pop(5), "aicert/output where aicert/launch is required"),
        (lambda events: events.__delitem__(slice(5, None)), "no aicert/launch"),
        (lambda events: events.pop(), "no aicert/result"),
        (lambda events: events.insert(6, events[2]), "cannot follow aicert/launch"),
        (lambda events: events.insert(2, events[4]), "cannot follow aicert/environment"),
        (lambda events: events.insert(4, events[3]), "name 'data' repeats record 3"),
        (lambda events: events.append(events[-1]), "follows aicert/result"),
        (lambda events: events.insert(1, events[0]), "aicert/runner cannot follow aicert/runner"),
        (lambda events: events.insert(3, ("aicert/unknown", {})), "unknown content_type"),
        (lambda events: events.__setitem__(5, ("aicert/launch", {"x": "y"})), "is not {}"),
        (
            lambda events: events.__setitem__(7, ("aicert/result", {"exit_status": -1, "duration_ms": 0})),
            "non-negative",
        ),
        (
            lambda events: events.__setitem__(7, ("aicert/result", {"exit_status": True, "duration_ms": 0})),
            "non-negative",
        ),
        (lambda events: events[3][1].__setitem__("commit", "ab" * 20), "unknown members commit"),
        (lambda events: events[3][1].__setitem__("kind", "ftp"), "kind"),
        (lambda events: events[1][1].__setitem__("command", []), "non-empty array"),
        (lambda events: events[1][1].__setitem__("extra", 1), "unknown members extra"),
        (lambda events: events[4][1].__setitem__("cpus", 4), "object of strings"),
    ],
)
def test_the_grammar_is_enforced_even_when_the_replay_matches(
    edit: Any, message: str, factory: CertificateFactory, root_pem: Path
) -> None:
    factory.events = copy.deepcopy(factory.events)
    edit(factory.events)
    report = verify(factory.document(), root_pem)
    assert set(failing(report)) == {"event-log"}, report.checks
    assert message in failing(report)["event-log"]


def summary_free_document(factory: CertificateFactory, edit: Any) -> dict[str, Any]:
    document = factory.document()
    edit(document)
    return document


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: event(d, 3).__setitem__("recnum", 4), "recnum is 4, not 3"),
        (lambda d: event(d, 3).__setitem__("pcr", 15), "PCR 14, not 15"),
        (lambda d: event(d, 3).__setitem__("pcr", True), "not True"),
        (lambda d: event(d, 3)["digests"].append(event(d, 3)["digests"][0]), "exactly one digest"),
        (lambda d: event(d, 3)["digests"][0].__setitem__("hashAlg", "sha1"), "sha256"),
        (lambda d: event(d, 3)["digests"][0].__setitem__("digest", "AB" * 32), "lowercase hex"),
        (lambda d: event(d, 3).pop("content"), "content is missing"),
        (lambda d: d["pcrs"]["sha256"].__setitem__("14", "00" * 32), "PCR 14 does not replay"),
        (lambda d: d["manifests"]["outputs"].pop("outputs"), "manifests.outputs['outputs'] is missing"),
        (
            lambda d: d["manifests"]["inputs"].__setitem__("ghost", {"entries": [], "version": 1}),
            "which no aicert/input event names",
        ),
        (lambda d: d["manifests"]["inputs"]["data"]["entries"][0].__setitem__("size", 13), "has digest"),
        (
            lambda d: (
                d["manifests"]["inputs"]["data"]["entries"].reverse()
                or d["manifests"]["inputs"]["data"]["entries"].append(file_entry("a", b""))
            ),
            "out of canonical order",
        ),
        (lambda d: d["summary"].__setitem__("note", "trust me"), "summary says 'note'"),
        (lambda d: d["summary"].pop("sandbox"), "summary lacks 'sandbox'"),
        (lambda d: d["summary"]["inputs"][0].pop("commit"), "summary 'inputs'"),
        (lambda d: d["summary"].__setitem__("exit_status", False), "summary 'exit_status'"),
        (lambda d: d["summary"]["outputs"][0].__setitem__("files", 3), "summary 'outputs'"),
    ],
)
def test_event_log_failures_name_the_record_or_pcr(
    edit: Any, message: str, factory: CertificateFactory, root_pem: Path
) -> None:
    report = verify(summary_free_document(factory, edit), root_pem)
    assert "event-log" in failing(report), report.checks
    assert message in failing(report)["event-log"]


def test_manifest_counts_must_match_the_event(factory: CertificateFactory, root_pem: Path) -> None:
    entries = [file_entry("a", b"abc")]
    factory.events = copy.deepcopy(factory.events)
    factory.events[6] = (
        "aicert/output",
        {"name": "outputs", "manifest_digest": manifest_digest(entries), "files": 2, "bytes": 3, "_entries": entries},
    )
    assert "holds 1 files and 3 bytes" in failing(verify(factory.document(), root_pem))["event-log"]


def test_boot_state_against_a_policy(factory: CertificateFactory, root_pem: Path, tmp_path: Path) -> None:
    factory.boot_pcrs = {pcr: bytes([pcr]) * 32 for pcr in range(14)}
    document = factory.document()
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        f'version: 1\nplatforms:\n  local:\n    pcrs:\n      sha256:\n        4: "{"04" * 32}"\n'
        f'        11: ["{"ff" * 32}", "{"0b" * 32}"]\n'
    )
    report = verify(document, root_pem, policy=policy, allow_unmeasured_boot=False)
    assert (report.check("boot-state").status, report.check("boot-state").reason) == ("pass", "ok") and report.valid
    assert report.verdict == "VALID"
    policy.write_text(f'version: 1\nplatforms:\n  local:\n    pcrs:\n      sha256:\n        5: "{"04" * 32}"\n')
    report = verify(document, root_pem, policy=policy)
    assert (
        report.check("boot-state").reason == "reference-mismatch" and "PCR 5 is 0505" in failing(report)["boot-state"]
    )
    # a policy for another platform gives no reference values for this one
    policy.write_text(f'version: 1\nplatforms:\n  qemu:\n    pcrs:\n      sha256:\n        5: "{"04" * 32}"\n')
    report = verify(document, root_pem, policy=policy, allow_unmeasured_boot=False)
    assert (report.check("boot-state").status, report.check("boot-state").reason) == ("fail", "boot-not-measured")
    policy.write_text(
        "version: 1\nallow_unmeasured_boot: true\n"
        f'platforms:\n  qemu:\n    pcrs:\n      sha256:\n        5: "{"04" * 32}"\n'
    )
    report = verify(document, root_pem, policy=policy, allow_unmeasured_boot=False)
    assert (report.check("boot-state").status, report.check("boot-state").reason) == ("skip", "boot-not-measured")
    assert report.verdict == "VALID, boot not measured"


def test_policy_requirements(factory: CertificateFactory, root_pem: Path, tmp_path: Path) -> None:
    document = factory.document()
    code = document["summary"]["inputs"][0]
    output = document["summary"]["outputs"][0]
    policy = tmp_path / "policy.yaml"

    def check(text: str) -> aicert_verify.Check:
        policy.write_text("version: 1\n" + text)
        return verify(document, root_pem, policy=policy).check("policy")

    assert (
        check(
            f'inputs:\n  - name: code\n    digest: "{code["manifest_digest"]}"\n'
            f'    commit: "{code["commit"].upper()}"\n'
            f'outputs:\n  - name: outputs\n    digest: "{output["manifest_digest"]}"\n'
        ).status
        == "pass"
    )
    assert check("inputs:\n  - name: missing\n").status == "fail"
    assert "has manifest digest" in check(f'outputs:\n  - name: outputs\n    digest: "{"0" * 64}"\n').detail
    assert "no commit" in check(f'inputs:\n  - name: data\n    commit: "{"a" * 40}"\n').detail
    assert check("trusted_roots: []\n").status == "skip"


def test_artifacts_are_matched_against_the_outputs(factory: CertificateFactory, root_pem: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    (outputs / "empty").mkdir(parents=True)
    for name, content in OUTPUT_FILES.items():
        (outputs / name).write_bytes(content)
    (outputs / "latest").symlink_to("model.bin")
    document = factory.document()
    report = verify(document, root_pem, artifacts=[outputs, outputs / "model.bin"])
    assert report.check("artifacts").status == "pass", report.checks
    (outputs / "metrics.json").write_bytes(b"{}")
    assert "'metrics.json' is different" in failing(verify(document, root_pem, artifacts=[outputs]))["artifacts"]
    (outputs / "extra.txt").write_bytes(b"")
    assert "'extra.txt' is extra" in failing(verify(document, root_pem, artifacts=[outputs]))["artifacts"]
    (outputs / "model.bin").unlink()
    (outputs / "extra.txt").unlink()
    (outputs / "metrics.json").write_bytes(OUTPUT_FILES["metrics.json"])
    assert "'model.bin' is missing" in failing(verify(document, root_pem, artifacts=[outputs]))["artifacts"]
    (tmp_path / "metrics.json").write_bytes(b"{}")
    assert (
        "differs from 'metrics.json'"
        in failing(verify(document, root_pem, artifacts=[tmp_path / "metrics.json"]))["artifacts"]
    )
    (tmp_path / "unknown.bin").write_bytes(b"")
    assert (
        "no output has a file named 'unknown.bin'"
        in failing(verify(document, root_pem, artifacts=[tmp_path / "unknown.bin"]))["artifacts"]
    )
    assert "no such file" in failing(verify(document, root_pem, artifacts=[tmp_path / "absent"]))["artifacts"]


def test_the_chain_is_checked_at_the_given_time(factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()
    assert verify(document, root_pem).valid
    late = verify(document, root_pem, at="2030-01-01T00:00:00Z")
    detail = failing(late)["ak-chain"]
    assert late.check("ak-chain").reason == "certificate-expired" and late.trust == "none"
    assert "'AICert test AK' is expired at 2030-01-01T00:00:00Z" in detail
    assert "valid from 2026-11-24T07:40:00Z to 2027-11-25T07:40:00Z" in detail
    early = verify(document, root_pem, at=dt.datetime(2026, 1, 1))
    assert "not yet valid" in failing(early)["ak-chain"] and early.check("ak-chain").reason == "certificate-expired"


def test_the_chain_is_checked_now_never_at_the_runner_time(
    factory: CertificateFactory, pki: PKI, root_pem: Path
) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    document = factory.document()
    # valid only long ago: the runner_time inside its validity must not rescue it
    old_leaf = pki.ak_certificate(
        factory.ak_key.public_key(), not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=20)
    )
    document["attestation_key"]["certificate_chain"][0] = b64(der(old_leaf))
    document["runner_time"] = (now - dt.timedelta(days=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = verify(document, root_pem, at=None)
    assert report.check("ak-chain").reason == "certificate-expired", report.checks
    # valid now: a runner_time outside its validity changes nothing (runner_time is informational)
    fresh = pki.ak_certificate(factory.ak_key.public_key(), not_before=now - dt.timedelta(days=1))
    document["attestation_key"]["certificate_chain"][0] = b64(der(fresh))
    document["runner_time"] = "2040-01-01T00:00:00Z"
    assert verify(document, root_pem, at=None).valid


def test_nothing_in_the_certificate_is_trusted_by_itself(factory: CertificateFactory, pki: PKI) -> None:
    document = factory.document()
    document["attestation_key"]["certificate_chain"].append(b64(der(pki.root)))
    report = aicert_verify.verify(aicert_verify.load(encode(document)), at=NOW)
    assert "no trusted root" in failing(report)["ak-chain"]
    assert (report.check("ak-chain").reason, report.trust, report.trust_root) == ("untrusted-root", "none", None)


def test_chain_rules(pki: PKI, factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()
    ak_public = factory.ak_key.public_key()

    def with_chain(*certificates: x509.Certificate) -> str:
        edited = copy.deepcopy(document)
        edited["attestation_key"]["certificate_chain"] = [b64(der(item)) for item in certificates]
        return failing(verify(edited, root_pem)).get("ak-chain", "")

    leaf = pki.ak_certificate(ak_public)
    # an intermediate that is not a CA, or may not sign certificates
    not_ca = pki.reissued_intermediate("Not a CA", ca=False)
    assert "is not a CA" in with_chain(pki.ak_certificate_under(not_ca, ak_public), not_ca)
    no_sign = pki.reissued_intermediate("No keyCertSign", ca=True, key_cert_sign=False)
    assert "keyCertSign" in with_chain(pki.ak_certificate_under(no_sign, ak_public), no_sign)
    no_constraints = pki.reissued_intermediate("No BC", ca=True, basic_constraints=False)
    assert "no basic constraints" in with_chain(pki.ak_certificate_under(no_constraints, ak_public), no_constraints)
    # path length: the root allows one intermediate below it
    second = issue("Second CA", pki.root_key.public_key(), pki.intermediate.subject, pki.intermediate_key, ca=True)
    assert "intermediates below it" in with_chain(
        issue("AK", ak_public, second.subject, pki.root_key, ca=False), second, pki.intermediate
    )
    # an unknown critical extension
    odd = pki.ak_certificate(
        ak_public, extra=[(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00"), True)]
    )
    assert "unrecognised critical extension 1.2.3.4" in with_chain(odd, pki.intermediate)
    # an expired intermediate is named with its dates
    old = pki.reissued_intermediate(
        "Old CA", ca=True, path_length=0, not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=1)
    )
    detail = with_chain(pki.ak_certificate_under(old, ak_public), old)
    assert (
        "'Old CA' is expired at 2026-11-25T07:40:00Z: valid from 2026-10-26T07:40:00Z to 2026-11-24T07:40:00Z" in detail
    )
    # a signature by the wrong key
    forged = issue(
        "AICert test AK", ak_public, pki.intermediate.subject, ec.generate_private_key(ec.SECP256R1()), ca=False
    )
    assert "no trusted root or given intermediate issued" in with_chain(forged, pki.intermediate)
    assert with_chain(leaf, pki.intermediate) == ""
    assert with_chain(leaf, pki.intermediate, pki.root) == ""  # carrying the root is harmless
    assert with_chain(leaf, pki.intermediate, pki.intermediate, leaf) == ""


def test_cross_signed_loops_end(pki: PKI, factory: CertificateFactory, root_pem: Path) -> None:
    key_a, key_b = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    name_b = issue("Loop B", key_b.public_key(), None, key_b, ca=True).subject
    a_by_b = issue("Loop A", key_a.public_key(), name_b, key_b, ca=True)
    b_by_a = issue("Loop B", key_b.public_key(), a_by_b.subject, key_a, ca=True)
    leaf = issue("AK", factory.ak_key.public_key(), a_by_b.subject, key_a, ca=False)
    document = factory.document()
    document["attestation_key"]["certificate_chain"] = [
        b64(der(item)) for item in (leaf, a_by_b, b_by_a, a_by_b, b_by_a)
    ]
    assert "no trusted root" in failing(verify(document, root_pem))["ak-chain"]


def test_the_azure_root_is_built_in() -> None:
    from aicert_verify.chain import builtin_roots

    roots = builtin_roots()
    assert [root.certificate.subject.rfc4514_string() for root in roots] == [
        "CN=Azure Virtual TPM Root Certificate Authority 2023,O=Microsoft Corporation,C=US"
    ]


def test_an_ak_certificate_with_an_empty_subject_and_critical_san(
    pki: PKI, factory: CertificateFactory, root_pem: Path
) -> None:
    # TCG-style AK certificates (Azure's among them) have an empty subject and a critical SAN.
    san = x509.SubjectAlternativeName(
        [x509.DirectoryName(x509.Name([x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.1"), "id:4D534654")]))]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(pki.intermediate.subject)
        .public_key(factory.ak_key.public_key())
        .serial_number(0x1234)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .add_extension(san, critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.ObjectIdentifier("2.23.133.8.3")]), critical=False)
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    document = factory.document()
    document["attestation_key"]["certificate_chain"][0] = b64(der(leaf))
    report = verify(document, root_pem)
    assert report.valid, report.checks
    assert "(empty subject, serial 1234)" in report.check("ak-chain").detail
    assert (
        "(empty subject, serial 1234) is expired"
        in failing(verify(document, root_pem, at="2026-11-27T00:00:00Z"))["ak-chain"]
    )


def test_numbers_outside_the_format_fail_where_they_are_used(factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()
    document["later_version_member"] = [0.5, 2**60]  # unknown members are ignored, whatever they hold
    assert verify(document, root_pem).valid
    document["summary"]["exit_status"] = 0.0  # JSON does not tell 0.0 from 0
    assert verify(document, root_pem).valid
    document = factory.document()
    document["event_log"][1]["content"]["timeout_seconds"] = 600.0
    assert verify(document, root_pem).valid
    for refused in (600.5, -1, 2**53):
        document["event_log"][1]["content"]["timeout_seconds"] = refused
        report = verify(document, root_pem)
        assert "timeout_seconds is not a non-negative integer" in failing(report)["event-log"]
        assert report.check("event-log").reason == "log-grammar"
    document = factory.document()
    document["manifests"]["inputs"]["data"]["entries"][0]["size"] = 12.0
    assert "size is not an integer" in failing(verify(document, root_pem))["event-log"]
    document = factory.document()
    document["event_log"][7]["content"]["duration_ms"] = 2**53
    assert "record 7" in failing(verify(document, root_pem))["event-log"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda runner: runner.update(extra="x"),
        lambda runner: runner.pop("platform"),
        lambda runner: runner.pop("executable_sha256"),
        lambda runner: runner.update(platform="gcp"),
        lambda runner: runner.update(executable_sha256="5D" * 32),
        lambda runner: runner.update(version=1),
        lambda runner: runner.update(image={"name": "a", "version": "1", "uki_sha256": "68" * 32, "extra": "x"}),
        lambda runner: runner.update(image={"name": "a", "version": "1"}),
        lambda runner: runner.update(image={"name": "a", "version": "1", "uki_sha256": "68" * 31}),
    ],
    ids=[
        "unknown-member",
        "no-platform",
        "no-executable",
        "unknown-platform",
        "uppercase-hex",
        "version-not-string",
        "image-unknown-member",
        "image-no-uki",
        "image-short-uki",
    ],
)
def test_the_runner_event_has_exactly_its_members(edit: Any, factory: CertificateFactory, root_pem: Path) -> None:
    edit(factory.events[0][1])  # everything is recomputed and re-signed: only the grammar can refuse it
    report = verify(factory.document(), root_pem)
    assert [(check.name, check.reason) for check in report.failures] == [("event-log", "log-grammar")], report.checks
    assert report.platform is None and report.inputs == []


def test_the_summary_states_the_signed_platform_and_image(factory: CertificateFactory, root_pem: Path) -> None:
    image = {"name": "aicert-base", "version": "1", "uki_sha256": "68" * 32}
    factory.events[0][1]["image"] = image
    document = factory.document()
    assert document["summary"]["platform"] == "local" and document["summary"]["image"] == image
    assert verify(document, root_pem).valid
    for key, value in (("platform", "qemu"), ("image", None)):
        lying = copy.deepcopy(document)
        if value is None:
            del lying["summary"][key]
        else:
            lying["summary"][key] = value
        report = verify(lying, root_pem)
        assert [(check.name, check.reason) for check in report.failures] == [("event-log", "summary-mismatch")]


def test_the_top_level_platform_must_be_the_signed_one(factory: CertificateFactory, root_pem: Path) -> None:
    factory.platform = "azure"  # the runner event still signs "local"
    report = verify(factory.document(), root_pem)
    assert [(check.name, check.reason) for check in report.failures] == [("event-log", "platform-mismatch")]
    assert report.platform == "local"


def test_tampered_records_fail_with_their_reason(factory: CertificateFactory, root_pem: Path) -> None:
    def reason(edit: Any) -> str:
        document = factory.document()
        edit(document)
        return verify(document, root_pem).check("event-log").reason

    assert reason(lambda d: d["event_log"][3]["content"].update(source="elsewhere")) == "event-digest-mismatch"
    assert reason(lambda d: d["event_log"].pop(3)) == "log-grammar"  # recnum gap
    assert reason(lambda d: d["pcrs"]["sha256"].update({"14": "00" * 32})) == "pcr-replay-mismatch"
    assert reason(lambda d: d["manifests"]["outputs"].clear()) == "manifest-mismatch"
    assert reason(lambda d: d["summary"].update(exit_status=1)) == "summary-mismatch"


def test_a_duplicate_key_anywhere_cannot_be_verified(factory: CertificateFactory) -> None:
    text = encode(factory.document()).replace(b'"name": "code"', b'"name": "code", "name": "code"', 1)
    with pytest.raises(aicert_verify.FormatError, match="appears twice"):
        aicert_verify.verify(text)


def test_the_ak_certificate_must_carry_the_tcg_ak_purpose(
    pki: PKI, factory: CertificateFactory, root_pem: Path
) -> None:
    from cryptography.x509.oid import ExtendedKeyUsageOID

    ak_public = factory.ak_key.public_key()
    document = factory.document()

    def chain_reason(*certificates: x509.Certificate) -> str:
        edited = copy.deepcopy(document)
        edited["attestation_key"]["certificate_chain"] = [b64(der(item)) for item in certificates]
        return verify(edited, root_pem).check("ak-chain").reason

    def bare_leaf(common_name: str, serial: int, *extensions: x509.ExtensionType) -> x509.Certificate:
        """An AK certificate with no basic constraints and only ``extensions`` (``issue`` adds the AK purpose)."""
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)]))
            .issuer_name(pki.intermediate.subject)
            .public_key(ak_public)
            .serial_number(serial)
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=1))
        )
        for extension in extensions:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(pki.intermediate_key, hashes.SHA256())

    assert chain_reason(bare_leaf("no EKU", 7), pki.intermediate) == "ak-purpose-missing"
    server = bare_leaf("TLS only", 8, x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]))
    assert chain_reason(server, pki.intermediate) == "ak-purpose-missing"
    assert chain_reason(pki.ak_certificate(ak_public), pki.intermediate) == "ok"
    # an issuer that limits extended key usage must allow the AK purpose
    limited = pki.reissued_intermediate(
        "Limited CA", ca=True, path_length=0, extra=[(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)]
    )
    assert chain_reason(pki.ak_certificate_under(limited, ak_public), limited) == "ak-purpose-missing"
    allowing = pki.reissued_intermediate(
        "Allowing CA",
        ca=True,
        path_length=0,
        extra=[(x509.ExtendedKeyUsage([x509.ObjectIdentifier("2.23.133.8.3")]), False)],
    )
    assert chain_reason(pki.ak_certificate_under(allowing, ak_public), allowing) == "ok"


def test_chain_reasons(pki: PKI, factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()

    def reason(chain: list[str], **options: Any) -> str:
        edited = copy.deepcopy(document)
        edited["attestation_key"]["certificate_chain"] = chain
        return verify(edited, root_pem, **options).check("ak-chain").reason

    carried = document["attestation_key"]["certificate_chain"]
    assert reason([]) == "chain-missing"
    assert reason(carried + [carried[1]] * 8) == "chain-too-long"
    assert reason([carried[0], b64(b"not DER")]) == "certificate-unreadable"
    assert reason(carried[:1]) == "untrusted-root"
    assert reason(carried, at="2040-01-01T00:00:00Z") == "certificate-expired"
    not_ca = pki.reissued_intermediate("Not a CA", ca=False)
    leaf = pki.ak_certificate_under(not_ca, factory.ak_key.public_key())
    assert reason([b64(der(leaf)), b64(der(not_ca))]) == "chain-invalid"


def test_trust_follows_the_anchoring_root(pki: PKI, factory: CertificateFactory) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec as curves

    development_key = curves.generate_private_key(curves.SECP256R1())
    marker = x509.CertificatePolicies(
        [x509.PolicyInformation(x509.ObjectIdentifier("2.25.335388637988323779020636330835816093254"), None)]
    )
    development_root = issue(
        "AICert Development Root",
        development_key.public_key(),
        None,
        development_key,
        ca=True,
        path_length=1,
        extra=[(marker, False)],
    )
    intermediate_key = curves.generate_private_key(curves.SECP256R1())
    intermediate = issue(
        "AICert Development AK CA",
        intermediate_key.public_key(),
        development_root.subject,
        development_key,
        ca=True,
        path_length=0,
    )
    leaf = issue("AK", factory.ak_key.public_key(), intermediate.subject, intermediate_key, ca=False)
    document = factory.document()
    document["attestation_key"]["certificate_chain"] = [b64(der(leaf)), b64(der(intermediate))]
    report = aicert_verify.verify(encode(document), trust_roots=[development_root], at=NOW, allow_unmeasured_boot=True)
    assert report.valid and (report.trust, report.trust_root) == ("development", "AICert Development Root")
    custom = aicert_verify.verify(
        encode(factory.document()), trust_roots=[pki.root], at=NOW, allow_unmeasured_boot=True
    )
    assert (custom.trust, custom.trust_root) == ("custom", "AICert Test Root CA")
    # the platform a certificate claims does not make it more trusted than its root
    factory.platform = "azure"
    factory.events[0][1]["platform"] = "azure"
    azure = aicert_verify.verify(encode(factory.document()), trust_roots=[pki.root], at=NOW, allow_unmeasured_boot=True)
    assert azure.valid and azure.trust == "custom"
