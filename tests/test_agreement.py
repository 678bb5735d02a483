"""Agreement on projects built by hand: exact oracle figures, roll-ups, units, documents, hash.

The oracle numbers are written here as literals (from oracles/agreement.json): the sentence
example (10 sentences; A codes 1, 2, 3, 7 and B 2, 3, 7, 8) and NVivo's character example
(1,000 characters; A [0, 150), B [100, 200)). Projects get hand-made segments, so a test knows
exactly which characters form sentence 3; nothing here runs spaCy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pytest

from casecoder.analysis.agreement import (
    UNITS,
    build_agreement_data,
    compute_agreement,
    find_disagreements,
    ratings_from_tally,
    unit_rows,
)
from casecoder.analysis.statistics import (
    NEVER_USED,
    as_ratings,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from casecoder.errors import UserError
from casecoder.ingest.model import SegmentSpec, SourceText
from casecoder.model import CodingRecord
from casecoder.project import Project

CODE = "tema/kode"

# ----------------------------------------------------------------------------------------------
# Building projects (also imported by test_agreement_cli.py)


def sentences(n: int, prefix: str = "Setning") -> list[str]:
    return [f"{prefix} nummer {i} om «BIP-en», bl.a. finansiering." for i in range(1, n + 1)]


def add_doc(project: Project, name: str, parts: Sequence[str]) -> list[SegmentSpec]:
    """A document whose sentences are `parts` joined by one space; returns its sentence specs.

    The whole text is also one paragraph, so the paragraph unit has exactly one unit.
    """
    text = " ".join(parts)
    specs: list[SegmentSpec] = []
    offset = 0
    for number, part in enumerate(parts, start=1):
        specs.append(SegmentSpec("sentence", number, offset, offset + len(part), None, None))
        offset += len(part) + 1
    paragraph = SegmentSpec("paragraph", 1, 0, len(text), None, None)
    project.add_document(SourceText(text, "txt", "utf-8", None), name=name,
                         segments=[*specs, paragraph])
    return specs


def new_project(path: Path, codes: Iterable[str] = (CODE,)) -> Project:
    project = Project.create(path, language="nb", coder="leder")
    for code in codes:
        parent = code.rpartition("/")[0]
        if parent and not any(c.path == parent for c in project.codes()):
            project.add_code(parent, codable=False)
        project.add_code(code)
    return project


def code_units(project: Project, doc: str, specs: Sequence[SegmentSpec], coder: str,
               units: Iterable[int], code: str = CODE, inset: int = 3) -> None:
    """Code sentences (1-based) with a span strictly inside each one, as `coder`."""
    project.add_codings([CodingRecord(doc, code, coder, specs[u - 1].start + inset,
                                      specs[u - 1].end - inset) for u in units])


def sentence_example(path: Path, codes: Iterable[str] = (CODE,)) -> tuple[Project,
                                                                        list[SegmentSpec]]:
    """oracles "sentence_unit_example": 10 sentences; A codes 1, 2, 3, 7 and B 2, 3, 7, 8."""
    project = new_project(path, codes)
    specs = add_doc(project, "intervju-01", sentences(10))
    code_units(project, "intervju-01", specs, "A", [1, 2, 3, 7])
    code_units(project, "intervju-01", specs, "B", [2, 3, 7, 8])
    return project, specs


def character_example(path: Path) -> Project:
    """oracles "nvivo_character_example": 1,000 characters; A [0, 150), B [100, 200)."""
    project = new_project(path)
    text = "abcdefghij" * 100
    project.add_document(SourceText(text, "txt", "utf-8", None), name="tegn",
                         segments=[SegmentSpec("sentence", 1, 0, 1000, None, None)])
    project.add_codings([CodingRecord("tegn", CODE, "A", 0, 150),
                         CodingRecord("tegn", CODE, "B", 100, 200)])
    return project


def figure(row: object, key: str) -> float | None:
    return row.figures[key].value  # type: ignore[attr-defined]


@pytest.fixture
def example(tmp_path: Path):  # type: ignore[no-untyped-def]
    project, specs = sentence_example(tmp_path / "s.cc.db")
    yield project, specs
    project.close()


# ----------------------------------------------------------------------------------------------
# Oracles


def test_sentence_unit_oracle(example) -> None:  # type: ignore[no-untyped-def]
    project, _ = example
    report = compute_agreement(build_agreement_data(project))
    (row,) = report.code_rows
    assert row.label == CODE and row.n_units == 10
    assert figure(row, "percent_agreement") == pytest.approx(0.80, abs=5e-5)
    assert figure(row, "cohen_kappa") == pytest.approx(0.5833, abs=5e-5)
    assert figure(row, "krippendorff_alpha") == pytest.approx(0.6042, abs=5e-5)
    assert row.coded == {"A": 4, "B": 4} and row.all_coded == 3 and row.disagreements == 2
    assert report.coders == ("A", "B") and report.unit == "sentence" and report.n_units == 10


def test_character_unit_oracle(tmp_path: Path) -> None:
    with character_example(tmp_path / "c.cc.db") as project:
        report = compute_agreement(build_agreement_data(project, unit="character"))
    (row,) = report.code_rows
    assert row.n_units == 1000
    assert figure(row, "percent_agreement") == pytest.approx(0.85, abs=5e-5)
    assert figure(row, "cohen_kappa") == pytest.approx(0.3182, abs=5e-5)
    assert figure(row, "krippendorff_alpha") == pytest.approx(0.3146, abs=5e-5)
    assert row.coded == {"A": 150, "B": 100} and row.all_coded == 50


def test_character_runs_equal_a_character_by_character_matrix(tmp_path: Path) -> None:
    """Character runs (cells) give exactly the figures of one column per character."""
    from casecoder.analysis.units import character_matrix

    rng = np.random.default_rng(5)
    project = new_project(tmp_path / "cc.cc.db", ("tema/a", "tema/b"))
    lengths = {"d1": 0, "d2": 0}
    for name in lengths:
        specs = add_doc(project, name, sentences(6, name))
        lengths[name] = specs[-1].end
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    records = []
    for name, length in lengths.items():
        for code in ("tema/a", "tema/b"):
            for coder in ("A", "B", "C"):
                for _ in range(3):
                    start = int(rng.integers(0, length - 20))
                    end = start + int(rng.integers(1, 40))
                    end = min(end, length)
                    records.append(CodingRecord(name, code, coder, start, end))
                    spans.setdefault((name, code, coder), []).append((start, end))
    project.add_codings(records)
    report = compute_agreement(build_agreement_data(project, unit="character"))
    project.close()
    for row in report.code_rows:
        matrix = np.concatenate([
            character_matrix(length, [spans[(name, row.label, c)] for c in ("A", "B", "C")])
            for name, length in lengths.items()], axis=1)
        assert row.n_units == matrix.shape[1] == sum(lengths.values())
        for key, stat in (("percent_agreement", percent_agreement),
                          ("fleiss_kappa", fleiss_kappa),
                          ("krippendorff_alpha", krippendorff_alpha),
                          ("gwet_ac1", lambda r: gwet_ac1(r, 2))):
            assert figure(row, key) == pytest.approx(stat(matrix).value), (row.label, key)
        assert row.coded["A"] == int(matrix[0].sum())


def test_every_statistic_matches_the_plain_matrix(example) -> None:  # type: ignore[no-untyped-def]
    project, _ = example
    (row,) = compute_agreement(build_agreement_data(project)).code_rows
    matrix = np.zeros((2, 10), dtype=bool)
    matrix[0, [0, 1, 2, 6]] = True
    matrix[1, [1, 2, 6, 7]] = True
    r = as_ratings(matrix)
    expected = {"percent_agreement": percent_agreement(r), "cohen_kappa": cohen_kappa(r),
                "scott_pi": scott_pi(r), "fleiss_kappa": fleiss_kappa(r),
                "krippendorff_alpha": krippendorff_alpha(r), "gwet_ac1": gwet_ac1(r, 2),
                "brennan_prediger": brennan_prediger(r, 2)}
    for key, estimate in expected.items():
        assert figure(row, key) == pytest.approx(estimate.value), key


@pytest.mark.parametrize("n_coders", [2, 3, 4])
def test_tallies_give_the_same_figures_as_the_matrix(n_coders: int) -> None:
    """ratings_from_tally is as_ratings without the matrix, missing ratings included."""
    rng = np.random.default_rng(n_coders)
    for trial in range(20):
        present = rng.random((n_coders, 60)) < rng.uniform(0.05, 0.6)
        rated = rng.random((n_coders, 60)) < (0.8 if trial % 2 else 1.0)
        digits = np.where(rated, 1 + present, 0)
        keys = (digits * 3 ** np.arange(n_coders)[:, None]).sum(axis=0)
        tally: dict[int, int] = {}
        for k in keys.tolist():
            tally[k] = tally.get(k, 0) + 1
        from_tally = ratings_from_tally(tally, n_coders)
        matrix = np.where(rated, present.astype(float), np.nan)
        plain = as_ratings(matrix)
        for stat in (percent_agreement, fleiss_kappa, krippendorff_alpha,
                     lambda r: gwet_ac1(r, 2), lambda r: brennan_prediger(r, 2)):
            a, b = stat(from_tally), stat(plain)
            assert (a.value is None) == (b.value is None)
            if a.value is not None:
                assert a.value == pytest.approx(b.value)
            assert a.reason == b.reason


# ----------------------------------------------------------------------------------------------
# Overall, themes, undefined figures


def test_pooled_and_mean_over_codes_differ_and_are_labelled(tmp_path: Path) -> None:
    codes = ("tema/kode", "tema/annen", "tema/ubrukt")
    project, specs = sentence_example(tmp_path / "p.cc.db", codes)
    code_units(project, "intervju-01", specs, "A", [5], code="tema/annen")
    code_units(project, "intervju-01", specs, "B", [5], code="tema/annen")
    report = compute_agreement(build_agreement_data(project))
    project.close()
    rows = {r.label: r for r in report.code_rows}
    assert figure(rows["tema/annen"], "cohen_kappa") == pytest.approx(1.0)
    unused = rows["tema/ubrukt"].figures["cohen_kappa"]
    assert unused.value is None and unused.reason == NEVER_USED
    assert figure(rows["tema/ubrukt"], "percent_agreement") == pytest.approx(1.0)
    pooled, mean = report.overall_rows
    assert (pooled.method, mean.method) == ("pooled", "mean over codes")
    # Pooled: 30 decisions; both 4, A only 1, B only 1, neither 24.
    assert pooled.n_units == 30 and pooled.disagreements == 2
    assert figure(pooled, "percent_agreement") == pytest.approx(28 / 30)
    pe = (5 / 30) ** 2 + (25 / 30) ** 2
    assert figure(pooled, "cohen_kappa") == pytest.approx((28 / 30 - pe) / (1 - pe))
    assert figure(pooled, "cohen_kappa") == pytest.approx(0.76, abs=5e-5)
    # Mean over codes: the unused code is left out (n/a), not counted as 0 or 1.
    assert figure(mean, "cohen_kappa") == pytest.approx((0.583333 + 1.0) / 2, abs=1e-5)
    assert mean.figures["cohen_kappa"].note == "mean of 2 of 3 codes; 1 n/a left out"
    assert figure(mean, "percent_agreement") == pytest.approx((0.8 + 1.0 + 1.0) / 3)


def test_a_theme_counts_a_unit_when_any_subcode_is_applied(tmp_path: Path) -> None:
    project = new_project(tmp_path / "t.cc.db", ("motiv/kvalitet", "motiv/partnere"))
    project.add_code("motiv/partnere/nye")
    specs = add_doc(project, "d", sentences(6))
    code_units(project, "d", specs, "A", [1, 2], code="motiv/kvalitet")
    code_units(project, "d", specs, "B", [1], code="motiv/partnere/nye")
    code_units(project, "d", specs, "B", [2], code="motiv/partnere")
    code_units(project, "d", specs, "A", [4], code="motiv/partnere")
    report = compute_agreement(build_agreement_data(project))
    project.close()
    themes = {r.label: r for r in report.theme_rows}
    assert set(themes) == {"motiv", "motiv/partnere"}
    motiv = themes["motiv"]
    # A: 1, 2, 4; B: 1, 2 -> one disagreement (sentence 4) out of 6.
    assert motiv.coded == {"A": 3, "B": 2} and motiv.disagreements == 1
    assert figure(motiv, "percent_agreement") == pytest.approx(5 / 6)
    partnere = themes["motiv/partnere"]  # itself (codable) + nye: A 4; B 1, 2
    assert partnere.coded == {"A": 1, "B": 2} and partnere.disagreements == 3
    codes = {r.label: r for r in report.code_rows}
    assert codes["motiv/partnere"].coded == {"A": 1, "B": 1}  # its own codings only
    assert "motiv" not in codes  # a category is not a code anyone can apply


def test_more_than_two_coders(example) -> None:  # type: ignore[no-untyped-def]
    project, specs = example
    code_units(project, "intervju-01", specs, "C", [2, 3, 7])
    (row,) = compute_agreement(build_agreement_data(project)).code_rows
    assert row.figures["cohen_kappa"].value is None
    assert "2 coders" in (row.figures["cohen_kappa"].reason or "")
    assert row.figures["scott_pi"].value is None
    present = np.zeros((3, 10), dtype=bool)
    present[0, [0, 1, 2, 6]] = True
    present[1, [1, 2, 6, 7]] = True
    present[2, [1, 2, 6]] = True
    assert figure(row, "fleiss_kappa") == pytest.approx(fleiss_kappa(present).value)
    assert figure(row, "krippendorff_alpha") == pytest.approx(krippendorff_alpha(present).value)


# ----------------------------------------------------------------------------------------------
# Units and documents


def test_document_unit_counts_presence_anywhere_in_the_document(tmp_path: Path) -> None:
    project = new_project(tmp_path / "d.cc.db", ("tema/kode", "tema/annen"))
    docs = {name: add_doc(project, name, sentences(4, name)) for name in ("d1", "d2", "d3")}
    code_units(project, "d1", docs["d1"], "A", [1])
    code_units(project, "d1", docs["d1"], "B", [4])  # elsewhere in d1: still agreement
    code_units(project, "d2", docs["d2"], "A", [2])
    code_units(project, "d3", docs["d3"], "B", [3])
    code_units(project, "d2", docs["d2"], "B", [1], code="tema/annen")
    code_units(project, "d3", docs["d3"], "A", [1], code="tema/annen")
    data = build_agreement_data(project, unit="document")
    report = compute_agreement(data)
    project.close()
    rows = {r.label: r for r in report.code_rows}
    kode = rows["tema/kode"]
    assert kode.n_units == 3 and kode.coded == {"A": 2, "B": 2} and kode.disagreements == 2
    assert figure(kode, "percent_agreement") == pytest.approx(1 / 3)
    assert [r.n_units for r in report.document_rows] == [2, 2, 2]
    assert report.n_units == 3 and data.unit == "document"


def test_documents_left_out_when_a_coder_never_touched_them(tmp_path: Path) -> None:
    project, _ = sentence_example(tmp_path / "l.cc.db")
    other = add_doc(project, "intervju-02", sentences(5, "Annen"))
    code_units(project, "intervju-02", other, "A", [1, 2])
    add_doc(project, "intervju-03", sentences(3, "Tredje"))
    data = build_agreement_data(project)
    assert [d.name for d in data.documents] == ["intervju-01"]
    reasons = {x.name: x.reason for x in data.left_out}
    assert reasons == {"intervju-02": "not worked on by B",
                       "intervju-03": "no compared coder worked on it"}
    # Marking the document done counts as having worked on it: B found nothing to code.
    with Project.open(project.path, coder="B") as as_b:
        as_b.mark_done("intervju-02")
    data = build_agreement_data(project)
    assert [d.name for d in data.documents] == ["intervju-01", "intervju-02"]
    report = compute_agreement(data)
    assert [r.label for r in report.document_rows] == ["intervju-01", "intervju-02"]
    assert report.document_rows[1].disagreements == 2
    assert report.left_out[0].name == "intervju-03"
    # --documents narrows further, and says why the others are out.
    data = build_agreement_data(project, documents=["intervju-02"])
    assert [d.name for d in data.documents] == ["intervju-02"]
    assert {x.name: x.reason for x in data.left_out}["intervju-01"].startswith("not among")
    project.close()


def test_partial_documents_carry_missing_ratings(tmp_path: Path) -> None:
    project, specs = sentence_example(tmp_path / "m.cc.db")
    code_units(project, "intervju-01", specs, "C", [2, 3, 7])
    other = add_doc(project, "intervju-02", sentences(4, "Annen"))
    code_units(project, "intervju-02", other, "A", [1])
    code_units(project, "intervju-02", other, "B", [1, 2])
    assert [d.name for d in build_agreement_data(project).documents] == ["intervju-01"]
    data = build_agreement_data(project, partial=True)
    assert [d.coders for d in data.documents] == [("A", "B", "C"), ("A", "B")]
    report = compute_agreement(data)
    (row,) = report.code_rows
    present = np.full((3, 14), np.nan)
    present[:, :10] = 0
    present[0, [0, 1, 2, 6]] = present[1, [1, 2, 6, 7]] = present[2, [1, 2, 6]] = 1
    present[:2, 10:] = 0
    present[0, 10] = present[1, [10, 11]] = 1
    assert row.n_units == 14
    assert figure(row, "krippendorff_alpha") == pytest.approx(krippendorff_alpha(present).value)
    assert figure(row, "fleiss_kappa") == pytest.approx(fleiss_kappa(present).value)
    assert "missing" in report.missing_data
    project.close()


def test_min_overlap_requires_a_share_of_the_unit(tmp_path: Path) -> None:
    project = new_project(tmp_path / "o.cc.db")
    specs = add_doc(project, "d", sentences(4))
    s1, s2 = specs[0], specs[1]
    length = s1.end - s1.start
    project.add_codings([
        CodingRecord("d", CODE, "A", s1.start, s1.start + length // 4),  # a quarter of s1
        CodingRecord("d", CODE, "B", s1.start, s1.end),
        CodingRecord("d", CODE, "A", s2.start, s2.end),
        CodingRecord("d", CODE, "B", s2.start, s2.start + (s2.end - s2.start) * 3 // 4 + 1),
    ])
    (loose,) = compute_agreement(build_agreement_data(project)).code_rows
    assert loose.coded == {"A": 2, "B": 2} and loose.disagreements == 0
    (strict,) = compute_agreement(build_agreement_data(project, min_overlap=0.5)).code_rows
    assert strict.coded == {"A": 1, "B": 2} and strict.disagreements == 1
    report = compute_agreement(build_agreement_data(project, min_overlap=0.5))
    assert "50%" in report.presence_rule
    with pytest.raises(UserError, match="min-overlap"):
        build_agreement_data(project, unit="character", min_overlap=0.5)
    with pytest.raises(UserError, match="share"):
        build_agreement_data(project, min_overlap=1.5)
    project.close()


def test_turn_unit_without_turns_leaves_the_document_out(example) -> None:  # type: ignore[no-untyped-def]
    project, _ = example
    with pytest.raises(UserError, match=r"no document is left to compare.*no turn units"):
        build_agreement_data(project, unit="turn")
    data = build_agreement_data(project, unit="paragraph")
    assert data.n_units == 1


# ----------------------------------------------------------------------------------------------
# Bootstrap and hash


def test_bootstrap_is_reproducible_with_a_seed(example) -> None:  # type: ignore[no-untyped-def]
    project, _ = example
    data = build_agreement_data(project)
    first = compute_agreement(data, bootstrap=300, seed=7)
    again = compute_agreement(data, bootstrap=300, seed=7)
    other = compute_agreement(data, bootstrap=300, seed=8)
    ci = first.code_rows[0].figures["krippendorff_alpha"].ci
    assert ci is not None and ci == again.code_rows[0].figures["krippendorff_alpha"].ci
    assert ci[0] < 0.6042 < ci[1]
    pooled = first.overall_rows[0].figures
    assert pooled["percent_agreement"].ci == again.overall_rows[0].figures[
        "percent_agreement"].ci
    assert [r.figures["cohen_kappa"].ci for r in first.rows()] != [
        r.figures["cohen_kappa"].ci for r in other.rows()]
    assert first.code_rows[0].figures["gwet_ac1"].ci is None  # not bootstrapped
    assert first.bootstrap == {"resamples": 300, "seed": 7, "confidence": 0.95,
                               "statistics": ["percent_agreement", "cohen_kappa",
                                              "krippendorff_alpha"],
                               "over": first.bootstrap["over"]}  # type: ignore[index]
    assert compute_agreement(data).bootstrap is None


def test_pooled_bootstrap_resamples_whole_units(tmp_path: Path) -> None:
    """With two identical codes, resampling units keeps them in step; pooled CI = code CI."""
    project, specs = sentence_example(tmp_path / "b.cc.db", ("tema/kode", "tema/kopi"))
    code_units(project, "intervju-01", specs, "A", [1, 2, 3, 7], code="tema/kopi")
    code_units(project, "intervju-01", specs, "B", [2, 3, 7, 8], code="tema/kopi")
    report = compute_agreement(build_agreement_data(project), bootstrap=200, seed=3)
    project.close()
    code_ci = report.code_rows[0].figures["cohen_kappa"].ci
    pooled_ci = report.overall_rows[0].figures["cohen_kappa"].ci
    assert code_ci is not None and pooled_ci == pytest.approx(code_ci)


def test_hash_is_stable_and_follows_the_compared_codings(tmp_path: Path) -> None:
    project, specs = sentence_example(tmp_path / "h.cc.db")
    first = build_agreement_data(project).data_hash
    assert len(first) == 12 and int(first, 16) >= 0
    assert build_agreement_data(project).data_hash == first
    project.close()
    with Project.open(tmp_path / "h.cc.db") as reopened:
        assert build_agreement_data(reopened).data_hash == first
        # A coder outside the comparison changes nothing that was compared.
        code_units(reopened, "intervju-01", specs, "C", [5])
        assert build_agreement_data(reopened, coders=["A", "B"]).data_hash == first
        # Settings are part of what a figure depends on.
        assert build_agreement_data(reopened, coders=["A", "B"], min_overlap=0.5).data_hash \
            != first
        assert build_agreement_data(reopened, coders=["A", "B"],
                                    unit="paragraph").data_hash != first
        code_units(reopened, "intervju-01", specs, "B", [9])
        changed = build_agreement_data(reopened, coders=["A", "B"]).data_hash
        assert changed != first
        reopened.undo()  # the hash returns with the coding state
        assert build_agreement_data(reopened, coders=["A", "B"]).data_hash == first


# ----------------------------------------------------------------------------------------------
# Disagreements and review rows


def test_disagreements_list_the_units_and_who_coded_them(example) -> None:  # type: ignore[no-untyped-def]
    project, specs = example
    rows = find_disagreements(build_agreement_data(project))
    assert [(d.number, d.coded_by, d.not_coded_by) for d in rows] == [
        (1, ("A",), ("B",)), (8, ("B",), ("A",))]
    assert rows[0].text == project.text("intervju-01")[specs[0].start:specs[0].end]
    assert rows[0].text.startswith("Setning nummer 1 om «BIP-en»")


def test_character_disagreements_are_joined_into_runs(tmp_path: Path) -> None:
    with character_example(tmp_path / "r.cc.db") as project:
        rows = find_disagreements(build_agreement_data(project, unit="character"))
    assert [(d.start, d.end, d.coded_by) for d in rows] == [(0, 100, ("A",)),
                                                            (150, 200, ("B",))]
    assert rows[0].number == 1 and len(rows[0].text) == 100


def test_unit_rows_show_each_coders_codes(example) -> None:  # type: ignore[no-untyped-def]
    project, specs = example
    data = build_agreement_data(project)
    rows = unit_rows(data, 0)
    assert len(rows) == 10
    assert rows[0].codes == ((CODE,), ()) and rows[0].differs == (CODE,)
    assert rows[1].codes == ((CODE,), (CODE,)) and rows[1].differs == ()
    assert (rows[7].start, rows[7].end) == (specs[7].start, specs[7].end)


# ----------------------------------------------------------------------------------------------
# Errors


def test_one_line_errors(example) -> None:  # type: ignore[no-untyped-def]
    project, _ = example
    with pytest.raises(UserError, match="at least 2 coders"):
        build_agreement_data(project, coders=["A"])
    with pytest.raises(UserError, match="unknown coder 'Z'"):
        build_agreement_data(project, coders=["A,Z"])
    with pytest.raises(UserError, match="unknown code"):
        build_agreement_data(project, codes=["finnes/ikke"])
    with pytest.raises(UserError, match="unit must be one of"):
        build_agreement_data(project, unit="word")
    with pytest.raises(UserError, match="no document named"):
        build_agreement_data(project, documents=["nope"])


def test_one_coder_with_codings_is_an_error(tmp_path: Path) -> None:
    project = new_project(tmp_path / "e.cc.db")
    specs = add_doc(project, "d", sentences(3))
    code_units(project, "d", specs, "A", [1])
    with pytest.raises(UserError, match="only 'A' has coded"):
        build_agreement_data(project)
    project.close()


def test_units_constant_is_the_commands_choice() -> None:
    from casecoder.analysis import report
    from casecoder.commands import agreement as command

    assert command.UNITS == UNITS
    assert command.FORMATS == report.FORMATS
