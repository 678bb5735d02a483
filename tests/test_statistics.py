"""Agreement statistics against published figures, independent re-derivations and invariants.

Published figures are facts about the data, so they are typed in here with their sources; a
separate test checks that the shared oracle file (if present) still agrees with these functions.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casecoder.analysis.statistics import (
    LEVELS,
    NEVER_USED,
    NO_UNITS,
    NO_VARIATION,
    TOO_FEW_CODERS,
    Estimate,
    Ratings,
    as_ratings,
    bootstrap_ci,
    brennan_prediger,
    cohen_kappa,
    cohen_kappa_from_table,
    contingency_table,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from casecoder.analysis.units import character_matrix
from casecoder.errors import UserError

ORACLE_FILE = Path(__file__).resolve().parents[2] / "shared" / "oracles" / "agreement.json"

# Property tests are derandomised so that the suite is deterministic run to run.
PROPERTIES = settings(derandomize=True, database=None, deadline=None, max_examples=150)

Matrix = list[list[Hashable | None]]


def approx(value: float) -> object:
    """Four decimals: the precision the published figures were recomputed to."""
    return pytest.approx(value, abs=5e-5)


def value(estimate: Estimate) -> float:
    assert estimate.value is not None, estimate.reason
    return estimate.value


def expand_table(table: Sequence[Sequence[int]]) -> Matrix:
    """Two coders' ratings from a contingency table (rows: coder A), category = index."""
    a: list[Hashable | None] = []
    b: list[Hashable | None] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return [a, b]


def expand_distribution(rows: Sequence[Sequence[int]]) -> np.ndarray:
    """A ratings x units matrix from a units x categories table of how many raters chose each."""
    units = [[k for k, n in enumerate(row) for _ in range(n)] for row in rows]
    return np.array(units).T


# ---------------------------------------------------------------------------------------------
# Published figures (data and expected values typed in; sources cited)

KRIPPENDORFF_BINARY = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
KRIPPENDORFF_NOMINAL = [
    ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"],
    ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"],
]
KRIPPENDORFF_MISSING: Matrix = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
COHEN_EXAMPLE_2 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
FLEISS_PATIENTS = [
    "444444", "222555", "233335", "555555", "222444", "113333",
    "333355", "113334", "114444", "555555", "144444", "124444",
    "222333", "144444", "224445", "333335", "111455", "111112",
    "224444", "133555", "555555", "244444", "224555", "114444",
    "144445", "222224", "111155", "224444", "133333", "555555",
]  # fmt: skip
# irrCAC's distrib.6raters: the first 15 of Fleiss's patients as counts per category.
DISTRIB_6RATERS = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
]  # fmt: skip
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def fleiss_matrix() -> list[list[int]]:
    """Fleiss's table as 6 ratings x 30 patients: psychiatrists are interchangeable."""
    return [[int(patient[j]) for patient in FLEISS_PATIENTS] for j in range(6)]


def test_krippendorff_2011_binary() -> None:
    """Krippendorff (2011), Computing Krippendorff's Alpha-Reliability: binary data, alpha .095."""
    assert value(krippendorff_alpha(KRIPPENDORFF_BINARY)) == approx(0.0952)
    assert value(cohen_kappa(KRIPPENDORFF_BINARY)) == approx(0.0909)
    assert value(scott_pi(KRIPPENDORFF_BINARY)) == approx(0.0476)
    assert value(percent_agreement(KRIPPENDORFF_BINARY)) == approx(0.60)


def test_krippendorff_2011_nominal_two_coders() -> None:
    """Krippendorff (2011), same paper, nominal data of two observers: alpha .692."""
    assert value(krippendorff_alpha(KRIPPENDORFF_NOMINAL)) == approx(0.6920)
    assert value(cohen_kappa(KRIPPENDORFF_NOMINAL)) == approx(0.6842)
    assert value(percent_agreement(KRIPPENDORFF_NOMINAL)) == approx(0.75)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.7434), ("ordinal", 0.8154), ("interval", 0.8491), ("ratio", 0.7974)],
)
def test_krippendorff_2011_four_coders_missing(level: str, expected: float) -> None:
    """Krippendorff (2011), 4 observers x 12 units with missing values: .743/.815/.849/.797."""
    estimate = krippendorff_alpha(KRIPPENDORFF_MISSING, level)  # type: ignore[arg-type]
    assert value(estimate) == approx(expected)
    assert estimate.n_units == 11  # unit 12 has one value only: not pairable


def test_cohen_1960_example_2() -> None:
    """Cohen (1960), Educational and Psychological Measurement 20:37-46, example 2: kappa .492."""
    estimate = cohen_kappa_from_table(COHEN_EXAMPLE_2)
    assert value(estimate) == approx(0.4915)
    assert estimate.n_units == 200
    matrix = expand_table(COHEN_EXAMPLE_2)
    assert value(percent_agreement(matrix)) == approx(0.70)
    assert value(cohen_kappa(matrix)) == approx(0.4915)


def test_fleiss_1971() -> None:
    """Fleiss (1971), Psychological Bulletin 76:378-382: 30 patients x 6 ratings, kappa .430."""
    matrix = fleiss_matrix()
    assert value(fleiss_kappa(matrix)) == approx(0.4302)
    assert value(krippendorff_alpha(matrix)) == approx(0.4334)
    assert fleiss_kappa(matrix).n_units == 30


def test_nvivo_character_example() -> None:
    """NVivo help, coding comparison query: 50 both, 150 one coder, 800 neither -> 85 %."""
    matrix = character_matrix(1000, [[(0, 150)], [(100, 200)]])
    assert value(percent_agreement(matrix)) == approx(0.85)
    assert value(cohen_kappa(matrix)) == approx(0.3182)
    assert value(krippendorff_alpha(matrix)) == approx(0.3146)


def test_sentence_unit_example() -> None:
    """Constructed: 10 sentences; A coded 1,2,3,7 and B 2,3,7,8 (1-based)."""
    matrix = [[u in {1, 2, 3, 7} for u in range(1, 11)], [u in {2, 3, 7, 8} for u in range(1, 11)]]
    assert value(percent_agreement(matrix)) == approx(0.80)
    assert value(cohen_kappa(matrix)) == approx(0.5833)
    assert value(krippendorff_alpha(matrix)) == approx(0.6042)


def test_degenerate_is_undefined_not_zero_or_one() -> None:
    """Nobody used the code: kappa and alpha are n/a with a reason; agreement is still 1."""
    matrix = [[0, 0, 0, 0], [0, 0, 0, 0]]
    for statistic in (cohen_kappa, krippendorff_alpha, scott_pi, fleiss_kappa, gwet_ac1,
                      brennan_prediger):  # fmt: skip
        estimate = statistic(matrix)
        assert estimate.value is None
        assert estimate.reason == NO_VARIATION
        assert estimate.display() == "n/a"
    assert value(percent_agreement(matrix)) == 1.0


def test_irrcac_contingency_table() -> None:
    """Gwet, R package irrCAC README (cont3x3abstractors): kappa .7964094, pi .7962397,
    AC1 .8493305, Brennan-Prediger .835, alpha .7972585, percent agreement .89."""
    matrix = expand_table(ABSTRACTORS)
    assert value(cohen_kappa(matrix)) == approx(0.7964)
    assert value(scott_pi(matrix)) == approx(0.7962)
    assert value(gwet_ac1(matrix)) == approx(0.8493)
    assert value(brennan_prediger(matrix)) == approx(0.8350)
    assert value(krippendorff_alpha(matrix)) == approx(0.7973)
    assert value(percent_agreement(matrix)) == approx(0.89)


def test_irrcac_raw_ratings_with_missing_values() -> None:
    """Gwet, irrCAC README (cac.raw4raters, Krippendorff's 4-coder data): percent agreement
    .8181818, AC1 .77544, Fleiss .76117, alpha .74342, Brennan-Prediger .77273. AC1's and
    Fleiss's chance terms include the singly-rated unit 12, as Gwet (2014) defines them."""
    assert value(percent_agreement(KRIPPENDORFF_MISSING)) == approx(0.8182)
    assert value(gwet_ac1(KRIPPENDORFF_MISSING)) == approx(0.7754)
    assert value(fleiss_kappa(KRIPPENDORFF_MISSING)) == approx(0.7612)
    assert value(krippendorff_alpha(KRIPPENDORFF_MISSING)) == approx(0.7434)
    assert value(brennan_prediger(KRIPPENDORFF_MISSING)) == approx(0.7727)


def test_irrcac_distribution_of_raters() -> None:
    """Gwet, irrCAC README (distrib.6raters): AC1 .4448007, Fleiss .4139265, alpha .4204384,
    Brennan-Prediger .4388889."""
    matrix = expand_distribution(DISTRIB_6RATERS)
    assert value(gwet_ac1(matrix)) == approx(0.4448)
    assert value(fleiss_kappa(matrix)) == approx(0.4139)
    assert value(krippendorff_alpha(matrix)) == approx(0.4204)
    assert value(brennan_prediger(matrix)) == approx(0.4389)


# ---------------------------------------------------------------------------------------------
# The shared oracle file must keep agreeing with these functions


def _oracle_matrix(oracle: dict) -> object:
    if "data" in oracle:
        return oracle["data"]
    if "ratings" in oracle:
        width = len(oracle["ratings"][0])
        return [[int(s[j]) for s in oracle["ratings"]] for j in range(width)]
    if "document_length" in oracle:
        return character_matrix(
            oracle["document_length"],
            [
                [tuple(s) for s in oracle["coder_a_spans"]],
                [tuple(s) for s in oracle["coder_b_spans"]],
            ],
        )
    if "units" in oracle:
        units = range(1, oracle["units"] + 1)
        return [[u in oracle[key] for u in units] for key in ("coder_a_units", "coder_b_units")]
    raise AssertionError(f"oracle {oracle['id']} has a data format this test does not know")


def _oracle_value(oracle: dict, key: str) -> float | None:
    if "contingency_table_rows_coder_a" in oracle:
        table = oracle["contingency_table_rows_coder_a"]
        if key == "cohen_kappa":
            return cohen_kappa_from_table(table).value
        return percent_agreement(expand_table(table)).value
    matrix = _oracle_matrix(oracle)
    if key.startswith("krippendorff_alpha"):
        level = key.removeprefix("krippendorff_alpha").lstrip("_") or oracle.get("level", "nominal")
        return krippendorff_alpha(matrix, level).value  # type: ignore[arg-type]
    statistics: dict[str, Callable[[object], Estimate]] = {
        "cohen_kappa": cohen_kappa,  # type: ignore[dict-item]
        "scott_pi": scott_pi,  # type: ignore[dict-item]
        "percent_agreement": percent_agreement,  # type: ignore[dict-item]
        "fleiss_kappa": fleiss_kappa,  # type: ignore[dict-item]
    }
    assert key in statistics, f"oracle {oracle['id']} expects {key}, which this test cannot compute"
    return statistics[key](matrix).value


@pytest.mark.skipif(not ORACLE_FILE.exists(), reason=f"shared oracle file absent: {ORACLE_FILE}")
def test_shared_oracle_file_agrees() -> None:
    oracles = json.loads(ORACLE_FILE.read_text(encoding="utf-8"))["oracles"]
    assert len(oracles) >= 8
    for oracle in oracles:
        for key, expected in oracle["expected"].items():
            actual = _oracle_value(oracle, key)
            if expected is None:
                assert actual is None, (oracle["id"], key)
            else:
                assert actual == approx(expected), (oracle["id"], key)


# ---------------------------------------------------------------------------------------------
# Undefined values, input forms, user errors


def test_code_never_used_says_so() -> None:
    matrix = np.zeros((2, 50), dtype=bool)
    for statistic in (cohen_kappa, krippendorff_alpha, scott_pi, fleiss_kappa, gwet_ac1):
        assert statistic(matrix) == Estimate(None, NEVER_USED, 50)
    assert percent_agreement(matrix).value == 1.0


def test_code_applied_everywhere_is_no_variation_not_never_used() -> None:
    assert cohen_kappa(np.ones((2, 5), dtype=bool)).reason == NO_VARIATION


def test_no_pairable_unit() -> None:
    matrix: Matrix = [["a", None, None], [None, "b", None]]
    for statistic in (cohen_kappa, percent_agreement, krippendorff_alpha, gwet_ac1, fleiss_kappa):
        assert statistic(matrix) == Estimate(None, TOO_FEW_CODERS, 0)
    assert percent_agreement([[1, 2, 3]]).reason == TOO_FEW_CODERS
    assert krippendorff_alpha([[], []]).reason == TOO_FEW_CODERS
    assert cohen_kappa_from_table([[0, 0], [0, 0]]) == Estimate(None, NO_UNITS, 0)


def test_variation_only_in_singly_rated_units() -> None:
    """Alpha uses pairable values only; Gwet's chance terms also see the lone 'b'."""
    matrix: Matrix = [["a", "a", "a", "b"], ["a", "a", "a", None]]
    assert krippendorff_alpha(matrix).reason == NO_VARIATION
    assert cohen_kappa(matrix).reason == NO_VARIATION
    assert value(fleiss_kappa(matrix)) == pytest.approx(1.0)
    assert fleiss_kappa(matrix).n_units == 3


def test_numpy_inputs_match_lists() -> None:
    rng = np.random.default_rng(7)
    booleans = rng.random((3, 200)) < 0.3
    floats = rng.integers(1, 5, size=(3, 200)).astype(float)
    floats[rng.random((3, 200)) < 0.2] = np.nan
    with_none = [[None if math.isnan(v) else int(v) for v in row] for row in floats]
    for level in LEVELS:
        assert krippendorff_alpha(floats, level) == krippendorff_alpha(with_none, level)
    for statistic in (percent_agreement, fleiss_kappa, gwet_ac1, brennan_prediger):
        assert statistic(floats) == statistic(with_none)
        assert statistic(booleans) == statistic(booleans.tolist())
        assert statistic(booleans) == statistic(booleans.astype(np.int8))
    assert cohen_kappa(booleans[:2]) == cohen_kappa(booleans[:2].tolist())


def test_ratings_can_be_encoded_once_and_shared() -> None:
    ratings = as_ratings(KRIPPENDORFF_MISSING)
    assert isinstance(ratings, Ratings)
    assert ratings.n_coders == 4 and ratings.n_units == 12
    assert ratings.categories == (1, 2, 3, 4, 5) and ratings.ordered
    assert as_ratings(ratings) is ratings
    assert krippendorff_alpha(ratings, "ordinal") == krippendorff_alpha(
        KRIPPENDORFF_MISSING, "ordinal"
    )


def test_binary_two_coder_data_collapses_to_few_patterns() -> None:
    ratings = as_ratings(np.random.default_rng(1).random((2, 10_000)) < 0.5)
    assert ratings.codes.shape[1] == 4
    assert ratings.n_units == 10_000


def test_contingency_table() -> None:
    table, categories = contingency_table(KRIPPENDORFF_BINARY)
    assert categories == (0, 1)
    assert table.tolist() == [[5.0, 3.0], [1.0, 1.0]]


def test_display() -> None:
    assert Estimate(0.6919642857).display() == "0.692"
    assert Estimate(0.6919642857).display(2) == "0.69"
    assert Estimate(-0.0001).display() == "0.000"
    assert Estimate(None, NO_VARIATION).display() == "n/a"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cohen_kappa(KRIPPENDORFF_MISSING), "exactly 2 coders"),
        (lambda: scott_pi([[1, 2]]), "exactly 2 coders"),
        (lambda: percent_agreement([[1, 2], [1]]), "same units"),
        (lambda: percent_agreement([[1, None], [1]]), "same units"),
        (lambda: percent_agreement([1, 2, 3]), "one row of ratings per coder"),
        (lambda: krippendorff_alpha(KRIPPENDORFF_BINARY, "circular"), "unknown level"),
        (lambda: krippendorff_alpha([["a", 1], [2, "b"]], "ordinal"), "order"),
        (lambda: krippendorff_alpha(KRIPPENDORFF_NOMINAL, "interval"), "numeric"),
        (lambda: krippendorff_alpha([[-1, 2], [2, 3]], "ratio"), "not negative"),
        (lambda: brennan_prediger(KRIPPENDORFF_MISSING, n_categories=3), "n_categories"),
        (lambda: cohen_kappa_from_table([[1, 2, 3], [4, 5, 6]]), "square"),
        (lambda: cohen_kappa_from_table([[1, -2], [3, 4]]), "counts"),
        (lambda: bootstrap_ci(KRIPPENDORFF_BINARY, cohen_kappa, 0, 1), "resample"),
        (lambda: bootstrap_ci(KRIPPENDORFF_BINARY, cohen_kappa, 10, 1, 1.5), "confidence"),
    ],
)
def test_user_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        call()


def test_nominal_alpha_accepts_unorderable_categories() -> None:
    matrix: Matrix = [["a", 1, "a", 1], ["a", 1, 1, 1]]
    assert value(krippendorff_alpha(matrix)) == value(
        krippendorff_alpha([[0, 1, 0, 1], [0, 1, 1, 1]])
    )


def test_brennan_prediger_categories() -> None:
    """q from the scale when given, else from the data (5 observed in Krippendorff's example)."""
    observed = 0.8181818181818182
    assert value(brennan_prediger(KRIPPENDORFF_MISSING)) == pytest.approx((observed - 0.2) / 0.8)
    q7 = (observed - 1 / 7) / (1 - 1 / 7)
    assert value(brennan_prediger(KRIPPENDORFF_MISSING, n_categories=7)) == pytest.approx(q7)


# ---------------------------------------------------------------------------------------------
# Bootstrap


def test_bootstrap_is_deterministic_and_brackets_the_estimate() -> None:
    first = bootstrap_ci(KRIPPENDORFF_NOMINAL, krippendorff_alpha, 500, seed=3)
    assert first == bootstrap_ci(KRIPPENDORFF_NOMINAL, krippendorff_alpha, 500, seed=3)
    assert first is not None
    assert -1.0 <= first[0] < value(krippendorff_alpha(KRIPPENDORFF_NOMINAL)) < first[1] <= 1.0
    narrower = bootstrap_ci(KRIPPENDORFF_NOMINAL, krippendorff_alpha, 500, 3, confidence=0.5)
    assert narrower is not None and first[0] <= narrower[0] <= narrower[1] <= first[1]


def test_bootstrap_accepts_any_statistic_of_ratings() -> None:
    interval = bootstrap_ci(
        KRIPPENDORFF_MISSING, lambda r: krippendorff_alpha(r, "ordinal"), 300, 0
    )
    assert interval is not None and interval[0] < interval[1]


def test_bootstrap_interval_narrows_with_more_units() -> None:
    rng = np.random.default_rng(5)
    a = rng.random(20_000) < 0.3
    b = np.where(rng.random(20_000) < 0.85, a, rng.random(20_000) < 0.3)
    big = np.vstack([a, b])
    small = big[:, :200]
    wide = bootstrap_ci(small, cohen_kappa, 400, 1)
    narrow = bootstrap_ci(big, cohen_kappa, 400, 1)
    assert wide is not None and narrow is not None
    assert narrow[1] - narrow[0] < (wide[1] - wide[0]) / 5
    assert narrow[0] < value(cohen_kappa(big)) < narrow[1]


def test_bootstrap_undefined() -> None:
    assert bootstrap_ci([[0, 0, 0], [0, 0, 0]], cohen_kappa, 100, 0) is None
    # One rare coding among 40 units: a resample misses it about (39/40)^40 = 36 % of the time,
    # far more than the 2.5 % tail, so no honest interval exists.
    rare = np.zeros((2, 40), dtype=bool)
    rare[0, 0] = True
    assert cohen_kappa(rare).value is not None
    assert bootstrap_ci(rare, cohen_kappa, 200, 0) is None


# ---------------------------------------------------------------------------------------------
# Speed: the agreement report's worst case


def test_forty_codes_fifty_thousand_sentences_is_fast() -> None:
    """1M words x 40 codes x 2 coders ~ 50k sentence units x 40 binary codes: every statistic
    for every code must fit well under a second (measured ~0.05 s; 1 s allows slow machines)."""
    rng = np.random.default_rng(11)
    matrices = [rng.random((2, 50_000)) < p for p in np.linspace(0.01, 0.3, 40)]
    start = time.perf_counter()
    for matrix in matrices:
        ratings = as_ratings(matrix)
        for statistic in (percent_agreement, cohen_kappa, scott_pi, krippendorff_alpha, gwet_ac1,
                          brennan_prediger, fleiss_kappa):  # fmt: skip
            assert statistic(ratings).n_units == 50_000
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------------------------------------
# Independent re-derivations (plain Python, straight from the definitions)


def naive_alpha(matrix: Matrix, delta: Callable[[Hashable, Hashable], float]) -> float | None:
    """Krippendorff's alpha from pairs of values rather than a coincidence matrix:
    D_o averages delta over pairs within units (weighted 1/(m_u - 1)), D_e over all pairs of
    pairable values in the data."""
    units = [[v for v in column if v is not None] for column in zip(*matrix, strict=True)]
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    if n == 0:
        return None
    observed = (
        sum(sum(delta(a, b) for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units)
        / n
    )
    expected = sum(delta(a, b) for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return None if expected == 0 else 1.0 - observed / expected


def naive_gwet(matrix: Matrix) -> tuple[float, dict[Hashable, float], int]:
    """Gwet's (2014) p_a over units with 2+ ratings and pi_k over units with 1+ rating."""
    columns = [[v for v in column if v is not None] for column in zip(*matrix, strict=True)]
    rated = [c for c in columns if c]
    pairable = [c for c in rated if len(c) >= 2]
    agreement = sum(
        sum(n * (n - 1) for n in Counter(c).values()) / (len(c) * (len(c) - 1)) for c in pairable
    ) / len(pairable)
    shares: Counter[Hashable] = Counter()
    for column in rated:
        for category, n in Counter(column).items():
            shares[category] += n / len(column) / len(rated)
    return agreement, dict(shares), len(pairable)


def naive_kappa(a: Sequence[Hashable | None], b: Sequence[Hashable | None]) -> float | None:
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    count_a, count_b = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def nominal(a: Hashable, b: Hashable) -> float:
    return 0.0 if a == b else 1.0


def interval(a: Hashable, b: Hashable) -> float:
    return (a - b) ** 2  # type: ignore[operator]


def ratio(a: Hashable, b: Hashable) -> float:
    return 0.0 if a + b == 0 else ((a - b) / (a + b)) ** 2  # type: ignore[operator]


@st.composite
def matrices(
    draw: st.DrawFn,
    min_coders: int = 2,
    max_coders: int = 4,
    missing: bool = True,
    categories: Sequence[Hashable] = (0, 1, 2, 4),
    max_units: int = 20,
) -> Matrix:
    coders = draw(st.integers(min_coders, max_coders))
    units = draw(st.integers(1, max_units))
    cell = st.sampled_from(list(categories))
    if missing:
        cell = st.one_of(cell, st.none())
    return [draw(st.lists(cell, min_size=units, max_size=units)) for _ in range(coders)]


@PROPERTIES
@given(matrices())
def test_alpha_matches_pairwise_definition(matrix: Matrix) -> None:
    for level, delta in (("nominal", nominal), ("interval", interval), ("ratio", ratio)):
        expected = naive_alpha(matrix, delta)
        actual = krippendorff_alpha(matrix, level).value  # type: ignore[arg-type]
        if expected is None:
            assert actual is None
        else:
            assert actual == pytest.approx(expected, abs=1e-9)


@PROPERTIES
@given(matrices())
def test_fleiss_ac1_bp_match_gwet_definitions(matrix: Matrix) -> None:
    fleiss, ac1, bp = fleiss_kappa(matrix), gwet_ac1(matrix), brennan_prediger(matrix)
    columns = [[v for v in c if v is not None] for c in zip(*matrix, strict=True)]
    if not any(len(c) >= 2 for c in columns):
        assert fleiss.reason == ac1.reason == bp.reason == TOO_FEW_CODERS
        return
    agreement, shares, n_units = naive_gwet(matrix)
    assert value(percent_agreement(matrix)) == pytest.approx(agreement)
    q = len(shares)
    if q < 2:
        assert fleiss.value is None and ac1.value is None and bp.value is None
        return
    fleiss_pe = sum(s * s for s in shares.values())
    ac1_pe = sum(s * (1 - s) for s in shares.values()) / (q - 1)
    assert value(fleiss) == pytest.approx((agreement - fleiss_pe) / (1 - fleiss_pe))
    assert value(ac1) == pytest.approx((agreement - ac1_pe) / (1 - ac1_pe))
    assert value(bp) == pytest.approx((agreement - 1 / q) / (1 - 1 / q))
    assert fleiss.n_units == ac1.n_units == bp.n_units == n_units


@PROPERTIES
@given(matrices(max_coders=2))
def test_kappa_matches_definition(matrix: Matrix) -> None:
    a, b = matrix
    if not any(x is not None and y is not None for x, y in zip(a, b, strict=True)):
        assert cohen_kappa(matrix).reason == TOO_FEW_CODERS
        return
    expected = naive_kappa(a, b)
    if expected is None:
        assert cohen_kappa(matrix).value is None
    else:
        assert value(cohen_kappa(matrix)) == pytest.approx(expected)
        table, _ = contingency_table(matrix)
        assert value(cohen_kappa_from_table(table)) == pytest.approx(expected)


@PROPERTIES
@given(matrices(min_coders=2, max_coders=2, missing=False))
def test_alpha_pi_relation_for_two_coders(matrix: Matrix) -> None:
    """Two coders, nominal data, no missing values, n units (Krippendorff 2011):
    alpha = 1 - (2n - 1) / (2n) * (1 - pi), equivalently alpha = pi + (1 - pi) / (2n):
    alpha corrects pi for sampling 2n values without replacement."""
    n = len(matrix[0])
    alpha, pi = krippendorff_alpha(matrix).value, scott_pi(matrix).value
    if pi is None:
        assert alpha is None
        return
    assert alpha == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi))
    assert alpha == pytest.approx(pi + (1 - pi) / (2 * n))


def all_statistics(matrix: Matrix | np.ndarray) -> dict[str, Estimate]:
    results = {
        "percent_agreement": percent_agreement(matrix),
        "fleiss": fleiss_kappa(matrix),
        "ac1": gwet_ac1(matrix),
        "bp": brennan_prediger(matrix),
    }
    for level in LEVELS:
        results[f"alpha_{level}"] = krippendorff_alpha(matrix, level)
    if len(matrix) == 2:
        results["kappa"] = cohen_kappa(matrix)
        results["pi"] = scott_pi(matrix)
    return results


@PROPERTIES
@given(st.data())
def test_identical_coders_agree_perfectly(data: st.DataObject) -> None:
    row = data.draw(matrices(min_coders=1, max_coders=1))[0]
    coders = data.draw(st.integers(2, 4))
    for name, estimate in all_statistics([list(row) for _ in range(coders)]).items():
        if estimate.value is not None:
            assert estimate.value == pytest.approx(1.0), name
        else:
            assert estimate.reason in (NO_VARIATION, TOO_FEW_CODERS), name


@PROPERTIES
@given(matrices(), st.randoms(use_true_random=False))
def test_coder_order_and_unit_order_do_not_matter(matrix: Matrix, random: object) -> None:
    coders = list(matrix)
    random.shuffle(coders)  # type: ignore[attr-defined]
    order = list(range(len(matrix[0])))
    random.shuffle(order)  # type: ignore[attr-defined]
    shuffled = [[row[i] for i in order] for row in coders]
    original, permuted = all_statistics(matrix), all_statistics(shuffled)
    for name, estimate in original.items():
        other = permuted[name]
        assert other.reason == estimate.reason and other.n_units == estimate.n_units, name
        if estimate.value is not None:
            assert other.value == pytest.approx(estimate.value), name


@PROPERTIES
@given(
    st.one_of(
        matrices(categories=(0, 1, 2, 5, 9), missing=False), matrices(categories=(0, 1, 2, 5, 9))
    )
)
def test_values_lie_in_minus_one_to_one(matrix: Matrix) -> None:
    """With missing data Gwet's generalised Fleiss kappa can fall below -1, because its chance
    term counts singly-rated units: [[0, 0], [1, None]] gives p_a = 0, P_e = .625, kappa = -5/3.
    That is the published definition (irrCAC agrees), so the bound is checked without gaps."""
    complete = all(v is not None for row in matrix for v in row)
    for name, estimate in all_statistics(matrix).items():
        if name == "fleiss" and not complete:
            continue
        if estimate.value is not None:
            assert -1.0 - 1e-9 <= estimate.value <= 1.0 + 1e-9, name
            assert estimate.n_units >= 1


@PROPERTIES
@given(matrices(categories=(7,)))
def test_single_category_is_never_zero_or_one(matrix: Matrix) -> None:
    for name, estimate in all_statistics(matrix).items():
        if name == "percent_agreement":
            assert estimate.value in (1.0, None)
        else:
            assert estimate.value is None and estimate.reason, name
