"""Fixtures for the workbench tests: a small, fully deterministic project and app factory.

The documents are segmented here by a tiny rule set instead of the import pipeline, so the
tests (and the snapshots) depend only on the TUI, not on how sentence splitting evolves.
The app gets a fixed coder, no cursor blink and an empty keymap unless a test asks otherwise,
and every test here runs without animations and with a private, empty user config.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from casecoder.ingest.model import SegmentSpec, SourceText
from casecoder.model import CodingRecord
from casecoder.project import Project
from casecoder.tui.app import CasecoderApp

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "codebooks" / "erasmus-plus.yml"

INTERVIEW_A = "\n".join([
    'Intervju 03 – BIP helse – prosjektleder',
    '',
    '[00:00:04] Intervjuer: Takk for at du tar deg tid. Kan du si litt om rollen din?',
    '',
    ('[00:00:20] Informant: Jeg er førstelektor og prosjektleder for [BIP-en]. Vi startet '
     'høsten 2022 sammen med tre partnere. Det var en kollega som tok initiativet.'),
    '',
    '[00:01:02] Intervjuer: Hva var motivasjonen?',
    '',
    ('[00:01:10] Informant: Det viktigste er studentene våre. Mange har barn og jobb, og '
     'de drar ikke på et helt semester i utlandet. Men én uke klarer de. Så for mange er '
     'dette den eneste utenlandserfaringen de får.'),
    '',
    '[00:02:05] Intervjuer: Hva har vært vanskelig?',
    '',
    ('[00:02:12] Informant: Rapporteringen er like tung som for lang mobilitet. Vi bruker '
     'mye tid på administrasjon, og midlene dekker ikke arbeidet. Uten støtte fra ledelsen'
     ' hadde vi gitt opp.'),
    '',
    '[00:03:30] Intervjuer: Blir tilbudet videreført?',
    '',
    ('[00:03:41] Informant: Ikke uten ny finansiering. Men deler av pensumet lever videre '
     'i andre emner. Den digitale modulen bruker vi fortsatt.'),
    "",
])

INTERVIEW_B = "\n".join([
    'Intervju 05 – KA220 – prorektor',
    '',
    '[00:00:03] Intervjuer: Hvordan henger prosjektet sammen med alliansen?',
    '',
    ('[00:00:15] Informant: Ærlig talt er koblingen svak. Partnerne i alliansen er ikke '
     'relevante for dette fagfeltet. Vi fant våre egne partnere gjennom gamle nettverk.'),
    '',
    '[00:01:20] Intervjuer: Hva betyr ledelsen?',
    '',
    ('[00:01:28] Informant: Ledelsen kom tidlig inn. Rektoratet har satt '
     'internasjonalisering høyt i strategien. Det hjelper når vi søker om frikjøp.'),
    "",
])

_LABEL = re.compile(r"(?:\[(\d\d):(\d\d):(\d\d)\]\s*)?([A-ZÆØÅ][\wæøå ]{0,30}):\s+")
_SENTENCE = re.compile(r"[^\s.!?][^.!?]*(?:[.!?]+|$)")


def segment(text: str) -> list[SegmentSpec]:
    """Turns and paragraphs per non-empty line, sentences split at . ! ? inside the speech."""
    sentences, turns = [], []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        label = _LABEL.match(line)
        body = start + (label.end() if label else 0)
        speaker = label.group(4) if label else None
        stamp = (int(label.group(1)) * 3600 + int(label.group(2)) * 60 + int(label.group(3))
                 if label and label.group(1) else None)
        turns.append((body, end, speaker, stamp))
        for m in _SENTENCE.finditer(text, body, end):
            sentences.append((m.start(), m.end(), speaker, stamp))
    out: list[SegmentSpec] = []
    for kind, spans in (("sentence", sentences), ("turn", turns), ("paragraph", turns)):
        for number, (a, b, speaker, stamp) in enumerate(spans, start=1):
            out.append(SegmentSpec(kind, number, a, b, speaker,
                                   float(stamp) if stamp is not None else None))
    return out


@pytest.fixture(autouse=True)
def deterministic_tui(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """No animations and a private, empty user config, whatever the shared conftest does."""
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    config = tmp_path_factory.mktemp("tui-user") / "config.toml"
    monkeypatch.setenv("CASECODER_CONFIG", str(config))
    monkeypatch.delenv("CASECODER_CODER", raising=False)


def add_text(project: Project, name: str, text: str, **kwargs: object) -> None:
    source = SourceText(text, "txt", "utf-8", None)
    project.add_document(source, name=name, segments=segment(text), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Project]:
    """Two interviews, the Erasmus+ codebook, and two codings by another coder (tomas).

    It is set up by a coder 'admin', so that ingrid (who the tests are) starts with an empty
    undo history, as a researcher opening a prepared project does.
    """
    path = tmp_path / "wb.cc.db"
    p = Project.create(path, language="nb", coder="admin")
    p.import_codebook(CODEBOOK)
    add_text(p, "c1-bip-prosjektleder", INTERVIEW_A, case="C1",
             attributes={"role": "project leader"})
    add_text(p, "c4-ka220-prorektor", INTERVIEW_B, case="C4", attributes={"role": "pro-rector"})
    sentences = p.segments("c1-bip-prosjektleder")
    p.add_codings([
        CodingRecord("c1-bip-prosjektleder", "motivation/inclusive-mobility", "tomas",
                     sentences[7].start, sentences[10].end),
        CodingRecord("c1-bip-prosjektleder", "barriers/workload-funding", "tomas",
                     sentences[12].start, sentences[13].end),
    ])
    p.close()
    p = Project.open(path, coder="ingrid")
    yield p
    p.close()


def build_app(project: Project, **kwargs: object) -> CasecoderApp:
    options: dict[str, object] = {"cursor_blink": False, "keymap": {}}
    options.update(kwargs)
    return CasecoderApp(project, **options)  # type: ignore[arg-type]


@pytest.fixture
def make_app() -> object:
    """A factory: make_app(project, **options) -> a deterministic CasecoderApp."""
    return build_app
