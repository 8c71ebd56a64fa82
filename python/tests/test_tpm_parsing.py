from __future__ import annotations

import random
import struct

import pytest
from builders import (
    AK_ATTRIBUTES,
    ECDSA,
    RSAPSS,
    RSASSA,
    SHA256,
    SHA384,
    attest_quote,
    pcr_file,
    public_area,
    selection_bytes,
    sign,
    tpm2b,
)
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from aicert_verify.tpm import (
    ObjectAttributes,
    TPMParseError,
    parse_attest,
    parse_pcr_file,
    parse_public,
    parse_signature,
)

RSA_KEY = rsa.generate_private_key(65537, 2048)
EC_KEY = ec.generate_private_key(ec.SECP384R1())
ATTEST = attest_quote(b"\xa5" * 32, selection_bytes([(SHA256, list(range(16)))]), b"\x11" * 32)
SAMPLES = {
    "attest": (ATTEST, parse_attest),
    "rsa public": (public_area(RSA_KEY), parse_public),
    "ecc public": (public_area(EC_KEY, scheme_hash=SHA384), parse_public),
    "rsassa": (sign(RSA_KEY, b"m", RSASSA), parse_signature),
    "rsapss": (sign(RSA_KEY, b"m", RSAPSS), parse_signature),
    "ecdsa": (sign(EC_KEY, b"m", ECDSA, SHA384), parse_signature),
}


def test_a_quote_parses() -> None:
    attestation = parse_attest(ATTEST)
    assert attestation.magic == 0xFF544347 and attestation.type == 0x8018
    assert attestation.extra_data == b"\xa5" * 32
    assert attestation.clock_info.clock == 123456 and attestation.clock_info.safe
    assert attestation.pcr_selection is not None and attestation.pcr_selection[0].pcrs == tuple(range(16))
    assert str(attestation.pcr_selection[0]) == "sha256:0-15"
    assert attestation.pcr_digest == b"\x11" * 32


def test_public_areas_parse_with_their_attributes() -> None:
    rsa_area = parse_public(public_area(RSA_KEY))
    assert rsa_area.key.public_numbers() == RSA_KEY.public_key().public_numbers()  # type: ignore[union-attr]
    assert rsa_area.describe() == "RSA 2048" and rsa_area.scheme == RSASSA and rsa_area.scheme_hash == SHA256
    for flag in (
        ObjectAttributes.FIXED_TPM,
        ObjectAttributes.FIXED_PARENT,
        ObjectAttributes.SENSITIVE_DATA_ORIGIN,
        ObjectAttributes.USER_WITH_AUTH,
        ObjectAttributes.RESTRICTED,
        ObjectAttributes.SIGN,
    ):
        assert rsa_area.has(flag)
    assert not rsa_area.has(ObjectAttributes.DECRYPT)
    assert int(ObjectAttributes.RESTRICTED) == 1 << 16 and int(ObjectAttributes.DECRYPT) == 1 << 17
    assert int(ObjectAttributes.SIGN) == 1 << 18 and int(ObjectAttributes.FIXED_TPM) == 1 << 1
    ecc_area = parse_public(public_area(EC_KEY, scheme_hash=SHA384))
    assert ecc_area.describe() == "ECC P-384" and ecc_area.scheme == ECDSA and ecc_area.scheme_hash == SHA384


def test_rsa_exponent_zero_means_65537_and_others_are_kept() -> None:
    assert parse_public(public_area(RSA_KEY, exponent_zero=True)).key.public_numbers().e == 65537  # type: ignore[union-attr]
    assert parse_public(public_area(RSA_KEY, exponent_zero=False)).key.public_numbers().e == 65537  # type: ignore[union-attr]
    odd = rsa.generate_private_key(3, 2048)
    assert parse_public(public_area(odd)).key.public_numbers().e == 3  # type: ignore[union-attr]


def test_signatures_parse() -> None:
    signature = parse_signature(SAMPLES["ecdsa"][0])
    assert signature.scheme == ECDSA and signature.hash_alg == SHA384 and len(signature.ecdsa_r) == 48


@pytest.mark.parametrize("scheme", [0x0010, 0x0005, 0x001A, 0x001B, 0x001C, 0x0015, 0xFFFF])
def test_other_signature_schemes_fail(scheme: int) -> None:
    with pytest.raises(TPMParseError, match="not supported"):
        parse_signature(struct.pack(">HH", scheme, SHA256) + tpm2b(b"\x01" * 32))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_prefix_fails_and_trailing_bytes_fail(name: str) -> None:
    data, parse = SAMPLES[name]
    parse(data)
    for length in range(len(data)):
        with pytest.raises(TPMParseError):
            parse(data[:length])
    for junk in (b"\x00", b"\xff" * 7):
        with pytest.raises(TPMParseError, match="trailing"):
            parse(data + junk)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_random_corruption_raises_only_parse_errors(name: str) -> None:
    data, parse = SAMPLES[name]
    generator = random.Random(name)
    for _ in range(1500):
        corrupted = bytearray(data)
        for _ in range(generator.randint(1, 4)):
            corrupted[generator.randrange(len(corrupted))] = generator.randrange(256)
        try:
            parse(bytes(corrupted))
        except TPMParseError:
            pass
    for _ in range(1500):
        try:
            parse(bytes(generator.randrange(256) for _ in range(generator.randrange(120))))
        except TPMParseError:
            pass


def test_oversized_fields_are_rejected_before_reading() -> None:
    with pytest.raises(TPMParseError, match="qualifiedSigner is 65535 bytes"):
        parse_attest(struct.pack(">IHH", 0xFF544347, 0x8018, 0xFFFF) + b"\x00" * 70000)
    with pytest.raises(TPMParseError, match="count is 17"):
        parse_attest(ATTEST[: ATTEST.index(selection_bytes([(SHA256, list(range(16)))]))] + struct.pack(">I", 17))
    bad_select = attest_quote(b"n", struct.pack(">IHB", 1, SHA256, 5) + b"\xff" * 5, b"")
    with pytest.raises(TPMParseError, match="sizeofSelect is 5"):
        parse_attest(bad_select)


def test_keys_that_are_not_keys_are_rejected() -> None:
    area = bytearray(public_area(RSA_KEY))
    area[-256:] = b"\x00" * 256  # modulus of zero
    with pytest.raises(TPMParseError):
        parse_public(bytes(area))
    point = bytearray(public_area(EC_KEY))
    point[-1] ^= 1  # off the curve
    with pytest.raises(TPMParseError, match="not on P-384"):
        parse_public(bytes(point))
    other_curve = bytearray(public_area(EC_KEY))
    offset = other_curve.index(struct.pack(">H", 0x0004) + struct.pack(">H", 0x0010))
    other_curve[offset : offset + 2] = struct.pack(">H", 0x0020)  # TPM_ECC_SM2_P256
    with pytest.raises(TPMParseError, match="curve"):
        parse_public(bytes(other_curve))
    keyedhash = struct.pack(">HHI", 0x0008, SHA256, AK_ATTRIBUTES) + tpm2b(b"")
    with pytest.raises(TPMParseError, match="not supported"):
        parse_public(keyedhash)


def test_non_quote_attestations_report_their_type() -> None:
    certify = attest_quote(b"n", b"", b"", kind=0x8017)
    assert parse_attest(certify).type == 0x8017 and parse_attest(certify).pcr_selection is None


def test_pcr_file_layout() -> None:
    values = [bytes([pcr]) * 32 for pcr in range(17)] + [b"\x01" * 20]
    data = pcr_file([(SHA256, list(range(17))), (0x0004, [1])], values)
    assert len(data) == 136 + 3 * 532
    parsed = parse_pcr_file(data)
    assert parsed.values[(SHA256, 16)] == b"\x10" * 32 and parsed.values[(0x0004, 1)] == b"\x01" * 20
    assert [str(item) for item in parsed.selection] == ["sha256:0-16", "sha1:1"]
    for length in range(0, len(data), 7):
        with pytest.raises(TPMParseError):
            parse_pcr_file(data[:length])
    with pytest.raises(TPMParseError):
        parse_pcr_file(data + b"\x00")
    with pytest.raises(TPMParseError, match="2 PCR values for 3"):
        parse_pcr_file(pcr_file([(SHA256, [0, 1, 2])], values[:2]))
    with pytest.raises(TPMParseError, match="is 20 bytes"):
        parse_pcr_file(pcr_file([(SHA256, [0])], [b"\x00" * 20]))
    generator = random.Random(7)
    for _ in range(2000):
        corrupted = bytearray(data)
        corrupted[generator.randrange(len(corrupted))] = generator.randrange(256)
        try:
            parse_pcr_file(bytes(corrupted))
        except TPMParseError:
            pass
