"""Reading a file the caller names (a certificate, a policy) with a bound on its size."""

from __future__ import annotations

from collections.abc import Callable

from .errors import AICertError

__all__ = ["read_bounded"]


def read_bounded(path: str, limit: int, error: Callable[[str], AICertError]) -> bytes:
    """The bytes of the file at ``path``; raises ``error(reason)`` if it cannot be read or holds
    more than ``limit`` bytes (a whole number of MiB, as the reason states it)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as problem:
        raise error(f"cannot read {path}: {problem.strerror or problem}") from None
    if len(data) > limit:
        raise error(f"{path} is larger than {limit >> 20} MiB")
    return data
