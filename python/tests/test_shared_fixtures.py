"""The verdicts of the fixtures the Swift side commits, from the same table it checks itself.

Tests/AICertVerifyTests/Fixtures/expected.json lists, for each file, the trust roots, TSA
roots, artifacts, policy, time and ``allow_unmeasured_boot`` to verify with, the exit code, the check
that must fail with its reason code, and the trust the chain must reach. Two
independent verifiers agreeing on every row is the point: this test fails (it does not skip)
when the fixtures are missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import aicert_verify

FIXTURES = Path(__file__).resolve().parents[2] / "Tests/AICertVerifyTests/Fixtures"


def cases() -> list[dict[str, Any]]:
    table = FIXTURES / "expected.json"
    if not table.is_file():
        return [{"file": None}]
    return list(json.loads(table.read_text(encoding="utf-8"))["cases"])


def test_the_fixture_table_exists() -> None:
    assert (FIXTURES / "expected.json").is_file(), (
        f"missing {FIXTURES / 'expected.json'} (made by scripts/make-fixtures)"
    )
    assert len(cases()) >= 17


@pytest.mark.parametrize("case", cases(), ids=lambda case: str(case["file"]))
def test_the_python_verdict_is_the_swift_one(case: dict[str, Any]) -> None:
    assert case["file"] is not None, f"missing {FIXTURES / 'expected.json'}"
    options = {
        "trust_roots": [FIXTURES / root for root in case.get("trust_roots", [])],
        "tsa_roots": [FIXTURES / root for root in case.get("tsa_roots", [])],
        "artifacts": [FIXTURES / artifact for artifact in case.get("artifacts", [])],
        "policy": FIXTURES / case["policy"] if case.get("policy") else None,
        "at": case.get("at"),
        "allow_unmeasured_boot": bool(case.get("allow_unmeasured_boot", False)),
    }
    if case["exit"] == 2:
        with pytest.raises(aicert_verify.AICertError):
            aicert_verify.verify(FIXTURES / case["file"], **options)
        return
    report = aicert_verify.verify(FIXTURES / case["file"], **options)
    assert report.valid == (case["exit"] == 0), report.checks
    assert report.trust == case["trust"], (report.trust, report.trust_root)
    if case.get("failing_check"):
        failed = report.check(case["failing_check"])
        assert (failed.status, failed.reason) == ("fail", case["reason"]), report.checks


@pytest.mark.parametrize("case", cases(), ids=lambda case: str(case["file"]))
def test_the_command_line_exit_code_is_the_table_one(case: dict[str, Any]) -> None:
    assert case["file"] is not None, f"missing {FIXTURES / 'expected.json'}"
    command = [sys.executable, "-m", "aicert_verify", "verify", str(FIXTURES / case["file"]), "--json"]
    for root in case.get("trust_roots", []):
        command += ["--trust-root", str(FIXTURES / root)]
    for root in case.get("tsa_roots", []):
        command += ["--tsa-root", str(FIXTURES / root)]
    for artifact in case.get("artifacts", []):
        command += ["--artifact", str(FIXTURES / artifact)]
    if case.get("policy"):
        command += ["--policy", str(FIXTURES / case["policy"])]
    if case.get("at"):
        command += ["--at", case["at"]]
    if case.get("allow_unmeasured_boot", False):
        command.append("--allow-unmeasured-boot")
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == case["exit"], run.stdout + run.stderr
    if case["exit"] != 2:
        report = json.loads(run.stdout)
        assert report["trust"] == case["trust"], run.stdout
    if case["exit"] != 2 and case.get("failing_check"):
        expected = {"name": case["failing_check"], "status": "fail", "reason": case["reason"]}
        assert (
            expected.items()
            <= next(check for check in report["checks"] if check["name"] == case["failing_check"]).items()
        )
