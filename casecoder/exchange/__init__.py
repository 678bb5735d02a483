"""Whole-project exchange: one snapshot of a project, one way to build it into a project.

- `snapshot.py`: the frozen, GUID-keyed records (documents with text, segments and
  speakers, codes, cases, coders, codings, memos with typed targets, review decisions,
  framework summaries, autocode runs) and their `extra` extension fields.
- `capture.snapshot_of(project)` and `build.build_into(project, snapshot, match)`: the only
  two places that read a whole project or write one, through the public `Project` API.
- pure functions between files and snapshots: `qdpx_read` / `qdpx_write` (.qdpx),
  `codebooks` (.qdc, Taguette CSV), `extension_read` (casecoder.json's later data, vetted);
  `pseudonymise` (a snapshot transform); `team` (merge is
  a build with matching, and the blank copy for a second coder).
- `positions.OffsetMap`: the one map that moves offsets with a changed text.
"""

from casecoder.exchange.build import BuildReport, build_into
from casecoder.exchange.capture import snapshot_of
from casecoder.exchange.snapshot import Snapshot

__all__ = ["BuildReport", "Snapshot", "build_into", "snapshot_of"]
