"""AICert's Python SDK: verify AI certificates and compute manifest digests.

A second, independent implementation of docs/certificate-format.md::

    import aicert

    report = aicert.verify(aicert.load("certificate.json"), trust_roots=["root.pem"],
                           artifacts=["outputs/"])
    for check in report.checks:
        print(check.status.mark, check.name, check.detail)
    print(aicert.hash_path("outputs/"))
"""

from .certificate import Certificate, LegacyCertificate, V1Certificate, load
from .errors import AICertError, FormatError, MeasurementError, PolicyError, TrustRootError, VerificationError
from .manifest import Entry, Manifest, hash_path, measure
from .policy import Policy, Requirement, load_policy, parse_policy
from .report import CHECK_NAMES, Check, Report, Status
from .verify import verify

__version__ = "0.1.0"

__all__ = [
    "AICertError",
    "CHECK_NAMES",
    "Certificate",
    "Check",
    "Entry",
    "FormatError",
    "LegacyCertificate",
    "Manifest",
    "MeasurementError",
    "Policy",
    "PolicyError",
    "Report",
    "Requirement",
    "Status",
    "TrustRootError",
    "V1Certificate",
    "VerificationError",
    "__version__",
    "hash_path",
    "load",
    "load_policy",
    "measure",
    "parse_policy",
    "verify",
]
