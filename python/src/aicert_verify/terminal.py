"""Text safe to print on a terminal: what a certificate controls cannot move the cursor or hide a verdict."""

from __future__ import annotations

import unicodedata

__all__ = ["escape"]


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if code in (0x2028, 0x2029) or unicodedata.category(char) == "Cf":
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


def escape(text: str) -> str:
    """``text`` with control (C0, DEL, C1), format (Cf) and line/paragraph separator characters as escapes."""
    return "".join(_escaped(char) for char in text)
