"""A pseudonymised copy of a whole project, made before anything leaves it.

Quote exports can replace names on the fly, but a .qdpx for another tool, an agreement report
or a colleague's copy carries whole transcripts. `pseudonymise` is a pure transform of a
snapshot: every listed name (with genitives and compounds) is replaced in the texts, speakers,
memos, case and document names and attributes, and every offset (segments, codings, segment
memos) moves with the text (`positions.OffsetMap`), so a coding still covers the same words.
GUIDs stay, so work done on the copy can be matched to the original. The copy is built like
any other snapshot, into a new file with a fresh event log: the original's log holds the real
text of every change, so it is never copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.exchange.positions import OffsetMap
from casecoder.exchange.snapshot import MemoRecord, Snapshot
from casecoder.store import building_project

if TYPE_CHECKING:
    from casecoder.export.pseudonyms import Pseudonymizer
    from casecoder.project import Project


@dataclass
class CopyReport:
    path: Path
    documents: int = 0
    codings: int = 0
    memos: int = 0
    replacements: list[str] = field(default_factory=list)


def pseudonymise(snapshot: Snapshot, pz: Pseudonymizer) -> Snapshot:
    """The same snapshot with names replaced and every offset moved with its text."""

    def clean(text: str | None) -> str:
        return pz.apply(text) if text else ""

    maps: dict[str, OffsetMap] = {}
    documents = []
    for d in snapshot.documents:
        moved = maps[d.guid] = OffsetMap(pz.replacements(d.text))
        segments = None if d.segments is None else tuple(
            replace(s, start=moved.start(s.start), end=moved.end(s.end),
                    speaker=clean(s.speaker) or None) for s in d.segments)
        documents.append(replace(d, name=clean(d.name), text=moved.apply(d.text),
                                 source_name=clean(d.source_name),
                                 attributes={k: clean(v) for k, v in d.attributes.items()},
                                 segments=segments))
    codings = tuple(replace(k, start=maps[k.document].start(k.start),
                            end=maps[k.document].end(k.end), memo=clean(k.memo))
                    for k in snapshot.codings if k.document in maps)
    return replace(
        snapshot, name=clean(snapshot.name), documents=tuple(documents), codings=codings,
        cases=tuple(replace(c, name=clean(c.name), description=clean(c.description),
                            attributes={k: clean(v) for k, v in c.attributes.items()})
                    for c in snapshot.cases),
        memos=tuple(_memo(m, clean(m.text), maps) for m in snapshot.memos))


def _memo(memo: MemoRecord, text: str, maps: dict[str, OffsetMap]) -> MemoRecord:
    span = memo.target.span
    moved = maps.get(memo.target.ref or "")
    if span is not None and moved is not None:
        target = replace(memo.target, span=(moved.start(span[0]), moved.end(span[1])))
        return replace(memo, text=text, target=target)
    return replace(memo, text=text)


def pseudonymised_copy(source: Project, out: Path, pseudonymizer: Pseudonymizer) -> CopyReport:
    """Write the pseudonymised copy to `out` (built aside, renamed when complete)."""
    from casecoder.exchange.build import build_into
    from casecoder.exchange.capture import snapshot_of
    from casecoder.project import Project

    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists; choose another file name")
    if not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist")
    snapshot = pseudonymise(snapshot_of(source), pseudonymizer)
    with building_project(out) as tmp, \
            Project.create(tmp, language=source.language, coder=source.coder_name,
                           name=snapshot.name or None) as target:
        built = build_into(target, snapshot, "new", action="pseudonymised-copy")
        report = CopyReport(out, documents=len(built.document_ids),
                            codings=built.codings["added"] + built.codings["merged"],
                            memos=built.memos_added)
        target.checkpoint()
    report.replacements = pseudonymizer.report()
    return report
