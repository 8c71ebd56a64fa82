"""``TPMT_PUBLIC`` (TPM 2.0 Part 2, §12.2.4) of RSA and ECC keys, and their object attributes.

The parser reads the whole public area (name algorithm, attributes, policy, symmetric and
signing schemes, key) and hands back a ``cryptography`` public key, so that the key the TPM
describes can be compared with the one in the AK certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .constants import (
    ALG_AES,
    ALG_CAMELLIA,
    ALG_ECC,
    ALG_ECDAA,
    ALG_ECDH,
    ALG_ECDSA,
    ALG_ECMQV,
    ALG_ECSCHNORR,
    ALG_NULL,
    ALG_OAEP,
    ALG_RSA,
    ALG_RSAES,
    ALG_RSAPSS,
    ALG_RSASSA,
    ALG_SM2,
    ALG_SM4,
    CURVES,
    MAX_DIGEST_BYTES,
    MAX_ECC_KEY_BYTES,
    MAX_RSA_KEY_BYTES,
    algorithm_name,
)
from .reader import Reader

_HASHED_SCHEMES = {ALG_RSASSA, ALG_RSAPSS, ALG_OAEP, ALG_ECDSA, ALG_ECDH, ALG_ECDAA, ALG_SM2, ALG_ECSCHNORR, ALG_ECMQV}

__all__ = ["ObjectAttributes", "PublicArea", "parse_public"]


class ObjectAttributes(IntFlag):
    """``TPMA_OBJECT`` bits the verifier looks at."""

    FIXED_TPM = 1 << 1
    ST_CLEAR = 1 << 2
    FIXED_PARENT = 1 << 4
    SENSITIVE_DATA_ORIGIN = 1 << 5
    USER_WITH_AUTH = 1 << 6
    ADMIN_WITH_POLICY = 1 << 7
    NO_DA = 1 << 10
    ENCRYPTED_DUPLICATION = 1 << 11
    RESTRICTED = 1 << 16
    DECRYPT = 1 << 17
    SIGN = 1 << 18


@dataclass(frozen=True)
class PublicArea:
    """A parsed public area. ``scheme``/``scheme_hash`` are ``ALG_NULL`` when the key names none."""

    type: int
    name_alg: int
    attributes: int
    auth_policy: bytes
    symmetric: int
    scheme: int
    scheme_hash: int
    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    key_bits: int
    curve: str | None

    def has(self, flag: ObjectAttributes) -> bool:
        return self.attributes & flag == flag

    def describe(self) -> str:
        return f"ECC {self.curve}" if self.curve else f"RSA {self.key_bits}"


def parse_public(data: bytes) -> PublicArea:
    """Parses ``TPMT_PUBLIC`` bytes (no ``TPM2B`` size prefix) with nothing after them.

    Raises :class:`TPMParseError` for malformed bytes, types other than RSA and ECC, curves
    other than P-256/384/521, and keys that are not valid points or moduli.
    """
    reader = Reader(data, "TPMT_PUBLIC")
    key_type = reader.u16("type")
    name_alg = reader.u16("nameAlg")
    attributes = reader.u32("objectAttributes")
    policy = reader.tpm2b("authPolicy", MAX_DIGEST_BYTES)
    if key_type == ALG_RSA:
        symmetric = _symmetric(reader)
        scheme, scheme_hash = _scheme(reader)
        key_bits = reader.u16("parameters.rsaDetail.keyBits")
        exponent = reader.u32("parameters.rsaDetail.exponent") or 65537
        modulus = reader.tpm2b("unique.rsa", MAX_RSA_KEY_BYTES)
        reader.finish()
        if len(modulus) * 8 != key_bits:
            raise reader.fail(f"the modulus is {len(modulus) * 8} bits, not the {key_bits} of keyBits")
        n = int.from_bytes(modulus, "big")
        if n.bit_length() != key_bits or exponent < 3 or exponent % 2 == 0:
            raise reader.fail("the RSA modulus or exponent is not valid")
        try:
            rsa_key = rsa.RSAPublicNumbers(exponent, n).public_key()
        except ValueError as error:
            raise reader.fail(f"the RSA key is not valid: {error}") from None
        return PublicArea(
            key_type, name_alg, attributes, policy, symmetric, scheme, scheme_hash, rsa_key, key_bits, None
        )
    if key_type == ALG_ECC:
        symmetric = _symmetric(reader)
        scheme, scheme_hash = _scheme(reader)
        curve_id = reader.u16("parameters.eccDetail.curveID")
        kdf = reader.u16("parameters.eccDetail.kdf.scheme")
        if kdf != ALG_NULL:
            reader.u16("parameters.eccDetail.kdf.details.hashAlg")
        x = reader.tpm2b("unique.ecc.x", MAX_ECC_KEY_BYTES)
        y = reader.tpm2b("unique.ecc.y", MAX_ECC_KEY_BYTES)
        reader.finish()
        if curve_id not in CURVES:
            raise reader.fail(f"curve 0x{curve_id:04x} is not supported (only P-256, P-384, P-521)")
        name, curve, size = CURVES[curve_id]
        if len(x) > size or len(y) > size:
            raise reader.fail(f"a coordinate is longer than {size} bytes, the size of {name}")
        try:
            ec_key = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve()
            ).public_key()
        except ValueError as error:
            raise reader.fail(f"the point is not on {name}: {error}") from None
        return PublicArea(
            key_type, name_alg, attributes, policy, symmetric, scheme, scheme_hash, ec_key, ec_key.key_size, name
        )
    raise reader.fail(f"key type {algorithm_name(key_type)} is not supported (only rsa and ecc)")


def _symmetric(reader: Reader) -> int:
    """``TPMT_SYM_DEF_OBJECT``: NULL, or a block cipher with key bits and mode."""
    algorithm = reader.u16("parameters.symmetric.algorithm")
    if algorithm == ALG_NULL:
        return algorithm
    if algorithm in (ALG_AES, ALG_SM4, ALG_CAMELLIA):
        reader.u16("parameters.symmetric.keyBits")
        reader.u16("parameters.symmetric.mode")
        return algorithm
    raise reader.fail(f"symmetric algorithm {algorithm_name(algorithm)} is not supported")


def _scheme(reader: Reader) -> tuple[int, int]:
    """``TPMT_RSA_SCHEME`` or ``TPMT_ECC_SCHEME``: the scheme and its hash (NULL, NULL if none)."""
    scheme = reader.u16("parameters.scheme.scheme")
    if scheme == ALG_NULL:
        return scheme, ALG_NULL
    if scheme == ALG_RSAES:  # its details are TPMS_EMPTY
        return scheme, ALG_NULL
    if scheme not in _HASHED_SCHEMES:
        raise reader.fail(f"scheme {algorithm_name(scheme)} is not a known asymmetric scheme")
    hash_alg = reader.u16("parameters.scheme.details.hashAlg")
    if scheme == ALG_ECDAA:
        reader.u16("parameters.scheme.details.count")
    return scheme, hash_alg
