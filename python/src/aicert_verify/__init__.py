"""AICert's Python SDK: verify AI certificates and compute manifest digests.

A second, independent implementation of docs/certificate-format.md::

    import aicert_verify

    report = aicert_verify.verify(aicert_verify.load("certificate.json"), trust_roots=["root.pem"],
                                  artifacts=["outputs/"], tsa_roots=["tsa-root.pem"])
    for check in report.checks:
        print(check.status.mark, check.name, check.detail)
    print(aicert_verify.hash_path("outputs/"))
    provenance = aicert_verify.export("certificate.json", format="slsa", trust_roots=["root.pem"])
"""

from .certificate import Certificate, LegacyCertificate, V1Certificate, load
from .errors import AICertError, FormatError, MeasurementError, PolicyError, TrustRootError, VerificationError
from .export import ExportError, export
from .firmware_log import FirmwareLog, FirmwareLogError, parse_firmware_log
from .manifest import Entry, Manifest, hash_path, measure
from .policy import (
    BootReference,
    BootRules,
    KnownImage,
    Policy,
    Requirement,
    load_policy,
    load_registered_images,
    parse_policy,
)
from .report import CHECK_NAMES, LEGACY_CHECK_NAMES, Check, Report, Stamp, Status
from .verify import verify

__version__ = "0.1.0"

__all__ = [
    "AICertError",
    "BootReference",
    "BootRules",
    "CHECK_NAMES",
    "Certificate",
    "Check",
    "Entry",
    "ExportError",
    "FirmwareLog",
    "FirmwareLogError",
    "FormatError",
    "KnownImage",
    "LEGACY_CHECK_NAMES",
    "LegacyCertificate",
    "Manifest",
    "MeasurementError",
    "Policy",
    "PolicyError",
    "Report",
    "Requirement",
    "Stamp",
    "Status",
    "TrustRootError",
    "V1Certificate",
    "VerificationError",
    "__version__",
    "export",
    "hash_path",
    "load",
    "load_policy",
    "load_registered_images",
    "parse_firmware_log",
    "measure",
    "parse_policy",
    "verify",
]
