"""Policy files (docs/policy.md) and the strict JSON reader / RFC 8785 encoder."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from builders import event_digest as documented_event_digest

import aicert_verify
from aicert_verify.canonical_json import JSONRejected, canonical, load_strict
from aicert_verify.eventlog import event_digest

DIGEST = "3f" * 32


def test_the_documented_policy_parses(tmp_path: Path, root_pem: Path) -> None:
    (tmp_path / "dev-root.pem").write_bytes(root_pem.read_bytes())
    path = tmp_path / "policy.yaml"
    path.write_text(f"""version: 1
trusted_roots:
  - dev-root.pem
platforms:
  qemu:
    pcrs:
      sha256:
        4: "{DIGEST}"
        11: ["{"5a" * 32}", "{"77" * 32}"]
    boot:
      secure_boot: true
      applications: ["{"1f" * 32}", "{"9a" * 32}"]
      command_lines: ["console=ttyS0"]
      separators: true
allow_unmeasured_boot: false
images:
  - name: aicert-base
    version: "1.0"
    uki_sha256: "{"68" * 32}"
    pcrs:
      sha256:
        4: "{DIGEST}"
    boot:
      separators: true
inputs:
  - name: data
    digest: "{DIGEST}"
  - name: code
    commit: "9c4e2f{"0" * 34}"
outputs:
  - name: outputs
    digest: "{"c0" * 32}"
""")
    policy = aicert_verify.load_policy(path)
    assert len(policy.trusted_roots) == 1 and policy.trusted_roots[0].source.endswith("dev-root.pem")
    rules = aicert_verify.BootRules(True, ("1f" * 32, "9a" * 32), ("console=ttyS0",), True)
    assert policy.platforms == {"qemu": aicert_verify.BootReference({4: (DIGEST,), 11: ("5a" * 32, "77" * 32)}, rules)}
    assert policy.images == [
        aicert_verify.KnownImage(
            "aicert-base",
            "1.0",
            "68" * 32,
            aicert_verify.BootReference({4: (DIGEST,)}, aicert_verify.BootRules(separators=True)),
        )
    ]
    assert policy.allow_unmeasured_boot is False
    assert [item.name for item in policy.inputs] == ["data", "code"] and policy.inputs[1].commit == "9c4e2f" + "0" * 34
    assert policy.outputs == [aicert_verify.Requirement("outputs", "c0" * 32)]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("version: 2\n", "version"),
        ("version: true\n", "version"),
        ("inputs: []\n", "version"),
        ("version: 1\ninptus: []\n", "inptus"),
        ("version: 1\nplatforms:\n  qemu:\n    pcr: {}\n", "platforms.qemu.pcr"),
        ("version: 1\nplatforms:\n  qemu:\n    pcrs:\n      sha1: {}\n", "platforms.qemu.pcrs.sha1"),
        (
            f'version: 1\nplatforms:\n  qemu:\n    pcrs:\n      sha256:\n        14: "{DIGEST}"\n',
            "platforms.qemu.pcrs.sha256.14",
        ),
        (
            "version: 1\nplatforms:\n  qemu:\n    pcrs:\n      sha256:\n        4: 1234\n",
            "platforms.qemu.pcrs.sha256.4",
        ),
        ("version: 1\nplatforms:\n  qemu:\n    pcrs:\n      sha256:\n        4: []\n", "platforms.qemu.pcrs.sha256.4"),
        (f'version: 1\ninputs:\n  - name: a\n    digest: "{DIGEST.upper()}"\n', "inputs[0].digest"),
        ('version: 1\ninputs:\n  - name: a\n    commit: "abc"\n', "inputs[0].commit"),
        ("version: 1\ninputs:\n  - digest: x\n", "inputs[0]"),
        ('version: 1\noutputs:\n  - name: a\n    commit: "' + "a" * 40 + '"\n', "outputs[0].commit"),
        ("version: 1\ntrusted_roots:\n  - absent.pem\n", "trusted_roots[0]"),
        ("version: 1\ntrusted_roots: root.pem\n", "trusted_roots"),
        ("version: 1\ninputs: []\ninputs: []\n", "inputs"),
        ("version: 1\ninputs:\n  - {name: a, name: b}\n", "name"),
        ("version: 1\nallow_unmeasured_boot: yes please\n", "allow_unmeasured_boot"),
        ("version: 1\nallow_unmeasured_boot: true\nallow_unmeasured_boot: true\n", "allow_unmeasured_boot"),
        ("version: 1\nplatforms:\n  qemu:\n    boot:\n      secureboot: true\n", "platforms.qemu.boot.secureboot"),
        ("version: 1\nplatforms:\n  qemu:\n    boot:\n      separators: 1\n", "platforms.qemu.boot.separators"),
        (
            'version: 1\nplatforms:\n  qemu:\n    boot:\n      applications: ["ab"]\n',
            "platforms.qemu.boot.applications[0]",
        ),
        (
            "version: 1\nplatforms:\n  qemu:\n    boot:\n      command_lines: [1]\n",
            "platforms.qemu.boot.command_lines[0]",
        ),
        ("version: 1\nimages:\n  - name: a\n    version: b\n", "images[0].uki_sha256"),
        (
            f'version: 1\nimages:\n  - name: a\n    version: b\n    uki_sha256: "{DIGEST}"\n    uki: x\n',
            "images[0].uki",
        ),
        (f'version: 1\nimages:\n  - version: b\n    uki_sha256: "{DIGEST}"\n', "images[0].name"),
        ("version: 1\nx: &a [*a]\n", None),
        ("version: 1\n? [1]\n: 2\n", None),
        ("version: 1\nwhen: 2026-13-45\n", None),
        ("- 1\n", None),
        ("version: [1\n", None),
    ],
)
def test_policy_errors_name_the_key(text: str, key: str | None, tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(aicert_verify.PolicyError) as caught:
        aicert_verify.load_policy(path)
    if key is not None:
        assert caught.value.key is not None and caught.value.key.startswith(key), caught.value


def test_strict_json_reader() -> None:
    assert load_strict(b'{"a": [1, -2, true, null, "\\u00e9"]}') == {"a": [1, -2, True, None, "é"]}
    # numbers the format never uses are read, and refused only where a member is used
    assert load_strict(b'{"a": [0.5, 1e3, 9007199254740993]}') == {"a": [0.5, 1000.0, 2**53 + 1]}
    for bad, message in (
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b'{"\\udfff": 1}', "lone surrogate"),
        (b"\xef\xbb\xbf{}", "byte order mark"),
        (b"{} x", "not JSON"),
        (b"Infinity", "not JSON"),
        (b'{"a": ' + b"[" * 70 + b"]" * 70 + b"}", "nested deeper than 64"),
        (b"[" * 65 + b"]" * 65, "nested deeper than 64"),
    ):
        with pytest.raises(JSONRejected, match=message.replace("[", r"\[")):
            load_strict(bad)
    assert load_strict(b"[" * 64 + b"]" * 64) is not None  # 64 levels are allowed


def test_canonical_encoding_is_rfc8785_for_the_format_values() -> None:
    assert canonical({"b": 1, "a": [True, False, None, -7, "x"]}) == b'{"a":[true,false,null,-7,"x"],"b":1}'
    assert (
        canonical('"\\\b\t\n\f\r\x00\x1f\x7f/é\u2028') == '"\\"\\\\\\b\\t\\n\\f\\r\\u0000\\u001f\x7f/é\u2028"'.encode()
    )
    # members sort by UTF-16 code units: U+E000 (one unit 0xE000) after U+1F600 (0xD83D 0xDE00)
    assert canonical({"\ue000": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"😀":2,"\ue000":1}'.encode()
    # JSON does not tell 1.0 from 1: an integral number is the integer (RFC 8785 writes both as 1)
    assert canonical([1.0, -0.0, 600.0]) == b"[1,0,600]"
    for bad in (1.5, float("nan"), 2**53, 2.0**53, {1: 2}, b"bytes"):
        with pytest.raises(JSONRejected):
            canonical(bad)


def test_canonical_encoding_agrees_with_the_documented_snippet_on_random_contents() -> None:
    generator = random.Random(8785)
    alphabet = ["a", "Z", "é", "\u0000", "\n", '"', "\\", "/", "\u007f", "😀", "\u2028", " ", "ü"]

    def value(depth: int) -> object:
        choice = generator.randrange(7 if depth < 4 else 4)
        if choice == 0:
            return generator.randint(-(2**53) + 1, 2**53 - 1)
        if choice == 1:
            return "".join(generator.choice(alphabet) for _ in range(generator.randrange(6)))
        if choice == 2:
            return generator.choice([True, False, None])
        if choice == 3:
            return generator.randrange(100)
        if choice == 4:
            return [value(depth + 1) for _ in range(generator.randrange(4))]
        return {
            "".join(generator.choice("abcxyz_") for _ in range(generator.randint(1, 5))): value(depth + 1)
            for _ in range(generator.randrange(4))
        }

    for _ in range(2000):
        content = value(0)
        assert event_digest("aicert/runner", content).hex() == documented_event_digest("aicert/runner", content)
        assert load_strict(canonical(content)) == content


def test_the_documented_launch_digest() -> None:
    # The separator's digest in the committed fixture: SHA-256 of {"content":{},"type":"aicert/launch"}.
    assert hashlib.sha256(b'{"content":{},"type":"aicert/launch"}').digest() == event_digest("aicert/launch", {})
    assert event_digest("aicert/launch", {}).hex() == "6b784b09d920788352c3c91733b059456b556b71523d1abcc142f9024871da81"
    assert json.dumps({}, separators=(",", ":")) == "{}"
