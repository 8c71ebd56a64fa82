"""Manifests: what a file or directory tree holds, with one SHA-256 digest over the whole list.

:func:`measure` walks a tree the way docs/certificate-format.md ("Manifests") prescribes:
symbolic links are recorded, never followed; empty directories are recorded; names must be
UTF-8 in NFC without control characters; devices, FIFOs and sockets are errors; files are hashed
in parallel, and neither the manifest nor the error reported depends on scheduling.
:func:`parse_manifest` validates a manifest carried by a certificate against the same rules.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import unicodedata
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .canonical_json import MAX_SAFE_INTEGER, canonical
from .errors import MeasurementError

__all__ = [
    "Entry",
    "Manifest",
    "ManifestInvalid",
    "hash_path",
    "measure",
    "parse_manifest",
    "check_name",
    "check_target",
]

MAX_ENTRIES = 1_000_000
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
MAX_TARGET_BYTES = 4095
MAX_FILE_BYTES = MAX_SAFE_INTEGER
READ_CHUNK = 4 << 20

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class Entry:
    """One manifest entry: ``type`` is ``file`` (with ``size``, ``sha256``), ``symlink``
    (with ``target``) or ``dir`` (an empty directory)."""

    path: str
    type: str
    size: int | None = None
    sha256: str | None = None
    target: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.type == "file":
            return {"path": self.path, "sha256": self.sha256, "size": self.size, "type": "file"}
        if self.type == "symlink":
            return {"path": self.path, "target": self.target, "type": "symlink"}
        return {"path": self.path, "type": "dir"}


@dataclass(frozen=True)
class Manifest:
    """Entries in canonical order (by the UTF-8 bytes of their paths)."""

    entries: tuple[Entry, ...]
    _encoding: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def of(cls, entries: list[Entry]) -> Manifest:
        ordered = tuple(sorted(entries, key=lambda entry: entry.path.encode("utf-8")))
        document = {"entries": [entry.to_json() for entry in ordered], "version": 1}
        return cls(ordered, canonical(document))

    def canonical_bytes(self) -> bytes:
        """The RFC 8785 encoding the digest is taken over."""
        return self._encoding

    @property
    def digest(self) -> str:
        return hashlib.sha256(self._encoding).hexdigest()

    @property
    def files(self) -> int:
        """The number of regular files (what an event's ``files`` counts)."""
        return sum(1 for entry in self.entries if entry.type == "file")

    @property
    def bytes(self) -> int:
        """The sum of the regular files' sizes (what an event's ``bytes`` counts)."""
        return sum(entry.size or 0 for entry in self.entries if entry.type == "file")

    def to_json(self) -> dict[str, Any]:
        return {"entries": [entry.to_json() for entry in self.entries], "version": 1}


# --- names, paths, targets -----------------------------------------------------------------


def check_name(name: bytes) -> str:
    """The name as text if it is a valid path component; raises ``ValueError`` saying why not."""
    if not name or name in (b".", b".."):
        raise ValueError(f"'{_show(name)}' is not a valid name")
    text = _decode(name, "name", MAX_NAME_BYTES)
    if "/" in text:
        raise ValueError("name contains '/'")
    if _has_control(text):
        raise ValueError("name contains a control character")
    if not unicodedata.is_normalized("NFC", text):
        raise ValueError("name is not in Unicode Normalization Form C (rename it, e.g. with convmv --nfc)")
    return text


def check_target(target: bytes) -> str:
    """The link target as text if admissible (UTF-8, non-empty, no control characters, ≤ 4095 bytes)."""
    if not target:
        raise ValueError("link target is empty")
    text = _decode(target, "link target", MAX_TARGET_BYTES)
    if _has_control(text):
        raise ValueError("link target contains a control character")
    return text


def check_path(path: str) -> None:
    """Raises ``ValueError`` unless ``path`` is a valid relative manifest path."""
    encoded = path.encode("utf-8")
    if len(encoded) > MAX_PATH_BYTES:
        raise ValueError(f"path is {len(encoded)} bytes, more than {MAX_PATH_BYTES}")
    for name in encoded.split(b"/"):
        check_name(name)


def _decode(data: bytes, what: str, limit: int) -> str:
    """``data`` as UTF-8 text of at most ``limit`` bytes; raises ``ValueError`` naming ``what`` otherwise."""
    if len(data) > limit:
        raise ValueError(f"{what} is {len(data)} bytes, more than {limit}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{what} is not valid UTF-8") from None


def _has_control(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def _show(name: bytes) -> str:
    return name.decode("utf-8", "backslashreplace")


# --- manifests carried by certificates ----------------------------------------------------------


class ManifestInvalid(ValueError):
    """A manifest in a certificate that breaks the rules; the message names the entry."""


_MEMBERS = {
    "file": {"path", "sha256", "size", "type"},
    "symlink": {"path", "target", "type"},
    "dir": {"path", "type"},
}


def parse_manifest(value: Any) -> Manifest:
    """Validates a manifest JSON value from a certificate; raises :class:`ManifestInvalid`."""
    if not isinstance(value, dict):
        raise ManifestInvalid("is not an object")
    if set(value) != {"entries", "version"}:
        raise ManifestInvalid(f"has members {sorted(value)}, not exactly entries and version")
    if type(value["version"]) is not int or value["version"] != 1:
        raise ManifestInvalid("version is not 1")
    items = value["entries"]
    if not isinstance(items, list):
        raise ManifestInvalid("entries is not an array")
    if len(items) > MAX_ENTRIES:
        raise ManifestInvalid(f"has {len(items)} entries, more than {MAX_ENTRIES:,}")
    entries: list[Entry] = []
    previous: bytes | None = None
    for index, item in enumerate(items):
        where = f"entries[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str) or item["type"] not in _MEMBERS:
            raise ManifestInvalid(f"{where} is not a file, symlink or dir entry")
        kind = item["type"]
        if set(item) != _MEMBERS[kind]:
            raise ManifestInvalid(f"{where}: a {kind} entry has exactly the members {sorted(_MEMBERS[kind])}")
        path = item["path"]
        if not isinstance(path, str):
            raise ManifestInvalid(f"{where}.path is not a string")
        try:
            check_path(path)
        except ValueError as error:
            raise ManifestInvalid(f"{where} '{path}': {error}") from None
        encoded = path.encode("utf-8")
        if previous is not None and encoded <= previous:
            raise ManifestInvalid(f"{where} '{path}' is out of canonical order or repeated")
        previous = encoded
        if kind == "file":
            size, digest = item["size"], item["sha256"]
            if type(size) is not int or not 0 <= size <= MAX_FILE_BYTES:
                raise ManifestInvalid(f"{where} '{path}': size is not an integer from 0 to 2^53 − 1")
            if not is_hex_digest(digest):
                raise ManifestInvalid(f"{where} '{path}': sha256 is not 64 lowercase hex digits")
            entries.append(Entry(path, "file", size=size, sha256=digest))
        elif kind == "symlink":
            target = item["target"]
            if not isinstance(target, str):
                raise ManifestInvalid(f"{where} '{path}': target is not a string")
            try:
                check_target(target.encode("utf-8"))
            except ValueError as error:
                raise ManifestInvalid(f"{where} '{path}': {error}") from None
            entries.append(Entry(path, "symlink", target=target))
        else:
            entries.append(Entry(path, "dir"))
    paths = {entry.path for entry in entries}
    for entry in entries:
        parent = entry.path
        while "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            if parent in paths:
                raise ManifestInvalid(f"'{entry.path}' lies below the entry '{parent}', which cannot hold anything")
    return Manifest.of(entries)


def is_hex_digest(value: Any) -> bool:
    """True for 64 lowercase hex digits."""
    return isinstance(value, str) and len(value) == 64 and all(char in "0123456789abcdef" for char in value)


# --- measuring a tree -------------------------------------------------------------------------


def hash_path(path: StrPath, *, jobs: int | None = None) -> str:
    """The manifest digest of a file or directory, exactly as a certificate records it.

    Raises :class:`aicert_verify.MeasurementError` naming the path when the tree cannot be measured.
    """
    return measure(path, jobs=jobs).digest


def measure(path: StrPath, *, jobs: int | None = None) -> Manifest:
    """The manifest of a file or directory (see the module documentation for the rules)."""
    root = os.fspath(path)
    if jobs is not None and not 1 <= jobs <= 256:
        raise ValueError("jobs must be between 1 and 256")
    try:
        info = os.stat(root)
    except OSError as error:
        raise MeasurementError(root, _os_reason(error)) from None
    if stat.S_ISREG(info.st_mode):
        return _measure_file(root, info)
    if stat.S_ISDIR(info.st_mode):
        return _Walk(root, jobs or min(32, (os.cpu_count() or 1) + 4)).run(info)
    raise MeasurementError(root, f"is a {_kind(info.st_mode)}, not a regular file or directory")


def _measure_file(root: str, info: os.stat_result) -> Manifest:
    base = os.path.basename(root.rstrip("/")) or root
    try:
        name = check_name(os.fsencode(base))
    except ValueError as error:
        raise MeasurementError(root, str(error)) from None
    try:
        fd = os.open(root, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise MeasurementError(root, _os_reason(error)) from None
    size, digest = _hash_open_file(fd, root, (info.st_dev, info.st_ino))
    return Manifest.of([Entry(name, "file", size=size, sha256=digest)])


_buffers = threading.local()


def _hash_open_file(fd: int, shown: str, identity: tuple[int, int] | None) -> tuple[int, str]:
    """Hashes an open file and closes it; checks it is the regular file expected and unchanged."""
    with open(fd, "rb", buffering=0, closefd=True) as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise MeasurementError(shown, f"is a {_kind(info.st_mode)}, not a regular file")
            if identity is not None and (info.st_dev, info.st_ino) != identity:
                raise MeasurementError(shown, "changed while measuring (replaced by another file)")
            if info.st_size > MAX_FILE_BYTES:
                raise MeasurementError(shown, "is larger than 2^53 − 1 bytes")
            buffer = getattr(_buffers, "buffer", None)
            if buffer is None:
                buffer = _buffers.buffer = bytearray(READ_CHUNK)
            view = memoryview(buffer)
            digest = hashlib.sha256()
            total = 0
            while True:
                count = handle.readinto(view)
                if not count:
                    break
                total += count
                if total > info.st_size:
                    break
                digest.update(view[:count])
        except OSError as error:
            raise MeasurementError(shown, _os_reason(error)) from None
    if total != info.st_size:
        raise MeasurementError(shown, f"changed while measuring (was {info.st_size} bytes, read {total})")
    return total, digest.hexdigest()


class _Walk:
    """One measurement of a directory tree.

    The listing runs on the calling thread, depth first, each directory's names in byte order;
    it opens every file (``O_NOFOLLOW`` relative to its directory) and hands the descriptor to
    the pool. Each item has a sequence number in listing order, and the error reported is the
    one with the lowest, so the result does not depend on the number of threads.
    """

    def __init__(self, root: str, jobs: int) -> None:
        self.root = root
        self.jobs = jobs
        self.entries: list[Entry] = []
        self.files: list[tuple[int, str, Future[tuple[int, str]]]] = []
        self.errors: list[tuple[int, MeasurementError]] = []
        self.sequence = 0
        self.slots = threading.BoundedSemaphore(jobs * 4)
        self.hash_failed = threading.Event()

    def shown(self, relative: bytes) -> str:
        return os.path.join(self.root, _show(relative))

    def run(self, info: os.stat_result) -> Manifest:
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as error:
            raise MeasurementError(self.root, _os_reason(error)) from None
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="aicert-hash") as pool:
            self.pool = pool
            try:
                self._list(fd, (info.st_dev, info.st_ino))
            finally:
                results: list[Entry] = []
                for sequence, path, future in self.files:
                    try:
                        size, digest = future.result()
                        results.append(Entry(path, "file", size=size, sha256=digest))
                    except MeasurementError as error:
                        self.errors.append((sequence, error))
        if self.errors:
            raise min(self.errors, key=lambda item: item[0])[1]
        return Manifest.of(self.entries + results)

    def _fail(self, relative: bytes, reason: str) -> None:
        self.errors.append((self.sequence, MeasurementError(self.shown(relative), reason)))

    def _list(self, root_fd: int, root_identity: tuple[int, int]) -> None:
        # An explicit stack, not recursion: a 4096-byte path may nest 2048 directories deep.
        stack: list[tuple[int, bytes, Iterator[bytes]]] = []
        try:
            names = self._names(root_fd, b"", root_identity)
            if names is None:
                os.close(root_fd)
                return
            stack.append((root_fd, b"", iter(names)))
            while stack and not self.errors and not self.hash_failed.is_set():
                fd, prefix, pending = stack[-1]
                name = next(pending, None)
                if name is None:
                    os.close(fd)
                    stack.pop()
                    continue
                child = self._visit(fd, prefix, name)
                if child is not None:
                    stack.append(child)
        finally:
            for fd, _, _ in stack:
                os.close(fd)

    def _names(self, fd: int, relative: bytes, identity: tuple[int, int]) -> list[bytes] | None:
        try:
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != identity:
                self._fail(relative, "changed while measuring (the directory was replaced)")
                return None
            return sorted(os.fsencode(name) for name in os.listdir(fd))
        except OSError as error:
            self._fail(relative, _os_reason(error))
            return None

    def _done(self, future: Future[tuple[int, str]]) -> None:
        self.slots.release()
        if future.exception() is not None:
            self.hash_failed.set()

    def _visit(self, dir_fd: int, prefix: bytes, name: bytes) -> tuple[int, bytes, Iterator[bytes]] | None:
        self.sequence += 1
        relative = prefix + name
        try:
            check_name(name)
        except ValueError as error:
            self._fail(relative, str(error))
            return None
        if len(relative) > MAX_PATH_BYTES:
            self._fail(relative, f"path is more than {MAX_PATH_BYTES} bytes")
            return None
        if len(self.entries) + len(self.files) >= MAX_ENTRIES:
            self._fail(relative, f"the tree has more than {MAX_ENTRIES:,} entries")
            return None
        path = relative.decode("utf-8")
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as error:
            self._fail(relative, _os_reason(error))
            return None
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            try:
                target = check_target(os.fsencode(os.readlink(name, dir_fd=dir_fd)))
            except OSError as error:
                self._fail(relative, _os_reason(error))
                return None
            except ValueError as error:
                self._fail(relative, str(error))
                return None
            self.entries.append(Entry(path, "symlink", target=target))
            return None
        if stat.S_ISDIR(mode):
            child = self._open(dir_fd, name, relative, os.O_DIRECTORY)
            if child is None:
                return None
            names = self._names(child, relative, (info.st_dev, info.st_ino))
            if names is None:
                os.close(child)
                return None
            if not names:
                os.close(child)
                self.entries.append(Entry(path, "dir"))
                return None
            return child, relative + b"/", iter(names)
        if stat.S_ISREG(mode):
            fd = self._open(dir_fd, name, relative, os.O_NONBLOCK)
            if fd is None:
                return None
            self.slots.acquire()
            future = self.pool.submit(_hash_open_file, fd, self.shown(relative), (info.st_dev, info.st_ino))
            future.add_done_callback(self._done)
            self.files.append((self.sequence, path, future))
            return None
        self._fail(relative, f"is a {_kind(mode)}: only regular files, symbolic links and directories are admitted")
        return None

    def _open(self, dir_fd: int, name: bytes, relative: bytes, flags: int) -> int | None:
        """``name`` in ``dir_fd`` opened read-only, never through a link, with ``flags``; ``None`` once it
        has recorded why it cannot be."""
        try:
            return os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | flags, dir_fd=dir_fd)
        except OSError as error:
            self._fail(relative, _os_reason(error))
            return None


# What ``_kind`` calls each file type that is not a regular file.
_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "directory"),
    (stat.S_ISLNK, "symbolic link"),
)


def _kind(mode: int) -> str:
    return next((name for is_kind, name in _KINDS if is_kind(mode)), "special file")


def _os_reason(error: OSError) -> str:
    return error.strerror.lower() if error.strerror else str(error)
