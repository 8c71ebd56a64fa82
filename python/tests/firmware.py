"""Firmware event logs for tests: the real ones in the repository, and a builder of crypto-agile logs."""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
VECTORS = REPOSITORY / "Tests/AICertCoreTests/Vectors/eventlogs"
VECTOR_NAMES = sorted(path.name for path in VECTORS.glob("*.bin"))
REAL_BOOT = REPOSITORY / "Tests/TPMTestSupport/RealBoot.swift"

SHA1, SHA256 = 0x0004, 0x000B
EV_NO_ACTION, EV_SEPARATOR, EV_IPL = 0x03, 0x04, 0x0D
EV_EFI_VARIABLE_DRIVER_CONFIG, EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000001, 0x80000003
GLOBAL_VARIABLE = bytes.fromhex("61dfe48bca93d211aa0d00e098032b8c")


def real_boot() -> tuple[bytes, dict[int, bytes]]:
    """The firmware event log and PCRs 0-15 of a real qemu boot of the base image (RealBoot.swift)."""
    text = REAL_BOOT.read_text(encoding="utf-8")
    block = re.search(r"eventLog: \[UInt8\] = bytes\(base64: \[(.*?)\]\)", text, re.S)
    assert block is not None
    log = base64.b64decode("".join(re.findall(r'"([A-Za-z0-9+/=]+)"', block.group(1))))
    pcrs_block = re.search(r"pcrs: \[Int: SHA256Hash\] = \[(.*?)\]\n", text, re.S)
    assert pcrs_block is not None
    pcrs = {
        int(index): bytes.fromhex(value)
        for index, value in re.findall(r'(\d+): hash\("([0-9a-f]{64})"\)', pcrs_block.group(1))
    }
    return log, pcrs


def variable_data(name: str, data: bytes, vendor: bytes = GLOBAL_VARIABLE) -> bytes:
    """``UEFI_VARIABLE_DATA``."""
    encoded = name.encode("utf-16-le")
    return vendor + struct.pack("<QQ", len(name), len(data)) + encoded + data


def image_load(path: str) -> bytes:
    """``UEFI_IMAGE_LOAD_EVENT`` whose device path is one media file path node and the end node."""
    node = path.encode("utf-16-le") + b"\x00\x00"
    device_path = struct.pack("<BBH", 4, 4, 4 + len(node)) + node + struct.pack("<BBH", 0x7F, 0xFF, 4)
    return struct.pack("<QQQQ", 0x1000, 0x2000, 0, len(device_path)) + device_path


class LogBuilder:
    """A crypto-agile log: the Spec ID event declaring ``banks``, then events whose digests hash their data."""

    def __init__(self, banks: tuple[tuple[int, int], ...] = ((SHA256, 32),)) -> None:
        self.banks = banks
        spec = b"Spec ID Event03\x00" + struct.pack("<I", 0) + bytes([0, 2, 0, 2]) + struct.pack("<I", len(banks))
        for algorithm, size in banks:
            spec += struct.pack("<HH", algorithm, size)
        spec += b"\x00"
        self.bytes = struct.pack("<II", 0, EV_NO_ACTION) + bytes(20) + struct.pack("<I", len(spec)) + spec

    def event(self, pcr: int, event_type: int, data: bytes, *, digest: bytes | None = None) -> LogBuilder:
        """Appends an event; its SHA-256 digest is ``digest`` or the hash of ``data`` (zeros for EV_NO_ACTION)."""
        self.bytes += struct.pack("<III", pcr, event_type, len(self.banks))
        for algorithm, size in self.banks:
            name = {SHA1: "sha1", SHA256: "sha256"}[algorithm]
            value = bytes(size) if event_type == EV_NO_ACTION else hashlib.new(name, data).digest()
            if digest is not None and algorithm == SHA256:
                value = digest
            self.bytes += struct.pack("<H", algorithm) + value
        self.bytes += struct.pack("<I", len(data)) + data
        return self


def replay(events: list[tuple[int, bytes]]) -> dict[int, bytes]:
    """SHA-256 PCR values of ``(pcr, digest)`` extensions from zero."""
    values: dict[int, bytes] = {}
    for pcr, digest in events:
        values[pcr] = hashlib.sha256(values.get(pcr, bytes(32)) + digest).digest()
    return values
