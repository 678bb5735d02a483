"""REFI-QDA readers: codebooks (.qdc), whole projects (.qdpx) and Taguette-style CSV codebooks.

Files come from NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette and from people, so the reader is
lenient about shape and strict about safety:

- shape: GUIDs in any case and in braces, a `basePath`, extra files in sources/, member names
  in any letter case, CRLF texts (positions are counted in the text as written, so they are
  mapped onto the stored LF text), a .docx at richTextPath when there is no plain text,
  `isCodable="false"` categories, elements we do not know (ignored and counted), and sources
  we cannot code (PDF, pictures, audio, video: skipped and listed). Elements are matched by
  local name, so a file with a missing or odd namespace still reads.
- safety: XML is parsed by defusedxml with entity declarations and external references
  refused (so "billion laughs" and XXE fail before any expansion), the zip is vetted from its
  central directory before anything is inflated (see safezip), text is only ever read from
  inside the archive (a `relative://` or `absolute://` path in a file from someone else must
  not pull files off this machine), and a .qdpx becomes a new project that is built in a
  temporary file beside the target and renamed into place only when complete: a broken or
  hostile file ends in one UserError line and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import json
import re
import tempfile
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

from casecoder.codebook import CodebookSpec, CodeSpec, validate_color, validate_shortcut
from casecoder.errors import ImportFileError, UserError
from casecoder.export.cells import FORMULA_START
from casecoder.export.refiqda import (
    CODE_SETS_SETTING,
    EXTENSION_FORMAT,
    EXTENSION_MEMBER,
    REFI_GUIDS_SETTING,
    code_sets,
    read_json_setting,
    xsd_datetime,
)

if TYPE_CHECKING:
    from casecoder.ingest.model import SegmentSpec, SourceText
    from casecoder.project import Project

MAX_QDC_BYTES = 50 * 1024 * 1024
MAX_QDE_BYTES = 200 * 1024 * 1024
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_EXTENSION_BYTES = 50 * 1024 * 1024
#: What a .qdpx may make us inflate: every member except media we only list and never read.
MAX_QDPX_READ_BYTES = 500 * 1024 * 1024
MAX_QDPX_MEMBERS = 100_000
MAX_COMPRESSION_RATIO = 100
MAX_CODE_NAME = 120
MAX_DOCUMENT_NAME = 200
MAX_CODER_NAME = 80
#: Members that are never read (sources casecoder skips), so they do not count towards the
#: size cap; embedded video can be gigabytes. Everything else counts.
_MEDIA_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".mp3",
                   ".m4a", ".wav", ".aac", ".ogg", ".flac", ".mp4", ".m4v", ".mov", ".avi",
                   ".mpg", ".mpeg", ".wmv", ".mkv", ".webm")
_MEDIA_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                  "VideoSource": "video"}
_SEGMENT_KINDS = ("sentence", "turn", "paragraph")
_SEGMENT_NAME = re.compile(r"^(sentence|turn|paragraph) (\d+)$")
#: Every element name in Project.xsd and Codebook.xsd; anything else is counted as unknown.
KNOWN_ELEMENTS = frozenset({
    "Project", "Users", "User", "CodeBook", "Codes", "Code", "Description", "NoteRef",
    "Variables", "Variable", "Cases", "Case", "CodeRef", "VariableValue", "VariableRef",
    "TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue",
    "SourceRef", "SelectionRef", "Sources", "TextSource", "PictureSource", "PDFSource",
    "AudioSource", "VideoSource", "PlainTextContent", "PlainTextSelection", "Coding",
    "TextDescription", "PictureSelection", "PDFSelection", "Representation", "Transcript",
    "SyncPoint", "TranscriptSelection", "AudioSelection", "VideoSelection", "Notes", "Note",
    "Links", "Link", "Sets", "Set", "MemberCode", "MemberSource", "MemberNote", "Graphs", "Graph",
    "Vertex", "Edge",
})
# The same line breaks and control characters casecoder.ingest.text.normalise handles; kept
# in one pattern here because every change of length must also be recorded in a position map.
_LINE_BREAK = "\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]"
_CONTROL = "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]"
_CLEAN = re.compile(f"({_LINE_BREAK})|{_CONTROL}")


# --- small helpers -----------------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _kid(el: Element, name: str) -> Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _items(parent: Element, container: str, item: str) -> list[Element]:
    """The `item` children of `parent`'s `container` child (Users/User, Notes/Note...)."""
    box = _kid(parent, container)
    return [] if box is None else _kids(box, item)


def _text_of(el: Element | None) -> str:
    return "" if el is None else "".join(el.itertext()).strip()


def guid_key(value: str | None) -> str:
    """A comparable form of a GUID reference: canonical when it parses, else folded text."""
    if not value:
        return ""
    raw = value.strip()
    try:
        return str(uuid.UUID(raw.strip("{}")))
    except ValueError:
        return raw.casefold()


def _valid_guid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(uuid.UUID(value.strip().strip("{}")))
    except ValueError:
        return None


def _clean_name(raw: str | None, limit: int, *, slash: bool = True) -> str:
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not slash:
        name = name.replace("/", "-")
    return name[:limit].rstrip()


def _unique(name: str, taken: set[str], limit: int) -> str:
    """`name`, or `name (2)`, `name (3)`... whichever is free (compared case-insensitively)."""
    candidate, n = name, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate = name[:limit - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def parse_xml(data: bytes, source: str) -> Element:
    """Parse untrusted XML: entity declarations and external references are refused outright,
    so nothing is ever expanded or fetched."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFileError(f"{source}: refused: the XML declares entities or external "
                              f"references ({type(exc).__name__})") from None
    except ParseError as exc:
        raise ImportFileError(f"{source}: not well-formed XML ({exc})") from None
    except (ValueError, UnicodeError) as exc:
        raise ImportFileError(f"{source}: not readable XML ({exc})") from None


def _read_limited(path: Path, limit: int, what: str) -> bytes:
    from casecoder.ingest.text import read_bytes

    if not path.exists():
        raise UserError(f"{what} {path} does not exist")
    return read_bytes(path, limit)


# --- positions: CRLF and other normalisation ---------------------------------------------


@functools.cache
def _composing_starters() -> frozenset[str]:
    """Characters with combining class 0 that NFC can still merge into the character before
    them (Hangul vowels and trailing consonants, some Indic vowel signs)."""
    found = {chr(cp) for cp in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))}
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                second = chr(int(parts[1], 16))
                if unicodedata.combining(second) == 0:
                    found.add(second)
    return frozenset(found)


def normalise_with_positions(raw: str) -> tuple[str, list[int]]:
    """The text as casecoder stores it (LF line ends, no control characters, NFC) and, for
    every offset 0..len(raw) in the text as written, the offset it becomes.

    Other tools count positions in the text they wrote (MAXQDA writes CRLF), but casecoder
    stores LF: without this map every coding after the first line break would drift.
    """
    pieces: list[str] = []
    mapping: list[int] = []
    out = last = 0
    for match in _CLEAN.finditer(raw):
        start, end = match.span()
        pieces.append(raw[last:start])
        mapping.extend(range(out, out + start - last))
        out += start - last
        if match.group(1):
            mapping.extend([out] * (end - start))
            pieces.append("\n")
            out += 1
        else:
            mapping.append(out)
        last = end
    pieces.append(raw[last:])
    mapping.extend(range(out, out + len(raw) - last))
    out += len(raw) - last
    mapping.append(out)
    cleaned = "".join(pieces)
    if unicodedata.is_normalized("NFC", cleaned):
        return cleaned, mapping
    composed, nfc_map = _nfc_with_positions(cleaned)
    return composed, [nfc_map[m] for m in mapping]


def _nfc_with_positions(text: str) -> tuple[str, list[int]]:
    starters = _composing_starters()
    bounds = [0]
    for i in range(1, len(text)):
        ch = text[i]
        if unicodedata.combining(ch) == 0 and ch not in starters:
            bounds.append(i)
    bounds.append(len(text))
    pieces: list[str] = []
    mapping: list[int] = []
    out = 0
    for a, b in itertools.pairwise(bounds):
        chunk = text[a:b]
        composed = unicodedata.normalize("NFC", chunk)
        pieces.append(composed)
        if len(composed) == len(chunk):
            mapping.extend(range(out, out + len(chunk)))
        else:  # a position inside a merged cluster moves to the cluster's start
            mapping.extend([out] * len(chunk))
        out += len(composed)
    mapping.append(out)
    return "".join(pieces), mapping


# --- codebooks ---------------------------------------------------------------------------


@dataclass
class ParsedCodes:
    """Codes read from a file, as specs plus where each file GUID ended up."""

    specs: list[CodeSpec]
    path_of: dict[str, str] = field(default_factory=dict)  # guid key -> path
    notes_of: dict[str, list[str]] = field(default_factory=dict)  # guid key -> note keys
    renamed: list[str] = field(default_factory=list)
    duplicate_guids: int = 0


def parse_codes(codes_el: Element | None) -> ParsedCodes:
    """The Code tree under a Codes element, names made valid and unique among siblings."""
    parsed = ParsedCodes([])
    seen_guids: set[str] = set()

    def visit(parent_el: Element, parent_path: str) -> list[CodeSpec]:
        taken: set[str] = set()
        out = []
        for el in _kids(parent_el, "Code"):
            raw = el.get("name") or ""
            name = _clean_name(raw, MAX_CODE_NAME, slash=False)
            name = name or "unnamed code"
            name = _unique(name, taken, MAX_CODE_NAME)
            if name != " ".join(raw.split()):
                parsed.renamed.append(f"{' '.join(raw.split())!r} -> {name!r}")
            path = f"{parent_path}/{name}" if parent_path else name
            guid = _valid_guid(el.get("guid"))
            if guid in seen_guids:
                parsed.duplicate_guids += 1
                guid = None
            if guid:
                seen_guids.add(guid)
            key = guid_key(el.get("guid"))
            if key and key not in parsed.path_of:
                parsed.path_of[key] = path
                notes = [guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")]
                if notes:
                    parsed.notes_of[key] = notes
            spec = CodeSpec(name=name, description=_text_of(_kid(el, "Description")),
                            color=_color(el.get("color")),
                            codable=(el.get("isCodable") or "true").strip().lower()
                            not in ("false", "0"),
                            guid=guid)
            spec.children = visit(el, path)
            out.append(spec)
        return out

    if codes_el is not None:
        parsed.specs = visit(codes_el, "")
    return parsed


def _color(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    try:
        return validate_color(value, "code")
    except UserError:
        return None


def _walk(specs: list[CodeSpec], prefix: str = "") -> Iterable[tuple[str, CodeSpec]]:
    for spec in specs:
        path = f"{prefix}/{spec.name}" if prefix else spec.name
        yield path, spec
        yield from _walk(spec.children, path)


def _release_taken_guids(project: Project, specs: list[CodeSpec],
                         warnings: list[str]) -> None:
    """A GUID already used by a code at another path cannot be given to a new code: the new
    code gets a fresh GUID instead (the file renamed or moved it; casecoder merges by path)."""
    existing = {c.guid: c.path for c in project.codes()}
    clashes = []
    for path, spec in _walk(specs):
        if spec.guid and spec.guid in existing and existing[spec.guid].casefold() \
                != path.casefold():
            clashes.append(f"{path} (GUID of {existing[spec.guid]})")
            spec.guid = None
    if clashes:
        warnings.append(f"{len(clashes)} code(s) carry the GUID of a code at another path and "
                        f"were given new GUIDs: {', '.join(clashes[:5])}")


def _keep_codable(project: Project, specs: list[CodeSpec], known: set[str]) -> None:
    """Leave `codable` as it is for codes whose file did not say (CSV rows without the column,
    parents implied by a path)."""
    current = {c.path.casefold(): c.codable for c in project.codes()}
    for path, spec in _walk(specs):
        if path.casefold() not in known and path.casefold() in current:
            spec.codable = current[path.casefold()]


def _store_sets(project: Project, sets: list[tuple[str, str | None, list[str]]],
                path_of: dict[str, str]) -> list[str]:
    """Keep the file's code groups as the `code_sets` setting; sets are replaced by name."""
    if not sets:
        return []
    by_path = {c.path.casefold(): c.guid for c in project.codes()}
    stored = code_sets(project)
    guids = read_json_setting(project, REFI_GUIDS_SETTING)
    names = []
    for name, set_guid, member_keys in sets:
        members: list[str] = []
        for key in member_keys:
            path = path_of.get(key)
            guid = by_path.get(path.casefold()) if path else None
            if guid and guid not in members:
                members.append(guid)
        stored[name] = members
        if set_guid:
            guids[f"set:{name}"] = set_guid
        names.append(name)
    project.set_setting(CODE_SETS_SETTING, json.dumps(stored, ensure_ascii=False,
                                                      sort_keys=True))
    if guids:
        project.set_setting(REFI_GUIDS_SETTING, json.dumps(guids, ensure_ascii=False,
                                                           sort_keys=True))
    return names


def _parse_sets(sets_el: Element | None, member_attr: str) -> tuple[
        list[tuple[str, str | None, list[str]]], int]:
    """(name, guid, member code keys) per code set (an empty set counts as one), and how many
    sets held only sources or notes."""
    out: list[tuple[str, str | None, list[str]]] = []
    other = 0
    if sets_el is None:
        return out, other
    taken: set[str] = set()
    for el in _kids(sets_el, "Set"):
        members = [guid_key(m.get(member_attr) or m.get("guid") or m.get("targetGUID"))
                   for m in _kids(el, "MemberCode")]
        members = [m for m in members if m]
        if not members and (_kid(el, "MemberSource") is not None
                            or _kid(el, "MemberNote") is not None):
            other += 1
            continue
        name = _unique(_clean_name(el.get("name"), 200) or "set", taken, 200)
        out.append((name, _valid_guid(el.get("guid")), members))
    return out, other


def import_qdc(project: Project, path: str | Path) -> dict[str, list[str]]:
    """Merge a REFI-QDA codebook by path, like `Project.import_codebook`; sets are kept.

    Returns {"added", "changed", "unchanged", "sets", "warnings"}.
    """
    path = Path(path)
    root = parse_xml(_read_limited(path, MAX_QDC_BYTES, "codebook"), str(path))
    if _local(root.tag) != "CodeBook":
        raise ImportFileError(f"{path}: not a REFI-QDA codebook (the root element is "
                              f"<{_local(root.tag) or root.tag}>, not <CodeBook>)")
    parsed = parse_codes(_kid(root, "Codes"))
    if not parsed.specs:
        raise ImportFileError(f"{path}: the codebook has no codes")
    warnings = _code_warnings(parsed)
    _release_taken_guids(project, parsed.specs, warnings)
    report = project.import_codebook(CodebookSpec(name="", description="", language=None,
                                                  codes=parsed.specs))
    sets, _other = _parse_sets(_kid(root, "Sets"), "guid")
    result: dict[str, list[str]] = dict(report)
    result["sets"] = _store_sets(project, sets, parsed.path_of)
    result["warnings"] = warnings
    return result


def _code_warnings(parsed: ParsedCodes) -> list[str]:
    warnings = []
    if parsed.renamed:
        warnings.append(f"{len(parsed.renamed)} code name(s) changed to be valid and unique "
                        f"('/' separates paths): {', '.join(parsed.renamed[:5])}")
    if parsed.duplicate_guids:
        warnings.append(f"{parsed.duplicate_guids} code(s) repeated another code's GUID and "
                        "were given new GUIDs")
    return warnings


def import_codebook_csv(project: Project, path: str | Path) -> dict[str, list[str]]:
    """Merge a CSV codebook (Taguette's shape: a tag/name/path column, optional description).

    Paths use '/' for subcodes; casecoder's own CSV adds color, codable and guid columns.
    The whole file is checked before the project changes.
    """
    path = Path(path)
    data = _read_limited(path, MAX_CSV_BYTES, "codebook")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: the codebook is not UTF-8 text") from None
    try:
        dialect: Any = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    header = [h.strip().casefold() for h in next(reader, [])]
    column = next((header.index(n) for n in ("path", "tag", "name") if n in header), None)
    if column is None:
        raise UserError(f"{path}: the first row must name a 'tag', 'name' or 'path' column")

    def col(*names: str) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    desc_col, color_col = col("description"), col("color", "colour")
    codable_col, guid_col = col("codable", "iscodable"), col("guid")
    roots: list[CodeSpec] = []
    by_path: dict[str, CodeSpec] = {}
    rows_seen: set[str] = set()
    explicit_codable: set[str] = set()
    for number, row in enumerate(reader, start=2):
        cell = functools.partial(_cell, row)
        raw_path = cell(column)
        if not raw_path:
            continue
        parts = [" ".join(p.split()) for p in raw_path.strip().strip("/").split("/")]
        if any(not p for p in parts) or any(len(p) > MAX_CODE_NAME for p in parts):
            raise UserError(f"{path}: row {number}: {raw_path!r} is not a valid code path")
        full = "/".join(parts).casefold()
        if full in rows_seen:
            raise UserError(f"{path}: row {number}: code {raw_path!r} appears twice")
        rows_seen.add(full)
        spec = _ensure_path(parts, roots, by_path)
        spec.description = cell(desc_col)
        spec.color = validate_color(cell(color_col) or None, f"{path}: row {number}")
        if codable_col is not None and cell(codable_col):
            spec.codable = cell(codable_col).lower() not in ("false", "no", "0")
            explicit_codable.add(full)
        guid_text = cell(guid_col)
        if guid_text:
            spec.guid = _valid_guid(guid_text)
            if spec.guid is None:
                raise UserError(f"{path}: row {number}: {guid_text!r} is not a GUID")
    if not roots:
        raise UserError(f"{path}: the codebook has no codes")
    warnings: list[str] = []
    _release_taken_guids(project, roots, warnings)
    _keep_codable(project, roots, explicit_codable)
    report = project.import_codebook(CodebookSpec(name="", description="", language=None,
                                                  codes=roots))
    result: dict[str, list[str]] = dict(report)
    result["warnings"] = warnings
    return result


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index].strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        value = value[1:]  # undo the formula neutralising of our own export
    return value


def _ensure_path(parts: list[str], roots: list[CodeSpec],
                 by_path: dict[str, CodeSpec]) -> CodeSpec:
    siblings = roots
    spec: CodeSpec | None = None
    for depth in range(len(parts)):
        key = "/".join(parts[:depth + 1]).casefold()
        spec = by_path.get(key)
        if spec is None:
            spec = CodeSpec(name=parts[depth])
            siblings.append(spec)
            by_path[key] = spec
        siblings = spec.children
    assert spec is not None
    return spec


# --- projects: reading the XML -----------------------------------------------------------


@dataclass
class _CodingRef:
    guid: str | None
    code: str
    user: str
    created: str | None
    notes: list[str]


@dataclass
class _Selection:
    guid: str
    name: str
    start: int
    end: int
    user: str
    created: str | None
    description: str
    codings: list[_CodingRef]
    notes: list[str]


@dataclass
class _Source:
    key: str
    guid: str | None
    name: str
    plain_path: str | None
    rich_path: str | None
    content: str | None
    user: str
    created: str | None
    description: str
    selections: list[_Selection]
    whole: list[_CodingRef]
    notes: list[str]
    variables: dict[str, str]


@dataclass
class _Note:
    key: str
    guid: str | None
    name: str
    user: str
    created: str | None
    content: str | None
    plain_path: str | None
    description: str


@dataclass
class _Case:
    guid: str | None
    name: str
    description: str
    variables: dict[str, str]
    sources: list[str]
    notes: list[str]


@dataclass
class _ProjectFile:
    name: str
    creating_user: str
    description: str
    notes: list[str]
    users: dict[str, str]
    codes: ParsedCodes
    variables: dict[str, tuple[str, str | None]]
    cases: list[_Case]
    sources: list[_Source]
    all_notes: dict[str, _Note]
    sets: list[tuple[str, str | None, list[str]]]
    warnings: list[str]


class _Reader:
    """Turns a project.qde tree into plain records, counting what it has to leave out."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.warnings: list[str] = []
        self.variables: dict[str, tuple[str, str | None]] = {}
        self.unknown_variables = 0

    def read(self) -> _ProjectFile:
        root = self.root
        self._unknown_elements()
        users = {guid_key(u.get("guid")): u.get("name") or u.get("id") or ""
                 for u in _items(root, "Users", "User")}
        codebook = _kid(root, "CodeBook")
        codes = parse_codes(_kid(codebook, "Codes") if codebook is not None else None)
        self.warnings.extend(_code_warnings(codes))
        self._read_variables()
        cases = [self._case(el) for el in _items(root, "Cases", "Case")]
        sources: list[_Source] = []
        skipped: list[str] = []
        sources_el = _kid(root, "Sources")
        for el in sources_el if sources_el is not None else []:
            local = _local(el.tag)
            if local == "TextSource":
                sources.append(self._source(el))
            elif local in _MEDIA_SOURCES:
                skipped.append(f"{el.get('name') or el.get('guid')} "
                               f"({_MEDIA_SOURCES[local]})")
        if skipped:
            self.warnings.append(f"skipped {len(skipped)} source(s) casecoder cannot code "
                                 f"(PDF, picture, audio, video): {', '.join(skipped)}")
        notes = {}
        for el in _items(root, "Notes", "Note"):
            note = self._note(el)
            notes.setdefault(note.key, note)
        sets, other_sets = _parse_sets(_kid(root, "Sets"), "targetGUID")
        if other_sets:
            self.warnings.append(f"ignored {other_sets} set(s) of sources or notes only "
                                 "(casecoder keeps code sets)")
        for container, what in (("Links", "Link"), ("Graphs", "Graph")):
            n = len(_items(root, container, what))
            if n:
                self.warnings.append(f"ignored {n} {what.lower()}(s): casecoder has no "
                                     f"{what.lower()}s")
        if self.unknown_variables:
            self.warnings.append(f"ignored {self.unknown_variables} value(s) of variables "
                                 "that are not declared")
        return _ProjectFile(
            name=root.get("name") or "", creating_user=guid_key(root.get("creatingUserGUID")),
            description=_text_of(_kid(root, "Description")),
            notes=[guid_key(n.get("targetGUID")) for n in _kids(root, "NoteRef")],
            users=users, codes=codes, variables=self.variables, cases=cases, sources=sources,
            all_notes=notes, sets=sets, warnings=self.warnings)

    def _unknown_elements(self) -> None:
        unknown: dict[str, int] = {}

        def visit(el: Element) -> None:
            for child in el:
                local = _local(child.tag)
                if local not in KNOWN_ELEMENTS:
                    unknown[local] = unknown.get(local, 0) + 1
                    continue
                visit(child)

        visit(self.root)
        if unknown:
            total = sum(unknown.values())
            names = ", ".join(sorted(unknown)[:8])
            self.warnings.append(f"ignored {total} unknown element(s): {names}")

    def _read_variables(self) -> None:
        for el in _items(self.root, "Variables", "Variable"):
            name = _clean_name(el.get("name"), 200)
            if name:
                self.variables[guid_key(el.get("guid"))] = (name, _valid_guid(el.get("guid")))

    def _values(self, el: Element) -> dict[str, str]:
        out: dict[str, str] = {}
        for value in _kids(el, "VariableValue"):
            ref = _kid(value, "VariableRef")
            variable = self.variables.get(guid_key(ref.get("targetGUID") if ref is not None
                                                   else None))
            if variable is None:
                self.unknown_variables += 1
                continue
            text = ""
            for child in value:
                if _local(child.tag) != "VariableRef":
                    text = _text_of(child)
            if text:
                out[variable[0]] = text
        return out

    def _case(self, el: Element) -> _Case:
        return _Case(guid=_valid_guid(el.get("guid")), name=el.get("name") or "",
                     description=_text_of(_kid(el, "Description")),
                     variables=self._values(el),
                     sources=[guid_key(s.get("targetGUID")) for s in _kids(el, "SourceRef")],
                     notes=[guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")])

    def _coding(self, el: Element, user: str, created: str | None) -> _CodingRef | None:
        ref = _kid(el, "CodeRef")
        if ref is None:
            return None
        return _CodingRef(guid=_valid_guid(el.get("guid")), code=guid_key(ref.get("targetGUID")),
                          user=guid_key(el.get("creatingUser")) or user,
                          created=xsd_datetime(el.get("creationDateTime")) or created,
                          notes=[guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")])

    def _source(self, el: Element) -> _Source:
        user = guid_key(el.get("creatingUser"))
        created = xsd_datetime(el.get("creationDateTime"))
        selections = []
        for sel in _kids(el, "PlainTextSelection"):
            sel_user = guid_key(sel.get("creatingUser")) or user
            sel_created = xsd_datetime(sel.get("creationDateTime"))
            try:
                start = int((sel.get("startPosition") or "").strip())
                end = int((sel.get("endPosition") or "").strip())
            except ValueError:
                start = end = -1
            codings = [c for c in (self._coding(k, sel_user, sel_created)
                                   for k in _kids(sel, "Coding")) if c]
            selections.append(_Selection(
                guid=guid_key(sel.get("guid")), name=" ".join((sel.get("name") or "").split()),
                start=start, end=end, user=sel_user, created=sel_created,
                description=_text_of(_kid(sel, "Description")), codings=codings,
                notes=[guid_key(n.get("targetGUID")) for n in _kids(sel, "NoteRef")]))
        content = _kid(el, "PlainTextContent")
        return _Source(
            key=guid_key(el.get("guid")), guid=_valid_guid(el.get("guid")),
            name=el.get("name") or "", plain_path=el.get("plainTextPath"),
            rich_path=el.get("richTextPath"),
            content="".join(content.itertext()) if content is not None else None,
            user=user, created=created, description=_text_of(_kid(el, "Description")),
            selections=selections,
            whole=[c for c in (self._coding(k, user, created) for k in _kids(el, "Coding")) if c],
            notes=[guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")],
            variables=self._values(el))

    def _note(self, el: Element) -> _Note:
        content = _kid(el, "PlainTextContent")
        return _Note(key=guid_key(el.get("guid")), guid=_valid_guid(el.get("guid")),
                     name=" ".join((el.get("name") or "").split()),
                     user=guid_key(el.get("creatingUser")),
                     created=xsd_datetime(el.get("creationDateTime")),
                     content="".join(content.itertext()) if content is not None else None,
                     plain_path=el.get("plainTextPath"),
                     description=_text_of(_kid(el, "Description")))


# --- projects: texts from the archive ----------------------------------------------------


@dataclass
class _Text:
    text: str
    positions: list[int] | None  # offsets as written -> stored offsets; None = identical
    format: str
    encoding: str | None
    warnings: tuple[str, ...] = ()


def _internal_name(reference: str | None) -> str | None:
    """The file name inside sources/ for an internal:// path; None for external paths."""
    if not reference:
        return None
    ref = reference.strip()
    lowered = ref.lower()
    if lowered.startswith("internal://"):
        ref = ref[len("internal://"):]
    elif "://" in lowered or lowered.startswith(("/", "\\")) or (len(ref) > 1 and ref[1] == ":"):
        return None
    ref = ref.replace("\\", "/").lstrip("/")
    pure = PurePosixPath(ref)
    if not ref or ".." in pure.parts:
        return None
    return ref


class _Archive:
    """The vetted .qdpx, with member lookup the way tools actually lay them out."""

    def __init__(self, safe: Any) -> None:
        self.zip = safe
        self._by_base: dict[str, str] = {}
        for name in safe.names():
            self._by_base.setdefault(PurePosixPath(name).name.casefold(), name)

    def member(self, reference: str | None) -> str | None:
        name = _internal_name(reference)
        if name is None or name.casefold().endswith(_MEDIA_SUFFIXES):
            return None
        for candidate in (f"sources/{name}", name):
            found = self.zip.find(candidate)
            if found:
                return found
        return self._by_base.get(PurePosixPath(name).name.casefold())

    def plain_text(self, member: str) -> _Text:
        from casecoder.ingest.text import MAX_TEXT_BYTES, decode

        data = self.zip.read(member, MAX_TEXT_BYTES)
        decoded = decode(data, Path(member))
        text, positions = normalise_with_positions(decoded.text)
        return _Text(text, positions, "txt", decoded.encoding, decoded.warnings)

    def docx_text(self, member: str) -> _Text:
        from casecoder.ingest import read_file
        from casecoder.ingest.docx import MAX_DOCX_BYTES

        data = self.zip.read(member, MAX_DOCX_BYTES)
        with tempfile.TemporaryDirectory(prefix="casecoder-qdpx-") as folder:
            path = Path(folder) / "source.docx"
            path.write_bytes(data)
            try:
                source = read_file(path)
            except ImportFileError as exc:  # name the member, not our temporary copy
                raise ImportFileError(str(exc).replace(str(path), member)) from None
        return _Text(source.text, None, "docx", None, source.warnings)


def _source_text(archive: _Archive, source: _Source) -> _Text:
    """The source's plain text: the plain-text file, PlainTextContent, or else its .docx."""
    problems = []
    member = archive.member(source.plain_path)
    if member is not None:
        return archive.plain_text(member)
    if source.plain_path:
        problems.append(f"its text file {source.plain_path} is not in the archive"
                        if _internal_name(source.plain_path) else
                        f"its text is outside the archive ({source.plain_path})")
    if source.content is not None and source.content.strip():
        text, positions = normalise_with_positions(source.content)
        return _Text(text, positions, "txt", None)
    rich = archive.member(source.rich_path)
    if rich is not None and rich.lower().endswith(".docx"):
        return archive.docx_text(rich)
    if source.rich_path:
        problems.append(f"its rich text {source.rich_path} is not a .docx in the archive")
    raise ImportFileError("; ".join(problems) or "it has no text")


def _note_text(archive: _Archive, note: _Note) -> str:
    if note.content is not None and note.content.strip():
        return normalise_with_positions(note.content)[0].strip()
    member = archive.member(note.plain_path)
    if member is not None:
        with contextlib.suppress(ImportFileError):
            return archive.plain_text(member).text.strip()
    return note.description


def _read_extension(archive: _Archive, warnings: list[str]) -> dict[str, Any]:
    member = archive.zip.find(EXTENSION_MEMBER)
    if member is None:
        return {}
    try:
        data = json.loads(archive.zip.read(member, MAX_EXTENSION_BYTES).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        warnings.append(f"ignored {EXTENSION_MEMBER}: not readable JSON")
        return {}
    if not isinstance(data, dict) or data.get("format") != EXTENSION_FORMAT:
        return {}
    return data


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _segments_from(extension_doc: dict[str, Any], text: str) -> list[SegmentSpec] | None:
    """Segments stored by casecoder's own export, when they fit this very text."""
    import hashlib

    from casecoder.ingest.model import SegmentSpec

    if extension_doc.get("sha256") != hashlib.sha256(text.encode("utf-8")).hexdigest():
        return None
    raw = extension_doc.get("segments")
    if not isinstance(raw, list):
        return None
    out: list[SegmentSpec] = []
    numbers = dict.fromkeys(_SEGMENT_KINDS, 0)
    try:
        for kind, number, start, end, speaker, timestamp in raw:
            if (kind not in numbers or type(number) is not int or number != numbers[kind] + 1
                    or type(start) is not int or type(end) is not int
                    or not 0 <= start < end <= len(text)
                    or not (speaker is None or isinstance(speaker, str))
                    or not (timestamp is None or isinstance(timestamp, int | float))):
                return None
            numbers[kind] = number
            out.append(SegmentSpec(kind, number, start, end, speaker,
                                   float(timestamp) if timestamp is not None else None))
    except (TypeError, ValueError):
        return None
    return out if numbers["sentence"] else None


# --- projects: building the new project --------------------------------------------------


@dataclass
class QdpxImport:
    """What `import_qdpx` made, for the command's report."""

    project: Path
    name: str
    documents: int
    codes: int
    codings: int
    memos: int
    cases: int
    coders: list[str]
    warnings: list[str]


def import_qdpx(qdpx: str | Path, target: str | Path, *, coder: str | None = None,
                language: str | None = None) -> QdpxImport:
    """Create a NEW project at `target` from a .qdpx; it exists only if the import succeeded."""
    from casecoder.ingest.safezip import open_safe_zip

    qdpx, target = Path(qdpx), Path(target)
    if not qdpx.exists():
        raise UserError(f"{qdpx} does not exist")
    if target.exists():
        raise UserError(f"{target} already exists; a .qdpx is imported as a new project")
    if not target.parent.is_dir():
        raise UserError(f"folder {target.parent} does not exist")

    def counted(name: str) -> bool:
        return not name.casefold().endswith(_MEDIA_SUFFIXES)

    with open_safe_zip(qdpx, what="a .qdpx project", max_members=MAX_QDPX_MEMBERS,
                       max_read_bytes=MAX_QDPX_READ_BYTES, max_ratio=MAX_COMPRESSION_RATIO,
                       counted=counted) as safe:
        archive = _Archive(safe)
        qde = safe.find("project.qde") or next(
            (n for n in safe.names() if n.casefold().endswith(".qde") and "/" not in n), None)
        if qde is None:
            raise ImportFileError(f"{qdpx}: not a .qdpx project (no project.qde inside)")
        root = parse_xml(safe.read(qde, MAX_QDE_BYTES), f"{qdpx}: {qde}")
        if _local(root.tag) != "Project":
            raise ImportFileError(f"{qdpx}: {qde} is not a REFI-QDA project (root element "
                                  f"<{_local(root.tag) or root.tag}>)")
        parsed = _Reader(root).read()
        warnings = parsed.warnings
        extension = _read_extension(archive, warnings)
        texts: dict[str, _Text] = {}
        for source in parsed.sources:
            try:
                texts[source.key] = _source_text(archive, source)
            except ImportFileError as exc:
                warnings.append(f"source {source.name or source.key!r} not imported: {exc}")
        note_texts = {key: _note_text(archive, note) for key, note in parsed.all_notes.items()}
    return _build(parsed, texts, note_texts, extension, target, coder=coder,
                  language=language)


def _build(parsed: _ProjectFile, texts: dict[str, _Text], note_texts: dict[str, str],
           extension: dict[str, Any], target: Path, *, coder: str | None,
           language: str | None) -> QdpxImport:
    from casecoder.project import SUPPORTED_LANGUAGES, Project
    from casecoder.store import building_project

    ext_project = _dict(extension.get("project"))
    if language is None:
        candidate = ext_project.get("language")
        language = candidate if candidate in SUPPORTED_LANGUAGES else "nb"
    users = _user_names(parsed)
    session = coder or users.get(parsed.creating_user) or next(iter(users.values()), None)
    with building_project(target) as tmp, \
            Project.create(tmp, language=language, coder=session,
                           name=_clean_name(parsed.name, 200) or target.stem) as project:
        result = _Builder(project, parsed, texts, note_texts, extension, users).run(target)
        project.checkpoint()
    return result


def _user_names(parsed: _ProjectFile) -> dict[str, str]:
    """Coder names per user GUID key: cleaned, and unique (two people never become one)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for key, raw in parsed.users.items():
        name = _clean_name(raw, MAX_CODER_NAME) or f"user {key[:8]}"
        out[key] = _unique(name, taken, MAX_CODER_NAME)
    return out


class _Builder:
    """Writes the parsed records into a fresh project, in dependency order."""

    def __init__(self, project: Project, parsed: _ProjectFile, texts: dict[str, _Text],
                 note_texts: dict[str, str], extension: dict[str, Any],
                 users: dict[str, str]) -> None:
        self.p = project
        self.f = parsed
        self.texts = texts
        self.note_texts = note_texts
        self.ext = extension
        self.users = users
        self.warnings = parsed.warnings
        self.default_user = project.coder_name
        self.doc_of_source: dict[str, tuple[int, str]] = {}  # source key -> (doc id, name)
        self.code_id: dict[str, int] = {}
        self.used_notes: set[str] = set()
        self.memo_parts: dict[tuple[str, int, str], list[tuple[str, str | None,
                                                               str | None]]] = {}

    def user(self, key: str) -> str:
        if not key:
            return self.default_user
        if key not in self.users:
            name = _unique(f"user {key[:8]}", {n.casefold() for n in self.users.values()},
                           MAX_CODER_NAME)
            self.p.ensure_coder(name, _valid_guid(key))
            self.users[key] = name
        return self.users[key]

    def run(self, target: Path) -> QdpxImport:
        for key, name in self.users.items():
            guid = _valid_guid(key)
            self.p.ensure_coder(name, guid)
        self._codebook()
        case_of_source = self._cases()
        self._documents(case_of_source)
        codings = self._codings()
        self._memos()
        self._settings()
        return QdpxImport(
            project=target, name=self.p.name, documents=len(self.doc_of_source),
            codes=len(self.code_id), codings=codings,
            memos=len(self.p.memos()), cases=len(self.p.cases()),
            coders=[c.name for c in self.p.coders()], warnings=self.warnings)

    # --- codebook --------------------------------------------------------------------------

    def _codebook(self) -> None:
        codes = self.f.codes
        if not codes.specs:
            return
        extras = _dict(self.ext.get("codes"))
        shortcuts: set[str] = set()
        for _path, spec in _walk(codes.specs):
            extra = _dict(extras.get(spec.guid or ""))
            keywords = extra.get("keywords")
            if isinstance(keywords, list):
                spec.keywords = [str(k).strip() for k in keywords
                                 if isinstance(k, str | int) and str(k).strip()]
            try:
                shortcut = validate_shortcut(extra.get("shortcut"), "code")
            except UserError:
                shortcut = None
            if shortcut and shortcut not in shortcuts:
                spec.shortcut = shortcut
                shortcuts.add(shortcut)
        ext_project = _dict(self.ext.get("project"))
        name = ext_project.get("codebook_name")
        description = ext_project.get("codebook_description")
        self.p.import_codebook(CodebookSpec(
            name=name if isinstance(name, str) else "",
            description=description.strip() if isinstance(description, str) else "",
            language=None, codes=codes.specs))
        by_path = {c.path.casefold(): c.id for c in self.p.codes()}
        for key, path in codes.path_of.items():
            self.code_id[key] = by_path[path.casefold()]

    # --- cases and documents ---------------------------------------------------------------

    def _cases(self) -> dict[str, str]:
        """Create the cases (with their GUIDs); returns source key -> case name."""
        case_of_source: dict[str, str] = {}
        taken: set[str] = set()
        seen_guids: set[str] = set()
        multi = 0
        for case in self.f.cases:
            name = _unique(_clean_name(case.name, 200) or f"case {(case.guid or '')[:8]}",
                           taken, 200)
            guid = case.guid if case.guid not in seen_guids else None
            if guid:
                seen_guids.add(guid)
            parts = [case.description] if case.description else []
            for note_key in case.notes:
                text = self.note_texts.get(note_key)
                if text:
                    parts.append(text)
                    self.used_notes.add(note_key)
            _add_case(self.p, name, guid, "\n\n".join(parts))
            if case.variables:
                self.p.set_attributes(name, case.variables, owner_kind="case")
            for source in case.sources:
                if source in case_of_source:
                    multi += 1
                else:
                    case_of_source[source] = name
        if multi:
            self.warnings.append(f"{multi} source(s) belong to more than one case; casecoder "
                                 "keeps the first")
        return case_of_source

    def _documents(self, case_of_source: dict[str, str]) -> None:
        docs_ext = _dict(self.ext.get("documents"))
        taken: set[str] = set()
        seen_guids: set[str] = set()
        for source in self.f.sources:
            text = self.texts.get(source.key)
            if text is None:
                continue
            name = _unique(_clean_name(source.name, MAX_DOCUMENT_NAME)
                           or f"source {source.key[:8]}", taken, MAX_DOCUMENT_NAME)
            guid = source.guid if source.guid not in seen_guids else None
            if guid:
                seen_guids.add(guid)
            extra = _dict(docs_ext.get(source.guid or ""))
            try:
                doc = self.p.add_document(
                    _source_text_record(text, extra), name=name,
                    source_name=_str_or(extra.get("source_name"), source.name),
                    case=case_of_source.get(source.key), attributes=source.variables,
                    language=_language(extra.get("language")), guid=guid,
                    segments=_segments_from(extra, text.text))
            except UserError as exc:
                taken.discard(name.casefold())
                self.warnings.append(f"source {source.name or source.key!r} not imported: "
                                     f"{exc}")
                continue
            self.doc_of_source[source.key] = (doc.id, doc.name)
            if source.description:
                self._memo_part("document", doc.id, source.user, source.description, None,
                                source.created)
            for note_key in source.notes:
                self._note_memo("document", doc.id, note_key)

    # --- codings and memos -----------------------------------------------------------------

    def _note_memo(self, kind: str, target_id: int, note_key: str) -> None:
        note = self.f.all_notes.get(note_key)
        text = self.note_texts.get(note_key, "")
        if note is None or not text:
            return
        guid = note.guid if note_key not in self.used_notes else None
        self.used_notes.add(note_key)
        self._memo_part(kind, target_id, note.user, text, guid, note.created)

    def _memo_part(self, kind: str, target_id: int, user_key: str, text: str,
                   guid: str | None, created: str | None) -> None:
        coder = self.user(user_key)
        self.memo_parts.setdefault((kind, target_id, coder), []).append((text, guid, created))

    def _codings(self) -> int:
        from casecoder.model import CodingRecord

        records: list[CodingRecord] = []
        outside = unknown_code = 0
        fixed: dict[str, int] = {"swapped": 0, "clamped": 0}
        seen: set[str] = set()
        for source in self.f.sources:
            located = self.doc_of_source.get(source.key)
            if located is None:
                continue
            doc_id, _doc_name = located
            text = self.texts[source.key]
            length = len(text.text)
            for coding in source.whole:
                if coding.code not in self.code_id:
                    unknown_code += 1
                    continue
                self.used_notes.update(coding.notes)
                memo = "\n\n".join(t for t in (self.note_texts.get(k, "")
                                                for k in coding.notes) if t)
                records.append(self._record(doc_id, coding, 0, length, memo, seen))
            for sel in source.selections:
                span = _map_span(sel.start, sel.end, text, fixed)
                if span is None:
                    outside += 1
                    continue
                start, end = span
                if not sel.codings:
                    self._segment_notes(doc_id, sel, start, end)
                    continue
                notes = [self.note_texts.get(k, "") for k in sel.notes]
                for note_key in sel.notes:
                    self.used_notes.add(note_key)
                for coding in sel.codings:
                    if coding.code not in self.code_id:
                        unknown_code += 1
                        continue
                    coding_notes = [self.note_texts.get(k, "") for k in coding.notes]
                    self.used_notes.update(coding.notes)
                    memo = "\n\n".join(p for p in (sel.description, *notes, *coding_notes) if p)
                    records.append(self._record(doc_id, coding, start, end, memo, seen))
        if outside:
            self.warnings.append(f"skipped {outside} selection(s) whose positions lie outside "
                                 "their text")
        if fixed["swapped"]:
            self.warnings.append(f"{fixed['swapped']} selection(s) had their start after their "
                                 "end; the two were swapped")
        if fixed["clamped"]:
            self.warnings.append(f"{fixed['clamped']} selection(s) ended beyond their text; "
                                 "they were cut at the text's end")
        if unknown_code:
            self.warnings.append(f"skipped {unknown_code} coding(s) of codes that are not in "
                                 "the codebook")
        if not records:
            return 0
        counts = self.p.add_codings(records, action="import-qdpx",
                                    summary=f"codings from {self.p.name}", undoable=False)
        if counts["merged"]:
            self.warnings.append(f"{counts['merged']} coding(s) touched or overlapped another "
                                 "coding of the same code by the same coder and were merged")
        return counts["added"] + counts["merged"]

    def _record(self, doc_id: int, coding: _CodingRef, start: int, end: int, memo: str,
                seen: set[str]) -> Any:
        from casecoder.model import CodingRecord

        guid = coding.guid if coding.guid and coding.guid not in seen else None
        if guid:
            seen.add(guid)
        return CodingRecord(document=doc_id, code=self.code_id[coding.code],
                            coder=self.user(coding.user), start=start, end=end, memo=memo,
                            guid=guid, created_at=coding.created)

    def _segment_notes(self, doc_id: int, sel: _Selection, start: int, end: int) -> None:
        """An uncoded selection with notes or a comment is a memo on the segment it covers."""
        if not sel.notes and not sel.description:
            return
        segment = self._segment_for(doc_id, sel.name, start, end)
        if segment is None:
            return
        if sel.description:
            self._memo_part("segment", segment, sel.user, sel.description, None, sel.created)
        for note_key in sel.notes:
            self._note_memo("segment", segment, note_key)

    def _segment_for(self, doc_id: int, name: str, start: int, end: int) -> int | None:
        named = _SEGMENT_NAME.match(name)
        kinds = list(_SEGMENT_KINDS)
        if named:
            kinds.remove(named.group(1))
            for seg in self.p.segments(doc_id, named.group(1)):
                if seg.number == int(named.group(2)) and (seg.start, seg.end) == (start, end):
                    return seg.id
            kinds.insert(0, named.group(1))
        for kind in kinds:
            for seg in self.p.segments(doc_id, kind):
                if (seg.start, seg.end) == (start, end):
                    return seg.id
        nearest = self.p.segment_at(doc_id, start, "sentence")
        if nearest is not None:
            self.warnings.append(f"a note on positions {start}-{end} was put on the sentence "
                                 "it starts in")
            return nearest.id
        return None

    def _memos(self) -> None:
        for key in self.f.notes:
            self._note_memo("project", 0, key)
        project_notes = [self.note_texts.get(k, "") for k in self.f.notes]
        description = self.f.description
        if description and description != "\n\n".join(t for t in project_notes if t):
            self._memo_part("project", 0, self.f.creating_user, description, None, None)
        for code_key, note_keys in self.f.codes.notes_of.items():
            for note_key in note_keys:
                self._note_memo("code", self.code_id[code_key], note_key)
        loose = [k for k in self.f.all_notes if k not in self.used_notes]
        for key in loose:
            note = self.f.all_notes[key]
            text = self.note_texts.get(key, "")
            if text:
                heading = f"{note.name}\n" if note.name else ""
                self._memo_part("project", 0, note.user, heading + text, note.guid,
                                note.created)
        for (kind, target_id, coder), parts in self.memo_parts.items():
            text = "\n\n".join(p[0] for p in parts if p[0])
            guid = next((p[1] for p in parts if p[1]), None)
            created = next((p[2] for p in parts if p[2]), None)
            if text.strip():
                self.p.add_memo_record(kind, target_id, coder, text, guid=guid,
                                       created_at=created, undoable=False)

    def _settings(self) -> None:
        if self.f.sets:
            _store_sets(self.p, self.f.sets, self.f.codes.path_of)
        guids = read_json_setting(self.p, REFI_GUIDS_SETTING)
        for name, guid in self.f.variables.values():
            if guid:
                guids[f"variable:{name}"] = guid
        if guids:
            self.p.set_setting(REFI_GUIDS_SETTING, json.dumps(guids, ensure_ascii=False,
                                                              sort_keys=True))


def _language(value: Any) -> str | None:
    from casecoder.project import SUPPORTED_LANGUAGES

    return value if value in SUPPORTED_LANGUAGES else None


def _str_or(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _source_text_record(text: _Text, extra: dict[str, Any]) -> SourceText:
    """The SourceText to store; casecoder's own export says what the original file was."""
    from casecoder.ingest.model import SourceText

    fmt = _str_or(extra.get("source_format"), "") or text.format
    encoding = extra.get("encoding", text.encoding)
    if not (encoding is None or isinstance(encoding, str)):
        encoding = text.encoding
    return SourceText(text.text, fmt, encoding, None, text.warnings)


def _map_span(start: int, end: int, text: _Text,
              fixed: dict[str, int] | None = None) -> tuple[int, int] | None:
    """A selection's [start, end) as written, moved onto the stored text; None if outside.

    A swapped start and end, or an end beyond the text, is repaired and counted in `fixed`
    ("swapped", "clamped"), so that the import report can say so.
    """
    positions = text.positions
    written = len(positions) - 1 if positions is not None else len(text.text)
    swapped = start > end
    if swapped:
        start, end = end, start
    if start < 0 or start >= written or end <= start:
        return None
    if fixed is not None:
        fixed["swapped"] += swapped
        fixed["clamped"] += end > written
    end = min(end, written)
    if positions is not None:
        start, end = positions[start], positions[end]
    return (start, end) if end > start else None


def _add_case(project: Project, name: str, guid: str | None, description: str) -> None:
    """Create a case with its GUID and description."""
    project.add_case(name, guid=guid, description=description)
