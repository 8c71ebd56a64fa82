"""An in-toto Statement v1 with a SLSA Provenance v1 predicate (docs/exports.md, "slsa")."""

from __future__ import annotations

import hashlib
from typing import Any

from .build import ExportError, VerifiedBuild

__all__ = ["BUILD_TYPE", "BUILDER_PREFIX", "slsa_document", "input_uri"]

BUILD_TYPE = "https://aicert.dev/build/v1"
BUILDER_PREFIX = "https://aicert.dev/builder/v1/"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"


def slsa_document(build: VerifiedBuild) -> dict[str, Any]:
    """The provenance statement of ``build``: outputs as subjects, inputs as dependencies."""
    files = build.output_files
    if not files:
        raise ExportError("unsupported", "the build has no output file to be a subject of the provenance")
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": file.name, "digest": {"sha256": file.sha256}} for file in files],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": build.content("aicert/build-spec"),
                "internalParameters": {
                    "runner": build.content("aicert/runner"),
                    "environment": build.content("aicert/environment"),
                },
                "resolvedDependencies": [_dependency(item) for item in build.summary["inputs"]],
            },
            "runDetails": {
                "builder": {"id": builder_id(build)},
                "metadata": {
                    "invocationId": build.certificate.nonce,
                    "startedOn": build.started_on,
                    "finishedOn": build.finished_on,
                },
                "byproducts": [
                    {"name": "certificate.json", "digest": {"sha256": build.certificate_digest}},
                    {"name": "event_log", "digest": {"sha256": build.event_log_digest}},
                ],
            },
        },
    }


def builder_id(build: VerifiedBuild) -> str:
    """``https://aicert.dev/builder/v1/PLATFORM?ak=SHA256`` of the AK certificate (DER)."""
    chain = build.certificate.certificate_chain
    ak = hashlib.sha256(chain[0]).hexdigest() if chain else ""
    return f"{BUILDER_PREFIX}{build.platform}?ak={ak}"


def input_uri(item: dict[str, Any]) -> str | None:
    """``git+URL@COMMIT`` for git inputs, the URL for url inputs, none for an upload."""
    if item["kind"] == "git":
        base = item["source"] if item["source"].startswith("git+") else "git+" + item["source"]
        return f"{base}@{item['commit']}" if "commit" in item else base
    if item["kind"] == "url":
        return str(item["source"])
    return None


def _dependency(item: dict[str, Any]) -> dict[str, Any]:
    digest = {"aicertManifestSha256": item["manifest_digest"]}
    if "commit" in item:
        digest["gitCommit"] = item["commit"]
    dependency: dict[str, Any] = {
        "name": item["name"],
        "digest": digest,
        "annotations": {
            "kind": item["kind"],
            "source": item["source"],
            "files": item["files"],
            "bytes": item["bytes"],
        },
    }
    uri = input_uri(item)
    if uri is not None:
        dependency["uri"] = uri
    return dependency
