"""Inter-coder agreement of a project: which units are compared, and the figures on them.

Two steps, kept apart so that the CLI report, the disagreement listing and the review screen all
rest on exactly the same data:

1. `build_agreement_data` decides what is compared (coders, documents, codes, units) and turns
   the coders' spans into unit x coder presence with `casecoder.analysis.units` (one
   ``presence_by_code`` call per document). It also fingerprints the compared state, so a figure
   quoted in a paper can be traced back to the exact codings it came from.
2. `compute_agreement` tallies, for every code, how many units show each pattern of coders'
   decisions (with two coders at most 9 patterns), and runs the statistics of
   `casecoder.analysis.statistics` on those tallies. Per-document, per-theme and pooled figures
   are sums of the same tallies, so the whole report costs a few array passes per code however
   many units there are.

Presence is binary: a unit is coded with a code by a coder, or it is not. A coder who did not
work on a document has *missing* ratings there (only with ``partial=True``; by default such
documents are left out and the report says so).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from casecoder.analysis.statistics import (
    Estimate,
    Ratings,
    bootstrap_ci,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from casecoder.analysis.units import presence_by_code
from casecoder.errors import UserError
from casecoder.model import Code
from casecoder.project.reading import ProjectReader

if TYPE_CHECKING:
    from casecoder.project import Project

__all__ = [
    "BOOTSTRAP_STATISTICS",
    "CHANCE_CORRECTED",
    "CHOICES",
    "DEFINITIONS",
    "SEED_RULE",
    "SPAN_UNITS",
    "STATISTICS",
    "UNITS",
    "AgreementData",
    "AgreementReport",
    "ComparedDocument",
    "Disagreement",
    "Figure",
    "Item",
    "LeftOut",
    "Reconciliation",
    "ResultRow",
    "UnitRow",
    "agreed_spans",
    "build_agreement_data",
    "compute_agreement",
    "data_hash",
    "default_coders",
    "find_disagreements",
    "ratings_from_tally",
    "seed_consensus",
    "unit_rows",
    "update_documents",
]

UNITS = ("sentence", "turn", "paragraph", "character", "document")
SPAN_UNITS = ("sentence", "turn", "paragraph")

# (key, label) in report order. Percent agreement first: it is what readers check the others by.
STATISTICS: tuple[tuple[str, str], ...] = (
    ("percent_agreement", "Percent agreement"),
    ("cohen_kappa", "Cohen's kappa"),
    ("scott_pi", "Scott's pi"),
    ("fleiss_kappa", "Fleiss' kappa"),
    ("krippendorff_alpha", "Krippendorff's alpha"),
    ("gwet_ac1", "Gwet's AC1"),
    ("brennan_prediger", "Brennan-Prediger"),
)
CHANCE_CORRECTED = tuple(key for key, _ in STATISTICS if key != "percent_agreement")
TWO_CODER_STATISTICS = ("cohen_kappa", "scott_pi")
# Bootstrapping every statistic of every row would take tens of seconds; these three are the
# ones papers report (agreement, Cohen's kappa for two coders, Krippendorff's alpha for any).
BOOTSTRAP_STATISTICS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha")

DEFINITIONS: dict[str, str] = {
    "percent_agreement": (
        "Share of units on which the coders made the same decision (code present or absent), "
        "averaged over coder pairs; with two coders (both + neither) / all, as in NVivo. "
        "Not corrected for chance."),
    "cohen_kappa": (
        "Cohen (1960): (p_o - p_e) / (1 - p_e), chance p_e from each coder's own rate of "
        "applying the code. Two coders only, units both rated."),
    "scott_pi": (
        "Scott (1955): as Cohen's kappa, but chance from both coders' pooled rate. "
        "Two coders only."),
    "fleiss_kappa": (
        "Fleiss (1971): Scott's pi for any number of coders; with missing ratings Gwet's "
        "(2014) generalisation."),
    "krippendorff_alpha": (
        "Krippendorff (2011), nominal: 1 - observed / expected disagreement over pairable "
        "values; any number of coders, missing ratings allowed. Krippendorff advises relying "
        "on alpha >= .800 and drawing tentative conclusions only from alpha >= .667."),
    "gwet_ac1": (
        "Gwet (2008): chance agreement from how far category use is from uniform, so it stays "
        "stable for rarely used codes; any number of coders."),
    "brennan_prediger": (
        "Brennan & Prediger (1981): chance agreement fixed at 1/q with q = 2 categories "
        "(present, absent); the kappa style MAXQDA reports."),
}

TWO_CODERS_ONLY = "defined for exactly 2 coders; see Fleiss' kappa or Krippendorff's alpha"
NO_CODES_DEFINED = "undefined for every code"
UNIT_DESCRIPTIONS = {
    "sentence": "sentence",
    "turn": "speaker turn",
    "paragraph": "paragraph",
    "character": "character (NVivo's unit)",
    "document": "document (code present anywhere in it)",
}

# A unit's pattern is one base-3 digit per coder: 0 = missing, 1 = code absent, 2 = present.
_BASE = 3
_MAX_CODERS = 30  # 3**30 still fits an int64 pattern key with room for the document index


@dataclass(frozen=True)
class ComparedDocument:
    name: str
    guid: str
    sha256: str
    n_units: int
    coders: tuple[str, ...]  # the coders whose ratings count here (all, unless partial)


@dataclass(frozen=True)
class LeftOut:
    name: str
    reason: str


@dataclass
class AgreementData:
    """The compared units with every coder's decisions: what all figures are computed from.

    The data is held in *cells* laid side by side over all compared documents (documents in
    name order). For sentence, turn, paragraph and document units a cell is one unit. For the
    character unit a cell is a run of characters within which no coding starts or ends, so every
    coder's decision is the same for all its characters; ``weights`` holds each run's length.
    That keeps a million-word corpus at tens of thousands of cells instead of millions, with
    exactly the same tallies. Cell ``k`` belongs to document ``unit_doc[k]``; ``rated[i, k]``
    says whether coder i's decisions there count (False only for a document the coder did not
    work on, with ``partial``).
    """

    coders: tuple[str, ...]
    unit: str
    min_overlap: float | None
    partial: bool
    documents: list[ComparedDocument]
    left_out: list[LeftOut]
    codes: list[Code]  # compared codable codes, codebook order
    themes: list[Code]  # compared codes with subcodes, codebook order
    theme_members: dict[int, list[int]]  # theme id -> ids of the compared codes it rolls up
    texts: Sequence[str]  # document texts, for listings (read on first use)
    doc_bounds: NDArray[np.int64]  # (documents + 1,) first cell of each document, then total
    unit_doc: NDArray[np.int32]
    rated: NDArray[np.bool_]
    weights: NDArray[np.int64] | None  # units per cell (character runs); None: one each
    data_hash: str
    _cells: list[NDArray[np.int64]] = field(repr=False)
    _presence: dict[int, NDArray[np.bool_]] = field(default_factory=dict, repr=False)
    doc_ids: list[int] = field(default_factory=list)  # project ids of `documents`
    # Segment numbers of each document's cells when some were left out (interviewer turns);
    # None: cell k is segment k + 1.
    numbers: list[NDArray[np.int64]] | None = None
    skip_interviewers: bool = False
    # What the fingerprint is made of, per compared document, so one can be swapped.
    _hash_codings: list[list[tuple[str, str, str, int, int]]] = field(
        default_factory=list, repr=False)

    @property
    def n_cells(self) -> int:
        return int(self.doc_bounds[-1])

    @property
    def n_units(self) -> int:
        return int(self.weights.sum()) if self.weights is not None else self.n_cells

    def code_by_id(self, code_id: int) -> Code:
        for code in (*self.codes, *self.themes):
            if code.id == code_id:
                return code
        raise UserError(f"code id {code_id} is not among the compared codes")

    def doc_units(self, doc_index: int) -> NDArray[np.int64]:
        """The [start, end) offsets of one document's cells (its units, or character runs)."""
        return self._cells[doc_index]

    def unit_number(self, doc_index: int, local: int) -> int:
        """The number a reader finds the cell by: segment number, character offset + 1, or 1."""
        if self.unit == "document":
            return 1
        if self.unit == "character":
            return int(self._cells[doc_index][local][0]) + 1
        if self.numbers is not None:
            return int(self.numbers[doc_index][local])
        return local + 1

    def local_of(self, doc_index: int, number: int) -> int | None:
        """The cell of a segment number in one document (None if it is not compared)."""
        if self.numbers is None:
            count = int(self.doc_bounds[doc_index + 1] - self.doc_bounds[doc_index])
            return number - 1 if 1 <= number <= count else None
        numbers = self.numbers[doc_index]
        at = int(np.searchsorted(numbers, number))
        return at if at < numbers.size and int(numbers[at]) == number else None

    def presence(self, code_id: int, *, theme: bool = False) -> NDArray[np.bool_]:
        """Coders x cells presence of one code, or with ``theme`` of any code under it.

        A codable theme has both: its own codings (a code row) and the roll-up of itself and
        its subcodes (a theme row), kept apart here.
        """
        cache_key = -code_id if theme else code_id  # row ids are positive
        cached = self._presence.get(cache_key)
        if cached is not None:
            return cached
        if not theme or code_id not in self.theme_members:
            kind = "themes" if theme else "codes"
            raise UserError(f"code id {code_id} is not among the compared {kind}")
        result = np.zeros(self.rated.shape, dtype=bool)
        for member in self.theme_members[code_id]:
            result |= self.presence(member)
        self._presence[cache_key] = result
        return result

    def keys(self, code_id: int, *, theme: bool = False) -> NDArray[np.int64]:
        """Each cell's pattern key for one code: sum over coders of digit * 3**coder."""
        present = self.presence(code_id, theme=theme) & self.rated
        key = np.zeros(self.n_cells, dtype=np.int64)
        for i in range(len(self.coders)):
            key += (self.rated[i].astype(np.int64) + present[i]) * _BASE**i
        return key


class DocumentTexts(Sequence[str]):
    """The compared documents' texts, read when first asked for (listings, the review).

    Figures never need the text, so a report over 5 million words does not read it. The texts
    come through the project they were built from; `rebind` hands them to another handle on
    the same file (a worker builds the data on its own connection, the screen reads on its).
    """

    def __init__(self, project: Any, doc_ids: Sequence[int]) -> None:
        self._project = project
        self._ids = list(doc_ids)

    def rebind(self, project: Any) -> None:
        self._project = project

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return str(self._project.text(self._ids[index]))


def _split_names(values: Iterable[str] | None) -> list[str]:
    """Names from options given as A,B or repeated; empty pieces dropped, order kept."""
    out: list[str] = []
    for value in values or ():
        for piece in value.split(","):
            name = piece.strip()
            if name and name not in out:
                out.append(name)
    return out


def build_agreement_data(
    project: Any,
    coders: Iterable[str] | None = None,
    unit: str = "sentence",
    codes: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    min_overlap: float | None = None,
    partial: bool = False,
    used_codes_only: bool = False,
    skip_interviewers: bool = False,
    origin: str = "all",
) -> AgreementData:
    """Decide what is compared and compute unit x coder presence for every compared code.

    Coders default to every coder with at least one coding. A coder "worked on" a document when
    they coded anything in it or marked it done; by default only documents every compared coder
    worked on are compared, so no rating is missing. With ``partial`` a document is compared when
    at least two of the coders worked on it, and the others' ratings there are missing.
    ``codes`` are paths; a theme stands for itself and all its subcodes. A consensus coder
    is compared only when named. With ``used_codes_only``, codes no compared coder applied in
    the compared documents are left out (they only add agreed "absent" units).
    """
    if unit not in UNITS:
        raise UserError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if min_overlap is not None:
        if unit not in SPAN_UNITS:
            raise UserError(f"--min-overlap applies to sentence, turn and paragraph units, "
                            f"not to the {unit} unit")
        if not 0.0 < min_overlap <= 1.0:
            raise UserError(f"minimum overlap must be a share above 0 and at most 1, "
                            f"not {min_overlap}")
    coder_names = _resolve_coders(project, coders)
    # (doc id, code id, coder, start, end); --origin e.g. compares only manual codings
    all_codings = project.coding_rows(coder_names, origin=origin)
    selected, themes, members = _resolve_codes(project, codes)
    selected_ids = {c.id for c in selected}

    docs = project.documents()
    wanted = None
    requested = _split_names(documents)
    if requested:
        wanted = {project.document(name).id for name in requested}
    worked: dict[str, set[int]] = {name: set() for name in coder_names}
    for doc_id, _, coder, _, _ in all_codings:
        worked[coder].add(doc_id)
    ids_by_name = {d.name: d.id for d in docs}
    for name in coder_names:
        worked[name] |= {ids_by_name[n] for n in project.done_documents(name) if n in ids_by_name}

    compared: list[tuple[Any, tuple[str, ...]]] = []
    left_out: list[LeftOut] = []
    for doc in docs:
        if wanted is not None and doc.id not in wanted:
            left_out.append(LeftOut(doc.name, "not among the documents asked for (--documents)"))
            continue
        raters = tuple(name for name in coder_names if doc.id in worked[name])
        missing = [name for name in coder_names if name not in raters]
        if missing and (not partial or len(raters) < 2):
            nobody = len(raters) == 0
            reason = ("no compared coder worked on it" if nobody
                      else f"not worked on by {', '.join(missing)}")
            left_out.append(LeftOut(doc.name, reason))
            continue
        compared.append((doc, raters))

    by_doc: dict[int, list[tuple[str, int, int, int]]] = {}
    compared_ids = {doc.id for doc, _ in compared}
    for doc_id, code_id, coder, start, end in all_codings:
        if doc_id in compared_ids and code_id in selected_ids:
            by_doc.setdefault(doc_id, []).append((coder, code_id, start, end))
    if used_codes_only:
        used = {code_id for rows in by_doc.values() for _, code_id, _, _ in rows}
        if not used:
            raise UserError("no compared coder used any of the compared codes")
        selected = [c for c in selected if c.id in used]
        selected_ids = {c.id for c in selected}
        members = {t: [m for m in ids if m in used] for t, ids in members.items()}
        themes = [t for t in themes if members[t.id]]
        members = {t: ids for t, ids in members.items() if ids}

    kept: list[tuple[Any, tuple[str, ...], NDArray[np.int64] | None]] = []
    all_spans = _all_unit_spans(project, [doc for doc, _ in compared], unit)
    if skip_interviewers and unit not in SPAN_UNITS:
        raise UserError("leaving out interviewer turns works on sentence, turn and paragraph "
                        f"units, not on the {unit} unit")
    asked = project.interviewer_segments(unit) if skip_interviewers else {}
    numbers_of: dict[int, NDArray[np.int64]] = {}
    for doc, raters in compared:
        spans = all_spans.get(doc.id) if unit in SPAN_UNITS else None
        if unit in SPAN_UNITS and spans is None:
            spans = np.zeros((0, 2), dtype=np.int64)
        if skip_interviewers and spans is not None:
            numbers = np.arange(1, spans.shape[0] + 1, dtype=np.int64)
            keep = ~np.isin(numbers, np.fromiter(asked.get(doc.id, ()), dtype=np.int64))
            spans, numbers_of[doc.id] = spans[keep], numbers[keep]
        if spans is not None and spans.shape[0] == 0:
            left_out.append(LeftOut(doc.name, f"it has no {unit} units"))
            continue
        kept.append((doc, raters, spans))
    if not kept:
        detail = "; ".join(f"{x.name}: {x.reason}" for x in left_out[:3])
        more = f" and {len(left_out) - 3} more" if len(left_out) > 3 else ""
        raise UserError(f"no document is left to compare ({detail}{more})" if detail
                        else "the project has no documents to compare")

    n_coders = len(coder_names)
    texts = DocumentTexts(project, [doc.id for doc, _, _ in kept])
    lengths = [doc.length for doc, _, _ in kept]
    cells: list[NDArray[np.int64]] = []
    for (doc, _, spans), length in zip(kept, lengths, strict=True):
        if spans is not None:
            cells.append(spans)
        elif unit == "document":
            cells.append(np.array([[0, length]], dtype=np.int64))
        else:  # character: cut at every start and end of a compared coding
            edges = [edge for _, _, start, end in by_doc.get(doc.id, ()) for edge in (start, end)]
            cuts = np.unique(np.array([0, length, *edges], dtype=np.int64))
            cells.append(np.column_stack((cuts[:-1], cuts[1:])))
    counts = [int(c.shape[0]) for c in cells]
    bounds = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    unit_doc = np.repeat(np.arange(len(kept), dtype=np.int32), counts)
    rated = np.ones((n_coders, int(bounds[-1])), dtype=bool)
    for d, (_, raters, _) in enumerate(kept):
        for i, name in enumerate(coder_names):
            if name not in raters:
                rated[i, bounds[d]:bounds[d + 1]] = False

    # Documents laid end to end, one character apart: cells and codings never cross a
    # document, so one presence_by_code call over the whole corpus gives exactly the
    # per-document matrices side by side, at a fraction of the cost of one call per document.
    shifted_cells: list[NDArray[np.int64]] = []
    shifted_codings: list[tuple[str, int, int, int]] = []
    base = 0
    for (doc, _, _), length, doc_cells in zip(kept, lengths, cells, strict=True):
        shifted_cells.append(doc_cells + base)
        shifted_codings += [(coder, code_id, start + base, end + base)
                            for coder, code_id, start, end in by_doc.get(doc.id, ())]
        base += length + 1
    order = {c.id: k for k, c in enumerate(selected)}
    presence = presence_by_code(np.concatenate(shifted_cells), shifted_codings, coder_names,
                                [c.id for c in selected], min_overlap)
    presence = {k: presence[k] for k in sorted(presence, key=order.__getitem__)}
    weights = None
    if unit == "character":
        weights = np.concatenate([c[:, 1] - c[:, 0] for c in cells]).astype(np.int64)
    n_units = [length if unit == "character" else counts[d]
               for d, length in enumerate(lengths)]

    compared_docs = [
        ComparedDocument(doc.name, doc.guid, doc.sha256, n_units[d], raters)
        for d, (doc, raters, _) in enumerate(kept)
    ]
    guid_of = {c.id: c.guid for c in selected}
    hash_codings = [[(doc.guid, guid_of[code_id], coder, start, end)
                     for coder, code_id, start, end in by_doc.get(doc.id, ())]
                    for doc, _, _ in kept]
    data = AgreementData(
        coders=tuple(coder_names), unit=unit, min_overlap=min_overlap, partial=partial,
        documents=compared_docs, left_out=left_out, codes=selected, themes=themes,
        theme_members=members, texts=texts, doc_bounds=bounds, unit_doc=unit_doc, rated=rated,
        weights=weights, data_hash="", _cells=cells, _presence=presence,
        doc_ids=[doc.id for doc, _, _ in kept], _hash_codings=hash_codings,
        numbers=[numbers_of[doc.id] for doc, _, _ in kept] if skip_interviewers else None,
        skip_interviewers=skip_interviewers)
    data.data_hash = _fingerprint(data)
    return data


def _fingerprint(data: AgreementData) -> str:
    unit = data.unit + (" without interviewer turns" if data.skip_interviewers else "")
    return data_hash(data.coders, unit, data.min_overlap, data.partial,
                     [(d.guid, d.sha256) for d in data.documents],
                     [c.guid for c in data.codes],
                     [row for rows in data._hash_codings for row in rows])


def update_documents(project: Any, data: AgreementData, doc_ids: Iterable[int]) -> bool:
    """Bring the compared data up to date after codings changed in some documents.

    Only those documents' presence (and their part of the fingerprint) is computed again: one
    query for their codings, one sweep over their units. Returns False, changing nothing,
    when that is not enough (a document outside the comparison changed, or the character
    unit, whose cells depend on the codings); the caller then builds the data afresh.
    """
    index = {doc_id: d for d, doc_id in enumerate(data.doc_ids)}
    changed = sorted({index.get(doc_id, -1) for doc_id in doc_ids})
    if not changed:
        return True
    if changed[0] < 0 or data.unit == "character":
        return False
    selected = {c.id for c in data.codes}
    guid_of = {c.id: c.guid for c in data.codes}
    rows: dict[int, list[tuple[str, int, int, int]]] = {d: [] for d in changed}
    for doc_id, code_id, coder, start, end in project.coding_rows(
            list(data.coders), [data.doc_ids[d] for d in changed]):
        if code_id in selected:
            rows[index[doc_id]].append((coder, code_id, start, end))
    for d in changed:
        lo, hi = int(data.doc_bounds[d]), int(data.doc_bounds[d + 1])
        fresh = presence_by_code(data.doc_units(d), rows[d], list(data.coders),
                                 [c.id for c in data.codes], data.min_overlap)
        for code_id, matrix in fresh.items():
            if code_id in selected:
                data._presence[code_id][:, lo:hi] = matrix
        guid = data.documents[d].guid
        data._hash_codings[d] = [(guid, guid_of[code_id], coder, start, end)
                                 for coder, code_id, start, end in rows[d]]
    for key in [k for k in data._presence if k < 0]:  # theme roll-ups: made again on demand
        del data._presence[key]
    data.data_hash = _fingerprint(data)
    return True


def default_coders(project: Any) -> list[str]:
    """Every coder with codings, by name, leaving out consensus coders (one query)."""
    return list(project.coders_with_codings())


def _resolve_coders(project: Any, coders: Iterable[str] | None) -> list[str]:
    requested = _split_names(coders)
    if requested:
        names = [project.coder(name).name for name in requested]  # unknown coder: UserError
        if len(set(names)) != len(names):
            raise UserError("a coder is named twice in --coders")
    else:
        names = default_coders(project)
    if len(names) < 2 and requested:
        raise UserError(f"agreement compares at least 2 coders, not only {names[0]!r}; "
                        "name them with --coders A,B")
    if len(names) < 2:
        found = f"only {names[0]!r} has" if names else "no coder has"
        raise UserError(f"agreement needs at least 2 coders with codings, and {found} coded "
                        "anything yet")
    if len(names) > _MAX_CODERS:
        raise UserError(f"agreement compares at most {_MAX_CODERS} coders at a time")
    return names


def _resolve_codes(project: ProjectReader, paths: Iterable[str] | None
                   ) -> tuple[list[Code], list[Code], dict[int, list[int]]]:
    """Compared codable codes, themes (codes with subcodes) and each theme's member codes."""
    all_codes = project.codes()
    requested = [p for p in (paths or ()) if p.strip()]
    if requested:
        chosen: set[int] = set()
        for path in requested:
            chosen |= {c.id for c in project.descendants(path)}  # unknown code: UserError
        scope = [c for c in all_codes if c.id in chosen]
    else:
        scope = list(all_codes)
    selected = [c for c in scope if c.codable]
    if not selected:
        raise UserError("no codable code to compare" + (
            f" under {', '.join(requested)}" if requested else ": the codebook is empty"))
    selected_ids = {c.id for c in selected}
    themes: list[Code] = []
    members: dict[int, list[int]] = {}
    for code in scope:
        below = [c.id for c in project.descendants(code) if c.id in selected_ids]
        if len(project.descendants(code)) > 1 and below:
            themes.append(code)
            members[code.id] = below
    return selected, themes, members


def _all_unit_spans(project: Any, docs: Sequence[Any], unit: str
                    ) -> dict[int, NDArray[np.int64]]:
    """Every compared document's [start, end) units of one kind, from one query."""
    if unit not in SPAN_UNITS:
        return {}
    wanted = {doc.id for doc in docs}
    out: dict[int, NDArray[np.int64]] = {}
    for doc_id, flat in project.segment_offsets(unit).items():
        if doc_id in wanted:
            out[doc_id] = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
    return out


def data_hash(coders: Sequence[str], unit: str, min_overlap: float | None, partial: bool,
              documents: Iterable[tuple[str, str]], code_guids: Iterable[str],
              codings: Iterable[tuple[str, str, str, int, int]]) -> str:
    """First 12 hex digits of a SHA-256 over everything a figure depends on, canonically ordered.

    Coders, unit, minimum overlap, documents (GUID and text hash), compared codes (GUID), and
    every compared coding as (document GUID, code GUID, coder, start, end). Nothing depends on
    row ids, insertion order or the time of day, so the same coding state always gives the same
    fingerprint and any change to a compared coding gives another.
    """
    payload = {
        "coders": sorted(coders),
        "unit": unit,
        "min_overlap": min_overlap,
        "partial": partial,
        # Tuples sort and serialise exactly as lists do, without copying 100,000 of them.
        "documents": sorted(tuple(d) for d in documents),
        "codes": sorted(code_guids),
        "codings": sorted(tuple(c) for c in codings),
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# Tallies and figures


Tally = dict[int, int]


def _tally(keys: NDArray[np.int64], groups: NDArray[np.int32] | None, n_groups: int,
           n_coders: int, weights: NDArray[np.int64] | None = None) -> list[Tally]:
    """Per group (document), how many units show each pattern key (cells count ``weights``)."""
    space = _BASE**n_coders
    if groups is None:
        groups = np.zeros(keys.shape, dtype=np.int32)
        n_groups = 1
    combined = groups.astype(np.int64) * space + keys
    if n_groups * space > 1 << 22:  # many coders: count the keys that occur, not all keys
        unique, combined = np.unique(combined, return_inverse=True)
    else:
        unique = None
    size = unique.size if unique is not None else n_groups * space
    counts = np.bincount(combined, weights=weights, minlength=size)
    if weights is not None:
        counts = np.rint(counts).astype(np.int64)  # sums of integers, exact below 2**53
    found = np.flatnonzero(counts)
    values = counts[found]
    full = unique[found] if unique is not None else found
    group_of, key_of = full // space, full % space
    out: list[Tally] = [{} for _ in range(n_groups)]
    for g, k, v in zip(group_of.tolist(), key_of.tolist(), values.tolist(), strict=True):
        out[g][k] = int(v)
    return out


def _add(total: Tally, more: Mapping[int, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


def _digits(keys: NDArray[np.int64], n_coders: int) -> NDArray[np.int64]:
    powers = _BASE ** np.arange(n_coders, dtype=np.int64)
    return (keys[None, :] // powers[:, None]) % _BASE


def ratings_from_tally(tally: Mapping[int, int], n_coders: int) -> Ratings:
    """A `Ratings` (categories False, True) whose patterns are the tally's keys.

    Equivalent to ``as_ratings`` on the coders x units matrix the tally counts (True = coded,
    NaN = missing), without ever building that matrix: pooled figures over 40 codes x 60,000
    sentences are a sum of 40 dictionaries of at most 9 entries.
    """
    items = sorted((k, v) for k, v in tally.items() if v > 0)
    keys = np.array([k for k, _ in items], dtype=np.int64)
    weights = np.array([v for _, v in items], dtype=np.int64)
    codes = _digits(keys, n_coders) - 1 if items else np.zeros((n_coders, 0), dtype=np.int64)
    return Ratings(codes.astype(np.int64), weights, (False, True), True)


@dataclass(frozen=True)
class Figure:
    """One statistic in one row: a value, or None with the reason; a bootstrap interval."""

    value: float | None
    reason: str | None = None
    ci: tuple[float, float] | None = None
    note: str | None = None  # e.g. how many codes a mean is over

    def display(self, digits: int = 3) -> str:
        return Estimate(self.value, self.reason).display(digits)


@dataclass(frozen=True)
class ResultRow:
    """One line of the report: a code, a theme, a document, or an overall figure."""

    scope: str  # "code" | "theme" | "document" | "overall"
    label: str
    method: str  # "" for a single code/theme; "pooled" or "mean over codes" otherwise
    n_units: int  # units (unit x code decisions when pooled) with at least 2 ratings
    coded: dict[str, int]  # per coder: units (decisions) where they applied the code
    all_coded: int  # pairable units every rating coder coded
    disagreements: int  # pairable units where the coders' decisions differ
    figures: dict[str, Figure]
    guid: str | None = None


def _counts(tally: Mapping[int, int],
            coders: Sequence[str]) -> tuple[int, dict[str, int], int, int]:
    n_coders = len(coders)
    if not tally:
        return 0, dict.fromkeys(coders, 0), 0, 0
    keys = np.fromiter(tally.keys(), dtype=np.int64, count=len(tally))
    weights = np.fromiter(tally.values(), dtype=np.int64, count=len(tally))
    digits = _digits(keys, n_coders)
    rated = (digits > 0).sum(axis=0)
    present = (digits == 2).sum(axis=0)
    pairable = rated >= 2
    coded = {name: int(weights[digits[i] == 2].sum()) for i, name in enumerate(coders)}
    all_coded = int(weights[pairable & (present == rated)].sum())
    differ = pairable & (present > 0) & (present < rated)
    return int(weights[pairable].sum()), coded, all_coded, int(weights[differ].sum())


def _statistic(key: str) -> Callable[[Ratings], Estimate]:
    functions: dict[str, Callable[[Ratings], Estimate]] = {
        "percent_agreement": percent_agreement,
        "cohen_kappa": cohen_kappa,
        "scott_pi": scott_pi,
        "fleiss_kappa": fleiss_kappa,
        "krippendorff_alpha": krippendorff_alpha,
        "gwet_ac1": lambda r: gwet_ac1(r, 2),
        "brennan_prediger": lambda r: brennan_prediger(r, 2),
    }
    return functions[key]


def _estimates(ratings: Ratings, n_coders: int) -> dict[str, Estimate]:
    out: dict[str, Estimate] = {}
    for key, _ in STATISTICS:
        if key in TWO_CODER_STATISTICS and n_coders != 2:
            out[key] = Estimate(None, TWO_CODERS_ONLY)
        else:
            out[key] = _statistic(key)(ratings)
    return out


@dataclass
class _Bootstrap:
    resamples: int
    seed: int
    confidence: float


def _row(scope: str, label: str, tally: Mapping[int, int], coders: Sequence[str],
         boot: _Bootstrap | None, guid: str | None = None, method: str = "") -> ResultRow:
    ratings = ratings_from_tally(tally, len(coders))
    estimates = _estimates(ratings, len(coders))
    figures: dict[str, Figure] = {}
    for key, est in estimates.items():
        ci = None
        if boot is not None and key in BOOTSTRAP_STATISTICS and est.value is not None:
            ci = bootstrap_ci(ratings, _statistic(key), boot.resamples, boot.seed, boot.confidence)
        figures[key] = Figure(est.value, est.reason, ci)
    n_units, coded, all_coded, disagreements = _counts(tally, coders)
    return ResultRow(scope, label, method, n_units, coded, all_coded, disagreements, figures, guid)


def _mean_row(rows: Sequence[ResultRow], coders: Sequence[str]) -> ResultRow:
    figures: dict[str, Figure] = {}
    for key, _ in STATISTICS:
        values = [v for v in (r.figures[key].value for r in rows) if v is not None]
        undefined = len(rows) - len(values)
        note = f"mean of {len(values)} of {len(rows)} codes" + (
            f"; {undefined} n/a left out" if undefined else "")
        if values:
            figures[key] = Figure(float(np.mean(values)), None, None, note)
        else:
            reasons = {r.figures[key].reason for r in rows}
            reason = reasons.pop() if len(reasons) == 1 else NO_CODES_DEFINED
            figures[key] = Figure(None, reason or NO_CODES_DEFINED, None, note)
    coded = {name: sum(r.coded[name] for r in rows) for name in coders}
    return ResultRow("overall", "all codes", "mean over codes",
                     sum(r.n_units for r in rows), coded, sum(r.all_coded for r in rows),
                     sum(r.disagreements for r in rows), figures)


@dataclass
class AgreementReport:
    """Everything a reader needs to judge and trace the figures, in a renderable form."""

    project: str
    coders: tuple[str, ...]
    unit: str
    unit_description: str
    min_overlap: float | None
    partial: bool
    n_units: int
    documents: list[ComparedDocument]
    left_out: list[LeftOut]
    codes: list[str]
    themes: list[str]
    missing_data: str
    presence_rule: str
    definitions: dict[str, str]
    statistics: list[tuple[str, str]]
    data_hash: str
    bootstrap: dict[str, Any] | None
    code_rows: list[ResultRow]
    theme_rows: list[ResultRow]
    document_rows: list[ResultRow]
    overall_rows: list[ResultRow]
    version: str = ""
    unused_codes: list[str] = field(default_factory=list)  # compared, applied by nobody

    def rows(self) -> list[ResultRow]:
        return [*self.code_rows, *self.theme_rows, *self.document_rows, *self.overall_rows]


def _missing_text(data: AgreementData) -> str:
    if not data.partial:
        return ("No missing ratings: only documents every compared coder worked on (coded "
                "something in, or marked done) are compared, and in them a unit a coder did not "
                "code counts as that coder's decision that the code is absent.")
    return ("Documents worked on by at least two of the coders are compared; in a document a "
            "coder did not work on, that coder's ratings are missing (not 'absent'). "
            "Krippendorff's alpha, Fleiss' kappa, Gwet's AC1 and Brennan-Prediger use every unit "
            "with at least two ratings; Cohen's kappa, Scott's pi and percent agreement with two "
            "coders use the units both rated.")


def _presence_rule(data: AgreementData) -> str:
    if data.unit == "document":
        return "A document counts as coded by a coder with a code when any of their codings of " \
               "the code lies in it."
    if data.unit == "character":
        return "A character counts as coded when a coder's coding of the code covers it."
    if data.min_overlap is None:
        return (f"A {data.unit} counts as coded by a coder with a code when that coder's "
                "codings of the code cover any character of it.")
    return (f"A {data.unit} counts as coded by a coder with a code when that coder's codings of "
            f"the code cover at least {data.min_overlap:.0%} of its characters.")


def compute_agreement(
    data: AgreementData,
    *,
    project_name: str = "",
    bootstrap: int = 0,
    seed: int = 1,
    confidence: float = 0.95,
) -> AgreementReport:
    """Per-code, per-theme, per-document and overall figures for the compared data.

    Overall figures come two ways, each labelled: *pooled* (every unit x code decision in one
    table, so frequent codes weigh more) and *mean over codes* (each code's figure averaged,
    codes with an undefined figure left out and counted in the note). A theme's unit is coded
    when any of its subcodes (or the theme itself) is. With ``bootstrap`` resamples, percentile
    intervals over units for `BOOTSTRAP_STATISTICS` per code, per theme and for the pooled
    figures (resampling whole units with all their codes, since decisions on one unit are not
    independent); deterministic for a given ``seed``.
    """
    from casecoder import __version__

    if bootstrap < 0:
        raise UserError("--bootstrap needs a number of resamples of 0 or more")
    boot = _Bootstrap(bootstrap, seed, confidence) if bootstrap else None
    coders = data.coders
    n_docs = len(data.documents)
    code_rows: list[ResultRow] = []
    pooled: Tally = {}
    per_doc: list[Tally] = [{} for _ in range(n_docs)]
    code_keys: list[NDArray[np.int64]] = []
    space = _BASE**len(coders)
    # With few coders every (document, pattern) pair has a slot: one bincount per code, and
    # the per-document tallies are summed as arrays, not as 40,000 small dictionaries.
    dense = n_docs * space <= 1 << 22
    doc_counts = np.zeros((n_docs, space), dtype=np.int64) if dense else None
    for code in data.codes:
        keys = data.keys(code.id)
        if doc_counts is not None:
            combined = data.unit_doc.astype(np.int64) * space + keys
            counts = np.bincount(combined, weights=data.weights, minlength=n_docs * space)
            if data.weights is not None:
                counts = np.rint(counts)
            matrix = counts.astype(np.int64).reshape(n_docs, space)
            doc_counts += matrix
            column = matrix.sum(axis=0)
            total = {int(k): int(column[k]) for k in np.flatnonzero(column)}
        else:
            total = {}
            for d, tally in enumerate(_tally(keys, data.unit_doc, n_docs, len(coders),
                                             data.weights)):
                _add(total, tally)
                _add(per_doc[d], tally)
        _add(pooled, total)
        code_rows.append(_row("code", code.path, total, coders, boot, code.guid))
        if boot is not None:
            code_keys.append(keys)
    if doc_counts is not None:
        for d in range(n_docs):
            row = doc_counts[d]
            per_doc[d] = {int(k): int(row[k]) for k in np.flatnonzero(row)}
    theme_rows = []
    for theme in data.themes:
        (tally,) = _tally(data.keys(theme.id, theme=True), None, 1, len(coders),
                          data.weights)
        theme_rows.append(_row("theme", theme.path, tally, coders, boot, theme.guid))
    document_rows = [_row("document", doc.name, per_doc[d], coders, None, doc.guid, "pooled")
                     for d, doc in enumerate(data.documents)]
    pooled_row = _row("overall", "all codes", pooled, coders, None, method="pooled")
    if boot is not None:
        pooled_row = _with_pooled_ci(pooled_row, code_keys, data, boot)
    overall = [pooled_row, _mean_row(code_rows, coders)]
    return AgreementReport(
        project=project_name,
        coders=coders,
        unit=data.unit,
        unit_description=UNIT_DESCRIPTIONS[data.unit] + (
            "; interviewer turns left out" if data.skip_interviewers else ""),
        min_overlap=data.min_overlap,
        partial=data.partial,
        n_units=data.n_units,
        documents=data.documents,
        left_out=data.left_out,
        codes=[c.path for c in data.codes],
        themes=[t.path for t in data.themes],
        missing_data=_missing_text(data),
        presence_rule=_presence_rule(data),
        definitions=dict(DEFINITIONS),
        statistics=list(STATISTICS),
        data_hash=data.data_hash,
        bootstrap=None if boot is None else {
            "resamples": boot.resamples, "seed": boot.seed, "confidence": boot.confidence,
            "statistics": list(BOOTSTRAP_STATISTICS),
            "over": "units (pooled figures resample whole units with all their codes)"},
        code_rows=code_rows,
        theme_rows=theme_rows,
        document_rows=document_rows,
        overall_rows=overall,
        version=__version__,
        unused_codes=[r.label for r in code_rows if not any(r.coded.values())],
    )


def _with_pooled_ci(row: ResultRow, code_keys: Sequence[NDArray[np.int64]], data: AgreementData,
                    boot: _Bootstrap) -> ResultRow:
    """Bootstrap the pooled figures by resampling units, each with all its code decisions.

    Units with the same decisions on every code are interchangeable, so they are collapsed into
    profiles first; a resample is then a multinomial draw over profiles (as `bootstrap_ci` does
    over patterns), and its pooled tally a matrix product. The same rules as `bootstrap_ci`:
    no interval when the figure is undefined, or undefined in more than one tail's share of the
    resamples.
    """
    if not code_keys or data.n_cells == 0:
        return row
    n_coders = len(data.coders)
    space = _BASE**n_coders
    profile = np.zeros(data.n_cells, dtype=np.int64)
    for keys in code_keys:
        combined = profile * space + keys
        if int(combined.max()) < 1 << 24:
            present = np.bincount(combined) > 0
            profile = (np.cumsum(present) - 1)[combined]
        else:
            _, profile = np.unique(combined, return_inverse=True)
    profiles, first, inverse = np.unique(profile, return_index=True, return_inverse=True)
    counts = np.bincount(inverse, weights=data.weights).round().astype(np.int64)
    pattern_counts = np.zeros((profiles.size, space), dtype=np.int64)
    for keys in code_keys:
        np.add.at(pattern_counts, (np.arange(profiles.size), keys[first]), 1)
    rng = np.random.default_rng(boot.seed)
    n = int(counts.sum())
    draws = rng.multinomial(n, counts / n, size=boot.resamples)
    resampled = draws @ pattern_counts  # resamples x patterns
    used = np.flatnonzero(resampled.any(axis=0))
    tail = (1.0 - boot.confidence) / 2.0
    figures = dict(row.figures)
    for key in BOOTSTRAP_STATISTICS:
        figure = figures[key]
        if figure.value is None:
            continue
        statistic = _statistic(key)
        values = []
        for counts_row in resampled:
            tally = {int(k): int(counts_row[k]) for k in used if counts_row[k]}
            value = statistic(ratings_from_tally(tally, n_coders)).value
            if value is not None:
                values.append(value)
        ci = None
        if boot.resamples - len(values) <= tail * boot.resamples:
            low, high = np.quantile(np.asarray(values), [tail, 1.0 - tail])
            ci = (float(low), float(high))
        figures[key] = Figure(figure.value, figure.reason, ci, figure.note)
    return ResultRow(row.scope, row.label, row.method, row.n_units, row.coded, row.all_coded,
                     row.disagreements, figures, row.guid)


# ---------------------------------------------------------------------------------------------
# Where the coders differ


@dataclass(frozen=True)
class Disagreement:
    """A unit (or, for characters, a run of them) where the coders' decisions on a code differ."""

    document: str
    unit: str
    number: int  # unit number (1-based); for characters the first character's offset + 1
    start: int
    end: int
    code: str
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]
    text: str


def _differs(data: AgreementData, code_id: int) -> NDArray[np.bool_]:
    present = data.presence(code_id) & data.rated
    rated = data.rated.sum(axis=0)
    n_present = present.sum(axis=0)
    return (rated >= 2) & (n_present > 0) & (n_present < rated)


def find_disagreements(data: AgreementData, codes: Iterable[Code] | None = None,
                       max_text: int | None = None) -> list[Disagreement]:
    """Every unit where the compared coders differ on a code, in document and unit order.

    With the character unit, neighbouring characters with the same decisions are joined into
    one run, so the listing shows passages rather than single letters.
    """
    chosen = list(codes) if codes is not None else list(data.codes)
    found: list[tuple[int, int, int, Disagreement]] = []
    for rank, code in enumerate(chosen):
        differ = _differs(data, code.id)
        present = data.presence(code.id) & data.rated
        for d, doc in enumerate(data.documents):
            lo, hi = int(data.doc_bounds[d]), int(data.doc_bounds[d + 1])
            local = np.flatnonzero(differ[lo:hi])
            if local.size == 0:
                continue
            spans = data.doc_units(d)
            groups = _runs(local, present[:, lo:hi]) if data.unit == "character" else [
                (int(u), int(u)) for u in local]
            for first, last in groups:
                start, end = int(spans[first][0]), int(spans[last][1])
                yes = tuple(name for i, name in enumerate(data.coders) if present[i, lo + first])
                no = tuple(name for i, name in enumerate(data.coders)
                           if data.rated[i, lo + first] and not present[i, lo + first])
                text = data.texts[d][start:end]
                if max_text is not None and len(text) > max_text:
                    text = text[: max_text - 1].rstrip() + "…"
                found.append((d, first, rank, Disagreement(
                    doc.name, data.unit, data.unit_number(d, first), start, end, code.path,
                    yes, no, text)))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]


def _runs(local: NDArray[np.int64], present: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Consecutive unit indices with identical coder decisions, as (first, last) pairs."""
    if local.size == 0:
        return []
    patterns = present[:, local]
    breaks = np.flatnonzero((np.diff(local) != 1) | (patterns[:, 1:] != patterns[:, :-1]).any(0))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [local.size - 1]))
    return [(int(local[s]), int(local[e])) for s, e in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class UnitRow:
    """One unit of one document as the review screen shows it: each coder's codes on it."""

    index: int  # position among all compared units
    number: int
    start: int
    end: int
    codes: tuple[tuple[str, ...], ...]  # per coder, code paths in codebook order
    differs: tuple[str, ...]  # code paths on which the coders differ here


def unit_rows(data: AgreementData, doc_index: int) -> list[UnitRow]:
    """Every unit of one compared document with each coder's codes (span units)."""
    lo, hi = int(data.doc_bounds[doc_index]), int(data.doc_bounds[doc_index + 1])
    spans = data.doc_units(doc_index)
    per_coder: list[list[list[str]]] = [[[] for _ in range(hi - lo)] for _ in data.coders]
    differs: list[list[str]] = [[] for _ in range(hi - lo)]
    for code in data.codes:
        block = data.presence(code.id)[:, lo:hi]
        if not block.any():
            continue
        for i in range(len(data.coders)):
            for u in np.flatnonzero(block[i]).tolist():
                per_coder[i][u].append(code.path)
        for u in np.flatnonzero(_differs(data, code.id)[lo:hi]).tolist():
            differs[u].append(code.path)
    return [
        UnitRow(lo + u, data.unit_number(doc_index, u), int(spans[u][0]), int(spans[u][1]),
                tuple(tuple(per_coder[i][u]) for i in range(len(data.coders))), tuple(differs[u]))
        for u in range(hi - lo)
    ]


# ---------------------------------------------------------------------------------------------
# Reconciling disagreements into a consensus coder

CHOICES = ("a", "b", "both", "neither")
SEED_RULE = (
    "Seeding: every unit on which all compared coders applied a code becomes a consensus "
    "coding of the code covering the union of their codings of it within that unit (pieces "
    "separated only by whitespace are joined); units with a stored decision are left to the "
    "decision. A decision on a unit replaces the consensus coder's codings of the code inside "
    "that unit by the chosen coders' codings clipped to it (A, B or both; neither: none).")


@dataclass(frozen=True, order=True)
class Item:
    """One disagreement: a unit of a compared document on which the two coders differ on a code.

    Ordered by document, unit and the code's place in the codebook (``rank``), the order in which
    the review walks through them.
    """

    doc_index: int
    local: int  # the unit's index within its document
    rank: int
    code_id: int


def agreed_spans(project: Any, data: AgreementData) -> list[tuple[int, int, int, int]]:
    """(document id, code id, start, end) of what every compared coder agrees on (`SEED_RULE`).

    Only units every compared coder rated and coded count; the compared coders' codings are
    clipped to each such unit and joined across whitespace, per document and code.
    """
    if data.unit not in SPAN_UNITS:
        raise UserError(f"reconciliation works on sentence, turn or paragraph units, "
                        f"not on the {data.unit} unit")
    doc_ids = {d.name: project.document(d.name).id for d in data.documents}
    rows: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for doc_id, code_id, _, start, end in project.coding_rows(list(data.coders)):
        rows.setdefault((doc_id, code_id), []).append((start, end))
    out: list[tuple[int, int, int, int]] = []
    all_rated = data.rated.all(axis=0)
    for code in data.codes:
        # A 2-D reduction over axis 0 is an array; numpy's stubs only promise "bool or array".
        agreed: NDArray[np.bool_] = np.asarray(data.presence(code.id).all(axis=0) & all_rated)
        for d, doc in enumerate(data.documents):
            lo, hi = int(data.doc_bounds[d]), int(data.doc_bounds[d + 1])
            local = np.flatnonzero(agreed[lo:hi])
            if local.size == 0:
                continue
            doc_id = doc_ids[doc.name]
            spans = sorted(rows.get((doc_id, code.id), ()))
            text = data.texts[d]
            cells = data.doc_units(d)
            pieces: list[tuple[int, int]] = []
            for u in local.tolist():
                us, ue = int(cells[u][0]), int(cells[u][1])
                pieces += [(max(s, us), min(e, ue)) for s, e in spans if s < ue and e > us]
            joined: list[list[int]] = []
            for s, e in sorted(pieces):
                if joined and (s <= joined[-1][1] or not text[joined[-1][1]:s].strip()):
                    joined[-1][1] = max(joined[-1][1], e)
                else:
                    joined.append([s, e])
            out += [(doc_id, code.id, s, e) for s, e in joined]
    return out


def seed_consensus(project: Any, data: AgreementData, into: str = "consensus") -> int:
    """Seed the consensus coder with everything the compared coders agree on; idempotent.

    Units with a stored decision are skipped (a "neither" stays neither). Returns the number of
    agreed passages that added something (0 when run again).
    """
    if into in data.coders:
        raise UserError(f"{into!r} is one of the compared coders; the consensus coder needs a "
                        "name of its own")
    decided = {(d.document, d.code_id, d.number) for d in project.decisions(into)
               if d.unit == data.unit}
    spans = agreed_spans(project, data)
    if decided:
        index = {doc_id: d for d, doc_id in enumerate(data.doc_ids)}
        kept = []
        for doc_id, code_id, start, end in spans:
            d = index[doc_id]
            name = data.documents[d].name
            cells = data.doc_units(d)
            first = int(np.searchsorted(cells[:, 1], start, side="right"))
            last = int(np.searchsorted(cells[:, 0], end, side="left"))
            locals_ = range(first, last)
            if any((name, code_id, data.unit_number(d, k)) in decided for k in locals_):
                for k in locals_:  # keep the undecided units of the passage
                    if (name, code_id, data.unit_number(d, k)) not in decided:
                        us, ue = (int(x) for x in cells[k])
                        s, e = max(start, us), min(end, ue)
                        if s < e:
                            kept.append((doc_id, code_id, s, e))
                continue
            kept.append((doc_id, code_id, start, end))
        spans = kept
    return int(project.seed_consensus(
        into, spans, summary=f"{into}: seed what {' and '.join(data.coders)} agree on "
                             f"({data.unit})"))


class Reconciliation:
    """Deciding two coders' disagreements into a consensus coder, unit by unit and code by code.

    Decisions are stored in the project (`Project.decide`: the consensus codings and a review
    decision row in one change by the reviewing coder), so a review can stop and resume and the
    reviewer's ordinary undo takes a decision back. A disagreement counts as resolved when a
    decision on its unit and code is stored, or (reviews from before decisions were stored)
    when the consensus coder has coded the code on the unit. Deciding again replaces the earlier
    decision on that unit.
    """

    def __init__(self, project: Project, data: AgreementData, consensus: str = "consensus") -> None:
        if len(data.coders) != 2:
            raise UserError(f"reconciliation compares exactly 2 coders, not {len(data.coders)}")
        if data.unit not in SPAN_UNITS:
            raise UserError(f"reconciliation works on sentence, turn or paragraph units, "
                            f"not on the {data.unit} unit")
        self.project = project
        self.data = data
        self.consensus = ""
        rank = {c.id: k for k, c in enumerate(data.codes)}
        items: list[Item] = []
        for code in data.codes:
            differ = np.flatnonzero(_differs(data, code.id))
            docs = data.unit_doc[differ]
            for cell, d in zip(differ.tolist(), docs.tolist(), strict=True):
                items.append(Item(d, cell - int(data.doc_bounds[d]), rank[code.id], code.id))
        self.items = sorted(items)
        self._at: dict[tuple[int, int], list[Item]] = {}
        self._by_doc: dict[int, list[Item]] = {}
        self._by_code: dict[int, list[Item]] = {}
        for item in self.items:
            self._at.setdefault((item.doc_index, item.local), []).append(item)
            self._by_doc.setdefault(item.doc_index, []).append(item)
            self._by_code.setdefault(item.code_id, []).append(item)
        self._doc_index = {d.name: k for k, d in enumerate(data.documents)}
        self.resolved: set[Item] = set()
        self._presence: dict[int, dict[int, NDArray[np.bool_]]] = {}
        self.set_consensus(consensus)

    # --- state -----------------------------------------------------------------------------

    @property
    def coder_a(self) -> str:
        return self.data.coders[0]

    @property
    def coder_b(self) -> str:
        return self.data.coders[1]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return len(self.resolved)

    def set_consensus(self, name: str) -> None:
        """Decide into another consensus coder (a name that is not one of the compared two)."""
        name = " ".join(name.split())
        if not name:
            raise UserError("the consensus coder needs a name")
        if name in self.data.coders:
            raise UserError(f"{name!r} is one of the compared coders; the consensus coder needs "
                            "a name of its own")
        if name == self.consensus:
            return
        self.consensus = name
        self.refresh()

    def close(self) -> None:
        """Nothing to release: decisions go through the reviewer's own project handle."""

    def consensus_presence(self, doc_index: int) -> dict[int, NDArray[np.bool_]]:
        """For one document, which units the consensus coder has coded with each code."""
        cached = self._presence.get(doc_index)
        if cached is not None:
            return cached
        doc = self.data.documents[doc_index].name
        codings = self.project.codings(doc=doc, coder=self.consensus) \
            if self.consensus in self.project.coder_kinds() else []
        matrices = presence_by_code(
            self.data.doc_units(doc_index),
            [(self.consensus, c.code_id, c.start, c.end) for c in codings],
            [self.consensus], [c.id for c in self.data.codes])
        cached = self._presence[doc_index] = {code_id: m[0] for code_id, m in matrices.items()}
        return cached

    def decision_for(self, item: Item) -> str | None:
        """The stored choice on an item's unit and code, if any."""
        return self._decided.get((item.doc_index, item.local, item.code_id))

    def refresh(self, doc_index: int | None = None) -> None:
        """Recompute which disagreements are resolved (in one document, or everywhere).

        One query for the decisions and, per document with disagreements, its consensus
        codings; after one decision only that document is looked at again.
        """
        data = self.data
        if doc_index is None:
            self._presence.clear()
            self._decided: dict[tuple[int, int, int], str] = {}
            docs = list(self._by_doc)
            decisions = self.project.decisions(self.consensus)
        else:
            self._presence.pop(doc_index, None)
            self._decided = {k: v for k, v in self._decided.items() if k[0] != doc_index}
            docs = [doc_index]
            decisions = self.project.decisions(
                self.consensus, doc=data.documents[doc_index].name)
        for dec in decisions:
            d = self._doc_index.get(dec.document)
            if d is None or dec.unit != data.unit:
                continue
            local = data.local_of(d, dec.number)
            if local is not None:
                self._decided[(d, local, dec.code_id)] = dec.choice
        # The consensus coder's codings of the documents looked at, in one query; a
        # disagreement is also resolved when the consensus codes its unit (older reviews).
        ids = [data.doc_ids[d] for d in docs] if doc_index is not None else None
        spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
        if self.consensus in self.project.coder_kinds():
            index = {doc_id: d for d, doc_id in enumerate(data.doc_ids)}
            for doc_id, code_id, _, start, end in self.project.coding_rows(
                    [self.consensus], ids):
                if doc_id in index:
                    spans.setdefault((index[doc_id], code_id), []).append((start, end))
        for d in docs:
            mine = self._by_doc.get(d, [])
            self.resolved.difference_update(mine)
            cells = data.doc_units(d) if mine else None
            for item in mine:
                if (d, item.local, item.code_id) in self._decided:
                    self.resolved.add(item)
                    continue
                coded = spans.get((d, item.code_id))
                if coded and cells is not None:
                    us, ue = int(cells[item.local][0]), int(cells[item.local][1])
                    if any(s < ue and e > us for s, e in coded):
                        self.resolved.add(item)

    # --- walking ---------------------------------------------------------------------------

    def find(self, position: tuple[int, int], *, code_id: int | None = None,
             forward: bool = True, unresolved: bool = False) -> Item | None:
        """The next (or previous) disagreement after (doc_index, local), wrapping around."""
        base = self.items if code_id is None else self._by_code.get(code_id, [])
        pool = [i for i in base if not (unresolved and i in self.resolved)]
        if not pool:
            return None
        if forward:
            return next((i for i in pool if (i.doc_index, i.local) > position), pool[0])
        return next((i for i in reversed(pool) if (i.doc_index, i.local) < position), pool[-1])

    def items_at(self, doc_index: int, local: int) -> list[Item]:
        """The disagreements on one unit (one per code the coders differ on)."""
        return list(self._at.get((doc_index, local), ()))

    # --- deciding --------------------------------------------------------------------------

    def decide(self, item: Item, choice: str, memo: str = "") -> str:
        """Record a decision on one disagreement; returns a one-line summary of what was done."""
        data = self.data
        done = self.project.decide(
            into=self.consensus, doc=data.documents[item.doc_index].name,
            code=item.code_id, unit=data.unit,
            number=data.unit_number(item.doc_index, item.local), choice=choice,
            coders=data.coders, memo=memo)
        self.refresh(item.doc_index)
        return str(done)

    def can_undo(self) -> bool:
        return bool(self.project.can_undo())

    def undo(self) -> str:
        """Take back the reviewer's last change (a decision, usually): the ordinary undo."""
        event = self.project.undo()
        self.refresh()
        return str(event.summary)
