"""`build_into`: the one way a snapshot becomes part of a project.

A .qdpx import, a pseudonymised copy and a merge all end here, through the public `Project`
API only. `match="new"` fills a freshly created project (nothing to match; the importing
coder's undo stack is left alone). `match="merge"` matches what is already there: documents
by the hash of their text, codes by GUID and then by path, cases by GUID and then by name,
codings and memos by GUID (and a coding whose span an existing coding of the same coder and
code already covers counts as already here), so building the same snapshot twice changes
nothing the second time. The later data merges the same way: speakers of a matched document
gain only the attributes, person link and interviewer mark they lack (a difference is a
conflict, ours kept); review decisions match by consensus coder, document, code, unit and
number; framework summaries by GUID, else by cell and coder (like memos); autocode runs by
GUID; a coder the snapshot marks as consensus is marked so here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from casecoder.codebook import CodebookSpec, CodeSpec
from casecoder.errors import UserError
from casecoder.exchange.settings import (
    CODE_SETS_SETTING,
    METADATA_SETTING,
    REFI_GUIDS_SETTING,
    code_sets,
    dumps,
    read_json_setting,
)
from casecoder.exchange.snapshot import (
    SEGMENT_KINDS,
    CodeRecord,
    DocumentRecord,
    Match,
    MemoRecord,
    Snapshot,
    SpeakerRecord,
)
from casecoder.model import CodingRecord as ProjectCodingRecord
from casecoder.model import Document
from casecoder.project.review import CONSENSUS_KIND
from casecoder.project.speakers import Speaker, SpeakerUpdate

if TYPE_CHECKING:
    from casecoder.project import Project


@dataclass
class BuildReport:
    """What a build did; the merge command prints it, imports turn it into warnings."""

    documents_added: list[str] = field(default_factory=list)
    documents_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)
    codings: dict[str, int] = field(default_factory=lambda: {"added": 0, "merged": 0,
                                                             "skipped": 0})
    memos_added: int = 0
    coders_marked: list[str] = field(default_factory=list)  # made consensus coders here
    speakers_updated: int = 0
    decisions_added: int = 0
    summaries_added: int = 0
    autocode_runs_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    #: snapshot GUID -> project id, for callers that continue from the build
    document_ids: dict[str, int] = field(default_factory=dict, repr=False)
    code_ids: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def changes(self) -> int:
        """How many things the build added or changed (0 for a repeated merge)."""
        return (len(self.documents_added) + len(self.codes_added) + len(self.coders_added)
                + len(self.cases_added) + self.codings["added"] + self.codings["merged"]
                + self.memos_added + len(self.coders_marked) + self.speakers_updated
                + self.decisions_added + self.summaries_added + self.autocode_runs_added)

    @property
    def changed(self) -> bool:
        return self.changes > 0

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("document_ids")
        data.pop("code_ids")
        return {**data, "changed": self.changed, "changes": self.changes}


def build_into(project: Project, snapshot: Snapshot, match: Match = "new", *,
               action: str = "import") -> BuildReport:
    """Write a snapshot's content into `project`; see the module docstring for matching."""
    return _Build(project, snapshot, match, action).run()


class _Build:
    def __init__(self, project: Project, snapshot: Snapshot, match: Match,
                 action: str) -> None:
        self.p = project
        self.s = snapshot
        self.merge = match == "merge"
        self.action = action
        self.report = BuildReport()
        self.coder_name: dict[str, str] = {}  # snapshot coder guid -> name here
        self.case_name: dict[str, str] = {}  # snapshot case guid -> name here
        self.matched: set[str] = set()  # snapshot document guids matched to ours by content

    def run(self) -> BuildReport:
        self._coders()
        self._codes()
        self._cases()
        self._documents()
        self._speakers()
        self._codings()
        self._memos()
        self._summaries()
        self._decisions()
        self._autocode_runs()
        self._settings()
        return self.report

    # --- coders, codes, cases --------------------------------------------------------------

    def _coders(self) -> None:
        known = {c.name: c for c in self.p.coders()}
        guids = {c.guid for c in known.values()}
        for coder in self.s.coders:
            if coder.name not in known:
                made = self.p.ensure_coder(coder.name,
                                           coder.guid if coder.guid not in guids else None)
                known[made.name] = made
                guids.add(made.guid)
                if self.merge:
                    self.report.coders_added.append(coder.name)
            self.coder_name[coder.guid] = coder.name
            if coder.kind == CONSENSUS_KIND and self.p.coder(coder.name).kind != CONSENSUS_KIND:
                self.p.mark_consensus(coder.name, undoable=self.merge)
                if self.merge:
                    self.report.coders_marked.append(coder.name)

    def _codes(self) -> None:
        if not self.s.codes:
            return
        if not self.merge:
            self._codebook()
        else:
            self._merge_codes()

    def _codebook(self) -> None:
        """A new project takes the codebook in one change, colours as the snapshot has them."""
        specs: dict[str, CodeSpec] = {}
        roots: list[CodeSpec] = []
        for code in self.s.codes:
            spec = CodeSpec(name=code.name, description=code.description,
                            color="" if code.color is None else code.color,
                            keywords=list(code.keywords), shortcut=code.shortcut,
                            codable=code.codable, guid=code.guid)
            specs[code.guid] = spec
            parent = specs.get(code.parent) if code.parent else None
            (parent.children if parent else roots).append(spec)
        self.p.import_codebook(CodebookSpec(name=self.s.codebook_name,
                                            description=self.s.codebook_description,
                                            language=None, codes=roots))
        by_path = {c.path.casefold(): c.id for c in self.p.codes()}
        for guid, path in self.s.code_paths().items():
            self.report.code_ids[guid] = by_path[path.casefold()]
            self.report.codes_added.append(path)

    def _merge_codes(self) -> None:
        ours = {c.guid: c for c in self.p.codes()}
        paths = self.s.code_paths()
        for code in self.s.codes:  # parents come before their children
            path = paths[code.guid]
            mine = ours.get(code.guid)
            if mine is None:
                try:
                    mine = self.p.code(path)
                except UserError:
                    mine = None
                if mine is not None and mine.path.casefold() != path.casefold():
                    mine = None
            if mine is not None:
                self.report.code_ids[code.guid] = mine.id
                if mine.path.casefold() != path.casefold():
                    self.report.conflicts.append(f"code {path!r} is {mine.path!r} here "
                                                 "(same GUID)")
                continue
            self.report.code_ids[code.guid] = self._add_code(code, path, ours)

    def _add_code(self, code: CodeRecord, path: str, ours: Mapping[str, object]) -> int:
        parent = (self.p.code(self.report.code_ids[code.parent]).path + "/"
                  if code.parent else "")
        shortcut = (code.shortcut if code.shortcut and not self.p.code_by_shortcut(code.shortcut)
                    else None)
        added = self.p.add_code(parent + code.name, description=code.description,
                                color=code.color, keywords=code.keywords, shortcut=shortcut,
                                codable=code.codable,
                                guid=code.guid if code.guid not in ours else None)
        self.report.codes_added.append(added.path)
        return added.id

    def _cases(self) -> None:
        ours = self.p.cases()
        by_guid = {c.guid: c.name for c in ours}
        by_name = {c.name.casefold(): c.name for c in ours}
        for case in self.s.cases:
            name = by_guid.get(case.guid) or by_name.get(" ".join(case.name.split()).casefold())
            if name is None:
                made = self.p.add_case(case.name,
                                       guid=None if case.guid in by_guid else case.guid,
                                       description=case.description)
                name = made.name
                by_guid[made.guid] = by_name[name.casefold()] = name
                if case.attributes:
                    self.p.set_attributes(name, case.attributes, owner_kind="case")
                if self.merge:
                    self.report.cases_added.append(name)
            self.case_name[case.guid] = name

    # --- documents ---------------------------------------------------------------------

    def _documents(self) -> None:
        ours = {d.sha256: d for d in self.p.documents()}
        taken_guids = {d.guid for d in ours.values()}
        for doc in self.s.documents:
            digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
            mine = ours.get(digest) if self.merge and doc.text else None
            if mine is not None:
                self.report.document_ids[doc.guid] = mine.id
                self.report.documents_matched += 1
                self.matched.add(doc.guid)
                if mine.name != doc.name:
                    self.report.conflicts.append(f"document {doc.name!r} is {mine.name!r} "
                                                 "here (same text); matched by content")
                continue
            name = doc.name
            if self.merge and self._named(name):
                name = f"{doc.name} ({self.s.name})"
                self.report.conflicts.append(f"document {doc.name!r} differs from ours; "
                                             f"added as {name!r}")
            try:
                made = self._add_document(doc, name, doc.guid not in taken_guids)
            except UserError as exc:
                self.report.warnings.append(f"source {doc.name!r} not imported: {exc}")
                continue
            taken_guids.add(made.guid)
            ours.setdefault(made.sha256, made)
            self.report.document_ids[doc.guid] = made.id
            self.report.documents_added.append(made.name)

    def _named(self, name: str) -> bool:
        try:
            self.p.document(name)
        except UserError:
            return False
        return True

    def _add_document(self, doc: DocumentRecord, name: str, keep_guid: bool) -> Document:
        from casecoder.ingest import SegmentSpec, SourceText

        segments = None if doc.segments is None else [
            SegmentSpec(s.kind, s.number, s.start, s.end, s.speaker, s.timestamp, s.page)
            for s in doc.segments]
        return self.p.add_document(
            SourceText(doc.text, doc.source_format, doc.encoding, None), name=name,
            source_name=doc.source_name, case=self.case_name.get(doc.case or ""),
            attributes=dict(doc.attributes), language=doc.language,
            guid=doc.guid if keep_guid else None, segments=segments, allow_empty=True,
            imported_at=doc.imported_at)

    # --- speakers --------------------------------------------------------------------------

    def _speakers(self) -> None:
        """A new document takes its speakers' marks, persons and attributes; a matched one
        only what it lacks (ours win a difference, which is reported)."""
        ours: dict[tuple[int, str], Speaker] = {
            (sp.document_id, sp.label): sp for sp in self.p.speakers()}
        updates = []
        for doc in self.s.documents:
            doc_id = self.report.document_ids.get(doc.guid)
            if doc_id is None:
                continue
            for theirs in doc.speakers:
                mine = ours.get((doc_id, theirs.label))
                if mine is None:
                    continue
                update = self._speaker_update(doc, doc_id, mine, theirs)
                if update is not None:
                    updates.append(update)
        if updates:
            self.report.speakers_updated += self.p.set_speakers(
                updates, action=f"{self.action}-speakers", undoable=self.merge)

    def _speaker_update(self, doc: DocumentRecord, doc_id: int, mine: Speaker,
                        theirs: SpeakerRecord) -> SpeakerUpdate | None:
        matched = doc.guid in self.matched
        where = f"speaker {theirs.label!r} of {mine.document!r}"
        attributes = {k: v for k, v in theirs.attributes.items()
                      if v.strip() and k not in mine.attributes}
        for key, value in theirs.attributes.items():
            if key in mine.attributes and mine.attributes[key] != value:
                self.report.conflicts.append(f"{where}: {key} is {mine.attributes[key]!r} "
                                             f"here, {value!r} there; ours kept")
        person = None
        if theirs.person and theirs.person != mine.person:
            if mine.person and matched:
                self.report.conflicts.append(f"{where} is {mine.person!r} here, "
                                             f"{theirs.person!r} there; ours kept")
            else:
                person = theirs.person
        interviewer = None
        if theirs.interviewer != mine.interviewer:
            if matched:
                mark = "an interviewer" if mine.interviewer else "an informant"
                self.report.conflicts.append(f"{where} is {mark} here, not there; ours kept")
            else:
                interviewer = theirs.interviewer
        if not attributes and person is None and interviewer is None:
            return None
        return SpeakerUpdate(doc_id, mine.label, attributes, interviewer, person)

    # --- codings and memos ---------------------------------------------------------------

    def _codings(self) -> None:
        ids = self.report.document_ids
        lengths = {d.guid: len(d.text) for d in self.s.documents}
        covered = self._covered() if self.merge else {}
        records = []
        lost = 0
        for k in self.s.codings:
            doc_id, code_id = ids.get(k.document), self.report.code_ids.get(k.code)
            coder = self.coder_name.get(k.coder)
            if doc_id is None or code_id is None or coder is None \
                    or not 0 <= k.start < k.end <= lengths.get(k.document, 0):
                lost += 1
                continue
            spans = covered.get((doc_id, code_id, coder), ())
            if any(a <= k.start and k.end <= b for a, b in spans):
                self.report.codings["skipped"] += 1
                continue
            records.append(ProjectCodingRecord(doc_id, code_id, coder, k.start, k.end, k.memo,
                                               k.guid, k.created_at, k.origin))
        if lost:
            self.report.warnings.append(f"skipped {lost} coding(s) of documents, codes or "
                                        "coders that were not imported")
        if not records:
            return
        counts = self.p.add_codings(records, action=self.action, undoable=self.merge,
                                    summary=f"{self.action} codings from {self.s.name}")
        for key, value in counts.items():
            self.report.codings[key] += value

    def _covered(self) -> dict[tuple[int, int, str], list[tuple[int, int]]]:
        """Spans already coded here, per (document, code, coder)."""
        out: dict[tuple[int, int, str], list[tuple[int, int]]] = {}
        for k in self.p.iter_codings():
            out.setdefault((k.document_id, k.code_id, k.coder), []).append((k.start, k.end))
        return out

    def _memos(self) -> None:
        """Memos on the same target by the same coder are joined: one memo per target."""
        grouped: dict[tuple[str, int, str], list[MemoRecord]] = {}
        for memo in self.s.memos:
            target = self._memo_target(memo)
            coder = self.coder_name.get(memo.coder)
            if target is None or coder is None or not memo.text.strip():
                continue
            grouped.setdefault((*target, coder), []).append(memo)
        for (kind, target_id, coder), memos in grouped.items():
            first = memos[0]
            text = "\n\n".join(m.text.strip() for m in memos)
            if self.p.add_memo_record(kind, target_id, coder, text, guid=first.guid,
                                      created_at=first.created_at,
                                      updated_at=memos[-1].updated_at,
                                      undoable=self.merge):
                self.report.memos_added += 1

    def _memo_target(self, memo: MemoRecord) -> tuple[str, int] | None:
        t = memo.target
        if t.kind == "project":
            return ("project", 0)
        if t.kind == "document":
            doc_id = self.report.document_ids.get(t.ref or "")
            return ("document", doc_id) if doc_id is not None else None
        if t.kind == "code":
            code_id = self.report.code_ids.get(t.ref or "")
            return ("code", code_id) if code_id is not None else None
        doc_id = self.report.document_ids.get(t.ref or "")
        if doc_id is None:
            return None
        segment = self._segment(doc_id, t.segment_kind, t.number, t.span)
        return ("segment", segment) if segment is not None else None

    def _segment(self, doc_id: int, kind: str | None, number: int | None,
                 span: tuple[int, int] | None) -> int | None:
        """The segment a memo names: by kind and number (when its span agrees), else any
        segment with exactly that span, else the sentence the span starts in (said)."""
        if kind and number:
            for seg in self.p.segments(doc_id, kind):
                if seg.number == number and (span is None or (seg.start, seg.end) == span):
                    return seg.id
        if span is None:
            return None
        for other in (kind, *SEGMENT_KINDS):
            if other is None:
                continue
            for seg in self.p.segments(doc_id, other):
                if (seg.start, seg.end) == span:
                    return seg.id
        nearest = self.p.segment_at(doc_id, span[0], "sentence")
        if nearest is None:
            return None
        self.report.warnings.append(f"a note on positions {span[0]}-{span[1]} was put on the "
                                    "sentence it starts in")
        return nearest.id

    # --- framework summaries, review decisions, autocode runs ----------------------------

    def _summaries(self) -> None:
        from casecoder.project.framework import FrameworkSummary

        records = []
        lost = 0
        for s in self.s.summaries:
            row = (self.case_name.get(s.row) if s.row_kind == "case"
                   else self._document_name(s.row))
            code_id = self.report.code_ids.get(s.code)
            coder = self.coder_name.get(s.coder)
            if row is None or code_id is None or coder is None:
                lost += 1
                continue
            records.append(FrameworkSummary(s.guid, s.row_kind, row, "", code_id, coder,
                                            s.text, s.created_at or "", s.updated_at or ""))
        if lost:
            self.report.warnings.append(f"skipped {lost} framework summaries of rows, codes "
                                        "or coders that were not imported")
        if records:
            self.report.summaries_added += self.p.add_framework_summaries(
                records, action=f"{self.action}-framework", undoable=self.merge)

    def _document_name(self, guid: str) -> str | None:
        doc_id = self.report.document_ids.get(guid)
        return self.p.document(doc_id).name if doc_id is not None else None

    def _decisions(self) -> None:
        from casecoder.project.review import Decision

        records = []
        lost = 0
        lengths = {d.guid: len(d.text) for d in self.s.documents}
        for d in self.s.decisions:
            doc = self._document_name(d.document)
            code_id = self.report.code_ids.get(d.code)
            consensus = self.coder_name.get(d.consensus)
            if doc is None or code_id is None or consensus is None \
                    or not 0 <= d.start < d.end <= lengths.get(d.document, 0):
                lost += 1
                continue
            records.append(Decision(consensus, doc, code_id, d.unit, d.number, d.start, d.end,
                                    d.choice, d.coders, d.memo, d.decided_at or ""))
        if lost:
            self.report.warnings.append(f"skipped {lost} review decision(s) on documents, "
                                        "codes or coders that were not imported")
        if records:
            self.report.decisions_added += self.p.add_decisions(
                records, action=f"{self.action}-decisions", undoable=self.merge)

    def _autocode_runs(self) -> None:
        from casecoder.project.autocode import AutocodeRun

        runs = [AutocodeRun(r.guid, self.coder_name.get(r.coder or ""), r.kind, r.query,
                            r.unit, r.codes, dict(r.options), r.codings, r.created_at)
                for r in self.s.autocode_runs]
        if runs:
            self.report.autocode_runs_added += self.p.add_autocode_runs(
                runs, action=f"{self.action}-autocode-runs", undoable=self.merge)

    # --- settings ------------------------------------------------------------------------

    def _settings(self) -> None:
        stored = code_sets(self.p)
        guids = read_json_setting(self.p, REFI_GUIDS_SETTING)
        before = (dumps(stored), dumps(guids))
        by_guid = {c.guid: c.guid for c in self.p.codes()}
        ids_to_guid = {c.id: c.guid for c in self.p.codes()}
        for code_set in self.s.code_sets:
            if self.merge and code_set.name in stored:
                continue
            members = []
            for member in code_set.members:
                code_id = self.report.code_ids.get(member)
                guid = ids_to_guid.get(code_id) if code_id is not None else by_guid.get(member)
                if guid and guid not in members:
                    members.append(guid)
            stored[code_set.name] = members
            if code_set.guid:
                guids[f"set:{code_set.name}"] = code_set.guid
        if not self.merge:  # a merge keeps this project's own variable GUIDs
            for key, value in self.s.object_guids.items():
                guids.setdefault(key, value)
        if dumps(stored) != before[0]:
            self.p.set_setting(CODE_SETS_SETTING, dumps(stored))
        if dumps(guids) != before[1]:
            self.p.set_setting(REFI_GUIDS_SETTING, dumps(guids))
        if not self.merge and self.s.extra:
            self.p.set_setting(METADATA_SETTING, dumps(dict(self.s.extra)))
