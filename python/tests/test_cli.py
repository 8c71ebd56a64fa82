"""``python -m aicert_verify verify``: exit codes, messages, human and JSON output; ``load`` errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from builders import CertificateFactory, encode, standard_events

import aicert_verify


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aicert_verify", *arguments], capture_output=True, text=True)


@pytest.fixture()
def certificate(factory: CertificateFactory, tmp_path: Path) -> Path:
    path = tmp_path / "certificate.json"
    path.write_bytes(encode(factory.document()))
    return path


def test_a_valid_certificate_exits_0_with_one_line_per_check(certificate: Path, root_pem: Path) -> None:
    result = run("verify", str(certificate), "--trust-root", str(root_pem), "--allow-unmeasured-boot")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("aicert/v1, platform local")
    marks = {line.split()[1]: line.split()[0] for line in lines[1:9]}
    assert marks == {
        "timestamp": "-",
        "ak-chain": "✓",
        "quote-signature": "✓",
        "quote-content": "✓",
        "event-log": "✓",
        "boot-state": "-",
        "policy": "-",
        "artifacts": "-",
    }
    assert "inputs:" in lines and "outputs:" in lines
    assert any(line.strip().startswith("code  git https://example.org/code.git @9c4e2f") for line in lines)
    assert lines[-1] == "VALID, boot not measured (trust: custom (AICert Test Root CA))"


def test_an_unmeasured_boot_fails_without_the_option(certificate: Path, root_pem: Path) -> None:
    result = run("verify", str(certificate), "--trust-root", str(root_pem))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith(
        "INVALID (trust: custom (AICert Test Root CA)): boot-state failed: no reference values"
    )


def test_registered_images_give_the_boot_reference_values(
    factory: CertificateFactory, tmp_path: Path, root_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory.events = standard_events(image={"name": "aicert-base", "version": "1", "uki_sha256": "68" * 32})
    path = tmp_path / "certificate.json"
    path.write_bytes(encode(factory.document()))
    unknown = run("verify", str(path), "--trust-root", str(root_pem), "--json")
    boot = next(check for check in json.loads(unknown.stdout)["checks"] if check["name"] == "boot-state")
    assert (unknown.returncode, boot["reason"]) == (1, "unknown-image") and "68" * 32 in boot["detail"]
    home = tmp_path / "home"
    (home / "images").mkdir(parents=True)
    (home / "images" / "base.yaml").write_text(
        f'version: 1\nimages:\n  - name: aicert-base\n    version: "1"\n    uki_sha256: "{"68" * 32}"\n'
        f'    pcrs:\n      sha256:\n        4: "{"00" * 32}"\n'
    )
    monkeypatch.setenv("AICERT_HOME", str(home))
    known = run("verify", str(path), "--trust-root", str(root_pem))
    assert known.returncode == 0, known.stdout
    assert known.stdout.splitlines()[-1] == "VALID (trust: custom (AICert Test Root CA))"
    (home / "images" / "broken.yaml").write_text("version: 1\nimages: 3\n")
    assert run("verify", str(path), "--trust-root", str(root_pem)).returncode == 2


def test_certificate_text_cannot_rewrite_the_terminal(
    factory: CertificateFactory, tmp_path: Path, root_pem: Path
) -> None:
    hostile = "x\x1b[1A\x1b[2K\rVALID\x9b2K\u202e\u2028\u200b"
    factory.events[3][1]["source"] = hostile
    path = tmp_path / "hostile.json"
    path.write_bytes(encode(factory.document()))
    result = run("verify", str(path), "--trust-root", str(root_pem), "--allow-unmeasured-boot")
    assert result.returncode == 0, result.stdout
    for character in ("\x1b", "\r", "\x9b", "\u202e", "\u2028", "\u200b"):
        assert character not in result.stdout
    assert "x\\x1b[1A\\x1b[2K\\x0dVALID\\x9b2K\\u202e\\u2028\\u200b" in result.stdout


def test_a_failed_verification_exits_1_and_says_which_check(
    factory: CertificateFactory, tmp_path: Path, root_pem: Path
) -> None:
    document = factory.document()
    document["summary"]["exit_status"] = 3
    path = tmp_path / "lie.json"
    path.write_bytes(encode(document))
    result = run("verify", str(path), "--trust-root", str(root_pem), "--allow-unmeasured-boot")
    assert result.returncode == 1
    assert "  ✗ event-log" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "INVALID (trust: custom (AICert Test Root CA)): "
        "event-log failed: summary 'exit_status' is not what the log says"
    )
    as_json = run("verify", str(path), "--trust-root", str(root_pem), "--json", "--allow-unmeasured-boot")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert list(report) == [
        "valid",
        "verdict",
        "format",
        "platform",
        "trust",
        "trust_root",
        "checks",
        "inputs",
        "outputs",
    ]
    assert report["valid"] is False and [check["name"] for check in report["checks"]] == list(aicert_verify.CHECK_NAMES)
    assert (report["verdict"], report["trust"], report["trust_root"]) == ("INVALID", "custom", "AICert Test Root CA")
    event_log = report["checks"][4]
    assert list(event_log) == ["name", "status", "reason", "detail"]
    assert (event_log["status"], event_log["reason"]) == ("fail", "summary-mismatch")


def test_without_the_root_the_chain_fails(certificate: Path) -> None:
    result = run("verify", str(certificate))
    assert result.returncode == 1 and "  ✗ ak-chain" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON"),
        (b'{"format": "aicert/v1",', "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "not a JSON object"),
        (b'{"format": "aicert/v2"}', "unknown format 'aicert/v2'"),
        (b'{"format": 2}', "format: unknown format"),
        (b'{"hello": 1}', "format: required field is missing"),
        (b'{"format": "aicert/v1", "format": "aicert/v1"}', "appears twice"),
        (b'{"format": "aicert/v1", "x": "\\ud800"}', "x: a string holds a lone surrogate"),
        (b'{"format": "aicert/v1", "x": [NaN]}', "NaN is not JSON"),
        (b'{"format": "aicert/v1", "x": ' + b"9" * 5000 + b"}", "not usable JSON"),
        (b"[" * 100000 + b"]" * 100000, "nested deeper"),
    ],
)
def test_files_that_cannot_be_verified_exit_2(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = run("verify", str(path))
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and result.stderr.startswith("aicert verify: could not verify:")
    with pytest.raises(aicert_verify.FormatError, match=message.replace("(", r"\(").replace("[", r"\[")):
        aicert_verify.load(content)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["quote"].pop("attest"), "quote.attest: required field is missing"),
        (lambda d: d["quote"].__setitem__("attest", "not base64!"), "quote.attest: is not standard base64"),
        (lambda d: d["quote"].__setitem__("attest", "AAA"), "quote.attest: is not standard base64"),
        (
            lambda d: d["attestation_key"]["certificate_chain"].__setitem__(1, 7),
            "attestation_key.certificate_chain[1]: is not a base64",
        ),
        (lambda d: d.pop("nonce"), "nonce: required field is missing"),
        (lambda d: d.__setitem__("event_log", {}), "event_log: is not an array"),
        (lambda d: d["manifests"].pop("outputs"), "manifests.outputs: required field is missing"),
        (lambda d: d.__setitem__("runner_time", "yesterday"), "runner_time: is not an RFC 3339 time"),
        (lambda d: d.__setitem__("firmware_event_log", "*"), "firmware_event_log: is not standard base64"),
    ],
)
def test_missing_or_mistyped_members_are_named(edit: Any, field: str, factory: CertificateFactory) -> None:
    document = factory.document()
    edit(document)
    with pytest.raises(aicert_verify.FormatError) as caught:
        aicert_verify.load(encode(document))
    assert str(caught.value).startswith(field)


def test_usage_errors_exit_2(certificate: Path, tmp_path: Path) -> None:
    no_certificate = run("verify")
    assert no_certificate.returncode == 2 and no_certificate.stderr.startswith("usage: python -m aicert_verify verify")
    assert run("frobnicate").returncode == 2
    missing = run("verify", str(tmp_path / "absent.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    bad_time = run("verify", str(certificate), "--at", "tomorrow")
    assert bad_time.returncode == 2 and "--at 'tomorrow'" in bad_time.stderr
    bad_root = run("verify", str(certificate), "--trust-root", str(certificate))
    assert bad_root.returncode == 2 and "--trust-root" in bad_root.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\ninptus: []\n")
    bad_policy = run("verify", str(certificate), "--policy", str(policy))
    assert bad_policy.returncode == 2 and "inptus: unknown key" in bad_policy.stderr
    no_artifact = run("verify", str(certificate), "--artifact", str(tmp_path / "nowhere"))
    assert no_artifact.returncode == 2 and "--artifact" in no_artifact.stderr


def test_help_reads_like_a_manual() -> None:
    result = run("verify", "--help")
    assert result.returncode == 0
    for text in (
        "--trust-root PEM",
        "--policy FILE",
        "--artifact PATH",
        "--at RFC3339",
        "--json",
        "--allow-unmeasured-boot",
        "exit status: 0 valid",
    ):
        assert text in result.stdout


def test_strict_mode_raises_with_the_report(factory: CertificateFactory, root_pem: Path) -> None:
    document = factory.document()
    assert aicert_verify.verify(encode(document), trust_roots=[root_pem], strict=True, allow_unmeasured_boot=True).valid
    document["nonce"] = "00" * 32
    with pytest.raises(aicert_verify.VerificationError) as caught:
        aicert_verify.verify(encode(document), trust_roots=[root_pem], strict=True, allow_unmeasured_boot=True)
    assert caught.value.report.check("quote-content").status == "fail"
    assert "quote-content" in str(caught.value)


def test_load_accepts_paths_and_bytes(certificate: Path) -> None:
    for source in (certificate, str(certificate), certificate.read_bytes(), bytearray(certificate.read_bytes())):
        loaded = aicert_verify.load(source)
        assert isinstance(loaded, aicert_verify.V1Certificate)
        assert loaded.format == "aicert/v1" and loaded.platform == "local"
