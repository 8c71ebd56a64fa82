"""Thousands of random mutations of certificates: verify returns a report or raises FormatError.

Nothing else may escape, no check may fail with an internal error (a bug caught by the
fail-closed guard), and a change to a signed binary member never leaves the report valid.
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

import aicert
from aicert.cli import write_report
from aicert.report import INTERNAL_ERROR

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


def outcome(data: bytes, root: Path) -> aicert.Report | None:
    try:
        report = aicert.verify(data, trust_roots=[root], at="2026-11-25T07:40:00Z")
    except aicert.FormatError:
        return None
    assert [check.name for check in report.checks] == list(aicert.CHECK_NAMES)
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
    assert counts["invalid"] > MUTATIONS_PER_DOCUMENT // 4, counts
    assert counts["format-error"] > MUTATIONS_PER_DOCUMENT // 10, counts
