"""What one verification judges a certificate against, whatever the certificate's format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .chain import TrustRoot
from .policy import KnownImage, Policy

__all__ = ["VerificationRequest"]


@dataclass(frozen=True)
class VerificationRequest:
    """The roots, policy, artifacts and time that :func:`aicert_verify.verify` resolved from its arguments.

    ``roots`` are every trusted root (built-in, given, the policy's); ``artifacts`` the paths to
    match against the outputs; ``at`` when the AK chain must be valid (``None``: now);
    ``known_images`` the images ``boot-state`` may use besides the built-in and the policy's;
    ``allow_unmeasured_boot`` turns a boot without reference values into a skip; ``tsa_roots``
    are the roots a time-stamp token's TSA certificate may chain to (given and the policy's).
    """

    roots: list[TrustRoot]
    policy: Policy | None
    artifacts: Sequence[str]
    at: datetime | None
    known_images: Sequence[KnownImage] = ()
    allow_unmeasured_boot: bool = False
    tsa_roots: Sequence[TrustRoot] = ()
