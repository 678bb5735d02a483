"""The synthetic benchmark corpus: deterministic, and shaped like the transcripts it stands for.

The import benchmark compares casecoder against the bare spaCy pipeline on this corpus, so the
corpus must be the same on every machine and must exercise labels, timestamps and the
sentence rules.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from casecoder.ingest import SourceText, build_segments

# benchmarks/ is not a package; load the module by path rather than editing sys.path.
_SPEC = importlib.util.spec_from_file_location(
    "casecoder_benchmark_corpus", Path(__file__).resolve().parents[1] / "benchmarks" / "corpus.py")
assert _SPEC is not None and _SPEC.loader is not None
corpus = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(corpus)
bare_pipeline_words_per_second = corpus.bare_pipeline_words_per_second
generate_transcript = corpus.generate_transcript
write_corpus = corpus.write_corpus


def test_generate_transcript_is_deterministic_and_long_enough() -> None:
    first = generate_transcript(2000, seed=7)
    assert first == generate_transcript(2000, seed=7)
    assert first != generate_transcript(2000, seed=8)
    assert 2000 <= len(first.split()) < 2400


def test_corpus_segments_into_timed_speaker_turns() -> None:
    text = generate_transcript(3000, seed=1)
    segments = build_segments(SourceText(text, "txt", "utf-8", None), "nb")
    turns = [s for s in segments if s.kind == "turn"]
    sentences = [s for s in segments if s.kind == "sentence"]
    assert {s.speaker for s in turns} == {None, "Intervjuer", "Informant 1", "Informant 2"}
    assert all(s.timestamp is not None for s in turns if s.speaker)
    assert len(sentences) > len(turns) * 2
    for seg in sentences:
        piece = text[seg.start:seg.end]
        assert piece == piece.strip() and not piece.startswith("[0")


def test_write_corpus_reaches_the_total(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "corpus", total_words=5000, per_doc_words=2000, seed=3)
    assert [p.name for p in paths] == ["interview-001.txt", "interview-002.txt",
                                       "interview-003.txt"]
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    assert words >= 5000
    again = write_corpus(tmp_path / "again", total_words=5000, per_doc_words=2000, seed=3)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_bare_pipeline_rate_is_positive() -> None:
    assert bare_pipeline_words_per_second([generate_transcript(500, seed=2)], "nb") > 0
