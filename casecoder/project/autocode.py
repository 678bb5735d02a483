"""Autocoding: code every hit of a search, every turn of a speaker, or every keyword match.

A run is planned first (`plan_autocode`: nothing is written, which is also what `--dry-run` and
the workbench's review list show) and then applied (`apply_autocode`) as ONE event, so undo takes
the whole run back. The run is recorded in `autocode_runs` (its query, unit and codes) and each
coding it makes carries `origin = 'autocode:<run guid>'`, so quotes and agreement can leave
autocoded material out. Hits that meet a coding the coder already has of the same code are left
as they are (reported as already coded), so a run never grows a researcher's own coding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.ids import new_guid, now
from casecoder.model import Code

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

ORIGIN_MANUAL = "manual"
ORIGIN_PREFIX = "autocode:"
ORIGIN_FILTERS = ("all", "manual", "autocode")


def origin_matches(origin: str, wanted: str) -> bool:
    """Whether a coding's origin passes an --origin filter (all, manual, autocode)."""
    if wanted == "all":
        return True
    if wanted == "manual":
        return origin == ORIGIN_MANUAL
    if wanted == "autocode":
        return origin.startswith(ORIGIN_PREFIX)
    raise UserError(f"origin must be one of {', '.join(ORIGIN_FILTERS)}, not {wanted!r}")


@dataclass(frozen=True)
class AutocodeItem:
    """One passage a run would code."""

    code: str  # path
    code_id: int
    document: str
    document_id: int
    start: int
    end: int
    text: str
    already: bool = False  # the coder has this code here already: left as it is


@dataclass(frozen=True)
class AutocodePlan:
    kind: str  # search | speaker | keywords
    query: str
    unit: str
    items: tuple[AutocodeItem, ...] = field(default_factory=tuple)
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def new_items(self) -> list[AutocodeItem]:
        return [i for i in self.items if not i.already]


@dataclass(frozen=True)
class AutocodeResult:
    run_guid: str
    added: int
    already: int
    rejected: int


class AutocodeMixin(_Base):
    """Plan and apply autocode runs; list them."""

    def _codable(self, code: str | Code) -> Code:
        c = self.code(code)
        if not c.codable:
            raise UserError(f"{c.path!r} is a category and cannot be applied; pick a subcode")
        return c

    def _items(self, code: Code, spans: Iterable[tuple[int, str, int, int]]) -> list[AutocodeItem]:
        coder_id = self.coder_id(create=False)
        items = []
        for doc_id, doc_name, start, end in spans:
            already = coder_id is not None and self.conn.execute(
                "SELECT 1 FROM codings WHERE coder_id = ? AND document_id = ? AND code_id = ? "
                'AND start <= ? AND "end" >= ?', (coder_id, doc_id, code.id, end, start)
            ).fetchone() is not None
            text = self.text(doc_id)[start:end]
            items.append(AutocodeItem(code.path, code.id, doc_name, doc_id, start, end, text,
                                      already))
        return items

    def plan_autocode(self, *, search: str | None = None, speaker: str | None = None,
                      keywords: bool = False, code: str | Code | None = None,
                      unit: str = "sentence", exact: bool = False,
                      doc: str | None = None, where: Mapping[str, str] | None = None
                      ) -> AutocodePlan:
        """What a run would code; exactly one of search, speaker or keywords.

        search: every hit of the query at `unit` (speaker narrows it); speaker alone: every
        turn of that speaker; keywords: for each code with keywords (or only `code`), every
        unit matching any of its keywords by lemma.
        """
        chosen = [k for k, v in (("search", search), ("speaker", speaker and not search),
                                 ("keywords", keywords)) if v]
        if len(chosen) != 1:
            raise UserError("autocode needs exactly one of --search, --speaker or --keywords")
        kind = chosen[0]
        options = {"exact": exact, "doc": doc, "where": dict(where or {}),
                   "speaker": speaker}
        if kind == "keywords":
            codes = ([self._codable(code)] if code is not None else
                     [c for c in self.codes() if c.codable and c.keywords])
            codes = [c for c in codes if c.keywords]
            if not codes:
                which = f"{self.code(code).path!r} has" if code is not None else "no code has"
                raise UserError(f"{which} no keywords (add them in the codebook)")
            items: list[AutocodeItem] = []
            for c in codes:
                query = " OR ".join(_as_term(k) for k in c.keywords)
                hits = self.find(query, exact=exact, unit=unit, doc=doc,  # type: ignore[attr-defined]
                                 where=where, speaker=speaker, limit=None)
                items += self._items(c, _merged((h.document_id, h.document, h.start, h.end)
                                                for h in hits))
            label = "; ".join(f"{c.path}: {', '.join(c.keywords)}" for c in codes)
            return AutocodePlan(kind, label, unit, tuple(items), options)
        if code is None:
            raise UserError(f"autocode --{kind} needs --code PATH (the code to apply)")
        c = self._codable(code)
        if kind == "search":
            assert search is not None
            hits = self.find(search, exact=exact, unit=unit, doc=doc,  # type: ignore[attr-defined]
                             where=where, speaker=speaker, limit=None)
            spans = [(h.document_id, h.document, h.start, h.end) for h in hits]
            query = search
        else:
            assert speaker is not None
            unit = "turn"
            spans = self._speaker_turns(speaker, doc, where)
            if not spans:
                raise UserError(f"no turns by speaker {speaker!r}"
                                + (f" in {doc!r}" if doc else ""))
            query = speaker
        return AutocodePlan(kind, query, unit, tuple(self._items(c, _merged(spans))), options)

    def _speaker_turns(self, speaker: str, doc: str | None,
                       where: Mapping[str, str] | None) -> list[tuple[int, str, int, int]]:
        sql = ('SELECT s.document_id, d.name, s.start, s."end" FROM segments s JOIN documents d '
               "ON d.id = s.document_id WHERE s.kind = 'turn' AND s.speaker = ? COLLATE NOCASE ")
        params: list[Any] = [speaker.strip()]
        if doc is not None:
            sql += "AND s.document_id = ? "
            params.append(self.document(doc).id)
        rows = self.conn.execute(sql + "ORDER BY d.name COLLATE NOCASE, s.start",
                                 params).fetchall()
        if where:
            keep = self._documents_where(where)  # type: ignore[attr-defined]
            rows = [r for r in rows if r[0] in keep]
        return [tuple(r) for r in rows]

    def apply_autocode(self, plan: AutocodePlan,
                       accept: Iterable[int] | None = None) -> AutocodeResult:
        """Code the plan's items (all, or the accepted indices) as one undoable event."""
        chosen = (set(range(len(plan.items))) if accept is None else set(accept))
        todo = [item for i, item in enumerate(plan.items) if i in chosen and not item.already]
        already = sum(1 for i, item in enumerate(plan.items) if i in chosen and item.already)
        if not todo:
            raise UserError("nothing to code: every chosen passage is coded with this code "
                            "already" if already else "nothing to code: no passage chosen")
        guid = new_guid()
        origin = ORIGIN_PREFIX + guid
        added = 0
        with self._change("autocode") as log:
            coder_id = self.coder_id()
            codes = sorted({item.code for item in todo})
            log.insert("autocode_runs", {
                "guid": guid, "coder_id": coder_id, "kind": plan.kind, "query": plan.query,
                "unit": plan.unit, "codes": json.dumps(codes, ensure_ascii=False),
                "options": json.dumps(dict(plan.options), ensure_ascii=False, sort_keys=True),
                "codings": 0, "created_at": now()})
            for item in todo:
                # Checked again inside the transaction: the project may have changed since
                # the plan was made (the review list stays open while others code).
                meets = self.conn.execute(
                    "SELECT 1 FROM codings WHERE coder_id = ? AND document_id = ? AND "
                    'code_id = ? AND start <= ? AND "end" >= ?',
                    (coder_id, item.document_id, item.code_id, item.end, item.start)).fetchone()
                if meets:
                    already += 1
                    continue
                log.insert("codings", {
                    "guid": new_guid(), "document_id": item.document_id,
                    "code_id": item.code_id, "coder_id": coder_id, "start": item.start,
                    "end": item.end, "memo": "", "created_at": now(), "origin": origin})
                added += 1
            if not added:
                raise UserError("nothing to code: every chosen passage is coded with this "
                                "code already")
            run_id = log.ops[0]["row"]["id"]
            log.update("autocode_runs", {"id": run_id}, {"codings": added})
            docs = {item.document_id for item in todo}
            if len(docs) == 1:
                log.document_id = docs.pop()
            log.summary = (f"autocode {', '.join(codes)} on {added} passages "
                           f"({plan.kind} {plan.query!r}, {plan.unit})")
        rejected = len(plan.items) - len(chosen & set(range(len(plan.items))))
        return AutocodeResult(guid, added, already, rejected)

    def coding_state(self, coder: str | None = None) -> tuple[int, int, int]:
        """A cheap fingerprint of one coder's codings (count, newest id, sum of offsets):
        it changes whenever one is added, removed, grown or trimmed, so a model learned from
        them (suggestions) knows when to learn again."""
        row = self.conn.execute(
            'SELECT count(*), coalesce(max(k.id), 0), coalesce(sum(k.start + k."end"), 0) '
            "FROM codings k JOIN coders c ON c.id = k.coder_id WHERE c.name = ?",
            (coder or self.coder_name,)).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def autocode_run_records(self) -> list[AutocodeRun]:
        """Every stored run with its options, oldest first (what the exchange carries)."""
        out = []
        for guid, coder, kind, query, unit, codes, options, made, at in self.conn.execute(
                "SELECT r.guid, c.name, r.kind, r.query, r.unit, r.codes, r.options, "
                "r.codings, r.created_at FROM autocode_runs r "
                "LEFT JOIN coders c ON c.id = r.coder_id ORDER BY r.id"):
            paths = json.loads(codes)
            opts = json.loads(options)
            out.append(AutocodeRun(guid, coder, kind, query, unit,
                                   tuple(str(p) for p in paths) if isinstance(paths, list)
                                   else (), opts if isinstance(opts, dict) else {}, made, at))
        return out

    def add_autocode_runs(self, runs: Iterable[AutocodeRun], *,
                          action: str = "add-autocode-runs", undoable: bool = True) -> int:
        """Store runs brought in from another project or a .qdpx (their codings come as
        codings, with their origin), matched by GUID, so a repeat adds nothing. Returns how
        many were added; nothing to add writes no event."""
        taken = {r[0] for r in self.conn.execute("SELECT guid FROM autocode_runs")}
        todo = []
        for run in runs:
            if run.guid.lower() in taken:
                continue
            if run.kind not in ("search", "speaker", "keywords"):
                raise UserError(f"an autocode run is a search, speaker or keywords run, "
                                f"not {run.kind!r}")
            taken.add(run.guid.lower())
            todo.append(run)
        if not todo:
            return 0
        with self._change(action, undoable=undoable) as log:
            coders: dict[str, int] = {}
            for run in todo:
                if run.coder and run.coder not in coders:
                    coders[run.coder] = self.ensure_coder(run.coder).id
                log.insert("autocode_runs", {
                    "guid": run.guid.lower(), "coder_id": coders.get(run.coder or ""),
                    "kind": run.kind, "query": run.query, "unit": run.unit,
                    "codes": json.dumps(list(run.codes), ensure_ascii=False),
                    "options": json.dumps(dict(run.options), ensure_ascii=False,
                                          sort_keys=True),
                    "codings": run.codings, "created_at": run.created_at or now()})
            log.summary = f"{action}: {len(todo)} autocode runs"
        return len(todo)

    def autocode_runs(self) -> list[dict[str, Any]]:
        """Every autocode run still in the project, oldest first, with its codings now."""
        rows = self.conn.execute(
            "SELECT r.guid, c.name, r.kind, r.query, r.unit, r.codes, r.codings, r.created_at "
            "FROM autocode_runs r LEFT JOIN coders c ON c.id = r.coder_id ORDER BY r.id"
        ).fetchall()
        now_counts = dict(self.conn.execute(
            "SELECT origin, count(*) FROM codings WHERE origin != 'manual' GROUP BY origin"
        ).fetchall())
        return [{"run": guid, "coder": coder, "kind": kind, "query": query, "unit": unit,
                 "codes": json.loads(codes), "codings_made": made,
                 "codings_now": now_counts.get(ORIGIN_PREFIX + guid, 0), "at": at}
                for guid, coder, kind, query, unit, codes, made, at in rows]


@dataclass(frozen=True)
class AutocodeRun:
    """One stored autocode run, as the exchange carries it between projects."""

    guid: str
    coder: str | None
    kind: str  # search | speaker | keywords
    query: str
    unit: str
    codes: tuple[str, ...]  # code paths at the time of the run
    options: Mapping[str, Any] = field(default_factory=dict)
    codings: int = 0  # how many codings the run made
    created_at: str | None = None


def _as_term(keyword: str) -> str:
    """A codebook keyword as one query term: several words are a phrase."""
    words = keyword.replace('"', " ").split()
    if len(words) > 1:
        return '"' + " ".join(words) + '"'
    return words[0] if words else '""'


def _merged(spans: Iterable[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
    """Spans of one run that overlap or touch become one (one coding per passage)."""
    out: list[tuple[int, str, int, int]] = []
    for span in sorted(set(spans), key=lambda s: (s[1].casefold(), s[0], s[2], s[3])):
        if out and out[-1][0] == span[0] and span[2] <= out[-1][3]:
            last = out[-1]
            out[-1] = (last[0], last[1], last[2], max(last[3], span[3]))
        else:
            out.append(span)
    return out


