from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from builders import manifest_digest

import aicert_verify
from aicert_verify.manifest import ManifestInvalid, parse_manifest

WORKED_ENCODING = (
    '{"entries":[{"path":"data/abc.bin","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":3,"type":"file"},'
    '{"path":"empty","type":"dir"},'
    '{"path":"hello.txt","sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03","size":6,"type":"file"},'
    '{"path":"latest","target":"hello.txt","type":"symlink"},'
    '{"path":"naïve.txt","sha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","size":1,"type":"file"}],"version":1}'
)
WORKED_DIGEST = "5fdda4a3e2dbca04b4f81f39cf10c2b0c0a754805c3a2fe9ec762c51596fa118"


def make_worked_example(root: Path) -> Path:
    example = root / "example"
    (example / "data").mkdir(parents=True)
    (example / "empty").mkdir()
    (example / "data" / "abc.bin").write_bytes(b"abc")
    (example / "hello.txt").write_bytes(b"hello\n")
    (example / "latest").symlink_to("hello.txt")
    (example / "na\u00efve.txt").write_bytes(b"x")
    return example


def test_worked_example_of_the_specification(tmp_path: Path) -> None:
    example = make_worked_example(tmp_path)
    manifest = aicert_verify.measure(example)
    assert manifest.canonical_bytes().decode("utf-8") == WORKED_ENCODING
    assert manifest.digest == WORKED_DIGEST
    assert aicert_verify.hash_path(example) == WORKED_DIGEST
    assert aicert_verify.hash_path(str(example) + "/") == WORKED_DIGEST


def test_single_file_records_its_base_name(tmp_path: Path) -> None:
    (tmp_path / "runs" / "7").mkdir(parents=True)
    target = tmp_path / "runs" / "7" / "abc.txt"
    target.write_bytes(b"abc")
    assert aicert_verify.hash_path(target) == "c878a01ed14ee8f5282c92daebbee16447d1fb1809ea877e7a9e986f38550872"
    assert [entry.path for entry in aicert_verify.measure(target).entries] == ["abc.txt"]


def test_the_digest_is_the_documented_python_snippet(tmp_path: Path) -> None:
    example = make_worked_example(tmp_path)
    entries = [entry.to_json() for entry in aicert_verify.measure(example).entries]
    assert manifest_digest(entries) == WORKED_DIGEST


def test_order_compares_whole_paths_as_bytes(tmp_path: Path) -> None:
    for name in ("ab", "a-b"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").write_bytes(b"")
    (tmp_path / "é").write_bytes(b"")  # U+00E9, UTF-8 0xC3 0xA9: after every ASCII name
    (tmp_path / "Z").write_bytes(b"")
    assert [entry.path for entry in aicert_verify.measure(tmp_path).entries] == ["Z", "a-b", "a/b", "ab", "é"]


def test_empty_root_and_nested_empty_directories(tmp_path: Path) -> None:
    assert aicert_verify.measure(tmp_path).canonical_bytes() == b'{"entries":[],"version":1}'
    (tmp_path / "x" / "y" / "z").mkdir(parents=True)
    (tmp_path / "x" / "file").write_bytes(b"1")
    assert [(entry.path, entry.type) for entry in aicert_verify.measure(tmp_path).entries] == [
        ("x/file", "file"),
        ("x/y/z", "dir"),
    ]


def test_symbolic_links_are_recorded_never_followed(tmp_path: Path) -> None:
    (tmp_path / "etc").symlink_to("/etc")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "dangling").symlink_to("../../nowhere/./x")
    entries = {entry.path: entry for entry in aicert_verify.measure(tmp_path).entries}
    assert {path: (entry.type, entry.target) for path, entry in entries.items()} == {
        "dangling": ("symlink", "../../nowhere/./x"),
        "etc": ("symlink", "/etc"),
        "loop1": ("symlink", "loop2"),
        "loop2": ("symlink", "loop1"),
    }


def test_the_root_is_resolved_through_a_link(tmp_path: Path) -> None:
    example = make_worked_example(tmp_path)
    (tmp_path / "link").symlink_to(example)
    assert aicert_verify.hash_path(tmp_path / "link") == WORKED_DIGEST


def test_a_fifo_anywhere_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "pipe")
    with pytest.raises(aicert_verify.MeasurementError) as caught:
        aicert_verify.measure(tmp_path)
    assert caught.value.path.endswith("sub/pipe")
    assert "FIFO" in str(caught.value)
    with pytest.raises(aicert_verify.MeasurementError, match="not a regular file or directory"):
        aicert_verify.measure(tmp_path / "sub" / "pipe")


def test_names_that_are_not_nfc_are_rejected_not_normalised(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "naïve.txt")
    (tmp_path / decomposed).write_bytes(b"x")
    with pytest.raises(aicert_verify.MeasurementError, match="Normalization Form C") as caught:
        aicert_verify.measure(tmp_path)
    assert caught.value.path.endswith(decomposed)


def test_names_that_are_not_utf8_are_rejected(tmp_path: Path) -> None:
    os.close(os.open(os.path.join(os.fsencode(tmp_path), b"bad\xff.bin"), os.O_CREAT | os.O_WRONLY))
    with pytest.raises(aicert_verify.MeasurementError, match="not valid UTF-8"):
        aicert_verify.measure(tmp_path)


def test_control_characters_in_names_and_link_targets_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a\nb").write_bytes(b"")
    with pytest.raises(aicert_verify.MeasurementError, match="control character"):
        aicert_verify.measure(tmp_path)
    (tmp_path / "a\nb").unlink()
    (tmp_path / "tab").symlink_to("x\ty")
    with pytest.raises(aicert_verify.MeasurementError, match="link target contains a control character"):
        aicert_verify.measure(tmp_path)
    (tmp_path / "tab").unlink()
    (tmp_path / "del\x7f").write_bytes(b"")
    with pytest.raises(aicert_verify.MeasurementError, match="control character"):
        aicert_verify.measure(tmp_path)


def test_the_reported_error_is_the_earliest_in_listing_order_whatever_the_threads(tmp_path: Path) -> None:
    for index in range(40):
        (tmp_path / f"d{index:02}").mkdir()
        (tmp_path / f"d{index:02}" / "ok.bin").write_bytes(os.urandom(1000))
    for index in (7, 23, 31):
        os.mkfifo(tmp_path / f"d{index:02}" / "zz-pipe")
    os.mkfifo(tmp_path / "d07" / "a-pipe")
    seen = set()
    for jobs in (1, 2, 8, 32):
        with pytest.raises(aicert_verify.MeasurementError) as caught:
            aicert_verify.measure(tmp_path, jobs=jobs)
        seen.add(caught.value.path)
    assert seen == {str(tmp_path / "d07" / "a-pipe")}


def test_digest_does_not_depend_on_the_number_of_threads(tmp_path: Path) -> None:
    for index in range(200):
        (tmp_path / f"f{index}").write_bytes(os.urandom(index * 37))
    (tmp_path / "big").write_bytes(os.urandom(9 << 20))  # several read chunks
    digests = {aicert_verify.hash_path(tmp_path, jobs=jobs) for jobs in (1, 3, 16)}
    assert len(digests) == 1


def test_unreadable_files_are_errors(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        secret = tmp_path / "secret"
        secret.write_bytes(b"x")
        secret.chmod(0)
        with pytest.raises(aicert_verify.MeasurementError, match="permission denied"):
            aicert_verify.measure(tmp_path)
        return
    # Root reads any file whatever its mode: measure as nobody, in a child, a tree it may list.
    tree = Path(tempfile.mkdtemp())
    try:
        tree.chmod(0o755)
        secret = tree / "secret"
        secret.write_bytes(b"x")
        secret.chmod(0)
        child = os.fork()
        if child == 0:
            try:
                os.setgid(65534)
                os.setuid(65534)
                aicert_verify.measure(tree)
                os._exit(1)
            except aicert_verify.MeasurementError as error:
                os._exit(0 if "permission denied" in str(error) else 2)
            except BaseException:
                os._exit(3)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        shutil.rmtree(tree)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(aicert_verify.MeasurementError, match="no such file"):
        aicert_verify.measure(tmp_path / "absent")


def entry(path: str, kind: str = "file", **members: object) -> dict[str, object]:
    if kind == "file":
        return {"path": path, "sha256": "ab" * 32, "size": 1, "type": "file", **members}
    if kind == "symlink":
        return {"path": path, "target": "x", "type": "symlink", **members}
    return {"path": path, "type": "dir", **members}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([entry("b"), entry("a")], "out of canonical order"),
        ([entry("a"), entry("a")], "repeated"),
        ([entry("a/b"), entry("a-b")], "out of canonical order"),
        ([entry("a", "dir"), entry("a/b")], "lies below"),
        ([entry("a", "symlink"), entry("a/b")], "lies below"),
        ([entry("/abs")], "not a valid name"),
        ([entry("a//b")], "not a valid name"),
        ([entry("a/../b")], "not a valid name"),
        ([entry("a/")], "not a valid name"),
        ([entry(unicodedata.normalize("NFD", "é"))], "Normalization Form C"),
        ([entry("a\u0001")], "control character"),
        ([entry("x" * 256)], "more than 255"),
        ([entry("a", size=-1)], "size"),
        ([entry("a", size=True)], "size"),
        ([entry("a", size=2**53)], "size"),
        ([entry("a", sha256="AB" * 32)], "sha256"),
        ([entry("a", extra=1)], "exactly the members"),
        ([entry("a", "symlink", target="")], "empty"),
        ([{"path": "a", "type": "fifo"}], "not a file, symlink or dir"),
    ],
)
def test_certificate_manifests_are_validated(entries: list[dict[str, object]], message: str) -> None:
    with pytest.raises(ManifestInvalid, match=message):
        parse_manifest({"entries": entries, "version": 1})


def test_certificate_manifest_shape() -> None:
    with pytest.raises(ManifestInvalid, match="version"):
        parse_manifest({"entries": [], "version": 2})
    with pytest.raises(ManifestInvalid, match="not exactly"):
        parse_manifest({"entries": [], "version": 1, "note": "x"})
    good = parse_manifest({"entries": [entry("a-b"), entry("a/b", "symlink"), entry("ab", "dir")], "version": 1})
    assert good.files == 1 and good.bytes == 1


def test_hash_command_prints_digest_and_path(tmp_path: Path) -> None:
    example = make_worked_example(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "aicert_verify", "hash", str(example), str(example / "hello.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = run.stdout.splitlines()
    assert lines[0] == f"{WORKED_DIGEST}  {example}"
    assert lines[1].endswith(f"  {example / 'hello.txt'}")
    os.mkfifo(tmp_path / "pipe")
    failed = subprocess.run(
        [sys.executable, "-m", "aicert_verify", "hash", str(tmp_path / "pipe"), str(example)],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "pipe" in failed.stderr and WORKED_DIGEST in failed.stdout
    usage = subprocess.run([sys.executable, "-m", "aicert_verify", "hash"], capture_output=True, text=True)
    assert usage.returncode == 2
