"""Stable identifiers and timestamps shared by every room."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_guid() -> str:
    """A GUID in the canonical lower-case form; stored once and never regenerated."""
    return str(uuid.uuid4())


def normalise_guid(value: str) -> str:
    """Accept upper/lower case and braced GUIDs, as other tools write them."""
    return str(uuid.UUID(value.strip().strip("{}")))


def now() -> str:
    """UTC time in ISO 8601 with seconds, the form REFI-QDA dateTime accepts."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
