"""The firmware event log parser: agreement with tpm2_eventlog on real logs, the boot facts, hostile bytes."""

from __future__ import annotations

import os
import random
import re
import shutil
import struct
import subprocess

import pytest
from firmware import (
    EV_EFI_BOOT_SERVICES_APPLICATION,
    EV_EFI_VARIABLE_DRIVER_CONFIG,
    EV_IPL,
    EV_NO_ACTION,
    EV_SEPARATOR,
    SHA1,
    SHA256,
    VECTOR_NAMES,
    VECTORS,
    LogBuilder,
    image_load,
    real_boot,
    variable_data,
)

from aicert_verify.boot_chain import read_boot_chain
from aicert_verify.firmware_log import (
    ALG_SHA1,
    ALG_SHA384,
    ALG_SHA512,
    MAX_LOG_BYTES,
    FirmwareLogError,
    parse_firmware_log,
)

_BANKS = {"sha1": ALG_SHA1, "sha256": SHA256, "sha384": ALG_SHA384, "sha512": ALG_SHA512}


def tpm2_eventlog(name: str) -> tuple[int, dict[str, dict[int, bytes]]]:
    """The event count and replayed banks tpm2_eventlog prints for a vector."""
    if shutil.which("tpm2_eventlog") is None:
        if os.environ.get("CI"):
            pytest.fail("tpm2_eventlog is missing (scripts/install-deps installs tpm2-tools)")
        pytest.skip("needs tpm2_eventlog (tpm2-tools)")
    output = subprocess.run(
        ["tpm2_eventlog", str(VECTORS / name)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    count = len(re.findall(r"^\s*EventType:", output, re.M))
    banks: dict[str, dict[int, bytes]] = {}
    bank = None
    for line in output[output.index("\npcrs:") :].splitlines()[1:]:
        header = re.match(r"  (\w+):$", line)
        value = re.match(r"    (\d+)\s*: 0x([0-9a-fA-F]+)$", line)
        if header:
            bank = banks.setdefault(header.group(1), {})
        elif value and bank is not None:
            bank[int(value.group(1))] = bytes.fromhex(value.group(2))
    return count, banks


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_every_real_log_replays_to_what_tpm2_eventlog_computes(name: str) -> None:
    log = parse_firmware_log((VECTORS / name).read_bytes())
    count, banks = tpm2_eventlog(name)
    assert len(log.events) == count
    assert banks
    for bank, values in banks.items():
        assert log.replay(_BANKS[bank]) == values, bank


def test_the_real_qemu_boot_replays_to_the_pcrs_its_kernel_read() -> None:
    data, pcrs = real_boot()
    log = parse_firmware_log(data)
    replayed = log.replay()
    assert sorted(replayed) == [0, 1, 2, 3, 4, 5, 6, 7, 9, 11]
    assert all(replayed[pcr] == pcrs[pcr] for pcr in replayed)
    assert pcrs[8] == pcrs[12] == bytes(32)


def test_formats_are_told_apart() -> None:
    assert parse_firmware_log((VECTORS / "event-uefi-sha1-log.bin").read_bytes()).format == "sha1"
    gce = parse_firmware_log((VECTORS / "event-gce-ubuntu-2104-log.bin").read_bytes())
    assert gce.format == "crypto-agile" and gce.startup_locality == 0


def test_the_boot_chain_of_the_real_qemu_boot() -> None:
    chain = read_boot_chain(parse_firmware_log(real_boot()[0]))
    assert chain.secure_boot == "disabled"
    assert [application.file_path for application in chain.applications] == ["\\EFI\\BOOT\\BOOTX64.EFI", None]
    assert chain.applications[0].sha256 is not None
    assert chain.applications[0].sha256.hex() == "6802b0de40407a74d218e99f83b2228bd077f17a4ef0b110496d98a0da081556"
    assert chain.separators == {pcr: (0,) for pcr in range(8)}


def test_the_boot_chain_of_systemd_boot_on_arch_linux() -> None:
    chain = read_boot_chain(parse_firmware_log((VECTORS / "event-arch-linux.bin").read_bytes()))
    assert chain.secure_boot == "disabled"
    assert [application.file_path for application in chain.applications] == [
        "\\EFI\\SYSTEMD\\SYSTEMD-BOOTX64.EFI",
        "\\vmlinuz-linux-lts",
    ]
    assert [application.sha256.hex() for application in chain.applications if application.sha256] == [
        "d51e9d20c0e180d8fdded3e7d5e05b4ab8e87b2f30e6995632a14e399332103b",
        "6c1b73563471cd9082ea3d149fa4668cd8f1a0c315531d4bf513bc5ede8939a5",
    ]
    assert chain.command_lines == (
        "initrd=\\intel-ucode.img initrd=\\initramfs-linux-lts.img "
        "cryptdevice=UUID=5465369a-996d-42ca-9ad4-91d0082e0b34:cryptroot root=/dev/mapper/cryptroot rw "
        "intel_iommu=on iommu=pt l1tf=off",
    )
    assert chain.separators == {pcr: (0,) for pcr in range(8)}


def test_grub_command_lines_in_pcr_8_and_utf16_ones_in_pcr_12_are_read() -> None:
    gce = read_boot_chain(parse_firmware_log((VECTORS / "event-gce-ubuntu-2104-log.bin").read_bytes()))
    assert gce.command_lines == (
        "/boot/vmlinuz-5.11.0-1008-gcp root=PARTUUID=bf817bdf-6a3a-4221-8edb-2c1ca7c5537f ro "
        "scsi_mod.use_blk_mq=Y ima_hash=sha256 console=ttyS0 panic=-1",
    )
    fedora = read_boot_chain(parse_firmware_log((VECTORS / "event-sd-boot-fedora37.bin").read_bytes()))
    assert fedora.command_lines == (" console=ttyS0 console=tty0 efi=debug ",) * 2


def test_secure_boot_is_enabled_only_when_the_measured_variable_says_1() -> None:
    assert (
        read_boot_chain(parse_firmware_log((VECTORS / "event-moklisttrusted.bin").read_bytes())).secure_boot
        == "enabled"
    )

    def state(*values: bytes, digest: bytes | None = None) -> str:
        builder = LogBuilder()
        for value in values:
            builder.event(7, EV_EFI_VARIABLE_DRIVER_CONFIG, variable_data("SecureBoot", value), digest=digest)
        return read_boot_chain(parse_firmware_log(builder.bytes)).secure_boot

    assert state(b"\x01") == "enabled"
    assert state(b"\x00") == state(b"") == "disabled"
    assert state() == state(b"\x02") == state(b"\x00", b"\x01") == "unknown"
    # data the digest does not cover says nothing
    assert state(b"\x01", digest=bytes(32)) == "unknown"


def test_applications_and_separators_are_read_from_their_events() -> None:
    builder = LogBuilder()
    builder.event(4, EV_EFI_BOOT_SERVICES_APPLICATION, image_load("\\EFI\\BOOT\\BOOTX64.EFI"))
    builder.event(0, EV_SEPARATOR, b"\x00\x00\x00\x00").event(1, EV_SEPARATOR, b"\x01\x00\x00\x00")
    builder.event(8, EV_IPL, b"kernel_cmdline: quiet\x00")
    chain = read_boot_chain(parse_firmware_log(builder.bytes))
    assert [application.file_path for application in chain.applications] == ["\\EFI\\BOOT\\BOOTX64.EFI"]
    assert chain.separators == {0: (0,), 1: (1,)}
    assert chain.command_lines == ("quiet",)


def test_startup_locality_and_hcrtm_set_the_start_of_pcr_0() -> None:
    # values computed independently with hashlib (as in FirmwareEventLogTests.swift)
    builder = LogBuilder(((SHA1, 20), (SHA256, 32)))
    builder.event(0, EV_NO_ACTION, b"StartupLocality\x00\x03").event(0, EV_SEPARATOR, bytes(4))
    log = parse_firmware_log(builder.bytes)
    assert log.startup_locality == 3
    assert log.replay()[0].hex() == "50bd7d88f0414b40608f8ffc56fd4f3201b5ed0644e36b8128d33624ebe0f053"
    hcrtm = LogBuilder().event(0, 0x80000010, b"HCRTM").event(0, EV_SEPARATOR, bytes(4))
    assert parse_firmware_log(hcrtm.bytes).replay()[0].hex() == (
        "f9540cbdaceac7ac4cf50e5559deb2a44e4f05c6f1b6721858c2023aeb85de2e"
    )
    late = LogBuilder().event(0, EV_SEPARATOR, bytes(4)).event(0, EV_NO_ACTION, b"StartupLocality\x00\x03")
    with pytest.raises(FirmwareLogError) as error:
        parse_firmware_log(late.bytes)
    assert (error.value.code, error.value.record) == ("invalid-value", 2)


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (
            lambda data: (
                data + struct.pack("<III", 0, 4, 1) + struct.pack("<H", SHA256) + bytes(32) + struct.pack("<I", 1 << 31)
            ),
            "truncated",
        ),
        (lambda data: data + struct.pack("<III", 0, 4, 9), "limit-exceeded"),
        (lambda data: data + struct.pack("<III", 24, 4, 1), "invalid-value"),
        (lambda data: data + struct.pack("<III", 0, 4, 1) + struct.pack("<H", 0x0C) + bytes(48), "invalid-value"),
        (
            lambda data: (
                data
                + struct.pack("<III", 0, 4, 1)
                + struct.pack("<H", SHA256)
                + bytes(32)
                + struct.pack("<I", 3)
                + bytes(3)
            ),
            "invalid-value",
        ),
        (lambda data: b"", "truncated"),
        (lambda data: bytes(MAX_LOG_BYTES + 1), "limit-exceeded"),
    ],
    ids=[
        "event-size-past-the-end",
        "digest-count-over-the-banks",
        "pcr-24",
        "undeclared-bank",
        "short-separator",
        "empty",
        "too-large",
    ],
)
def test_hostile_headers_are_typed_errors(mutate, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FirmwareLogError) as error:
        parse_firmware_log(mutate(LogBuilder().bytes))
    assert error.value.code == code


def test_every_truncation_is_rejected_naming_the_record_cut() -> None:
    data = (VECTORS / "event-sd-boot-fedora37.bin").read_bytes()
    log = parse_firmware_log(data)
    ends, end = [], 0
    for event in log.events:
        header = 32 if event.index == 0 else 12 + sum(2 + len(value) for value in event.digests.values()) + 4
        end += header + len(event.data)
        ends.append(end)
    assert ends[-1] == len(data)
    for length in range(1, len(data)):
        cut = next(index for index, value in enumerate(ends) if value > length)
        if length in ends:
            assert len(parse_firmware_log(data[:length]).events) == ends.index(length) + 1
        else:
            with pytest.raises(FirmwareLogError) as error:
                parse_firmware_log(data[:length])
            assert error.value.record == cut, length


def test_random_corruption_parses_or_raises_a_firmware_log_error() -> None:
    generator = random.Random("aicert-firmware")
    sources = [(VECTORS / name).read_bytes() for name in VECTOR_NAMES] + [real_boot()[0]]
    outcomes = {"parsed": 0, "rejected": 0}
    for _ in range(3000):
        data = bytearray(generator.choice(sources))
        for _ in range(generator.randint(1, 4)):
            position = generator.randrange(len(data))
            data[position] = generator.randrange(256) if generator.random() < 0.7 else data[position] ^ 0x80
        try:
            log = parse_firmware_log(bytes(data))
            read_boot_chain(log)
            log.replay()
            outcomes["parsed"] += 1
        except FirmwareLogError:
            outcomes["rejected"] += 1
    assert outcomes["parsed"] > 0 and outcomes["rejected"] > 0, outcomes
