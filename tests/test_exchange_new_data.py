"""The later project data travels through every exchange path: .qdpx, merge, the blank copy
for a second coder and the pseudonymised copy.

The project has what the later schemas added: speakers with their own attributes, a person
link and a changed interviewer mark (3), a consensus coder with a review decision (3),
framework summaries on a case row and a document row (4), PDF segments with pages (5), and
an autocode run whose codings carry its origin (6).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from docmakers import make_pdf, page_stream

from casecoder.exchange import build_into, snapshot_of
from casecoder.exchange.pseudonymise import pseudonymised_copy
from casecoder.exchange.qdpx_read import import_qdpx, snapshot_from_qdpx
from casecoder.exchange.qdpx_write import export_qdpx, qdpx_members
from casecoder.exchange.snapshot import Snapshot
from casecoder.exchange.team import copy_for_coder, merge_project
from casecoder.export.pseudonym_record import KEY as PSEUDONYMS_KEY
from casecoder.export.pseudonyms import Pseudonymizer
from casecoder.ingest.refiqda import read_qdpx
from casecoder.project import Project

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "erasmus-plus.yml"
TEXT = """Intervjuer: Hvordan begynte samarbeidet med skolen i Bø?

Kari Nordmann: Det var Ole som tok kontakt. Vi ønsket nye partnere i Europa.

Ole Hansen: Ja, og Kari skrev søknaden. Finansieringen var «vanskelig» å få på plass.

Intervjuer: Hva betydde det for elevene?

Kari Nordmann: Elevene fikk se andre skoler. Det ga oss motivasjon.

Ole Hansen: Og de lærte mye engelsk.
"""
NAMES = {"Kari Nordmann": "[rektor]", "Kari": "[rektor]", "Ole Hansen": "[lærer]",
         "Ole": "[lærer]"}
SUMMARY = "Kari Nordmann driver prosjektet; Ole knytter kontaktene."
DECISION_MEMO = "Avgjort etter drøfting med Ole"
DOC = "skoleintervju"


def _sentence(p: Project, doc: str, words: str) -> int:
    text = p.text(doc)
    return next(s.number for s in p.segments(doc) if words in text[s.start:s.end])


@pytest.fixture
def rich(tmp_path: Path) -> Path:
    """A project file with every kind of later data, closed (so it can be merged)."""
    source = tmp_path / f"{DOC}.txt"
    source.write_text(TEXT, encoding="utf-8")
    pdf = tmp_path / "søknad.pdf"
    pdf.write_bytes(make_pdf([
        page_stream(["Søknaden beskriver mål for mobilitet."]),
        page_stream(["Vi vil styrke samarbeidet med skolene i Åsane."]),
    ]))
    path = tmp_path / "studie.cc.db"
    with Project.create(path, coder="anna") as p:
        p.import_codebook(CODEBOOK)
        assert p.import_file(source, case="Skolen i Bø").status == "imported"
        assert p.import_file(pdf).status == "imported"
        p.set_speaker(DOC, "Kari Nordmann", attributes={"rolle": "rektor",
                                                        "kontakt": "Ole via e-post"},
                      person="Kari Nordmann")
        p.set_speaker(DOC, "Ole Hansen", attributes={"rolle": "lærer"}, interviewer=True,
                      person="Ole Hansen")
        number = _sentence(p, DOC, "nye partnere")
        p.code_segments(DOC, "partners-networks", number, number)
        p.set_framework_summary("Skolen i Bø", "partners-networks", SUMMARY)
        p.set_framework_summary(DOC, "barriers", "Finansieringen er en barriere for Kari.",
                                row_kind="document")
        plan = p.plan_autocode(search="motivasjon", code="motivation/champions")
        assert p.apply_autocode(plan).added == 1
        p.set_setting(PSEUDONYMS_KEY, str(tmp_path / "navneliste.csv"))
    with Project.open(path, coder="bob") as p:
        p.code_segments(DOC, "barriers", number + 1, number + 1)
    with Project.open(path, coder="leder") as p:
        p.decide(into="konsensus", doc=DOC, code="partners-networks", unit="sentence",
                 number=number, choice="a", coders=("anna", "bob"), memo=DECISION_MEMO)
    return path


def _snap(path: Path) -> Snapshot:
    with Project.open_read_only(path) as p:
        return snapshot_of(p)


def _assert_same_later_data(got: Snapshot, want: Snapshot) -> None:
    """Every kind of later record, compared by GUID-keyed content."""
    assert {c.name: c.kind for c in got.coders if c.kind != "coder"} == {"konsensus":
                                                                          "consensus"}
    assert {c.name: c.kind for c in want.coders if c.kind != "coder"} == {"konsensus":
                                                                           "consensus"}
    docs = {d.guid: d for d in got.documents}
    for doc in want.documents:
        assert docs[doc.guid].speakers == doc.speakers, doc.name
        assert docs[doc.guid].segments == doc.segments, doc.name  # pages included
    assert {(k.guid, k.origin, k.start, k.end) for k in got.codings} == {
        (k.guid, k.origin, k.start, k.end) for k in want.codings}
    assert got.decisions == want.decisions
    assert got.summaries == want.summaries
    assert got.autocode_runs == want.autocode_runs


def test_the_fixture_has_every_kind_of_later_data(rich: Path) -> None:
    snap = _snap(rich)
    doc = next(d for d in snap.documents if d.name == DOC)
    kari = next(s for s in doc.speakers if s.label == "Kari Nordmann")
    assert kari.attributes == {"rolle": "rektor", "kontakt": "Ole via e-post"}
    assert next(s for s in doc.speakers if s.label == "Ole Hansen").interviewer
    pdf = next(d for d in snap.documents if d.name == "søknad")
    assert {s.page for s in pdf.segments or ()} == {1, 2}
    assert len(snap.decisions) == 1 and snap.decisions[0].memo == DECISION_MEMO
    assert {s.row_kind for s in snap.summaries} == {"case", "document"}
    [run] = snap.autocode_runs
    assert run.query == "motivasjon"
    assert [k.origin for k in snap.codings if k.origin != "manual"] == [f"autocode:{run.guid}"]


def test_qdpx_round_trip_keeps_the_later_data(rich: Path, tmp_path: Path) -> None:
    before = _snap(rich)
    with Project.open_read_only(rich) as p:
        export_qdpx(p, tmp_path / "ut.qdpx")
    with zipfile.ZipFile(tmp_path / "ut.qdpx") as archive:
        extension = json.loads(archive.read("casecoder.json"))
    assert extension["coding_origins"] and extension["review_decisions"]
    back = import_qdpx(tmp_path / "ut.qdpx", tmp_path / "inn.cc.db")
    assert back.warnings == []
    after = _snap(back.project)
    _assert_same_later_data(after, before)
    with Project.open_read_only(back.project) as p:
        assert p.consensus_coders() == {"konsensus"}
        [decision] = p.decisions("konsensus")
        assert (decision.choice, decision.coders, decision.memo) == ("a", ("anna", "bob"),
                                                                     DECISION_MEMO)
        assert {s.text for s in p.framework_summaries()} >= {SUMMARY}
        assert [r["codings_now"] for r in p.autocode_runs()] == [1]
        assert p.history(limit=1)[0].undoable is False  # an import is not undone by accident
    # Exporting what came back gives the same casecoder.json: nothing was lost or invented.
    members, _ = qdpx_members(after)
    again = json.loads(dict(members)["casecoder.json"])
    for key in ("coder_kinds", "coding_origins", "review_decisions", "framework_summaries",
                "autocode_runs"):
        assert again[key] == extension[key], key


def test_damaged_later_data_is_left_out_and_counted(rich: Path, tmp_path: Path) -> None:
    with Project.open_read_only(rich) as p:
        members, _ = qdpx_members(snapshot_of(p))
    files = dict(members)
    data = json.loads(files["casecoder.json"])
    data["review_decisions"][0]["choice"] = "kanskje"
    data["review_decisions"].append({"consensus": "x"})
    data["framework_summaries"][0]["row"] = "00000000-0000-4000-8000-000000000000"
    data["autocode_runs"][0]["kind"] = "gjetning"
    data["coding_origins"] = {k: "autocode:ikke-en-guid" for k in data["coding_origins"]}
    files["casecoder.json"] = json.dumps(data).encode("utf-8")
    path = tmp_path / "skadet.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    snap, warnings, _notes = snapshot_from_qdpx(read_qdpx(path))
    assert snap.decisions == () and snap.autocode_runs == () and len(snap.summaries) == 1
    assert {k.origin for k in snap.codings} == {"manual"}
    assert any("skipped 4 review decision(s), framework summaries or autocode runs" in w
               for w in warnings)


def test_merge_into_an_empty_project_brings_it_all_once(rich: Path, tmp_path: Path) -> None:
    before = _snap(rich)
    target = tmp_path / "tom.cc.db"
    with Project.create(target, coder="anna") as p:
        report = merge_project(p, rich)
        assert report.decisions_added == 1 and report.summaries_added == 2
        assert report.autocode_runs_added == 1 and report.coders_marked == ["konsensus"]
        assert report.speakers_updated == 2
        events = len(p.history(limit=1000))
        again = merge_project(p, rich)
        assert again.changes == 0, again.as_json()
        assert again.conflicts == []
        assert len(p.history(limit=1000)) == events  # a repeat writes no event either
        p.undo()  # a merge is undoable, one part at a time; the runs go first
        assert p.autocode_runs() == []
    with Project.open(target, coder="anna") as p:
        p.redo()
    _assert_same_later_data(_snap(target), before)


def test_merge_fills_what_a_copy_lacks_and_keeps_its_own(rich: Path, tmp_path: Path) -> None:
    """The second coder's copy has the speakers already; the merge adds the rest, and a
    speaker attribute changed in the copy is a conflict, not overwritten."""
    copy = tmp_path / "bob.cc.db"
    with Project.open_read_only(rich) as p:
        copy_for_coder(p, copy, "bob")
    with Project.open(copy, coder="bob") as p:
        p.set_speaker(DOC, "Kari Nordmann", attributes={"rolle": "inspektør"})
        p.set_speaker(DOC, "Ole Hansen", person="Ole H.", interviewer=False)
        report = merge_project(p, rich)
        assert report.decisions_added == 1 and report.summaries_added == 2
        assert report.coders_marked == ["konsensus"] and report.speakers_updated == 0
        assert any("'Kari Nordmann'" in c and "'inspektør' here" in c
                   for c in report.conflicts)
        assert any("'Ole Hansen'" in c and "'Ole H.' here" in c for c in report.conflicts)
        assert any("'Ole Hansen'" in c and "an informant here" in c for c in report.conflicts)
        assert p.speaker(DOC, "Kari Nordmann").attributes["rolle"] == "inspektør"
        ole = p.speaker(DOC, "Ole Hansen")
        assert (ole.person, ole.interviewer) == ("Ole H.", False)
        assert merge_project(p, rich).changes == 0
    got, want = _snap(copy), _snap(rich)
    assert got.decisions == want.decisions and got.summaries == want.summaries
    assert got.autocode_runs == want.autocode_runs
    assert {k.guid: k.origin for k in got.codings} == {k.guid: k.origin for k in want.codings}


def test_merge_marks_a_consensus_coder_that_is_an_ordinary_coder_here(
        rich: Path, tmp_path: Path) -> None:
    target = tmp_path / "annen.cc.db"
    with Project.create(target, coder="konsensus") as p:
        p.import_codebook(CODEBOOK)
        p.add_code("egne")  # the coder row is made on the first change
        report = merge_project(p, rich)
        assert report.coders_marked == ["konsensus"]
        assert p.consensus_coders() == {"konsensus"}
        assert merge_project(p, rich).changes == 0


def test_blank_copy_holds_no_decisions_summaries_or_runs(rich: Path, tmp_path: Path) -> None:
    out = tmp_path / "blind.cc.db"
    with Project.open_read_only(rich) as p:
        copy_for_coder(p, out, "bob")
    with Project.open_read_only(out) as copy:
        assert copy.decisions() == [] and copy.framework_summaries() == []
        assert copy.autocode_runs() == [] and copy.codings() == []
        assert "konsensus" not in {c.name for c in copy.coders()}
        # Speakers are material, like document attributes: they stay.
        assert copy.speaker(DOC, "Kari Nordmann").attributes["rolle"] == "rektor"
    raw = out.read_bytes()
    for text in (SUMMARY, DECISION_MEMO, "Finansieringen er en barriere"):
        assert text.encode("utf-8") not in raw, text


def test_pseudonymised_copy_has_no_listed_name_in_the_later_data(rich: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "anonym.cc.db"
    with Project.open_read_only(rich) as p:
        pseudonymised_copy(p, out, Pseudonymizer(dict(NAMES)))
    raw = out.read_bytes()
    for name in ("Kari", "Ole", "Nordmann", "Hansen"):
        assert name.encode() not in raw, name
    with Project.open_read_only(out) as copy:
        assert copy.setting(PSEUDONYMS_KEY) == ""  # the real-name list's path stays home
        speakers = {s.label: s for s in copy.speakers(DOC)}
        assert speakers["[rektor]"].attributes == {"rolle": "rektor",
                                                  "kontakt": "[lærer] via e-post"}
        assert speakers["[rektor]"].person == "[rektor]"
        assert speakers["[lærer]"].interviewer and speakers["[lærer]"].person == "[lærer]"
        assert {s.text for s in copy.framework_summaries()} == {
            "[rektor] driver prosjektet; [lærer] knytter kontaktene.",
            "Finansieringen er en barriere for [rektor]."}
        [decision] = copy.decisions()
        assert decision.memo == "Avgjort etter drøfting med [lærer]"
        [unit] = [s for s in copy.segments(DOC) if s.number == decision.number]
        assert (decision.start, decision.end) == (unit.start, unit.end)
        assert copy.consensus_coders() == {"konsensus"}
        [run] = copy.autocode_runs()
        assert run["codings_now"] == 1
        pdf = copy.segments("søknad")
        assert {s.page for s in pdf} == {1, 2}


def test_pseudonymised_run_queries_and_options_lose_the_name(rich: Path,
                                                             tmp_path: Path) -> None:
    with Project.open(rich, coder="anna") as p:
        plan = p.plan_autocode(search="Ole", code="quality", doc=DOC)
        p.apply_autocode(plan)
        snap = snapshot_of(p)
    from casecoder.exchange.pseudonymise import pseudonymise

    clean = pseudonymise(snap, Pseudonymizer(dict(NAMES)))
    queries = {r.query for r in clean.autocode_runs}
    assert queries == {"motivasjon", "[lærer]"}
    assert all("Ole" not in json.dumps(dict(r.options), ensure_ascii=False)
               for r in clean.autocode_runs)
    with Project.create(tmp_path / "ny.cc.db", coder="anna") as copy:
        report = build_into(copy, clean, "new")
        assert report.warnings == []
        assert {r["query"] for r in copy.autocode_runs()} == {"motivasjon", "[lærer]"}
