"""A pseudonymised copy of a whole project, made before anything leaves it.

Quote exports can replace names on the fly, but a .qdpx for another tool, an agreement report
or a colleague's copy carries whole transcripts. This builds a new project file in which every
listed name (with genitives and compounds) is replaced in the texts, speakers, memos, case and
document names and attributes, and every offset (segments, codings) is moved with the text, so
a coding still covers the same words. GUIDs stay, so work done on the copy can be matched to
the original. The new file has a fresh event log: the original's log holds the real text of
every change, so it is never copied.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.store import building_project

if TYPE_CHECKING:
    from casecoder.export.pseudonyms import Pseudonymizer
    from casecoder.project import Project

SEGMENT_KINDS = ("sentence", "turn", "paragraph")


class OffsetMap:
    """Moves positions in an original text to the text with replacements applied.

    A start that falls inside a replaced name moves to the start of its replacement, an end
    inside one to the end of it, so a span never loses the words around a name.
    """

    def __init__(self, replacements: list[tuple[int, int, str]]) -> None:
        self.replacements = replacements
        self.starts = [start for start, _, _ in replacements]
        self.before: list[int] = []  # shift accumulated before each replacement
        shift = 0
        for start, end, new in replacements:
            self.before.append(shift)
            shift += len(new) - (end - start)

    def _map(self, pos: int, *, is_end: bool) -> int:
        i = bisect_right(self.starts, pos) - 1
        if i < 0:
            return pos
        start, end, new = self.replacements[i]
        shift = self.before[i]
        if pos >= end:
            return pos + shift + len(new) - (end - start)
        if pos == start or not is_end:
            return start + shift
        return start + shift + len(new)

    def start(self, pos: int) -> int:
        return self._map(pos, is_end=False)

    def end(self, pos: int) -> int:
        return self._map(pos, is_end=True)

    def apply(self, text: str) -> str:
        pieces, last = [], 0
        for start, end, new in self.replacements:
            pieces += [text[last:start], new]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)


@dataclass
class CopyReport:
    path: Path
    documents: int = 0
    codings: int = 0
    memos: int = 0
    replacements: list[str] = field(default_factory=list)


def pseudonymised_copy(source: Project, out: Path, pseudonymizer: Pseudonymizer) -> CopyReport:
    """Write the pseudonymised copy to `out` (built aside, renamed when complete)."""
    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists; choose another file name")
    if not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist")
    with building_project(out) as tmp:
        report = _build(source, tmp, pseudonymizer)
    report.path = out
    report.replacements = pseudonymizer.report()
    return report


def _build(source: Project, tmp: Path, pz: Pseudonymizer) -> CopyReport:
    import yaml

    from casecoder.codebook import parse_codebook
    from casecoder.ingest import SegmentSpec, SourceText
    from casecoder.model import CodingRecord
    from casecoder.project import Project

    def clean(text: str | None) -> str:
        return pz.apply(text) if text else ""

    report = CopyReport(tmp)
    own = source.own_attributes()
    with Project.create(tmp, language=source.language, coder=source.coder_name,
                        name=clean(source.name)) as target:
        target.import_codebook(parse_codebook(yaml.safe_load(source.export_codebook())))
        for case in source.cases():
            target.add_case(clean(case.name), guid=case.guid, description=clean(case.description))
            values = {k: clean(v) for k, v in own.get(("case", case.id), {}).items()}
            if values:
                target.set_attributes(clean(case.name), values, owner_kind="case")
        docs: dict[int, tuple[int, OffsetMap]] = {}
        for d in source.documents():
            text = source.text(d)
            moved = OffsetMap(pz.replacements(text))
            segments = [SegmentSpec(s.kind, s.number, moved.start(s.start), moved.end(s.end),
                                    clean(s.speaker) or None, s.timestamp)
                        for kind in SEGMENT_KINDS for s in source.segments(d, kind)]
            new = target.add_document(
                SourceText(moved.apply(text), d.source_format, d.encoding, None),
                name=clean(d.name), source_name=clean(d.source_name),
                case=clean(d.case) or None, language=d.language, guid=d.guid,
                attributes={k: clean(v) for k, v in own.get(("document", d.id), {}).items()},
                segments=segments)
            docs[d.id] = (new.id, moved)
            report.documents += 1
        records = []
        for k in source.iter_codings():
            doc_id, moved = docs[k.document_id]
            records.append(CodingRecord(doc_id, k.code_path, k.coder, moved.start(k.start),
                                        moved.end(k.end), clean(k.memo), k.guid, k.created_at))
        if records:
            target.add_codings(records, action="pseudonymised-copy", undoable=False,
                               summary=f"{len(records)} codings from a pseudonymised copy")
        report.codings = len(records)
        for memo in source.memos():
            target_id = _memo_target(source, target, memo, docs)
            if target_id is not None and target.add_memo_record(
                    memo.target_kind, target_id, memo.coder, clean(memo.text), guid=memo.guid,
                    created_at=memo.created_at, updated_at=memo.updated_at, undoable=False):
                report.memos += 1
        target.checkpoint()
    return report


def _memo_target(source: Project, target: Project, memo: Any,
                 docs: dict[int, tuple[int, OffsetMap]]) -> int | None:
    if memo.target_kind == "project":
        return 0
    if memo.target_kind == "document":
        return docs[memo.target_id][0]
    if memo.target_kind == "code":
        return target.code(source.code(memo.target_id).guid).id
    segment = source.segment_by_id(memo.target_id)
    if segment is None:
        return None
    doc_id = docs[segment.document_id][0]
    mine = target.segments(doc_id, segment.kind)
    return mine[segment.number - 1].id if segment.number <= len(mine) else None
