"""The binary PCR file that ``tpm2_quote -o FILE`` writes (tpm2-tools' "serialized" format).

tpm2-tools dumps its C structures in host order (little-endian on every platform AICert ran
on), padding included. The exact layout, measured on files written by tpm2-tools 5.4 on
x86-64 against swtpm:

====== ===================================================================================
offset content
====== ===================================================================================
0      ``TPML_PCR_SELECTION``: u32 ``count`` (at most 16), then 16 slots of 8 bytes each:
       u16 ``hash``, u8 ``sizeofSelect``, u8 ``pcrSelect[4]``, 1 byte of padding
       (only the first ``count`` slots mean anything)
132    u32 ``n``: how many ``TPML_DIGEST`` follow
136    ``n`` times a ``TPML_DIGEST`` of 532 bytes: u32 ``count`` (at most 8), then 8 slots of
       66 bytes: u16 ``size``, ``buffer[64]`` (only the first ``count`` slots mean anything)
====== ===================================================================================

The file is exactly ``136 + 532 * n`` bytes. The digests, taken in order across the lists,
are the values of the selected PCRs: bank by bank in selection order, each bank's PCRs in
increasing index order (tpm2-tools reads 8 PCRs per ``TPM2_PCR_Read``, hence 8 per list).
"""

from __future__ import annotations

from dataclasses import dataclass

from .attest import PCRSelection, pcrs_of_bitmap
from .constants import DIGEST_SIZES, HASH_COUNT, MAX_DIGEST_BYTES, PCR_SELECT_MAX, algorithm_name
from .reader import Reader

__all__ = ["PCRFile", "parse_pcr_file"]

_SELECTION_SLOT = 8
_SELECTION_BYTES = 4 + HASH_COUNT * _SELECTION_SLOT  # 132
_DIGESTS_PER_LIST = 8
_DIGEST_SLOT = 2 + MAX_DIGEST_BYTES  # 66
_LIST_BYTES = 4 + _DIGESTS_PER_LIST * _DIGEST_SLOT  # 532
_MAX_LISTS = 32  # tpm2-tools' TPM2_MAX_PCRS pcr_values[] array


@dataclass(frozen=True)
class PCRFile:
    """The selection and the values, as ``{(hash_alg, pcr): value}`` in selection order."""

    selection: tuple[PCRSelection, ...]
    values: dict[tuple[int, int], bytes]


def parse_pcr_file(data: bytes) -> PCRFile:
    """Parses a ``tpm2_quote -o`` file; raises :class:`TPMParseError` if it is not one."""
    reader = Reader(data, "tpm2-tools PCR file")
    count = reader.u32le("TPML_PCR_SELECTION.count")
    if count == 0 or count > HASH_COUNT:
        raise reader.fail(f"TPML_PCR_SELECTION.count is {count}, not 1 to {HASH_COUNT}")
    selection: list[PCRSelection] = []
    for index in range(HASH_COUNT):
        slot = reader.take(_SELECTION_SLOT, f"pcrSelections[{index}]")
        if index >= count:
            continue
        hash_alg = int.from_bytes(slot[0:2], "little")
        size = slot[2]
        if size > PCR_SELECT_MAX:
            raise reader.fail(f"pcrSelections[{index}].sizeofSelect is {size}, more than {PCR_SELECT_MAX}")
        if hash_alg not in DIGEST_SIZES:
            raise reader.fail(f"pcrSelections[{index}].hash {algorithm_name(hash_alg)} is not a known hash")
        selection.append(PCRSelection(hash_alg, size, pcrs_of_bitmap(slot[3 : 3 + size])))
    lists = reader.u32le("digest list count")
    if lists > _MAX_LISTS:
        raise reader.fail(f"{lists} digest lists, more than {_MAX_LISTS}")
    if reader.remaining != lists * _LIST_BYTES:
        raise reader.fail(
            f"{reader.remaining} bytes follow the digest list count, not {lists} × {_LIST_BYTES}: "
            "not a tpm2-tools PCR file"
        )
    digests: list[bytes] = []
    for index in range(lists):
        used = reader.u32le(f"TPML_DIGEST[{index}].count")
        if used > _DIGESTS_PER_LIST:
            raise reader.fail(f"TPML_DIGEST[{index}].count is {used}, more than {_DIGESTS_PER_LIST}")
        for slot_index in range(_DIGESTS_PER_LIST):
            slot = reader.take(_DIGEST_SLOT, f"TPML_DIGEST[{index}].digests[{slot_index}]")
            if slot_index >= used:
                continue
            size = int.from_bytes(slot[0:2], "little")
            if size > MAX_DIGEST_BYTES:
                raise reader.fail(f"TPML_DIGEST[{index}].digests[{slot_index}].size is {size}, more than 64")
            digests.append(slot[2 : 2 + size])
    reader.finish()
    wanted = [(item.hash_alg, pcr) for item in selection for pcr in item.pcrs]
    if len(wanted) != len(digests):
        raise reader.fail(f"{len(digests)} PCR values for {len(wanted)} selected PCRs")
    if len(set(wanted)) != len(wanted):
        raise reader.fail("a PCR is selected twice")
    values: dict[tuple[int, int], bytes] = {}
    for (hash_alg, pcr), value in zip(wanted, digests, strict=True):
        if len(value) != DIGEST_SIZES[hash_alg]:
            raise reader.fail(f"the {algorithm_name(hash_alg)} value of PCR {pcr} is {len(value)} bytes")
        values[(hash_alg, pcr)] = value
    return PCRFile(tuple(selection), values)
