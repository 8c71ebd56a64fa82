"""The TCG PC Client firmware event log (``binary_bios_measurements``): parsed, checked, replayed.

Two formats exist. A log whose first record is an ``EV_NO_ACTION`` event holding the Spec ID
event ("Spec ID Event03") is crypto-agile: every later record (``TCG_PCR_EVENT2``) carries one
digest per bank, of the sizes the Spec ID event declares. Any other log is the legacy format
(``TCG_PCR_EVENT``), one SHA-1 digest per record. All integers are little-endian.

The log comes from the certificate, so from anyone: every read is bounded by the bytes present,
sizes and counts are capped, and anything malformed is a :class:`FirmwareLogError` naming the
record and field, never another exception. This mirrors Sources/AICertCore/FirmwareLog.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_LOG_BYTES",
    "MAX_EVENTS",
    "FirmwareLogError",
    "FirmwareEvent",
    "Text",
    "Variable",
    "ImageLoad",
    "FirmwareLog",
    "parse_firmware_log",
    "decode_text",
]

MAX_LOG_BYTES = 16 << 20
MAX_EVENTS = 100_000
PCR_COUNT = 24
MAX_ALGORITHMS = 16
MAX_UNKNOWN_DIGEST = 64
HCRTM_LOCALITY = 4
MAX_LOCALITY = 4

ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512, ALG_NULL = 0x0004, 0x000B, 0x000C, 0x000D, 0x0010
# Digest sizes of the hash algorithms TPM 2.0 defines (TCG Algorithm Registry).
_DIGEST_SIZES = {
    ALG_SHA1: 20,
    ALG_SHA256: 32,
    ALG_SHA384: 48,
    ALG_SHA512: 64,
    0x0012: 32,  # SM3_256
    0x0027: 32,  # SHA3_256
    0x0028: 48,  # SHA3_384
    0x0029: 64,  # SHA3_512
}
_REPLAYABLE = {ALG_SHA1: "sha1", ALG_SHA256: "sha256", ALG_SHA384: "sha384", ALG_SHA512: "sha512"}

EV_POST_CODE = 0x01
EV_NO_ACTION = 0x03
EV_SEPARATOR = 0x04
EV_ACTION = 0x05
EV_EVENT_TAG = 0x06
EV_S_CRTM_CONTENTS = 0x07
EV_IPL = 0x0D
EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001
EV_EFI_VARIABLE_BOOT = 0x80000002
EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003
EV_EFI_BOOT_SERVICES_DRIVER = 0x80000004
EV_EFI_RUNTIME_SERVICES_DRIVER = 0x80000005
EV_EFI_ACTION = 0x80000007
EV_EFI_PLATFORM_FIRMWARE_BLOB = 0x80000008
EV_EFI_PLATFORM_FIRMWARE_BLOB2 = 0x8000000A
EV_EFI_VARIABLE_BOOT2 = 0x8000000C
EV_EFI_HCRTM_EVENT = 0x80000010
EV_EFI_VARIABLE_AUTHORITY = 0x800000E0

_VARIABLE_TYPES = {
    EV_EFI_VARIABLE_DRIVER_CONFIG,
    EV_EFI_VARIABLE_BOOT,
    EV_EFI_VARIABLE_BOOT2,
    EV_EFI_VARIABLE_AUTHORITY,
}
_IMAGE_TYPES = {EV_EFI_BOOT_SERVICES_APPLICATION, EV_EFI_BOOT_SERVICES_DRIVER, EV_EFI_RUNTIME_SERVICES_DRIVER}
_TEXT_TYPES = {EV_ACTION, EV_EFI_ACTION, EV_IPL}
_SPEC_ID_SIGNATURE = b"Spec ID Event03\x00"
_STARTUP_LOCALITY_SIGNATURE = b"StartupLocality\x00"


class FirmwareLogError(ValueError):
    """A firmware event log that cannot be read; ``code`` is ``truncated``, ``limit-exceeded``,
    ``invalid-value`` or ``trailing-bytes``, ``record`` and ``field`` say where."""

    def __init__(self, code: str, record: int | None, field: str, why: str) -> None:
        self.code = code
        self.record = record
        self.field = field
        self.reason = (f"record {record}, " if record is not None else "") + f"{field}: {why}"
        super().__init__(self.reason)


class _Reader:
    """A bounds-checked little-endian cursor; a short read raises :class:`FirmwareLogError`."""

    def __init__(self, data: bytes, record: int | None) -> None:
        self.data = data
        self.position = 0
        self.record = record

    @property
    def remaining(self) -> int:
        return len(self.data) - self.position

    @property
    def at_end(self) -> bool:
        return self.position == len(self.data)

    def error(self, code: str, field: str, why: str) -> FirmwareLogError:
        return FirmwareLogError(code, self.record, field, why)

    def bytes(self, count: int, field: str) -> bytes:
        if self.remaining < count:
            raise self.error("truncated", field, f"needs {count} byte(s) but only {self.remaining} remain")
        value = self.data[self.position : self.position + count]
        self.position += count
        return value

    def integer(self, size: int, field: str) -> int:
        return int.from_bytes(self.bytes(size, field), "little")

    def length(self, size: int, field: str, limit: int | None = None) -> int:
        """A length field, refused before anything is read when over ``limit`` or the bytes left."""
        start = self.position
        value = self.integer(size, field)
        maximum = self.remaining if limit is None else limit
        if value > maximum:
            self.position = start
            if limit is None:
                raise self.error("truncated", field, f"{value} is more than the {maximum} byte(s) left")
            raise self.error("limit-exceeded", field, f"{value} is over the limit of {maximum}")
        return value

    def expect_end(self, structure: str) -> None:
        if not self.at_end:
            raise self.error("trailing-bytes", structure, f"{self.remaining} unexpected byte(s) after the structure")


@dataclass(frozen=True)
class Text:
    """A string from event data and its encoding (``utf-8`` or ``utf-16le``), without terminating NULs."""

    value: str
    encoding: str


def _printable(text: str) -> bool:
    return all(char in "\t\n\r" or not (ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0) for char in text)


def _strict_utf16(data: bytes) -> str | None:
    """UTF-16LE of an even number of bytes, trailing NUL units dropped; ``None`` unless printable text."""
    if len(data) % 2:
        return None
    end = len(data)
    while end >= 2 and data[end - 2 : end] == b"\x00\x00":
        end -= 2
    try:
        text = data[:end].decode("utf-16-le")
    except UnicodeDecodeError:
        return None
    return text if _printable(text) else None


def decode_text(data: bytes) -> Text | None:
    """Event data as text: UTF-16LE when a NUL precedes the terminating NULs, else UTF-8; ``None`` if neither."""
    end = len(data)
    while end > 0 and data[end - 1] == 0:
        end -= 1
    if 0 in data[:end]:
        units_end = end + end % 2
        if units_end > len(data):
            return None
        text = _strict_utf16(data[:units_end])
        return Text(text, "utf-16le") if text is not None else None
    try:
        text = data[:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Text(text, "utf-8") if _printable(text) else None


@dataclass(frozen=True)
class Variable:
    """``UEFI_VARIABLE_DATA``: vendor GUID (16 stored bytes), name and data of a measured variable."""

    vendor: bytes
    name: str
    data: bytes


# EFI_GLOBAL_VARIABLE 8be4df61-93ca-11d2-aa0d-00e098032b8c, as stored.
GLOBAL_VARIABLE = bytes.fromhex("61dfe48bca93d211aa0d00e098032b8c")


def _variable(data: bytes, record: int) -> Variable:
    reader = _Reader(data, record)
    vendor = reader.bytes(16, "event.variableName")
    name_length = reader.integer(8, "event.unicodeNameLength")
    data_length = reader.integer(8, "event.variableDataLength")
    if name_length > reader.remaining // 2:
        raise reader.error(
            "truncated", "event.unicodeNameLength", f"{name_length} characters do not fit in {reader.remaining} byte(s)"
        )
    name = reader.bytes(name_length * 2, "event.unicodeName").decode("utf-16-le", "replace")
    if data_length > reader.remaining:
        raise reader.error(
            "truncated", "event.variableDataLength", f"{data_length} byte(s) do not fit in {reader.remaining}"
        )
    # Bytes after the variable data are tolerated: shim logs its "Shim" authority with 6 of them.
    return Variable(vendor, name, reader.bytes(data_length, "event.variableData"))


@dataclass(frozen=True)
class ImageLoad:
    """``UEFI_IMAGE_LOAD_EVENT``: the file its device path names (``\\EFI\\BOOT\\BOOTX64.EFI``), if any."""

    file_path: str | None


def _image_load(data: bytes, record: int) -> ImageLoad:
    reader = _Reader(data, record)
    reader.integer(8, "event.imageLocationInMemory")
    reader.integer(8, "event.imageLengthInMemory")
    reader.integer(8, "event.imageLinkTimeAddress")
    size = reader.length(8, "event.lengthOfDevicePath")
    # Bytes after the device path are tolerated: real firmware logs them.
    return ImageLoad(_device_path_file(reader.bytes(size, "event.devicePath")))


def _device_path_file(data: bytes) -> str | None:
    """The media file path nodes of the first device path instance joined with ``\\``; ``None`` if none parse."""
    reader = _Reader(data, None)
    components: list[str] = []
    try:
        while not reader.at_end:
            node_type = reader.integer(1, "type")
            subtype = reader.integer(1, "subtype")
            length = reader.integer(2, "length")
            if length < 4:
                return None
            body = reader.bytes(length - 4, "data")
            if node_type == 0x7F:
                break
            if node_type == 0x04 and subtype == 0x04:
                text = _strict_utf16(body)
                if text is None:
                    return None
                components.append(text)
    except FirmwareLogError:
        return None
    if not components:
        return None
    path = components[0]
    for component in components[1:]:
        path = path + component if path.endswith("\\") or component.startswith("\\") else path + "\\" + component
    return path


def _firmware_blob(data: bytes, record: int, *, described: bool) -> None:
    reader = _Reader(data, record)
    if described:
        size = reader.length(1, "event.blobDescriptionSize")
        reader.bytes(size, "event.blobDescription")
    reader.integer(8, "event.blobBase")
    reader.integer(8, "event.blobLength")
    reader.expect_end("event")


def _payload(event_type: int, data: bytes, record: int) -> Any:
    """Decodes the data of the types the boot rules read; structured types must hold their structure."""
    reader = _Reader(data, record)
    if event_type == EV_NO_ACTION:
        if len(data) >= 16 and data[:16] == _STARTUP_LOCALITY_SIGNATURE:
            if len(data) != 17:
                raise reader.error("invalid-value", "event", f"a StartupLocality event is 17 bytes, not {len(data)}")
            if data[16] > MAX_LOCALITY:
                raise reader.error("invalid-value", "event.startupLocality", f"locality {data[16]} does not exist")
            return ("startup-locality", data[16])
        return None
    if event_type in _VARIABLE_TYPES:
        return _variable(data, record)
    if event_type in _IMAGE_TYPES:
        return _image_load(data, record)
    if event_type == EV_EFI_PLATFORM_FIRMWARE_BLOB:
        _firmware_blob(data, record, described=False)
        return None
    if event_type == EV_EFI_PLATFORM_FIRMWARE_BLOB2:
        _firmware_blob(data, record, described=True)
        return None
    if event_type in (EV_POST_CODE, EV_S_CRTM_CONTENTS) and len(data) == 16:
        _firmware_blob(data, record, described=False)
        return None
    if event_type in _TEXT_TYPES:
        return decode_text(data)
    if event_type == EV_EFI_HCRTM_EVENT:
        if data != b"HCRTM":
            raise reader.error("invalid-value", "event", 'an H-CRTM event holds the string "HCRTM"')
        return None
    if event_type == EV_SEPARATOR:
        if len(data) != 4:
            raise reader.error("invalid-value", "event", f"a separator is 4 bytes, not {len(data)}")
        return ("separator", int.from_bytes(data, "little"))
    if event_type == EV_EVENT_TAG:
        reader.integer(4, "event.taggedEventID")
        size = reader.length(4, "event.taggedEventDataSize")
        reader.bytes(size, "event.taggedEventData")
        reader.expect_end("event")
    return None


@dataclass(frozen=True)
class FirmwareEvent:
    """One record: its index, PCR, type, digests (``{algorithm id: value}``), data and decoded payload."""

    index: int
    pcr: int
    type: int
    digests: dict[int, bytes]
    data: bytes
    payload: Any = None
    spec_id: bool = False

    @property
    def extended(self) -> bool:
        """Every type but ``EV_NO_ACTION`` extends its PCR."""
        return self.type != EV_NO_ACTION


@dataclass(frozen=True)
class FirmwareLog:
    """A parsed log: its format (``crypto-agile`` or ``sha1``), events and PCR 0's startup locality."""

    format: str
    events: tuple[FirmwareEvent, ...]
    startup_locality: int

    def replay(self, algorithm: int = ALG_SHA256) -> dict[int, bytes]:
        """The PCR values replaying the bank of ``algorithm`` gives: ``{pcr: value}`` for each PCR extended.

        The bank exists once some event (not the Spec ID event) has a digest for it; PCR 0 then
        starts from the startup locality in its last byte.
        """
        name = _REPLAYABLE[algorithm]
        size = _DIGEST_SIZES[algorithm]
        bank: dict[int, bytes] | None = None
        for event in self.events:
            if event.spec_id or algorithm not in event.digests:
                continue
            if bank is None:
                bank = {0: bytes(size - 1) + bytes([self.startup_locality])} if self.startup_locality else {}
            if event.extended:
                old = bank.get(event.pcr, bytes(size))
                bank[event.pcr] = hashlib.new(name, old + event.digests[algorithm]).digest()
        return bank or {}


def parse_firmware_log(data: bytes) -> FirmwareLog:
    """Parses a whole log; a malformed record, a limit exceeded or a trailing byte raises :class:`FirmwareLogError`."""
    if len(data) > MAX_LOG_BYTES:
        raise FirmwareLogError("limit-exceeded", None, "log", f"{len(data)} bytes exceed the limit of {MAX_LOG_BYTES}")
    if not data:
        raise FirmwareLogError("truncated", None, "log", "the log is empty")
    reader = _Reader(data, 0)
    first = _legacy_record(reader, 0)
    events = [first]
    if first.spec_id:
        if first.pcr != 0:
            raise reader.error("invalid-value", "pcrIndex", f"the Spec ID event is for PCR 0, not {first.pcr}")
        if any(first.digests[ALG_SHA1]):
            raise reader.error("invalid-value", "digest", "the Spec ID event's digest must be zero")
        algorithms = _spec_id(first.data)
        log_format = "crypto-agile"
    else:
        algorithms = {}
        log_format = "sha1"
    while not reader.at_end:
        if len(events) >= MAX_EVENTS:
            raise FirmwareLogError("limit-exceeded", len(events), "log", f"more than {MAX_EVENTS} events")
        reader.record = len(events)
        read = _agile_record(reader, len(events), algorithms) if first.spec_id else _legacy_record(reader, len(events))
        events.append(read)
    return FirmwareLog(log_format, tuple(events), _startup_locality(events))


def _pcr_index(reader: _Reader) -> int:
    pcr = reader.integer(4, "pcrIndex")
    if pcr >= PCR_COUNT:
        raise reader.error("invalid-value", "pcrIndex", f"PCR {pcr} does not exist (PCRs are 0 to {PCR_COUNT - 1})")
    return pcr


def _legacy_record(reader: _Reader, index: int) -> FirmwareEvent:
    """A ``TCG_PCR_EVENT``: PCR index, event type, SHA-1 digest, event size, event data."""
    pcr = _pcr_index(reader)
    event_type = reader.integer(4, "eventType")
    digest = reader.bytes(20, "digest")
    data = reader.bytes(reader.length(4, "eventSize"), "event")
    spec_id = index == 0 and event_type == EV_NO_ACTION and data.startswith(_SPEC_ID_SIGNATURE)
    payload = None if spec_id else _payload(event_type, data, index)
    return FirmwareEvent(index, pcr, event_type, {ALG_SHA1: digest}, data, payload, spec_id)


def _agile_record(reader: _Reader, index: int, algorithms: dict[int, int]) -> FirmwareEvent:
    """A ``TCG_PCR_EVENT2``, whose digests are of algorithms the Spec ID event declares, each once."""
    pcr = _pcr_index(reader)
    event_type = reader.integer(4, "eventType")
    count = reader.length(4, "digestCount", limit=len(algorithms))
    digests: dict[int, bytes] = {}
    for number in range(count):
        field = f"digests[{number}]"
        algorithm = reader.integer(2, f"{field}.algorithmId")
        if algorithm not in algorithms:
            raise reader.error(
                "invalid-value", f"{field}.algorithmId", f"0x{algorithm:04x} is not declared in the Spec ID event"
            )
        if algorithm in digests:
            raise reader.error("invalid-value", f"{field}.algorithmId", f"a second 0x{algorithm:04x} digest")
        digests[algorithm] = reader.bytes(algorithms[algorithm], f"{field}.digest")
    data = reader.bytes(reader.length(4, "eventSize"), "event")
    return FirmwareEvent(index, pcr, event_type, digests, data, _payload(event_type, data, index))


def _spec_id(data: bytes) -> dict[int, int]:
    """The algorithms (id → digest size) the Spec ID event declares; its data must be consumed exactly."""
    reader = _Reader(data, 0)
    if reader.bytes(16, "event.signature") != _SPEC_ID_SIGNATURE:
        raise reader.error("invalid-value", "event.signature", 'not "Spec ID Event03"')
    reader.integer(4, "event.platformClass")
    reader.integer(4, "event.specVersion")  # minor, major, errata, uintnSize
    count = reader.length(4, "event.numberOfAlgorithms", limit=MAX_ALGORITHMS)
    if count == 0:
        raise reader.error("invalid-value", "event.numberOfAlgorithms", "must be at least 1")
    algorithms: dict[int, int] = {}
    for index in range(count):
        field = f"event.digestSizes[{index}]"
        algorithm = reader.integer(2, f"{field}.algorithmId")
        size = reader.integer(2, f"{field}.digestSize")
        if algorithm in (0, ALG_NULL):
            raise reader.error("invalid-value", f"{field}.algorithmId", f"0x{algorithm:04x} is not a hash algorithm")
        if algorithm in algorithms:
            raise reader.error("invalid-value", f"{field}.algorithmId", f"0x{algorithm:04x} is declared twice")
        known = _DIGEST_SIZES.get(algorithm)
        if known is not None and size != known:
            raise reader.error("invalid-value", f"{field}.digestSize", f"{size}, whose digests are {known} bytes")
        if known is None and not 1 <= size <= MAX_UNKNOWN_DIGEST:
            raise reader.error(
                "limit-exceeded", f"{field}.digestSize", f"{size} is not between 1 and {MAX_UNKNOWN_DIGEST}"
            )
        algorithms[algorithm] = size
    reader.bytes(reader.length(1, "event.vendorInfoSize"), "event.vendorInfo")
    reader.expect_end("event")
    return algorithms


def _startup_locality(events: list[FirmwareEvent]) -> int:
    """The locality PCR 0 starts from; the events that set it are for PCR 0, come first and agree."""
    locality: int | None = None
    extended = False
    for event in events:
        claimed: int | None = None
        if isinstance(event.payload, tuple) and event.payload[0] == "startup-locality":
            claimed = event.payload[1]
        if event.type == EV_EFI_HCRTM_EVENT:
            claimed = HCRTM_LOCALITY
        if claimed is not None:
            if event.pcr != 0:
                raise FirmwareLogError(
                    "invalid-value",
                    event.index,
                    "pcrIndex",
                    f"sets the starting value of PCR 0 but is for PCR {event.pcr}",
                )
            if extended:
                raise FirmwareLogError(
                    "invalid-value", event.index, "event", "sets the starting value of PCR 0 after PCR 0 was extended"
                )
            if locality is not None and locality != claimed:
                raise FirmwareLogError(
                    "invalid-value",
                    event.index,
                    "event",
                    f"starts PCR 0 from locality {claimed}, but an earlier event said {locality}",
                )
            locality = claimed
        if event.extended and event.pcr == 0 and event.digests:
            extended = True
    return locality or 0
