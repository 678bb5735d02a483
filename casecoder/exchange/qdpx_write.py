"""A `Snapshot` written as a REFI-QDA .qdpx (project.qde, sources/, casecoder.json).

Two promises shape this module. Every object keeps the GUID stored with it (documents, codes,
coders, codings, memos, cases), and objects casecoder has no row for get GUIDs derived with
uuid5 from a stored GUID and a name (variables and sets from the project GUID, a coding's
selection from the coding GUID), so the same project always exports the same GUIDs. And the
output is ordered by stable keys and zipped with fixed member timestamps, so exporting an
unchanged project twice gives the same bytes: a .qdpx can be checked into a repository, diffed
and archived.

What REFI-QDA has no place for (a code's keywords and shortcut, a document's language,
original file name, segments with their pages and speakers, the codebook's own name, coder
kinds, coding origins, review decisions, framework summaries, autocode runs, and every
record's `extra`) travels
in `casecoder.json` beside project.qde; other tools ignore it, casecoder's reader takes it back
so that a round trip through .qdpx loses nothing (segment memos point at segment numbers, so
the segments must come back exactly as they were, not as a newer segmenter would cut them).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder import __version__
from casecoder.exchange.positions import OffsetMap, crlf_map
from casecoder.exchange.refi_xml import (
    PROJECT_NS,
    element,
    object_guid,
    q,
    selection_guid,
    serialise,
    text_child,
    xml_text,
)
from casecoder.exchange.snapshot import (
    SEGMENT_KINDS,
    CodeRecord,
    CodingRecord,
    DocumentRecord,
    JsonValue,
    MemoRecord,
    Snapshot,
)
from casecoder.ingest.refiqda import EXTENSION_FORMAT, EXTENSION_MEMBER, xsd_datetime

if TYPE_CHECKING:
    from lxml import etree

    from casecoder.project import Project

#: Zip member timestamp: fixed, so that the archive's bytes depend on the project only.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_SELECTION_NAME_CHARS = 80
_KIND_ORDER = {"project": 0, "document": 1, "code": 2, "segment": 3}


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
    from casecoder.exchange.capture import snapshot_of
    from casecoder.exchange.refi_xml import write_export

    members, summary = qdpx_members(snapshot_of(project), crlf=crlf)
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


def qdpx_members(snapshot: Snapshot, *, crlf: bool = False
                 ) -> tuple[list[tuple[str, bytes]], QdpxSummary]:
    """(member name, bytes) of the archive in order: project.qde, sources, casecoder.json."""
    writer = _ProjectWriter(snapshot, crlf=crlf)
    qde = writer.build()
    members = [("project.qde", qde)]
    members.extend(sorted(writer.sources.items()))
    members.append((EXTENSION_MEMBER, writer.extension()))
    return members, writer.summary()


def _selection_name(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > _SELECTION_NAME_CHARS:
        flat = flat[:_SELECTION_NAME_CHARS - 1].rstrip() + "…"
    return xml_text(flat)


def _code_attributes(el: etree._Element, code: CodeRecord) -> None:
    el.set("guid", code.guid)
    el.set("name", xml_text(code.name))
    el.set("isCodable", "true" if code.codable else "false")
    if code.color:
        el.set("color", code.color)


class _ProjectWriter:
    """Builds project.qde and the source files of one export."""

    def __init__(self, snapshot: Snapshot, *, crlf: bool) -> None:
        self.s = snapshot
        self.crlf = crlf
        self.sources: dict[str, bytes] = {}
        self.coder_ids = {c.guid for c in snapshot.coders}
        self.coder_name = snapshot.coder_names()
        self.children = snapshot.children()
        self.code_path = snapshot.code_paths()
        self.code_order = {c.guid: n for n, c in enumerate(snapshot.codes)}
        self.docs = snapshot.documents_by_guid()
        self.documents = sorted(snapshot.documents, key=lambda d: (d.name.casefold(), d.name))
        self.memos = sorted((m for m in snapshot.memos if self._exportable(m)),
                            key=self._memo_key)
        self._note_refs: dict[tuple[str, str], list[MemoRecord]] = {}
        for memo in self.memos:
            self._note_refs.setdefault((memo.target.kind, memo.target.ref or ""),
                                       []).append(memo)

    def _exportable(self, m: MemoRecord) -> bool:
        """Memos on something that is in the snapshot."""
        t = m.target
        if t.kind == "document" or t.kind == "segment":
            return t.ref in self.docs and (t.kind == "document" or t.span is not None)
        if t.kind == "code":
            return t.ref in self.code_path
        return t.kind == "project"

    def _memo_key(self, m: MemoRecord) -> tuple[Any, ...]:  # Any: mixed sort keys
        t = m.target
        doc = self.docs.get(t.ref or "")
        target: tuple[Any, ...] = ()  # Any: mixed sort keys
        if t.kind == "document":
            target = (doc.name.casefold() if doc else "",)
        elif t.kind == "code":
            target = (self.code_order.get(t.ref or "", 0),)
        elif t.kind == "segment":
            target = (doc.name.casefold() if doc else "", t.span[0] if t.span else 0,
                      t.segment_kind or "")
        return (_KIND_ORDER.get(t.kind, 9), target,
                self.coder_name.get(m.coder, "").casefold(), m.guid)

    def _label(self, m: MemoRecord) -> str:
        t = m.target
        if t.kind == "project":
            return "project"
        if t.kind == "code":
            return self.code_path.get(t.ref or "", "?")
        doc = self.docs.get(t.ref or "")
        name = doc.name if doc else "?"
        return name if t.kind == "document" else f"{name} {t.segment_kind} {t.number}"

    def _user(self, guid: str | None) -> str | None:
        return guid if guid in self.coder_ids else None

    # --- building ------------------------------------------------------------------------

    def build(self) -> bytes:
        from lxml import etree

        root = etree.Element(q("Project"),
                             nsmap={None: PROJECT_NS})
        root.set("name", xml_text(self.s.name))
        root.set("origin", f"casecoder {__version__}")
        extra = self.s.extra
        for attribute, value in (
                ("creatingUserGUID", self._user(_str(extra.get("creating_user")))),
                ("creationDateTime", xsd_datetime(self.s.created_at)),
                ("modifyingUserGUID", self._user(_str(extra.get("modifying_user")))),
                ("modifiedDateTime", xsd_datetime(_str(extra.get("modified_at"))))):
            if value:
                root.set(attribute, value)
        self._users(root)
        self._codebook(root)
        variables = self._variables(root)
        self._cases(root, variables)
        self._sources(root, variables)
        self._notes(root)
        self._sets(root)
        project_memos = self._note_refs.get(("project", ""), [])
        if project_memos:
            text_child(root, "Description", "\n\n".join(m.text for m in project_memos))
            for memo in project_memos:
                element(root, "NoteRef", targetGUID=memo.guid)
        return serialise(root)

    def _users(self, root: etree._Element) -> None:
        if not self.s.coders:
            return
        ids = self.s.extra.get("user_ids")
        ids = ids if isinstance(ids, dict) else {}
        users = element(root, "Users")
        for coder in sorted(self.s.coders, key=lambda c: (c.name.casefold(), c.name)):
            user_id = ids.get(coder.guid)
            element(users, "User", guid=coder.guid,
                    id=xml_text(user_id) if isinstance(user_id, str) else None,
                    name=xml_text(coder.name))

    def _codebook(self, root: etree._Element) -> None:
        if not self.children.get(None):
            return
        codes_el = element(element(root, "CodeBook"), "Codes")

        def add(parent: etree._Element, code: CodeRecord) -> None:
            el = element(parent, "Code")
            _code_attributes(el, code)
            if code.description:
                text_child(el, "Description", code.description)
            for memo in self._note_refs.get(("code", code.guid), []):
                element(el, "NoteRef", targetGUID=memo.guid)
            for child in self.children.get(code.guid, []):
                add(el, child)

        for top in self.children[None]:
            add(codes_el, top)

    def _variables(self, root: etree._Element) -> dict[str, str]:
        names = sorted({k for case in self.s.cases for k in case.attributes}
                       | {k for doc in self.s.documents for k in doc.attributes},
                       key=lambda n: (n.casefold(), n))
        guids = {name: object_guid(self.s, "variable", name) for name in names}
        if names:
            variables = element(root, "Variables")
            for name in names:
                element(variables, "Variable", guid=guids[name], name=xml_text(name),
                        typeOfVariable="Text")
        return guids

    def _variable_values(self, parent: etree._Element, attrs: dict[str, str],
                         guids: dict[str, str]) -> None:
        for key in sorted(attrs, key=lambda n: (n.casefold(), n)):
            value = element(parent, "VariableValue")
            element(value, "VariableRef", targetGUID=guids[key])
            text_child(value, "TextValue", attrs[key])

    def _cases(self, root: etree._Element, guids: dict[str, str]) -> None:
        if not self.s.cases:
            return
        members: dict[str, list[str]] = {}
        for doc in self.documents:
            if doc.case:
                members.setdefault(doc.case, []).append(doc.guid)
        cases_el = element(root, "Cases")
        for case in sorted(self.s.cases, key=lambda c: (c.name.casefold(), c.name)):
            el = element(cases_el, "Case", guid=case.guid, name=xml_text(case.name))
            if case.description:
                text_child(el, "Description", case.description)
            self._variable_values(el, dict(case.attributes), guids)
            for doc_guid in members.get(case.guid, []):
                element(el, "SourceRef", targetGUID=doc_guid)

    def _sources(self, root: etree._Element, guids: dict[str, str]) -> None:
        if not self.documents:
            return
        by_doc: dict[str, list[CodingRecord]] = {}
        for coding in self.s.codings:
            by_doc.setdefault(coding.document, []).append(coding)
        sources = element(root, "Sources")
        codes = {c.guid: c for c in self.s.codes}
        for doc in self.documents:
            moved = crlf_map(doc.text) if self.crlf else None
            written = moved.apply(doc.text) if moved else doc.text
            self.sources[f"sources/{doc.guid}.txt"] = written.encode("utf-8")
            el = element(sources, "TextSource", guid=doc.guid, name=xml_text(doc.name),
                         plainTextPath=f"internal://{doc.guid}.txt",
                         creationDateTime=xsd_datetime(doc.imported_at))
            # Any: mixed sort keys (offsets, kinds, GUIDs)
            selections: list[tuple[tuple[Any, ...], CodingRecord | MemoRecord]] = []
            for coding in by_doc.get(doc.guid, []):
                if coding.code not in codes:
                    continue
                selections.append(((coding.start, coding.end, 0, coding.code,
                                    self.coder_name.get(coding.coder, "").casefold(),
                                    coding.guid), coding))
            for memo in self._note_refs.get(("segment", doc.guid), []):
                span = memo.target.span or (0, 0)
                selections.append(((span[0], span[1], 1, memo.target.segment_kind or "",
                                    self.coder_name.get(memo.coder, "").casefold(),
                                    memo.guid), memo))
            selections.sort(key=lambda s: s[0])
            for _key, item in selections:
                if isinstance(item, CodingRecord):
                    self._coding_selection(el, doc, moved, item)
                else:
                    self._segment_selection(el, moved, item)
            for memo in self._note_refs.get(("document", doc.guid), []):
                element(el, "NoteRef", targetGUID=memo.guid)
            self._variable_values(el, dict(doc.attributes), guids)

    def _coding_selection(self, parent: etree._Element, doc: DocumentRecord,
                          moved: OffsetMap | None, coding: CodingRecord) -> None:
        user = self._user(coding.coder)
        created = xsd_datetime(coding.created_at)
        start, end = ((moved.start(coding.start), moved.end(coding.end)) if moved
                      else (coding.start, coding.end))
        sel = element(parent, "PlainTextSelection", guid=selection_guid(coding.guid),
                      name=_selection_name(doc.text[coding.start:coding.end]),
                      startPosition=str(start), endPosition=str(end), creatingUser=user,
                      creationDateTime=created)
        if coding.memo:
            text_child(sel, "Description", coding.memo)
        el = element(sel, "Coding", guid=coding.guid, creatingUser=user,
                     creationDateTime=created)
        element(el, "CodeRef", targetGUID=coding.code)

    def _segment_selection(self, parent: etree._Element, moved: OffsetMap | None,
                           memo: MemoRecord) -> None:
        t = memo.target
        start, end = t.span or (0, 0)
        if moved:
            start, end = moved.start(start), moved.end(end)
        sel = element(parent, "PlainTextSelection", guid=selection_guid(memo.guid),
                      name=f"{t.segment_kind} {t.number}", startPosition=str(start),
                      endPosition=str(end), creatingUser=self._user(memo.coder),
                      creationDateTime=xsd_datetime(memo.created_at))
        element(sel, "NoteRef", targetGUID=memo.guid)

    def _notes(self, root: etree._Element) -> None:
        if not self.memos:
            return
        notes = element(root, "Notes")
        for memo in self.memos:
            user = self._user(memo.coder)
            note = element(notes, "Note", guid=memo.guid,
                           name=xml_text(f"{memo.target.kind} memo: {self._label(memo)}"),
                           creatingUser=user, creationDateTime=xsd_datetime(memo.created_at),
                           modifyingUser=user, modifiedDateTime=xsd_datetime(memo.updated_at))
            text_child(note, "PlainTextContent", memo.text)

    def _sets(self, root: etree._Element) -> None:
        if not self.s.code_sets:
            return
        sets_el = element(root, "Sets")
        for code_set in self.s.code_sets:
            set_el = element(sets_el, "Set", guid=code_set.guid
                             or object_guid(self.s, "set", code_set.name),
                             name=xml_text(code_set.name))
            for member in code_set.members:
                element(set_el, "MemberCode", targetGUID=member)

    # --- the extension member ------------------------------------------------------------

    def extension(self) -> bytes:
        codes: dict[str, JsonValue] = {}
        for code in self.s.codes:
            extra: dict[str, JsonValue] = {}
            if code.keywords:
                extra["keywords"] = list(code.keywords)
            if code.shortcut:
                extra["shortcut"] = code.shortcut
            if code.extra:
                extra["extra"] = dict(code.extra)
            if extra:
                codes[code.guid] = extra
        documents: dict[str, dict[str, JsonValue]] = {}
        for d in self.s.documents:
            segments = [[s.kind, s.number, s.start, s.end, s.speaker, s.timestamp]
                        for kind in SEGMENT_KINDS for s in self.s.segments_of(d, kind)]
            documents[d.guid] = {"language": d.language, "source_format": d.source_format,
                                 "source_name": d.source_name, "encoding": d.encoding,
                                 "sha256": hashlib.sha256(d.text.encode("utf-8")).hexdigest(),
                                 "segments": segments}
            pages = [[s.kind, s.number, s.page] for kind in SEGMENT_KINDS
                     for s in self.s.segments_of(d, kind) if s.page is not None]
            if pages:  # beside "segments", whose rows older readers take as 6 fields
                documents[d.guid]["pages"] = pages
            if d.speakers:
                documents[d.guid]["speakers"] = [
                    {"label": sp.label, "interviewer": sp.interviewer, "person": sp.person,
                     "attributes": dict(sp.attributes)} for sp in d.speakers]
            if d.extra:
                documents[d.guid]["extra"] = dict(d.extra)
        data: dict[str, JsonValue] = {
            "format": EXTENSION_FORMAT,
            "version": 1,
            "project": {"language": self.s.language,
                        "codebook_name": self.s.codebook_name,
                        "codebook_description": self.s.codebook_description},
            "codes": codes,
            "documents": documents,
        }
        records = _extras(self.s)
        if records:
            data["extra"] = records
        data.update(_later_data(self.s))
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                + "\n").encode("utf-8")

    def summary(self) -> QdpxSummary:
        return QdpxSummary(len(self.s.documents), len(self.s.codes), len(self.s.codings),
                           len(self.memos), len(self.s.coders), len(self.s.cases))


def _extras(snapshot: Snapshot) -> dict[str, dict[str, JsonValue]]:
    """`extra` of coders, cases, codings and memos, by kind and GUID (codes and documents
    carry theirs in their own entries)."""
    out: dict[str, dict[str, JsonValue]] = {}
    for kind, records in (("coders", snapshot.coders), ("cases", snapshot.cases),
                          ("codings", snapshot.codings), ("memos", snapshot.memos)):
        found = {r.guid: dict(r.extra) for r in records if r.extra}
        if found:
            out[kind] = found
    return out


def _later_data(snapshot: Snapshot) -> dict[str, JsonValue]:
    """What later schemas added that REFI-QDA has no place for: coder kinds, coding origins,
    review decisions, framework summaries and autocode runs (keys only when there is any).
    Offsets count the stored text, like "segments"."""
    out: dict[str, JsonValue] = {}
    kinds = {c.guid: c.kind for c in snapshot.coders if c.kind != "coder"}
    if kinds:
        out["coder_kinds"] = kinds
    origins = {k.guid: k.origin for k in snapshot.codings if k.origin != "manual"}
    if origins:
        out["coding_origins"] = origins
    if snapshot.decisions:
        out["review_decisions"] = [
            {"consensus": d.consensus, "document": d.document, "code": d.code, "unit": d.unit,
             "number": d.number, "start": d.start, "end": d.end, "choice": d.choice,
             "coders": list(d.coders), "memo": d.memo, "decided_at": d.decided_at}
            for d in snapshot.decisions]
    if snapshot.summaries:
        out["framework_summaries"] = [
            {"guid": s.guid, "row_kind": s.row_kind, "row": s.row, "code": s.code,
             "coder": s.coder, "text": s.text, "created_at": s.created_at,
             "updated_at": s.updated_at} for s in snapshot.summaries]
    if snapshot.autocode_runs:
        out["autocode_runs"] = [
            {"guid": r.guid, "coder": r.coder, "kind": r.kind, "query": r.query,
             "unit": r.unit, "codes": list(r.codes), "options": dict(r.options),
             "codings": r.codings, "created_at": r.created_at}
            for r in snapshot.autocode_runs]
    return out


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
