"""Span-to-unit conversion against a character-by-character brute force."""

from __future__ import annotations

import time
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casecoder.analysis.statistics import cohen_kappa, krippendorff_alpha, percent_agreement
from casecoder.analysis.units import (
    Span,
    character_matrix,
    character_presence,
    merge_spans,
    presence_by_code,
    presence_matrix,
    unit_presence,
)
from casecoder.errors import UserError

PROPERTIES = settings(derandomize=True, database=None, deadline=None, max_examples=200)

spans_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 25)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=12,
)


def brute_covered(unit: Span, spans: list[Span]) -> int:
    characters = {c for start, end in spans for c in range(start, end)}
    return sum(1 for c in range(unit[0], unit[1]) if c in characters)


@PROPERTIES
@given(
    units=spans_strategy, spans=spans_strategy, twentieths=st.one_of(st.none(), st.integers(1, 20))
)
def test_unit_presence_matches_brute_force(
    units: list[Span], spans: list[Span], twentieths: int | None
) -> None:
    """Any-character rule, and min_overlap k/20 compared exactly (Fraction) with the union."""
    min_overlap = None if twentieths is None else twentieths / 20
    expected = []
    for unit in units:
        covered, length = brute_covered(unit, spans), unit[1] - unit[0]
        if twentieths is None:
            expected.append(covered > 0)
        else:
            expected.append(length > 0 and Fraction(covered, length) >= Fraction(twentieths, 20))
    assert unit_presence(units, spans, min_overlap) == expected


@PROPERTIES
@given(spans=spans_strategy)
def test_merge_spans_is_the_union(spans: list[Span]) -> None:
    merged = merge_spans(spans).tolist()
    covered = {c for start, end in spans for c in range(start, end)}
    assert {c for start, end in merged for c in range(start, end)} == covered
    assert all(start < end for start, end in merged)
    assert all(a[1] < b[0] for a, b in pairwise(merged))  # disjoint, and apart


@PROPERTIES
@given(spans=spans_strategy)
def test_character_presence_matches_brute_force(spans: list[Span]) -> None:
    covered = {c for start, end in spans for c in range(start, end)}
    assert character_presence(90, spans).tolist() == [c in covered for c in range(90)]


def test_overlapping_spans_never_count_twice() -> None:
    """Two codings of the same 3 characters cover 3 of 10, not 6: below a 50 % threshold."""
    spans = [(0, 3), (0, 3), (1, 3)]
    assert unit_presence([(0, 10)], spans, min_overlap=0.5) == [False]
    assert unit_presence([(0, 10)], spans, min_overlap=0.3) == [True]
    assert unit_presence([(0, 10)], spans) == [True]


def test_threshold_is_inclusive_despite_floating_point() -> None:
    """0.3 * 10 is 3.0000000000000004 in floating point; 3 of 10 characters is 30 %."""
    assert unit_presence([(0, 10)], [(0, 3)], min_overlap=0.3) == [True]
    assert unit_presence([(0, 10)], [(0, 10)], min_overlap=1.0) == [True]
    assert unit_presence([(0, 10)], [(0, 9)], min_overlap=1.0) == [False]


def test_touching_is_not_overlapping() -> None:
    """Offsets are [start, end): a span ending where a sentence starts does not code it."""
    assert unit_presence([(0, 5), (5, 10)], [(2, 5)]) == [True, False]
    assert unit_presence([(5, 5)], [(0, 10)]) == [False]
    assert unit_presence([(5, 5)], [(0, 10)], min_overlap=0.5) == [False]


def test_units_in_any_order() -> None:
    units = [(20, 30), (0, 10), (5, 25), (10, 20)]
    assert unit_presence(units, [(12, 14)]) == [False, False, True, True]


def test_sentence_units_reproduce_the_oracle() -> None:
    """The shared sentence_unit_example, from spans: A codes sentences 1,2,3,7 and B 2,3,7,8."""
    sentences = [(i * 50, i * 50 + 49) for i in range(10)]  # 49 characters and a space each
    a_spans = [(10, 120), (320, 330)]  # reaches into sentences 1-3, and 7
    b_spans = [(60, 140), (300, 301), (390, 400)]  # 2-3, first character of 7, 8
    matrix = presence_matrix(sentences, [a_spans, b_spans])
    assert np.flatnonzero(matrix[0]).tolist() == [0, 1, 2, 6]
    assert np.flatnonzero(matrix[1]).tolist() == [1, 2, 6, 7]
    assert percent_agreement(matrix).value == pytest.approx(0.80)
    assert cohen_kappa(matrix).value == pytest.approx(0.5833, abs=5e-5)
    assert krippendorff_alpha(matrix).value == pytest.approx(0.6042, abs=5e-5)


def test_character_matrix_reproduces_nvivo() -> None:
    """NVivo help: 1,000 characters, 50 coded by both, 150 by one only, 800 by neither."""
    matrix = character_matrix(1000, [[(0, 150)], [(100, 200)]])
    assert matrix.shape == (2, 1000)
    assert int((matrix[0] & matrix[1]).sum()) == 50
    assert int((matrix[0] ^ matrix[1]).sum()) == 150
    assert percent_agreement(matrix).value == pytest.approx(0.85)


def test_presence_by_code_keeps_unused_codes_and_ignores_other_coders() -> None:
    sentences = [(0, 10), (10, 20), (20, 30)]
    codings = [
        ("kari", "trust", 0, 4),
        ("ola", "trust", 12, 15),
        ("ola", "distrust", 25, 30),
        ("per", "trust", 0, 30),  # not one of the compared coders
        ("per", "other", 0, 30),
    ]
    result = presence_by_code(sentences, codings, ["kari", "ola"], codes=["trust", "unused"])
    assert set(result) == {"trust", "unused", "distrust"}
    assert result["trust"].tolist() == [[True, False, False], [False, True, False]]
    assert result["unused"].tolist() == [[False] * 3, [False] * 3]
    assert result["distrust"].tolist() == [[False] * 3, [False, False, True]]
    assert krippendorff_alpha(result["unused"]).reason is not None


def test_empty_inputs() -> None:
    assert unit_presence([], [(0, 5)]) == []
    assert unit_presence([(0, 5)], []) == [False]
    assert character_presence(0, []).tolist() == []
    assert presence_matrix([(0, 5)], []).shape == (0, 1)
    assert merge_spans([]).shape == (0, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: unit_presence([(5, 2)], []), "unit"),
        (lambda: unit_presence([(0, 5)], [(-1, 2)]), "span"),
        (lambda: unit_presence([(0, 5)], [(0, 2)], min_overlap=0), "overlap"),
        (lambda: unit_presence([(0, 5)], [(0, 2)], min_overlap=1.5), "overlap"),
        (lambda: character_presence(10, [(5, 11)]), "outside the document"),
        (lambda: character_presence(-1, []), "negative length"),
    ],
)
def test_user_errors(call: object, message: str) -> None:
    with pytest.raises(UserError, match=message):
        call()  # type: ignore[operator]


def test_long_transcript_is_fast() -> None:
    """50,000 sentences (about a million words) and 20,000 codings: a sweep, not a cross product."""
    rng = np.random.default_rng(3)
    bounds = np.cumsum(rng.integers(20, 200, size=50_001))
    sentences = np.column_stack((bounds[:-1], bounds[1:] - 1))
    starts = rng.integers(0, int(bounds[-1]), size=20_000)
    spans = np.column_stack((starts, starts + rng.integers(1, 500, size=20_000)))
    begin = time.perf_counter()
    coded = unit_presence(sentences, spans, min_overlap=0.5)
    any_char = unit_presence(sentences, spans)
    assert time.perf_counter() - begin < 1.0
    assert len(coded) == 50_000
    assert all(a or not c for a, c in zip(any_char, coded, strict=True))


def test_presence_of_sorted_units_matches_brute_force() -> None:
    """The run-marking path for sorted units gives what "any character covered" means."""
    import random

    from casecoder.analysis.units import presence_by_code

    rng = random.Random(7)
    for _ in range(200):
        units, offset = [], 0
        for _ in range(rng.randint(0, 30)):
            offset += rng.randint(0, 3)
            length = rng.randint(0, 6)
            units.append((offset, offset + length))
            offset += length
        codings = []
        for _ in range(rng.randint(0, 8)):
            start = rng.randint(0, offset + 2)
            codings.append(("a", 1, start, start + rng.randint(1, 9)))
        got = presence_by_code(units, codings, ["a"], [1])[1][0].tolist()
        want = [any(s < ue and e > us for _, _, s, e in codings) and ue > us
                for us, ue in units]
        assert got == want, (units, codings)
