"""``python -m aicert_verify``: ``verify`` a certificate, ``hash`` files as a certificate records them."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from typing import Any, TextIO

from .certificate import load, parse_rfc3339
from .chain import TrustRoot, load_roots
from .errors import AICertError, FormatError, MeasurementError, PolicyError, TrustRootError, VerificationError
from .export import FORMATS, IN_TOTO_FORMATS, ExportError, export
from .files import read_bounded
from .manifest import Manifest, measure
from .policy import load_policy, load_registered_images
from .report import CHECK_NAMES, Report, Status
from .terminal import escape
from .verify import verify

__all__ = ["main"]

EXIT_VALID = 0
EXIT_FAILED = 1
EXIT_CANNOT = 2

_VERIFY_EPILOG = """\
prints one line per check, then the inputs and outputs the event log names:

  $ python -m aicert_verify verify certificate.json --trust-root development-root.pem \\
        --artifact outputs/
  ✓ ak-chain         AK certificate '…' chains to '…' (…)
  ✓ quote-signature  rsassa signature with sha256 by the AK (RSA 2048, …) verifies
  …

marks: ✓ pass, ✗ fail, ! warn, - skip. The certificate is valid only if no check failed;
the last line is the verdict (VALID, "VALID, boot not measured" or INVALID) and the trust the
AK chain reached: production (a built-in root), development (the AICert development CA) or
custom (another root you trusted). Only the built-in Azure vTPM root is trusted unless
--trust-root or the policy's trusted_roots name more; nothing the certificate carries is
trusted by itself. A certificate's RFC 3161 time-stamp token is checked first (timestamp):
when it is valid and its TSA chains to a --tsa-root (or the policy's tsa_roots), the AK chain
is checked at the token's time instead of now or --at. boot-state fails without reference
values for the boot (the policy's platforms, or a known image: the policy's images and
$AICERT_HOME/images/*.yaml, default ~/.aicert) unless --allow-unmeasured-boot. Proofs of the
original AICert (attestation.json) are verified through the same checks, without timestamp.

exit status: 0 valid, 1 verification failed, 2 could not verify (usage error, unreadable
file, not JSON, unknown format, missing member, bad policy or root file).
"""

_EXPORT_EPILOG = """\
verifies first, with the options of verify, then writes canonical JSON (sorted members, no
whitespace, one final newline): the same certificate always gives the same bytes, and the
bytes aicert export writes.

  $ python -m aicert_verify export certificate.json --format slsa --trust-root root.pem \\
        --allow-unmeasured-boot -o provenance.json

--envelope KEY wraps an in-toto statement (slsa, model-signing) in a DSSE envelope; its
signature only says who published it: the certificate is the proof.

exit status: 0 exported, 1 the certificate did not verify (the failed checks are named), 2 could
not verify or export (usage error, unreadable file, a format that cannot describe the build).
"""

_HASH_EPILOG = """\
prints, for each PATH, its manifest digest and the path, like sha256sum:

  $ python -m aicert_verify hash model.safetensors data/
  4f1c…e2  model.safetensors
  9a07…5b  data/

a manifest lists every regular file below PATH with its relative path, size and SHA-256,
every symbolic link with its target (links are never followed) and every empty directory;
the digest is SHA-256 over its canonical JSON (docs/certificate-format.md, "Manifests").

exit status: 0 when every path was hashed, 1 when any could not be (the others are still
printed), 2 for a usage error.
"""


def _program() -> str:
    """The name usage lines show: the ``aicert-verify`` console script, else ``python -m aicert_verify``."""
    if os.path.basename(sys.argv[0]) == "aicert-verify":
        return "aicert-verify"
    return "python -m aicert_verify"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program(), description="Verify AI certificates offline; hash files as certificates record them."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = _command(
        commands,
        "verify",
        "verify a certificate: chain, quote, event log, boot state, policy and files",
        "Verify an AI certificate offline (aicert/v1, or a legacy AICert proof).",
        _VERIFY_EPILOG,
    )
    check.add_argument("certificate", metavar="CERT", help="the certificate file, e.g. aicert-output/certificate.json")
    _add_verification_options(check)
    check.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON: {valid, verdict, format, platform, trust, trust_root, checks, inputs, "
        "outputs}, and timestamp {time, authority} when a valid time-stamp token says when the quote existed",
    )
    exporting = _command(
        commands,
        "export",
        "verify a certificate, then write it as SLSA provenance, a CycloneDX ML-BOM or model-signing digests",
        "Verify an AI certificate, then export it (docs/exports.md); nothing is exported unless it verifies.",
        _EXPORT_EPILOG,
    )
    exporting.add_argument(
        "certificate", metavar="CERT", help="the certificate file, e.g. aicert-output/certificate.json"
    )
    exporting.add_argument(
        "--format", required=True, choices=FORMATS, help="what to write: slsa, cyclonedx or model-signing"
    )
    exporting.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    exporting.add_argument(
        "--envelope",
        metavar="KEY",
        help="wrap the statement in a DSSE envelope signed with this PEM EC P-256 private key (slsa, model-signing)",
    )
    exporting.add_argument(
        "--output-name", metavar="NAME", help="the output model-signing describes when the build has several"
    )
    _add_verification_options(exporting)
    hashing = _command(
        commands,
        "hash",
        "print the manifest digest of files and directories",
        "Print the manifest digest of files and directories, as an AI certificate records them.",
        _HASH_EPILOG,
    )
    hashing.add_argument("paths", metavar="PATH", nargs="+", help="files or directories, e.g. model.safetensors data/")
    hashing.add_argument("--manifest", action="store_true", help="also print every entry of each manifest")
    hashing.add_argument(
        "--json", action="store_true", help='print a JSON array of {"digest", "path"} (and "manifest" with --manifest)'
    )
    hashing.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="files hashed at once (1-256); does not change digests"
    )
    return parser


def _add_verification_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how to verify, shared by ``verify`` and ``export``."""
    parser.add_argument(
        "--trust-root",
        metavar="PEM",
        action="append",
        default=[],
        help="a PEM (or DER) root certificate to trust besides the built-in one; repeatable, "
        "e.g. --trust-root dev-root.pem",
    )
    parser.add_argument(
        "--tsa-root",
        metavar="FILE",
        action="append",
        default=[],
        help="a PEM (or DER) root certificate a time-stamp token's TSA may chain to (none is built in); "
        "repeatable, e.g. --tsa-root tsa-root.pem",
    )
    parser.add_argument(
        "--policy", metavar="FILE", help="a policy file (YAML, docs/policy.md), e.g. --policy policy.yaml"
    )
    parser.add_argument(
        "--artifact",
        metavar="PATH",
        action="append",
        default=[],
        help="a file or directory to re-hash and match against the outputs; repeatable, e.g. --artifact model.bin",
    )
    parser.add_argument(
        "--at",
        metavar="RFC3339",
        help="check the chain at this time instead of now, e.g. --at 2026-12-01T00:00:00Z",
    )
    parser.add_argument(
        "--allow-unmeasured-boot",
        action="store_true",
        help="accept a boot that no reference value describes: boot-state is skipped, the verdict says so",
    )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """A subcommand whose epilog (an example, the exit statuses) is printed as written."""
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    arguments = _parser().parse_args(argv)
    if arguments.command == "verify":
        return _verify(arguments)
    if arguments.command == "export":
        return _export(arguments)
    return _hash(arguments)


def _cannot(reason: str, command: str = "verify") -> int:
    print(f"aicert {command}: could not verify: {reason}", file=sys.stderr)
    return EXIT_CANNOT


class _CannotVerify(Exception):
    """An option names something unusable: the command exits 2 with this reason."""


def _verification_options(arguments: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`aicert_verify.verify` that the shared options give."""
    roots: list[TrustRoot] = []
    try:
        for path in arguments.trust_root:
            roots.extend(load_roots(path))
    except TrustRootError as error:
        raise _CannotVerify(f"--trust-root {error}") from None
    tsa_roots: list[TrustRoot] = []
    try:
        for path in arguments.tsa_root:
            tsa_roots.extend(load_roots(path))
    except TrustRootError as error:
        raise _CannotVerify(f"--tsa-root {error}") from None
    policy = None
    if arguments.policy is not None:
        try:
            policy = load_policy(arguments.policy)
        except PolicyError as error:
            raise _CannotVerify(f"policy {arguments.policy}: {error}") from None
    if arguments.at is not None:
        try:
            parse_rfc3339(arguments.at)
        except ValueError:
            raise _CannotVerify(f"--at '{arguments.at}' is not an RFC 3339 time such as 2026-12-01T00:00:00Z") from None
    for artifact in arguments.artifact:
        if not os.path.exists(artifact):
            raise _CannotVerify(f"--artifact {artifact}: no such file or directory")
    try:
        images = load_registered_images()
    except PolicyError as error:
        raise _CannotVerify(f"registered images: {error}") from None
    return {
        "trust_roots": [root.certificate for root in roots],
        "policy": policy,
        "artifacts": arguments.artifact,
        "at": arguments.at,
        "allow_unmeasured_boot": arguments.allow_unmeasured_boot,
        "known_images": images,
        "tsa_roots": [root.certificate for root in tsa_roots],
    }


def _verify(arguments: argparse.Namespace) -> int:
    try:
        options = _verification_options(arguments)
    except _CannotVerify as error:
        return _cannot(str(error))
    try:
        certificate = load(arguments.certificate)
        report = verify(certificate, **options)
    except AICertError as error:
        return _cannot(f"{arguments.certificate}: {error}")
    if arguments.json:
        print(report.to_json())
    else:
        write_report(report, arguments.certificate, sys.stdout)
    return EXIT_VALID if report.valid else EXIT_FAILED


def _export(arguments: argparse.Namespace) -> int:
    if arguments.envelope is not None and arguments.format not in IN_TOTO_FORMATS:
        print(
            "aicert export: --envelope wraps an in-toto statement: use it with --format slsa or model-signing",
            file=sys.stderr,
        )
        return EXIT_CANNOT
    if arguments.output_name is not None and arguments.format != "model-signing":
        print("aicert export: --output-name chooses the output of --format model-signing", file=sys.stderr)
        return EXIT_CANNOT
    try:
        options = _verification_options(arguments)
        key = None if arguments.envelope is None else read_bounded(arguments.envelope, 1 << 16, FormatError)
    except _CannotVerify as error:
        return _cannot(str(error), "export")
    except FormatError as error:
        print(f"aicert export: cannot export {arguments.format}: --envelope {error}", file=sys.stderr)
        return EXIT_CANNOT
    try:
        data = export(
            arguments.certificate,
            format=arguments.format,
            output=arguments.output_name,
            envelope_key=key,
            **options,
        )
    except VerificationError as error:
        failed = [f"{check.name} ({check.reason})" for check in error.report.failures]
        print(f"aicert export: the certificate did not verify: {', '.join(failed)} failed", file=sys.stderr)
        return EXIT_FAILED
    except ExportError as error:
        print(f"aicert export: cannot export {arguments.format}: {error}", file=sys.stderr)
        return EXIT_CANNOT
    except AICertError as error:
        return _cannot(f"{arguments.certificate}: {error}", "export")
    if arguments.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return EXIT_VALID
    try:
        _write_atomically(arguments.output, data)
    except OSError as error:
        print(f"aicert export: -o {arguments.output}: cannot be written ({error.strerror or error})", file=sys.stderr)
        return EXIT_CANNOT
    return EXIT_VALID


def _write_atomically(path: str, data: bytes) -> None:
    """Writes ``data`` to a temporary file beside ``path``, then renames it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".aicert-export-")
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.fchmod(descriptor, 0o666 & ~mask)  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_report(report: Report, path: str, out: TextIO) -> None:
    """The human form: a headline, one line per check with its mark, inputs, outputs, verdict and trust.

    Every line is escaped (:func:`aicert_verify.terminal.escape`): certificate text cannot rewrite the terminal.
    """

    def line(text: str) -> None:
        out.write(escape(text) + "\n")

    line(f"{path}: {report.format}, platform {report.platform or 'unknown (the event log cannot be read)'}")
    width = max(len(name) for name in CHECK_NAMES)
    for check in report.checks:
        line(f"  {check.status.mark} {check.name.ljust(width)}  {check.detail}")
    if report.inputs:
        line("inputs:")
        for item in report.inputs:
            commit = f" @{item['commit'][:12]}" if isinstance(item.get("commit"), str) else ""
            line(
                f"  {item['name']}  {item['kind']} {item['source']}{commit}  {item['manifest_digest'][:16]}…  "
                f"{_files(item['files'])}, {_bytes(item['bytes'])}"
            )
    if report.outputs:
        line("outputs:")
        for item in report.outputs:
            line(f"  {item['name']}  {item['manifest_digest'][:16]}…  {_files(item['files'])}, {_bytes(item['bytes'])}")
    trust = f"{report.trust} ({report.trust_root})" if report.trust == "custom" and report.trust_root else report.trust
    failures = report.failures
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        line(f"{report.verdict} (trust: {trust}): {failures[0].name} failed{more}: {failures[0].detail}")
    else:
        warnings = [check.name for check in report.checks if check.status == Status.WARN]
        warned = f", with warnings: {', '.join(warnings)}" if warnings else ""
        line(f"{report.verdict} (trust: {trust}{warned})")


def _files(count: int) -> str:
    return "1 file" if count == 1 else f"{count} files"


def _bytes(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


def _hash(arguments: argparse.Namespace) -> int:
    if arguments.jobs is not None and not 1 <= arguments.jobs <= 256:
        print("aicert hash: --jobs must be between 1 and 256", file=sys.stderr)
        return EXIT_CANNOT
    failed = False
    results: list[dict[str, object]] = []
    for path in arguments.paths:
        try:
            manifest = measure(path, jobs=arguments.jobs)
        except MeasurementError as error:
            print(f"aicert hash: {error}", file=sys.stderr)
            failed = True
            continue
        if arguments.json:
            item: dict[str, object] = {"digest": manifest.digest, "path": path}
            if arguments.manifest:
                item["manifest"] = manifest.to_json()
            results.append(item)
        else:
            sys.stdout.write(f"{manifest.digest}  {path}\n")
            if arguments.manifest:
                _write_entries(manifest)
    if arguments.json:
        print(json.dumps(results, ensure_ascii=False))
    return EXIT_FAILED if failed else EXIT_VALID


def _write_entries(manifest: Manifest) -> None:
    for entry in manifest.entries:
        if entry.type == "file":
            sys.stdout.write(f"    file {entry.sha256} {entry.size} {entry.path}\n")
        elif entry.type == "symlink":
            sys.stdout.write(f"    symlink {entry.path} -> {entry.target}\n")
        else:
            sys.stdout.write(f"    dir {entry.path}/\n")
