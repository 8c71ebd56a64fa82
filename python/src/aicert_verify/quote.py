"""What both formats do with a quote: read it as TPM-generated, check its signature with a key,
recompute its PCR digest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .report import Check, Status
from .tpm import TPMParseError, parse_attest, parse_signature
from .tpm.attest import Attestation, PCRSelection
from .tpm.constants import (
    ALG_ECDSA,
    ALG_RSAPSS,
    ALG_RSASSA,
    DIGEST_SIZES,
    GENERATED_VALUE,
    SIGNATURE_HASHES,
    ST_ATTEST_QUOTE,
    algorithm_name,
)
from .tpm.signature import Signature

__all__ = [
    "QuoteProblem",
    "generated_quote",
    "SignatureProblem",
    "verify_signature",
    "signature_check",
    "describe_key",
    "key_problem",
    "pcr_composite",
    "HASHLIB_NAMES",
]

HASHLIB_NAMES = {
    0x0004: "sha1",
    0x000B: "sha256",
    0x000C: "sha384",
    0x000D: "sha512",
    0x0027: "sha3_256",
    0x0028: "sha3_384",
    0x0029: "sha3_512",
}


class QuoteProblem(Exception):
    """Why bytes are not a TPM-generated quote: a ``quote-content`` reason code and a detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def generated_quote(data: bytes, where: str) -> Attestation:
    """``data`` as a ``TPMS_ATTEST`` of a quote that the TPM generated; :class:`QuoteProblem` otherwise."""
    try:
        attestation = parse_attest(data)
    except TPMParseError as error:
        raise QuoteProblem("attest-unreadable", f"{where}: {error}") from None
    if attestation.magic != GENERATED_VALUE:
        raise QuoteProblem(
            "not-tpm-generated", f"magic is 0x{attestation.magic:08x}, not TPM_GENERATED_VALUE (0xff544347)"
        )
    if attestation.type != ST_ATTEST_QUOTE:
        raise QuoteProblem("attest-unreadable", f"type is 0x{attestation.type:04x}, not TPM_ST_ATTEST_QUOTE (0x8018)")
    return attestation


_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


class SignatureProblem(Exception):
    """Why a signature is not accepted; the message is the check's detail."""


def describe_key(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECC {_CURVES.get(key.curve.name, key.curve.name)}"
    return type(key).__name__


def key_problem(key: object) -> str | None:
    """Why a key may not be an AK here: RSA under 2048 bits, other curves, other types."""
    if isinstance(key, rsa.RSAPublicKey):
        return None if key.key_size >= 2048 else f"an RSA key of {key.key_size} bits is too small (at least 2048)"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return None if key.curve.name in _CURVES else f"curve {key.curve.name} is not P-256, P-384 or P-521"
    return f"a {type(key).__name__} is not an RSA or ECC key"


def verify_signature(key: object, signature: Signature, message: bytes) -> None:
    """Verifies a TPM signature over ``message``; raises :class:`SignatureProblem` saying why not."""
    hash_type = SIGNATURE_HASHES.get(signature.hash_alg)
    if hash_type is None:
        raise SignatureProblem(
            f"hash {algorithm_name(signature.hash_alg)} is not accepted (only sha256, sha384, sha512)"
        )
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if signature.scheme == ALG_RSASSA:
                key.verify(signature.rsa, message, padding.PKCS1v15(), hash_type())
            elif signature.scheme == ALG_RSAPSS:
                pss = padding.PSS(mgf=padding.MGF1(hash_type()), salt_length=hash_type().digest_size)
                key.verify(signature.rsa, message, pss, hash_type())
            else:
                raise SignatureProblem(f"an RSA key cannot make a {algorithm_name(signature.scheme)} signature")
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if signature.scheme != ALG_ECDSA:
                raise SignatureProblem(f"an ECC key cannot make a {algorithm_name(signature.scheme)} signature")
            encoded = encode_dss_signature(
                int.from_bytes(signature.ecdsa_r, "big"), int.from_bytes(signature.ecdsa_s, "big")
            )
            key.verify(encoded, message, ec.ECDSA(hash_type()))
        else:
            raise SignatureProblem(f"a {type(key).__name__} cannot verify a quote")
    except InvalidSignature:
        raise SignatureProblem(
            f"the {signature.describe()} does not verify over the quote with the AK's key: "
            "the quote or signature was changed"
        ) from None
    except ValueError as error:
        raise SignatureProblem(f"the {signature.describe()} is malformed: {error}") from None


def signature_check(key: object, signature: Signature, message: bytes, signer: str) -> Check:
    """The ``quote-signature`` check once the key is accepted: ``signature`` over ``message`` verifies
    with ``key``, which ``signer`` names in the detail of a pass."""
    try:
        verify_signature(key, signature, message)
    except SignatureProblem as error:
        return Check("quote-signature", Status.FAIL, "signature-invalid", str(error))
    return Check("quote-signature", Status.PASS, "ok", f"{signature.describe()} by {signer} verifies")


def pcr_composite(hash_alg: int, selection: Iterable[PCRSelection], values: dict[tuple[int, int], bytes]) -> bytes:
    """The quote's ``pcrDigest``: the hash of the selected PCR values, bank by bank in selection
    order, each bank's PCRs in increasing index order. ``KeyError`` if a value is missing."""
    digest = hashlib.new(HASHLIB_NAMES[hash_alg])
    for item in selection:
        for pcr in sorted(item.pcrs):
            digest.update(values[(item.hash_alg, pcr)])
    return digest.digest()


def digest_alg_for(signature_bytes: bytes, pcr_digest: bytes) -> int | None:
    """The hash of a quote's PCR digest: the one of the signature (``TPMT_SIGNATURE`` bytes) if it
    is readable, else the one of the digest's size."""
    try:
        signature: Signature | None = parse_signature(signature_bytes)
    except TPMParseError:
        signature = None
    if signature is not None and signature.hash_alg in HASHLIB_NAMES:
        return signature.hash_alg
    for alg in (0x000B, 0x000C, 0x000D):
        if DIGEST_SIZES[alg] == len(pcr_digest):
            return alg
    return None


__all__ += ["digest_alg_for"]
