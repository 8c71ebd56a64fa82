"""The AK certificate chain: a small RFC 5280 path builder over ``cryptography``.

``cryptography.x509.verification`` is aimed at TLS server certificates (it wants a DNS or IP
subject); AK certificates have none, so this module builds the path itself: leaf →
intermediates → a trusted root, each link checked for issuer/subject names, the signature,
basic constraints and key usage of the issuer, path length, unknown critical extensions, and
validity at the requested time.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtensionOID

from .errors import TrustRootError

__all__ = [
    "TrustRoot",
    "builtin_roots",
    "load_roots",
    "ChainResult",
    "check_chain",
    "describe",
    "common_name",
    "parse_certificate",
    "AK_PURPOSE",
    "DEVELOPMENT_POLICY",
]

MAX_CHAIN = 8  # certificates in a path, leaf and root included
_SEARCH_BUDGET = 256  # partial paths the builder may explore

RootSource = x509.Certificate | bytes | str | os.PathLike[str]

# TCG's extended key usage of attestation keys (tcg-kp-AIKCertificate).
AK_PURPOSE = x509.ObjectIdentifier("2.23.133.8.3")
# The certificate policy the AICert development CA puts on its root: its trust is "development".
DEVELOPMENT_POLICY = x509.ObjectIdentifier("2.25.335388637988323779020636330835816093254")

# Extensions whose criticality the path builder understands (RFC 5280 §4.2: a certificate
# with an unrecognised critical extension must be rejected).
_UNDERSTOOD = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.CERTIFICATE_POLICIES,
    ExtensionOID.SUBJECT_DIRECTORY_ATTRIBUTES,
}


@dataclass(frozen=True)
class TrustRoot:
    """A trusted root certificate and where it came from (``built-in``, a file name)."""

    certificate: x509.Certificate
    source: str
    builtin: bool = False

    @property
    def trust(self) -> str:
        """``production`` (built in), ``development`` (AICert development policy) or ``custom``."""
        if self.builtin:
            return "production"
        try:
            policies = self.certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
        except (x509.ExtensionNotFound, ValueError):
            return "custom"
        if any(policy.policy_identifier == DEVELOPMENT_POLICY for policy in policies):
            return "development"
        return "custom"


def builtin_roots() -> list[TrustRoot]:
    """The roots trusted without being asked: the Azure Virtual TPM Root CA 2023."""
    folder = resources.files("aicert_verify") / "roots"
    roots: list[TrustRoot] = []
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".pem"):
            for certificate in x509.load_pem_x509_certificates(item.read_bytes()):
                roots.append(TrustRoot(certificate, f"built-in {item.name}", builtin=True))
    return roots


def load_roots(source: RootSource) -> list[TrustRoot]:
    """Roots from a certificate object, PEM or DER bytes, or a PEM/DER file path.

    Raises :class:`TrustRootError` if nothing usable is there.
    """
    if isinstance(source, x509.Certificate):
        return [TrustRoot(source, "given")]
    if isinstance(source, bytes):
        return [TrustRoot(certificate, "given") for certificate in _parse_roots(source, "given bytes")]
    path = os.fspath(source)
    try:
        with open(path, "rb") as handle:
            data = handle.read(1 << 20)
    except OSError as error:
        raise TrustRootError(f"{path}: cannot read: {error.strerror or error}") from None
    return [TrustRoot(certificate, path) for certificate in _parse_roots(data, path)]


def _parse_roots(data: bytes, source: str) -> list[x509.Certificate]:
    try:
        return parse_certificate(data, pem=b"-----BEGIN" in data)
    except ValueError:
        raise TrustRootError(f"{source}: holds no PEM or DER certificate") from None


def parse_certificate(data: bytes, *, pem: bool = False) -> list[x509.Certificate]:
    """DER (one) or PEM (one or more) certificates, every field the verifier reads parsed now.

    ``cryptography`` parses names, extensions and keys lazily; doing it here turns a malformed
    field into a ``ValueError`` at load time instead of an exception in the middle of a check.
    """
    # cryptography only warns about some RFC 5280 violations (a serial number that is not
    # positive) and will refuse them in later releases; refuse them now, without the noise.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CryptographyDeprecationWarning)
        try:
            certificates = x509.load_pem_x509_certificates(data) if pem else [x509.load_der_x509_certificate(data)]
        except (x509.InvalidVersion, UnsupportedAlgorithm, TypeError) as error:
            raise ValueError(str(error)) from None
    for warning in caught:
        if issubclass(warning.category, CryptographyDeprecationWarning):
            raise ValueError(str(warning.message))
    for certificate in certificates:
        try:
            _ = (
                certificate.subject.rfc4514_string(),
                certificate.issuer.rfc4514_string(),
                certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME),
                certificate.not_valid_before_utc,
                certificate.not_valid_after_utc,
                certificate.extensions,
                certificate.public_key(),
                certificate.signature_hash_algorithm,
            )
        except (x509.InvalidVersion, x509.DuplicateExtension, UnsupportedAlgorithm, TypeError) as error:
            raise ValueError(str(error)) from None
    return certificates


def describe(certificate: x509.Certificate) -> str:
    """A readable name: the subject's common name, else the whole subject, else the serial."""
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if names:
        return f"'{names[0].value!s}'"
    if len(certificate.subject):
        return f"'{certificate.subject.rfc4514_string()}'"
    return f"(empty subject, serial {certificate.serial_number:x})"


def common_name(certificate: x509.Certificate) -> str:
    """The subject's common name as plain text, else the whole subject (for reports)."""
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


@dataclass(frozen=True)
class ChainResult:
    """The path found (leaf first, root last), or the reason code and detail of why none is acceptable."""

    path: list[x509.Certificate] | None
    root: TrustRoot | None
    problem: str | None
    reason: str = "ok"


PurposeRule = Callable[[list[x509.Certificate]], str | None]


def check_chain(
    chain: list[x509.Certificate],
    roots: Iterable[TrustRoot],
    at: datetime,
    *,
    purpose: PurposeRule | None = None,
    time_note: str = "",
    max_carried: int = MAX_CHAIN,
) -> ChainResult:
    """Builds and checks a path from ``chain[0]`` through ``chain[1:]`` to one of ``roots``.

    Every candidate path is tried; the first one without problems wins. Otherwise the problem
    of the most promising path (one that reached a root) is reported, else why none did.
    ``purpose`` is the extended-key-usage rule a path must meet (by default the AK purpose's);
    ``time_note`` follows the time in a validity problem (e.g. where the time came from);
    ``max_carried`` bounds ``len(chain)``.
    """
    if not chain:
        return ChainResult(None, None, "the certificate carries no AK certificate", "chain-missing")
    if len(chain) > max_carried:
        return ChainResult(
            None, None, f"the chain has {len(chain)} certificates, more than {max_carried}", "chain-too-long"
        )
    anchors = list(roots)
    if not anchors:
        return ChainResult(None, None, "no trusted root is configured", "untrusted-root")
    leaf, intermediates = chain[0], chain[1:]
    complete: list[tuple[list[x509.Certificate], TrustRoot]] = []
    dead_end: list[str] = []
    issued: dict[tuple[int, int], bool] = {}
    budget = [_SEARCH_BUDGET]

    def issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
        key = (id(child), id(issuer))
        if key not in issued:
            issued[key] = _issued_by(child, issuer)
        return issued[key]

    def extend(path: list[x509.Certificate]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            return
        current = path[-1]
        if len(path) > MAX_CHAIN:
            dead_end.append(f"no trusted root within {MAX_CHAIN} certificates")
            return
        for anchor in anchors:
            if issued_by(current, anchor.certificate):
                complete.append((path + [anchor.certificate], anchor))
        for candidate in intermediates:
            if any(candidate is seen for seen in path):
                continue
            if issued_by(current, candidate):
                extend(path + [candidate])
        if not complete:
            dead_end.append(
                f"no trusted root or given intermediate issued {describe(current)} "
                f"(issuer '{current.issuer.rfc4514_string()}')"
            )

    extend([leaf])
    if not complete:
        return ChainResult(None, None, dead_end[0] if dead_end else "no path to a trusted root", "untrusted-root")
    problems: list[tuple[str, str]] = []
    for path, anchor in complete:
        found = _path_problem(path, at, purpose or _purpose_problem, time_note)
        if found is None:
            return ChainResult(path, anchor, None)
        problems.append(found)
    return ChainResult(complete[0][0], complete[0][1], problems[0][1], problems[0][0])


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Names match and ``issuer``'s key verifies ``child``'s signature."""
    if child.issuer != issuer.subject:
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _path_problem(
    path: list[x509.Certificate], at: datetime, purpose_rule: PurposeRule, time_note: str
) -> tuple[str, str] | None:
    """The reason code and detail of the first rule ``path`` breaks: validity, purpose, then RFC 5280."""
    for certificate in path:
        start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
        if at < start or at > end:
            state = "not yet valid" if at < start else "expired"
            return (
                "certificate-expired",
                f"{describe(certificate)} is {state} at {_time(at)}{time_note}: "
                f"valid from {_time(start)} to {_time(end)}",
            )
    purpose = purpose_rule(path)
    if purpose:
        return "ak-purpose-missing", purpose
    problem = _rfc5280_problem(path)
    return ("chain-invalid", problem) if problem else None


def _purpose_problem(path: list[x509.Certificate]) -> str | None:
    """The AK certificate must name the TCG AK purpose; an issuer that limits purposes must allow it."""
    usage = _extended_usage(path[0])
    if usage is None or AK_PURPOSE not in usage:
        return f"the AK certificate {describe(path[0])} lacks the TCG AK extended key usage {AK_PURPOSE.dotted_string}"
    for issuer in path[1:]:
        usage = _extended_usage(issuer)
        if usage is not None and AK_PURPOSE not in usage:
            purpose = AK_PURPOSE.dotted_string
            return f"{describe(issuer)} limits extended key usage and excludes the TCG AK purpose {purpose}"
    return None


def _extended_usage(certificate: x509.Certificate) -> list[x509.ObjectIdentifier] | None:
    try:
        return list(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return None


def _rfc5280_problem(path: list[x509.Certificate]) -> str | None:
    for certificate in path:
        problem = _critical_problem(certificate)
        if problem:
            return problem
    # Issuers are every certificate above the leaf; the root is a trust anchor, but its own
    # constraints still bind what it may sign.
    for depth, issuer in enumerate(path[1:]):
        intermediates_below = depth  # non-leaf certificates between the leaf and this issuer
        try:
            constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            return f"{describe(issuer)} issues certificates but has no basic constraints"
        if not constraints.ca:
            return f"{describe(issuer)} issues certificates but is not a CA"
        if constraints.path_length is not None and intermediates_below > constraints.path_length:
            return (
                f"{describe(issuer)} allows {constraints.path_length} intermediates below it, "
                f"the path has {intermediates_below}"
            )
        try:
            usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            continue
        if not usage.key_cert_sign:
            return f"{describe(issuer)} issues certificates but its key usage excludes keyCertSign"
    return None


def _critical_problem(certificate: x509.Certificate) -> str | None:
    try:
        extensions = certificate.extensions
    except ValueError as error:
        return f"{describe(certificate)} has malformed extensions: {error}"
    for extension in extensions:
        if extension.critical and extension.oid not in _UNDERSTOOD:
            return f"{describe(certificate)} has an unrecognised critical extension {extension.oid.dotted_string}"
    return None


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
