"""REFI-QDA writers: codebooks (.qdc), whole projects (.qdpx) and Taguette-style CSV codebooks.

Two promises shape this module. Every object keeps the GUID stored with it (documents, codes,
coders, codings, memos, cases), and objects casecoder has no row for get GUIDs derived with
uuid5 from a stored GUID and a name (variables and sets from the project GUID, a coding's
selection from the coding GUID), so the same project always exports the same GUIDs. And the
output is ordered by stable keys and zipped with fixed member timestamps, so exporting an
unchanged project twice gives the same bytes: a .qdpx can be checked into a repository, diffed
and archived, which peers' exports (fresh random GUIDs every time) cannot.

What REFI-QDA has no place for (a code's keywords and shortcut, a document's language,
original file name and segments, the codebook's own name) travels in `casecoder.json` beside
project.qde; other tools ignore it, casecoder's importer reads it back so that a round trip
through .qdpx loses nothing (segment memos point at segment numbers, so the segments must come
back exactly as they were, not as a newer segmenter would cut them).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder import __version__
from casecoder.errors import UserError
from casecoder.export.cells import neutralise as safe_cell

if TYPE_CHECKING:
    from lxml import etree

    from casecoder.model import Code, Memo
    from casecoder.project import Project

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Project setting holding code groups: JSON {set name: [code guids]}.
CODE_SETS_SETTING = "code_sets"
#: Project setting holding GUIDs brought in for objects casecoder has no row for:
#: JSON {"variable:NAME": guid, "set:NAME": guid}. Export prefers them to derived GUIDs.
REFI_GUIDS_SETTING = "refi_guids"
#: Member of a .qdpx beside project.qde carrying what REFI-QDA cannot express.
EXTENSION_MEMBER = "casecoder.json"
EXTENSION_FORMAT = "casecoder-refi-extension"
#: Zip member timestamp: fixed, so that the archive's bytes depend on the project only.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
CSV_COLUMNS = ("tag", "description", "color", "codable", "guid")

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XSD_DATETIME = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_SELECTION_NAME_CHARS = 80


# --- GUIDs, times and text ---------------------------------------------------------------


def derived_guid(base_guid: str, name: str) -> str:
    """A GUID that is always the same for the same base GUID and name (uuid5)."""
    return str(uuid.uuid5(uuid.UUID(base_guid), name))


def selection_guid(coding_guid: str) -> str:
    """The PlainTextSelection that carries one coding."""
    return derived_guid(coding_guid, "PlainTextSelection")


def segment_selection_guid(memo_guid: str) -> str:
    """The PlainTextSelection a segment memo's Note hangs on."""
    return derived_guid(memo_guid, "PlainTextSelection")


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


def xml_text(value: str) -> str:
    """Text without the characters XML 1.0 cannot carry (they would make the file unreadable)."""
    return _XML_INVALID.sub("", value)


def read_json_setting(project: Project, key: str) -> dict[str, Any]:
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


def object_guid(project: Project, kind: str, name: str) -> str:
    """GUID of a variable or set: the one brought in with it, else derived from the project."""
    stored = read_json_setting(project, REFI_GUIDS_SETTING).get(f"{kind}:{name}")
    if isinstance(stored, str):
        try:
            return str(uuid.UUID(stored.strip().strip("{}")))
        except ValueError:
            pass
    return derived_guid(project.guid, f"{kind}:{name}")


def write_export(project: Project, path: Path, data: bytes) -> None:
    """Write the whole file or nothing, and never over the project file itself."""
    from casecoder.export.atomic import atomic_path, check_writable

    target = check_writable(Path(path), protect=(Path(project.path),))
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


# --- codebooks ---------------------------------------------------------------------------


def _tree(project: Project) -> dict[int | None, list[Code]]:
    children: dict[int | None, list[Code]] = {}
    for code in project.codes():
        children.setdefault(code.parent_id, []).append(code)
    return children


def qdc_bytes(project: Project) -> bytes:
    """The codebook as a REFI-QDA CodeBook document (Codebook.xsd)."""
    from lxml import etree

    children = _tree(project)
    if not children.get(None):
        raise UserError("the codebook is empty: there is nothing to export")
    nsmap = {None: CODEBOOK_NS}
    root = etree.Element(_q(CODEBOOK_NS, "CodeBook"), nsmap=nsmap)  # type: ignore[dict-item]
    root.set("origin", f"casecoder {__version__}")
    codes_el = etree.SubElement(root, _q(CODEBOOK_NS, "Codes"))

    def add(parent: etree._Element, code: Code) -> None:
        el = etree.SubElement(parent, _q(CODEBOOK_NS, "Code"))
        _code_attributes(el, code)
        if code.description:
            _text_child(el, CODEBOOK_NS, "Description", code.description)
        for child in children.get(code.id, []):
            add(el, child)

    for top in children[None]:
        add(codes_el, top)
    sets = _set_members(project)
    if sets:
        sets_el = etree.SubElement(root, _q(CODEBOOK_NS, "Sets"))
        for name, guid, members in sets:
            set_el = etree.SubElement(sets_el, _q(CODEBOOK_NS, "Set"))
            set_el.set("guid", guid)
            set_el.set("name", xml_text(name))
            for member in members:
                etree.SubElement(set_el, _q(CODEBOOK_NS, "MemberCode")).set("guid", member)
    return _serialise(root)


def export_qdc(project: Project, path: str | Path) -> None:
    """Write the codebook as .qdc for NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette."""
    write_export(project, Path(path), qdc_bytes(project))


def codebook_csv_text(project: Project) -> str:
    """The codebook as CSV in the shape Taguette imports: a `tag` path and a `description`.

    Extra columns (colour, codable, GUID) are ignored by Taguette and let casecoder read its own
    file back without loss; cells a spreadsheet would run as a formula are neutralised.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code in project.codes():
        writer.writerow([safe_cell(code.path), safe_cell(code.description), code.color,
                         "true" if code.codable else "false", code.guid])
    return buf.getvalue()


def export_codebook_csv(project: Project, path: str | Path) -> None:
    if not project.codes():
        raise UserError("the codebook is empty: there is nothing to export")
    write_export(project, Path(path), codebook_csv_text(project).encode("utf-8"))


def _set_members(project: Project) -> list[tuple[str, str, list[str]]]:
    """(name, guid, member code guids) per code set, members limited to codes that exist."""
    known = {c.guid for c in project.codes()}
    out = []
    for name, members in sorted(code_sets(project).items(), key=lambda kv: kv[0].casefold()):
        seen: list[str] = []
        for guid in members:
            norm = guid.strip().strip("{}").lower()
            if norm in known and norm not in seen:
                seen.append(norm)
        out.append((name, object_guid(project, "set", name), seen))
    return out


def _code_attributes(el: etree._Element, code: Code) -> None:
    el.set("guid", code.guid)
    el.set("name", xml_text(code.name))
    el.set("isCodable", "true" if code.codable else "false")
    if code.color:
        el.set("color", code.color)


# --- projects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QdpxSummary:
    """What an export wrote, for the command's one-line report."""

    documents: int
    codes: int
    codings: int
    memos: int
    coders: int
    cases: int


def export_qdpx(project: Project, path: str | Path, *, crlf: bool = False) -> QdpxSummary:
    """Write the project as a .qdpx; `crlf` writes texts with CRLF line ends (for MAXQDA)
    and counts every position in that text, as REFI-QDA requires."""
    members, summary = qdpx_members(project, crlf=crlf)
    write_export(project, Path(path), zip_members(members))
    return summary


def zip_members(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip whose bytes depend on the members only: fixed times, modes and member order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buf.getvalue()


def qdpx_members(project: Project, *, crlf: bool = False
                 ) -> tuple[list[tuple[str, bytes]], QdpxSummary]:
    """(member name, bytes) of the archive in order: project.qde, sources, casecoder.json."""
    writer = _ProjectWriter(project, crlf=crlf)
    qde = writer.build()
    members = [("project.qde", qde)]
    members.extend(sorted(writer.sources.items()))
    members.append((EXTENSION_MEMBER, writer.extension()))
    return members, writer.summary()


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _text_child(parent: etree._Element, ns: str, local: str, text: str) -> etree._Element:
    from lxml import etree

    el = etree.SubElement(parent, _q(ns, local))
    el.text = xml_text(text)
    return el


def _serialise(root: etree._Element) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _selection_name(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > _SELECTION_NAME_CHARS:
        flat = flat[:_SELECTION_NAME_CHARS - 1].rstrip() + "…"
    return xml_text(flat)


class _ProjectWriter:
    """Builds project.qde and the source files of one export."""

    def __init__(self, project: Project, *, crlf: bool) -> None:
        self.p = project
        self.crlf = crlf
        self.sources: dict[str, bytes] = {}
        self.coder_guid = {c.name.casefold(): c.guid for c in project.coders()}
        self.codes = project.codes()
        self.children = _tree(project)
        self.code_by_id = {c.id: c for c in self.codes}
        self.documents = project.documents()
        self.doc_by_id = {d.id: d for d in self.documents}
        self.memos = project.memos()
        self.codings = project.codings()
        self.own_attributes = self._own_attributes()
        self._note_refs: dict[tuple[str, int], list[Memo]] = {}
        for memo in self._ordered_memos():
            self._note_refs.setdefault((memo.target_kind, memo.target_id), []).append(memo)

    def _own_attributes(self) -> dict[tuple[str, int], dict[str, str]]:
        """REFI-QDA keeps case variables on the Case and source variables on the source."""
        return self.p.own_attributes()

    def _segment(self, segment_id: int) -> tuple[int, str, int, int, int] | None:
        seg = self.p.segment_by_id(segment_id)
        return (seg.document_id, seg.kind, seg.number, seg.start, seg.end) if seg else None

    def _ordered_memos(self) -> list[Memo]:
        kind_order = {"project": 0, "document": 1, "code": 2, "segment": 3}
        code_order = {c.id: n for n, c in enumerate(self.codes)}

        def key(m: Memo) -> tuple[Any, ...]:
            if m.target_kind == "document":
                doc = self.doc_by_id.get(m.target_id)
                target: tuple[Any, ...] = (doc.name.casefold() if doc else "",)
            elif m.target_kind == "code":
                target = (code_order.get(m.target_id, 0),)
            elif m.target_kind == "segment":
                seg = self._segment(m.target_id)
                doc = self.doc_by_id.get(seg[0]) if seg else None
                target = ((doc.name.casefold() if doc else ""), seg[3] if seg else 0,
                          seg[1] if seg else "")
            else:
                target = ()
            return (kind_order.get(m.target_kind, 9), target, m.coder.casefold(), m.guid)

        def exportable(m: Memo) -> bool:
            """Memos on something that still exists (a segment memo can outlive its text)."""
            if m.target_kind == "segment":
                return self._segment(m.target_id) is not None
            return m.target_kind in kind_order

        return sorted((m for m in self.memos if exportable(m)), key=key)

    def _user(self, name: str) -> str | None:
        return self.coder_guid.get(name.casefold())

    # --- building ------------------------------------------------------------------------

    def build(self) -> bytes:
        from lxml import etree

        root = etree.Element(_q(PROJECT_NS, "Project"),
                             nsmap={None: PROJECT_NS})  # type: ignore[dict-item]
        root.set("name", xml_text(self.p.name))
        root.set("origin", f"casecoder {__version__}")
        created = xsd_datetime(self.p.setting("created_at"))
        if created:
            root.set("creationDateTime", created)
        self._users(root)
        self._codebook(root)
        variables = self._variables(root)
        self._cases(root, variables)
        self._sources(root, variables)
        self._notes(root)
        self._sets(root)
        project_memos = self._note_refs.get(("project", 0), [])
        if project_memos:
            _text_child(root, PROJECT_NS, "Description",
                        "\n\n".join(m.text for m in project_memos))
            for memo in project_memos:
                self._note_ref(root, memo)
        return _serialise(root)

    def _el(self, parent: etree._Element, local: str, **attrs: str | None) -> etree._Element:
        from lxml import etree

        el = etree.SubElement(parent, _q(PROJECT_NS, local))
        for key, value in attrs.items():
            if value is not None:
                el.set(key, value)
        return el

    def _note_ref(self, parent: etree._Element, memo: Memo) -> None:
        self._el(parent, "NoteRef", targetGUID=memo.guid)

    def _users(self, root: etree._Element) -> None:
        coders = self.p.coders()
        if not coders:
            return
        users = self._el(root, "Users")
        for coder in coders:
            self._el(users, "User", guid=coder.guid, name=xml_text(coder.name))

    def _codebook(self, root: etree._Element) -> None:
        if not self.children.get(None):
            return
        codes_el = self._el(self._el(root, "CodeBook"), "Codes")

        def add(parent: etree._Element, code: Code) -> None:
            el = self._el(parent, "Code")
            _code_attributes(el, code)
            if code.description:
                _text_child(el, PROJECT_NS, "Description", code.description)
            for memo in self._note_refs.get(("code", code.id), []):
                self._note_ref(el, memo)
            for child in self.children.get(code.id, []):
                add(el, child)

        for top in self.children[None]:
            add(codes_el, top)

    def _variables(self, root: etree._Element) -> dict[str, str]:
        names = sorted({k for attrs in self.own_attributes.values() for k in attrs},
                       key=lambda n: (n.casefold(), n))
        guids = {name: object_guid(self.p, "variable", name) for name in names}
        if names:
            variables = self._el(root, "Variables")
            for name in names:
                self._el(variables, "Variable", guid=guids[name], name=xml_text(name),
                         typeOfVariable="Text")
        return guids

    def _variable_values(self, parent: etree._Element, attrs: dict[str, str],
                         guids: dict[str, str]) -> None:
        for key in sorted(attrs, key=lambda n: (n.casefold(), n)):
            value = self._el(parent, "VariableValue")
            self._el(value, "VariableRef", targetGUID=guids[key])
            _text_child(value, PROJECT_NS, "TextValue", attrs[key])

    def _cases(self, root: etree._Element, guids: dict[str, str]) -> None:
        cases = self.p.cases()
        if not cases:
            return
        members: dict[str, list[str]] = {}
        for doc in self.documents:
            if doc.case:
                members.setdefault(doc.case.casefold(), []).append(doc.guid)
        cases_el = self._el(root, "Cases")
        for case in cases:
            el = self._el(cases_el, "Case", guid=case.guid, name=xml_text(case.name))
            if case.description:
                _text_child(el, PROJECT_NS, "Description", case.description)
            self._variable_values(el, self.own_attributes.get(("case", case.id), {}), guids)
            for doc_guid in members.get(case.name.casefold(), []):
                self._el(el, "SourceRef", targetGUID=doc_guid)

    def _position_map(self, text: str) -> list[int] | None:
        """Offsets in the stored (LF) text to offsets in the written CRLF text, or None."""
        if not self.crlf:
            return None
        out = []
        shift = 0
        for i, ch in enumerate(text):
            out.append(i + shift)
            if ch == "\n":
                shift += 1
        out.append(len(text) + shift)
        return out

    def _sources(self, root: etree._Element, guids: dict[str, str]) -> None:
        if not self.documents:
            return
        by_doc: dict[int, list[Any]] = {}
        for coding in self.codings:
            by_doc.setdefault(coding.document_id, []).append(coding)
        segment_memos: dict[int, list[tuple[Memo, tuple[int, str, int, int, int]]]] = {}
        for (kind, target_id), memos in self._note_refs.items():
            if kind != "segment":
                continue
            seg = self._segment(target_id)
            if seg is None:
                continue
            for memo in memos:
                segment_memos.setdefault(seg[0], []).append((memo, seg))
        sources = self._el(root, "Sources")
        for doc in self.documents:
            text = self.p.text(doc)
            pos = self._position_map(text)
            written = text.replace("\n", "\r\n") if self.crlf else text
            self.sources[f"sources/{doc.guid}.txt"] = written.encode("utf-8")
            el = self._el(sources, "TextSource", guid=doc.guid, name=xml_text(doc.name),
                          plainTextPath=f"internal://{doc.guid}.txt",
                          creationDateTime=xsd_datetime(doc.imported_at))
            selections: list[tuple[tuple[Any, ...], Any]] = []
            for coding in by_doc.get(doc.id, []):
                code = self.code_by_id[coding.code_id]
                key = (coding.start, coding.end, 0, code.guid, coding.coder.casefold(),
                       coding.guid)
                selections.append((key, ("coding", coding, code)))
            for memo, seg in segment_memos.get(doc.id, []):
                key = (seg[3], seg[4], 1, seg[1], memo.coder.casefold(), memo.guid)
                selections.append((key, ("segment", memo, seg)))
            selections.sort(key=lambda s: s[0])
            for _key, item in selections:
                if item[0] == "coding":
                    self._coding_selection(el, text, pos, item[1], item[2])
                else:
                    self._segment_selection(el, pos, item[1], item[2])
            for memo in self._note_refs.get(("document", doc.id), []):
                self._note_ref(el, memo)
            self._variable_values(el, self.own_attributes.get(("document", doc.id), {}), guids)

    def _coding_selection(self, parent: etree._Element, text: str, pos: list[int] | None,
                          coding: Any, code: Code) -> None:
        user = self._user(coding.coder)
        created = xsd_datetime(coding.created_at)
        start, end = (pos[coding.start], pos[coding.end]) if pos else (coding.start, coding.end)
        sel = self._el(parent, "PlainTextSelection", guid=selection_guid(coding.guid),
                       name=_selection_name(text[coding.start:coding.end]),
                       startPosition=str(start), endPosition=str(end), creatingUser=user,
                       creationDateTime=created)
        if coding.memo:
            _text_child(sel, PROJECT_NS, "Description", coding.memo)
        el = self._el(sel, "Coding", guid=coding.guid, creatingUser=user,
                      creationDateTime=created)
        self._el(el, "CodeRef", targetGUID=code.guid)

    def _segment_selection(self, parent: etree._Element, pos: list[int] | None, memo: Memo,
                           seg: tuple[int, str, int, int, int]) -> None:
        _doc_id, kind, number, start, end = seg
        if pos:
            start, end = pos[start], pos[end]
        sel = self._el(parent, "PlainTextSelection", guid=segment_selection_guid(memo.guid),
                       name=f"{kind} {number}", startPosition=str(start),
                       endPosition=str(end), creatingUser=self._user(memo.coder),
                       creationDateTime=xsd_datetime(memo.created_at))
        self._note_ref(sel, memo)

    def _notes(self, root: etree._Element) -> None:
        ordered = [m for memos in self._note_refs.values() for m in memos]
        if not ordered:
            return
        order = {m.guid: n for n, m in enumerate(self._ordered_memos())}
        ordered.sort(key=lambda m: order[m.guid])
        notes = self._el(root, "Notes")
        for memo in ordered:
            user = self._user(memo.coder)
            note = self._el(notes, "Note", guid=memo.guid,
                            name=xml_text(f"{memo.target_kind} memo: {memo.target}"),
                            creatingUser=user, creationDateTime=xsd_datetime(memo.created_at),
                            modifyingUser=user, modifiedDateTime=xsd_datetime(memo.updated_at))
            _text_child(note, PROJECT_NS, "PlainTextContent", memo.text)

    def _sets(self, root: etree._Element) -> None:
        sets = _set_members(self.p)
        if not sets:
            return
        sets_el = self._el(root, "Sets")
        for name, guid, members in sets:
            set_el = self._el(sets_el, "Set", guid=guid, name=xml_text(name))
            for member in members:
                self._el(set_el, "MemberCode", targetGUID=member)

    # --- the extension member ------------------------------------------------------------

    def extension(self) -> bytes:
        codes = {}
        for code in self.codes:
            extra: dict[str, Any] = {}
            if code.keywords:
                extra["keywords"] = list(code.keywords)
            if code.shortcut:
                extra["shortcut"] = code.shortcut
            if extra:
                codes[code.guid] = extra
        documents = {}
        for d in self.documents:
            segments = [[s.kind, s.number, s.start, s.end, s.speaker, s.timestamp]
                        for kind in ("sentence", "turn", "paragraph")
                        for s in self.p.segments(d, kind)]
            documents[d.guid] = {"language": d.language, "source_format": d.source_format,
                                 "source_name": d.source_name, "encoding": d.encoding,
                                 "sha256": d.sha256, "segments": segments}
        data = {
            "format": EXTENSION_FORMAT,
            "version": 1,
            "project": {"language": self.p.language,
                        "codebook_name": self.p.setting("codebook_name"),
                        "codebook_description": self.p.setting("codebook_description")},
            "codes": codes,
            "documents": documents,
        }
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                + "\n").encode("utf-8")

    def summary(self) -> QdpxSummary:
        return QdpxSummary(len(self.documents), len(self.codes), len(self.codings),
                           len(self._ordered_memos()), len(self.p.coders()),
                           len(self.p.cases()))
