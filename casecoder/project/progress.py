"""Share of each document's sentences coded, per coder, kept up to date incrementally.

The coding screen's document list and the documents screen both show how much of each
document a coder has coded. Recomputing that on 1,000 documents and 100,000 codings reads
every sentence and every coding (about a second); after one coding only one document's figure
can have changed. `CodedShares` keeps the figures with the id of the newest event it has seen,
and on each read recomputes only the documents that events since then touched (all of them
after a project-wide event such as deleting a code). The event log is the source of truth, so
changes made by another process (the CLI, a colleague's merge) are picked up the same way.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from typing import Any

#: coder name -> document id -> share of its sentences that overlap a coding of that coder.
Shares = dict[str, dict[int, float]]


def covered_sentences(starts: list[int], ends: list[int],
                      spans: Iterable[tuple[int, int]]) -> int:
    """How many sentences ([starts[i], ends[i]), in text order) overlap any of the spans."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    covered = 0
    for a, b in merged:
        first = bisect.bisect_right(ends, a)
        last = bisect.bisect_left(starts, b) - 1
        if last >= first:
            covered += last - first + 1
    return covered


def compute_shares(project: Any, doc_ids: Iterable[int] | None = None) -> Shares:
    """Shares of the documents (all when None) from two bulk reads.

    `project` is any open Project (a read-only one in a worker thread works too).
    """
    ids = None if doc_ids is None else sorted(set(doc_ids))
    sentences = project.sentence_spans(ids)
    spans: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for doc_id, _code, coder, start, end in project.coding_rows(doc_ids=ids):
        spans.setdefault(coder, {}).setdefault(doc_id, []).append((start, end))
    shares: Shares = {}
    for coder, per_doc in spans.items():
        mine = shares.setdefault(coder, {})
        for doc_id, done in per_doc.items():
            starts, ends = sentences.get(doc_id, ([], []))
            mine[doc_id] = covered_sentences(starts, ends, done) / max(1, len(starts))
    return shares


class CodedShares:
    """The per-coder, per-document coded shares of one project, refreshed from its events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event_id: int | None = None
        self._shares: Shares = {}

    def refresh(self, project: Any) -> Shares:
        """Bring the figures up to date with `project`'s event log; returns a copy.

        Thread-safe: a worker may warm the cache through its own read-only Project while
        the app thread later reads it through the main one (the same file).
        """
        with self._lock:
            latest = project.latest_event_id()
            if self._event_id is None:
                self._shares = compute_shares(project)
            elif latest != self._event_id:
                changed, wide = project.documents_changed_since(self._event_id)
                if wide or latest < self._event_id:  # project-wide, or another file's log
                    self._shares = compute_shares(project)
                elif changed:
                    fresh = compute_shares(project, changed)
                    for per_doc in self._shares.values():
                        for doc_id in changed:
                            per_doc.pop(doc_id, None)
                    for coder, per_doc in fresh.items():
                        self._shares.setdefault(coder, {}).update(per_doc)
                    self._shares = {c: d for c, d in self._shares.items() if d}
            self._event_id = latest
            return {coder: dict(per_doc) for coder, per_doc in self._shares.items()}

    def share(self, coder: str, doc_id: int) -> float:
        """The last refreshed share (0.0 for a document or coder with no codings)."""
        return self._shares.get(coder, {}).get(doc_id, 0.0)
