"""The outcome of a verification: named checks with a status and a one-line detail."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

__all__ = [
    "CHECK_NAMES",
    "LEGACY_CHECK_NAMES",
    "TRUST_LEVELS",
    "Status",
    "Check",
    "Report",
    "Stamp",
    "guarded",
    "rfc3339",
    "INTERNAL_ERROR",
    "INTERNAL_REASON",
]

INTERNAL_ERROR = "internal error while checking"
# The reason of a check that failed because the verifier itself raised (always a bug).
INTERNAL_REASON = "internal-error"
# What anchored the AK chain (docs/verification-rules.md, "The verdict").
TRUST_LEVELS = ("production", "development", "custom", "none")
# boot-state reasons that, as a skip, mean the user accepted an unmeasured boot.
UNMEASURED_BOOT = ("boot-not-measured", "unknown-image")
MAX_DETAIL = 1000  # characters: quoted names from a hostile certificate cannot flood a report

# The checks of an aicert/v1 report, in the order they run (docs/verification-rules.md).
CHECK_NAMES = (
    "timestamp",
    "ak-chain",
    "quote-signature",
    "quote-content",
    "event-log",
    "boot-state",
    "policy",
    "artifacts",
)
# A legacy proof has no time-stamp token: its report has the other seven.
LEGACY_CHECK_NAMES = CHECK_NAMES[1:]


_ONE_LINE = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}
_ONE_LINE.update({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"})


class Status(str, Enum):
    """A check's outcome. A ``str``, so ``check.status == "fail"`` reads naturally."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"

    def __str__(self) -> str:
        return self.value

    @property
    def mark(self) -> str:
        """✓ pass, ✗ fail, ! warn, - skip."""
        return {"pass": "✓", "fail": "✗", "warn": "!", "skip": "-"}[self.value]


@dataclass(frozen=True)
class Check:
    """One named check (``ak-chain``, …): its status, a stable ``reason`` code and a detail.

    ``reason`` is one of the codes of docs/verification-rules.md (``ok`` for a pass); programs
    compare it, never ``detail``, which is a sentence for people.
    """

    name: str
    status: Status
    reason: str
    detail: str

    def __post_init__(self) -> None:
        # A detail is one line whatever a hostile certificate put in the names it quotes.
        object.__setattr__(self, "status", Status(self.status))
        detail = self.detail.translate(_ONE_LINE).encode("utf-8", "backslashreplace").decode("utf-8")
        if len(detail) > MAX_DETAIL:
            detail = detail[: MAX_DETAIL - 1] + "…"
        object.__setattr__(self, "detail", detail)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "reason": self.reason, "detail": self.detail}


def rfc3339(moment: datetime) -> str:
    """``2026-11-25T07:40:00Z``: UTC, whole seconds (as the Swift verifier writes times)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Stamp:
    """What a valid RFC 3161 time-stamp token proves: when the quote existed (its ``genTime``)
    and which Time-Stamping Authority says so (its certificate's subject, RFC 4514)."""

    time: datetime
    authority: str

    def to_json(self) -> dict[str, str]:
        return {"time": rfc3339(self.time), "authority": self.authority}


@dataclass(frozen=True)
class Report:
    """Every check of one verification, and the inputs and outputs the event log names.

    ``inputs`` and ``outputs`` are lists of plain dicts in the shape of the report JSON
    (``name``, ``kind``, ``source``, ``commit`` when present, ``manifest_digest``, ``files``,
    ``bytes``); they are empty when the log cannot be read. ``platform`` is the platform the
    event log signs (``None`` when the log cannot be read); ``trust`` and ``trust_root`` say
    what anchored the AK chain; ``timestamp`` is the :class:`Stamp` of a valid time-stamp token
    (the AK chain was then checked at its time), else ``None``.
    """

    format: str
    platform: str | None
    checks: list[Check]
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    trust: str = "none"
    trust_root: str | None = None
    timestamp: Stamp | None = None

    @property
    def valid(self) -> bool:
        """True only if no check failed (a warning does not invalidate)."""
        return all(check.status != Status.FAIL for check in self.checks)

    @property
    def verdict(self) -> str:
        """``VALID``, ``VALID, boot not measured`` (accepted by the caller) or ``INVALID``."""
        if not self.valid:
            return "INVALID"
        boot = next((check for check in self.checks if check.name == "boot-state"), None)
        if boot is not None and boot.status == Status.SKIP and boot.reason in UNMEASURED_BOOT:
            return "VALID, boot not measured"
        return "VALID"

    def check(self, name: str) -> Check:
        """The check called ``name``; ``KeyError`` if there is none."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.status == Status.FAIL]

    def to_dict(self) -> dict[str, Any]:
        """The report JSON's members; ``timestamp`` (``{"time", "authority"}``) only with a valid token."""
        result: dict[str, Any] = {
            "valid": self.valid,
            "verdict": self.verdict,
            "format": self.format,
            "platform": self.platform,
            "trust": self.trust,
            "trust_root": self.trust_root,
            "checks": [check.to_json() for check in self.checks],
            "inputs": self.inputs,
            "outputs": self.outputs,
        }
        if self.timestamp is not None:
            result["timestamp"] = self.timestamp.to_json()
        return result

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as JSON, in the shape docs/certificate-format.md ("The report") gives."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def guarded(name: str, run: Callable[[], Check]) -> Check:
    """Runs a check; an unexpected exception fails it (fail closed) instead of escaping.

    The detail starts with :data:`INTERNAL_ERROR`, which tests look for: it is always a bug.
    """
    try:
        return run()
    except Exception as error:  # noqa: BLE001 - the verifier must fail closed on anything
        return Check(name, Status.FAIL, INTERNAL_REASON, f"{INTERNAL_ERROR}: {type(error).__name__}: {error}")
