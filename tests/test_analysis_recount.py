"""Every count of `matrix` and `cooccurrence` equals an independent recount on the sample
study from `casecoder codings --format json`, `docs --format json` and `show --format json`.

The recount below uses only those listings and the rules as stated in COUNTING_NOTE and
COOCCURRENCE_NOTE, not the analysis code, so a change to either side that breaks the rules
shows up here.
"""

from __future__ import annotations

import csv
import io
import json
from bisect import bisect_right
from typing import Any

import pytest
from click.testing import CliRunner

from casecoder.cli import main


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from casecoder.demo import build_demo

    path = build_demo(tmp_path_factory.mktemp("recount") / "demo.cc.db")
    db = str(path)
    codings = json.loads(run("codings", db, "--format", "json"))
    docs = {d["name"]: d for d in json.loads(run("docs", db, "--format", "json"))}
    shown = {name: json.loads(run("show", db, name, "--format", "json")) for name in docs}
    codes = [c["path"] for c in json.loads(run("codebook", "show", db, "--format", "json"))]
    return {"db": db, "codings": codings, "docs": docs, "shown": shown, "codes": codes}


def _speaker(shown: dict[str, Any], offset: int) -> str | None:
    sentences = sorted((s for s in shown["segments"] if s["kind"] == "sentence"),
                       key=lambda s: s["start"])
    ends = [s["end"] for s in sentences]
    i = min(bisect_right(ends, offset), len(ends) - 1)
    return sentences[i]["speaker"]


def _recount(study: dict[str, Any], codes: set[str], column: str | None, by: str,
             once: bool = False) -> dict[str, float | int | None]:
    docs = study["docs"]

    def value(doc: str) -> str:
        return docs[doc]["attributes"].get(by) or "(not set)"

    chosen = [c for c in study["codings"] if c["code"] in codes
              and (column is None or value(c["document"]) == column)]
    if once:
        chosen = list({(c["code"], c["document"], c["start"], c["end"]): c
                       for c in chosen}.values())
    column_docs = [d for d in docs if column is None or value(d) == column]
    speakers = {(d, s["speaker"]) for d in column_docs
                for s in study["shown"][d]["segments"] if s["kind"] == "sentence"}
    words = sum(docs[d]["words"] for d in column_docs)
    documents = {c["document"] for c in chosen}
    informants = {(c["document"], _speaker(study["shown"][c["document"]], c["start"]))
                  for c in chosen}
    return {
        "codings": len(chosen),
        "passages": len({(c["document"], c["start"], c["end"]) for c in chosen}),
        "documents": len(documents),
        "informants": len(informants),
        "cases": len({docs[d]["case"] for d in documents if docs[d]["case"]}),
        "share_documents": len(documents) / len(column_docs) if column_docs else None,
        "share_informants": len(informants) / len(speakers) if speakers else None,
        "per_1000_words": len(chosen) * 1000 / words if words else None,
    }


def _subtree(study: dict[str, Any], path: str) -> set[str]:
    return {c for c in study["codes"] if c == path or c.startswith(path + "/")}


@pytest.mark.parametrize("by", ["case_type", "role"])
def test_matrix_json_equals_an_independent_recount(study: dict[str, Any], by: str) -> None:
    out = json.loads(run("matrix", study["db"], "--by", by, "--format", "json"))
    assert out["counting_note"].startswith("How counts are made")
    levels = {r["code"]: r["level"] for r in out["rows"]}
    checked = 0
    guids_by_code: dict[str, set[str]] = {}
    for c in study["codings"]:
        guids_by_code.setdefault(c["code"], set()).add(c["guid"])
    for cell in out["cells"]:
        code, column = cell["code"], cell["column"]
        codes = _subtree(study, code) if levels[code] == "theme" else {code}
        expected = _recount(study, codes, None if column == "(total)" else column, by)
        assert cell["values"] == pytest.approx(expected), (code, column)
        behind = set().union(*(guids_by_code.get(c, set()) for c in codes))
        assert set(cell["codings"]) <= behind and len(cell["codings"]) == expected["codings"]
        checked += 1
    assert checked > 100
    columns = {c["key"]: c for c in out["columns"]}
    for key, column in columns.items():
        wanted = [d for d in study["docs"] if key == "(total)"
                  or (study["docs"][d]["attributes"].get(by) or "(not set)") == key]
        assert column["n_documents"] == len(wanted)
        assert column["words"] == sum(study["docs"][d]["words"] for d in wanted)


def test_once_per_passage_counts_each_span_once(study: dict[str, Any]) -> None:
    out = json.loads(run("matrix", study["db"], "--by", "case_type", "--code", "barriers",
                         "--no-subcodes", "--once-per-passage", "--format", "json"))
    for cell in out["cells"]:
        column = None if cell["column"] == "(total)" else cell["column"]
        expected = _recount(study, _subtree(study, "barriers"), column, "case_type", once=True)
        assert cell["values"]["codings"] == expected["codings"]
        assert cell["values"]["passages"] == expected["passages"]


def test_matrix_csv_is_the_json_in_long_form(study: dict[str, Any]) -> None:
    db = study["db"]
    data = json.loads(run("matrix", db, "--by", "role", "--format", "json"))
    rows = list(csv.DictReader(io.StringIO(run("matrix", db, "--by", "role",
                                               "--format", "csv"))))
    assert list(rows[0]) == ["code", "column", "measure", "value"]
    long = {(r["code"], r["column"], r["measure"]): r["value"] for r in rows}
    for cell in data["cells"]:
        for measure, value in cell["values"].items():
            shown = long[(cell["code"], cell["column"], measure)]
            expected = "" if value is None else pytest.approx(value, abs=1e-6)
            assert (shown if value is None else float(shown)) == expected


@pytest.mark.parametrize("unit", ["sentence", "turn", "document", "overlap"])
def test_cooccurrence_equals_an_independent_recount(study: dict[str, Any], unit: str) -> None:
    themes = ["motivation", "barriers", "continuation", "alliance-links"]
    args = ["cooccurrence", study["db"], "--unit", unit, "--no-subcodes", "--format", "json"]
    for theme in themes:
        args += ["--code", theme]
    out = json.loads(run(*args))
    codes = {t: _subtree(study, t) for t in themes}
    expected: dict[tuple[str, str], int] = {}
    occurs: dict[str, int] = {}
    for name, shown in study["shown"].items():
        mine = [c for c in study["codings"] if c["document"] == name]
        if unit == "overlap":
            spans = {t: {(c["start"], c["end"]) for c in mine if c["code"] in codes[t]}
                     for t in themes}
            for t in themes:
                occurs[t] = occurs.get(t, 0) + len(spans[t])
            for i, a in enumerate(themes):
                for b in themes[i + 1:]:
                    n = sum(1 for s in spans[a] for o in spans[b] if s[0] < o[1] and o[0] < s[1])
                    expected[(a, b)] = expected.get((a, b), 0) + n
            continue
        units = ([(0, 10**9)] if unit == "document" else
                 [(s["start"], s["end"]) for s in shown["segments"] if s["kind"] == unit])
        for start, end in units:
            here = {t for t in themes for c in mine
                    if c["code"] in codes[t] and c["start"] < end and c["end"] > start}
            for t in here:
                occurs[t] = occurs.get(t, 0) + 1
            for i, a in enumerate(themes):
                for b in themes[i + 1:]:
                    if a in here and b in here:
                        expected[(a, b)] = expected.get((a, b), 0) + 1
    got = {(c["code_a"], c["code_b"]): c for c in out["cells"]}
    assert {r["code"]: r["occurrences"] for r in out["rows"]} == {t: occurs.get(t, 0)
                                                                   for t in themes}
    for (a, b), n in expected.items():
        cell = got.get((a, b))
        assert (cell["values"]["count"] if cell else 0) == n, (a, b)
        if cell:
            assert len(cell["passages"]) == n
            union = occurs[a] + occurs[b] - n
            assert cell["values"]["jaccard"] == pytest.approx(n / union)


def test_codings_filters_equal_a_recount(study: dict[str, Any]) -> None:
    db = study["db"]
    got = json.loads(run("codings", db, "--code", "barriers", "--where", "role=pro-rector",
                         "--format", "json"))
    expected = [c for c in study["codings"] if c["code"] in _subtree(study, "barriers")
                and study["docs"][c["document"]]["attributes"].get("role") == "pro-rector"]
    assert {c["guid"] for c in got} == {c["guid"] for c in expected} and expected
    speaker = "Informant"
    got = json.loads(run("codings", db, "--speaker", speaker, "--format", "json"))
    assert {c["guid"] for c in got} == {
        c["guid"] for c in study["codings"]
        if _speaker(study["shown"][c["document"]], c["start"]) == speaker}
    with_b = json.loads(run("codings", db, "--code", "motivation", "--with-code", "barriers",
                            "--unit", "document", "--format", "json"))
    without_b = json.loads(run("codings", db, "--code", "motivation", "--without-code",
                               "barriers", "--unit", "document", "--format", "json"))
    has_b = {c["document"] for c in study["codings"] if c["code"] in _subtree(study, "barriers")}
    motivation = [c for c in study["codings"] if c["code"] in _subtree(study, "motivation")]
    assert {c["guid"] for c in with_b} == {c["guid"] for c in motivation
                                           if c["document"] in has_b}
    assert {c["guid"] for c in without_b} == {c["guid"] for c in motivation
                                              if c["document"] not in has_b}

