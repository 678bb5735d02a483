"""Speaker turns and paragraphs of plain-text transcripts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casecoder.ingest.transcript import parse_paragraphs, parse_timestamp, parse_turns

INTERVIEW = """Intervju 3 – BIP
Dato: 12. mars 2025

[00:00:05] Intervjuer: Hei, og takk for at du stiller opp.
Informant 2: Takk.
Det er slik: vi har jobbet lenge med dette.

[00:01:10]
I: Hva med [institusjonen]?
**R:** Vi startet i 2014.
00:02:00 Kari Nordmann
Dette er svaret mitt.
Kari Nordmann (00:02:30): Og litt mer.
Intervjuer:
Informant 2: kort svar
I: Takk. R: Bare hyggelig.
"""


def speech(text: str, turn) -> str:  # type: ignore[no-untyped-def]
    return text[turn.body_start:turn.end]


def test_labels_timestamps_headers_and_multiline_turns() -> None:
    turns = parse_turns(INTERVIEW)
    got = [(t.speaker, t.timestamp, speech(INTERVIEW, t)) for t in turns]
    assert got == [
        (None, None, "Intervju 3 – BIP\nDato: 12. mars 2025"),
        ("Intervjuer", 5.0, "Hei, og takk for at du stiller opp."),
        ("Informant 2", None, "Takk.\nDet er slik: vi har jobbet lenge med dette."),
        ("I", 70.0, "Hva med [institusjonen]?"),
        ("R", None, "Vi startet i 2014."),
        ("Kari Nordmann", 120.0, "Dette er svaret mitt."),
        ("Kari Nordmann", 150.0, "Og litt mer."),
        ("Intervjuer", None, ""),
        ("Informant 2", None, "kort svar"),
        ("I", None, "Takk. R: Bare hyggelig."),
    ]


def test_turn_offsets_cover_label_and_speech() -> None:
    turns = parse_turns(INTERVIEW)
    assert INTERVIEW[turns[1].start:turns[1].body_start] == "[00:00:05] Intervjuer: "
    assert INTERVIEW[turns[3].start:turns[3].body_start] == "[00:01:10]\nI: "
    assert INTERVIEW[turns[4].start:turns[4].body_start] == "**R:** "
    assert INTERVIEW[turns[5].start:turns[5].body_start] == "00:02:00 Kari Nordmann\n"
    for before, after in itertools.pairwise(turns):
        assert before.end <= after.start
    for turn in turns:
        assert turn.start <= turn.body_start <= turn.end
        body = speech(INTERVIEW, turn)
        assert body == body.strip()


@pytest.mark.parametrize(
    ("line", "speaker", "timestamp"),
    [
        ("Intervjuer: Hei.", "Intervjuer", None),
        ("Informant 2: Hei.", "Informant 2", None),
        ("I: Hei.", "I", None),
        ("R: Hei.", "R", None),
        ("Kari: Hei.", "Kari", None),
        ("Kari Nordmann: Hei.", "Kari Nordmann", None),
        ("Moderator: Hei.", "Moderator", None),
        ("Interviewer: Hello.", "Interviewer", None),
        ("Respondent: Hello.", "Respondent", None),
        ("intervjuer: Hei.", "intervjuer", None),
        ("Anne-Lise Øvrebø: Hei.", "Anne-Lise Øvrebø", None),
        ("Ludwig van Beethoven: Hei.", "Ludwig van Beethoven", None),
        ("[00:12:31] Intervjuer: Hei.", "Intervjuer", 751.0),
        ("00:12:31 Intervjuer: Hei.", "Intervjuer", 751.0),
        ("(00:12:31) Intervjuer: Hei.", "Intervjuer", 751.0),
        ("[12:31] I: Hei.", "I", 751.0),
        ("[01:02:03.5] I: Hei.", "I", 3723.5),
        ("[00:00:07] - Informant 1: Hei.", "Informant 1", 7.0),
        ("Speaker 1 [00:00:09]: Hei.", "Speaker 1", 9.0),
        ("__Intervjuer:__ Hei.", "Intervjuer", None),
    ],
)
def test_label_forms(line: str, speaker: str, timestamp: float | None) -> None:
    text = f"{line}\nIntervjuer: Neste.\n"
    first = parse_turns(text)[0]
    assert (first.speaker, first.timestamp) == (speaker, timestamp)
    assert text[first.body_start:first.end] in ("Hei.", "Hello.")


@pytest.mark.parametrize(
    "line",
    [
        "Det er slik: vi jobber.",  # lowercase words: a sentence, not a name
        "Dette er en veldig lang etikett: nei.",  # more than four words
        "Men så sa han noe: nei.",
        "Se https://hkdir.no for mer.",  # no space after the colon
        "Kl 10:30 startet vi.",
        "[00:99:00] Intervjuer: ugyldig tid.",  # minutes out of range
        "Ordene mine er: her.",
    ],
)
def test_false_labels_are_text(line: str) -> None:
    text = f"Intervjuer: Første.\n{line}\nIntervjuer: Siste.\n"
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == ["Intervjuer", "Intervjuer"]
    assert line in text[turns[0].body_start:turns[0].end]


def test_label_must_be_at_line_start() -> None:
    turns = parse_turns("Intervjuer: Han sa Kari: hei.\n")
    assert len(turns) == 1 and turns[0].speaker == "Intervjuer"


def test_header_fields_once_are_not_speakers() -> None:
    text = ("Sted: Oslo\nVarighet: 40 min\nIntervjuer: Hei.\nKari: Hei.\nIntervjuer: Ja?\n"
            "Kari: Ja.\nPoenget: dette er tekst.\n")
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == [None, "Intervjuer", "Kari", "Intervjuer", "Kari"]
    assert text[turns[0].body_start:turns[0].end] == "Sted: Oslo\nVarighet: 40 min"
    assert text[turns[-1].body_start:turns[-1].end] == "Ja.\nPoenget: dette er tekst."


def test_two_speakers_who_speak_once_are_still_speakers() -> None:
    turns = parse_turns("Kari: Hei.\nPer: Hallo.\n")
    assert [t.speaker for t in turns] == ["Kari", "Per"]


def test_unlabelled_text_is_one_turn_without_speaker() -> None:
    text = "\n\n  Et notat uten talere.\n\nAndre avsnitt.  \n"
    turns = parse_turns(text)
    assert len(turns) == 1
    assert turns[0].speaker is None and turns[0].timestamp is None
    assert text[turns[0].start:turns[0].end] == "Et notat uten talere.\n\nAndre avsnitt."
    assert parse_turns("   \n ") == []


def test_norwegian_letters_in_labels_and_speech() -> None:
    text = "Øystein Ås: Blåbær og «rømme».\nÆrlige Åse: Ja!\nØystein Ås: Nei.\nÆrlige Åse: Jo.\n"
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == ["Øystein Ås", "Ærlige Åse"] * 2
    assert text[turns[0].body_start:turns[0].end] == "Blåbær og «rømme»."


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("[00:12:31]", 751.0), ("12:31", 751.0), ("(1:00:00)", 3600.0), ("00:00:01,250", 1.25),
     ("[00:61:00]", None), ("[12:75]", None)],
)
def test_parse_timestamp(value: str, seconds: float | None) -> None:
    assert parse_timestamp(value) == seconds


def test_paragraphs_split_at_blank_lines() -> None:
    text = "  Første avsnitt,\nandre linje.  \n\n \t\nAndre avsnitt.\n\n\nTredje.\n"
    spans = parse_paragraphs(text)
    assert [text[a:b] for a, b in spans] == [
        "Første avsnitt,\nandre linje.", "Andre avsnitt.", "Tredje."]


def test_paragraphs_are_lines_without_blank_lines() -> None:
    text = "Linje én.\n  Linje to.  \nLinje tre."
    assert [text[a:b] for a, b in parse_paragraphs(text)] == [
        "Linje én.", "Linje to.", "Linje tre."]


_TEXT = st.text(alphabet=st.sampled_from(list("ab Kæ:\n\t.[]0I«»")), max_size=80)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_turns_and_paragraphs_are_well_formed_for_any_text(text: str) -> None:
    turns = parse_turns(text)
    previous_end = 0
    for turn in turns:
        assert previous_end <= turn.start <= turn.body_start <= turn.end <= len(text)
        body = text[turn.body_start:turn.end]
        assert body == body.strip()
        previous_end = turn.end
    covered = "".join(text[t.start:t.end] for t in turns)
    assert len("".join(covered.split())) == len("".join(text.split()))
    for start, end in parse_paragraphs(text):
        assert end > start and text[start:end] == text[start:end].strip()
