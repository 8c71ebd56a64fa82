"""The package installs into a fresh virtual environment with pip and runs from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

from builders import CertificateFactory, encode

PACKAGE = Path(__file__).resolve().parents[1]


def test_pip_install_into_a_fresh_venv_then_verify(tmp_path: Path, factory: CertificateFactory, root_pem: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(
        PACKAGE,
        source,
        ignore=shutil.ignore_patterns(".venv", "*.egg-info", "build", "dist", "__pycache__", ".pytest_cache", "tests"),
    )
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = str(environment / "bin" / "python")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*command: str, **options: Any) -> subprocess.CompletedProcess[str]:
        """``command`` in the fresh environment, from ``tmp_path``, its output captured as text."""
        return subprocess.run(list(command), capture_output=True, text=True, env=env, cwd=tmp_path, **options)

    install = run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source), timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    shutil.rmtree(source)  # what runs now is the installed copy, roots and py.typed included
    where = run(
        python,
        "-c",
        "import importlib.metadata, importlib.util, pathlib, aicert_verify;"
        "p = pathlib.Path(aicert_verify.__file__).parent; print(p);"
        "assert (p / 'py.typed').is_file(); assert list((p / 'roots').glob('*.pem'));"
        "assert importlib.metadata.version('aicert-verify') == '0.1.0';"
        "assert importlib.util.find_spec('aicert') is None, 'installed an importable aicert'",
    )
    assert where.returncode == 0, where.stderr
    assert str(environment) in where.stdout
    certificate = tmp_path / "certificate.json"
    certificate.write_bytes(encode(factory.document()))
    verify_command = ("verify", str(certificate), "--trust-root", str(root_pem), "--allow-unmeasured-boot")
    verified = run(python, "-m", "aicert_verify", *verify_command)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "✓ quote-signature" in verified.stdout
    untrusted = run(python, "-m", "aicert_verify", "verify", str(certificate), "--json")
    assert untrusted.returncode == 1
    assert '"name": "ak-chain", "status": "fail", "reason": "untrusted-root"' in untrusted.stdout
    (tmp_path / "abc.txt").write_bytes(b"abc")
    hashed = run(python, "-m", "aicert_verify", "hash", "abc.txt")
    assert hashed.stdout == "c878a01ed14ee8f5282c92daebbee16447d1fb1809ea877e7a9e986f38550872  abc.txt\n"
    # the console script: same command line as python -m aicert_verify; aicert-py is gone
    script = environment / "bin" / "aicert-verify"
    assert script.is_file() and not (environment / "bin" / "aicert-py").exists()
    scripted = run(str(script), *verify_command)
    assert scripted.returncode == 0, scripted.stdout + scripted.stderr
    assert "✓ quote-signature" in scripted.stdout
    hashed = run(str(script), "hash", "abc.txt")
    assert hashed.stdout == "c878a01ed14ee8f5282c92daebbee16447d1fb1809ea877e7a9e986f38550872  abc.txt\n"
    usage = run(str(script))
    assert usage.returncode == 2 and usage.stderr.startswith("usage: aicert-verify "), usage.stderr
    assert sys.version_info >= (3, 10)
