"""The ``aicert/v1`` event log: its records, its grammar, the replay, manifests and summary.

:func:`read_log` judges a certificate's log as the ``event-log`` check does and also hands back
what the log names (inputs, outputs, their manifests) for the report and the later checks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .canonical_json import MAX_SAFE_INTEGER, JSONRejected, canonical
from .manifest import Manifest, ManifestInvalid, is_hex_digest, parse_manifest

__all__ = [
    "INPUT_KINDS",
    "InputKind",
    "MAX_RECORDS",
    "PCR_INPUTS",
    "PCR_OUTPUTS",
    "PLATFORMS",
    "event_digest",
    "extend",
    "LogReading",
    "read_log",
    "derive_summary",
]

MAX_RECORDS = 10_000
PLATFORMS = ("local", "remote", "qemu", "azure")
PCR_INPUTS = 14
PCR_OUTPUTS = 15


class InputKind(str, Enum):
    """Where an ``aicert/input`` came from; only a ``git`` input may also name its ``commit``."""

    UPLOAD = "upload"
    GIT = "git"
    URL = "url"


INPUT_KINDS = tuple(kind.value for kind in InputKind)

# Each type, the PCR it is extended into, and its place in the grammar
#   log := runner build-spec input* environment? launch output* result
_TYPES: dict[str, tuple[int, int]] = {
    "aicert/runner": (PCR_INPUTS, 0),
    "aicert/build-spec": (PCR_INPUTS, 1),
    "aicert/input": (PCR_INPUTS, 2),
    "aicert/environment": (PCR_INPUTS, 3),
    "aicert/launch": (PCR_INPUTS, 4),
    "aicert/output": (PCR_OUTPUTS, 5),
    "aicert/result": (PCR_OUTPUTS, 6),
}
_BY_STAGE = {stage: name for name, (_, stage) in _TYPES.items()}
_REPEATABLE = {2, 5}
_OPTIONAL = {2, 3, 5}


def event_digest(content_type: str, content: Any) -> bytes:
    """SHA-256 of the RFC 8785 encoding of ``{"content": CONTENT, "type": CONTENT_TYPE}``."""
    return hashlib.sha256(canonical({"content": content, "type": content_type})).digest()


def extend(pcr: bytes, digest: bytes) -> bytes:
    """``PCR := SHA-256(PCR ‖ digest)``."""
    return hashlib.sha256(pcr + digest).digest()


@dataclass
class LogReading:
    """What the event log says, and the first problem with it (``None`` if it checks out).

    ``reason`` is the ``event-log`` reason code of ``problem``. ``readable`` is true once every
    record follows the grammar: only then are ``platform`` and ``image`` (what the runner event
    signs) known, and ``inputs`` and ``outputs`` complete.
    """

    problem: str | None = None
    reason: str = "ok"
    detail: str = ""
    readable: bool = False
    platform: str | None = None
    image: dict[str, str] | None = None
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    output_manifests: dict[str, Manifest] = field(default_factory=dict)


class _Problem(Exception):
    """A rule of the log that does not hold: its reason code and a detail naming the record or PCR."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


def _grammar(detail: str) -> _Problem:
    return _Problem("log-grammar", detail)


def read_log(
    records: list[Any],
    quoted: dict[int, bytes] | None,
    input_manifests: dict[str, Any],
    output_manifests: dict[str, Any],
    summary: dict[str, Any],
    platform: str,
) -> LogReading:
    """Checks the log against the grammar, the quoted PCRs 14 and 15, the manifests, summary and platform.

    ``quoted`` maps PCR index to the quoted SHA-256 value (``None`` when the certificate's PCR
    values are unreadable); ``platform`` is the certificate's top-level ``platform``.
    """
    reading = LogReading()
    contents: list[tuple[str, dict[str, Any]]] = []
    try:
        _read_records(records, reading, contents)
        runner = contents[0][1]
        reading.readable, reading.platform, reading.image = True, runner["platform"], runner.get("image")
        _replay(records, quoted)
        _bind_manifests(reading, contents, input_manifests, output_manifests)
        _compare_summary(contents, summary)
        if platform != reading.platform:
            raise _Problem(
                "platform-mismatch",
                f"platform '{platform}' is not the platform the runner event signs, '{reading.platform}'",
            )
    except _Problem as problem:
        reading.problem, reading.reason = str(problem), problem.reason
        return reading
    reading.detail = (
        f"{len(records)} records ({_count(len(reading.inputs), 'input')}, {_count(len(reading.outputs), 'output')}) "
        f"follow the grammar and replay to PCRs 14 and 15; manifests and summary agree"
    )
    return reading


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _read_records(records: list[Any], reading: LogReading, contents: list[tuple[str, dict[str, Any]]]) -> None:
    if not records:
        raise _grammar("the event log is empty: it proves nothing")
    if len(records) > MAX_RECORDS:
        raise _grammar(f"the event log has {len(records)} records, more than {MAX_RECORDS:,}")
    stage = -1
    names: dict[str, dict[str, int]] = {"aicert/input": {}, "aicert/output": {}}
    first: _Problem | None = None
    for index, record in enumerate(records):
        try:
            content_type, content = _record(index, record)
        except _Problem as problem:
            first = first or problem
            # The inputs and outputs of the report come from the records that do read.
            continue
        if first is None:
            pcr, place = _TYPES[content_type]
            if stage == 6:
                first = _grammar(f"record {index}: {content_type} follows aicert/result, which closes the log")
            elif not (place == stage and place in _REPEATABLE) and not (
                place > stage and all(skipped in _OPTIONAL for skipped in range(stage + 1, place))
            ):
                missing = next((s for s in range(stage + 1, place) if s not in _OPTIONAL), None)
                if missing is not None:
                    first = _grammar(f"record {index}: {content_type} where {_BY_STAGE[missing]} is required")
                else:
                    previous = _BY_STAGE[stage] if stage >= 0 else "the start"
                    first = _grammar(f"record {index}: {content_type} cannot follow {previous}")
            stage = max(stage, place)
        if content_type in names:
            seen = names[content_type]
            name = content["name"]
            if name in seen and first is None:
                kind = content_type.split("/")[1]
                first = _grammar(f"record {index}: {kind} name '{name}' repeats record {seen[name]}")
            seen.setdefault(name, index)
            if content_type == "aicert/input":
                entry: dict[str, Any] = {
                    key: content[key]
                    for key in ("name", "kind", "source", "commit", "manifest_digest", "files", "bytes")
                    if key in content
                }
                reading.inputs.append(entry)
            else:
                reading.outputs.append({key: content[key] for key in ("name", "manifest_digest", "files", "bytes")})
        contents.append((content_type, content))
    if first is not None:
        raise first
    if stage < 4:
        raise _grammar("the log is unterminated: no aicert/launch closes PCR 14")
    if stage < 6:
        raise _grammar("the log is unterminated: no aicert/result closes PCR 15")


def _record(index: int, record: Any) -> tuple[str, dict[str, Any]]:
    where = f"record {index}"
    if not isinstance(record, dict):
        raise _grammar(f"{where}: is not an object")
    for member in ("recnum", "pcr", "digests", "content_type", "content"):
        if member not in record:
            raise _grammar(f"{where}: {member} is missing")
    recnum = _integer(record["recnum"])
    if recnum != index:
        raise _grammar(f"{where}: recnum is {record['recnum']!r}, not {index} (records count 0, 1, 2, … with no gap)")
    content_type = record["content_type"]
    if not isinstance(content_type, str) or content_type not in _TYPES:
        raise _grammar(f"{where}: unknown content_type {content_type!r}")
    pcr = _integer(record["pcr"])
    expected_pcr = _TYPES[content_type][0]
    if pcr != expected_pcr:
        raise _grammar(f"{where}: {content_type} is extended into PCR {expected_pcr}, not {record['pcr']!r}")
    content = _check_content(where, content_type, record["content"])
    digests = record["digests"]
    if not isinstance(digests, list) or len(digests) != 1:
        raise _grammar(f"{where}: has not exactly one digest")
    digest = digests[0]
    if not isinstance(digest, dict) or set(digest) != {"hashAlg", "digest"} or digest["hashAlg"] != "sha256":
        raise _grammar(f"{where}: the digest is not {{hashAlg: sha256, digest: HEX}}")
    if not is_hex_digest(digest["digest"]):
        raise _grammar(f"{where}: the digest is not 64 lowercase hex digits")
    try:
        recomputed = event_digest(content_type, content).hex()
    except JSONRejected as error:
        raise _grammar(f"{where}: content has no canonical encoding: {error}") from None
    if recomputed != digest["digest"]:
        raise _Problem(
            "event-digest-mismatch",
            f"{where}: the digest is not that of its content_type and content (recomputed {recomputed[:16]}…)",
        )
    return content_type, content


def _integer(value: Any) -> int | None:
    """A JSON integer from 0 to 2^53 − 1 as ``int`` (an integral ``1.0`` reads as 1); ``None`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    number = int(value)
    return number if 0 <= number <= MAX_SAFE_INTEGER else None


def _is_count(value: Any) -> bool:
    return _integer(value) is not None


def _is_string_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(item, str) for item in value.values())


def _check_runner(content: dict[str, Any], fail: Any) -> None:
    """The runner event: exactly name, version, executable_sha256, platform, an optional image and an
    optional tls_spki_sha256 (the TLS key of the channel the inputs came over)."""
    members = set(content)
    required = {"name", "version", "executable_sha256", "platform"}
    optional = {"image", "tls_spki_sha256"}
    if not required <= members or not members <= required | optional:
        missing, extra = sorted(required - members), sorted(members - required - optional)
        raise fail(
            f"content lacks {', '.join(missing)}" if missing else f"content has unknown members {', '.join(extra)}"
        )
    if not isinstance(content["name"], str) or not isinstance(content["version"], str):
        raise fail("name and version are not strings")
    if not is_hex_digest(content["executable_sha256"]):
        raise fail("executable_sha256 is not 64 lowercase hex digits")
    if content["platform"] not in PLATFORMS:
        raise fail(f"platform is not one of {', '.join(PLATFORMS)}")
    if "tls_spki_sha256" in content and not is_hex_digest(content["tls_spki_sha256"]):
        raise fail("tls_spki_sha256 is not 64 lowercase hex digits")
    if "image" in content:
        image = content["image"]
        if not isinstance(image, dict) or set(image) != {"name", "version", "uki_sha256"}:
            raise fail("image is not exactly {name, version, uki_sha256}")
        if not isinstance(image["name"], str) or not isinstance(image["version"], str):
            raise fail("image name and version are not strings")
        if not is_hex_digest(image["uki_sha256"]):
            raise fail("image uki_sha256 is not 64 lowercase hex digits")


_COUNTS = ("timeout_seconds", "files", "bytes", "exit_status", "duration_ms")


def _check_content(where: str, content_type: str, content: Any) -> dict[str, Any]:
    """Judges a content against its type; returns it with integral numbers as ``int`` (``1.0`` → 1)."""

    def fail(reason: str) -> _Problem:
        return _grammar(f"{where}: {content_type} {reason}")

    if not isinstance(content, dict):
        raise fail("content is not an object")
    members = set(content)

    def exactly(required: set[str], optional: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        missing = required - members
        if missing:
            raise fail(f"content lacks {', '.join(sorted(missing))}")
        extra = members - required - optional
        if extra:
            raise fail(f"content has unknown members {', '.join(sorted(extra))}")

    if content_type == "aicert/runner":
        _check_runner(content, fail)
    elif content_type == "aicert/build-spec":
        exactly({"command", "env", "outputs", "timeout_seconds"})
        command = content["command"]
        if not isinstance(command, list) or not command or not all(isinstance(item, str) for item in command):
            raise fail("command is not a non-empty array of strings")
        if not _is_string_map(content["env"]):
            raise fail("env is not an object of strings")
        outputs = content["outputs"]
        if not isinstance(outputs, list) or not all(isinstance(item, str) for item in outputs):
            raise fail("outputs is not an array of strings")
        if not _is_count(content["timeout_seconds"]):
            raise fail("timeout_seconds is not a non-negative integer")
    elif content_type == "aicert/input":
        optional = {"commit"} if content.get("kind") == InputKind.GIT else set()
        exactly({"name", "kind", "source", "manifest_digest", "files", "bytes"}, optional)
        if not isinstance(content["name"], str):
            raise fail("name is not a string")
        if content["kind"] not in INPUT_KINDS:
            raise fail(f"kind is not {', '.join(INPUT_KINDS[:-1])} or {INPUT_KINDS[-1]}")
        if not isinstance(content["source"], str):
            raise fail("source is not a string")
        if "commit" in content and not isinstance(content["commit"], str):
            raise fail("commit is not a string")
        _check_measured(content, fail)
    elif content_type == "aicert/environment":
        if not _is_string_map(content):
            raise fail("content is not an object of strings")
    elif content_type == "aicert/launch":
        if content:
            raise fail("content is not {}")
    elif content_type == "aicert/output":
        exactly({"name", "manifest_digest", "files", "bytes"})
        if not isinstance(content["name"], str):
            raise fail("name is not a string")
        _check_measured(content, fail)
    elif content_type == "aicert/result":
        exactly({"exit_status", "duration_ms"})
        if not _is_count(content["exit_status"]) or not _is_count(content["duration_ms"]):
            raise fail("exit_status and duration_ms are not non-negative integers")
    return {key: _integer(value) if key in _COUNTS else value for key, value in content.items()}


def _check_measured(content: dict[str, Any], fail: Any) -> None:
    if not is_hex_digest(content["manifest_digest"]):
        raise fail("manifest_digest is not 64 lowercase hex digits")
    if not _is_count(content["files"]) or not _is_count(content["bytes"]):
        raise fail("files and bytes are not non-negative integers")


def _replay(records: list[Any], quoted: dict[int, bytes] | None) -> None:
    for pcr in (PCR_INPUTS, PCR_OUTPUTS):
        value = bytes(32)
        for record in records:
            if record["pcr"] == pcr:
                value = extend(value, bytes.fromhex(record["digests"][0]["digest"]))
        if quoted is None or pcr not in quoted:
            raise _Problem("pcr-replay-mismatch", f"PCR {pcr} has no readable quoted value to replay the log against")
        if value != quoted[pcr]:
            raise _Problem(
                "pcr-replay-mismatch",
                f"PCR {pcr} does not replay: the log gives {value.hex()[:16]}…, the quote {quoted[pcr].hex()[:16]}…",
            )


def _bind_manifests(
    reading: LogReading,
    contents: list[tuple[str, dict[str, Any]]],
    input_manifests: dict[str, Any],
    output_manifests: dict[str, Any],
) -> None:
    for kind, event_type, manifests in (
        ("inputs", "aicert/input", input_manifests),
        ("outputs", "aicert/output", output_manifests),
    ):
        named = [content for content_type, content in contents if content_type == event_type]
        for content in named:
            name = content["name"]
            where = f"manifests.{kind}['{name}']"
            if name not in manifests:
                raise _Problem("manifest-mismatch", f"{where} is missing for the {event_type} event")
            try:
                manifest = parse_manifest(manifests[name])
            except ManifestInvalid as error:
                raise _Problem("manifest-mismatch", f"{where} {error}") from None
            if manifest.digest != content["manifest_digest"]:
                raise _Problem(
                    "manifest-mismatch",
                    f"{where} has digest {manifest.digest[:16]}…, not the event's {content['manifest_digest'][:16]}…",
                )
            if (manifest.files, manifest.bytes) != (content["files"], content["bytes"]):
                raise _Problem(
                    "manifest-mismatch",
                    f"{where} holds {manifest.files} files and {manifest.bytes} bytes, "
                    f"not the event's {content['files']} and {content['bytes']}",
                )
            if kind == "outputs":
                reading.output_manifests[name] = manifest
        extra = sorted(set(manifests) - {content["name"] for content in named})
        if extra:
            raise _Problem("manifest-mismatch", f"manifests.{kind} has '{extra[0]}', which no {event_type} event names")


def derive_summary(contents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The ``summary`` a well-formed log implies (docs/certificate-format.md, "The summary")."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for content_type, content in contents:
        by_type.setdefault(content_type, []).append(content)
    runner = by_type["aicert/runner"][0]
    spec = by_type["aicert/build-spec"][0]
    result = by_type["aicert/result"][0]
    inputs = []
    for content in by_type.get("aicert/input", []):
        keys = ("name", "kind", "source", "commit", "manifest_digest", "files", "bytes")
        inputs.append({key: content[key] for key in keys if key in content})
    outputs = [
        {key: content[key] for key in ("name", "manifest_digest", "files", "bytes")}
        for content in by_type.get("aicert/output", [])
    ]
    derived: dict[str, Any] = {
        "runner": f"{runner['name']} {runner['version']}",
        "platform": runner["platform"],
        "command": spec["command"],
        "environment": spec["env"],
        "sandbox": by_type.get("aicert/environment", [{}])[0],
        "timeout_seconds": spec["timeout_seconds"],
        "inputs": inputs,
        "outputs": outputs,
        "exit_status": result["exit_status"],
        "duration_ms": result["duration_ms"],
    }
    if "image" in runner:
        derived["image"] = runner["image"]
    return derived


def _compare_summary(contents: list[tuple[str, dict[str, Any]]], summary: dict[str, Any]) -> None:
    derived = derive_summary(contents)
    for key in sorted(set(derived) | set(summary)):
        if key not in summary:
            raise _Problem("summary-mismatch", f"summary lacks '{key}', which the log gives")
        if key not in derived:
            raise _Problem("summary-mismatch", f"summary says '{key}', which the log does not")
        try:
            same = canonical(summary[key]) == canonical(derived[key])
        except JSONRejected:
            same = False
        if not same:
            raise _Problem("summary-mismatch", f"summary '{key}' is not what the log says")
