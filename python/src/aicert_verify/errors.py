"""The exceptions of the SDK.

Every exception the SDK raises on purpose derives from :class:`AICertError`. The split that
matters to callers is between "could not verify" (:class:`FormatError`, :class:`PolicyError`,
:class:`TrustRootError`: the inputs were unusable, the command line exits 2) and "verified and
failed" (:class:`VerificationError`, raised only by ``verify(..., strict=True)``, exit 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

__all__ = [
    "AICertError",
    "FormatError",
    "PolicyError",
    "TrustRootError",
    "MeasurementError",
    "VerificationError",
]


class AICertError(Exception):
    """Base class of every error the SDK raises on purpose."""


class FormatError(AICertError):
    """The certificate could not be verified at all: not JSON, unknown format, missing member.

    ``field`` is the JSON path of the offending member (``quote.attest``) when there is one.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class PolicyError(AICertError):
    """A policy file is unreadable or breaks the rules of docs/policy.md; names the key."""

    def __init__(self, reason: str, key: str | None = None) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}" if key else reason)


class TrustRootError(AICertError):
    """A trust root given by the caller is unreadable or holds no certificate."""


class MeasurementError(AICertError):
    """A file or tree cannot be measured as a manifest; ``path`` names where it went wrong."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class VerificationError(AICertError):
    """Raised by ``verify(..., strict=True)`` when a check failed; ``report`` has them all."""

    def __init__(self, report: Report) -> None:
        self.report = report
        failed = [check for check in report.checks if check.status == "fail"]
        summary = "; ".join(f"{check.name}: {check.detail}" for check in failed)
        super().__init__(f"certificate is not valid: {summary}")
