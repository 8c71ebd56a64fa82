"""What every exporter reads from a verified certificate (the Swift ``VerifiedBuild``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..canonical_json import canonical
from ..certificate import V1Certificate
from ..errors import AICertError

__all__ = ["ExportError", "OutputFile", "VerifiedBuild", "rfc3339_milliseconds"]


class ExportError(AICertError):
    """The certificate verified but cannot be exported as asked; ``code`` says why (``unsupported``, ``bad-key``)."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class OutputFile:
    """One regular file of an output: the output's name, its path in the manifest, its SHA-256."""

    output: str
    path: str
    sha256: str

    @property
    def name(self) -> str:
        """``output/path``: the file's place below the directory ``aicert run`` downloads outputs to."""
        return f"{self.output}/{self.path}"


@dataclass(frozen=True)
class VerifiedBuild:
    """A certificate that verified: its digest, its signed event contents and its summary."""

    certificate: V1Certificate
    # SHA-256 of the certificate file's bytes, as sha256sum prints it.
    certificate_digest: str

    @staticmethod
    def of(certificate: V1Certificate, data: bytes) -> VerifiedBuild:
        """The build of ``certificate``, whose file holds ``data``; call only once it verified."""
        return VerifiedBuild(certificate, hashlib.sha256(data).hexdigest())

    @property
    def summary(self) -> dict[str, Any]:
        """The summary, which verification proved equal to the one the event log implies."""
        return self.certificate.summary

    def content(self, content_type: str) -> Any:
        """The ``content`` of the first event of ``content_type`` (``{}`` if none)."""
        for record in self.certificate.event_log:
            if record["content_type"] == content_type:
                return record["content"]
        return {}

    @property
    def platform(self) -> str:
        """The platform the runner event signs."""
        return str(self.content("aicert/runner")["platform"])

    @property
    def event_log_digest(self) -> str:
        """SHA-256 of the event log as RFC 8785 JSON, each record with its five members."""
        members = ("recnum", "pcr", "digests", "content_type", "content")
        records = [{name: record[name] for name in members} for record in self.certificate.event_log]
        return hashlib.sha256(canonical(records)).hexdigest()

    @property
    def finished_on(self) -> str:
        """When the job finished: ``runner_time`` (the runner's clock, not signed)."""
        return rfc3339_milliseconds(self.certificate.runner_time)

    @property
    def started_on(self) -> str:
        """When the job started: ``runner_time`` less the signed duration."""
        duration = timedelta(milliseconds=int(self.summary["duration_ms"]))
        return rfc3339_milliseconds(self.certificate.runner_time - duration)

    @property
    def output_files(self) -> list[OutputFile]:
        """Every regular file of the outputs, in the order of the outputs, then of each manifest."""
        files: list[OutputFile] = []
        for output in self.summary["outputs"]:
            manifest = self.certificate.output_manifests.get(output["name"], {})
            for entry in sorted(manifest.get("entries", []), key=lambda entry: entry["path"].encode("utf-8")):
                if entry["type"] == "file":
                    files.append(OutputFile(output["name"], entry["path"], entry["sha256"]))
        return files


def rfc3339_milliseconds(moment: datetime) -> str:
    """RFC 3339 in UTC, to the millisecond, the fraction written only when not zero."""
    utc = moment.astimezone(timezone.utc)
    milliseconds = round(utc.microsecond / 1000)
    utc = utc.replace(microsecond=0) + timedelta(milliseconds=milliseconds)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = utc.microsecond // 1000
    return f"{text}.{fraction:03d}Z" if fraction else f"{text}Z"
