"""REFI-QDA file readers: a .qdpx (or .qdc) into plain records, without any project.

Files come from NVivo, ATLAS.ti, MAXQDA, QualCoder, qc, Taguette and from people, so the
reader is lenient about shape and strict about safety:

- shape: GUIDs in any case and in braces, a `basePath`, extra files in sources/, member names
  in any letter case, CRLF texts (each text comes with a map from positions as written, and
  from positions counted after CRLF -> LF, onto the stored LF text; `casecoder.exchange`
  decides which reading a file uses), a .docx at richTextPath when there is no plain text,
  `isCodable="false"` categories, elements we do not know (ignored and counted), and sources
  we cannot code (PDF, pictures, audio, video: skipped and listed). Elements are matched by
  local name, so a file with a missing or odd namespace still reads.
- safety: XML is parsed by defusedxml with entity declarations and external references
  refused (so "billion laughs" and XXE fail before any expansion), the zip is vetted from its
  central directory before anything is inflated (see safezip), and text is only ever read
  from inside the archive (a `relative://` or `absolute://` path in a file from someone else
  must not pull files off this machine).

Turning these records into a snapshot and a project is `casecoder.exchange.qdpx_read`.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

from casecoder.codebook import CodeSpec, validate_color
from casecoder.errors import ImportFileError, UserError
from casecoder.ingest.text import normalise_with_positions

if TYPE_CHECKING:
    from casecoder.ingest.model import SegmentSpec

#: Member of a .qdpx beside project.qde carrying what REFI-QDA cannot express.
EXTENSION_MEMBER = "casecoder.json"
EXTENSION_FORMAT = "casecoder-refi-extension"
_XSD_DATETIME = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")

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
MEDIA_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".mp3",
                   ".m4a", ".wav", ".aac", ".ogg", ".flac", ".mp4", ".m4v", ".mov", ".avi",
                   ".mpg", ".mpeg", ".wmv", ".mkv", ".webm")
_MEDIA_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                  "VideoSource": "video"}
SEGMENT_KINDS = ("sentence", "turn", "paragraph")
SEGMENT_NAME = re.compile(r"^(sentence|turn|paragraph) (\d+)$")
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


# --- small helpers -----------------------------------------------------------------------


def xsd_datetime(value: str | None) -> str | None:
    """The value if it is a valid xsd:dateTime (kept verbatim, so it survives a round trip)."""
    if not value:
        return None
    value = value.strip()
    if not _XSD_DATETIME.match(value):
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def local_name(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if local_name(c.tag) == name]


def kid(el: Element, name: str) -> Element | None:
    for c in el:
        if local_name(c.tag) == name:
            return c
    return None


def _items(parent: Element, container: str, item: str) -> list[Element]:
    """The `item` children of `parent`'s `container` child (Users/User, Notes/Note...)."""
    box = kid(parent, container)
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


def valid_guid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(uuid.UUID(value.strip().strip("{}")))
    except ValueError:
        return None


def clean_name(raw: str | None, limit: int, *, slash: bool = True) -> str:
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not slash:
        name = name.replace("/", "-")
    return name[:limit].rstrip()


def unique_name(name: str, taken: set[str], limit: int) -> str:
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


def read_limited(path: Path, limit: int, what: str) -> bytes:
    from casecoder.ingest.text import read_bytes

    if not path.exists():
        raise UserError(f"{what} {path} does not exist")
    return read_bytes(path, limit)


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
            name = clean_name(raw, MAX_CODE_NAME, slash=False)
            name = name or "unnamed code"
            name = unique_name(name, taken, MAX_CODE_NAME)
            if name != " ".join(raw.split()):
                parsed.renamed.append(f"{' '.join(raw.split())!r} -> {name!r}")
            path = f"{parent_path}/{name}" if parent_path else name
            guid = valid_guid(el.get("guid"))
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
            spec = CodeSpec(name=name, description=_text_of(kid(el, "Description")),
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


def walk(specs: list[CodeSpec], prefix: str = "") -> Iterable[tuple[str, CodeSpec]]:
    for spec in specs:
        path = f"{prefix}/{spec.name}" if prefix else spec.name
        yield path, spec
        yield from walk(spec.children, path)


def parse_sets(sets_el: Element | None, member_attr: str) -> tuple[
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
        if not members and (kid(el, "MemberSource") is not None
                            or kid(el, "MemberNote") is not None):
            other += 1
            continue
        name = unique_name(clean_name(el.get("name"), 200) or "set", taken, 200)
        out.append((name, valid_guid(el.get("guid")), members))
    return out, other


def code_warnings(parsed: ParsedCodes) -> list[str]:
    warnings = []
    if parsed.renamed:
        warnings.append(f"{len(parsed.renamed)} code name(s) changed to be valid and unique "
                        f"('/' separates paths): {', '.join(parsed.renamed[:5])}")
    if parsed.duplicate_guids:
        warnings.append(f"{parsed.duplicate_guids} code(s) repeated another code's GUID and "
                        "were given new GUIDs")
    return warnings


# --- projects: reading the XML -----------------------------------------------------------


@dataclass
class CodingRef:
    guid: str | None
    code: str
    user: str
    created: str | None
    notes: list[str]


@dataclass
class Selection:
    guid: str
    name: str
    start: int
    end: int
    user: str
    created: str | None
    description: str
    codings: list[CodingRef]
    notes: list[str]


@dataclass
class Source:
    key: str
    guid: str | None
    name: str
    plain_path: str | None
    rich_path: str | None
    content: str | None
    user: str
    created: str | None
    description: str
    selections: list[Selection]
    whole: list[CodingRef]
    notes: list[str]
    variables: dict[str, str]


@dataclass
class NoteEntry:
    key: str
    guid: str | None
    name: str
    user: str
    created: str | None
    content: str | None
    plain_path: str | None
    description: str


@dataclass
class CaseEntry:
    guid: str | None
    name: str
    description: str
    variables: dict[str, str]
    sources: list[str]
    notes: list[str]


@dataclass
class ProjectFile:
    """The records of one project.qde, references as GUID keys (see `guid_key`)."""

    name: str
    creating_user: str
    description: str
    notes: list[str]
    users: dict[str, str]
    codes: ParsedCodes
    variables: dict[str, tuple[str, str | None]]
    cases: list[CaseEntry]
    sources: list[Source]
    all_notes: dict[str, NoteEntry]
    sets: list[tuple[str, str | None, list[str]]]
    warnings: list[str]
    #: Project attributes kept for the round trip: origin, creationDateTime,
    #: modifiedDateTime, modifyingUserGUID.
    metadata: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)  # user key -> User@id


class Reader:
    """Turns a project.qde tree into plain records, counting what it has to leave out."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.warnings: list[str] = []
        self.variables: dict[str, tuple[str, str | None]] = {}
        self.unknown_variables = 0

    def read(self) -> ProjectFile:
        root = self.root
        self._unknown_elements()
        users = {guid_key(u.get("guid")): u.get("name") or u.get("id") or ""
                 for u in _items(root, "Users", "User")}
        user_ids = {guid_key(u.get("guid")): u.get("id") or ""
                    for u in _items(root, "Users", "User") if u.get("id")}
        metadata = {key: value for key, value in (
            ("origin", " ".join((root.get("origin") or "").split())),
            ("created_at", xsd_datetime(root.get("creationDateTime")) or ""),
            ("modified_at", xsd_datetime(root.get("modifiedDateTime")) or ""),
            ("modifying_user", guid_key(root.get("modifyingUserGUID")))) if value}
        codebook = kid(root, "CodeBook")
        codes = parse_codes(kid(codebook, "Codes") if codebook is not None else None)
        self.warnings.extend(code_warnings(codes))
        self._read_variables()
        cases = [self._case(el) for el in _items(root, "Cases", "Case")]
        sources: list[Source] = []
        skipped: list[str] = []
        sources_el = kid(root, "Sources")
        for el in sources_el if sources_el is not None else []:
            local = local_name(el.tag)
            if local == "TextSource":
                sources.append(self._source(el))
            elif local in _MEDIA_SOURCES:
                skipped.append(f"{el.get('name') or el.get('guid')} "
                               f"({_MEDIA_SOURCES[local]})")
        if skipped:
            self.warnings.append(f"skipped {len(skipped)} source(s) casecoder cannot code "
                                 f"(PDF, picture, audio, video): {', '.join(skipped)}")
        notes: dict[str, NoteEntry] = {}
        for el in _items(root, "Notes", "Note"):
            note = self._note(el)
            notes.setdefault(note.key, note)
        sets, other_sets = parse_sets(kid(root, "Sets"), "targetGUID")
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
        return ProjectFile(
            name=root.get("name") or "", creating_user=guid_key(root.get("creatingUserGUID")),
            description=_text_of(kid(root, "Description")),
            notes=[guid_key(n.get("targetGUID")) for n in _kids(root, "NoteRef")],
            users=users, codes=codes, variables=self.variables, cases=cases, sources=sources,
            all_notes=notes, sets=sets, warnings=self.warnings, metadata=metadata,
            user_ids=user_ids)

    def _unknown_elements(self) -> None:
        unknown: dict[str, int] = {}

        def visit(el: Element) -> None:
            for child in el:
                local = local_name(child.tag)
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
            name = clean_name(el.get("name"), 200)
            if name:
                self.variables[guid_key(el.get("guid"))] = (name, valid_guid(el.get("guid")))

    def _values(self, el: Element) -> dict[str, str]:
        out: dict[str, str] = {}
        for value in _kids(el, "VariableValue"):
            ref = kid(value, "VariableRef")
            variable = self.variables.get(guid_key(ref.get("targetGUID") if ref is not None
                                                   else None))
            if variable is None:
                self.unknown_variables += 1
                continue
            text = ""
            for child in value:
                if local_name(child.tag) != "VariableRef":
                    text = _text_of(child)
            if text:
                out[variable[0]] = text
        return out

    def _case(self, el: Element) -> CaseEntry:
        return CaseEntry(guid=valid_guid(el.get("guid")), name=el.get("name") or "",
                     description=_text_of(kid(el, "Description")),
                     variables=self._values(el),
                     sources=[guid_key(s.get("targetGUID")) for s in _kids(el, "SourceRef")],
                     notes=[guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")])

    def _coding(self, el: Element, user: str, created: str | None) -> CodingRef | None:
        ref = kid(el, "CodeRef")
        if ref is None:
            return None
        return CodingRef(guid=valid_guid(el.get("guid")), code=guid_key(ref.get("targetGUID")),
                          user=guid_key(el.get("creatingUser")) or user,
                          created=xsd_datetime(el.get("creationDateTime")) or created,
                          notes=[guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")])

    def _source(self, el: Element) -> Source:
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
            selections.append(Selection(
                guid=guid_key(sel.get("guid")), name=" ".join((sel.get("name") or "").split()),
                start=start, end=end, user=sel_user, created=sel_created,
                description=_text_of(kid(sel, "Description")), codings=codings,
                notes=[guid_key(n.get("targetGUID")) for n in _kids(sel, "NoteRef")]))
        content = kid(el, "PlainTextContent")
        return Source(
            key=guid_key(el.get("guid")), guid=valid_guid(el.get("guid")),
            name=el.get("name") or "", plain_path=el.get("plainTextPath"),
            rich_path=el.get("richTextPath"),
            content="".join(content.itertext()) if content is not None else None,
            user=user, created=created, description=_text_of(kid(el, "Description")),
            selections=selections,
            whole=[c for c in (self._coding(k, user, created) for k in _kids(el, "Coding")) if c],
            notes=[guid_key(n.get("targetGUID")) for n in _kids(el, "NoteRef")],
            variables=self._values(el))

    def _note(self, el: Element) -> NoteEntry:
        content = kid(el, "PlainTextContent")
        return NoteEntry(key=guid_key(el.get("guid")), guid=valid_guid(el.get("guid")),
                     name=" ".join((el.get("name") or "").split()),
                     user=guid_key(el.get("creatingUser")),
                     created=xsd_datetime(el.get("creationDateTime")),
                     content="".join(content.itertext()) if content is not None else None,
                     plain_path=el.get("plainTextPath"),
                     description=_text_of(kid(el, "Description")))


# --- projects: texts from the archive ----------------------------------------------------


@dataclass
class SourceRead:
    """A source's text as stored, with the maps positions in the file need.

    `positions` maps offsets in the text as written onto the stored text (None: identical);
    `lf_positions`, for a text written with CRLF, maps offsets counted after CRLF -> LF (as
    qc counts them) instead. Which one a file uses is decided over all its selections.
    """

    text: str
    positions: list[int] | None
    format: str
    encoding: str | None
    warnings: tuple[str, ...] = ()
    lf_positions: list[int] | None = None


def _read_text(raw: str, fmt: str, encoding: str | None,
               warnings: tuple[str, ...] = ()) -> SourceRead:
    text, positions = normalise_with_positions(raw)
    lf_positions = None
    if "\r\n" in raw:
        lf_positions = normalise_with_positions(raw.replace("\r\n", "\n"))[1]
    return SourceRead(text, positions, fmt, encoding, warnings, lf_positions)


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


class Archive:
    """The vetted .qdpx, with member lookup the way tools actually lay them out."""

    def __init__(self, safe: Any) -> None:
        self.zip = safe
        self._by_base: dict[str, str] = {}
        for name in safe.names():
            self._by_base.setdefault(PurePosixPath(name).name.casefold(), name)

    def member(self, reference: str | None) -> str | None:
        name = _internal_name(reference)
        if name is None or name.casefold().endswith(MEDIA_SUFFIXES):
            return None
        for candidate in (f"sources/{name}", name):
            found = self.zip.find(candidate)
            if found:
                return found
        return self._by_base.get(PurePosixPath(name).name.casefold())

    def plain_text(self, member: str) -> SourceRead:
        from casecoder.ingest.text import MAX_TEXT_BYTES, decode

        data = self.zip.read(member, MAX_TEXT_BYTES)
        if not data:
            return SourceRead("", None, "txt", None)
        decoded = decode(data, Path(member))
        return _read_text(decoded.text, "txt", decoded.encoding, decoded.warnings)

    def docx_text(self, member: str) -> SourceRead:
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
        return SourceRead(source.text, None, "docx", None, source.warnings)


def source_text(archive: Archive, source: Source) -> SourceRead:
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
        return _read_text(source.content, "txt", None)
    rich = archive.member(source.rich_path)
    if rich is not None and rich.lower().endswith(".docx"):
        return archive.docx_text(rich)
    if source.rich_path:
        problems.append(f"its rich text {source.rich_path} is not a .docx in the archive")
    if problems:
        raise ImportFileError("; ".join(problems))
    return SourceRead("", None, "txt", None)  # an empty source (NVivo writes some) stays


def note_text(archive: Archive, note: NoteEntry) -> str:
    if note.content is not None and note.content.strip():
        return normalise_with_positions(note.content)[0].strip()
    member = archive.member(note.plain_path)
    if member is not None:
        with contextlib.suppress(ImportFileError):
            return archive.plain_text(member).text.strip()
    return note.description


def read_extension(archive: Archive, warnings: list[str]) -> dict[str, Any]:
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


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def segments_from(extension_doc: dict[str, Any], text: str) -> list[SegmentSpec] | None:
    """Segments stored by casecoder's own export, when they fit this very text."""
    import hashlib

    from casecoder.ingest.model import SegmentSpec

    if extension_doc.get("sha256") != hashlib.sha256(text.encode("utf-8")).hexdigest():
        return None
    raw = extension_doc.get("segments")
    if not isinstance(raw, list):
        return None
    out: list[SegmentSpec] = []
    numbers = dict.fromkeys(SEGMENT_KINDS, 0)
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



# --- the whole file ----------------------------------------------------------------------


@dataclass
class QdpxFile:
    """Everything read from a .qdpx: the records, the texts of the sources that have one,
    the note texts and casecoder's own extension member."""

    parsed: ProjectFile
    texts: dict[str, SourceRead]  # source key -> text
    note_texts: dict[str, str]  # note key -> text
    extension: dict[str, Any]
    warnings: list[str]


def read_qdpx(qdpx: Path) -> QdpxFile:
    """Read a .qdpx from disk (vetted before anything is inflated); no project is touched."""
    from casecoder.ingest.safezip import open_safe_zip

    if not qdpx.exists():
        raise UserError(f"{qdpx} does not exist")

    def counted(name: str) -> bool:
        return not name.casefold().endswith(MEDIA_SUFFIXES)

    with open_safe_zip(qdpx, what="a .qdpx project", max_members=MAX_QDPX_MEMBERS,
                       max_read_bytes=MAX_QDPX_READ_BYTES, max_ratio=MAX_COMPRESSION_RATIO,
                       counted=counted) as safe:
        archive = Archive(safe)
        qde = safe.find("project.qde") or next(
            (n for n in safe.names() if n.casefold().endswith(".qde") and "/" not in n), None)
        if qde is None:
            raise ImportFileError(f"{qdpx}: not a .qdpx project (no project.qde inside)")
        root = parse_xml(safe.read(qde, MAX_QDE_BYTES), f"{qdpx}: {qde}")
        if local_name(root.tag) != "Project":
            raise ImportFileError(f"{qdpx}: {qde} is not a REFI-QDA project (root element "
                                  f"<{local_name(root.tag) or root.tag}>)")
        parsed = Reader(root).read()
        warnings = parsed.warnings
        extension = read_extension(archive, warnings)
        texts: dict[str, SourceRead] = {}
        for source in parsed.sources:
            try:
                texts[source.key] = source_text(archive, source)
            except ImportFileError as exc:
                warnings.append(f"source {source.name or source.key!r} not imported: {exc}")
        notes = {key: note_text(archive, note) for key, note in parsed.all_notes.items()}
    return QdpxFile(parsed, texts, notes, extension, warnings)
