"""Coding through the domain API: merging, trimming, memos, undo/redo and its invariants."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casecoder.errors import UserError
from casecoder.project import Project

DOC = "intervju-07"


def spans(p: Project, coder: str | None = None) -> list[tuple[str, str, int, int]]:
    return [(c.code_path, c.coder, c.start, c.end) for c in p.codings(coder=coder)]


def test_code_segments_codes_exactly_the_sentence(coded_project: Project) -> None:
    p = coded_project
    sentences = p.segments(DOC, "sentence")
    target = next(s for s in sentences if "barn og jobb" in p.text(DOC)[s.start:s.end])
    coding = p.code_segments(DOC, "motivation/inclusive-mobility", target.number, target.number,
                             memo="typisk")
    assert p.text(DOC)[coding.start:coding.end] == (
        "Mange av studentene våre har barn og jobb ved siden av studiene.")
    assert coding.coder == "anna" and coding.memo == "typisk"
    assert coding.code_path == "motivation/inclusive-mobility"


def test_same_code_same_coder_overlapping_or_touching_merges(coded_project: Project) -> None:
    p = coded_project
    first = p.code_range(DOC, "barriers", 100, 150, memo="a")
    p.code_range(DOC, "barriers", 140, 180)
    merged = p.code_range(DOC, "barriers", 180, 200, memo="b")  # touching
    assert spans(p) == [("barriers", "anna", 100, 200)]
    assert merged.guid == first.guid  # the oldest coding survives, its GUID stays stable
    assert merged.memo == "a\nb"


def test_different_codes_and_coders_overlap_freely(coded_project: Project,
                                                   project_path: Path) -> None:
    p = coded_project
    p.code_range(DOC, "barriers", 100, 150)
    p.code_range(DOC, "motivation", 120, 170)
    with Project.open(project_path, coder="bob") as bob:
        bob.code_range(DOC, "barriers", 110, 160)
    assert sorted(spans(p)) == [("barriers", "anna", 100, 150), ("barriers", "bob", 110, 160),
                                ("motivation", "anna", 120, 170)]


def test_uncode_trims_splits_and_deletes(coded_project: Project) -> None:
    p = coded_project
    p.code_range(DOC, "barriers", 100, 200)
    p.uncode(DOC, "barriers", 140, 160)
    assert spans(p) == [("barriers", "anna", 100, 140), ("barriers", "anna", 160, 200)]
    p.uncode(DOC, "barriers", 90, 145)
    assert spans(p) == [("barriers", "anna", 160, 200)]
    with pytest.raises(UserError, match="no coding"):
        p.uncode(DOC, "barriers", 0, 50)


def test_offsets_and_codes_are_checked(coded_project: Project) -> None:
    p = coded_project
    length = p.document(DOC).length
    for start, end in [(-1, 5), (5, 5), (10, 3), (0, length + 1)]:
        with pytest.raises(UserError, match="outside"):
            p.code_range(DOC, "barriers", start, end)
    with pytest.raises(UserError, match="unknown code"):
        p.code_range(DOC, "barriers/nonsense", 0, 10)
    with pytest.raises(UserError, match="no document"):
        p.code_range("nope", "barriers", 0, 10)
    assert p.codings() == []


def test_paths_are_case_insensitive_and_unique_names_suffice(coded_project: Project) -> None:
    p = coded_project
    assert p.code("Motivation/Inclusive-Mobility").path == "motivation/inclusive-mobility"
    assert p.code("inclusive-mobility").path == "motivation/inclusive-mobility"


def test_undo_redo_work_across_separate_sessions(coded_project: Project,
                                                 project_path: Path) -> None:
    """Each CLI call is a new Project: undo must come from the log, not from memory."""
    coded_project.code_range(DOC, "barriers", 100, 150)
    coded_project.code_range(DOC, "motivation", 10, 50)
    coded_project.close()
    with Project.open(project_path, coder="anna") as p:
        assert "motivation" in p.undo().summary
        assert spans(p) == [("barriers", "anna", 100, 150)]
    with Project.open(project_path, coder="anna") as p:
        assert "motivation" in p.redo().summary
        assert len(p.codings()) == 2
        with pytest.raises(UserError, match="nothing to redo"):
            p.redo()


def test_undo_is_per_coder(coded_project: Project, project_path: Path) -> None:
    coded_project.code_range(DOC, "barriers", 100, 150)
    with Project.open(project_path, coder="bob") as bob:
        bob.code_range(DOC, "motivation", 10, 50)
        with pytest.raises(UserError, match="nothing to undo"):
            Project.open(project_path, coder="carl").undo()
    coded_project.undo()
    assert spans(coded_project) == [("motivation", "bob", 10, 50)]


def test_undo_refuses_to_overwrite_newer_work(coded_project: Project,
                                              project_path: Path) -> None:
    p = coded_project
    p.add_code("barriers/visa-problems")
    with Project.open(project_path, coder="bob") as bob:
        bob.code_range(DOC, "barriers/visa-problems", 10, 50)
    with pytest.raises(UserError, match="cannot undo"):
        p.undo()
    assert p.code("barriers/visa-problems")
    assert len(p.codings()) == 1


def test_delete_code_is_refused_with_codings_and_undoable_when_forced(
        coded_project: Project) -> None:
    p = coded_project
    p.code_range(DOC, "barriers/workload-funding", 100, 150, memo="tungt")
    with pytest.raises(UserError, match="--force"):
        p.delete_code("barriers")
    n_codes = len(p.codes())
    assert p.delete_code("barriers", force=True) == 1
    assert len(p.codes()) == n_codes - 10 and p.codings() == []
    p.undo()
    assert len(p.codes()) == n_codes
    assert spans(p) == [("barriers/workload-funding", "anna", 100, 150)]
    assert p.codings()[0].memo == "tungt"


def test_merge_code_moves_codings_and_merges_overlaps(coded_project: Project) -> None:
    p = coded_project
    p.code_range(DOC, "barriers/admin-support", 100, 150)
    p.code_range(DOC, "barriers/workload-funding", 140, 200)
    p.merge_code("barriers/admin-support", "barriers/workload-funding")
    assert spans(p) == [("barriers/workload-funding", "anna", 100, 200)]
    with pytest.raises(UserError, match="unknown code"):
        p.code("barriers/admin-support")


def test_rename_and_move_keep_codings(coded_project: Project) -> None:
    p = coded_project
    p.code_range(DOC, "barriers/admin-support", 100, 150)
    p.rename_code("barriers/admin-support", "administrativ støtte")
    p.move_code("barriers/administrativ støtte", "continuation")
    assert spans(p) == [("continuation/administrativ støtte", "anna", 100, 150)]
    with pytest.raises(UserError, match="under itself"):
        p.move_code("continuation", "continuation/administrativ støtte")


def test_memos_on_every_kind_of_target(coded_project: Project) -> None:
    p = coded_project
    coding = p.code_range(DOC, "barriers", 100, 150)
    p.set_memo("project", None, "Prosjektnotat")
    p.set_memo("document", DOC, "Informanten var travel.")
    p.set_memo("code", "barriers", "Husk definisjonen.")
    p.set_memo("segment", (DOC, "sentence", 2), "Viktig setning.")
    p.set_memo("coding", coding.guid, "Hvorfor denne koden.")
    kinds = sorted((m.target_kind, m.text) for m in p.memos())
    assert kinds == [("code", "Husk definisjonen."), ("document", "Informanten var travel."),
                     ("project", "Prosjektnotat"), ("segment", "Viktig setning.")]
    assert p.coding(coding.guid).memo == "Hvorfor denne koden."
    p.set_memo("document", DOC, "")  # empty text deletes
    assert [m.target_kind for m in p.memos("document")] == []


def test_search_finds_norwegian_words_and_prefixes(coded_project: Project) -> None:
    p = coded_project
    hits = p.search("finansiering")
    assert [h.text for h in hits] == ["Nei, ikke uten finansiering."]
    assert hits[0].speaker == "Informant" and hits[0].timestamp == 161.0
    assert {h.segment_number for h in p.search("student*")} == {
        h.segment_number for h in p.search("studentene")}
    assert p.search("«kvalitet»")  # punctuation in a query is not FTS syntax
    assert p.search('"nye partnere"')
    with pytest.raises(UserError, match="no words"):
        p.search("«» --")


# --- property test: random code / uncode / undo / redo sequences -------------------------

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("code"), st.sampled_from(["barriers", "motivation/quality"]),
                  st.integers(0, 300), st.integers(1, 60)),
        st.tuples(st.just("uncode"), st.sampled_from(["barriers", "motivation/quality"]),
                  st.integers(0, 300), st.integers(1, 60)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    max_size=25,
)


def check_invariants(p: Project) -> None:
    length = p.document(DOC).length
    by_key: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for c in p.codings():
        assert 0 <= c.start < c.end <= length
        by_key.setdefault((c.code_path, c.coder), []).append((c.start, c.end))
    for ranges in by_key.values():
        ranges.sort()
        for (_, e1), (s2, _) in itertools.pairwise(ranges):
            assert e1 < s2, "codings of one coder and code must never overlap or touch"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_random_sequences_keep_invariants_and_undo_restores_state(
        coded_project: Project, actions: list[tuple]) -> None:  # type: ignore[type-arg]
    # Hypothesis reuses the fixture across examples: each example works on a fresh copy.
    import sqlite3
    import tempfile

    copy = Path(tempfile.mkdtemp()) / "copy.cc.db"
    target = sqlite3.connect(copy)
    coded_project.conn.backup(target)
    target.close()
    p = Project.open(copy, coder="prop")  # a coder with an empty undo history
    undo_stack: list[tuple[list, list]] = []  # type: ignore[type-arg]
    redo_stack: list[tuple[list, list]] = []  # type: ignore[type-arg]
    for action in actions:
        before = spans(p)
        if action[0] in ("code", "uncode"):
            _, code, start, width = action
            try:
                if action[0] == "code":
                    p.code_range(DOC, code, start, start + width)
                else:
                    p.uncode(DOC, code, start, start + width)
            except UserError:
                assert spans(p) == before  # a refused change changes nothing
                continue
            if spans(p) == before:
                continue  # coding what is already coded changes nothing and logs no event
            undo_stack.append((before, spans(p)))
            redo_stack.clear()
        elif action[0] == "undo":
            if not undo_stack:
                with pytest.raises(UserError):
                    p.undo()
                continue
            state_before, state_after = undo_stack.pop()
            assert spans(p) == state_after
            p.undo()
            assert spans(p) == state_before
            redo_stack.append((state_before, state_after))
        else:
            if not redo_stack:
                with pytest.raises(UserError):
                    p.redo()
                continue
            state_before, state_after = redo_stack.pop()
            p.redo()
            assert spans(p) == state_after
            undo_stack.append((state_before, state_after))
        check_invariants(p)
    while p.can_undo():
        p.undo()
    assert p.codings() == []
    p.close()
