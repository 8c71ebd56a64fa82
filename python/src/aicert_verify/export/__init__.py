"""Exports of a verified certificate to the formats supply-chain tools read (docs/exports.md).

:func:`export` verifies first, exactly as :func:`aicert_verify.verify` does, and writes nothing
from a certificate that does not verify. Every format is written as canonical JSON (RFC 8785,
then one newline), byte-identical to ``aicert export``::

    import aicert_verify

    data = aicert_verify.export("certificate.json", format="slsa", trust_roots=["root.pem"],
                                allow_unmeasured_boot=True)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..canonical_json import canonical
from ..certificate import MAX_DOCUMENT_BYTES, Source, V1Certificate, load
from ..errors import FormatError, VerificationError
from ..files import read_bounded
from ..verify import verify
from .build import ExportError, VerifiedBuild
from .cyclonedx import cyclonedx_document
from .dsse import envelope
from .modelsigning import model_signing_document
from .slsa import slsa_document

__all__ = ["FORMATS", "ExportError", "VerifiedBuild", "encode", "export"]

_EXPORTERS: dict[str, Callable[[VerifiedBuild, str | None], dict[str, Any]]] = {
    "slsa": lambda build, _: slsa_document(build),
    "cyclonedx": lambda build, _: cyclonedx_document(build),
    "model-signing": model_signing_document,
}
# The formats, as ``aicert export --format`` names them.
FORMATS = tuple(_EXPORTERS)
# Formats that are in-toto statements, which a DSSE envelope can carry.
IN_TOTO_FORMATS = ("slsa", "model-signing")


def encode(document: Any) -> bytes:
    """The one way exports are written: RFC 8785 canonical JSON and one newline."""
    return canonical(document) + b"\n"


def export(
    cert: Source,
    *,
    format: str,
    output: str | None = None,
    envelope_key: bytes | str | None = None,
    **verify_options: Any,
) -> bytes:
    """Verifies ``cert`` (a path or the file's bytes) and returns it exported as ``format``.

    ``format`` is ``slsa``, ``cyclonedx`` or ``model-signing``; ``output`` names the output
    model-signing describes when the build has several; ``envelope_key`` (a PEM EC P-256 private
    key) wraps an in-toto statement in a DSSE envelope. ``verify_options`` are those of
    :func:`aicert_verify.verify`.

    Raises :class:`VerificationError` when the certificate does not verify, :class:`ExportError`
    when the format cannot describe the build, and what ``verify`` raises when it cannot verify.
    """
    if format not in _EXPORTERS:
        raise ExportError("unsupported", f"unknown format '{format}' (one of {', '.join(FORMATS)})")
    if envelope_key is not None and format not in IN_TOTO_FORMATS:
        raise ExportError("unsupported", "a DSSE envelope carries an in-toto statement: slsa or model-signing")
    data = _bytes(cert)
    certificate = load(data)
    if not isinstance(certificate, V1Certificate):
        raise FormatError("a legacy AICert proof has no aicert/v1 event log to export", "format")
    report = verify(certificate, **verify_options)
    if not report.valid:
        raise VerificationError(report)
    build = VerifiedBuild.of(certificate, data)
    statement = encode(_EXPORTERS[format](build, output))
    if envelope_key is None:
        return statement
    return encode(envelope(statement, envelope_key))


def _bytes(cert: Source) -> bytes:
    if isinstance(cert, (bytes, bytearray, memoryview)):
        return bytes(cert)
    return read_bounded(os.fspath(cert), MAX_DOCUMENT_BYTES, FormatError)
