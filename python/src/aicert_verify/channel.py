"""The binding of a quote to the runner's TLS key: the quote's extraData is
SHA-256("aicert-tls-v1" ‖ nonce ‖ SHA-256(SPKI of the runner's TLS certificate)), and the runner
event names that SPKI digest as ``tls_spki_sha256``."""

from __future__ import annotations

import hashlib
import re
from typing import Any

LABEL = b"aicert-tls-v1"
RUNNER_EVENT_MEMBER = "tls_spki_sha256"
_DIGEST = re.compile(r"[0-9a-f]{64}")


def channel_qualifying_data(nonce: bytes, key_digest: bytes) -> bytes:
    """The qualifying data of a quote asked for with ``nonce`` over the channel of that key."""
    return hashlib.sha256(LABEL + nonce + key_digest).digest()


def channel_key_digest(event_log: list[Any]) -> bytes | None:
    """The TLS key digest the runner event (the log's first record) names, or None when it names
    no well-formed one; the event-log check judges the log's grammar, this only reads it."""
    if not event_log or not isinstance(event_log[0], dict):
        return None
    first = event_log[0]
    content = first.get("content")
    if first.get("content_type") != "aicert/runner" or not isinstance(content, dict):
        return None
    text = content.get(RUNNER_EVENT_MEMBER)
    if not isinstance(text, str) or not _DIGEST.fullmatch(text):
        return None
    return bytes.fromhex(text)
