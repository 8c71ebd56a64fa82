"""The checks of an ``aicert/v1`` certificate (docs/certificate-format.md, "Verification")."""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .certificate import V1Certificate
from .chain import TrustRoot, check_chain, describe, parse_certificate
from .eventlog import LogReading, read_log
from .expectations import artifacts_check, boot_state_check, policy_check
from .policy import Policy
from .quote import SignatureProblem, digest_alg_for, key_problem, pcr_composite, verify_signature
from .report import INTERNAL_ERROR, Check, Report, Status
from .report import guarded as _guard
from .tpm import ObjectAttributes, TPMParseError, parse_attest, parse_public, parse_signature
from .tpm.attest import Attestation
from .tpm.constants import ALG_NULL, ALG_SHA256, GENERATED_VALUE, ST_ATTEST_QUOTE, algorithm_name
from .tpm.signature import Signature

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


def verify_v1(
    certificate: V1Certificate,
    roots: list[TrustRoot],
    policy: Policy | None,
    artifacts: Sequence[str],
    at: datetime | None,
) -> Report:
    quoted, pcr_problem = read_quoted_pcrs(certificate.pcrs)
    reading = _guarded_log(certificate, quoted)
    checks = [
        _guard("ak-chain", lambda: _chain_check(certificate, roots, at)),
        _guard("quote-signature", lambda: _signature_check(certificate)),
        _guard("quote-content", lambda: _content_check(certificate, quoted, pcr_problem)),
        Check("event-log", Status.FAIL, reading.problem)
        if reading.problem
        else Check("event-log", Status.PASS, reading.detail),
        _guard("boot-state", lambda: boot_state_check(certificate.platform, quoted, policy)),
        _guard("policy", lambda: policy_check(policy, reading.inputs, reading.outputs)),
        _guard("artifacts", lambda: artifacts_check(artifacts, reading.output_manifests)),
    ]
    return Report(certificate.format, certificate.platform, checks, reading.inputs, reading.outputs)


def _guarded_log(certificate: V1Certificate, quoted: dict[int, bytes] | None) -> LogReading:
    try:
        return read_log(
            certificate.event_log,
            quoted,
            certificate.input_manifests,
            certificate.output_manifests,
            certificate.summary,
        )
    except Exception as error:  # noqa: BLE001
        return LogReading(problem=f"{INTERNAL_ERROR}: {type(error).__name__}: {error}")


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


def _chain_check(certificate: V1Certificate, roots: list[TrustRoot], at: datetime | None) -> Check:
    parsed: list[x509.Certificate] = []
    for index, der in enumerate(certificate.certificate_chain):
        try:
            parsed.extend(parse_certificate(der))
        except ValueError:
            return Check(
                "ak-chain", Status.FAIL, f"attestation_key.certificate_chain[{index}] is not a DER X.509 certificate"
            )
    moment = at or certificate.runner_time
    result = check_chain(parsed, roots, moment)
    development = " (development platform)" if certificate.platform == "local" else ""
    if result.problem is not None:
        return Check("ak-chain", Status.FAIL, result.problem + development)
    assert result.root is not None
    return Check(
        "ak-chain",
        Status.PASS,
        f"AK certificate {describe(parsed[0])} chains to {describe(result.root.certificate)} ({result.root.source}), "
        f"valid at {moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}{development}",
    )


def _signature_check(certificate: V1Certificate) -> Check:
    def fail(detail: str) -> Check:
        return Check("quote-signature", Status.FAIL, detail)

    try:
        public = parse_public(certificate.ak_public)
    except TPMParseError as error:
        return fail(f"attestation_key.public: {error}")
    missing = [name for name, flag in _REQUIRED.items() if not public.has(flag)]
    if missing or public.has(ObjectAttributes.DECRYPT):
        problem = f"lacks {', '.join(missing)}" if missing else "has decrypt set"
        return fail(f"the AK is not a restricted signing key: its public area {problem}")
    unacceptable = key_problem(public.key)
    if unacceptable:
        return fail(f"the AK is not acceptable: {unacceptable}")
    leaf = _leaf(certificate)
    if leaf is None:
        return fail("there is no readable AK certificate to compare the AK with")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    try:
        certified = leaf.public_key().public_bytes(*spki)
    except (ValueError, TypeError) as error:
        return fail(f"the AK certificate's key is unusable: {error}")
    if not hmac.compare_digest(public.key.public_bytes(*spki), certified):
        return fail(f"the AK public area is not the key of the AK certificate {describe(leaf)}: another TPM's key")
    try:
        signature = parse_signature(certificate.signature)
    except TPMParseError as error:
        return fail(f"quote.signature: {error}")
    if public.scheme != ALG_NULL and (signature.scheme, signature.hash_alg) != (public.scheme, public.scheme_hash):
        return fail(
            f"the {signature.describe()} is not the scheme the AK allows "
            f"({algorithm_name(public.scheme)} with {algorithm_name(public.scheme_hash)})"
        )
    try:
        verify_signature(public.key, signature, certificate.attest)
    except SignatureProblem as error:
        return fail(str(error))
    return Check(
        "quote-signature",
        Status.PASS,
        f"{signature.describe()} by the AK ({public.describe()}, restricted signing key) verifies",
    )


def _content_check(certificate: V1Certificate, quoted: dict[int, bytes] | None, pcr_problem: str | None) -> Check:
    def fail(detail: str) -> Check:
        return Check("quote-content", Status.FAIL, detail)

    try:
        attestation = parse_attest(certificate.attest)
    except TPMParseError as error:
        return fail(f"quote.attest: {error}")
    if attestation.magic != GENERATED_VALUE:
        return fail(f"magic is 0x{attestation.magic:08x}, not TPM_GENERATED_VALUE (0xff544347)")
    if attestation.type != ST_ATTEST_QUOTE:
        return fail(f"type is 0x{attestation.type:04x}, not TPM_ST_ATTEST_QUOTE (0x8018)")
    if not _NONCE.match(certificate.nonce):
        return fail("nonce is not 16 to 64 bytes as lowercase hex")
    if not hmac.compare_digest(attestation.extra_data, bytes.fromhex(certificate.nonce)):
        return fail("the quote's extraData is not the certificate's nonce: the quote is not this build's")
    return _selection_and_digest(attestation, quoted, pcr_problem, _signature_or_none(certificate.signature))


def _signature_or_none(data: bytes) -> Signature | None:
    try:
        return parse_signature(data)
    except TPMParseError:
        return None


def _selection_and_digest(
    attestation: Attestation, quoted: dict[int, bytes] | None, pcr_problem: str | None, signature: Signature | None
) -> Check:
    def fail(detail: str) -> Check:
        return Check("quote-content", Status.FAIL, detail)

    selection = attestation.pcr_selection or ()
    banks = [item for item in selection if item.pcrs]
    if len(banks) != 1 or banks[0].hash_alg != ALG_SHA256:
        shown = ", ".join(str(item) for item in banks) or "nothing"
        return fail(f"the quote selects {shown}, not exactly the sha256 bank")
    selected = set(banks[0].pcrs)
    if not set(range(16)) <= selected:
        return fail(f"the quote selects {banks[0]}, which does not include PCRs 0-15")
    if quoted is None:
        return fail(pcr_problem or "pcrs is unreadable")
    if set(quoted) != selected:
        extra = sorted(set(quoted) - selected)
        absent = sorted(selected - set(quoted))
        return fail(
            f"pcrs.sha256 has PCR {extra[0]}, which is not quoted"
            if extra
            else f"pcrs.sha256 lacks quoted PCR {absent[0]}"
        )
    digest = attestation.pcr_digest or b""
    alg = digest_alg_for(signature, digest)
    if alg is None:
        return fail(f"the PCR digest is {len(digest)} bytes, the size of no accepted hash")
    values = {(ALG_SHA256, pcr): value for pcr, value in quoted.items()}
    if not hmac.compare_digest(pcr_composite(alg, selection, values), digest):
        return fail("the quote's PCR digest is not the digest of pcrs.sha256: a PCR value was changed")
    return Check(
        "quote-content",
        Status.PASS,
        f"TPM-generated quote of {banks[0]} with the certificate's nonce; "
        f"its {algorithm_name(alg)} PCR digest matches pcrs",
    )
