"""Every coding as `Coding` objects, kept between reads and refreshed per changed document.

The quotes screen lists all codings of the project; building 100,000 `Coding` objects costs
about a second, and after one coding only one document's list can have changed. The cache
remembers the newest event id it has seen and re-reads only the documents that events since
then touched (everything after a project-wide event: a renamed code changes every path).
The order is that of `Project.codings()`: by document name (ASCII case folded, as SQLite's
NOCASE does), then start, end, code and coder.
"""

from __future__ import annotations

import threading
from typing import Any

from casecoder.errors import UserError
from casecoder.model import Coding

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _name_key(name: str) -> str:
    return name.translate(_ASCII_LOWER)


class CodingsCache:
    """All codings of one project, grouped by document id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event_id: int | None = None
        self._by_doc: dict[int, list[Coding]] = {}

    def refresh(self, project: Any) -> list[Coding]:
        """Bring the codings up to date with `project`'s event log; a new list each call."""
        with self._lock:
            latest = project.latest_event_id()
            if self._event_id is None:
                self._reload(project)
            elif latest != self._event_id:
                changed, wide = project.documents_changed_since(self._event_id)
                if wide or latest < self._event_id:
                    self._reload(project)
                else:
                    for doc_id in changed:
                        try:
                            rows = project.codings(doc=doc_id)
                        except UserError:  # the document was deleted
                            rows = []
                        if rows:
                            self._by_doc[doc_id] = rows
                        else:
                            self._by_doc.pop(doc_id, None)
            self._event_id = latest
            groups = sorted(self._by_doc.values(), key=lambda rows: _name_key(rows[0].document))
            return [coding for rows in groups for coding in rows]

    def _reload(self, project: Any) -> None:
        self._by_doc = {}
        for coding in project.iter_codings():
            self._by_doc.setdefault(coding.document_id, []).append(coding)
