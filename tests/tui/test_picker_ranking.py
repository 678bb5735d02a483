"""How the code picker ranks codes for what the researcher types."""

from __future__ import annotations


def test_code_picker_ranks_short_queries_by_word_starts_and_finds_keywords() -> None:
    """One letter must not match everything; a Norwegian keyword finds its code first."""
    from pathlib import Path

    from casecoder.codebook import read_codebook
    from casecoder.model import Code
    from casecoder.tui.screens.dialogs import rank_codes

    book = read_codebook(Path(__file__).resolve().parents[2] / "codebooks" / "erasmus-plus.yml")
    codes = [Code(i, "", None, spec.name, path, spec.description, "#000000",
                  tuple(spec.keywords), None, i, True) for i, (path, spec) in
             enumerate(book.walk())]
    assert [c.path for _, c in rank_codes(codes, "q")] == ["motivation/quality",
                                                           "continuation/offer-quality"]
    assert len(rank_codes(codes, "in")) < len(codes) / 2
    assert rank_codes(codes, "ild")[0][1].path == "motivation/champions"
    assert rank_codes(codes, "rammepl")[0][1].path == "barriers/regulated-programmes"
