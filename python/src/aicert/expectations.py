"""The checks of what the user expects: ``boot-state``, ``policy`` and ``artifacts``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .errors import MeasurementError
from .manifest import Entry, Manifest, measure
from .policy import Policy
from .report import Check, Status

__all__ = ["boot_state_check", "policy_check", "artifacts_check"]


def boot_state_check(platform: str, quoted: dict[int, bytes] | None, policy: Policy | None) -> Check:
    """PCRs 0–13 against the policy's reference values for ``platform``; ``warn`` when unchecked."""
    if policy is None:
        return Check("boot-state", Status.WARN, "unchecked: no policy gives reference values for PCRs 0–13")
    references = policy.platforms.get(platform)
    if not references:
        return Check(
            "boot-state", Status.WARN, f"unchecked: the policy has no reference values for platform '{platform}'"
        )
    if quoted is None:
        return Check("boot-state", Status.FAIL, "the quoted PCR values are unreadable")
    for pcr in sorted(references):
        value = quoted.get(pcr)
        if value is None:
            return Check("boot-state", Status.FAIL, f"PCR {pcr} has a reference value but is not quoted")
        if value.hex() not in references[pcr]:
            return Check(
                "boot-state",
                Status.FAIL,
                f"PCR {pcr} is {value.hex()[:16]}…, not a reference value for platform '{platform}'",
            )
    listed = ", ".join(str(pcr) for pcr in sorted(references))
    subject = f"PCRs {listed} match" if len(references) > 1 else f"PCR {listed} matches"
    return Check("boot-state", Status.PASS, f"{subject} the reference values for platform '{platform}'")


def policy_check(policy: Policy | None, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> Check:
    """Every input and output the policy requires is in the log with its digest (and commit)."""
    if policy is None:
        return Check("policy", Status.SKIP, "no policy given")
    if not policy.inputs and not policy.outputs:
        return Check("policy", Status.SKIP, "the policy requires no inputs or outputs")
    for kind, required, present in (("input", policy.inputs, inputs), ("output", policy.outputs, outputs)):
        by_name = {item["name"]: item for item in present}
        for requirement in required:
            item = by_name.get(requirement.name)
            if item is None:
                return Check("policy", Status.FAIL, f"{kind} '{requirement.name}' is required but not in the log")
            if requirement.digest is not None and item["manifest_digest"] != requirement.digest:
                return Check(
                    "policy",
                    Status.FAIL,
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
                        f"input '{requirement.name}' has {shown}, the policy requires {requirement.commit[:12]}",
                    )
    return Check(
        "policy",
        Status.PASS,
        f"the log has the {len(policy.inputs)} input(s) and {len(policy.outputs)} output(s) the policy requires",
    )


def artifacts_check(paths: Sequence[str], outputs: dict[str, Manifest]) -> Check:
    """Each path, measured, matches an output: a directory its whole manifest, a file one entry."""
    if not paths:
        return Check("artifacts", Status.SKIP, "no artifact given")
    if not outputs:
        return Check(
            "artifacts",
            Status.FAIL,
            "the certificate has no output manifest bound to its log to match artifacts against",
        )
    matched: list[str] = []
    for path in paths:
        try:
            manifest = measure(path)
        except MeasurementError as error:
            return Check("artifacts", Status.FAIL, str(error))
        if os.path.isdir(path):
            found = next((name for name, output in sorted(outputs.items()) if output.digest == manifest.digest), None)
            if found is None:
                name, difference = _closest(path, manifest, outputs)
                return Check("artifacts", Status.FAIL, f"{path} is not output '{name}': {difference}")
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
                        f"{path} differs from '{item.path}' of output '{name}' "
                        f"(sha256 {(entry.sha256 or '')[:16]}…, the certificate says {(item.sha256 or '')[:16]}…)",
                    )
                return Check("artifacts", Status.FAIL, f"{path}: no output has a file named '{entry.path}'")
            matched.append(f"{path} is '{hit[1].path}' of output '{hit[0]}'")
    return Check("artifacts", Status.PASS, "; ".join(matched))


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
