"""The course's one experiment runner: run over seeds, summarise, compare seed by seed, print stably.

A sentence such as "the LSTM beats the RNN" is an experiment (see EXPERIMENTS.md): run both with the same
seeds (at least 3), report the mean and the spread, and call a difference clear only when it is larger than
the spread. Trained models differ in the last bits between CPUs (AVX-512, AVX2, ARM) and notebook outputs are
compared across machines, so numbers are printed coarser than their seed-to-seed spread.

    lstm = run_seeds(lambda seed: train_and_score("lstm", seed), seeds=range(5))
    rnn = run_seeds(lambda seed: train_and_score("rnn", seed), seeds=range(5))
    print(summarise(lstm).format(percent=True))   # 97 % (range 95–99 %, 95 % interval 95–99 %, 5 seeds)
    print(compare(lstm, rnn, names=("LSTM", "RNN")).verdict(percent=True))

Sums use math.fsum (exactly rounded), so the summary of the same values is the same on every machine.
Printed text uses "−" (the minus sign) for negative numbers and "–" (en dash) in ranges such as 80–86 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import TypeVar

R = TypeVar("R")

# The 97.5 % quantile of Student's t by degrees of freedom, the factor of a two-sided 95 % interval; df = ∞
# is the normal distribution's 1.959964. Between rows t_quantile interpolates linearly in 1/df, in which t
# is nearly a straight line (df = 35 comes out 5e-5 too high, df = 1000 2e-5 too high).
_T975 = [
    (1, 12.706205),
    (2, 4.302653),
    (3, 3.182446),
    (4, 2.776445),
    (5, 2.570582),
    (6, 2.446912),
    (7, 2.364624),
    (8, 2.306004),
    (9, 2.262157),
    (10, 2.228139),
    (11, 2.200985),
    (12, 2.178813),
    (13, 2.160369),
    (14, 2.144787),
    (15, 2.131450),
    (16, 2.119905),
    (17, 2.109816),
    (18, 2.100922),
    (19, 2.093024),
    (20, 2.085963),
    (21, 2.079614),
    (22, 2.073873),
    (23, 2.068658),
    (24, 2.063899),
    (25, 2.059539),
    (26, 2.055529),
    (27, 2.051831),
    (28, 2.048407),
    (29, 2.045230),
    (30, 2.042272),
    (40, 2.021075),
    (60, 2.000298),
    (120, 1.979930),
    (math.inf, 1.959964),
]


def t_quantile(df: float) -> float:
    """Student's t 97.5 % quantile for df degrees of freedom: mean ± t · sd / √n is a 95 % interval."""
    if not df >= 1:
        raise ValueError(f"expected at least 1 degree of freedom (an interval needs 2 seeds), got df = {df}")
    for (df_low, t_low), (df_high, t_high) in zip(_T975, _T975[1:]):
        if df < df_high:
            weight = (1 / df_low - 1 / df) / (1 / df_low - 1 / df_high)  # 0 at df_low, 1 at df_high
            return t_low + weight * (t_high - t_low)
    return _T975[-1][1]


def stable_decimals(spread: float, most: int = 4) -> int:
    """The most decimals d ≤ most whose last digit, 10^−d, is at least the spread (0 if the spread exceeds 1)."""
    if not spread >= 0:
        raise ValueError(f"expected a spread ≥ 0, got {spread}")
    if most < 0:
        raise ValueError(f"expected most ≥ 0 decimals, got {most}")
    for decimals in range(most, 0, -1):
        if 10.0**-decimals >= spread:
            return decimals
    return 0


def format_number(value: float, decimals: int, percent: bool = False, sign: bool = False) -> str:
    """Value rounded to decimals ('0.83'); percent: times 100 with ' %' ('83 %'); sign: '+' before positives.

    The decimals always count the digits of the printed number, so with percent=True those of the percentage:
    0.8312 is '83 %' at 0 decimals and '83.1 %' at 1. A value that rounds to zero gets no sign, as its sign
    could differ between CPUs.
    """
    if not isinstance(decimals, Integral) or decimals < 0:
        raise ValueError(f"expected decimals to be an integer ≥ 0, got {decimals!r}")
    if percent:
        value = value * 100
    digits = f"{abs(value):.{decimals}f}"
    nonzero = float(digits) != 0
    prefix = "−" if value < 0 and nonzero else "+" if value > 0 and nonzero and sign else ""
    return prefix + digits + (" %" if percent else "")


def _span(low: float, high: float, decimals: int, percent: bool, sign: bool) -> str:
    """'0.80–0.86', '80–86 %', or with signs or a negative end '−0.04 to +0.05'."""
    scale, unit = (100, " %") if percent else (1, "")
    between = " to " if sign or low < 0 else "–"
    low_text, high_text = (format_number(x * scale, decimals, sign=sign) for x in (low, high))
    return low_text + between + high_text + unit


def _check_seeds(seeds: Iterable[int]) -> list[int]:
    seeds = list(seeds)
    if not seeds:
        raise ValueError("expected at least one seed, got none")
    for seed in seeds:
        if not isinstance(seed, Integral):
            raise ValueError(f"expected integer seeds, got {seed!r} ({type(seed).__name__})")
    seeds = [int(seed) for seed in seeds]
    duplicates = sorted({seed for seed in seeds if seeds.count(seed) > 1})
    if duplicates:
        raise ValueError(f"expected each seed once, got {duplicates} more than once")
    return seeds


def _check_values(per_seed: Mapping[int, float], name: str = "values") -> dict[int, float]:
    if not isinstance(per_seed, Mapping):
        raise ValueError(
            f"expected {name} as a mapping seed → value such as {{0: 0.8, 1: 0.9}}, got a {type(per_seed).__name__}"
        )
    if not per_seed:
        raise ValueError(f"expected {name} for at least one seed, got an empty mapping")
    values = {seed: float(per_seed[seed]) for seed in _check_seeds(per_seed)}
    bad = {seed: value for seed, value in values.items() if not math.isfinite(value)}
    if bad:
        raise ValueError(f"expected a finite number for every seed in {name}, got {bad}")
    return values


def run_seeds(
    experiment: Callable[[int], R], seeds: Iterable[int], progress: Callable[[str], None] | None = None
) -> dict[int, R]:
    """Call experiment(seed) once per seed and keep every seed's result, in the order of the seeds."""
    seeds = _check_seeds(seeds)
    results = {}
    for i, seed in enumerate(seeds, start=1):
        if progress is not None:
            progress(f"seed {seed} ({i} of {len(seeds)})")  # no timings: printed output is compared across runs
        results[seed] = experiment(seed)
    return results


@dataclass(frozen=True)
class Summary:
    """One metric over seeds: every seed's value, their mean, standard deviation, range and 95 % interval."""

    per_seed: dict[int, float]
    mean: float
    sd: float  # sample standard deviation (ddof = 1); 0 for one seed
    min: float
    max: float

    @property
    def n(self) -> int:
        """The number of seeds."""
        return len(self.per_seed)

    @property
    def spread(self) -> float:
        """max − min over the seeds."""
        return self.max - self.min

    @property
    def interval(self) -> tuple[float, float]:
        """95 % interval of the mean by Student's t, mean ± t(0.975, n − 1) · sd / √n; needs 2 seeds or more."""
        if self.n < 2:
            raise ValueError(f"a 95 % interval needs at least 2 seeds, got 1 (seed {next(iter(self.per_seed))})")
        half = t_quantile(self.n - 1) * self.sd / math.sqrt(self.n)
        return self.mean - half, self.mean + half

    def auto_decimals(self, percent: bool = False) -> int:
        """stable_decimals of the spread (in the printed unit); with no spread, just enough to print the values."""
        scale = 100 if percent else 1
        if self.spread > 0:
            return stable_decimals(self.spread * scale)
        return next(d for d in range(5) if round(self.mean * scale, d) == round(self.mean * scale, 4))

    def range_text(self, decimals: int, percent: bool = False) -> str:
        """The range of the seeds' values alone: '0.80–0.86', '80–86 %', '−3.1 to −0.6', or '100 %' if all agree."""
        if format_number(self.min, decimals, percent) == format_number(self.max, decimals, percent):
            return format_number(self.min, decimals, percent)
        return _span(self.min, self.max, decimals, percent, sign=False)

    def details(self, decimals: int, percent: bool = False, sign: bool = False) -> str:
        """'range 0.80–0.86, 95 % interval 0.77–0.89', or '1 seed, no range or interval'."""
        if self.n == 1:
            return "1 seed, no range or interval"
        return (
            f"range {_span(self.min, self.max, decimals, percent, sign)}, "
            f"95 % interval {_span(*self.interval, decimals, percent, sign)}"
        )

    def format(self, decimals: int | None = None, percent: bool = False) -> str:
        """'0.83 (range 0.80–0.86, 95 % interval 0.77–0.89, 3 seeds)'; decimals=None: see auto_decimals."""
        if decimals is None:
            decimals = self.auto_decimals(percent)
        seeds = f", {self.n} seeds" if self.n > 1 else ""
        return f"{format_number(self.mean, decimals, percent)} ({self.details(decimals, percent)}{seeds})"

    def __str__(self) -> str:
        return self.format()


def summarise(per_seed: Mapping[int, float]) -> Summary:
    """Mean, sample standard deviation, min and max of one metric over seeds, each value kept with its seed."""
    values = _check_values(per_seed)
    xs = list(values.values())
    mean = math.fsum(xs) / len(xs)
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return Summary(values, mean, sd, min(xs), max(xs))


@dataclass(frozen=True)
class Comparison:
    """A against B seed by seed: the differences a − b, their summary, and whether A or B is clearly better."""

    names: tuple[str, str]
    differences: dict[int, float]  # a − b for each seed
    summary: Summary  # of the differences
    wins: int  # on how many seeds A is better than B (a zero difference is no win)
    clear: bool  # the difference is larger than the spread: see compare
    higher_is_better: bool

    @property
    def n(self) -> int:
        """The number of seeds."""
        return self.summary.n

    def verdict(self, decimals: int | None = None, percent: bool = False) -> str:
        """'A better than B on 5 of 5 seeds: difference +0.12 (...)', or 'no clear difference between A and B: ...'.

        The difference is always the first model named minus the second, so when B is clearly better the
        sentence reads 'B better than A' and gives b − a. decimals=None: stable_decimals of its spread.
        With percent=True the difference of two percentages is given in percentage points.
        """
        first, second, summary = *self.names, self.summary
        if self.clear and self.wins == 0:
            second, first = self.names
            summary = summarise({seed: -difference for seed, difference in self.differences.items()})
        if percent:  # a difference of percentages is in points: +61 points, not +61 %
            summary = summarise({seed: 100 * value for seed, value in summary.per_seed.items()})
        if decimals is None:
            decimals = summary.auto_decimals()
        unit = " points" if percent else ""
        difference = (
            f"difference {format_number(summary.mean, decimals, sign=True)}{unit} "
            f"({summary.details(decimals, sign=True)})"
        )
        if self.clear:
            return f"{first} better than {second} on {self.n} of {self.n} seeds: {difference}"
        seeds = "seeds" if self.n > 1 else "seed"
        return (
            f"no clear difference between {first} and {second}: "
            f"{first} better on {self.wins} of {self.n} {seeds}, {difference}"
        )

    def __str__(self) -> str:
        return self.verdict()


def compare(
    a: Mapping[int, float], b: Mapping[int, float], names: tuple[str, str] = ("A", "B"), higher_is_better: bool = True
) -> Comparison:
    """Compare two metrics seed by seed (same seeds in both): differences a − b, wins of A, and a verdict.

    The difference is called clear when both hold: the 95 % interval of the mean difference excludes 0, and every
    seed's difference has the same sign (a zero difference counts as disagreeing). It needs 2 seeds. That is the
    course's reading of "larger than the spread": not one seed may point the other way.
    """
    a, b = _check_values(a, names[0]), _check_values(b, names[1])
    if a.keys() != b.keys():
        raise ValueError(
            f"expected {names[0]} and {names[1]} to have the same seeds, got seeds only in {names[0]}: "
            f"{sorted(a.keys() - b.keys())}, only in {names[1]}: {sorted(b.keys() - a.keys())}"
        )
    differences = {seed: a[seed] - b[seed] for seed in a}
    summary = summarise(differences)
    wins = sum(d > 0 if higher_is_better else d < 0 for d in differences.values())
    same_sign = all(d > 0 for d in differences.values()) or all(d < 0 for d in differences.values())
    clear = summary.n >= 2 and same_sign and not summary.interval[0] <= 0 <= summary.interval[1]
    return Comparison((names[0], names[1]), differences, summary, wins, clear, higher_is_better)
