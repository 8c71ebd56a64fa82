"""The ``ak-chain`` check shared by both formats: the path, its reason code, and the trust it reaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography import x509

from .chain import TrustRoot, check_chain, common_name, describe
from .report import Check, Status

__all__ = ["ChainOutcome", "ak_chain_check", "STAMPED_NOTE"]


@dataclass(frozen=True)
class ChainOutcome:
    """The ``ak-chain`` result and what anchored it (``trust`` is ``none`` unless it passed)."""

    check: Check
    trust: str = "none"
    trust_root: str | None = None


# What follows the time in the detail when it is a valid time-stamp token's (as the Swift verifier says it).
STAMPED_NOTE = " (the time-stamp token's time)"


def ak_chain_check(
    chain: list[x509.Certificate],
    roots: list[TrustRoot],
    at: datetime | None,
    *,
    clock_note: str = "",
    stamped: bool = False,
) -> ChainOutcome:
    """Checks ``chain`` (AK certificate first) at ``at``, or now: never at a time the certificate names.

    ``stamped``: ``at`` is the time of a valid time-stamp token, and the detail says so.
    """
    moment = at or datetime.now(timezone.utc)
    result = check_chain(chain, roots, moment, time_note=STAMPED_NOTE if stamped else "")
    if result.problem is not None:
        return ChainOutcome(Check("ak-chain", Status.FAIL, result.reason, result.problem))
    assert result.root is not None and result.path is not None
    shown = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if stamped:
        when = f"{shown}{STAMPED_NOTE}"
    else:
        when = shown if at is not None else f"{shown}, the current time{clock_note}"
    trust = result.root.trust
    detail = (
        f"AK certificate {describe(chain[0])} chains to {describe(result.root.certificate)} ({result.root.source}), "
        f"valid at {when}; trust: {trust}"
    )
    return ChainOutcome(Check("ak-chain", Status.PASS, "ok", detail), trust, common_name(result.root.certificate))
