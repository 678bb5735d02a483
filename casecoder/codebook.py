"""Codebooks as YAML files: reading, validating and writing the code tree.

A codebook file is the researcher's to edit by hand, so it is validated as a whole before any of
it touches a project, and every problem is reported with the code path it concerns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casecoder.errors import UserError

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Shortcut keys the TUI can bind without clashing with navigation keys.
SHORTCUT_KEYS = frozenset("123456789")
MAX_CODEBOOK_BYTES = 5_000_000
#: A code tree deeper than this is a mistake or an attack (and would exhaust recursion).
MAX_CODE_DEPTH = 40
#: Nesting of YAML collections any of our files may use (a codebook level takes two).
MAX_YAML_DEPTH = 2 * MAX_CODE_DEPTH + 8

#: Distinct, readable colours for codes that come without one (Okabe-Ito plus Tableau tones).
PALETTE = (
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
    "#4e79a7", "#f28e2b", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
)


@dataclass
class CodeSpec:
    """One code of a codebook file, before it is stored."""

    name: str
    description: str = ""
    color: str | None = None
    keywords: list[str] = field(default_factory=list)
    shortcut: str | None = None
    codable: bool = True
    guid: str | None = None
    children: list[CodeSpec] = field(default_factory=list)


@dataclass
class CodebookSpec:
    name: str
    description: str
    language: str | None
    codes: list[CodeSpec]

    def walk(self) -> Iterator[tuple[str, CodeSpec]]:
        """Yield (path, spec) depth-first, parents before children."""
        stack: list[tuple[str, CodeSpec]] = [(c.name, c) for c in reversed(self.codes)]
        while stack:
            path, spec = stack.pop()
            yield path, spec
            stack.extend((f"{path}/{c.name}", c) for c in reversed(spec.children))


def load_yaml(text: str, source: str) -> Any:
    """`yaml.safe_load`, but refusing anchors, aliases and deep nesting in one line.

    An alias is a shared reference: a 2 KB file can stand for billions of codes or gigabytes
    of memo text once walked ("billion laughs"), and a self-reference makes a cycle. None of
    our files needs them, so every YAML reader of casecoder (codebooks, quote codings,
    pseudonyms) goes through here. The events are checked with libyaml before anything is
    built, so a hostile file costs one linear pass.
    """
    import yaml  # here, not at module import: every CLI command imports this module

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise UserError(f"{source}: YAML anchors and aliases (& and *) are not "
                                f"allowed (line {line})")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    raise UserError(f"{source}: nested more than {MAX_YAML_DEPTH} levels "
                                    f"deep (line {line})")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(text, Loader=loader)  # a safe loader (CSafeLoader/SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise UserError(f"{source} is not valid YAML{at}") from None


def validate_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise UserError(f"{where}: a code needs a non-empty name")
    cleaned = " ".join(name.split())
    if "/" in cleaned:
        raise UserError(f"{where}: code name {cleaned!r} cannot contain '/' (it separates paths)")
    if len(cleaned) > 120:
        raise UserError(f"{where}: code name {cleaned[:30]!r}... is longer than 120 characters")
    return cleaned


def validate_color(color: Any, where: str) -> str | None:
    if color is None or color == "":
        return None
    if not isinstance(color, str) or not HEX_COLOR.match(color.strip()):
        raise UserError(f"{where}: colour {color!r} is not of the form #rrggbb")
    return color.strip().lower()


def validate_shortcut(shortcut: Any, where: str) -> str | None:
    if shortcut is None or shortcut == "":
        return None
    key = str(shortcut).strip()
    if key not in SHORTCUT_KEYS:
        raise UserError(f"{where}: shortcut {shortcut!r} must be one of the digits 1-9")
    return key


def _keywords(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(k, str | int) for k in value):
        raise UserError(f"{where}: keywords must be a list of words")
    return [str(k).strip() for k in value if str(k).strip()]


def _code(raw: Any, parent: str, depth: int = 1) -> CodeSpec:
    where = f"code under {parent!r}" if parent else "top-level code"
    if depth > MAX_CODE_DEPTH:
        raise UserError(f"{where}: codes are nested more than {MAX_CODE_DEPTH} levels deep")
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        raise UserError(f"{where}: each code must be a mapping with at least a name")
    name = validate_name(raw.get("name"), where)
    path = f"{parent}/{name}" if parent else name
    unknown = set(raw) - {"name", "description", "color", "colour", "keywords", "shortcut",
                          "codable", "guid", "children"}
    if unknown:
        raise UserError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    children_raw = raw.get("children") or []
    if not isinstance(children_raw, list):
        raise UserError(f"{path}: children must be a list of codes")
    children = [_code(c, path, depth + 1) for c in children_raw]
    seen: set[str] = set()
    for child in children:
        folded = child.name.casefold()
        if folded in seen:
            raise UserError(f"{path}: two children are named {child.name!r}")
        seen.add(folded)
    description = raw.get("description") or ""
    if not isinstance(description, str):
        raise UserError(f"{path}: description must be text")
    return CodeSpec(
        name=name,
        description=description.strip(),
        color=validate_color(raw.get("color", raw.get("colour")), path),
        keywords=_keywords(raw.get("keywords"), path),
        shortcut=validate_shortcut(raw.get("shortcut"), path),
        codable=bool(raw.get("codable", True)),
        guid=str(raw["guid"]) if raw.get("guid") else None,
        children=children,
    )


def parse_codebook(data: Any, source: str = "codebook") -> CodebookSpec:
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise UserError(f"{source}: a codebook needs a top-level 'codes:' list")
    codes = [_code(c, "") for c in data["codes"]]
    seen: set[str] = set()
    for code in codes:
        if code.name.casefold() in seen:
            raise UserError(f"{source}: two top-level codes are named {code.name!r}")
        seen.add(code.name.casefold())
    book = CodebookSpec(
        name=str(data.get("name") or ""),
        description=str(data.get("description") or "").strip(),
        language=str(data["language"]) if data.get("language") else None,
        codes=codes,
    )
    shortcuts: dict[str, str] = {}
    guids: dict[str, str] = {}
    for path, spec in book.walk():
        if spec.guid:
            key = spec.guid.strip().lower()
            if key in guids:
                raise UserError(f"{source}: GUID {spec.guid} is given to both "
                                f"{guids[key]} and {path}")
            guids[key] = path
        if spec.shortcut:
            if spec.shortcut in shortcuts:
                raise UserError(
                    f"{source}: shortcut {spec.shortcut} is given to both "
                    f"{shortcuts[spec.shortcut]} and {path}"
                )
            shortcuts[spec.shortcut] = path
    return book


def read_codebook(path: Path) -> CodebookSpec:
    if not path.exists():
        raise UserError(f"codebook {path} does not exist")
    if path.stat().st_size > MAX_CODEBOOK_BYTES:
        raise UserError(f"codebook {path} is larger than {MAX_CODEBOOK_BYTES // 1_000_000} MB")

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"codebook {path} is not UTF-8 text") from None
    data = load_yaml(text, f"codebook {path}")
    return parse_codebook(data, str(path))


def dump_codebook(name: str, description: str, language: str | None,
                  tree: Iterable[dict[str, Any]]) -> str:
    """YAML text for a codebook; `tree` holds nested dicts in the file's own shape."""
    data: dict[str, Any] = {"name": name}
    if language:
        data["language"] = language
    if description:
        data["description"] = description
    data["codes"] = list(tree)
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
