"""The checks of an ``aicert/v1`` certificate (docs/certificate-format.md, "Verification")."""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .ak_chain import ChainOutcome, ak_chain_check
from .boot_state import BootInputs, boot_state_check
from .certificate import V1Certificate
from .chain import TrustRoot, describe, parse_certificate
from .channel import channel_key_digest, channel_qualifying_data
from .eventlog import LogReading, read_log
from .expectations import artifacts_check, policy_check
from .quote import QuoteProblem, digest_alg_for, generated_quote, key_problem, pcr_composite, signature_check
from .report import INTERNAL_ERROR, INTERNAL_REASON, Check, Report, Stamp, Status
from .report import guarded as _guard
from .request import VerificationRequest
from .timestamp import timestamp_check
from .tpm import ObjectAttributes, TPMParseError, parse_public, parse_signature
from .tpm.attest import Attestation
from .tpm.constants import ALG_NULL, ALG_SHA256, algorithm_name

__all__ = ["verify_v1", "read_quoted_pcrs"]

_NONCE = re.compile(r"(?:[0-9a-f]{2}){16,64}\Z")
_INDEX = re.compile(r"(?:0|[1-9][0-9]?)\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")

# A restricted signing key: what makes a quote unforgeable (the TPM refuses to sign with it
# any data starting with TPM_GENERATED_VALUE that it did not produce itself).
_REQUIRED = {
    "sign": ObjectAttributes.SIGN,
    "restricted": ObjectAttributes.RESTRICTED,
    "fixedTPM": ObjectAttributes.FIXED_TPM,
    "sensitiveDataOrigin": ObjectAttributes.SENSITIVE_DATA_ORIGIN,
}


def verify_v1(certificate: V1Certificate, request: VerificationRequest) -> Report:
    """The eight checks of an ``aicert/v1`` certificate; the chain at a valid time-stamp
    token's time, else at ``request.at`` or now."""
    stamp_check, stamp = _guarded_timestamp(certificate, request.tsa_roots)
    quoted, pcr_problem = read_quoted_pcrs(certificate.pcrs)
    reading = _guarded_log(certificate, quoted)
    at = stamp.time if stamp is not None else request.at
    chain = _guarded_chain(certificate, request.roots, at, stamped=stamp is not None)
    boot = BootInputs(reading.platform, reading.image, quoted, certificate.firmware_event_log)
    checks = [
        stamp_check,
        chain.check,
        _guard("quote-signature", lambda: _signature_check(certificate)),
        _guard("quote-content", lambda: _content_check(certificate, quoted, pcr_problem)),
        Check("event-log", Status.FAIL, reading.reason, reading.problem)
        if reading.problem
        else Check("event-log", Status.PASS, "ok", reading.detail),
        _guard(
            "boot-state",
            lambda: boot_state_check(boot, request.policy, request.known_images, request.allow_unmeasured_boot),
        ),
        _guard(
            "policy",
            lambda: policy_check(request.policy, reading.inputs, reading.outputs, log_readable=reading.readable),
        ),
        _guard("artifacts", lambda: artifacts_check(request.artifacts, reading.output_manifests)),
    ]
    inputs, outputs = (reading.inputs, reading.outputs) if reading.readable else ([], [])
    return Report(certificate.format, reading.platform, checks, inputs, outputs, chain.trust, chain.trust_root, stamp)


def _guarded_log(certificate: V1Certificate, quoted: dict[int, bytes] | None) -> LogReading:
    try:
        return read_log(
            certificate.event_log,
            quoted,
            certificate.input_manifests,
            certificate.output_manifests,
            certificate.summary,
            certificate.platform,
        )
    except Exception as error:  # noqa: BLE001 - fail closed
        return LogReading(problem=f"{INTERNAL_ERROR}: {type(error).__name__}: {error}", reason=INTERNAL_REASON)


def _guarded_timestamp(certificate: V1Certificate, roots: Sequence[TrustRoot]) -> tuple[Check, Stamp | None]:
    try:
        return timestamp_check(certificate.timestamp_token, certificate.signature, roots)
    except Exception as error:  # noqa: BLE001 - fail closed
        detail = f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"
        return Check("timestamp", Status.FAIL, INTERNAL_REASON, detail), None


def _guarded_chain(
    certificate: V1Certificate, roots: list[TrustRoot], at: datetime | None, *, stamped: bool = False
) -> ChainOutcome:
    try:
        return _chain_check(certificate, roots, at, stamped)
    except Exception as error:  # noqa: BLE001 - fail closed
        detail = f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"
        return ChainOutcome(Check("ak-chain", Status.FAIL, INTERNAL_REASON, detail))


def read_quoted_pcrs(pcrs: dict[str, object]) -> tuple[dict[int, bytes] | None, str | None]:
    """``pcrs.sha256`` as ``{index: value}``, or ``None`` and why it is unreadable."""
    if set(pcrs) != {"sha256"}:
        others = sorted(set(pcrs) - {"sha256"})
        return (
            None,
            f"pcrs has bank '{others[0]}', which the quote does not cover" if others else "pcrs has no sha256 bank",
        )
    bank = pcrs["sha256"]
    if not isinstance(bank, dict):
        return None, "pcrs.sha256 is not an object"
    values: dict[int, bytes] = {}
    for index, value in bank.items():
        if not _INDEX.match(index) or int(index) > 23:
            return None, f"pcrs.sha256 has '{index}', not a PCR index from 0 to 23 in decimal"
        if not isinstance(value, str) or not _HEX64.match(value):
            return None, f'pcrs.sha256["{index}"] is not 32 bytes of lowercase hex'
        values[int(index)] = bytes.fromhex(value)
    return values, None


def _leaf(certificate: V1Certificate) -> x509.Certificate | None:
    try:
        return parse_certificate(certificate.certificate_chain[0])[0] if certificate.certificate_chain else None
    except ValueError:
        return None


def _chain_check(
    certificate: V1Certificate, roots: list[TrustRoot], at: datetime | None, stamped: bool
) -> ChainOutcome:
    parsed: list[x509.Certificate] = []
    for index, der in enumerate(certificate.certificate_chain):
        try:
            parsed.extend(parse_certificate(der))
        except ValueError:
            detail = f"attestation_key.certificate_chain[{index}] is not a DER X.509 certificate"
            return ChainOutcome(Check("ak-chain", Status.FAIL, "certificate-unreadable", detail))
    return ak_chain_check(parsed, roots, at, stamped=stamped)


def _signature_check(certificate: V1Certificate) -> Check:
    def fail(reason: str, detail: str) -> Check:
        return Check("quote-signature", Status.FAIL, reason, detail)

    try:
        public = parse_public(certificate.ak_public)
    except TPMParseError as error:
        return fail("ak-public-unreadable", f"attestation_key.public: {error}")
    missing = [name for name, flag in _REQUIRED.items() if not public.has(flag)]
    if missing or public.has(ObjectAttributes.DECRYPT):
        problem = f"lacks {', '.join(missing)}" if missing else "has decrypt set"
        return fail("ak-not-restricted", f"the AK is not a restricted signing key: its public area {problem}")
    unacceptable = key_problem(public.key)
    if unacceptable:
        return fail("ak-key-unacceptable", f"the AK is not acceptable: {unacceptable}")
    leaf = _leaf(certificate)
    if leaf is None:
        return fail("ak-certificate-unreadable", "there is no readable AK certificate to compare the AK with")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    try:
        certified = leaf.public_key().public_bytes(*spki)
    except (ValueError, TypeError) as error:
        return fail("ak-certificate-unreadable", f"the AK certificate's key is unusable: {error}")
    if not hmac.compare_digest(public.key.public_bytes(*spki), certified):
        return fail(
            "ak-key-mismatch",
            f"the AK public area is not the key of the AK certificate {describe(leaf)}: another TPM's key",
        )
    try:
        signature = parse_signature(certificate.signature)
    except TPMParseError as error:
        return fail("signature-unreadable", f"quote.signature: {error}")
    if public.scheme != ALG_NULL and (signature.scheme, signature.hash_alg) != (public.scheme, public.scheme_hash):
        return fail(
            "signature-invalid",
            f"the {signature.describe()} is not the scheme the AK allows "
            f"({algorithm_name(public.scheme)} with {algorithm_name(public.scheme_hash)})",
        )
    return signature_check(
        public.key, signature, certificate.attest, f"the AK ({public.describe()}, restricted signing key)"
    )


def _content_check(certificate: V1Certificate, quoted: dict[int, bytes] | None, pcr_problem: str | None) -> Check:
    def fail(reason: str, detail: str) -> Check:
        return Check("quote-content", Status.FAIL, reason, detail)

    try:
        attestation = generated_quote(certificate.attest, "quote.attest")
    except QuoteProblem as problem:
        return fail(problem.reason, problem.detail)
    if not _NONCE.match(certificate.nonce):
        return fail("nonce-malformed", "nonce is not 16 to 64 bytes as lowercase hex")
    nonce = bytes.fromhex(certificate.nonce)
    key = channel_key_digest(certificate.event_log)
    if key is None:
        if not hmac.compare_digest(attestation.extra_data, nonce):
            return fail(
                "nonce-mismatch", "the quote's extraData is not the certificate's nonce: the quote is not this build's"
            )
    elif not hmac.compare_digest(attestation.extra_data, channel_qualifying_data(nonce, key)):
        return fail(
            "channel-binding-mismatch",
            f'the quote\'s extraData is not SHA-256("aicert-tls-v1" ‖ nonce ‖ {key.hex()}): it does not bind the '
            f"nonce to the TLS key {key.hex()}",
        )
    return _selection_and_digest(attestation, quoted, pcr_problem, certificate.signature)


def _selection_and_digest(
    attestation: Attestation, quoted: dict[int, bytes] | None, pcr_problem: str | None, signature_bytes: bytes
) -> Check:
    def fail(reason: str, detail: str) -> Check:
        return Check("quote-content", Status.FAIL, reason, detail)

    selection = attestation.pcr_selection or ()
    banks = [item for item in selection if item.pcrs]
    if len(banks) != 1 or banks[0].hash_alg != ALG_SHA256:
        shown = ", ".join(str(item) for item in banks) or "nothing"
        return fail("pcr-selection-invalid", f"the quote selects {shown}, not exactly the sha256 bank")
    selected = set(banks[0].pcrs)
    if not set(range(16)) <= selected:
        return fail("pcr-selection-invalid", f"the quote selects {banks[0]}, which does not include PCRs 0-15")
    if quoted is None:
        return fail("pcr-values-malformed", pcr_problem or "pcrs is unreadable")
    if set(quoted) != selected:
        extra = sorted(set(quoted) - selected)
        absent = sorted(selected - set(quoted))
        return fail(
            "pcr-values-malformed",
            f"pcrs.sha256 has PCR {extra[0]}, which is not quoted"
            if extra
            else f"pcrs.sha256 lacks quoted PCR {absent[0]}",
        )
    digest = attestation.pcr_digest or b""
    alg = digest_alg_for(signature_bytes, digest)
    if alg is None:
        return fail("pcr-digest-mismatch", f"the PCR digest is {len(digest)} bytes, the size of no accepted hash")
    values = {(ALG_SHA256, pcr): value for pcr, value in quoted.items()}
    if not hmac.compare_digest(pcr_composite(alg, selection, values), digest):
        return fail(
            "pcr-digest-mismatch", "the quote's PCR digest is not the digest of pcrs.sha256: a PCR value was changed"
        )
    return Check(
        "quote-content",
        Status.PASS,
        "ok",
        f"TPM-generated quote of {banks[0]} with the certificate's nonce; "
        f"its {algorithm_name(alg)} PCR digest matches pcrs",
    )
