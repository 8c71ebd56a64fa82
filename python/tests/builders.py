"""Builds aicert/v1 certificates in software, written from the spec independently of the SDK.

The TPM structures are marshalled here by hand (struct.pack), the event digests and manifest
digests use the Python snippets of docs/certificate-format.md verbatim, and the quote is signed
by a key this module holds: a stand-in for a TPM whose output the verifier cannot tell apart.
Only the ``summary`` comes from the SDK (``derive_summary``): the Swift fixtures
(test_shared_fixtures.py) are what check it against an independent implementation.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pki import NOW, PKI, der, pem

from aicert_verify.eventlog import derive_summary

SHA256, SHA384, SHA512, NULL = 0x000B, 0x000C, 0x000D, 0x0010
RSASSA, RSAPSS, ECDSA = 0x0014, 0x0016, 0x0018
FIXED_TPM, FIXED_PARENT, SENSITIVE_DATA_ORIGIN, USER_WITH_AUTH = 1 << 1, 1 << 4, 1 << 5, 1 << 6
RESTRICTED, DECRYPT, SIGN = 1 << 16, 1 << 17, 1 << 18
AK_ATTRIBUTES = FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | RESTRICTED | SIGN
HASHES = {SHA256: hashes.SHA256, SHA384: hashes.SHA384, SHA512: hashes.SHA512}
CURVE_IDS = {"secp256r1": 0x0003, "secp384r1": 0x0004, "secp521r1": 0x0005}


def tpm2b(data: bytes) -> bytes:
    return struct.pack(">H", len(data)) + data


def event_digest(content_type: str, content: Any) -> str:
    # docs/certificate-format.md, "The event digest"
    document = json.dumps(
        {"content": content, "type": content_type}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    return hashlib.sha256(document).hexdigest()


def manifest_digest(entries: list[dict[str, Any]]) -> str:
    # docs/certificate-format.md, "Canonical order and encoding"
    entries = sorted(entries, key=lambda e: e["path"].encode("utf-8"))
    document = json.dumps(
        {"entries": entries, "version": 1}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    return hashlib.sha256(document).hexdigest()


def file_entry(path: str, content: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "type": "file"}


def public_area(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    *,
    attributes: int = AK_ATTRIBUTES,
    scheme: int | None = None,
    scheme_hash: int = SHA256,
    exponent_zero: bool = True,
) -> bytes:
    """TPMT_PUBLIC of ``key``'s public half, as a TPM would describe an AK."""
    public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        scheme = RSASSA if scheme is None else scheme
        scheme_bytes = struct.pack(">H", NULL) if scheme == NULL else struct.pack(">HH", scheme, scheme_hash)
        exponent = 0 if exponent_zero and numbers.e == 65537 else numbers.e
        return (
            struct.pack(">HHI", 0x0001, SHA256, attributes)
            + tpm2b(b"")
            + struct.pack(">H", NULL)
            + scheme_bytes
            + struct.pack(">HI", public.key_size, exponent)
            + tpm2b(numbers.n.to_bytes(public.key_size // 8, "big"))
        )
    numbers = public.public_numbers()
    size = (public.curve.key_size + 7) // 8
    scheme = ECDSA if scheme is None else scheme
    scheme_bytes = struct.pack(">H", NULL) if scheme == NULL else struct.pack(">HH", scheme, scheme_hash)
    return (
        struct.pack(">HHI", 0x0023, SHA256, attributes)
        + tpm2b(b"")
        + struct.pack(">H", NULL)
        + scheme_bytes
        + struct.pack(">HH", CURVE_IDS[public.curve.name], NULL)
        + tpm2b(numbers.x.to_bytes(size, "big"))
        + tpm2b(numbers.y.to_bytes(size, "big"))
    )


def selection_bytes(banks: list[tuple[int, list[int]]], size: int = 3) -> bytes:
    out = struct.pack(">I", len(banks))
    for alg, pcrs in banks:
        bitmap = bytearray(size)
        for pcr in pcrs:
            bitmap[pcr // 8] |= 1 << (pcr % 8)
        out += struct.pack(">HB", alg, size) + bytes(bitmap)
    return out


def attest_quote(
    nonce: bytes, selection: bytes, pcr_digest: bytes, *, magic: int = 0xFF544347, kind: int = 0x8018
) -> bytes:
    signer = tpm2b(b"\x00\x0b" + hashlib.sha256(b"signer").digest())
    clock = struct.pack(">QIIB", 123456, 1, 0, 1)
    return (
        struct.pack(">IH", magic, kind)
        + signer
        + tpm2b(nonce)
        + clock
        + struct.pack(">Q", 0x2019102300163636)
        + selection
        + tpm2b(pcr_digest)
    )


def sign(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, message: bytes, scheme: int, hash_alg: int = SHA256
) -> bytes:
    """TPMT_SIGNATURE over ``message``."""
    algorithm = HASHES[hash_alg]()
    if isinstance(key, rsa.RSAPrivateKey):
        if scheme == RSAPSS:
            signature = key.sign(message, padding.PSS(padding.MGF1(algorithm), algorithm.digest_size), algorithm)
        else:
            signature = key.sign(message, padding.PKCS1v15(), algorithm)
        return struct.pack(">HH", scheme, hash_alg) + tpm2b(signature)
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(algorithm)))
    size = (key.curve.key_size + 7) // 8
    return struct.pack(">HH", ECDSA, hash_alg) + tpm2b(r.to_bytes(size, "big")) + tpm2b(s.to_bytes(size, "big"))


def standard_events(platform: str = "local", image: dict[str, str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    code = [file_entry("train.py", b"print('hello')\n")]
    data = [file_entry("points.csv", b"1,2\n3,4\n5,6\n")]
    out = [
        file_entry("model.bin", b"\x00" * 100),
        file_entry("metrics.json", b'{"loss": 1}\n'),
        {"path": "latest", "target": "model.bin", "type": "symlink"},
        {"path": "empty", "type": "dir"},
    ]
    return [
        (
            "aicert/runner",
            {
                "name": "aicert-runner",
                "version": "0.1.0",
                "executable_sha256": "5d" * 32,
                "platform": platform,
                **({"image": image} if image is not None else {}),
            },
        ),
        (
            "aicert/build-spec",
            {"command": ["python3", "train.py"], "env": {"SEED": "7"}, "outputs": ["**"], "timeout_seconds": 600},
        ),
        (
            "aicert/input",
            {
                "name": "code",
                "kind": "git",
                "source": "https://example.org/code.git",
                "commit": "9c4e2f" + "0" * 34,
                "manifest_digest": manifest_digest(code),
                "files": 1,
                "bytes": 15,
                "_entries": code,
            },
        ),
        (
            "aicert/input",
            {
                "name": "data",
                "kind": "upload",
                "source": "./data",
                "manifest_digest": manifest_digest(data),
                "files": 1,
                "bytes": 12,
                "_entries": data,
            },
        ),
        ("aicert/environment", {"sandbox": "bubblewrap", "network": "none"}),
        ("aicert/launch", {}),
        (
            "aicert/output",
            {"name": "outputs", "manifest_digest": manifest_digest(out), "files": 2, "bytes": 112, "_entries": out},
        ),
        ("aicert/result", {"exit_status": 0, "duration_ms": 5120}),
    ]


OUTPUT_FILES = {"model.bin": b"\x00" * 100, "metrics.json": b'{"loss": 1}\n'}


@dataclass
class CertificateFactory:
    """Makes signed certificates; every field can be changed before :meth:`document`."""

    pki: PKI
    ak_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    scheme: int = RSASSA
    hash_alg: int = SHA256
    platform: str = "local"
    nonce: bytes = bytes(range(32))
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=standard_events)
    boot_pcrs: dict[int, bytes] = field(default_factory=lambda: {pcr: bytes(32) for pcr in range(14)})
    attributes: int = AK_ATTRIBUTES
    key_scheme: int | None = None

    @classmethod
    def rsa(cls, pki: PKI, **options: Any) -> CertificateFactory:
        return cls(pki, rsa.generate_private_key(65537, 2048), **options)

    @classmethod
    def ecc(cls, pki: PKI, curve: ec.EllipticCurve | None = None, **options: Any) -> CertificateFactory:
        return cls(pki, ec.generate_private_key(curve or ec.SECP256R1()), scheme=ECDSA, **options)

    def records(self) -> list[dict[str, Any]]:
        records = []
        for index, (content_type, content) in enumerate(self.events):
            content = {key: value for key, value in content.items() if key != "_entries"}
            pcr = 15 if content_type in ("aicert/output", "aicert/result") else 14
            records.append(
                {
                    "recnum": index,
                    "pcr": pcr,
                    "digests": [{"hashAlg": "sha256", "digest": event_digest(content_type, content)}],
                    "content_type": content_type,
                    "content": content,
                }
            )
        return records

    def pcr_values(self, records: list[dict[str, Any]]) -> dict[int, bytes]:
        values = dict(self.boot_pcrs)
        for pcr in (14, 15):
            value = bytes(32)
            for record in records:
                if record["pcr"] == pcr:
                    value = hashlib.sha256(value + bytes.fromhex(record["digests"][0]["digest"])).digest()
            values[pcr] = value
        return values

    def summary(self) -> dict[str, Any]:
        try:
            return derive_summary(self.events)
        except KeyError:
            # A log this broken (no runner, no platform, …) has no summary; the verifier must fail it
            # on the log alone.
            return {}

    def manifests(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {"inputs": {}, "outputs": {}}
        for content_type, content in self.events:
            if "_entries" in content:
                kind = "inputs" if content_type == "aicert/input" else "outputs"
                entries = sorted(content["_entries"], key=lambda e: e["path"].encode("utf-8"))
                result[kind][content["name"]] = {"entries": entries, "version": 1}
        return result

    def document(
        self, *, pcr_values: dict[int, bytes] | None = None, firmware_log: bytes | None = None
    ) -> dict[str, Any]:
        records = self.records()
        values = pcr_values if pcr_values is not None else self.pcr_values(records)
        composite = hashlib.new(HASHES[self.hash_alg].name, b"".join(values[pcr] for pcr in sorted(values))).digest()
        attest = attest_quote(self.nonce, selection_bytes([(SHA256, sorted(values))]), composite)
        leaf = self.pki.ak_certificate(self.ak_key.public_key())
        return {
            "format": "aicert/v1",
            "platform": self.platform,
            "runner_time": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nonce": self.nonce.hex(),
            "event_log": records,
            "manifests": self.manifests(),
            "quote": {"attest": b64(attest), "signature": b64(sign(self.ak_key, attest, self.scheme, self.hash_alg))},
            "pcrs": {"sha256": {str(pcr): value.hex() for pcr, value in sorted(values.items())}},
            "attestation_key": {
                "public": b64(
                    public_area(
                        self.ak_key,
                        attributes=self.attributes,
                        scheme=self.key_scheme if self.key_scheme is not None else self.scheme,
                        scheme_hash=self.hash_alg,
                    )
                ),
                "certificate_chain": [b64(der(leaf)), b64(der(self.pki.intermediate))],
            },
            "summary": self.summary(),
            **({"firmware_event_log": b64(firmware_log)} if firmware_log is not None else {}),
        }

    def resign(self, document: dict[str, Any]) -> dict[str, Any]:
        """Re-signs ``document``'s (possibly edited) attest with the AK."""
        document = copy.deepcopy(document)
        attest = base64.b64decode(document["quote"]["attest"])
        document["quote"]["signature"] = b64(sign(self.ak_key, attest, self.scheme, self.hash_alg))
        return document


# tpm2-tools' PCR file (tpm2_quote -o), in the layout measured on tpm2-tools 5.4 / x86-64.
def pcr_file(banks: list[tuple[int, list[int]]], values: list[bytes]) -> bytes:
    out = struct.pack("<I", len(banks))
    for index in range(16):
        if index < len(banks):
            bitmap = bytearray(3)
            for pcr in banks[index][1]:
                bitmap[pcr // 8] |= 1 << (pcr % 8)
            out += struct.pack("<HB", banks[index][0], 3) + bytes(bitmap) + b"\x00\x00"
        else:
            out += b"\x00" * 8
    chunks = [values[start : start + 8] for start in range(0, len(values), 8)]
    out += struct.pack("<I", len(chunks))
    for chunk in chunks:
        out += struct.pack("<I", len(chunk))
        for slot in range(8):
            value = chunk[slot] if slot < len(chunk) else b""
            out += struct.pack("<H", len(value)) + value.ljust(64, b"\x00")
    return out


def legacy_document(
    pki: PKI, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, events: list[str], pcr: int = 15
) -> dict[str, Any]:
    """A proof in the original AICert's shape, quoted over sha256:0-16 and signed in software."""
    values = [bytes(32)] * 17
    value = bytes(32)
    for item in events:
        value = hashlib.sha256(value + hashlib.sha256(item.encode("utf-8")).digest()).digest()
    values[pcr] = value
    attest = attest_quote(
        b"\x01\x02", selection_bytes([(SHA256, list(range(17)))]), hashlib.sha256(b"".join(values)).digest()
    )
    scheme = RSASSA if isinstance(key, rsa.RSAPrivateKey) else ECDSA
    chain = [der(pki.ak_certificate(key.public_key())), pem(pki.intermediate)]
    return {
        "ca_cert": "-----BEGIN CERTIFICATE-----\nnot checked\n-----END CERTIFICATE-----\n",
        "event_log": events,
        "remote_attestation": {
            "quote": {
                "message": {"base64": b64(attest)},
                "signature": {"base64": b64(sign(key, attest, scheme))},
                "pcr": {"base64": b64(pcr_file([(SHA256, list(range(17)))], values))},
            },
            "cert_chain": [{"base64": b64(item)} for item in chain],
        },
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=1).encode("utf-8")
