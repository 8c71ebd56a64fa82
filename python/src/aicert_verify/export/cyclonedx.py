"""A CycloneDX 1.6 ML-BOM of a verified build (docs/exports.md, "cyclonedx")."""

from __future__ import annotations

import uuid
from typing import Any

from .build import VerifiedBuild
from .slsa import input_uri

__all__ = ["SPEC_VERSION", "cyclonedx_document", "serial_number", "input_role"]

SPEC_VERSION = "1.6"


def cyclonedx_document(build: VerifiedBuild) -> dict[str, Any]:
    """The BOM of ``build``: the model, its inputs, the formulation, the certificate."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial_number(build.certificate_digest),
        "version": 1,
        "metadata": {"timestamp": build.finished_on, "component": _model(build)},
        "components": [_input(build, item) for item in build.summary["inputs"]],
        "formulation": [_formula(build)],
        "externalReferences": [
            {
                "type": "attestation",
                "url": "certificate.json",
                "comment": "The AICert certificate that proves this BOM's build (aicert/v1).",
                "hashes": [_hash(build.certificate_digest)],
            }
        ],
    }


def serial_number(certificate_digest: str) -> str:
    """``urn:uuid:`` of the version 5 UUID, URL namespace, of ``urn:aicert:certificate:sha256:HEX``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:aicert:certificate:sha256:{certificate_digest}").urn


def input_role(item: dict[str, Any], command: list[str]) -> str:
    """``source-code`` for a git input or one whose directory the command names, else ``dataset``."""
    directory = f"/aicert/inputs/{item['name']}"
    named = any(directory + "/" in argument or argument.endswith(directory) for argument in command)
    return "source-code" if item["kind"] == "git" or named else "dataset"


def _model(build: VerifiedBuild) -> dict[str, Any]:
    return {
        "type": "machine-learning-model",
        "bom-ref": "model",
        "name": "+".join(output["name"] for output in build.summary["outputs"]),
        "components": [
            {"type": "file", "bom-ref": f"output:{file.name}", "name": file.name, "hashes": [_hash(file.sha256)]}
            for file in build.output_files
        ],
        "properties": [
            _property(f"aicert:output:{output['name']}:manifest-sha256", output["manifest_digest"])
            for output in build.summary["outputs"]
        ],
    }


def _input(build: VerifiedBuild, item: dict[str, Any]) -> dict[str, Any]:
    properties = [
        _property("aicert:kind", item["kind"]),
        _property("aicert:source", item["source"]),
        _property("aicert:manifest-sha256", item["manifest_digest"]),
    ]
    if "commit" in item:
        properties.append(_property("aicert:git-commit", item["commit"]))
    component: dict[str, Any] = {
        "type": "data",
        "bom-ref": f"input:{item['name']}",
        "name": item["name"],
        "data": [{"type": input_role(item, build.summary["command"]), "name": item["name"]}],
        "properties": properties,
    }
    uri = input_uri(item)
    if uri is not None:
        component["externalReferences"] = [{"type": "vcs" if item["kind"] == "git" else "distribution", "url": uri}]
    return component


def _formula(build: VerifiedBuild) -> dict[str, Any]:
    return {
        "bom-ref": "formulation",
        "workflows": [
            {
                "bom-ref": "workflow",
                "uid": build.certificate.nonce,
                "name": "aicert build",
                "taskTypes": ["build"],
                "timeStart": build.started_on,
                "timeEnd": build.finished_on,
                "inputs": [{"resource": {"ref": f"input:{item['name']}"}} for item in build.summary["inputs"]],
                "outputs": [{"type": "artifact", "resource": {"ref": "model"}}],
                "steps": [{"name": "job", "commands": [{"executed": " ".join(build.summary["command"])}]}],
            }
        ],
    }


def _hash(digest: str) -> dict[str, str]:
    return {"alg": "SHA-256", "content": digest}


def _property(name: str, value: str) -> dict[str, str]:
    return {"name": name, "value": value}
