"""A strict, bounded DER reader: enough ASN.1 for RFC 3161 time-stamp tokens.

:func:`parse` reads one whole tree up front, as swift-asn1's ``DER.parse`` does: definite
lengths in their shortest form, tag numbers in their shortest form, no ``[UNIVERSAL 0]``, at
most :data:`MAX_DEPTH` levels, no byte after the root. It never indexes past its input, so
hostile bytes raise only :class:`DERError`. The typed readers (:func:`integer`, :func:`oid`,
…) then apply X.690's DER rules to one node each, and :class:`Items` walks the children of a
SEQUENCE or SET, refusing any child left unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

__all__ = [
    "DERError",
    "Node",
    "Items",
    "parse",
    "UNIVERSAL",
    "CONTEXT",
    "INTEGER",
    "OCTET_STRING",
    "OID",
    "SEQUENCE",
    "SET",
    "GENERALIZED_TIME",
    "MAX_DEPTH",
    "sequence",
    "set_of",
    "ordered_set_of",
    "explicit",
    "integer",
    "unsigned_integer",
    "oid",
    "octet_string",
    "generalized_time",
]

MAX_DEPTH = 50  # nesting levels, the root being 1 (swift-asn1's limit)

UNIVERSAL, APPLICATION, CONTEXT, PRIVATE = 0, 1, 2, 3
INTEGER, OCTET_STRING, OID, SEQUENCE, SET, GENERALIZED_TIME = 2, 4, 6, 16, 17, 24

_NAMES = {INTEGER: "INTEGER", OCTET_STRING: "OCTET STRING", OID: "OBJECT IDENTIFIER", SEQUENCE: "SEQUENCE", SET: "SET"}
_NAMES[GENERALIZED_TIME] = "GeneralizedTime"
_MAX_BASE128_BYTES = 9  # 63 bits: a tag number or OID arc must fit in 64, as swift-asn1 requires


class DERError(ValueError):
    """Bytes that are not the DER they should be; the message says what is wrong."""


@dataclass(frozen=True)
class Node:
    """One TLV: its tag, its whole encoding, and its content bytes or its children."""

    tag_class: int
    number: int
    constructed: bool
    encoded: bytes
    content: bytes
    children: tuple[Node, ...] = ()

    def is_(self, tag_class: int, number: int) -> bool:
        """Whether the tag (class and number; the constructed bit aside) is this one."""
        return self.tag_class == tag_class and self.number == number

    def describe(self) -> str:
        if self.tag_class == UNIVERSAL:
            return _NAMES.get(self.number, f"[UNIVERSAL {self.number}]")
        return f"[{('', 'APPLICATION ', '', 'PRIVATE ')[self.tag_class]}{self.number}]"


def parse(data: bytes) -> Node:
    """The tree of one DER element that is all of ``data``."""
    data = bytes(data)
    node, end = _node(data, 0, len(data), 1)
    if end != len(data):
        raise DERError(f"{len(data) - end} bytes follow the DER element")
    return node


def _node(data: bytes, start: int, limit: int, depth: int) -> tuple[Node, int]:
    if depth > MAX_DEPTH:
        raise DERError(f"nested more than {MAX_DEPTH} levels deep")
    offset = start
    if offset >= limit:
        raise DERError("truncated: a tag is missing")
    first = data[offset]
    offset += 1
    tag_class, constructed, number = first >> 6, bool(first & 0x20), first & 0x1F
    if number == 0x1F:
        number, offset = _base128(data, offset, limit, "tag number")
        if number < 0x1F:
            raise DERError(f"tag number {number} is in the long form")
    if offset >= limit:
        raise DERError("truncated: a length is missing")
    length_byte = data[offset]
    offset += 1
    if length_byte == 0x80:
        raise DERError("an indefinite length (BER, not DER)")
    if length_byte & 0x80:
        size = length_byte & 0x7F
        if size > limit - offset:
            raise DERError("truncated in a length")
        length = int.from_bytes(data[offset : offset + size], "big")
        offset += size
        if length < 0x80 or size != (length.bit_length() + 7) // 8:
            raise DERError(f"the length {length} is not in its shortest form")
    else:
        length = length_byte
    if tag_class == UNIVERSAL and number == 0:
        raise DERError("an end-of-contents octets or [UNIVERSAL 0] tag")
    if length > limit - offset:
        raise DERError(f"truncated: {length} content bytes announced, {limit - offset} left")
    end = offset + length
    if not constructed:
        return Node(tag_class, number, False, data[start:end], data[offset:end]), end
    children: list[Node] = []
    cursor = offset
    while cursor < end:
        child, cursor = _node(data, cursor, end, depth + 1)
        children.append(child)
    return Node(tag_class, number, True, data[start:end], data[offset:end], tuple(children)), end


def _base128(data: bytes, offset: int, limit: int, what: str) -> tuple[int, int]:
    """A base-128 number (high bit: more follows) in its shortest form; the offset after it."""
    if offset < limit and data[offset] == 0x80:
        raise DERError(f"a {what} has a leading zero")
    value = 0
    for _ in range(_MAX_BASE128_BYTES):
        if offset >= limit:
            raise DERError(f"truncated in a {what}")
        byte = data[offset]
        offset += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, offset
    raise DERError(f"a {what} is too large")


class Items:
    """The children of a SEQUENCE or SET, read in order; :meth:`end` refuses any left unread."""

    def __init__(self, node: Node, what: str) -> None:
        self._children = node.children
        self._index = 0
        self.what = what

    def peek(self) -> Node | None:
        return self._children[self._index] if self._index < len(self._children) else None

    def next(self) -> Node | None:
        node = self.peek()
        if node is not None:
            self._index += 1
        return node

    def take(self, field: str) -> Node:
        """The next child, which must be there."""
        node = self.next()
        if node is None:
            raise DERError(f"{self.what} has no {field}")
        return node

    def optional(self, tag_class: int, number: int) -> Node | None:
        """The next child if it has this tag, else ``None`` (and nothing is read)."""
        node = self.peek()
        if node is None or not node.is_(tag_class, number):
            return None
        self._index += 1
        return node

    def rest(self) -> tuple[Node, ...]:
        """Every child not read yet (all are then read)."""
        remaining = self._children[self._index :]
        self._index = len(self._children)
        return remaining

    def end(self) -> None:
        if self._index != len(self._children):
            raise DERError(f"{self.what} has {len(self._children) - self._index} unexpected elements at its end")


def _constructed(node: Node, number: int, what: str) -> Node:
    if not node.is_(UNIVERSAL, number):
        raise DERError(f"{what} is {node.describe()}, not a {_NAMES[number]}")
    if not node.constructed:
        raise DERError(f"{what} is a primitive {_NAMES[number]}")
    return node


def sequence(node: Node, what: str) -> Items:
    """The children of a SEQUENCE."""
    return Items(_constructed(node, SEQUENCE, what), what)


def set_of(node: Node, what: str) -> Items:
    """The children of a SET, in any order."""
    return Items(_constructed(node, SET, what), what)


def ordered_set_of(node: Node, what: str) -> tuple[Node, ...]:
    """The elements of a SET OF, which DER sorts by their encodings (X.690 11.6)."""
    elements = _constructed(node, SET, what).children
    for previous, following in zip(elements, elements[1:], strict=False):
        if _set_less_than(following.encoded, previous.encoded):
            raise DERError(f"the elements of {what} are not in DER order")
    return elements


def _set_less_than(left: bytes, right: bytes) -> bool:
    """swift-asn1's order of SET OF elements: bytewise, a shorter prefix first unless only zeros follow."""
    for a, b in zip(left, right, strict=False):
        if a != b:
            return a < b
    return not all(byte == 0 for byte in right[len(left) :])


def explicit(node: Node, number: int, what: str) -> Node:
    """The one element inside a constructed ``[number]`` context-specific tag."""
    if not node.is_(CONTEXT, number):
        raise DERError(f"{what} is {node.describe()}, not [{number}]")
    if not node.constructed or len(node.children) != 1:
        raise DERError(f"{what} ([{number}] EXPLICIT) does not hold exactly one element")
    return node.children[0]


def _primitive(node: Node, number: int, what: str) -> bytes:
    if not node.is_(UNIVERSAL, number):
        raise DERError(f"{what} is {node.describe()}, not {'an' if number == INTEGER else 'a'} {_NAMES[number]}")
    if node.constructed:
        raise DERError(f"{what} is a constructed {_NAMES[number]}")
    return node.content


def integer(node: Node, what: str) -> int:
    """An INTEGER that fits in 64 signed bits, in its shortest form."""
    value = _integer(_primitive(node, INTEGER, what), what)
    if not -(1 << 63) <= value < (1 << 63):
        raise DERError(f"{what} does not fit in 64 bits")
    return value


def unsigned_integer(node: Node, what: str) -> int:
    """An INTEGER of any size that is not negative, in its shortest form."""
    content = _primitive(node, INTEGER, what)
    value = _integer(content, what)
    if value < 0:
        raise DERError(f"{what} is negative")
    return value


def _integer(content: bytes, what: str) -> int:
    if not content:
        raise DERError(f"{what} is an INTEGER of no bytes")
    if len(content) > 1 and (
        (content[0] == 0x00 and not content[1] & 0x80) or (content[0] == 0xFF and content[1] & 0x80)
    ):
        raise DERError(f"{what} is an INTEGER not in its shortest form")
    return int.from_bytes(content, "big", signed=True)


def oid(node: Node, what: str) -> str:
    """An OBJECT IDENTIFIER, dotted (``1.2.840.113549.1.7.2``)."""
    content = _primitive(node, OID, what)
    if not content:
        raise DERError(f"{what} is an OBJECT IDENTIFIER of no bytes")
    arcs: list[int] = []
    offset = 0
    while offset < len(content):
        arc, offset = _base128(content, offset, len(content), f"{what} arc")
        arcs.append(arc)
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def octet_string(node: Node, what: str) -> bytes:
    """A primitive OCTET STRING's bytes (DER has no constructed ones)."""
    return _primitive(node, OCTET_STRING, what)


def generalized_time(node: Node, what: str) -> datetime:
    """A DER GeneralizedTime, ``YYYYMMDDHHMMSS[.f]Z`` without trailing zeros in the fraction, as UTC.

    Seconds 60 and 61 (leap seconds) are accepted and roll over into the next minute.
    """
    text = _primitive(node, GENERALIZED_TIME, what)
    digits = text[:14]
    if len(digits) < 14 or not all(0x30 <= byte <= 0x39 for byte in digits):
        raise DERError(f"{what} is not a GeneralizedTime YYYYMMDDHHMMSSZ")
    rest = text[14:]
    fraction = b""
    if rest[:1] == b".":
        end = 1
        while end < len(rest) and 0x30 <= rest[end] <= 0x39:
            end += 1
        fraction, rest = rest[1:end], rest[end:]
        if not fraction or fraction.endswith(b"0"):
            raise DERError(f"{what} has fractional seconds that are empty or end in zero")
    if rest != b"Z":
        raise DERError(f"{what} does not end in Z (UTC)")
    year, month, day, hour, minute, second = (
        int(digits[0:4]),
        int(digits[4:6]),
        int(digits[6:8]),
        int(digits[8:10]),
        int(digits[10:12]),
        int(digits[12:14]),
    )
    if hour > 23 or minute > 59 or second > 61:
        raise DERError(f"{what} has an hour, minute or second out of range")
    try:
        moment = datetime(year, month, day, hour, minute, tzinfo=timezone.utc)
    except ValueError:
        raise DERError(f"{what} is not a date") from None
    microseconds = int((fraction.decode("ascii") + "000000")[:6]) if fraction else 0
    return moment + timedelta(seconds=second, microseconds=microseconds)
