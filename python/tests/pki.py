"""A throw-away test PKI: a root CA, an intermediate, and AK certificates issued from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

NOW = dt.datetime(2026, 11, 25, 7, 40, tzinfo=dt.timezone.utc)
TCG_KP_AIK_CERTIFICATE = ObjectIdentifier("2.23.133.8.3")


def name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "AICert tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def issue(
    subject: str,
    public_key: object,
    issuer_name: x509.Name | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    path_length: int | None = None,
    not_before: dt.datetime = NOW - dt.timedelta(days=1),
    not_after: dt.datetime = NOW + dt.timedelta(days=365),
    key_cert_sign: bool = True,
    extra: list[tuple[x509.ExtensionType, bool]] = (),  # type: ignore[assignment]
    basic_constraints: bool = True,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(issuer_name or name(subject))
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if basic_constraints:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=key_cert_sign,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([TCG_KP_AIK_CERTIFICATE]), critical=False)
    for extension, critical in extra:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class PKI:
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate

    @classmethod
    def create(cls, label: str = "AICert Test") -> PKI:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = issue(
            f"{label} Root CA",
            root_key.public_key(),
            None,
            root_key,
            ca=True,
            path_length=1,
            not_after=NOW + dt.timedelta(days=3650),
        )
        intermediate_key = ec.generate_private_key(ec.SECP256R1())
        intermediate = issue(
            f"{label} AK Issuing CA",
            intermediate_key.public_key(),
            root.subject,
            root_key,
            ca=True,
            path_length=0,
            not_after=NOW + dt.timedelta(days=1825),
        )
        return cls(root_key, root, intermediate_key, intermediate)

    def ak_certificate(
        self, public_key: object, subject: str = "AICert test AK", **options: object
    ) -> x509.Certificate:
        return issue(subject, public_key, self.intermediate.subject, self.intermediate_key, ca=False, **options)  # type: ignore[arg-type]

    def reissued_intermediate(self, subject: str, **options: Any) -> x509.Certificate:
        """The intermediate's key certified again by the root, as ``subject``, with ``issue``'s ``options``."""
        return issue(subject, self.intermediate_key.public_key(), self.root.subject, self.root_key, **options)

    def ak_certificate_under(self, issuer: x509.Certificate, public_key: object) -> x509.Certificate:
        """An AK certificate signed with the intermediate's key in the name of ``issuer`` (a reissued intermediate)."""
        return issue("AK", public_key, issuer.subject, self.intermediate_key, ca=False)

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
