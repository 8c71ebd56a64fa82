"""RFC 3161 time-stamp tokens: the ``timestamp`` check of ``aicert/v1`` certificates.

A certificate may carry ``timestamp_token``, a DER ``TimeStampToken`` (a CMS ``SignedData``,
RFC 5652, whose content is a ``TSTInfo``) over the SHA-256 of the quote's signature bytes. A
valid token proves the quote existed at its ``genTime``, so the AK chain is checked at that
time instead of now or ``at``: a certificate stays verifiable after its AK certificate expired.

:func:`parse_token` reads the token strictly (:mod:`aicert_verify.der`) and checks only its
structure; :func:`timestamp_check` judges it in the Swift verifier's order
(``Sources/AICertVerify/Timestamp/TimestampVerifier.swift``), each failure with its reason:

1. ``timestamp-malformed``: not a parseable token of at most 64 KiB;
2. ``timestamp-imprint-mismatch``: the imprint is not the SHA-256 of the quote's signature;
3. ``timestamp-signature-invalid``: the signed ``contentType`` is not ``id-ct-TSTInfo``, the
   ``messageDigest`` is not the digest of the ``TSTInfo``, the signer's certificate is not in
   the token, or the CMS signature over the signed attributes does not verify;
4. ``timestamp-purpose-missing``: the signer lacks the ``timeStamping`` extended key usage;
5. ``timestamp-untrusted``: no TSA root is configured, or the signer does not chain to one
   with every certificate valid at ``genTime``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from . import der
from .chain import TrustRoot, check_chain, parse_certificate
from .errors import AICertError
from .report import Check, Stamp, Status, rfc3339

__all__ = [
    "MAX_TOKEN_BYTES",
    "TimestampFormatError",
    "TimeStampToken",
    "SignerInfo",
    "parse_token",
    "timestamp_check",
    "TIME_STAMPING",
]

# The largest token accepted: real ones are a few KiB with their certificates.
MAX_TOKEN_BYTES = 64 * 1024
# id-kp-timeStamping, the extended key usage a TSA certificate must have (RFC 3161, 2.3).
TIME_STAMPING = ExtendedKeyUsageOID.TIME_STAMPING

SIGNED_DATA = "1.2.840.113549.1.7.2"
TST_INFO = "1.2.840.113549.1.9.16.1.4"
CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
SHA256 = "2.16.840.1.101.3.4.2.1"
SHA384 = "2.16.840.1.101.3.4.2.2"
SHA512 = "2.16.840.1.101.3.4.2.3"
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
SHA384_WITH_RSA = "1.2.840.113549.1.1.12"
SHA512_WITH_RSA = "1.2.840.113549.1.1.13"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2"
ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3"
ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4"

_DIGESTS: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    SHA256: hashes.SHA256,
    SHA384: hashes.SHA384,
    SHA512: hashes.SHA512,
}
# (signature algorithm, digest algorithm) → the scheme: RSA signers often name only
# rsaEncryption and leave the hash to the digest algorithm.
_SCHEMES: dict[tuple[str, str], str] = {}
for _digest, _rsa, _ecdsa in (
    (SHA256, SHA256_WITH_RSA, ECDSA_WITH_SHA256),
    (SHA384, SHA384_WITH_RSA, ECDSA_WITH_SHA384),
    (SHA512, SHA512_WITH_RSA, ECDSA_WITH_SHA512),
):
    _SCHEMES.update({(RSA_ENCRYPTION, _digest): "rsa", (_rsa, _digest): "rsa"})
    _SCHEMES.update({(EC_PUBLIC_KEY, _digest): "ecdsa", (_ecdsa, _digest): "ecdsa"})
# The keys the Swift verifier's certificates can hold (swift-certificates): others do not parse there.
_CURVES = ("secp256r1", "secp384r1", "secp521r1")
_MIN_RSA_BITS = 2048


class TimestampFormatError(AICertError):
    """Bytes that are not an RFC 3161 time-stamp token; says which part is not what RFC 3161 asks."""


@dataclass(frozen=True)
class SignerInfo:
    """The token's one CMS ``SignerInfo``, as far as verification needs it.

    The signer is named by ``issuer`` (the DER ``Name``) and ``serial``, or by ``key_identifier``.
    ``signed_attributes`` is the DER ``SET OF Attribute`` the signature covers (the ``[0]`` tag
    read as ``SET``, RFC 5652 5.4).
    """

    issuer: bytes | None
    serial: int | None
    key_identifier: bytes | None
    digest_algorithm: str
    signed_attributes: bytes
    content_type: str
    message_digest: bytes
    signature_algorithm: str
    signature: bytes


@dataclass(frozen=True)
class TimeStampToken:
    """A parsed token: the ``TSTInfo``'s fields, the certificates it carries, its signer.

    ``time`` is ``genTime`` (aware, UTC); ``nonce`` the request's nonce when there was one;
    ``content`` the encoded ``TSTInfo`` the signed ``messageDigest`` covers.
    """

    time: datetime
    imprint_algorithm: str
    imprint: bytes
    policy: str
    nonce: int | None
    certificates: tuple[x509.Certificate, ...]
    content: bytes
    signer: SignerInfo


def parse_token(data: bytes) -> TimeStampToken:
    """Parses a DER ``TimeStampToken``; raises :class:`TimestampFormatError` saying what is wrong."""
    if len(data) > MAX_TOKEN_BYTES:
        raise TimestampFormatError(f"the token is {len(data)} bytes, more than {MAX_TOKEN_BYTES}")
    try:
        return _token(der.parse(data))
    except der.DERError as error:
        raise TimestampFormatError(f"the token is not valid DER: {error}") from None


def _token(root: der.Node) -> TimeStampToken:
    content_info = der.sequence(root, "the token's ContentInfo")
    if der.oid(content_info.take("content type"), "the token's content type") != SIGNED_DATA:
        raise TimestampFormatError("the token is not CMS SignedData")
    signed_data = der.explicit(content_info.take("content"), 0, "the ContentInfo's content")
    content_info.end()
    items = der.sequence(signed_data, "the SignedData")
    der.integer(items.take("version"), "the SignedData's version")
    der.ordered_set_of(items.take("digestAlgorithms"), "the SignedData's digestAlgorithms")
    content = _encapsulated_content(items.take("encapContentInfo"))
    certificates_node = items.optional(der.CONTEXT, 0)
    certificates = _certificates(certificates_node) if certificates_node is not None else ()
    items.optional(der.CONTEXT, 1)  # crls: not used
    signer_infos = items.next()
    if signer_infos is None:
        raise TimestampFormatError("the token has no signer")
    signers = [_signer_info(node) for node in der.set_of(signer_infos, "the signerInfos").rest()]
    if len(signers) != 1:
        raise TimestampFormatError(f"the token has {len(signers)} signers; RFC 3161 asks for one")
    items.end()
    info = _tst_info(content)
    return TimeStampToken(
        time=info[0],
        imprint_algorithm=info[1],
        imprint=info[2],
        policy=info[3],
        nonce=info[4],
        certificates=certificates,
        content=content,
        signer=signers[0],
    )


def _encapsulated_content(node: der.Node) -> bytes:
    """``EncapsulatedContentInfo``: the ``TSTInfo`` bytes, which must be there (attached)."""
    items = der.sequence(node, "the encapContentInfo")
    kind = der.oid(items.take("eContentType"), "the eContentType")
    if kind != TST_INFO:
        raise TimestampFormatError(f"the token's content is {kind}, not a TSTInfo ({TST_INFO})")
    octets = der.octet_string(der.explicit(items.take("eContent"), 0, "the eContent"), "the eContent")
    items.end()
    return octets


def _certificates(node: der.Node) -> tuple[x509.Certificate, ...]:
    """``[0] IMPLICIT SET OF CertificateChoices``: X.509 certificates only."""
    if not node.constructed:
        raise TimestampFormatError("the token's certificates are not a set")
    certificates: list[x509.Certificate] = []
    for child in node.children:
        try:
            (certificate,) = parse_certificate(child.encoded)
        except ValueError:
            raise TimestampFormatError("a certificate in the token is not an X.509 certificate") from None
        if not _usable_key(certificate):
            raise TimestampFormatError(
                "a certificate in the token has a key the verifier does not read "
                "(RSA of 2048 bits or more, P-256, P-384, P-521 or Ed25519)"
            )
        certificates.append(certificate)
    return tuple(certificates)


def _usable_key(certificate: x509.Certificate) -> bool:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= _MIN_RSA_BITS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name in _CURVES
    return isinstance(key, ed25519.Ed25519PublicKey)


def _signer_info(node: der.Node) -> SignerInfo:
    items = der.sequence(node, "the SignerInfo")
    der.integer(items.take("version"), "the SignerInfo's version")
    sid = items.take("identifier")
    issuer: bytes | None = None
    serial: int | None = None
    key_identifier: bytes | None = None
    if sid.is_(der.UNIVERSAL, der.SEQUENCE):
        parts = der.sequence(sid, "the signer's issuerAndSerialNumber")
        name = parts.take("issuer")
        serial = der.unsigned_integer(parts.take("serial number"), "the signer's serial number")
        parts.end()
        _check_name(name)
        issuer = name.encoded
    elif sid.is_(der.CONTEXT, 0):
        if sid.constructed:
            raise TimestampFormatError("the signer's subjectKeyIdentifier is constructed")
        key_identifier = sid.content
    else:
        raise TimestampFormatError("the signer's identifier is neither issuer and serial nor a key identifier")
    digest_algorithm = _algorithm(items.next(), "the signer's digest algorithm")
    attributes = items.optional(der.CONTEXT, 0)
    if attributes is None:
        raise TimestampFormatError("the signer has no signed attributes; RFC 3161 asks for them")
    content_type, message_digest = _signed_attributes(attributes)
    signature_algorithm = _algorithm(items.next(), "the signer's signature algorithm")
    signature = der.octet_string(items.take("signature"), "the signature")
    items.optional(der.CONTEXT, 1)  # unsignedAttrs: not used
    items.end()
    return SignerInfo(
        issuer=issuer,
        serial=serial,
        key_identifier=key_identifier,
        digest_algorithm=digest_algorithm,
        # The signature covers the attributes with their SET tag (RFC 5652, 5.4).
        signed_attributes=b"\x31" + attributes.encoded[1:],
        content_type=content_type,
        message_digest=message_digest,
        signature_algorithm=signature_algorithm,
        signature=signature,
    )


def _check_name(node: der.Node) -> None:
    """A ``Name``: a SEQUENCE of RDNs, each a DER-ordered SET of ``{type, value}``."""
    for rdn in der.sequence(node, "the signer's issuer").rest():
        for attribute in der.ordered_set_of(rdn, "a relative distinguished name"):
            parts = der.sequence(attribute, "a name attribute")
            der.oid(parts.take("type"), "a name attribute's type")
            parts.take("value")
            parts.end()


def _signed_attributes(node: der.Node) -> tuple[str, bytes]:
    """The ``contentType`` and ``messageDigest`` attributes, each present once with one value."""
    if not node.constructed:
        raise TimestampFormatError("the signed attributes are not a set")
    content_type: str | None = None
    message_digest: bytes | None = None
    for attribute in node.children:
        parts = der.sequence(attribute, "a signed attribute")
        kind = der.oid(parts.take("type"), "a signed attribute's type")
        values = der.ordered_set_of(parts.take("values"), f"the values of the signed attribute {kind}")
        parts.end()
        if kind not in (CONTENT_TYPE, MESSAGE_DIGEST):
            continue
        seen = content_type if kind == CONTENT_TYPE else message_digest
        if len(values) != 1 or seen is not None:
            raise TimestampFormatError(f"the signed attribute {kind} is not there exactly once with one value")
        if kind == CONTENT_TYPE:
            content_type = der.oid(values[0], "the signed contentType")
        else:
            message_digest = der.octet_string(values[0], "the signed messageDigest")
    if content_type is None or message_digest is None:
        raise TimestampFormatError("the signed attributes lack contentType or messageDigest")
    return content_type, message_digest


def _algorithm(node: der.Node | None, what: str) -> str:
    """An ``AlgorithmIdentifier``'s OID; its parameters (absent or NULL) are not used."""
    if node is None:
        raise TimestampFormatError(f"{what} is missing")
    items = der.sequence(node, what)
    algorithm = der.oid(items.take("algorithm"), what)
    items.rest()
    return algorithm


def _tst_info(content: bytes) -> tuple[datetime, str, bytes, str, int | None]:
    """``TSTInfo`` (RFC 3161, 2.4.2): version 1, policy, imprint, serial, time, the optional rest."""
    items = der.sequence(der.parse(content), "the TSTInfo")
    if der.integer(items.take("version"), "the TSTInfo's version") != 1:
        raise TimestampFormatError("the TSTInfo is not version 1")
    policy = der.oid(items.take("policy"), "the TSTInfo's policy")
    imprint_items = der.sequence(items.take("messageImprint"), "the message imprint")
    algorithm = _algorithm(imprint_items.next(), "the imprint's hash algorithm")
    imprint = der.octet_string(imprint_items.take("hashedMessage"), "the imprint")
    imprint_items.end()
    der.unsigned_integer(items.take("serialNumber"), "the TSTInfo's serial number")
    time = der.generalized_time(items.take("genTime"), "the TSTInfo's genTime")
    nonce: int | None = None
    for node in items.rest():  # accuracy, ordering, nonce, tsa, extensions
        if node.is_(der.UNIVERSAL, der.INTEGER):
            nonce = der.unsigned_integer(node, "the TSTInfo's nonce")
    return time, algorithm, imprint, policy, nonce


class _Refused(Exception):
    """Why a token is refused: a reason code of docs/verification-rules.md and a detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def timestamp_check(token: bytes | None, signature: bytes, roots: Sequence[TrustRoot]) -> tuple[Check, Stamp | None]:
    """The ``timestamp`` check of ``token`` over ``signature`` (the quote's ``TPMT_SIGNATURE``
    bytes) against the TSA ``roots``, and the :class:`Stamp` when it passes.

    No token: a skip (``not-requested``), and the AK chain is checked now or at ``at``.
    """
    if token is None:
        return (
            Check(
                "timestamp",
                Status.SKIP,
                "not-requested",
                "no time-stamp token; the AK chain is checked at the verification time",
            ),
            None,
        )
    try:
        stamp = _verify(token, signature, roots)
    except _Refused as refused:
        return Check("timestamp", Status.FAIL, refused.reason, refused.detail), None
    detail = f"time-stamped by '{stamp.authority}' at {rfc3339(stamp.time)}; the AK chain is checked at that time"
    return Check("timestamp", Status.PASS, "ok", detail), stamp


def _verify(data: bytes, signature: bytes, roots: Sequence[TrustRoot]) -> Stamp:
    try:
        token = parse_token(data)
    except TimestampFormatError as error:
        raise _Refused("timestamp-malformed", f"the time-stamp token: {error}") from None
    expected = hashlib.sha256(signature).digest()
    if token.imprint_algorithm != SHA256 or not hmac.compare_digest(token.imprint, expected):
        algorithm = "SHA-256" if token.imprint_algorithm == SHA256 else f"hash {token.imprint_algorithm}"
        raise _Refused(
            "timestamp-imprint-mismatch",
            f"the token time-stamps the {algorithm} digest {token.imprint.hex()}, not the SHA-256 of the "
            f"quote's signature {expected.hex()}",
        )
    signer = _signed_by(token)
    subject = signer.subject.rfc4514_string()
    if TIME_STAMPING not in _extended_usage(signer):
        raise _Refused(
            "timestamp-purpose-missing",
            f"the TSA certificate '{subject}' lacks the timeStamping extended key usage "
            f"({TIME_STAMPING.dotted_string})",
        )
    if not roots:
        raise _Refused(
            "timestamp-untrusted",
            f"no TSA root is configured (--tsa-root, or tsa_roots in the policy) to check "
            f"'{signer.issuer.rfc4514_string()}' against",
        )
    others = [certificate for certificate in token.certificates if certificate is not signer]
    result = check_chain([signer, *others], roots, token.time, purpose=_tsa_purpose, max_carried=len(others) + 1)
    if result.problem is not None:
        raise _Refused(
            "timestamp-untrusted",
            f"the TSA certificate '{subject}' does not chain to a trusted TSA root at {rfc3339(token.time)}: "
            f"{result.problem}",
        )
    return Stamp(token.time, subject)


def _signed_by(token: TimeStampToken) -> x509.Certificate:
    """The certificate that signed the token, once its CMS signature checks out."""

    def invalid(detail: str) -> _Refused:
        return _Refused("timestamp-signature-invalid", detail)

    signer = token.signer
    if signer.content_type != TST_INFO:
        raise invalid("the signed contentType is not TSTInfo")
    digest = _DIGESTS.get(signer.digest_algorithm)
    if digest is None or not hmac.compare_digest(_hash(digest(), token.content), signer.message_digest):
        raise invalid("the signed messageDigest does not match the token's TSTInfo")
    candidates = [certificate for certificate in token.certificates if _names_signer(certificate, signer)]
    if not candidates:
        raise invalid("the token does not carry its signer's certificate (request tokens with certReq)")
    certificate = candidates[0]
    if not _signature_verifies(certificate, signer):
        raise invalid(
            f"the TSA's signature over the token does not verify with '{certificate.subject.rfc4514_string()}'"
        )
    return certificate


def _hash(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    context = hashes.Hash(algorithm)
    context.update(data)
    return context.finalize()


def _names_signer(certificate: x509.Certificate, signer: SignerInfo) -> bool:
    if signer.key_identifier is not None:
        try:
            extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        except x509.ExtensionNotFound:
            return False
        return extension.value.key_identifier == signer.key_identifier
    return certificate.serial_number == signer.serial and _issuer_der(certificate) == signer.issuer


def _issuer_der(certificate: x509.Certificate) -> bytes | None:
    """The certificate's issuer ``Name`` exactly as encoded (read from the TBSCertificate)."""
    try:
        items = der.sequence(der.parse(certificate.tbs_certificate_bytes), "the TBSCertificate")
        items.optional(der.CONTEXT, 0)  # version
        items.take("serialNumber")
        items.take("signature")
        return items.take("issuer").encoded
    except der.DERError:
        return None


def _signature_verifies(certificate: x509.Certificate, signer: SignerInfo) -> bool:
    """The CMS signature over the signed attributes: PKCS#1 v1.5 or ECDSA with the digest algorithm."""
    scheme = _SCHEMES.get((signer.signature_algorithm, signer.digest_algorithm))
    digest = _DIGESTS.get(signer.digest_algorithm)
    if scheme is None or digest is None:
        return False
    key = certificate.public_key()
    try:
        if scheme == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signer.signature, signer.signed_attributes, padding.PKCS1v15(), digest())
            return True
        if scheme == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVES:
            key.verify(signer.signature, signer.signed_attributes, ec.ECDSA(digest()))
            return True
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return False


def _extended_usage(certificate: x509.Certificate) -> list[x509.ObjectIdentifier]:
    try:
        return list(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except (x509.ExtensionNotFound, ValueError):
        return []


def _tsa_purpose(path: list[x509.Certificate]) -> str | None:
    """The TSA certificate (the path's first) must allow time-stamping; its issuers are not restricted."""
    if TIME_STAMPING in _extended_usage(path[0]):
        return None
    return f"the TSA certificate '{path[0].subject.rfc4514_string()}' lacks the timeStamping purpose"
