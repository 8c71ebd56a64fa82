"""TPM 2.0 wire structures the verifier reads, parsed from hostile bytes without trusting them.

Every parser raises :class:`TPMParseError` (an :class:`aicert_verify.AICertError`) on bytes that are
not the structure, and never anything else.
"""

from .attest import Attestation, ClockInfo, PCRSelection, parse_attest
from .pcr_file import PCRFile, parse_pcr_file
from .public import ObjectAttributes, PublicArea, parse_public
from .reader import Reader, TPMParseError
from .signature import Signature, parse_signature

__all__ = [
    "Attestation",
    "ClockInfo",
    "ObjectAttributes",
    "PCRFile",
    "PCRSelection",
    "PublicArea",
    "Reader",
    "Signature",
    "TPMParseError",
    "parse_attest",
    "parse_pcr_file",
    "parse_public",
    "parse_signature",
]
