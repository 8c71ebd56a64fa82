"""What a firmware event log says booted, as the boot rules read it, and the rules' first violation.

Read from event data that the digests do not all cover: trust it only once the log has
replayed to quoted PCR values (``boot-state`` does that first). Mirrors
Sources/AICertCore/FirmwareLog/BootChain.swift.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .firmware_log import (
    ALG_SHA256,
    EV_EFI_BOOT_SERVICES_APPLICATION,
    EV_EFI_VARIABLE_DRIVER_CONFIG,
    EV_IPL,
    EV_SEPARATOR,
    GLOBAL_VARIABLE,
    FirmwareLog,
    ImageLoad,
    Text,
    Variable,
)
from .policy import BootRules

__all__ = ["Application", "BootChain", "read_boot_chain", "rule_violation"]

_GRUB_COMMAND_LINE = "kernel_cmdline: "


@dataclass(frozen=True)
class Application:
    """An EFI application the firmware measured (``EV_EFI_BOOT_SERVICES_APPLICATION``)."""

    event_index: int
    pcr: int
    file_path: str | None
    sha256: bytes | None

    @property
    def shown(self) -> str:
        return self.file_path or f"at event {self.event_index}"


@dataclass(frozen=True)
class BootChain:
    """Secure Boot state (``enabled``, ``disabled``, ``unknown``), applications, command lines, separators."""

    secure_boot: str
    applications: tuple[Application, ...]
    command_lines: tuple[str, ...]
    separators: dict[int, tuple[int, ...]]


def read_boot_chain(log: FirmwareLog) -> BootChain:
    """The boot facts of ``log``."""
    secure_boot: set[bytes] = set()
    applications: list[Application] = []
    command_lines: list[str] = []
    separators: dict[int, list[int]] = {}
    for event in log.events:
        payload = event.payload
        if event.type == EV_EFI_VARIABLE_DRIVER_CONFIG and isinstance(payload, Variable) and event.pcr == 7:
            if payload.vendor == GLOBAL_VARIABLE and payload.name == "SecureBoot":
                # The measured data is the whole UEFI_VARIABLE_DATA: a value the digest does not
                # cover says nothing, so it makes the state unknown.
                digest = event.digests.get(ALG_SHA256)
                covered = digest is not None and digest == hashlib.sha256(event.data).digest()
                secure_boot.add(payload.data if covered else b"uncovered")
        elif event.type == EV_EFI_BOOT_SERVICES_APPLICATION and isinstance(payload, ImageLoad):
            applications.append(Application(event.index, event.pcr, payload.file_path, event.digests.get(ALG_SHA256)))
        elif event.type == EV_IPL and isinstance(payload, Text):
            if event.pcr == 8 and payload.encoding == "utf-8" and payload.value.startswith(_GRUB_COMMAND_LINE):
                command_lines.append(payload.value[len(_GRUB_COMMAND_LINE) :])
            elif event.pcr in (8, 12) and payload.encoding == "utf-16le":
                command_lines.append(payload.value)
        elif event.type == EV_SEPARATOR and isinstance(payload, tuple):
            separators.setdefault(event.pcr, []).append(payload[1])
    return BootChain(
        _secure_boot_state(secure_boot),
        tuple(applications),
        tuple(command_lines),
        {pcr: tuple(values) for pcr, values in separators.items()},
    )


def _secure_boot_state(values: set[bytes]) -> str:
    if len(values) != 1:
        return "unknown"
    value = next(iter(values))
    return "disabled" if value in (b"", b"\x00") else "enabled" if value == b"\x01" else "unknown"


def rule_violation(rules: BootRules, chain: BootChain) -> str | None:
    """The first way ``chain`` breaks ``rules``, as a sentence; ``None`` when it keeps them all."""
    if rules.secure_boot is not None:
        wanted = "enabled" if rules.secure_boot else "disabled"
        if chain.secure_boot != wanted:
            return f"Secure Boot is {chain.secure_boot}; the reference requires it {wanted}"
    if rules.applications is not None:
        for application in chain.applications:
            if application.sha256 is None:
                return f"the EFI application {application.shown} has no SHA-256 digest"
            if application.sha256.hex() not in rules.applications:
                return f"the EFI application {application.shown} ({application.sha256.hex()[:16]}…) is not allowed"
    if rules.command_lines is not None:
        for line in chain.command_lines:
            if line not in rules.command_lines:
                return f"the kernel command line '{line}' is not allowed"
    if rules.separators:
        for pcr in range(8):
            values = chain.separators.get(pcr, ())
            if not values:
                return f"PCR {pcr} has no separator event"
            if any(values):
                return f"PCR {pcr} has an error separator"
    return None
