"""Project settings the exchange keeps for what casecoder has no table for."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from casecoder.exchange.snapshot import JsonValue

if TYPE_CHECKING:
    from casecoder.project import Project

#: Code groups: JSON {set name: [code guids]}.
CODE_SETS_SETTING = "code_sets"
#: GUIDs brought in for objects casecoder has no row for: JSON {"variable:NAME": guid,
#: "set:NAME": guid}. Export prefers them to derived GUIDs.
REFI_GUIDS_SETTING = "refi_guids"
#: Project metadata kept only for the round trip: JSON {"origin", "modified_at",
#: "creating_user", "modifying_user", "user_ids": {coder guid: User@id}}.
METADATA_SETTING = "refi_metadata"


def read_json_setting(project: Project, key: str) -> dict[str, JsonValue]:
    """A JSON object setting; anything malformed reads as empty (it came from a file)."""
    raw = project.setting(key)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def code_sets(project: Project) -> dict[str, list[str]]:
    """The project's code groups, {set name: [code guids]}, ignoring malformed entries."""
    raw = read_json_setting(project, CODE_SETS_SETTING)
    return {str(name): [str(g) for g in members if isinstance(g, str)]
            for name, members in raw.items() if isinstance(members, list)}


def dumps(value: object) -> str:
    """JSON for settings: stable key order, Norwegian letters kept readable."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
