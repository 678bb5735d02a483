"""User-level settings: who is coding, and the user's own preferences.

The coder's name decides whose codings a change belongs to and whose undo stack it joins, so it is
resolved the same way everywhere: an explicit `--coder`, then `CASECODER_CODER`, then the user
config file, then the login name.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from pathlib import Path
from typing import Any

from casecoder.errors import UserError

ENV_CODER = "CASECODER_CODER"
ENV_CONFIG = "CASECODER_CONFIG"


def config_path() -> Path:
    """Where the user config lives (overridable for tests and shared machines)."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("casecoder", appauthor=False)) / "config.toml"


def load_config() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the user config {path}: {exc}") from None


def validate_coder_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("a coder name cannot be empty")
    if len(cleaned) > 80:
        raise UserError("a coder name can be at most 80 characters")
    return cleaned


def resolve_coder(explicit: str | None = None) -> str:
    if explicit:
        return validate_coder_name(explicit)
    env = os.environ.get(ENV_CODER)
    if env:
        return validate_coder_name(env)
    configured = load_config().get("coder")
    if isinstance(configured, str) and configured.strip():
        return validate_coder_name(configured)
    try:
        return validate_coder_name(getpass.getuser())
    except (OSError, KeyError):
        return "coder"


def set_config_value(key: str, value: str) -> None:
    """Remember one top-level setting (such as `theme`) in the user config file.

    The file is the user's own and may hold comments and a `[keys]` table, so only the one
    `key = "..."` line is replaced or added (before the first table); the rest is kept as
    written. The new file replaces the old one in one rename.
    """
    import json
    import re

    path = config_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    first_table = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")),
                       len(lines))
    for i, existing in enumerate(lines[:first_table]):
        if pattern.match(existing):
            lines[i] = line
            break
    else:
        lines.insert(first_table, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
