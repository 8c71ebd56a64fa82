"""``TPMS_ATTEST`` of a quote (TPM 2.0 Part 2, §10.12.12) and ``TPML_PCR_SELECTION`` (§10.9.7).

Only quotes are understood: the header of any attestation parses, but an attestation of
another type is reported as such rather than parsed further.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import (
    HASH_COUNT,
    MAX_DATA_BYTES,
    MAX_DIGEST_BYTES,
    MAX_NAME_BYTES,
    PCR_SELECT_MAX,
    ST_ATTEST_QUOTE,
    algorithm_name,
)
from .reader import Reader, TPMParseError

__all__ = ["PCRSelection", "ClockInfo", "Attestation", "parse_attest", "read_pcr_selection"]


@dataclass(frozen=True)
class PCRSelection:
    """One ``TPMS_PCR_SELECTION``: a hash bank and the PCR indices selected in it."""

    hash_alg: int
    size_of_select: int
    pcrs: tuple[int, ...]

    def __str__(self) -> str:
        return f"{algorithm_name(self.hash_alg)}:{_ranges(self.pcrs)}"


@dataclass(frozen=True)
class ClockInfo:
    clock: int
    reset_count: int
    restart_count: int
    safe: bool


@dataclass(frozen=True)
class Attestation:
    """A parsed ``TPMS_ATTEST``. ``pcr_selection`` and ``pcr_digest`` are set for quotes only."""

    magic: int
    type: int
    qualified_signer: bytes
    extra_data: bytes
    clock_info: ClockInfo
    firmware_version: int
    pcr_selection: tuple[PCRSelection, ...] | None
    pcr_digest: bytes | None


def read_pcr_selection(reader: Reader, field: str = "pcrSelect") -> tuple[PCRSelection, ...]:
    """Reads a big-endian ``TPML_PCR_SELECTION`` (at most 16 banks, 4-byte bitmaps)."""
    count = reader.u32(f"{field}.count")
    if count > HASH_COUNT:
        raise reader.fail(f"{field}.count is {count}, more than the {HASH_COUNT} banks allowed")
    selections = []
    for index in range(count):
        hash_alg = reader.u16(f"{field}[{index}].hash")
        size = reader.u8(f"{field}[{index}].sizeofSelect")
        if size > PCR_SELECT_MAX:
            raise reader.fail(f"{field}[{index}].sizeofSelect is {size}, more than {PCR_SELECT_MAX}")
        bitmap = reader.take(size, f"{field}[{index}].pcrSelect")
        selections.append(PCRSelection(hash_alg, size, pcrs_of_bitmap(bitmap)))
    return tuple(selections)


def pcrs_of_bitmap(bitmap: bytes) -> tuple[int, ...]:
    """PCR indices of a selection bitmap: bit ``i % 8`` of byte ``i // 8`` selects PCR ``i``."""
    return tuple(8 * octet + bit for octet, value in enumerate(bitmap) for bit in range(8) if value >> bit & 1)


def parse_attest(data: bytes) -> Attestation:
    """Parses ``TPMS_ATTEST`` bytes; a quote must be followed by nothing.

    Raises :class:`TPMParseError` on truncated, oversized or trailing bytes.
    """
    reader = Reader(data, "TPMS_ATTEST")
    magic = reader.u32("magic")
    attest_type = reader.u16("type")
    signer = reader.tpm2b("qualifiedSigner", MAX_NAME_BYTES)
    extra = reader.tpm2b("extraData", MAX_DATA_BYTES)
    clock = ClockInfo(
        clock=reader.u64("clockInfo.clock"),
        reset_count=reader.u32("clockInfo.resetCount"),
        restart_count=reader.u32("clockInfo.restartCount"),
        safe=_yes_no(reader, reader.u8("clockInfo.safe"), "clockInfo.safe"),
    )
    firmware = reader.u64("firmwareVersion")
    if attest_type != ST_ATTEST_QUOTE:
        return Attestation(magic, attest_type, signer, extra, clock, firmware, None, None)
    selection = read_pcr_selection(reader, "attested.quote.pcrSelect")
    digest = reader.tpm2b("attested.quote.pcrDigest", MAX_DIGEST_BYTES)
    reader.finish()
    return Attestation(magic, attest_type, signer, extra, clock, firmware, selection, digest)


def _yes_no(reader: Reader, value: int, field: str) -> bool:
    if value > 1:
        raise reader.fail(f"{field} is {value}, not a TPMI_YES_NO")
    return value == 1


def _ranges(pcrs: tuple[int, ...]) -> str:
    """``0-15,23`` for a sorted list of indices."""
    if not pcrs:
        return "none"
    parts: list[str] = []
    start = previous = pcrs[0]
    for pcr in pcrs[1:] + (-2,):
        if pcr == previous + 1:
            previous = pcr
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = pcr
    return ",".join(parts)


__all__ += ["TPMParseError", "pcrs_of_bitmap"]
