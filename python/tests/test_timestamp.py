"""RFC 3161 time-stamp tokens from a real TSA: OpenSSL's, run by Tests/TSA/tsa-server.

A valid token moves the AK chain's check to its ``genTime``, so a certificate verifies after its
AK certificate expired; each way a token can be wrong fails ``timestamp`` with its reason code,
as the Swift verifier's Tests/AICertVerifyTests/TimestampTests.swift checks on its side.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import CertificateFactory, b64, encode, legacy_document
from conftest import REPOSITORY, start_tpm
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pki import PKI, der, issue
from swtpm import SoftwareTPM

import aicert_verify
from aicert_verify import der as der_reader
from aicert_verify.chain import TrustRoot, load_roots
from aicert_verify.report import INTERNAL_ERROR
from aicert_verify.timestamp import MAX_TOKEN_BYTES, TimestampFormatError, parse_token, timestamp_check

TSA_SERVER = REPOSITORY / "Tests/TSA/tsa-server"
REASONS = {
    "ok",
    "timestamp-malformed",
    "timestamp-imprint-mismatch",
    "timestamp-signature-invalid",
    "timestamp-purpose-missing",
    "timestamp-untrusted",
}


class TSA:
    """A Time-Stamping Authority made by ``tsa-server init``: its root and its tokens."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._call("init")

    @property
    def root(self) -> Path:
        return self.directory / "root.pem"

    def token(self, digest: bytes, *, without_purpose: bool = False) -> bytes:
        """A DER TimeStampToken over the SHA-256 ``digest`` (``--no-eku``: by a signer without timeStamping)."""
        out = self.directory / f"token-{os.urandom(4).hex()}.der"
        self._call("stamp", digest.hex(), *(["--no-eku"] if without_purpose else []), "--out", str(out))
        return out.read_bytes()

    def _call(self, command: str, *arguments: str) -> None:
        run = subprocess.run(
            [sys.executable, str(TSA_SERVER), command, str(self.directory), *arguments],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert run.returncode == 0, run.stderr


def _needs_openssl() -> None:
    if shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("needs openssl for the test TSA: in CI (CI is set) a missing tool fails instead of skipping")
        pytest.skip("needs openssl for the test TSA (Tests/TSA/tsa-server)")


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> TSA:
    _needs_openssl()
    return TSA(tmp_path_factory.mktemp("tsa"))


@pytest.fixture(scope="module")
def other_tsa(tmp_path_factory: pytest.TempPathFactory) -> TSA:
    _needs_openssl()
    return TSA(tmp_path_factory.mktemp("other-tsa"))


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def live_pki() -> PKI:
    """A test PKI valid around the real time, which a TSA's genTime is (pki.NOW is a fixed date)."""
    start, end = now() - dt.timedelta(days=1), now() + dt.timedelta(days=3650)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = issue("Live Root CA", root_key.public_key(), None, root_key, ca=True, path_length=1,
                 not_before=start, not_after=end)  # fmt: skip
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = issue("Live AK Issuing CA", intermediate_key.public_key(), root.subject, root_key, ca=True,
                         path_length=0, not_before=start, not_after=end)  # fmt: skip
    return PKI(root_key, root, intermediate_key, intermediate)


@pytest.fixture(scope="module")
def live_root(live_pki: PKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("live-root") / "root.pem"
    path.write_bytes(live_pki.root_pem())
    return path


def sample(factory: CertificateFactory, pki: PKI, valid_from: dt.datetime, valid_to: dt.datetime) -> dict[str, Any]:
    """A sound certificate whose AK certificate is valid from ``valid_from`` to ``valid_to``."""
    document = CertificateFactory(pki, factory.ak_key).document()
    leaf = pki.ak_certificate(factory.ak_key.public_key(), not_before=valid_from, not_after=valid_to)
    document["attestation_key"]["certificate_chain"][0] = b64(der(leaf))
    return document


def quote_signature(document: dict[str, Any]) -> bytes:
    return base64.b64decode(document["quote"]["signature"])


def stamped(document: dict[str, Any], tsa: TSA, *, without_purpose: bool = False) -> dict[str, Any]:
    """``document`` with a token over the SHA-256 of its quote's signature."""
    result = copy.deepcopy(document)
    digest = hashlib.sha256(quote_signature(document)).digest()
    result["timestamp_token"] = b64(tsa.token(digest, without_purpose=without_purpose))
    return result


def verify(
    document: dict[str, Any], root: Path, tsa_roots: list[Path], at: dt.datetime | None = None
) -> aicert_verify.Report:
    report = aicert_verify.verify(
        encode(document), trust_roots=[root], tsa_roots=tsa_roots, at=at, allow_unmeasured_boot=True
    )
    assert [check.name for check in report.checks] == list(aicert_verify.CHECK_NAMES)
    assert not any(check.detail.startswith(INTERNAL_ERROR) for check in report.checks), report.checks
    return report


def outcome(report: aicert_verify.Report, name: str) -> tuple[str, str]:
    check = report.check(name)
    return check.status.value, check.reason


def test_a_stamped_certificate_verifies_after_its_ak_certificate_expired(
    factory: CertificateFactory, live_pki: PKI, live_root: Path, tsa: TSA
) -> None:
    start = now()
    document = sample(factory, live_pki, start - dt.timedelta(hours=1), start + dt.timedelta(hours=1))
    later = start + dt.timedelta(hours=2)

    unstamped = verify(document, live_root, [tsa.root], at=later)
    assert outcome(unstamped, "ak-chain") == ("fail", "certificate-expired"), unstamped.checks
    assert outcome(unstamped, "timestamp") == ("skip", "not-requested")
    assert unstamped.timestamp is None and "timestamp" not in unstamped.to_dict()

    report = verify(stamped(document, tsa), live_root, [tsa.root], at=later)
    assert report.valid, report.checks
    assert outcome(report, "timestamp") == ("pass", "ok")
    assert outcome(report, "ak-chain") == ("pass", "ok")
    assert "(the time-stamp token's time)" in report.check("ak-chain").detail
    assert report.timestamp is not None and report.timestamp.authority == "CN=AICert Test TSA"
    assert abs(report.timestamp.time - start) < dt.timedelta(minutes=10)
    assert report.to_dict()["timestamp"] == {
        "time": report.timestamp.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "authority": "CN=AICert Test TSA",
    }


def test_the_command_line_and_the_policy_take_tsa_roots(
    factory: CertificateFactory, live_pki: PKI, live_root: Path, tsa: TSA, tmp_path: Path
) -> None:
    start = now()
    document = sample(factory, live_pki, start - dt.timedelta(hours=1), start + dt.timedelta(hours=1))
    path = tmp_path / "certificate.json"
    path.write_bytes(encode(stamped(document, tsa)))
    later = (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = [sys.executable, "-m", "aicert_verify", "verify", str(path), "--trust-root", str(live_root),
               "--allow-unmeasured-boot", "--at", later, "--json"]  # fmt: skip

    with_root = subprocess.run([*command, "--tsa-root", str(tsa.root)], capture_output=True, text=True)
    assert with_root.returncode == 0, with_root.stdout + with_root.stderr
    assert json.loads(with_root.stdout)["timestamp"]["authority"] == "CN=AICert Test TSA"

    without = subprocess.run(command, capture_output=True, text=True)
    assert without.returncode == 1, without.stdout + without.stderr
    report = json.loads(without.stdout)
    assert "timestamp" not in report
    assert (report["checks"][0]["name"], report["checks"][0]["reason"]) == ("timestamp", "timestamp-untrusted")

    (tmp_path / "roots").mkdir()
    shutil.copy(tsa.root, tmp_path / "roots" / "tsa.pem")
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\ntsa_roots:\n  - roots/tsa.pem\n")
    by_policy = subprocess.run([*command, "--policy", str(policy)], capture_output=True, text=True)
    assert by_policy.returncode == 0, by_policy.stdout + by_policy.stderr
    assert len(aicert_verify.load_policy(policy).tsa_roots) == 1

    missing = subprocess.run([*command, "--tsa-root", str(tmp_path / "absent.pem")], capture_output=True, text=True)
    assert missing.returncode == 2 and "--tsa-root" in missing.stderr
    policy.write_text("version: 1\ntsa_roots:\n  - absent.pem\n")
    with pytest.raises(aicert_verify.PolicyError) as raised:
        aicert_verify.load_policy(policy)
    assert raised.value.key == "tsa_roots[0]"


def _other_signature(document: dict[str, Any], tsa: TSA, other: TSA) -> tuple[dict[str, Any], list[Path]]:
    result = stamped(document, tsa)
    signature = bytearray(quote_signature(result))
    signature[-1] ^= 0x01
    result["quote"]["signature"] = b64(bytes(signature))
    return result, [tsa.root]


def _token_changed(document: dict[str, Any], tsa: TSA, change: Any) -> dict[str, Any]:
    result = stamped(document, tsa)
    result["timestamp_token"] = b64(change(base64.b64decode(result["timestamp_token"])))
    return result


CASES = {
    "a token over another signature": (_other_signature, "timestamp-imprint-mismatch"),
    "a token from an untrusted TSA": (
        lambda document, tsa, other: (stamped(document, tsa), [other.root]),
        "timestamp-untrusted",
    ),
    "no TSA root configured": (lambda document, tsa, other: (stamped(document, tsa), []), "timestamp-untrusted"),
    "a signer without the timeStamping purpose": (
        lambda document, tsa, other: (stamped(document, tsa, without_purpose=True), [tsa.root]),
        "timestamp-purpose-missing",
    ),
    "the token's last byte changed": (
        lambda document, tsa, other: (
            _token_changed(document, tsa, lambda token: token[:-1] + bytes([token[-1] ^ 0x01])),
            [tsa.root],
        ),
        "timestamp-signature-invalid",
    ),
    "a truncated token": (
        lambda document, tsa, other: (_token_changed(document, tsa, lambda token: token[:-10]), [tsa.root]),
        "timestamp-malformed",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_wrong_token_fails_naming_why(
    case: str, factory: CertificateFactory, live_pki: PKI, live_root: Path, tsa: TSA, other_tsa: TSA
) -> None:
    make, reason = CASES[case]
    start = now()
    document = sample(factory, live_pki, start - dt.timedelta(hours=1), start + dt.timedelta(hours=1))
    wrong, roots = make(document, tsa, other_tsa)
    report = verify(wrong, live_root, roots)
    assert not report.valid
    assert outcome(report, "timestamp") == ("fail", reason), report.checks
    assert report.timestamp is None
    # the chain is then checked at the verification time, as without a token
    assert "the time-stamp token's time" not in report.check("ak-chain").detail


def test_a_gen_time_before_the_ak_certificate_fails_the_chain(
    factory: CertificateFactory, live_pki: PKI, live_root: Path, tsa: TSA
) -> None:
    start = now()
    document = sample(factory, live_pki, start + dt.timedelta(hours=1), start + dt.timedelta(hours=2))
    during = start + dt.timedelta(minutes=90)
    unstamped = verify(document, live_root, [tsa.root], at=during)
    assert outcome(unstamped, "ak-chain") == ("pass", "ok"), unstamped.checks

    report = verify(stamped(document, tsa), live_root, [tsa.root], at=during)
    assert outcome(report, "timestamp") == ("pass", "ok"), report.checks
    assert outcome(report, "ak-chain") == ("fail", "certificate-expired"), report.checks
    detail = report.check("ak-chain").detail
    assert "not yet valid" in detail and "(the time-stamp token's time)" in detail
    assert report.trust == "none" and not report.valid


@pytest.fixture(scope="module")
def token_and_roots(tsa: TSA) -> tuple[bytes, bytes, list[TrustRoot]]:
    """A real token over the SHA-256 of ``signature``, and the TSA's roots."""
    signature = b"a quote's signature"
    return tsa.token(hashlib.sha256(signature).digest()), signature, load_roots(tsa.root)


def test_the_token_parses_to_what_the_tsa_signed(
    token_and_roots: tuple[bytes, bytes, list[TrustRoot]],
) -> None:
    token, signature, roots = token_and_roots
    parsed = parse_token(token)
    assert parsed.imprint == hashlib.sha256(signature).digest()
    assert parsed.policy == "1.3.6.1.4.1.99999.1"  # tsa-server's default_policy
    assert parsed.nonce is not None  # `openssl ts -query` asks with a nonce
    assert abs(parsed.time - now()) < dt.timedelta(minutes=10)
    assert parsed.signer.issuer is not None and parsed.signer.serial is not None
    assert {certificate.subject.rfc4514_string() for certificate in parsed.certificates} == {
        "CN=AICert Test TSA",
        "CN=AICert Test TSA Root",
    }
    check, stamp = timestamp_check(token, signature, roots)
    assert (check.status, check.reason) == ("pass", "ok") and stamp is not None and stamp.time == parsed.time


def test_every_prefix_and_trailing_bytes_are_malformed(
    token_and_roots: tuple[bytes, bytes, list[TrustRoot]],
) -> None:
    token, signature, roots = token_and_roots
    for length in range(len(token)):
        with pytest.raises(TimestampFormatError):
            parse_token(token[:length])
    for junk in (b"\x00", b"\x30\x00", b"\xff" * 3):
        with pytest.raises(TimestampFormatError):
            parse_token(token + junk)
        check, stamp = timestamp_check(token + junk, signature, roots)
        assert check.reason == "timestamp-malformed" and stamp is None
    with pytest.raises(TimestampFormatError, match="more than"):
        parse_token(b"\x30\x84" + (MAX_TOKEN_BYTES).to_bytes(4, "big") + bytes(MAX_TOKEN_BYTES))


def test_a_changed_byte_anywhere_gives_a_reason_never_an_exception(
    token_and_roots: tuple[bytes, bytes, list[TrustRoot]],
) -> None:
    token, signature, roots = token_and_roots
    seen: set[str] = set()
    for index in range(len(token)):
        changed = bytearray(token)
        changed[index] ^= 1 << (index % 8)
        check, stamp = timestamp_check(bytes(changed), signature, roots)
        assert check.reason in REASONS, (index, check)
        assert (stamp is not None) == (check.reason == "ok")
        seen.add(check.reason)
    # the signature, the signed attributes, the TSTInfo and the certificates are all covered
    assert {"timestamp-malformed", "timestamp-signature-invalid", "timestamp-untrusted"} <= seen


def _ec_certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None, issuer_key: Any
) -> x509.Certificate:
    start = now() - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer.subject if issuer else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA384())


def test_an_ecdsa_tsa_named_by_its_key_identifier_with_sha384(
    token_and_roots: tuple[bytes, bytes, list[TrustRoot]], tmp_path: Path
) -> None:
    """The TSTInfo of a real token, signed again as OpenSSL's CMS does it: ECDSA P-256 over
    SHA-384 signed attributes, the signer named by subjectKeyIdentifier (``-keyid``)."""
    token, signature, roots = token_and_roots
    root_key, tsa_key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP256R1())
    root = _ec_certificate("EC TSA Root", root_key, None, root_key)
    signer = _ec_certificate("EC TSA", tsa_key, root, root_key)
    (tmp_path / "tstinfo.der").write_bytes(parse_token(token).content)
    (tmp_path / "signer.pem").write_bytes(signer.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "signer.key").write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    run = subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-md", "sha384", "-keyid",
         "-econtent_type", "1.2.840.113549.1.9.16.1.4", "-in", str(tmp_path / "tstinfo.der"),
         "-signer", str(tmp_path / "signer.pem"), "-inkey", str(tmp_path / "signer.key"), "-outform", "DER"],
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    resigned = run.stdout
    parsed = parse_token(resigned)
    assert parsed.signer.key_identifier is not None and parsed.signer.issuer is None
    assert parsed.signer.digest_algorithm == "2.16.840.1.101.3.4.2.2"

    check, stamp = timestamp_check(resigned, signature, [TrustRoot(root, "ec root")])
    assert (check.status, check.reason) == ("pass", "ok"), check
    assert stamp is not None and stamp.authority == "CN=EC TSA"
    check, _ = timestamp_check(resigned, signature, roots)
    assert check.reason == "timestamp-untrusted", check
    flipped = bytearray(resigned)
    flipped[-3] ^= 0x01  # inside the ECDSA signature, the token's last element
    check, _ = timestamp_check(bytes(flipped), signature, [TrustRoot(root, "ec root")])
    assert check.reason in ("timestamp-signature-invalid", "timestamp-malformed"), check


def test_a_null_token_is_no_token_and_a_bad_one_a_format_error(
    factory: CertificateFactory, live_pki: PKI, live_root: Path
) -> None:
    start = now()
    document = sample(factory, live_pki, start - dt.timedelta(hours=1), start + dt.timedelta(hours=1))
    document["timestamp_token"] = None
    assert outcome(verify(document, live_root, []), "timestamp") == ("skip", "not-requested")
    document["timestamp_token"] = "not base64!"
    with pytest.raises(aicert_verify.FormatError) as raised:
        aicert_verify.load(encode(document))
    assert raised.value.field == "timestamp_token"


def test_a_legacy_proof_has_no_timestamp_check(pki: PKI, rsa_factory: CertificateFactory, root_pem: Path) -> None:
    document = legacy_document(pki, rsa_factory.ak_key, ['{"event": "input"}'])
    report = aicert_verify.verify(encode(document), trust_roots=[root_pem], at="2026-11-25T07:40:00Z")
    assert [check.name for check in report.checks] == list(aicert_verify.LEGACY_CHECK_NAMES)


@pytest.fixture(scope="module")
def tpm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftwareTPM]:
    yield from start_tpm(tmp_path_factory.mktemp("swtpm-timestamp"))


def test_a_real_tpm_quote_stamped_verifies_after_its_ak_certificate_expired(
    tpm: SoftwareTPM, live_pki: PKI, live_root: Path, tsa: TSA
) -> None:
    from test_v1_swtpm import build

    document = build(tpm, live_pki, "stamped", "rsa", "rsassa")
    key = x509.load_der_x509_certificate(base64.b64decode(document["attestation_key"]["certificate_chain"][0]))
    start = now()
    leaf = live_pki.ak_certificate(
        key.public_key(), not_before=start - dt.timedelta(hours=1), not_after=start + dt.timedelta(hours=1)
    )
    document["attestation_key"]["certificate_chain"][0] = b64(der(leaf))
    later = start + dt.timedelta(days=400)
    assert outcome(verify(document, live_root, [tsa.root], at=later), "ak-chain") == ("fail", "certificate-expired")
    report = verify(stamped(document, tsa), live_root, [tsa.root], at=later)
    assert report.valid, report.checks
    assert outcome(report, "timestamp") == ("pass", "ok")


@pytest.mark.parametrize(
    ("encoding", "why"),
    [
        (b"\x04\x81\x01\x00", "a length in the long form that fits the short"),
        (b"\x04\x82\x00\x81" + bytes(0x81), "a length with a leading zero byte"),
        (b"\x30\x80\x00\x00", "an indefinite length"),
        (b"\x1f\x05\x00", "a tag number below 31 in the long form"),
        (b"\x1f\x80\x20\x00", "a long-form tag number with a leading zero"),
        (b"\x00\x00", "[UNIVERSAL 0]"),
        (b"\x04\x02\x00", "content shorter than its length"),
        (b"\x04\x00\x00", "a byte after the element"),
    ],
)
def test_the_der_reader_refuses_what_der_forbids(encoding: bytes, why: str) -> None:
    with pytest.raises(der_reader.DERError):
        der_reader.parse(encoding)


def test_the_der_reader_reads_what_it_must() -> None:
    nested = b"\x05\x00"
    for _ in range(49):
        nested = b"\x30" + bytes([len(nested)]) + nested
    assert der_reader.parse(nested).is_(der_reader.UNIVERSAL, der_reader.SEQUENCE)  # 50 levels
    with pytest.raises(der_reader.DERError):
        der_reader.parse(b"\x30" + bytes([len(nested)]) + nested)
    assert der_reader.integer(der_reader.parse(b"\x02\x02\x00\x80"), "x") == 128
    assert der_reader.integer(der_reader.parse(b"\x02\x01\xff"), "x") == -1
    for bad in (b"\x02\x02\x00\x7f", b"\x02\x02\xff\x80", b"\x02\x00", b"\x22\x03\x02\x01\x01"):
        with pytest.raises(der_reader.DERError):
            der_reader.integer(der_reader.parse(bad), "x")
    with pytest.raises(der_reader.DERError):
        der_reader.integer(der_reader.parse(b"\x02\x09\x01" + bytes(8)), "x")  # more than 64 bits
    assert der_reader.unsigned_integer(der_reader.parse(b"\x02\x09\x01" + bytes(8)), "x") == 1 << 64
    with pytest.raises(der_reader.DERError):
        der_reader.unsigned_integer(der_reader.parse(b"\x02\x01\x80"), "x")
    signed_data = der_reader.parse(b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02")
    assert der_reader.oid(signed_data, "x") == "1.2.840.113549.1.7.2"
    for bad in (b"\x06\x00", b"\x06\x02\x80\x01", b"\x06\x01\x81"):
        with pytest.raises(der_reader.DERError):
            der_reader.oid(der_reader.parse(bad), "x")
    assert der_reader.ordered_set_of(der_reader.parse(b"\x31\x06\x02\x01\x01\x02\x01\x02"), "x")
    with pytest.raises(der_reader.DERError):
        der_reader.ordered_set_of(der_reader.parse(b"\x31\x06\x02\x01\x02\x02\x01\x01"), "x")
    with pytest.raises(der_reader.DERError):
        der_reader.octet_string(der_reader.parse(b"\x24\x03\x04\x01\x00"), "x")  # a constructed OCTET STRING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"20261203162512Z", dt.datetime(2026, 12, 3, 16, 25, 12, tzinfo=dt.timezone.utc)),
        (b"20261203162512.25Z", dt.datetime(2026, 12, 3, 16, 25, 12, 250000, tzinfo=dt.timezone.utc)),
        (b"20261231235960Z", dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)),  # a leap second
        (b"20261203162512.50Z", None),  # a trailing zero
        (b"20261203162512.Z", None),
        (b"202612031625Z", None),
        (b"20261203162512+0100", None),
        (b"20260230000000Z", None),
        (b"20261203246000Z", None),
    ],
)
def test_gen_time_is_a_der_generalized_time(text: bytes, expected: dt.datetime | None) -> None:
    node = der_reader.parse(b"\x18" + bytes([len(text)]) + text)
    if expected is None:
        with pytest.raises(der_reader.DERError):
            der_reader.generalized_time(node, "genTime")
    else:
        assert der_reader.generalized_time(node, "genTime") == expected
