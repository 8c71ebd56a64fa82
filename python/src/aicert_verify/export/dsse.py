"""DSSE envelopes around in-toto statements, signed with a PEM EC P-256 private key.

The signature only says who published the statement; the certificate is the proof. ECDSA is
randomised, so ``sig`` differs between runs while ``payload`` (the statement) does not.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .build import ExportError

__all__ = ["PAYLOAD_TYPE", "envelope", "pre_authentication_encoding"]

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def pre_authentication_encoding(payload_type: str, payload: bytes) -> bytes:
    """What DSSE signs: ``DSSEv1 LEN(type) type LEN(body) body``."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def envelope(statement: bytes, key_pem: bytes | str) -> dict[str, Any]:
    """The envelope of ``statement`` (export bytes), signed over their PAE with ``key_pem``."""
    key = _key(key_pem)
    signature = key.sign(pre_authentication_encoding(PAYLOAD_TYPE, statement), ec.ECDSA(hashes.SHA256()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "payload": base64.b64encode(statement).decode("ascii"),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": hashlib.sha256(spki).hexdigest(), "sig": base64.b64encode(signature).decode("ascii")}],
    }


def _key(key_pem: bytes | str) -> ec.EllipticCurvePrivateKey:
    data = key_pem.encode("utf-8") if isinstance(key_pem, str) else key_pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise ExportError("bad-key", f"not a PEM EC P-256 private key: {error}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ExportError("bad-key", "not a PEM EC P-256 private key")
    return key
