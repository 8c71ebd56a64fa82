"""A bounds-checked cursor over TPM wire bytes.

Every read checks the length first and raises :class:`TPMParseError` (naming the structure
and field) on short input; nothing past the end is ever indexed, so hostile bytes cannot raise
``IndexError`` or ``struct.error``. Big-endian by default, as the TPM marshals; the little-endian
readers exist for tpm2-tools' host-order files.
"""

from __future__ import annotations

from ..errors import AICertError

__all__ = ["TPMParseError", "Reader"]


class TPMParseError(AICertError):
    """Bytes that are not the TPM structure they should be; says which structure and field."""

    def __init__(self, structure: str, reason: str) -> None:
        self.structure = structure
        self.reason = reason
        super().__init__(f"{structure}: {reason}")


class Reader:
    """Reads fields off the front of ``data``; ``structure`` names what is being parsed."""

    __slots__ = ("_data", "_offset", "structure")

    def __init__(self, data: bytes, structure: str) -> None:
        self._data = bytes(data)
        self._offset = 0
        self.structure = structure

    @property
    def offset(self) -> int:
        return self._offset

    @property
    def remaining(self) -> int:
        return len(self._data) - self._offset

    def fail(self, reason: str) -> TPMParseError:
        return TPMParseError(self.structure, reason)

    def take(self, count: int, field: str) -> bytes:
        if count < 0 or count > self.remaining:
            raise self.fail(
                f"truncated at {field} (needs {count} bytes at offset {self._offset}, {self.remaining} left)"
            )
        start = self._offset
        self._offset += count
        return self._data[start : self._offset]

    def _uint(self, size: int, field: str, order: str) -> int:
        return int.from_bytes(self.take(size, field), order)  # type: ignore[arg-type]

    def u8(self, field: str) -> int:
        return self._uint(1, field, "big")

    def u16(self, field: str) -> int:
        return self._uint(2, field, "big")

    def u32(self, field: str) -> int:
        return self._uint(4, field, "big")

    def u64(self, field: str) -> int:
        return self._uint(8, field, "big")

    def u16le(self, field: str) -> int:
        return self._uint(2, field, "little")

    def u32le(self, field: str) -> int:
        return self._uint(4, field, "little")

    def tpm2b(self, field: str, maximum: int) -> bytes:
        """A ``TPM2B_*``: a 16-bit size, then that many bytes, at most ``maximum``."""
        size = self.u16(f"{field}.size")
        if size > maximum:
            raise self.fail(f"{field} is {size} bytes, more than the {maximum} it may hold")
        return self.take(size, field)

    def finish(self) -> None:
        """Requires every byte consumed: trailing bytes are an error, never ignored."""
        if self.remaining:
            raise self.fail(f"{self.remaining} unexpected trailing bytes after the structure")
