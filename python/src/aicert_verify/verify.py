"""``aicert_verify.verify``: one entry point for both certificate formats."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone

from .certificate import Certificate, LegacyCertificate, Source, V1Certificate, load, parse_rfc3339
from .chain import RootSource, TrustRoot, builtin_roots, load_roots
from .errors import FormatError, VerificationError
from .legacy import verify_legacy
from .policy import KnownImage, Policy, load_policy
from .report import Report
from .request import VerificationRequest
from .v1 import verify_v1

__all__ = ["verify"]

PolicyArgument = Policy | str | os.PathLike[str] | None
TimeArgument = datetime | str | None
ArtifactArgument = str | os.PathLike[str]


def verify(
    cert: Certificate | Source,
    *,
    trust_roots: Iterable[RootSource] = (),
    policy: PolicyArgument = None,
    artifacts: Iterable[ArtifactArgument] = (),
    at: TimeArgument = None,
    strict: bool = False,
    allow_unmeasured_boot: bool = False,
    known_images: Iterable[KnownImage] = (),
    tsa_roots: Iterable[RootSource] = (),
) -> Report:
    """Verifies a certificate and returns a :class:`Report` of its checks.

    ``cert`` is a :class:`Certificate` from :func:`aicert_verify.load`, or anything ``load`` reads.
    ``trust_roots`` are trusted besides the built-in Azure vTPM root: certificate objects, PEM
    or DER bytes, or paths of PEM files. ``policy`` is a :class:`Policy` or a path of a policy
    file (its ``trusted_roots`` are trusted too). ``artifacts`` are paths to re-hash and match
    against the outputs. ``at`` (an aware ``datetime`` or RFC 3339 text; a naive ``datetime`` is
    taken as UTC) is when the AK chain must be valid; by default now (never a time the
    certificate states). ``tsa_roots`` (as ``trust_roots``; none are built in), with the
    policy's ``tsa_roots``, are the roots a certificate's RFC 3161 time-stamp token may chain
    to: a valid token moves the AK chain's check to its time, whatever ``at`` says.
    ``known_images`` are images whose boot reference values ``boot-state`` may use besides
    the built-in ones and the policy's (e.g. :func:`aicert_verify.load_registered_images`);
    ``allow_unmeasured_boot`` (or the policy's ``allow_unmeasured_boot``) turns a boot without
    reference values from a failure into a skip (verdict ``VALID, boot not measured``).

    Raises :class:`FormatError`, :class:`PolicyError` or :class:`TrustRootError` when it could
    not verify at all, and, with ``strict=True``, :class:`VerificationError` (carrying the
    report) when a check failed.
    """
    certificate = cert if isinstance(cert, Certificate) else load(cert)
    roots: list[TrustRoot] = builtin_roots()
    for source in trust_roots:
        roots.extend(load_roots(source))
    parsed_policy = policy if isinstance(policy, Policy) or policy is None else load_policy(policy)
    stamp_roots: list[TrustRoot] = []
    for source in tsa_roots:
        stamp_roots.extend(load_roots(source))
    if parsed_policy is not None:
        roots.extend(parsed_policy.trusted_roots)
        stamp_roots.extend(parsed_policy.tsa_roots)
    moment = _moment(at)
    paths = [os.fspath(path) for path in artifacts]
    request = VerificationRequest(
        roots, parsed_policy, paths, moment, list(known_images), allow_unmeasured_boot, stamp_roots
    )
    if isinstance(certificate, V1Certificate):
        report = verify_v1(certificate, request)
    elif isinstance(certificate, LegacyCertificate):
        report = verify_legacy(certificate, request)
    else:
        raise FormatError(f"unknown format '{certificate.format}'", "format")
    if strict and not report.valid:
        raise VerificationError(report)
    return report


def _moment(at: TimeArgument) -> datetime | None:
    if at is None:
        return None
    if isinstance(at, str):
        try:
            return parse_rfc3339(at)
        except ValueError:
            raise FormatError(f"'{at}' is not an RFC 3339 time such as 2026-12-01T00:00:00Z", "at") from None
    if at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    return at
