"""Thousands of random mutations of certificates: verify returns a report or raises FormatError.

Nothing else may escape, no check may fail with an internal error (a bug caught by the
fail-closed guard), a change to a signed binary member never leaves the report valid, and a
mutant that stays valid may differ from the original only in ``runner_time`` or in members
the format does not define (docs/verification-rules.md, "What is signed, and what is
informational").
"""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from builders import CertificateFactory, legacy_document
from cryptography.hazmat.primitives.asymmetric import ec
from pki import PKI

import aicert_verify
from aicert_verify.chain import parse_certificate
from aicert_verify.cli import write_report
from aicert_verify.report import INTERNAL_ERROR
from aicert_verify.tpm import ObjectAttributes, TPMParseError, parse_pcr_file, parse_public

# Three documents: 2,700 mutations in all; AICERT_FUZZ_ROUNDS and AICERT_FUZZ_SEED run more.
MUTATIONS_PER_DOCUMENT = int(os.environ.get("AICERT_FUZZ_ROUNDS", "900"))
SEED = os.environ.get("AICERT_FUZZ_SEED", "aicert")

POOL: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**53 - 1,
    2**53,
    -(2**60),
    1.5,
    "",
    "x",
    "a" * 300,
    "\u0000",
    "e\u0301",
    "../..",
    "sha256",
    "aicert/launch",
    [],
    [None],
    {},
    {"entries": [], "version": 1},
    "AAAA",
    "////",
    "=",
    "00" * 32,
    "ff" * 32,
]


@pytest.fixture(scope="module")
def documents(pki: PKI, rsa_factory: CertificateFactory) -> dict[str, dict[str, Any]]:
    return {
        "v1-rsa": CertificateFactory(pki, rsa_factory.ak_key).document(),
        "v1-ecc": CertificateFactory.ecc(pki, ec.SECP384R1()).document(),
        "legacy": legacy_document(pki, rsa_factory.ak_key, ['{"event": "input"}', '{"event": "output"}']),
    }


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, prefix + (index,))
    return found


def parent_of(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        document = document[part]
    return document


def is_base64_member(path: tuple[Any, ...], value: Any) -> bool:
    if not isinstance(value, str) or not path:
        return False
    return path[-1] in ("attest", "signature", "public", "base64") or "certificate_chain" in path


def mutate_structure(document: dict[str, Any], generator: random.Random) -> dict[str, Any]:
    document = copy.deepcopy(document)
    path = generator.choice(paths(document)[1:])
    holder, key = parent_of(document, path), path[-1]
    value = holder[key]
    operation = generator.randrange(8)
    if operation == 0 and isinstance(holder, dict):
        del holder[key]
    elif operation == 0 and isinstance(holder, list):
        holder.pop(key)
    elif operation == 1:
        holder[key] = generator.choice(POOL)
    elif operation == 2 and isinstance(value, int) and not isinstance(value, bool):
        holder[key] = value + generator.choice((-1, 1, 2**40))
    elif operation == 3 and isinstance(value, str):
        holder[key] = value + generator.choice(("0", "\n", "é", "\ud800", " "))
    elif operation == 4 and isinstance(value, list) and value:
        value.append(copy.deepcopy(generator.choice(value)))
    elif operation == 5 and isinstance(value, list) and len(value) > 1:
        generator.shuffle(value)
    elif operation == 6 and isinstance(value, dict):
        value[generator.choice(("extra", "recnum", "name", "type"))] = generator.choice(POOL)
    else:
        holder[key] = [value] if generator.random() < 0.5 else {"value": value}
    return document


# Members every byte of which is signed or checked: changing one must invalidate. (Not so the AK
# public area's other attribute bits or name algorithm, nor the padding and unused slots of
# tpm2-tools' PCR file.)
SIGNED = {("quote", "attest"), ("quote", "signature"), ("message", "base64"), ("signature", "base64")}


def mutate_binary(document: dict[str, Any], generator: random.Random) -> tuple[dict[str, Any], bool]:
    """Changes the bytes of a base64 member; True if signed bytes changed."""
    document = copy.deepcopy(document)
    candidates = [
        path for path in paths(document) if path and is_base64_member(path, parent_of(document, path)[path[-1]])
    ]
    path = generator.choice(candidates)
    holder, key = parent_of(document, path), path[-1]
    data = bytearray(base64.b64decode(holder[key]))
    original = bytes(data)
    operation = generator.randrange(4)
    if operation == 0 and data:
        for _ in range(generator.randint(1, 3)):
            data[generator.randrange(len(data))] ^= 1 << generator.randrange(8)
    elif operation == 1 and data:
        del data[generator.randrange(len(data)) :]
    elif operation == 2:
        data += bytes(generator.randrange(256) for _ in range(generator.randint(1, 8)))
    else:
        data = bytearray(generator.randrange(256) for _ in range(generator.randrange(300)))
    holder[key] = base64.b64encode(bytes(data)).decode("ascii")
    signed = (
        tuple(path[-2:]) in SIGNED or (path[0] == "attestation_key" and path[-1] == 0) or path[-2:] == (0, "base64")
    )
    return document, signed and bytes(data) != original


def mutate_text(text: bytes, generator: random.Random) -> bytes:
    data = bytearray(text)
    for _ in range(generator.randint(1, 3)):
        operation = generator.randrange(4)
        position = generator.randrange(len(data) + 1)
        if operation == 0 and position < len(data):
            data[position] = generator.randrange(256)
        elif operation == 1:
            del data[position : position + generator.randint(1, 40)]
        elif operation == 2:
            data[position:position] = generator.choice(
                (b"{", b"}", b"[", b"]", b",", b'"', b"\\u0000", b"1e999", b"-0", b"\xff")
            )
        else:
            data = data[:position]
    return bytes(data)


def changed_paths(original: Any, mutated: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where ``mutated`` differs from ``original`` (by JSON value: ``0`` is not ``false``)."""
    if isinstance(original, dict) and isinstance(mutated, dict):
        found: list[tuple[Any, ...]] = []
        for key in sorted(set(original) | set(mutated), key=str):
            if key not in original or key not in mutated:
                found.append(prefix + (key,))
            else:
                found += changed_paths(original[key], mutated[key], prefix + (key,))
        return found
    if isinstance(original, list) and isinstance(mutated, list) and len(original) == len(mutated):
        return [
            path
            for index in range(len(original))
            for path in changed_paths(original[index], mutated[index], prefix + (index,))
        ]
    same = json.dumps(original, sort_keys=True) == json.dumps(mutated, sort_keys=True)
    return [] if same else [prefix]


# Objects whose unknown members the format ignores ("Members not listed are ignored"); in
# every other object (event contents, digests, manifests, summary, pcrs) an unknown member
# is a failure or changes what is compared.
IGNORING_UNKNOWN = {(), ("quote",), ("attestation_key",), ("manifests",)}
# Members a format defines but no decision reads.
INFORMATIONAL = {"v1": {("runner_time",)}, "legacy": {("ca_cert",)}}


def unread_bytes_only(original: dict[str, Any], mutated: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """Whether a binary member changed only in bytes no decision reads.

    Those are the AK public area's attribute bits beyond the restricted-signing ones and its name
    algorithm (the key must still be the certified one), and the padding and unused slots of
    tpm2-tools' PCR file (the values and selection must still be the quoted ones), and the text
    around a PEM certificate of a legacy chain (the certificate must be the same).
    """
    certificate = path[:2] == ("remote_attestation", "cert_chain") and path[-1] == "base64"
    if (
        path not in (("attestation_key", "public"), ("remote_attestation", "quote", "pcr", "base64"))
        and not certificate
    ):
        return False
    before, after = (base64.b64decode(parent_of(item, path)[path[-1]]) for item in (original, mutated))
    try:
        if certificate:
            old_certificates = parse_certificate(before, pem=before.lstrip().startswith(b"-----BEGIN"))
            new_certificates = parse_certificate(after, pem=after.lstrip().startswith(b"-----BEGIN"))
            return [item.tbs_certificate_bytes for item in old_certificates] == [
                item.tbs_certificate_bytes for item in new_certificates
            ] and [item.signature for item in old_certificates] == [item.signature for item in new_certificates]
        if path[0] == "attestation_key":
            old, new = parse_public(before), parse_public(after)
            flags = [
                ObjectAttributes.SIGN,
                ObjectAttributes.RESTRICTED,
                ObjectAttributes.FIXED_TPM,
                ObjectAttributes.SENSITIVE_DATA_ORIGIN,
                ObjectAttributes.DECRYPT,
            ]
            return (
                [old.has(flag) for flag in flags] == [new.has(flag) for flag in flags]
                and (old.scheme, old.scheme_hash) == (new.scheme, new.scheme_hash)
                and old.describe() == new.describe()
                and old.key.public_numbers() == new.key.public_numbers()  # type: ignore[union-attr]
            )
        old_file, new_file = parse_pcr_file(before), parse_pcr_file(after)
        selected = [(item.hash_alg, item.pcrs) for item in old_file.selection]
        return (
            selected == [(item.hash_alg, item.pcrs) for item in new_file.selection]
            and old_file.values == new_file.values
        )
    except (TPMParseError, ValueError, AttributeError):
        return False


CHAINS = {("attestation_key", "certificate_chain"), ("remote_attestation", "cert_chain")}


def same_certificates_carried(original: dict[str, Any], mutated: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """A chain with the same AK certificate first and the same set of certificates after it.

    Path building (RFC 5280, as both verifiers do it) ignores a carried certificate the path does
    not need, so carrying one twice changes nothing a decision reads.
    """
    if path not in CHAINS:
        return False
    before, after = parent_of(original, path)[path[-1]], parent_of(mutated, path)[path[-1]]
    if not isinstance(after, list) or not after or json.dumps(after[0]) != json.dumps(before[0]):
        return False
    return {json.dumps(item, sort_keys=True) for item in after} == {json.dumps(item, sort_keys=True) for item in before}


def may_stay_valid(original: dict[str, Any], mutated: dict[str, Any], path: tuple[Any, ...], kind: str) -> bool:
    """Whether changing ``path`` may leave the verdict valid: an informational or undefined member."""
    if path[:1] in INFORMATIONAL[kind] or unread_bytes_only(original, mutated, path):
        return True
    if same_certificates_carried(original, mutated, path):
        return True
    holder: Any = original
    for part in path[:-1]:
        holder = (
            holder[part]
            if isinstance(holder, (dict, list)) and (part in holder if isinstance(holder, dict) else part < len(holder))
            else None
        )
    undefined = isinstance(holder, dict) and path[-1] not in holder
    record = kind == "v1" and len(path) == 3 and path[0] == "event_log" and isinstance(path[1], int)
    # the legacy format is read member by member: an unknown one is ignored in every object
    return undefined and (path[:-1] in IGNORING_UNKNOWN or record or kind == "legacy")


def outcome(data: bytes, root: Path) -> aicert_verify.Report | None:
    try:
        report = aicert_verify.verify(data, trust_roots=[root], at="2026-11-25T07:40:00Z", allow_unmeasured_boot=True)
    except aicert_verify.FormatError:
        return None
    names = aicert_verify.LEGACY_CHECK_NAMES if report.format == "aicert-legacy" else aicert_verify.CHECK_NAMES
    assert [check.name for check in report.checks] == list(names)
    for check in report.checks:
        assert not check.detail.startswith(INTERNAL_ERROR), check
        assert "\n" not in check.detail
    json.loads(report.to_json())
    write_report(report, "fuzzed.json", io.StringIO())
    return report


@pytest.mark.parametrize("name", ["v1-rsa", "v1-ecc", "legacy"])
def test_random_mutations_give_a_report_or_a_format_error(
    name: str, documents: dict[str, dict[str, Any]], root_pem: Path
) -> None:
    document = documents[name]
    original = outcome(json.dumps(document).encode(), root_pem)
    assert original is not None and original.valid, original.checks if original else None
    generator = random.Random(f"{SEED}-{name}")
    counts = {"format-error": 0, "invalid": 0, "valid": 0}
    for round_ in range(MUTATIONS_PER_DOCUMENT):
        kind = round_ % 3
        changed_signed_bytes = False
        if kind == 0:
            data = json.dumps(mutate_structure(document, generator), ensure_ascii=generator.random() < 0.5).encode(
                "utf-8", "surrogatepass"
            )
        elif kind == 1:
            mutated, changed_signed_bytes = mutate_binary(document, generator)
            data = json.dumps(mutated).encode()
        else:
            data = mutate_text(json.dumps(document, indent=generator.choice((None, 1))).encode(), generator)
        report = outcome(data, root_pem)
        if report is None:
            counts["format-error"] += 1
            continue
        counts["valid" if report.valid else "invalid"] += 1
        if changed_signed_bytes:
            assert not report.valid, (name, round_, report.checks)
        if report.valid:
            mutated = json.loads(data.decode("utf-8", "surrogatepass"))
            kind_of_document = "legacy" if name == "legacy" else "v1"
            unexplained = [
                path
                for path in changed_paths(document, mutated)
                if not may_stay_valid(document, mutated, path, kind_of_document)
            ]
            assert not unexplained, (name, round_, unexplained)
    assert counts["invalid"] > MUTATIONS_PER_DOCUMENT // 4, counts
    assert counts["format-error"] > MUTATIONS_PER_DOCUMENT // 10, counts
