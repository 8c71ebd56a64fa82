"""Reading certificate files: ``aicert/v1`` documents and proofs of the original AICert.

:func:`load` checks the shape (every required member present, of its type, binary members
valid base64) and raises :class:`FormatError` naming the member otherwise. What the members
*mean* is judged by :func:`aicert_verify.verify`, which reports it as failed checks.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .canonical_json import JSONRejected, load_strict
from .errors import FormatError
from .files import read_bounded

__all__ = ["Certificate", "V1Certificate", "LegacyCertificate", "load", "parse_rfc3339", "MAX_DOCUMENT_BYTES"]

MAX_DOCUMENT_BYTES = 256 << 20
V1_FORMAT = "aicert/v1"
LEGACY_FORMAT = "aicert-legacy"
# The original AICert ran on Azure confidential VMs with a vTPM.
LEGACY_PLATFORM = "azure"

Source = str | bytes | bytearray | memoryview | os.PathLike[str]


@dataclass(frozen=True)
class Certificate:
    """A certificate file that could be read. ``format`` tells the concrete kind."""

    format: str
    platform: str
    document: dict[str, Any]


@dataclass(frozen=True)
class V1Certificate(Certificate):
    """An ``aicert/v1`` certificate (docs/certificate-format.md), members decoded."""

    runner_time: datetime
    nonce: str
    event_log: list[Any]
    input_manifests: dict[str, Any]
    output_manifests: dict[str, Any]
    attest: bytes
    signature: bytes
    pcrs: dict[str, Any]
    ak_public: bytes
    certificate_chain: list[bytes]
    summary: dict[str, Any]
    firmware_event_log: bytes | None
    # An RFC 3161 TimeStampToken (DER) over the SHA-256 of the quote's signature, when the
    # builder asked a Time-Stamping Authority for one; judged by the ``timestamp`` check.
    timestamp_token: bytes | None = None


@dataclass(frozen=True)
class LegacyCertificate(Certificate):
    """A proof of the original Python AICert (``attestation.json``).

    ``message`` is a ``TPMS_ATTEST``, ``signature`` a ``TPMT_SIGNATURE``, ``pcr_file`` the
    ``tpm2_quote -o`` file; ``certificate_chain`` is the AK certificate (DER) then CA
    certificates, each DER or PEM as carried; ``event_log`` the JSON strings extended.
    """

    event_log: list[str]
    message: bytes
    signature: bytes
    pcr_file: bytes
    certificate_chain: list[bytes]


def load(source: Source) -> Certificate:
    """Reads a certificate from a path (``str`` or path-like) or from the file's bytes.

    Raises :class:`FormatError` when it is not JSON, not a known format, or lacks or mistypes
    a required member (the error names it), and for unreadable files.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise FormatError(f"the document is larger than {MAX_DOCUMENT_BYTES >> 20} MiB")
    else:
        data = read_bounded(os.fspath(source), MAX_DOCUMENT_BYTES, FormatError)
    try:
        document = load_strict(data)
    except JSONRejected as error:
        raise FormatError(error.reason, error.path or None) from None
    if not isinstance(document, dict):
        raise FormatError("the document is not a JSON object")
    if "format" in document:
        if document["format"] != V1_FORMAT:
            shown = document["format"] if isinstance(document["format"], str) else type(document["format"]).__name__
            raise FormatError(f"unknown format '{shown}' (this verifier knows {V1_FORMAT})", "format")
        return _v1(document)
    if "remote_attestation" in document:
        return _legacy(document)
    raise FormatError("required field is missing (and the file is not a legacy AICert proof)", "format")


class _Members:
    """Typed access to required members, raising :class:`FormatError` with the JSON path."""

    def __init__(self, value: dict[str, Any], path: str = "") -> None:
        self.value = value
        self.path = path

    def where(self, name: str | int) -> str:
        if isinstance(name, int):
            return f"{self.path}[{name}]"
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type, what: str) -> Any:
        if name not in self.value:
            raise FormatError("required field is missing", self.where(name))
        item = self.value[name]
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise FormatError(f"is not {what}", self.where(name))
        return item

    def object(self, name: str) -> _Members:
        return _Members(self.get(name, dict, "an object"), self.where(name))

    def string(self, name: str) -> str:
        return str(self.get(name, str, "a string"))

    def array(self, name: str) -> list[Any]:
        return list(self.get(name, list, "an array"))

    def base64(self, name: str) -> bytes:
        return _base64(self.string(name), self.where(name))


def _base64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise FormatError("is not standard base64 with padding", where) from None


def _v1(document: dict[str, Any]) -> V1Certificate:
    top = _Members(document)
    platform = top.string("platform")
    runner_time_text = top.string("runner_time")
    try:
        runner_time = parse_rfc3339(runner_time_text)
    except ValueError:
        raise FormatError("is not an RFC 3339 time such as 2026-11-25T07:40:00Z", "runner_time") from None
    nonce = top.string("nonce")
    event_log = top.array("event_log")
    manifests = top.object("manifests")
    inputs = manifests.get("inputs", dict, "an object")
    outputs = manifests.get("outputs", dict, "an object")
    quote = top.object("quote")
    attest = quote.base64("attest")
    signature = quote.base64("signature")
    pcrs = top.get("pcrs", dict, "an object")
    key = top.object("attestation_key")
    public = key.base64("public")
    chain_values = key.array("certificate_chain")
    chain: list[bytes] = []
    for index, item in enumerate(chain_values):
        where = f"attestation_key.certificate_chain[{index}]"
        if not isinstance(item, str):
            raise FormatError("is not a base64 string", where)
        chain.append(_base64(item, where))
    summary = top.get("summary", dict, "an object")
    firmware = None
    if "firmware_event_log" in document:
        firmware = top.base64("firmware_event_log")
    token = None
    if document.get("timestamp_token") is not None:  # null is no token, as for the Swift verifier
        token = top.base64("timestamp_token")
    return V1Certificate(
        format=V1_FORMAT,
        platform=platform,
        document=document,
        runner_time=runner_time,
        nonce=nonce,
        event_log=event_log,
        input_manifests=inputs,
        output_manifests=outputs,
        attest=attest,
        signature=signature,
        pcrs=pcrs,
        ak_public=public,
        certificate_chain=chain,
        summary=summary,
        firmware_event_log=firmware,
        timestamp_token=token,
    )


def _legacy(document: dict[str, Any]) -> LegacyCertificate:
    top = _Members(document)
    events = top.array("event_log")
    for index, event in enumerate(events):
        if not isinstance(event, str):
            raise FormatError("is not a string", f"event_log[{index}]")
    attestation = top.object("remote_attestation")
    quote = attestation.object("quote")
    message = quote.object("message").base64("base64")
    signature = quote.object("signature").base64("base64")
    pcr_file = quote.object("pcr").base64("base64")
    chain: list[bytes] = []
    for index, item in enumerate(attestation.array("cert_chain")):
        where = f"remote_attestation.cert_chain[{index}]"
        if not isinstance(item, dict):
            raise FormatError("is not an object", where)
        chain.append(_Members(item, where).base64("base64"))
    return LegacyCertificate(
        format=LEGACY_FORMAT,
        platform=LEGACY_PLATFORM,
        document=document,
        event_log=list(events),
        message=message,
        signature=signature,
        pcr_file=pcr_file,
        certificate_chain=chain,
    )


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))\Z", re.ASCII
)


def parse_rfc3339(text: str) -> datetime:
    """An aware ``datetime`` from an RFC 3339 date-time; ``ValueError`` otherwise."""
    match = _RFC3339.match(text)
    if not match:
        raise ValueError(f"'{text}' is not an RFC 3339 time")
    year, month, day, hour, minute, second = (int(match.group(index)) for index in range(1, 7))
    fraction = match.group(7) or ""
    microseconds = int((fraction + "000000")[:6]) if fraction else 0
    if match.group(8):
        zone = timezone.utc
    else:
        offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        if offset >= timedelta(hours=24):
            raise ValueError(f"'{text}' has an offset of 24 hours or more")
        zone = timezone(-offset if match.group(9) == "-" else offset)
    second = min(second, 59) if second == 60 else second  # a leap second reads as :59
    return datetime(year, month, day, hour, minute, second, microseconds, tzinfo=zone)
