"""The OpenSSF model-signing v1.0 statement of one output (docs/exports.md, "model-signing").

Its digests are those the ``model-signing`` library computes on the downloaded files (``files``
serialization, SHA-256): one resource per regular file, sorted as model-signing sorts paths,
and a subject SHA-256 over the resources' digest bytes in that order.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .build import ExportError, VerifiedBuild

__all__ = ["model_signing_document"]

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"


def model_signing_document(build: VerifiedBuild, output: str | None = None) -> dict[str, Any]:
    """The statement of ``output`` (by default the build's only output)."""
    name = _chosen_output(build, output)
    resources: list[tuple[str, str]] = []
    for entry in build.certificate.output_manifests.get(name, {}).get("entries", []):
        if entry["type"] == "file":
            resources.append((entry["path"], entry["sha256"]))
        elif entry["type"] == "symlink":
            raise ExportError(
                "unsupported", f"output '{name}' holds the symbolic link '{entry['path']}', which model signing refuses"
            )
    # model-signing orders PurePosixPath keys: lists of names, each compared by code points.
    resources.sort(key=lambda resource: resource[0].split("/"))
    root = hashlib.sha256(b"".join(bytes.fromhex(digest) for _, digest in resources)).hexdigest()
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": root}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": False},
            "resources": [{"name": path, "algorithm": "sha256", "digest": digest} for path, digest in resources],
        },
    }


def _chosen_output(build: VerifiedBuild, output: str | None) -> str:
    names = [item["name"] for item in build.summary["outputs"]]
    if output is not None:
        if output not in names:
            raise ExportError("unsupported", f"the build has no output '{output}' (it has {', '.join(names)})")
        return output
    if len(names) != 1:
        raise ExportError("unsupported", f"model signing describes one output; name one of {', '.join(names)}")
    return str(names[0])
