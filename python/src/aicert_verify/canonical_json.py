"""Strict JSON reading and the RFC 8785 canonical encoding the format's digests are taken over.

The reader admits UTF-8 JSON text without duplicate member names, lone surrogates or
nesting deeper than :data:`MAX_DEPTH` (I-JSON's rules that make two parsers read the same
values); anything else is a :class:`JSONRejected` naming the JSON path. Numbers are read as
Python ``int`` and ``float``: a fractional number or an integer beyond ±(2^53 − 1) is only an
error where the format uses the member (members a verifier does not know are ignored), and the
encoder below refuses both.

The encoder writes RFC 8785 for the values AICert uses (null, booleans, integers, strings,
arrays, objects): members sorted by UTF-16 code units, no whitespace, integers in decimal
(an integral number such as ``1.0`` is the integer 1, as RFC 8785 writes it),
strings with only ``"``, ``\\`` and control characters escaped.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["JSONRejected", "MAX_DEPTH", "MAX_SAFE_INTEGER", "load_strict", "canonical", "json_path"]

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 64


class JSONRejected(ValueError):
    """A document or value outside the JSON the format admits; ``path`` says where."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


class _DuplicateMember(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateMember(key)
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise JSONRejected(f"{name} is not JSON")


def load_strict(data: bytes) -> Any:
    """Parses UTF-8 JSON bytes as I-JSON; raises :class:`JSONRejected` otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JSONRejected(f"not UTF-8 (byte {error.start})") from None
    if text.startswith("\ufeff"):
        raise JSONRejected("starts with a byte order mark")
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_float=float, parse_constant=_constant)
    except _DuplicateMember as error:
        raise JSONRejected(f"member '{error.args[0]}' appears twice in one object") from None
    except json.JSONDecodeError as error:
        raise JSONRejected(f"not JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise JSONRejected(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise JSONRejected(f"not usable JSON: {error}") from None
    _check(value)
    return value


def json_path(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """``event_log[3].content`` from ``["event_log", 3, "content"]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def _check(root: Any) -> None:
    """Walks the parsed document without recursion, rejecting what I-JSON forbids."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        value, path = stack.pop()
        # The root array or object is level 1: 64 nested containers pass, a 65th is refused.
        if isinstance(value, (list, dict)) and len(path) >= MAX_DEPTH:
            raise JSONRejected(f"nested deeper than {MAX_DEPTH} levels", json_path(path[:MAX_DEPTH]))
        if isinstance(value, str):
            _require_unicode(value, path)
        elif isinstance(value, list):
            stack.extend((item, path + (index,)) for index, item in enumerate(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                _require_unicode(key, path)
                stack.append((item, path + (key,)))


def _require_unicode(text: str, path: tuple[str | int, ...]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONRejected("a string holds a lone surrogate (not valid Unicode)", json_path(path)) from None


_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_ESCAPE_TABLE = {code: _ESCAPES.get(code, f"\\u{code:04x}") for code in range(0x20)}
_ESCAPE_TABLE.update({0x22: '\\"', 0x5C: "\\\\"})


def _string(text: str) -> str:
    return '"' + text.translate(_ESCAPE_TABLE) + '"'


def canonical(value: Any) -> bytes:
    """The RFC 8785 encoding of ``value``; raises :class:`JSONRejected` for what it cannot encode."""
    parts: list[str] = []
    _encode(value, parts, 0)
    text = "".join(parts)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONRejected("a string holds a lone surrogate (not valid Unicode)") from None


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise JSONRejected(f"nested deeper than {MAX_DEPTH} levels")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise JSONRejected(f"integer {value} is outside ±(2^53 − 1)")
        out.append(str(int(value)))
    elif isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        out.append(str(int(value)))  # JSON does not tell 1.0 from 1; RFC 8785 writes both as 1
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise JSONRejected("an object member name is not a string")
        out.append("{")
        for index, key in enumerate(sorted(value, key=lambda name: name.encode("utf-16-be", "surrogatepass"))):
            if index:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _encode(value[key], out, depth + 1)
        out.append("}")
    else:
        raise JSONRejected(f"a {type(value).__name__} has no canonical JSON form (integers only, no fractions)")
