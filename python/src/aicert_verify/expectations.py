"""The checks of what the user expects of the build: ``policy`` (inputs, outputs) and ``artifacts``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .errors import MeasurementError
from .manifest import Entry, Manifest, measure
from .policy import Policy
from .report import Check, Status

__all__ = ["policy_check", "artifacts_check", "unrequested_policy", "unrequested_artifacts"]


def unrequested_policy(policy: Policy | None) -> Check | None:
    """The skipped ``policy`` check when there is nothing to check: no policy, or one that
    requires no inputs or outputs; ``None`` when there are requirements."""
    if policy is None:
        return Check("policy", Status.SKIP, "not-requested", "no policy given")
    if not policy.inputs and not policy.outputs:
        return Check("policy", Status.SKIP, "not-requested", "the policy requires no inputs or outputs")
    return None


def unrequested_artifacts(paths: Sequence[str]) -> Check | None:
    """The skipped ``artifacts`` check when no artifact is given; ``None`` otherwise."""
    return None if paths else Check("artifacts", Status.SKIP, "not-requested", "no artifact given")


def policy_check(
    policy: Policy | None, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]], *, log_readable: bool
) -> Check:
    """Every input and output the policy requires is in the log with its digest (and commit)."""
    skipped = unrequested_policy(policy)
    if skipped is not None:
        return skipped
    assert policy is not None  # without a policy the check is always skipped
    if not log_readable:
        return Check(
            "policy",
            Status.FAIL,
            "policy-unreadable-log",
            "the event log cannot be read, so the inputs and outputs the policy requires are unknown",
        )
    for kind, required, present in (("input", policy.inputs, inputs), ("output", policy.outputs, outputs)):
        by_name = {item["name"]: item for item in present}
        for requirement in required:
            item = by_name.get(requirement.name)
            if item is None:
                return Check(
                    "policy",
                    Status.FAIL,
                    "requirement-missing",
                    f"{kind} '{requirement.name}' is required but not in the log",
                )
            if requirement.digest is not None and item["manifest_digest"] != requirement.digest:
                return Check(
                    "policy",
                    Status.FAIL,
                    "digest-mismatch",
                    f"{kind} '{requirement.name}' has manifest digest {item['manifest_digest'][:16]}…, "
                    f"the policy requires {requirement.digest[:16]}…",
                )
            if requirement.commit is not None:
                commit = item.get("commit")
                if not isinstance(commit, str) or commit.lower() != requirement.commit:
                    shown = f"commit {commit[:12]}" if isinstance(commit, str) else "no commit"
                    return Check(
                        "policy",
                        Status.FAIL,
                        "commit-mismatch",
                        f"input '{requirement.name}' has {shown}, the policy requires {requirement.commit[:12]}",
                    )
    return Check(
        "policy",
        Status.PASS,
        "ok",
        f"the log has the {len(policy.inputs)} input(s) and {len(policy.outputs)} output(s) the policy requires",
    )


def artifacts_check(paths: Sequence[str], outputs: dict[str, Manifest]) -> Check:
    """Each path, measured, matches an output: a directory its whole manifest, a file one entry."""
    skipped = unrequested_artifacts(paths)
    if skipped is not None:
        return skipped
    if not outputs:
        return Check(
            "artifacts",
            Status.FAIL,
            "artifact-mismatch",
            "the certificate has no output manifest bound to its log to match artifacts against",
        )
    matched: list[str] = []
    for path in paths:
        try:
            manifest = measure(path)
        except MeasurementError as error:
            return Check("artifacts", Status.FAIL, "artifact-unreadable", str(error))
        if os.path.isdir(path):
            found = next((name for name, output in sorted(outputs.items()) if output.digest == manifest.digest), None)
            if found is None:
                name, difference = _closest(path, manifest, outputs)
                return Check(
                    "artifacts", Status.FAIL, "artifact-mismatch", f"{path} is not output '{name}': {difference}"
                )
            matched.append(f"{path} is output '{found}'")
        else:
            entry = manifest.entries[0]
            candidates = [
                (name, item)
                for name, output in sorted(outputs.items())
                for item in output.entries
                if item.type == "file" and item.path.rsplit("/", 1)[-1] == entry.path
            ]
            hit = next(
                ((name, item) for name, item in candidates if item.sha256 == entry.sha256 and item.size == entry.size),
                None,
            )
            if hit is None:
                if candidates:
                    name, item = candidates[0]
                    return Check(
                        "artifacts",
                        Status.FAIL,
                        "artifact-mismatch",
                        f"{path} differs from '{item.path}' of output '{name}' "
                        f"(sha256 {(entry.sha256 or '')[:16]}…, the certificate says {(item.sha256 or '')[:16]}…)",
                    )
                return Check(
                    "artifacts", Status.FAIL, "artifact-mismatch", f"{path}: no output has a file named '{entry.path}'"
                )
            matched.append(f"{path} is '{hit[1].path}' of output '{hit[0]}'")
    return Check("artifacts", Status.PASS, "ok", "; ".join(matched))


def _closest(path: str, manifest: Manifest, outputs: dict[str, Manifest]) -> tuple[str, str]:
    """The output ``path`` most likely stands for, and its first difference from it."""
    base = os.path.basename(os.path.normpath(path))
    if base in outputs:
        name = base
    else:
        mine = {entry.path for entry in manifest.entries}
        name = max(sorted(outputs), key=lambda each: len(mine & {entry.path for entry in outputs[each].entries}))
    return name, _first_difference(manifest.entries, outputs[name].entries)


def _first_difference(found: Sequence[Entry], recorded: Sequence[Entry]) -> str:
    mine = {entry.path: entry for entry in found}
    theirs = {entry.path: entry for entry in recorded}
    for path in sorted(set(mine) | set(theirs), key=lambda each: each.encode("utf-8")):
        if path not in mine:
            return f"'{path}' is missing"
        if path not in theirs:
            return f"'{path}' is extra"
        if mine[path] != theirs[path]:
            if mine[path].type == theirs[path].type == "file":
                found_hash, recorded_hash = mine[path].sha256 or "", theirs[path].sha256 or ""
                return f"'{path}' is different (sha256 {found_hash[:16]}…, the certificate says {recorded_hash[:16]}…)"
            return f"'{path}' is different"
    return "the manifests differ"
