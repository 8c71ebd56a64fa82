"""``boot-state``: the five steps of docs/verification-rules.md, one test per reason code.

The certificates carry the firmware event log of a real qemu boot of the base image and quote
the PCR values its kernel read (Tests/TPMTestSupport/RealBoot.swift).
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from typing import Any

import pytest
from builders import CertificateFactory, encode, standard_events
from firmware import real_boot
from pki import NOW

import aicert_verify
from aicert_verify.firmware_log import FirmwareEvent, parse_firmware_log
from aicert_verify.report import INTERNAL_ERROR

LOG, PCRS = real_boot()
REPLAYED = parse_firmware_log(LOG).replay()
UKI = "6802b0de40407a74d218e99f83b2228bd077f17a4ef0b110496d98a0da081556"
KERNEL = "6b1bf35c3bee9918250f593a6fff889c75c1e239cd2fe9e5bb0cd3de9dcb8e51"
IMAGE = {"name": "aicert-base", "version": "1", "uki_sha256": UKI}


def qemu_factory(factory: CertificateFactory, image: dict[str, str] | None = None) -> CertificateFactory:
    factory.platform = "qemu"
    factory.events = standard_events("qemu", image)
    factory.boot_pcrs = {pcr: PCRS[pcr] for pcr in range(14)}
    return factory


def verify(document: dict[str, Any], root: Path, **options: Any) -> aicert_verify.Report:
    report = aicert_verify.verify(aicert_verify.load(encode(document)), trust_roots=[root], at=NOW, **options)
    assert not any(check.detail.startswith(INTERNAL_ERROR) for check in report.checks), report.checks
    return report


def boot(report: aicert_verify.Report) -> tuple[str, str]:
    check = report.check("boot-state")
    return check.status.value, check.reason


def policy_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text("version: 1\n" + text)
    return path


REFERENCE = f'''platforms:
  qemu:
    pcrs:
      sha256:
        4: "{PCRS[4].hex()}"
        11: "{PCRS[11].hex()}"
    boot:
      secure_boot: false
      applications: ["{UKI}", "{KERNEL}"]
      separators: true
'''


def encode_log(events: list[FirmwareEvent]) -> bytes:
    """A crypto-agile log of ``events`` (the first being the Spec ID event)."""
    first = events[0]
    data = struct.pack("<II", first.pcr, first.type) + bytes(20) + struct.pack("<I", len(first.data)) + first.data
    for event in events[1:]:
        data += struct.pack("<III", event.pcr, event.type, len(event.digests))
        for algorithm, value in event.digests.items():
            data += struct.pack("<H", algorithm) + value
        data += struct.pack("<I", len(event.data)) + event.data
    return data


def test_a_real_boot_with_its_reference_values_passes(
    factory: CertificateFactory, root_pem: Path, tmp_path: Path
) -> None:
    document = qemu_factory(factory).document(firmware_log=LOG)
    report = verify(document, root_pem, policy=policy_file(tmp_path, REFERENCE))
    assert boot(report) == ("pass", "ok") and report.valid, report.checks
    assert (report.verdict, report.platform) == ("VALID", "qemu")


def test_a_log_that_does_not_parse_is_firmware_log_unreadable(factory: CertificateFactory, root_pem: Path) -> None:
    document = qemu_factory(factory).document(firmware_log=LOG[:-3])
    assert boot(verify(document, root_pem, allow_unmeasured_boot=True)) == ("fail", "firmware-log-unreadable")


def test_a_pcr_whose_events_replay_elsewhere_is_pcr_replay_mismatch(
    factory: CertificateFactory, root_pem: Path
) -> None:
    qemu_factory(factory).boot_pcrs[4] = bytes(32)
    report = verify(factory.document(firmware_log=LOG), root_pem, allow_unmeasured_boot=True)
    assert boot(report) == ("fail", "pcr-replay-mismatch") and "PCR 4" in report.check("boot-state").detail


@pytest.mark.parametrize("pcr", sorted(REPLAYED))
def test_dropping_a_pcrs_events_is_pcr_not_replayed(
    pcr: int, factory: CertificateFactory, root_pem: Path, tmp_path: Path
) -> None:
    events = [event for event in parse_firmware_log(LOG).events if event.spec_id or event.pcr != pcr]
    document = qemu_factory(factory).document(firmware_log=encode_log(events))
    report = verify(document, root_pem, allow_unmeasured_boot=True, policy=policy_file(tmp_path, REFERENCE))
    assert boot(report) == ("fail", "pcr-not-replayed"), report.check("boot-state")
    assert report.check("boot-state").detail.startswith(f"PCR {pcr} ")


def test_a_described_pcr_without_events_must_be_quoted_as_zero(factory: CertificateFactory, root_pem: Path) -> None:
    qemu_factory(factory).boot_pcrs[12] = b"\x01" * 32
    report = verify(factory.document(firmware_log=LOG), root_pem, allow_unmeasured_boot=True)
    assert boot(report) == ("fail", "pcr-not-replayed") and "PCR 12" in report.check("boot-state").detail


def test_without_reference_values_the_boot_is_not_measured(factory: CertificateFactory, root_pem: Path) -> None:
    document = qemu_factory(factory).document(firmware_log=LOG)
    refused = verify(document, root_pem)
    assert boot(refused) == ("fail", "boot-not-measured") and refused.verdict == "INVALID"
    accepted = verify(document, root_pem, allow_unmeasured_boot=True)
    assert boot(accepted) == ("skip", "boot-not-measured") and accepted.verdict == "VALID, boot not measured"


def test_a_signed_image_nobody_knows_is_unknown_image(
    factory: CertificateFactory, root_pem: Path, tmp_path: Path
) -> None:
    document = qemu_factory(factory, IMAGE).document(firmware_log=LOG)
    report = verify(document, root_pem)
    assert boot(report) == ("fail", "unknown-image") and UKI in report.check("boot-state").detail
    assert boot(verify(document, root_pem, allow_unmeasured_boot=True)) == ("skip", "unknown-image")
    other = aicert_verify.KnownImage("other", "1", "00" * 32, aicert_verify.BootReference({4: (PCRS[4].hex(),)}))
    assert boot(verify(document, root_pem, known_images=[other])) == ("fail", "unknown-image")


def test_a_known_image_gives_the_reference_values(factory: CertificateFactory, root_pem: Path, tmp_path: Path) -> None:
    document = qemu_factory(factory, IMAGE).document(firmware_log=LOG)
    rules = aicert_verify.BootRules(secure_boot=False, applications=(UKI, KERNEL), separators=True)
    known = aicert_verify.KnownImage("aicert-base", "1", UKI, aicert_verify.BootReference({4: (PCRS[4].hex(),)}, rules))
    report = verify(document, root_pem, known_images=[known])
    assert boot(report) == ("pass", "ok") and report.verdict == "VALID"
    images = (
        f'images:\n  - name: aicert-base\n    version: "1"\n    uki_sha256: "{UKI}"\n'
        f'    pcrs:\n      sha256:\n        4: "{"00" * 32}"\n'
    )
    assert boot(verify(document, root_pem, policy=policy_file(tmp_path, images))) == ("fail", "reference-mismatch")
    # the policy's entry for the signed platform comes first
    both = REFERENCE + images
    assert boot(verify(document, root_pem, policy=policy_file(tmp_path, both))) == ("pass", "ok")


def test_a_reference_pcr_with_another_value_is_reference_mismatch(
    factory: CertificateFactory, root_pem: Path, tmp_path: Path
) -> None:
    document = qemu_factory(factory).document(firmware_log=LOG)
    policy = policy_file(tmp_path, f'platforms:\n  qemu:\n    pcrs:\n      sha256:\n        10: "{"00" * 32}"\n')
    report = verify(document, root_pem, policy=policy)
    assert boot(report) == ("fail", "reference-mismatch") and "PCR 10" in report.check("boot-state").detail


def test_boot_rules_without_a_log_are_firmware_log_missing(
    factory: CertificateFactory, root_pem: Path, tmp_path: Path
) -> None:
    document = qemu_factory(factory).document()
    report = verify(
        document, root_pem, policy=policy_file(tmp_path, "platforms:\n  qemu:\n    boot:\n      separators: true\n")
    )
    assert boot(report) == ("fail", "firmware-log-missing")


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        ("secure_boot: true", "Secure Boot is disabled"),
        (f'applications: ["{UKI}"]', "is not allowed"),
        ('command_lines: ["quiet"]', None),
    ],
)
def test_a_broken_boot_rule_is_boot_rule_violation(
    rules: str, named: str | None, factory: CertificateFactory, root_pem: Path, tmp_path: Path
) -> None:
    document = qemu_factory(factory).document(firmware_log=LOG)
    report = verify(
        document, root_pem, policy=policy_file(tmp_path, f"platforms:\n  qemu:\n    boot:\n      {rules}\n")
    )
    if named is None:  # this boot logs no command line as text (the stub measures it into PCR 9 as a tag)
        assert boot(report) == ("pass", "ok")
    else:
        assert boot(report) == ("fail", "boot-rule-violation") and named in report.check("boot-state").detail


def test_an_error_separator_is_boot_rule_violation(factory: CertificateFactory, root_pem: Path, tmp_path: Path) -> None:
    events = list(parse_firmware_log(LOG).events)
    index = next(index for index, event in enumerate(events) if event.type == 4 and event.pcr == 5)
    separator = events[index]
    error = b"\x01\x00\x00\x00"
    names = {0x0004: "sha1", 0x000B: "sha256", 0x000C: "sha384", 0x000D: "sha512"}
    digests = {algorithm: hashlib.new(names[algorithm], error).digest() for algorithm in separator.digests}
    events[index] = FirmwareEvent(separator.index, 5, 4, digests, error)
    log = encode_log(events)
    qemu_factory(factory).boot_pcrs[5] = parse_firmware_log(log).replay()[5]
    policy = policy_file(tmp_path, "platforms:\n  qemu:\n    boot:\n      separators: true\n")
    report = verify(factory.document(firmware_log=log), root_pem, policy=policy)
    assert boot(report) == ("fail", "boot-rule-violation")
    assert "PCR 5 has an error separator" in report.check("boot-state").detail
