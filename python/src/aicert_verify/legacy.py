"""The checks of a proof made by the original AICert (format ``aicert-legacy``).

The old format carries a quote (``TPMS_ATTEST``), its signature, tpm2-tools' PCR file, the AK
certificate with its CA certificates, and an event log of JSON strings, each extended as
SHA-256 of the string into some PCR. It has no AK public area, nonce, manifests, clock or
time-stamp token, so the seven checks of ``aicert/v1`` other than ``timestamp`` judge what it
does carry, and what it cannot show is a warning or a failure, never a pass: the chain is
checked at the current time unless told another, and freshness is a warning.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from cryptography import x509

from .ak_chain import ChainOutcome, ak_chain_check
from .boot_state import BootInputs, boot_state_check
from .certificate import LegacyCertificate
from .chain import TrustRoot, describe, parse_certificate
from .eventlog import extend
from .expectations import unrequested_artifacts, unrequested_policy
from .quote import QuoteProblem, digest_alg_for, generated_quote, key_problem, pcr_composite, signature_check
from .report import INTERNAL_ERROR, INTERNAL_REASON, Check, Report, Status
from .report import guarded as _guard
from .request import VerificationRequest
from .tpm import TPMParseError, parse_pcr_file, parse_signature
from .tpm.constants import ALG_SHA256, algorithm_name

__all__ = ["verify_legacy", "RESETTABLE_PCRS"]

# PCRs software can reset: a log that replays only to one of them proves nothing.
RESETTABLE_PCRS = frozenset({16, 23})


def verify_legacy(certificate: LegacyCertificate, request: VerificationRequest) -> Report:
    """The seven checks of a legacy proof; its platform is Azure, its chain checked at ``request.at`` or now."""
    try:
        chain, chain_problem = _certificates(certificate)
    except Exception as error:  # noqa: BLE001 - fail closed, as the guard of each check does
        chain, chain_problem = [], f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"
    values: dict[int, bytes] | None = None

    def quote_content() -> Check:
        nonlocal values
        check, values = _content_check(certificate)
        return check

    outcome = _chain_outcome(chain, chain_problem, request.roots, request.at)
    checks = [outcome.check]
    checks.append(_guard("quote-signature", lambda: _signature_check(certificate, chain)))
    checks.append(_guard("quote-content", quote_content))
    checks.append(_guard("event-log", lambda: _event_log_check(certificate, values)))
    boot = BootInputs(certificate.platform, None, values, None)
    checks.append(
        _guard(
            "boot-state",
            lambda: boot_state_check(boot, request.policy, request.known_images, request.allow_unmeasured_boot),
        )
    )
    checks.append(
        unrequested_policy(request.policy)
        or Check(
            "policy",
            Status.FAIL,
            "requirement-missing",
            "the legacy format names no inputs or outputs to check the policy's requirements against",
        )
    )
    checks.append(
        unrequested_artifacts(request.artifacts)
        or Check(
            "artifacts",
            Status.FAIL,
            "artifact-mismatch",
            "the legacy format carries no output manifest to match artifacts against",
        )
    )
    return Report(certificate.format, certificate.platform, checks, [], [], outcome.trust, outcome.trust_root)


def _certificates(certificate: LegacyCertificate) -> tuple[list[x509.Certificate], str | None]:
    """The chain as certificates: each entry DER, or the bytes of PEM text (maybe several)."""
    parsed: list[x509.Certificate] = []
    for index, data in enumerate(certificate.certificate_chain):
        try:
            parsed.extend(parse_certificate(data, pem=data.lstrip().startswith(b"-----BEGIN")))
        except ValueError:
            return parsed, f"remote_attestation.cert_chain[{index}] is neither a DER nor a PEM certificate"
    return parsed, None


def _chain_outcome(
    chain: list[x509.Certificate], problem: str | None, roots: list[TrustRoot], at: datetime | None
) -> ChainOutcome:
    if problem is not None:
        reason = INTERNAL_REASON if problem.startswith(INTERNAL_ERROR) else "certificate-unreadable"
        return ChainOutcome(Check("ak-chain", Status.FAIL, reason, problem))
    try:
        return ak_chain_check(chain, roots, at, clock_note=" (the legacy format records none)")
    except Exception as error:  # noqa: BLE001 - fail closed
        detail = f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"
        return ChainOutcome(Check("ak-chain", Status.FAIL, INTERNAL_REASON, detail))


def _signature_check(certificate: LegacyCertificate, chain: list[x509.Certificate]) -> Check:
    def fail(reason: str, detail: str) -> Check:
        return Check("quote-signature", Status.FAIL, reason, detail)

    if not chain:
        return fail("ak-certificate-unreadable", "there is no readable AK certificate")
    try:
        key = chain[0].public_key()
    except (ValueError, TypeError) as error:
        return fail("ak-certificate-unreadable", f"the AK certificate's key is unusable: {error}")
    problem = key_problem(key)
    if problem:
        return fail("ak-key-unacceptable", f"the AK is not acceptable: {problem}")
    try:
        signature = parse_signature(certificate.signature)
    except TPMParseError as error:
        return fail("signature-unreadable", f"remote_attestation.quote.signature: {error}")
    return signature_check(key, signature, certificate.message, f"the key of AK certificate {describe(chain[0])}")


def _content_check(certificate: LegacyCertificate) -> tuple[Check, dict[int, bytes] | None]:
    def fail(reason: str, detail: str) -> tuple[Check, dict[int, bytes] | None]:
        return Check("quote-content", Status.FAIL, reason, detail), None

    try:
        attestation = generated_quote(certificate.message, "remote_attestation.quote.message")
    except QuoteProblem as problem:
        return fail(problem.reason, problem.detail)
    try:
        pcr_file = parse_pcr_file(certificate.pcr_file)
    except TPMParseError as error:
        return fail("pcr-values-malformed", f"remote_attestation.quote.pcr: {error}")
    signed = [(item.hash_alg, pcr) for item in attestation.pcr_selection or () for pcr in item.pcrs]
    carried = [(item.hash_alg, pcr) for item in pcr_file.selection for pcr in item.pcrs]
    if signed != carried:
        return fail("pcr-selection-invalid", "the PCR file's selection is not the quote's")
    digest = attestation.pcr_digest or b""
    alg = digest_alg_for(certificate.signature, digest)
    if alg is None:
        return fail("pcr-digest-mismatch", f"the PCR digest is {len(digest)} bytes, the size of no accepted hash")
    if not hmac.compare_digest(pcr_composite(alg, attestation.pcr_selection or (), pcr_file.values), digest):
        return fail(
            "pcr-digest-mismatch",
            "the quote's PCR digest is not the digest of the PCR file's values: a PCR value was changed",
        )
    values = {pcr: value for (bank, pcr), value in pcr_file.values.items() if bank == ALG_SHA256}
    shown = ", ".join(str(item) for item in attestation.pcr_selection or ())
    return (
        Check(
            "quote-content",
            Status.WARN,
            "nonce-absent",
            f"TPM-generated quote of {shown} whose {algorithm_name(alg)} PCR digest matches the PCR file; "
            "the legacy format records no nonce, so freshness is unproven",
        ),
        values,
    )


def _event_log_check(certificate: LegacyCertificate, values: dict[int, bytes] | None) -> Check:
    def fail(reason: str, detail: str) -> Check:
        return Check("event-log", Status.FAIL, reason, detail)

    events = certificate.event_log
    if not events:
        return fail("log-grammar", "the event log is empty: it proves nothing")
    if values is None:
        return fail("pcr-replay-mismatch", "there are no trustworthy quoted PCR values to replay the log against")
    replayed = bytes(32)
    for index, event in enumerate(events):
        try:
            encoded = event.encode("utf-8")
        except UnicodeEncodeError:
            return fail("log-grammar", f"event {index} is not valid Unicode")
        replayed = extend(replayed, hashlib.sha256(encoded).digest())
    matches = sorted(pcr for pcr, value in values.items() if hmac.compare_digest(value, replayed))
    count = f"{len(events)} event replays" if len(events) == 1 else f"{len(events)} events replay"
    trusted = [pcr for pcr in matches if pcr not in RESETTABLE_PCRS]
    if trusted:
        return Check("event-log", Status.PASS, "ok", f"the {count} to quoted PCR {trusted[0]}")
    if matches:
        return fail(
            "pcr-replay-mismatch",
            f"the {count} only to PCR {matches[0]}, which software can reset: the log proves nothing",
        )
    return fail("pcr-replay-mismatch", f"the {count} to no quoted sha256 PCR")
