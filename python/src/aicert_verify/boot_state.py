"""The ``boot-state`` check: the five steps of docs/verification-rules.md, the first failure decides.

1. A carried firmware event log parses and replays to every quoted PCR it has events for; the
   PCRs it must describe (0–9, 11, 12) and has no events for are quoted as zero.
2. Reference values: the policy's entry for the signed platform, else the known image whose
   ``uki_sha256`` the runner event signs.
3. Without reference values: fail (or skip, when an unmeasured boot is accepted).
4. Every reference PCR is quoted with an allowed value.
5. Boot rules need a carried log, and must hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .boot_chain import read_boot_chain, rule_violation
from .firmware_log import FirmwareLog, FirmwareLogError, parse_firmware_log
from .policy import BUILTIN_IMAGES, BootReference, KnownImage, Policy
from .report import Check, Status

__all__ = ["BootInputs", "boot_state_check", "DESCRIBED_PCRS"]

# The PCRs a firmware event log must describe: a PCR of these without events must be zero.
DESCRIBED_PCRS = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12})
BOOT_PCRS = range(14)
_ZERO = bytes(32)


@dataclass(frozen=True)
class BootInputs:
    """What ``boot-state`` judges: the signed platform and image, the quoted PCRs and the carried log."""

    platform: str | None
    image: dict[str, str] | None
    quoted: dict[int, bytes] | None
    firmware_log: bytes | None


def _fail(reason: str, detail: str) -> Check:
    return Check("boot-state", Status.FAIL, reason, detail)


def boot_state_check(
    inputs: BootInputs, policy: Policy | None, known_images: Sequence[KnownImage], allow_unmeasured: bool
) -> Check:
    """Runs the five steps; ``allow_unmeasured`` (or the policy's ``allow_unmeasured_boot``) makes step 3 a skip."""
    quoted = inputs.quoted or {}
    findings: list[str] = []
    log: FirmwareLog | None = None
    if inputs.firmware_log is not None:
        try:
            log = parse_firmware_log(inputs.firmware_log)
        except FirmwareLogError as error:
            return _fail("firmware-log-unreadable", f"the firmware event log does not parse: {error}")
        problem = _replay_problem(log, quoted)
        if problem is not None:
            return problem
        findings.append("the firmware event log replays to the quoted PCRs 0-13")
    reference, source = _reference(inputs, policy, known_images)
    if reference is None:
        return _unmeasured(inputs, allow_unmeasured or (policy is not None and policy.allow_unmeasured_boot))
    for pcr in sorted(reference.pcrs):
        value = quoted.get(pcr)
        allowed = reference.pcrs[pcr]
        if value is None:
            return _fail("reference-mismatch", f"PCR {pcr} has a reference value but is not quoted")
        if value.hex() not in allowed:
            return _fail("reference-mismatch", f"PCR {pcr} is {value.hex()[:16]}…, not an allowed value of {source}")
    if reference.pcrs:
        findings.append(f"PCR {', '.join(str(pcr) for pcr in sorted(reference.pcrs))} match {source}")
    if reference.boot is not None:
        if log is None:
            return _fail(
                "firmware-log-missing", f"{source} has boot rules but the certificate carries no firmware event log"
            )
        violation = rule_violation(reference.boot, read_boot_chain(log))
        if violation is not None:
            return _fail("boot-rule-violation", f"{violation} ({source})")
        findings.append(f"the boot chain meets the boot rules of {source}")
    return Check("boot-state", Status.PASS, "ok", "; ".join(findings))


def _replay_problem(log: FirmwareLog, quoted: dict[int, bytes]) -> Check | None:
    """Step 1: PCRs with events replay to their quoted values, described PCRs without events are zero."""
    replayed = log.replay()
    for pcr in sorted(DESCRIBED_PCRS | {pcr for pcr in replayed if pcr in BOOT_PCRS}):
        value = quoted.get(pcr)
        shown = f"{value.hex()[:16]}…" if value is not None else "not quoted"
        if pcr in replayed:
            if value != replayed[pcr]:
                return _fail(
                    "pcr-replay-mismatch",
                    f"PCR {pcr}: the firmware event log replays to {replayed[pcr].hex()[:16]}…, the quote says {shown}",
                )
        elif value != _ZERO:
            return _fail(
                "pcr-not-replayed",
                f"PCR {pcr} is {shown} but the firmware event log has no SHA-256 event for it",
            )
    return None


def _reference(
    inputs: BootInputs, policy: Policy | None, known_images: Sequence[KnownImage]
) -> tuple[BootReference | None, str]:
    """Step 2: the policy's entry for the signed platform, else the known image the runner event names."""
    if policy is not None and inputs.platform is not None:
        entry = policy.platforms.get(inputs.platform)
        if entry is not None and not entry.empty:
            return entry, f"the policy for platform '{inputs.platform}'"
    if inputs.image is not None:
        images = [*BUILTIN_IMAGES, *known_images, *(policy.images if policy is not None else [])]
        for image in images:
            if image.uki_sha256 == inputs.image["uki_sha256"] and not image.reference.empty:
                return image.reference, f"image {image.name} {image.version}"
    return None, ""


def _unmeasured(inputs: BootInputs, allowed: bool) -> Check:
    """Step 3: no reference values: a failure, or a skip the caller accepted."""
    status = Status.SKIP if allowed else Status.FAIL
    accepted = " (accepted: unmeasured boot allowed)" if allowed else ""
    if inputs.image is not None:
        return Check(
            "boot-state",
            status,
            "unknown-image",
            f"no reference values for image uki_sha256 {inputs.image['uki_sha256']}{accepted}",
        )
    platform = f"platform '{inputs.platform}'" if inputs.platform else "this certificate"
    return Check("boot-state", status, "boot-not-measured", f"no reference values for {platform}{accepted}")
