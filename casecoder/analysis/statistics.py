"""Inter-coder agreement statistics as pure functions (no database).

A reliability matrix has one row per coder and one column per unit; ``None`` (or NaN in a float
array) means that coder did not rate that unit. Every statistic returns an `Estimate`, whose value
is ``None`` together with a reason whenever the statistic is undefined: a code nobody used has no
variation, and reporting 0 or 1 for it would mislead the researcher (NVivo-style averages over codes
would silently include the artefact). Percent agreement is the exception; it stays defined.

Why a `Ratings` object: the agreement report computes several statistics for each of ~40 codes
over ~50,000 units. Encoding a matrix once into integer category codes, collapsed to its distinct
unit patterns with multiplicities (two coders with binary codes have at most 9 patterns), makes
each statistic O(patterns) and makes the bootstrap a multinomial draw over patterns instead of a
resampling of 50,000 columns. Every function accepts a plain matrix, a numpy array, or a `Ratings`.

Units with fewer than two ratings carry no information about agreement: observed agreement and
Krippendorff's alpha ignore them, and ``Estimate.n_units`` counts only pairable units. Following
Gwet (2014), the chance terms of Fleiss's kappa, AC1 and Brennan-Prediger's category count still
use singly-rated units, since they show how often each category is used.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from casecoder.errors import UserError

__all__ = [
    "NEVER_USED",
    "NO_UNITS",
    "NO_VARIATION",
    "TOO_FEW_CODERS",
    "Estimate",
    "Level",
    "Matrix",
    "Ratings",
    "as_ratings",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "contingency_table",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
]

Matrix: TypeAlias = Sequence[Sequence[Hashable | None]] | NDArray[Any]
Level: TypeAlias = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

# Reasons are module constants so that reports can group codes by why a figure is missing.
TOO_FEW_CODERS = "fewer than 2 coders rated any unit"
NO_UNITS = "no units: the contingency table is empty"
NO_VARIATION = "no variation: every rating is the same category"
NEVER_USED = "code never used: no coder applied it to any unit"


@dataclass(frozen=True)
class Estimate:
    """A statistic's value, or ``None`` with the reason it is undefined."""

    value: float | None
    reason: str | None = None
    n_units: int = 0

    def display(self, digits: int = 3) -> str:
        """Format for tables: fixed decimals, "n/a" when undefined, never "-0.000"."""
        if self.value is None:
            return "n/a"
        value = round(self.value, digits)
        if value == 0:
            value = 0.0
        return f"{value:.{digits}f}"


@dataclass(frozen=True, eq=False)
class Ratings:
    """An encoded reliability matrix: distinct unit patterns with their multiplicities.

    ``codes[i, p]`` is coder i's category index in pattern p (-1 = missing), ``weights[p]`` how
    many units share that pattern, and ``categories[k]`` the original value of index k. Categories
    are sorted when they are mutually orderable (``ordered``), which ordinal alpha needs.
    """

    codes: NDArray[np.int64]
    weights: NDArray[np.int64]
    categories: tuple[Hashable, ...]
    ordered: bool

    @property
    def n_coders(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_units(self) -> int:
        return int(self.weights.sum())

    def with_weights(self, weights: NDArray[np.int64]) -> Ratings:
        """The same patterns with other multiplicities (zero-weight patterns dropped)."""
        keep = weights > 0
        return Ratings(
            self.codes[:, keep], weights[keep].astype(np.int64), self.categories, self.ordered
        )

    @cached_property
    def _pairable(self) -> _Pairable:
        return _Pairable.of(self)

    @cached_property
    def _rated_shares(self) -> NDArray[np.float64]:
        """Mean over units rated at least once of each category's share of the unit's ratings.

        Gwet (2014) takes chance agreement for Fleiss's kappa, AC1 and Brennan-Prediger's q from
        every rated unit: a singly-rated unit says nothing about agreement but does say how
        often each category is used.
        """
        valid = self.codes >= 0
        m = valid.sum(axis=0)
        rated = m >= 1
        return _category_shares(
            self.codes[:, rated],
            valid[:, rated],
            self.weights[rated].astype(np.float64),
            m[rated].astype(np.float64),
            len(self.categories),
        )


def _category_shares(
    codes: NDArray[np.int64],
    valid: NDArray[np.bool_],
    weights: NDArray[np.float64],
    m: NDArray[np.float64],
    q: int,
) -> NDArray[np.float64]:
    """Mean over units of n_uk / m_u for every category k (Fleiss's p_j)."""
    total = np.zeros(q)
    if weights.sum() == 0:
        return total
    share = weights / m
    for i in range(codes.shape[0]):
        total += np.bincount(codes[i][valid[i]], weights=share[valid[i]], minlength=q)
    return total / weights.sum()


@dataclass(frozen=True, eq=False)
class _Pairable:
    """The pairable units of a `Ratings` (two or more ratings) and the sums statistics share."""

    codes: NDArray[np.int64]
    valid: NDArray[np.bool_]
    weights: NDArray[np.float64]
    m: NDArray[np.float64]  # ratings per unit
    n_categories: int
    n_units: int

    @classmethod
    def of(cls, ratings: Ratings) -> _Pairable:
        valid = ratings.codes >= 0
        m = valid.sum(axis=0)
        keep = m >= 2
        return cls(
            codes=ratings.codes[:, keep],
            valid=valid[:, keep],
            weights=ratings.weights[keep].astype(np.float64),
            m=m[keep].astype(np.float64),
            n_categories=len(ratings.categories),
            n_units=int(ratings.weights[keep].sum()),
        )

    def _coder_pairs(self) -> list[tuple[int, int]]:
        c = self.codes.shape[0]
        return [(i, j) for i in range(c) for j in range(i + 1, c)]

    @cached_property
    def agreement(self) -> float:
        """Mean over units of the share of agreeing (ordered) coder pairs within the unit."""
        agree = np.zeros(self.codes.shape[1])
        for i, j in self._coder_pairs():
            agree += (self.codes[i] == self.codes[j]) & self.valid[i] & self.valid[j]
        per_unit = 2.0 * agree / (self.m * (self.m - 1.0))
        return float(np.dot(self.weights, per_unit) / self.weights.sum())

    @cached_property
    def coincidences(self) -> NDArray[np.float64]:
        """Krippendorff's coincidence matrix: each unit's m(m-1) ordered pairs, weighted 1/(m-1)."""
        q = self.n_categories
        o = np.zeros(q * q)
        unit_weight = self.weights / (self.m - 1.0)
        for i, j in self._coder_pairs():
            both = self.valid[i] & self.valid[j]
            o += np.bincount(
                self.codes[i][both] * q + self.codes[j][both],
                weights=unit_weight[both],
                minlength=q * q,
            )
        square = o.reshape(q, q)
        return square + square.T

    @cached_property
    def used(self) -> NDArray[np.bool_]:
        """Which categories occur among the pairable ratings."""
        return _category_shares(self.codes, self.valid, self.weights, self.m, self.n_categories) > 0


# ---------------------------------------------------------------------------------------------
# Encoding


def as_ratings(matrix: Matrix | Ratings) -> Ratings:
    """Encode a coders x units matrix once, so several statistics can share the work.

    Numeric numpy arrays (and lists that numpy turns into bool/int/float arrays) take a vectorised
    path; anything else (strings, ``None`` for missing) is encoded with one dictionary pass.
    Values that compare equal in Python (1, 1.0, True) are one category, as in a dict.
    """
    if isinstance(matrix, Ratings):
        return matrix
    array: NDArray[Any] | None
    if isinstance(matrix, np.ndarray):
        array = matrix
    else:
        try:
            array = np.asarray(matrix)
        except ValueError as error:  # ragged rows
            raise UserError("every coder's row of ratings must cover the same units") from error
    if array.ndim < 2:
        raise UserError("a reliability matrix needs one row of ratings per coder")
    if array.dtype.kind in "biuf" and array.ndim == 2:
        codes, categories = _encode_numeric(array)
    else:
        codes, categories = _encode_objects(matrix)
    categories, codes, ordered = _sort_categories(categories, codes)
    patterns, weights = _compress(codes, len(categories))
    return Ratings(patterns, weights, tuple(categories), ordered)


def _encode_numeric(array: NDArray[Any]) -> tuple[NDArray[np.int64], list[Hashable]]:
    """Category codes for a numeric array; NaN is missing in float arrays.

    Bool and small-range integer arrays avoid np.unique's sort: presence data over a million
    character units should cost a few array passes, not an O(n log n) sort.
    """
    kind = array.dtype.kind
    missing = np.isnan(array) if kind == "f" else None
    values = array[~missing] if missing is not None else array.ravel()
    if values.size == 0:
        return np.full(array.shape, -1, dtype=np.int64), []
    uniques: NDArray[Any]
    if kind == "b":
        has_true, all_true = bool(values.any()), bool(values.all())
        if has_true and not all_true:
            uniques, flat = np.array([False, True]), values.astype(np.int64)
        else:
            uniques, flat = np.array([has_true]), np.zeros(values.size, dtype=np.int64)
    elif kind in "iu" and int(values.max()) - int(values.min()) <= 4 * values.size + 1024:
        low = int(values.min())
        offsets = values.astype(np.int64) - low
        present = np.bincount(offsets) > 0
        flat = offsets if present.all() else np.take(np.cumsum(present) - 1, offsets)
        uniques = (np.flatnonzero(present) + low).astype(array.dtype)
    else:
        uniques, flat = np.unique(values, return_inverse=True)
    if missing is None:
        codes = flat.reshape(array.shape)
    else:
        codes = np.full(array.shape, -1, dtype=np.int64)
        codes[~missing] = flat
    return codes, list(uniques.tolist())


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _encode_objects(matrix: Any) -> tuple[NDArray[np.int64], list[Hashable]]:
    rows = [list(row) for row in matrix]
    if len({len(row) for row in rows}) > 1:
        raise UserError("every coder's row of ratings must cover the same units")
    n_units = len(rows[0]) if rows else 0
    index: dict[Hashable, int] = {}
    codes = np.full((len(rows), n_units), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        codes[i] = [-1 if _is_missing(v) else index.setdefault(v, len(index)) for v in row]
    return codes, list(index)


def _sort_categories(
    categories: list[Hashable], codes: NDArray[np.int64]
) -> tuple[list[Hashable], NDArray[np.int64], bool]:
    try:
        order = sorted(range(len(categories)), key=lambda k: categories[k])  # type: ignore[arg-type,return-value]
    except TypeError:
        return categories, codes, False
    if order == list(range(len(categories))):
        return categories, codes, True
    new_index = np.empty(len(categories), dtype=np.int64)
    new_index[order] = np.arange(len(categories))
    recoded = np.where(codes >= 0, new_index[np.maximum(codes, 0)], -1)
    return [categories[k] for k in order], recoded, True


def _compress(codes: NDArray[np.int64], q: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Collapse identical unit columns into patterns with multiplicities."""
    c, n = codes.shape
    if n == 0 or c == 0:
        return codes.reshape(c, 0), np.zeros(0, dtype=np.int64)
    base = q + 1
    space = base**c
    if space > 2**62:
        patterns, weights = np.unique(codes.T, axis=0, return_counts=True)
        return patterns.T.astype(np.int64), weights.astype(np.int64)
    key = codes[c - 1] + 1
    for i in range(c - 2, -1, -1):
        key = key * base + (codes[i] + 1)
    if space <= max(4 * n, 1 << 16):
        counts = np.bincount(key, minlength=space)
        keys = np.flatnonzero(counts)
        weights = counts[keys]
    else:
        found = np.unique(key, return_counts=True)  # not unpacked: mypy 1.20 crashes on it
        keys, weights = found[0], found[1]
    patterns = np.empty((c, keys.size), dtype=np.int64)
    rest = keys.astype(np.int64)
    for i in range(c):
        patterns[i] = rest % base - 1
        rest = rest // base
    return patterns, weights.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _no_variation(ratings: Ratings, used: NDArray[np.bool_]) -> str:
    """Why a chance-corrected figure is undefined when only one category was used."""
    only = ratings.categories[int(np.flatnonzero(used)[0])]
    if isinstance(only, bool | np.bool_) and not only:
        return NEVER_USED
    return NO_VARIATION


def _undefined_for_variation(ratings: Ratings, rated: bool = False) -> Estimate | None:
    """The common guard: no pairable units, or a single category among the ratings that count.

    ``rated`` looks at every rated unit (the chance terms of Gwet 2014), otherwise at the
    pairable units only (Krippendorff's pairable values, Scott's and Cohen's joint ratings).
    """
    p = ratings._pairable
    if p.n_units == 0:
        return Estimate(None, TOO_FEW_CODERS, 0)
    used = ratings._rated_shares > 0 if rated else p.used
    if np.count_nonzero(used) < 2:
        return Estimate(None, _no_variation(ratings, used), p.n_units)
    return None


def _require_two_coders(ratings: Ratings, name: str) -> None:
    if ratings.n_coders != 2:
        raise UserError(f"{name} compares exactly 2 coders, not {ratings.n_coders}")


def contingency_table(matrix: Matrix | Ratings) -> tuple[NDArray[np.float64], tuple[Hashable, ...]]:
    """Two coders' q x q table of units both rated (rows: first coder), with its categories.

    For presence data this is NVivo's both / only A / only B / neither breakdown.
    """
    ratings = as_ratings(matrix)
    _require_two_coders(ratings, "a contingency table")
    q = len(ratings.categories)
    a, b = ratings.codes
    both = (a >= 0) & (b >= 0)
    table = np.bincount(
        a[both] * q + b[both], weights=ratings.weights[both].astype(np.float64), minlength=q * q
    )
    return table.reshape(q, q).astype(np.float64), ratings.categories


def _chance_corrected(observed: float, expected: float, n_units: int) -> Estimate:
    return Estimate(float((observed - expected) / (1.0 - expected)), None, n_units)


# ---------------------------------------------------------------------------------------------
# Statistics


def percent_agreement(matrix: Matrix | Ratings) -> Estimate:
    """Observed agreement: the mean over pairable units of the share of coder pairs that agree.

    With two coders this is the share of units both coders rated identically among the units both
    rated (NVivo's (both + neither) / all for presence data). With more coders it is Fleiss's
    (1971) P-bar, averaged per unit so that every unit counts once whatever its number of raters.
    Defined even without variation: identical ratings agree fully.
    """
    ratings = as_ratings(matrix)
    p = ratings._pairable
    if p.n_units == 0:
        return Estimate(None, TOO_FEW_CODERS, 0)
    return Estimate(p.agreement, None, p.n_units)


def cohen_kappa(matrix: Matrix | Ratings) -> Estimate:
    """Cohen's (1960) kappa for exactly two coders, over the units both rated.

    kappa = (p_o - p_e) / (1 - p_e) with chance p_e from each coder's own marginal distribution
    (Cohen 1960, Educational and Psychological Measurement 20:37-46). Raises `UserError` for any
    other number of coders.
    """
    ratings = as_ratings(matrix)
    _require_two_coders(ratings, "Cohen's kappa")
    table, _ = contingency_table(ratings)
    if table.sum() == 0:
        return Estimate(None, TOO_FEW_CODERS, 0)
    used = (table.sum(axis=0) + table.sum(axis=1)) > 0
    if np.count_nonzero(used) < 2:
        return Estimate(None, _no_variation(ratings, used), int(table.sum()))
    return _kappa(table)


def cohen_kappa_from_table(table: Sequence[Sequence[float]] | NDArray[Any]) -> Estimate:
    """Cohen's (1960) kappa from a square contingency table (rows: coder A, columns: coder B).

    Same formula as `cohen_kappa`; for published tables such as Cohen's own example 2.
    """
    array = np.asarray(table, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise UserError("a contingency table must be square: one row and one column per category")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise UserError("a contingency table holds counts: finite and not negative")
    if array.sum() == 0:
        return Estimate(None, NO_UNITS, 0)
    used = (array.sum(axis=0) + array.sum(axis=1)) > 0
    if np.count_nonzero(used) < 2:
        return Estimate(None, NO_VARIATION, round(float(array.sum())))
    return _kappa(array)


def _kappa(table: NDArray[np.float64]) -> Estimate:
    n = table.sum()
    observed = np.trace(table) / n
    expected = float(np.dot(table.sum(axis=1), table.sum(axis=0))) / (n * n)
    return _chance_corrected(observed, expected, round(float(n)))


def scott_pi(matrix: Matrix | Ratings) -> Estimate:
    """Scott's (1955) pi for two coders: chance from the pooled distribution of both coders.

    pi = (p_o - p_e) / (1 - p_e), p_e = sum_k ((n_Ak + n_Bk) / 2n)^2 (Scott 1955, Public Opinion
    Quarterly 19:321-325). Raises `UserError` for any other number of coders.
    """
    ratings = as_ratings(matrix)
    _require_two_coders(ratings, "Scott's pi")
    undefined = _undefined_for_variation(ratings)
    if undefined is not None:
        return undefined
    table, _ = contingency_table(ratings)
    n = table.sum()
    pooled = (table.sum(axis=0) + table.sum(axis=1)) / (2.0 * n)
    return _chance_corrected(np.trace(table) / n, float(np.dot(pooled, pooled)), round(float(n)))


def fleiss_kappa(matrix: Matrix | Ratings) -> Estimate:
    """Fleiss's (1971) kappa for any number of coders, generalised to varying raters per unit.

    Fleiss (1971), Psychological Bulletin 76:378-382: kappa = (P-bar - P_e) / (1 - P_e) with
    P-bar the mean per-unit pairwise agreement and P_e = sum_j p_j^2. For a varying number of
    raters m_i this is Gwet's generalisation (Gwet 2014, Handbook of Inter-Rater Reliability,
    4th ed., ch. 2; R package irrCAC, fleiss.kappa.raw): P-bar over the units with at least 2
    ratings, p_j the mean of n_ij / m_i over every unit rated at least once. With complete data it
    is exactly Fleiss's formula. ``n_units`` counts the units in P-bar; singly-rated units enter
    only p_j, and units nobody rated are ignored. Coders are interchangeable (a row is "a
    rating", not a person), so Fleiss's patients x ratings table can be passed transposed.
    """
    ratings = as_ratings(matrix)
    undefined = _undefined_for_variation(ratings, rated=True)
    if undefined is not None:
        return undefined
    shares = ratings._rated_shares
    p = ratings._pairable
    return _chance_corrected(p.agreement, float(np.dot(shares, shares)), p.n_units)


def _check_categories(ratings: Ratings, n_categories: int | None, name: str) -> int:
    observed = int(np.count_nonzero(ratings._rated_shares > 0))
    if n_categories is None:
        return max(observed, 2)
    if n_categories < 2 or n_categories < observed:
        raise UserError(
            f"{name}: n_categories={n_categories} is fewer than the {max(observed, 2)} categories "
            "the data needs"
        )
    return n_categories


def gwet_ac1(matrix: Matrix | Ratings, n_categories: int | None = None) -> Estimate:
    """Gwet's AC1 for two or more coders, missing ratings allowed.

    AC1 = (p_a - p_e) / (1 - p_e) with p_a the mean per-unit pairwise agreement and
    p_e = sum_k pi_k (1 - pi_k) / (q - 1), pi_k the mean over units of each category's share of the
    unit's ratings (Gwet 2008, British Journal of Mathematical and Statistical Psychology
    61:29-48; multi-rater form with missing data: Gwet 2014, Handbook, ch. 4, as in R's irrCAC
    gwet.ac1.raw). p_a uses the units with at least 2 ratings (counted in ``n_units``), pi_k every
    unit rated at least once. q is ``n_categories`` when given (the size of the scale), else the
    number of categories observed. Undefined, like kappa, when only one category was used: AC1
    would otherwise report 1 for a code nobody applied.
    """
    ratings = as_ratings(matrix)
    undefined = _undefined_for_variation(ratings, rated=True)
    if undefined is not None:
        return undefined
    p = ratings._pairable
    q = _check_categories(ratings, n_categories, "Gwet's AC1")
    pi = ratings._rated_shares
    expected = float(np.dot(pi, 1.0 - pi)) / (q - 1)
    return _chance_corrected(p.agreement, expected, p.n_units)


def brennan_prediger(matrix: Matrix | Ratings, n_categories: int | None = None) -> Estimate:
    """Brennan and Prediger's (1981) kappa_q: chance agreement taken as 1/q.

    (p_o - 1/q) / (1 - 1/q) (Brennan & Prediger 1981, Educational and Psychological Measurement
    41:687-699; MAXQDA reports this style of kappa). q is ``n_categories`` when given, else the
    number of distinct categories observed in any rating, and at least 2 so that binary presence
    data counts as two categories (present, absent). p_o is the mean per-unit pairwise agreement
    over units with at least 2 ratings, so any number of coders works. Undefined when only one
    category was used: with a single observed category q would be a guess, and the figure would
    reward agreeing that a code never applies.
    """
    ratings = as_ratings(matrix)
    undefined = _undefined_for_variation(ratings, rated=True)
    if undefined is not None:
        return undefined
    p = ratings._pairable
    q = _check_categories(ratings, n_categories, "Brennan-Prediger kappa")
    return _chance_corrected(p.agreement, 1.0 / q, p.n_units)


def krippendorff_alpha(matrix: Matrix | Ratings, level: Level = "nominal") -> Estimate:
    """Krippendorff's alpha for any number of coders with missing data, at four levels.

    Coincidence-matrix formulation of Krippendorff (2011), "Computing Krippendorff's
    Alpha-Reliability", Annenberg School for Communication Departmental Papers 43:
    alpha = 1 - (n - 1) * sum_ck o_ck delta_ck / sum_ck n_c n_k delta_ck, where o counts every
    ordered pair of values within a unit weighted by 1/(m_u - 1) and n is the number of pairable
    values. Metrics: nominal (0/1), ordinal (rank sums over the marginal frequencies), interval
    (squared difference) and ratio (squared difference over the sum). Ordinal needs mutually
    orderable values, interval and ratio numeric ones, ratio non-negative ones.
    """
    if level not in LEVELS:
        raise UserError(f"unknown level of measurement {level!r}: use one of {', '.join(LEVELS)}")
    ratings = as_ratings(matrix)
    delta_values = _metric_values(ratings, level)
    undefined = _undefined_for_variation(ratings)
    if undefined is not None:
        return undefined
    p = ratings._pairable
    o = p.coincidences
    marginals = o.sum(axis=1)
    n = marginals.sum()
    delta = _delta(level, marginals, delta_values)
    disagreement = float((o * delta).sum())
    expected = float((np.outer(marginals, marginals) * delta).sum())
    return Estimate(float(1.0 - (n - 1.0) * disagreement / expected), None, p.n_units)


def _metric_values(ratings: Ratings, level: Level) -> NDArray[np.float64] | None:
    if level == "nominal":
        return None
    if not ratings.ordered:
        raise UserError(f"{level} alpha needs values that can be put in order")
    if level == "ordinal":
        return None
    if not all(isinstance(v, numbers.Real) for v in ratings.categories):
        raise UserError(f"{level} alpha needs numeric values")
    values = np.asarray([float(v) for v in ratings.categories])  # type: ignore[arg-type]
    if level == "ratio" and np.any(values < 0):
        raise UserError("ratio alpha needs values that are not negative")
    return values


def _delta(
    level: Level, marginals: NDArray[np.float64], values: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Squared difference function delta^2_ck of Krippendorff (2011) for each level."""
    q = marginals.size
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        low, high = (
            np.minimum.outer(np.arange(q), np.arange(q)),
            np.maximum.outer(np.arange(q), np.arange(q)),
        )
        cumulative = np.concatenate(([0.0], np.cumsum(marginals)))
        between = cumulative[high + 1] - cumulative[low] - (marginals[low] + marginals[high]) / 2.0
        return between**2
    assert values is not None
    difference = np.subtract.outer(values, values)
    if level == "interval":
        return difference**2
    total = np.add.outer(values, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total > 0, difference / total, 0.0)
    return ratio**2


# ---------------------------------------------------------------------------------------------
# Bootstrap


def bootstrap_ci(
    matrix: Matrix | Ratings,
    statistic: Callable[[Ratings], Estimate],
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval over units (Efron & Tibshirani 1993, ch. 13).

    Rated units (at least one rating) are resampled with replacement, since the chance terms of
    Fleiss's kappa and AC1 use singly-rated units too. Drawing n units uniformly with replacement
    gives each distinct unit pattern a Multinomial(n, share) count, so the draw is done that way
    (same distribution, O(patterns) per resample). ``statistic`` receives a `Ratings`, which every
    statistic here accepts (e.g. ``lambda r: krippendorff_alpha(r, "ordinal")``). Deterministic
    for a given ``seed`` (numpy ``default_rng``).

    Returns ``None`` when the statistic is undefined on the data, or in more than (1 -
    confidence) / 2 of the resamples: the undefined resamples are the extreme ones (no variation),
    and once they outnumber one tail of the interval, that tail cannot be placed honestly.
    Undefined resamples below that share are left out.
    """
    if n_resamples < 1:
        raise UserError("the bootstrap needs at least one resample")
    if not 0.0 < confidence < 1.0:
        raise UserError(f"confidence must lie between 0 and 1, not {confidence}")
    ratings = as_ratings(matrix)
    if statistic(ratings).value is None:
        return None
    rated = (ratings.codes >= 0).any(axis=0)
    base = ratings.with_weights(np.where(rated, ratings.weights, 0))
    n = base.n_units
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, base.weights / n, size=n_resamples)
    values = []
    for draw in draws:
        value = statistic(base.with_weights(draw)).value
        if value is not None:
            values.append(value)
    tail = (1.0 - confidence) / 2.0
    if n_resamples - len(values) > tail * n_resamples:
        return None
    low, high = np.quantile(np.asarray(values), [tail, 1.0 - tail])
    return float(low), float(high)
