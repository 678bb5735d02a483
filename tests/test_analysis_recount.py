"""Every count of `matrix` and `cooccurrence` equals an independent recount on the sample
study from `casecoder codings --format json`, `docs --format json`, `show --format json` and
`speakers --format json`.

The recount below uses only those listings and the rules as stated in COUNTING_NOTE and
COOCCURRENCE_NOTE (the quote export's: overlapping codings of one code in one document are one
passage unless --per-coder; informants are speaker records, interviewers never, one person
once, a survey document one informant; attributes speaker > document > case), not the
analysis code, so a change to either side that breaks the rules shows up here.
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
    speakers = {(s["document"], s["speaker"]): s
                for s in json.loads(run("speakers", db, "--format", "json"))}
    return {"db": db, "codings": codings, "docs": docs, "shown": shown, "codes": codes,
            "speakers": speakers}


def _speaker(shown: dict[str, Any], offset: int) -> str | None:
    sentences = sorted((s for s in shown["segments"] if s["kind"] == "sentence"),
                       key=lambda s: s["start"])
    ends = [s["end"] for s in sentences]
    i = min(bisect_right(ends, offset), len(ends) - 1)
    return sentences[i]["speaker"]


def _passages(codings: list[dict[str, Any]], per_coder: bool
              ) -> list[tuple[dict[str, Any], int, int]]:
    """Each coding with the span of its passage: overlapping codings of one code in one
    document (sharing a character) are one passage unless per_coder."""
    if per_coder:
        return [(c, c["start"], c["end"]) for c in codings]
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in codings:
        by.setdefault((c["code"], c["document"]), []).append(c)
    out = []
    for mine in by.values():
        groups: list[list[Any]] = []
        for c in sorted(mine, key=lambda c: (c["start"], c["end"])):
            if groups and c["start"] < groups[-1][2]:
                groups[-1][0].append(c)
                groups[-1][2] = max(groups[-1][2], c["end"])
            else:
                groups.append([[c], c["start"], c["end"]])
        out += [(c, start, end) for members, start, end in groups for c in members]
    return out


def _record(study: dict[str, Any], doc: str, label: str | None) -> dict[str, Any] | None:
    if study["docs"][doc]["format"] == "survey" or label is None:
        return None
    return study["speakers"].get((doc, label))


def _attributes(study: dict[str, Any], doc: str, label: str | None) -> dict[str, str]:
    """speaker > document > case (the document listing already holds the case's)."""
    record = _record(study, doc, label)
    return {**study["docs"][doc]["attributes"], **(record["attributes"] if record else {})}


def _informant(study: dict[str, Any], doc: str, label: str | None) -> tuple[Any, ...] | None:
    if study["docs"][doc]["format"] == "survey":
        return ("document", doc)
    record = _record(study, doc, label)
    if record and record["interviewer"]:
        return None
    if record and record["person"]:
        return ("person", record["person"].casefold())
    return ("speaker", doc, label)


def _labels(study: dict[str, Any], doc: str) -> set[str | None]:
    return {s["speaker"] for s in study["shown"][doc]["segments"] if s["kind"] == "sentence"}


def _holdings(study: dict[str, Any], by: str
              ) -> dict[str, tuple[set[str], set[tuple[Any, ...]], int]]:
    """Per column value: its documents, informants and words (a speaker with attributes of
    their own brings their words; the document keeps the rest)."""
    out: dict[str, tuple[set[str], set[tuple[Any, ...]], int]] = {}
    for doc, info in study["docs"].items():
        rest = info["words"]
        labels = _labels(study, doc) or {None}
        for label in sorted(labels, key=lambda x: x or ""):
            record = _record(study, doc, label)
            own = bool(record and record["attributes"])
            value = _attributes(study, doc, label).get(by) or "(not set)"
            docs, informants, words = out.get(value, (set(), set(), 0))
            docs.add(doc)
            informant = _informant(study, doc, label)
            if informant is not None:
                informants.add(informant)
            if own:
                assert record is not None
                words += record["words"]
                rest -= record["words"]
            out[value] = (docs, informants, words)
        value = info["attributes"].get(by) or "(not set)"
        if any(not (r := _record(study, doc, x)) or not r["attributes"] for x in labels):
            docs, informants, words = out[value]
            out[value] = (docs, informants, words + max(rest, 0))
    return out


def _recount(study: dict[str, Any], codes: set[str], column: str | None, by: str,
             per_coder: bool = False) -> dict[str, float | int | None]:
    shown = study["shown"]
    counted = []
    for c, start, end in _passages(study["codings"], per_coder):
        if c["code"] not in codes:
            continue
        label = _speaker(shown[c["document"]], start)
        value = _attributes(study, c["document"], label).get(by) or "(not set)"
        if column is None or value == column:
            counted.append((c, start, end, _informant(study, c["document"], label)))
    holdings = _holdings(study, by)
    if column is None:
        column_docs = set(study["docs"])
        speakers = set().union(*(h[1] for h in holdings.values()))
        words = sum(d["words"] for d in study["docs"].values())
    else:
        column_docs, speakers, words = holdings.get(column, (set(), set(), 0))
    documents = {c["document"] for c, *_ in counted}
    informants = {i for *_, i in counted if i is not None}
    docs = study["docs"]
    return {
        "codings": len(counted),
        "passages": len({(c["document"], start, end) for c, start, end, _ in counted}),
        "documents": len(documents),
        "informants": len(informants),
        "cases": len({docs[d]["case"] for d in documents if docs[d]["case"]}),
        "share_documents": len(documents) / len(column_docs) if column_docs else None,
        "share_informants": len(informants) / len(speakers) if speakers else None,
        "per_1000_words": len(counted) * 1000 / words if words else None,
    }


def _subtree(study: dict[str, Any], path: str) -> set[str]:
    return {c for c in study["codes"] if c == path or c.startswith(path + "/")}


@pytest.mark.parametrize(("by", "per_coder"), [("case_type", False), ("role", False),
                                              ("role", True)])
def test_matrix_json_equals_an_independent_recount(study: dict[str, Any], by: str,
                                                   per_coder: bool) -> None:
    out = json.loads(run("matrix", study["db"], "--by", by, "--format", "json",
                         *(["--per-coder"] if per_coder else [])))
    assert out["counting_note"].startswith("How counts are made")
    levels = {r["code"]: r["level"] for r in out["rows"]}
    checked = 0
    guids_by_code: dict[str, set[str]] = {}
    for c in study["codings"]:
        guids_by_code.setdefault(c["code"], set()).add(c["guid"])
    for cell in out["cells"]:
        code, column = cell["code"], cell["column"]
        codes = _subtree(study, code) if levels[code] == "theme" else {code}
        expected = _recount(study, codes, None if column == "(total)" else column, by,
                            per_coder)
        assert cell["values"] == pytest.approx(expected), (code, column)
        behind = set().union(*(guids_by_code.get(c, set()) for c in codes))
        assert set(cell["codings"]) <= behind and len(cell["codings"]) == expected["codings"]
        checked += 1
    assert checked > 100
    holdings = _holdings(study, by)
    for key, column in {c["key"]: c for c in out["columns"]}.items():
        if key == "(total)":
            assert column["n_documents"] == len(study["docs"])
            continue
        docs, informants, words = holdings[key]
        assert (column["n_documents"], column["n_informants"], column["words"]) == (
            len(docs), len(informants), words), key


def test_default_merges_overlapping_codings_and_per_coder_does_not(
        study: dict[str, Any]) -> None:
    args = ["matrix", study["db"], "--by", "case_type", "--code", "barriers", "--no-subcodes",
            "--format", "json"]
    merged = json.loads(run(*args))
    per_coder = json.loads(run(*args, "--per-coder"))
    assert json.loads(run(*args, "--once-per-passage"))["cells"] == merged["cells"]
    total = {c["column"]: c["values"] for c in merged["cells"]}["(total)"]
    apart = {c["column"]: c["values"] for c in per_coder["cells"]}["(total)"]
    # Every coder's coding is still a coding; two coders' overlapping passages are one.
    assert total["codings"] == apart["codings"]
    assert total["passages"] < apart["passages"]
    assert total["passages"] == _recount(study, _subtree(study, "barriers"), None,
                                         "case_type")["passages"]
    assert "merged into one passage" in merged["selection"]
    assert "own passage" in per_coder["selection"]


def test_group_interview_informants_land_in_their_own_roles(study: dict[str, Any]) -> None:
    """c1-bip-helse-gruppeintervju: Informant 1 (head of department) and Informant 2
    (Erasmus+ coordinator) each under their own role; the interviewer under none."""
    doc = "c1-bip-helse-gruppeintervju"
    out = json.loads(run("matrix", study["db"], "--by", "role", "--doc", doc,
                         "--format", "json"))
    columns = {c["key"]: c for c in out["columns"]}
    document_role = study["docs"][doc]["attributes"]["role"]
    assert columns["head of department"]["n_informants"] == 1
    assert columns["Erasmus+ coordinator"]["n_informants"] == 1
    assert columns["head of department"]["words"] == study["speakers"][(doc, "Informant 1")][
        "words"]
    # The interviewer's turns stay with the document's own role, never as an informant.
    interviewer = study["speakers"][(doc, "Intervjuer")]
    assert interviewer["interviewer"]
    total = {c["column"]: c["values"] for c in out["cells"]
             if c["code"] == out["rows"][0]["code"]}
    assert total["head of department"]["informants"] == 1
    assert total["Erasmus+ coordinator"]["informants"] == 1
    assert document_role not in ("head of department", "Erasmus+ coordinator")


def test_an_interviewer_turn_never_counts_as_an_informant(
        study: dict[str, Any], tmp_path: Any) -> None:
    import shutil

    doc = "c1-bip-helse-gruppeintervju"
    db = str(tmp_path / "copy.cc.db")
    shutil.copy(study["db"], db)
    used = {c["code"] for c in study["codings"] if c["document"] == doc}
    code = next(c for c in study["codes"] if c not in used and "/" in c)
    asked = next(s for s in study["shown"][doc]["segments"]
                 if s["kind"] == "sentence" and s["speaker"] == "Intervjuer")
    run("code", db, "--doc", doc, "--code", code, "--start", str(asked["start"]),
        "--end", str(asked["end"]), "--coder", "ingrid")
    run("code", db, "--doc", doc, "--code", code, "--start", str(asked["start"]),
        "--end", str(asked["end"]), "--coder", "tomas")
    for by in ("role", "speaker"):
        out = json.loads(run("matrix", db, "--by", by, "--doc", doc, "--code", code,
                             "--no-subcodes", "--format", "json"))
        cells = {c["column"]: c["values"] for c in out["cells"]}
        total = cells["(total)"]
        # Two coders' identical passage: two codings, one passage, no informant.
        assert (total["codings"], total["passages"], total["informants"]) == (2, 1, 0), by
        assert total["share_informants"] == 0
    column = cells["Intervjuer"]
    assert column["informants"] == 0 and column["share_informants"] is None


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
            merged = _passages(mine, per_coder=False)
            spans = {t: {(start, end) for c, start, end in merged if c["code"] in codes[t]}
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
    # --where resolves speaker > document: in the group interview only Informant 1's.
    doc = "c1-bip-helse-gruppeintervju"
    got = json.loads(run("codings", db, "--doc", doc, "--where", "role=head of department",
                         "--format", "json"))
    labels = {_speaker(study["shown"][doc], c["start"]) for c in got}
    assert labels == {"Informant 1"}
    assert {c["guid"] for c in got} == {
        c["guid"] for c in study["codings"] if c["document"] == doc
        and _attributes(study, doc, _speaker(study["shown"][doc], c["start"])).get("role")
        == "head of department"}
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

