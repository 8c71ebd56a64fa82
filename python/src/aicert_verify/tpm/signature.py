"""``TPMT_SIGNATURE`` (TPM 2.0 Part 2, §11.3.4) for the schemes a quote may carry.

RSASSA-PKCS1-v1_5 (0x0014), RSA-PSS (0x0016) and ECDSA (0x0018) parse; any other scheme is an
error, because the verifier could not check it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import ALG_ECDSA, ALG_RSAPSS, ALG_RSASSA, MAX_ECC_KEY_BYTES, MAX_RSA_KEY_BYTES, algorithm_name
from .reader import Reader

__all__ = ["Signature", "parse_signature"]


@dataclass(frozen=True)
class Signature:
    """A parsed signature: ``scheme`` and ``hash_alg`` are TPM_ALG_IDs.

    ``rsa`` holds the RSA signature bytes; ``ecdsa_r``/``ecdsa_s`` the ECDSA integers' bytes.
    """

    scheme: int
    hash_alg: int
    rsa: bytes = b""
    ecdsa_r: bytes = b""
    ecdsa_s: bytes = b""

    def describe(self) -> str:
        return f"{algorithm_name(self.scheme)} signature with {algorithm_name(self.hash_alg)}"


def parse_signature(data: bytes) -> Signature:
    """Parses ``TPMT_SIGNATURE`` bytes with nothing after them."""
    reader = Reader(data, "TPMT_SIGNATURE")
    scheme = reader.u16("sigAlg")
    if scheme in (ALG_RSASSA, ALG_RSAPSS):
        hash_alg = reader.u16("signature.hash")
        value = reader.tpm2b("signature.sig", MAX_RSA_KEY_BYTES)
        reader.finish()
        return Signature(scheme, hash_alg, rsa=value)
    if scheme == ALG_ECDSA:
        hash_alg = reader.u16("signature.hash")
        r = reader.tpm2b("signature.signatureR", MAX_ECC_KEY_BYTES)
        s = reader.tpm2b("signature.signatureS", MAX_ECC_KEY_BYTES)
        reader.finish()
        return Signature(scheme, hash_alg, ecdsa_r=r, ecdsa_s=s)
    raise reader.fail(f"signature scheme {algorithm_name(scheme)} is not supported (only rsassa, rsapss, ecdsa)")
