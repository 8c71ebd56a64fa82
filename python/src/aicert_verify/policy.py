"""Verification policies (docs/policy.md): roots to trust, boot references, required inputs/outputs.

A policy is YAML. Unknown keys are errors (a typo must not silently weaken a policy), and every
error names the key, as :class:`aicert_verify.PolicyError`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .chain import TrustRoot, load_roots
from .errors import PolicyError, TrustRootError
from .files import read_bounded

__all__ = [
    "BootRules",
    "BootReference",
    "KnownImage",
    "Requirement",
    "Policy",
    "load_policy",
    "parse_policy",
    "load_registered_images",
    "BUILTIN_IMAGES",
]

_DIGEST = re.compile(r"[0-9a-f]{64}\Z")
_COMMIT = re.compile(r"(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})\Z")
MAX_POLICY_BYTES = 1 << 20

PolicySource = str | os.PathLike[str]


@dataclass(frozen=True)
class Requirement:
    """An input or output the build must have: by name, with an optional digest and commit."""

    name: str
    digest: str | None = None
    commit: str | None = None


@dataclass(frozen=True)
class BootRules:
    """Rules on the firmware event log's events; ``None`` leaves a rule unchecked."""

    secure_boot: bool | None = None
    applications: tuple[str, ...] | None = None
    command_lines: tuple[str, ...] | None = None
    separators: bool = False


@dataclass(frozen=True)
class BootReference:
    """What a boot must show: allowed values of PCRs 0–13 (``{pcr: (hex, …)}``) and boot rules."""

    pcrs: dict[int, tuple[str, ...]] = field(default_factory=dict)
    boot: BootRules | None = None

    @property
    def empty(self) -> bool:
        return not self.pcrs and self.boot is None


@dataclass(frozen=True)
class KnownImage:
    """A base image whose boot is known: its signed identity and the reference values of its boot."""

    name: str
    version: str
    uki_sha256: str
    reference: BootReference


# The images the project has released; none yet (docs/verification-rules.md).
BUILTIN_IMAGES: tuple[KnownImage, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A parsed policy. ``platforms`` maps a signed platform to its :class:`BootReference`."""

    trusted_roots: list[TrustRoot] = field(default_factory=list)
    platforms: dict[str, BootReference] = field(default_factory=dict)
    inputs: list[Requirement] = field(default_factory=list)
    outputs: list[Requirement] = field(default_factory=list)
    source: str | None = None
    images: list[KnownImage] = field(default_factory=list)
    allow_unmeasured_boot: bool = False
    # Roots a time-stamp token's TSA certificate may chain to (``tsa_roots``).
    tsa_roots: list[TrustRoot] = field(default_factory=list)


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice (PyYAML keeps the last one silently)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, bool, float)) and key is not None:
            raise PolicyError("a key is not a plain scalar")
        if key in result:
            raise PolicyError("is given twice", str(key))
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def load_policy(path: PolicySource) -> Policy:
    """Reads a policy file; ``trusted_roots`` and ``tsa_roots`` are resolved relative to the file."""
    text_path = os.fspath(path)
    data = read_bounded(text_path, MAX_POLICY_BYTES, PolicyError)
    return parse_policy(data, base=os.path.dirname(os.path.abspath(text_path)), source=text_path)


def parse_policy(data: bytes | str, *, base: str | None = None, source: str | None = None) -> Policy:
    """Parses policy YAML; relative ``trusted_roots`` and ``tsa_roots`` are resolved against ``base``."""
    try:
        document = yaml.load(data, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise PolicyError(" ".join(f"not YAML: {error}".split())) from None
    except (ValueError, TypeError) as error:  # e.g. a timestamp-looking value that is no date
        raise PolicyError(f"not a usable YAML document: {error}") from None
    except RecursionError:
        raise PolicyError("nested too deeply") from None
    if not isinstance(document, dict):
        raise PolicyError("the policy is not a YAML mapping")
    _known(
        document,
        {
            "version",
            "trusted_roots",
            "tsa_roots",
            "platforms",
            "images",
            "allow_unmeasured_boot",
            "inputs",
            "outputs",
        },
        "",
    )
    if "version" not in document:
        raise PolicyError("required key is missing", "version")
    if type(document["version"]) is not int or document["version"] != 1:
        raise PolicyError("must be 1", "version")
    roots = _roots(document, "trusted_roots", base)
    tsa_roots = _roots(document, "tsa_roots", base)
    platforms: dict[str, BootReference] = {}
    for name, platform in _mapping(document.get("platforms", {}), "platforms").items():
        key = f"platforms.{name}"
        if not isinstance(name, str):
            raise PolicyError("a platform name is not a string", key)
        platform = _mapping(platform, key)
        _known(platform, {"pcrs", "boot"}, key)
        platforms[name] = _reference(platform, key)
    images = [
        _image(item, f"images[{index}]") for index, item in enumerate(_list(document.get("images", []), "images"))
    ]
    allow = document.get("allow_unmeasured_boot", False)
    if not isinstance(allow, bool):
        raise PolicyError("must be true or false", "allow_unmeasured_boot")
    inputs = _requirements(document.get("inputs", []), "inputs", with_commit=True)
    outputs = _requirements(document.get("outputs", []), "outputs", with_commit=False)
    return Policy(roots, platforms, inputs, outputs, source, images, allow, tsa_roots)


def _roots(document: dict[Any, Any], name: str, base: str | None) -> list[TrustRoot]:
    """The certificates of the PEM or DER files a list names, relative to ``base``."""
    roots: list[TrustRoot] = []
    for index, item in enumerate(_list(document.get(name, []), name)):
        key = f"{name}[{index}]"
        if not isinstance(item, str) or not item:
            raise PolicyError("is not a file name", key)
        path = item if os.path.isabs(item) or base is None else os.path.join(base, item)
        try:
            roots.extend(load_roots(path))
        except TrustRootError as error:
            raise PolicyError(str(error), key) from None
    return roots


def load_registered_images(home: str | os.PathLike[str] | None = None) -> list[KnownImage]:
    """The images registered on this machine: the ``images`` of every ``$AICERT_HOME/images/*.yaml``.

    ``home`` defaults to ``$AICERT_HOME``, else ``~/.aicert``; a missing folder registers none.
    """
    folder = os.path.join(
        os.fspath(home) if home else os.environ.get("AICERT_HOME") or os.path.expanduser("~/.aicert"), "images"
    )
    if not os.path.isdir(folder):
        return []
    images: list[KnownImage] = []
    for entry in sorted(os.listdir(folder)):
        if entry.endswith(".yaml"):
            images.extend(load_policy(os.path.join(folder, entry)).images)
    return images


def _reference(mapping: dict[Any, Any], key: str) -> BootReference:
    """The ``pcrs`` and ``boot`` keys of a platform or image."""
    banks = _mapping(mapping.get("pcrs", {}), f"{key}.pcrs")
    _known(banks, {"sha256"}, f"{key}.pcrs")
    references: dict[int, tuple[str, ...]] = {}
    for pcr, values in _mapping(banks.get("sha256", {}), f"{key}.pcrs.sha256").items():
        where = f"{key}.pcrs.sha256.{pcr}"
        if type(pcr) is not int or not 0 <= pcr <= 13:
            raise PolicyError("a PCR index must be 0 to 13 (14 and 15 are checked against the event log)", where)
        allowed = values if isinstance(values, list) else [values]
        if not allowed:
            raise PolicyError("lists no allowed value", where)
        for value in allowed:
            if not isinstance(value, str) or not _DIGEST.match(value):
                raise PolicyError("is not a quoted string of 64 lowercase hex digits", where)
        references[pcr] = tuple(allowed)
    boot = _boot_rules(mapping["boot"], f"{key}.boot") if mapping.get("boot") is not None else None
    return BootReference(references, boot)


def _boot_rules(value: Any, key: str) -> BootRules:
    rules = _mapping(value, key)
    _known(rules, {"secure_boot", "applications", "command_lines", "separators"}, key)
    for flag in ("secure_boot", "separators"):
        if flag in rules and not isinstance(rules[flag], bool):
            raise PolicyError("must be true or false", f"{key}.{flag}")
    applications = None
    if "applications" in rules:
        applications = tuple(_list(rules["applications"], f"{key}.applications"))
        for index, digest in enumerate(applications):
            if not isinstance(digest, str) or not _DIGEST.match(digest):
                raise PolicyError("is not a quoted string of 64 lowercase hex digits", f"{key}.applications[{index}]")
    command_lines = None
    if "command_lines" in rules:
        command_lines = tuple(_list(rules["command_lines"], f"{key}.command_lines"))
        for index, line in enumerate(command_lines):
            if not isinstance(line, str):
                raise PolicyError("is not a string", f"{key}.command_lines[{index}]")
    return BootRules(rules.get("secure_boot"), applications, command_lines, rules.get("separators", False))


def _image(value: Any, key: str) -> KnownImage:
    item = _mapping(value, key)
    _known(item, {"name", "version", "uki_sha256", "pcrs", "boot"}, key)
    for member in ("name", "version"):
        if not isinstance(item.get(member), str) or not item[member]:
            raise PolicyError("required key is missing or not a string", f"{key}.{member}")
    digest = item.get("uki_sha256")
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise PolicyError("is not a quoted string of 64 lowercase hex digits", f"{key}.uki_sha256")
    return KnownImage(item["name"], item["version"], digest, _reference(item, key))


def _requirements(value: Any, key: str, *, with_commit: bool) -> list[Requirement]:
    result: list[Requirement] = []
    for index, item in enumerate(_list(value, key)):
        where = f"{key}[{index}]"
        item = _mapping(item, where)
        _known(item, {"name", "digest", "commit"} if with_commit else {"name", "digest"}, where)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise PolicyError("required key is missing or not a string", f"{where}.name")
        digest = item.get("digest")
        if digest is not None and (not isinstance(digest, str) or not _DIGEST.match(digest)):
            raise PolicyError("is not a quoted string of 64 lowercase hex digits", f"{where}.digest")
        commit = item.get("commit")
        if commit is not None and (not isinstance(commit, str) or not _COMMIT.match(commit)):
            raise PolicyError("is not a quoted string of 40 or 64 hex digits", f"{where}.commit")
        result.append(Requirement(name, digest, commit.lower() if commit else None))
    return result


def _known(mapping: dict[Any, Any], allowed: set[str], where: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise PolicyError(
                f"unknown key (expected one of {', '.join(sorted(allowed))})", f"{where}.{key}" if where else str(key)
            )


def _mapping(value: Any, key: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError("is not a mapping", key)
    return value


def _list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PolicyError("is not a list", key)
    return value
