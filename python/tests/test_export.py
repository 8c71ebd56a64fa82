"""``aicert_verify.export`` and ``python -m aicert_verify export``: each format checked by its own
validator, byte-identical to the Swift exports committed beside the fixtures, nothing exported
from a certificate that does not verify.

Tests/AICertVerifyTests/Fixtures/exports/ holds what ``aicert export`` writes for the committed
certificate (the Swift tests check their side against the same files), so the two
implementations are compared byte for byte without either running the other.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from builders import CertificateFactory, encode
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import aicert_verify
from aicert_verify.export import FORMATS
from aicert_verify.export import encode as export_encoding
from aicert_verify.export.dsse import PAYLOAD_TYPE, pre_authentication_encoding

FIXTURES = Path(__file__).resolve().parents[2] / "Tests/AICertVerifyTests/Fixtures"
CERTIFICATE = FIXTURES / "certificate.json"
OUTPUTS = FIXTURES / "artifacts/outputs"
OPTIONS: dict[str, Any] = {
    "trust_roots": [FIXTURES / "root.pem"],
    "allow_unmeasured_boot": True,
    "artifacts": [OUTPUTS],
}


def exported(format: str, source: Any = CERTIFICATE, **options: Any) -> bytes:
    return aicert_verify.export(source, format=format, **{**OPTIONS, **options})


def run(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "aicert_verify", "export", *arguments], capture_output=True)


@pytest.mark.parametrize("format", FORMATS)
def test_the_python_export_is_byte_identical_to_the_committed_swift_export(format: str) -> None:
    assert exported(format) == (FIXTURES / "exports" / f"{format}.json").read_bytes()


@pytest.mark.parametrize("format", FORMATS)
def test_the_same_certificate_gives_the_same_canonical_bytes(format: str) -> None:
    first, second = exported(format), exported(format, CERTIFICATE.read_bytes())
    assert first == second
    assert first == export_encoding(json.loads(first))
    assert first.endswith(b"}\n") and b"\\/" not in first and b"\n" not in first[:-1]


@pytest.mark.parametrize("format", FORMATS)
def test_the_command_line_writes_the_api_bytes(format: str, tmp_path: Path) -> None:
    arguments = ["--trust-root", str(FIXTURES / "root.pem"), "--allow-unmeasured-boot", "--artifact", str(OUTPUTS)]
    printed = run(str(CERTIFICATE), "--format", format, *arguments)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == exported(format)
    target = tmp_path / "out.json"
    written = run(str(CERTIFICATE), "--format", format, "-o", str(target), *arguments)
    assert (written.returncode, written.stdout) == (0, b"")
    assert target.read_bytes() == exported(format)


def test_the_cyclonedx_bom_is_valid_against_the_official_1_6_schema() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    validator = JsonStrictValidator(SchemaVersion.V1_6)
    bom = json.loads(exported("cyclonedx"))
    assert validator.validate_str(json.dumps(bom)) is None
    # The validator is live: the same BOM with a component type 1.6 does not know is refused.
    bom["metadata"]["component"]["type"] = "model"
    assert validator.validate_str(json.dumps(bom)) is not None


def test_the_cyclonedx_bom_names_the_model_inputs_and_certificate() -> None:
    bom = json.loads(exported("cyclonedx"))
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert {file["name"]: file["hashes"][0]["content"] for file in model["components"]} == sha256sum(OUTPUTS, "outputs")
    kinds = {component["name"]: component["data"][0]["type"] for component in bom["components"]}
    assert kinds == {"code": "source-code", "data": "dataset"}
    digest = hashlib.sha256(CERTIFICATE.read_bytes()).hexdigest()
    assert bom["externalReferences"][0]["hashes"] == [{"alg": "SHA-256", "content": digest}]
    assert bom["metadata"]["timestamp"] == json.loads(CERTIFICATE.read_bytes())["runner_time"]


def test_the_slsa_statement_parses_with_the_in_toto_statement_and_provenance_v1_bindings() -> None:
    from google.protobuf import json_format
    from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
    from in_toto_attestation.v1 import statement, statement_pb2

    document = exported("slsa")
    parsed = json_format.Parse(document.decode("utf-8"), statement_pb2.Statement())
    statement.Statement.copy_from_pb(parsed).validate()
    assert parsed.predicate_type == "https://slsa.dev/provenance/v1"
    provenance = json_format.ParseDict(json.loads(document)["predicate"], provenance_pb2.Provenance())
    assert provenance.build_definition.build_type == "https://aicert.dev/build/v1"
    assert provenance.build_definition.external_parameters["command"] == ["python3", "/aicert/inputs/code/train.py"]
    assert provenance.run_details.builder.id.startswith("https://aicert.dev/builder/v1/local?ak=")
    assert [dependency.name for dependency in provenance.build_definition.resolved_dependencies] == ["code", "data"]
    finished = provenance.run_details.metadata.finished_on.ToJsonString()
    assert finished == json.loads(CERTIFICATE.read_bytes())["runner_time"]
    byproducts = {item.name: item.digest["sha256"] for item in provenance.run_details.byproducts}
    assert byproducts["certificate.json"] == hashlib.sha256(CERTIFICATE.read_bytes()).hexdigest()


def test_the_slsa_subject_digests_are_the_sha256sum_of_the_outputs() -> None:
    subjects = {item["name"]: item["digest"]["sha256"] for item in json.loads(exported("slsa"))["subject"]}
    assert subjects == sha256sum(OUTPUTS, "outputs")


def test_the_model_signing_digests_are_those_model_signing_computes_on_the_files() -> None:
    from google.protobuf import json_format
    from model_signing import hashing
    from model_signing._signing import signing

    theirs = json_format.MessageToDict(signing.Payload(hashing.Config().hash(OUTPUTS)).statement.pb)
    ours = json.loads(exported("model-signing"))
    assert ours["subject"] == theirs["subject"]
    assert ours["predicateType"] == theirs["predicateType"]
    assert ours["predicate"]["resources"] == theirs["predicate"]["resources"]
    assert {key: ours["predicate"]["serialization"][key] for key in ("method", "hash_type", "allow_symlinks")} == {
        key: theirs["predicate"]["serialization"][key] for key in ("method", "hash_type", "allow_symlinks")
    }
    # model-signing reads the statement back and recomputes the subject from the resources.
    manifest = signing.dsse_payload_to_manifest(ours)
    assert manifest == hashing.Config().hash(OUTPUTS)


def test_model_signing_orders_paths_by_their_names_as_the_library_does(tmp_path: Path) -> None:
    from model_signing import hashing
    from model_signing._signing import signing

    for name in ("a-b", "a/b", "ab", "a/c/d", "é", "z"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(name.encode("utf-8"))
    theirs = signing.Payload(hashing.Config().hash(tmp_path)).statement.pb
    manifest = aicert_verify.measure(tmp_path)
    ordered = sorted((entry.path for entry in manifest.entries), key=lambda path: path.split("/"))
    assert ordered == [resource["name"] for resource in theirs.predicate["resources"]]


@pytest.mark.parametrize("format", FORMATS)
def test_a_tampered_certificate_exports_nothing_and_exits_1(format: str) -> None:
    tampered = FIXTURES / "tamper/pcr-value.json"
    with pytest.raises(aicert_verify.VerificationError):
        exported(format, tampered, artifacts=[])
    result = run(str(tampered), "--format", format, "--trust-root", str(FIXTURES / "root.pem"))
    assert (result.returncode, result.stdout) == (1, b"")
    assert b"quote-content (pcr-digest-mismatch)" in result.stderr


def test_an_envelope_carries_the_statement_signed_over_its_pae(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tmp_path / "key.pem").write_bytes(pem)
    result = run(
        str(CERTIFICATE), "--format", "slsa", "--envelope", str(tmp_path / "key.pem"),
        "--trust-root", str(FIXTURES / "root.pem"), "--allow-unmeasured-boot",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    envelope = json.loads(result.stdout)
    payload = base64.b64decode(envelope["payload"])
    assert (envelope["payloadType"], payload) == (PAYLOAD_TYPE, exported("slsa"))
    signature = base64.b64decode(envelope["signatures"][0]["sig"])
    key.public_key().verify(signature, pre_authentication_encoding(PAYLOAD_TYPE, payload), ec.ECDSA(hashes.SHA256()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert envelope["signatures"][0]["keyid"] == hashlib.sha256(spki).hexdigest()


def test_an_envelope_around_a_bom_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(CERTIFICATE), "--format", "cyclonedx", "--envelope", str(tmp_path / "key.pem"))
    assert result.returncode == 2
    assert b"in-toto statement" in result.stderr


def test_a_git_input_is_source_code_with_its_commit(factory: CertificateFactory, root_pem: Path) -> None:
    certificate = encode(factory.document())
    options = {"trust_roots": [root_pem], "allow_unmeasured_boot": True, "artifacts": []}
    provenance = json.loads(aicert_verify.export(certificate, format="slsa", **options))
    code = provenance["predicate"]["buildDefinition"]["resolvedDependencies"][0]
    assert code["uri"] == "git+https://example.org/code.git@9c4e2f" + "0" * 34
    assert code["digest"]["gitCommit"] == "9c4e2f" + "0" * 34
    bom = json.loads(aicert_verify.export(certificate, format="cyclonedx", **options))
    assert bom["components"][0]["data"][0]["type"] == "source-code"
    assert bom["components"][0]["externalReferences"][0]["type"] == "vcs"
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(bom)) is None


def test_model_signing_refuses_an_output_with_a_symbolic_link(factory: CertificateFactory, root_pem: Path) -> None:
    # The standard events' output holds the link `latest`, which model-signing will not hash.
    with pytest.raises(aicert_verify.ExportError, match="symbolic link 'latest'"):
        aicert_verify.export(
            encode(factory.document()), format="model-signing", trust_roots=[root_pem], allow_unmeasured_boot=True
        )


def sha256sum(directory: Path, prefix: str) -> dict[str, str]:
    """``{prefix/path: digest}`` of every file below ``directory``, as ``sha256sum`` prints them."""
    tool = shutil.which("sha256sum")
    assert tool is not None, "sha256sum (coreutils) is needed"
    files = sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file())
    lines = subprocess.run([tool, *files], cwd=directory, capture_output=True, text=True, check=True).stdout
    return {f"{prefix}/{name}": digest for digest, name in (line.split("  ", 1) for line in lines.splitlines())}
