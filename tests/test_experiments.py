"""helpers/experiments.py against answers worked out by hand (t quantiles from a table of Student's t)."""

import math

import pytest

from helpers.experiments import compare, format_number, run_seeds, stable_decimals, summarise, t_quantile

SQRT3 = math.sqrt(3)
CLEAR_LSTM = "LSTM better than RNN on 3 of 3 seeds: difference +2 (range +2 to +3, 95 % interval +1 to +4)"


# run_seeds


def test_run_seeds_keeps_every_seed_in_the_order_given():
    calls = []

    def experiment(seed):
        calls.append(seed)
        return seed * 10

    results = run_seeds(experiment, [3, 1, 2])
    assert results == {3: 30, 1: 10, 2: 20}
    assert list(results) == [3, 1, 2]
    assert calls == [3, 1, 2]  # once per seed


def test_run_seeds_accepts_a_range_and_reports_progress_without_timings():
    lines = []
    results = run_seeds(lambda seed: seed * 10, range(3), progress=lines.append)
    assert results == {0: 0, 1: 10, 2: 20}
    assert lines == ["seed 0 (1 of 3)", "seed 1 (2 of 3)", "seed 2 (3 of 3)"]


@pytest.mark.parametrize(
    "seeds, message",
    [
        ([], "at least one seed"),
        ([1, 2, 1], r"each seed once, got \[1\]"),
        ([0, 1.0], "integer seeds, got 1.0"),
        (["0"], "integer seeds"),
    ],
)
def test_run_seeds_rejects_bad_seeds(seeds, message):
    with pytest.raises(ValueError, match=message):
        run_seeds(lambda seed: seed, seeds)


# summarise


def test_summary_of_one_two_three():
    summary = summarise({0: 1.0, 1: 2.0, 2: 3.0})
    assert summary.per_seed == {0: 1.0, 1: 2.0, 2: 3.0}
    assert (summary.n, summary.mean, summary.sd, summary.min, summary.max, summary.spread) == (3, 2, 1, 1, 3, 2)
    low, high = summary.interval  # 2 ± 4.302653 · 1 / √3
    assert low == pytest.approx(2 - 4.302653 / SQRT3, abs=1e-9) and low == pytest.approx(-0.4841, abs=1e-4)
    assert high == pytest.approx(2 + 4.302653 / SQRT3, abs=1e-9) and high == pytest.approx(4.4841, abs=1e-4)


def test_summary_keeps_seeds_and_accepts_integers():
    summary = summarise({7: 4, 3: 8})
    assert summary.per_seed == {7: 4.0, 3: 8.0} and list(summary.per_seed) == [7, 3]
    assert summary.mean == 6 and summary.sd == pytest.approx(math.sqrt(8))
    assert summary.interval == pytest.approx((6 - 12.706205 * 2, 6 + 12.706205 * 2))  # sd / √2 = 2


def test_summary_of_one_seed_has_no_interval():
    summary = summarise({5: 0.83})
    assert (summary.n, summary.mean, summary.sd, summary.spread) == (1, 0.83, 0, 0)
    with pytest.raises(ValueError, match="needs at least 2 seeds, got 1 \\(seed 5\\)"):
        _ = summary.interval
    assert str(summary) == "0.83 (1 seed, no range or interval)"  # no spread: just the digits the value has
    assert str(summarise({0: 1.0, 1: 1.0})) == "1 (range 1–1, 95 % interval 1–1, 2 seeds)"
    assert summarise({0: 1.0, 1: 1.0}).format(percent=True).startswith("100 % (")
    assert summary.format(2, percent=True) == "83.00 % (1 seed, no range or interval)"


def test_summary_format():
    summary = summarise({0: 0.80, 1: 0.83, 2: 0.86})  # sd 0.03: interval 0.83 ± 4.302653 · 0.03 / √3 = ± 0.0745
    assert summary.format(2) == "0.83 (range 0.80–0.86, 95 % interval 0.76–0.90, 3 seeds)"
    assert summary.format(percent=True) == "83 % (range 80–86 %, 95 % interval 76–90 %, 3 seeds)"
    assert summary.format(1, percent=True) == "83.0 % (range 80.0–86.0 %, 95 % interval 75.5–90.5 %, 3 seeds)"
    assert str(summary) == "0.8 (range 0.8–0.9, 95 % interval 0.8–0.9, 3 seeds)"  # spread 0.06: 1 decimal


def test_summary_format_with_negative_values_uses_to():
    summary = summarise({0: -1.0, 1: 1.0})  # mean 0, sd √2: interval ± 12.706205
    assert summary.format(1) == "0.0 (range −1.0 to 1.0, 95 % interval −12.7 to 12.7, 2 seeds)"


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "at least one seed, got an empty mapping"),
        ([0.8, 0.9], "mapping seed → value .* got a list"),
        ({0: 0.8, 1: math.nan}, r"finite number for every seed in values, got \{1: nan\}"),
        ({0: math.inf}, "finite number"),
        ({0.5: 0.8}, "integer seeds, got 0.5"),
    ],
)
def test_summarise_rejects_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        summarise(values)


# compare


def test_clear_comparison():
    comparison = compare({0: 3, 1: 5, 2: 4}, {0: 1, 1: 2, 2: 2}, names=("LSTM", "RNN"))
    assert comparison.differences == {0: 2, 1: 3, 2: 2}
    assert comparison.summary.mean == pytest.approx(7 / 3)
    assert comparison.summary.sd == pytest.approx(math.sqrt(1 / 3))
    # 7/3 ± 4.302653 · √(1/3) / √3 = (7 ± 4.302653) / 3
    assert comparison.summary.interval == pytest.approx(((7 - 4.302653) / 3, (7 + 4.302653) / 3), abs=1e-9)
    assert comparison.summary.interval == pytest.approx((0.899116, 3.767551), abs=1e-6)
    assert (comparison.wins, comparison.n, comparison.clear) == (3, 3, True)
    assert comparison.verdict(2) == (
        "LSTM better than RNN on 3 of 3 seeds: difference +2.33 (range +2.00 to +3.00, 95 % interval +0.90 to +3.77)"
    )
    assert str(comparison) == CLEAR_LSTM


def test_clear_win_of_b_is_stated_as_b_minus_a():
    comparison = compare({0: 1, 1: 2, 2: 2}, {0: 3, 1: 5, 2: 4}, names=("RNN", "LSTM"))
    assert comparison.differences == {0: -2, 1: -3, 2: -2}
    assert (comparison.wins, comparison.clear) == (0, True)
    assert str(comparison) == CLEAR_LSTM


def test_lower_is_better_flips_wins():
    losses = compare({0: 3, 1: 5, 2: 4}, {0: 1, 1: 2, 2: 2}, higher_is_better=False)
    assert (losses.wins, losses.clear) == (0, True)
    assert str(losses) == ("B better than A on 3 of 3 seeds: difference −2 (range −3 to −2, 95 % interval −4 to −1)")
    assert compare({0: 1, 1: 2}, {0: 2, 1: 4}, higher_is_better=False).wins == 2


def test_one_disagreeing_seed_is_not_clear_even_when_the_interval_excludes_zero():
    a = dict.fromkeys(range(10), 1.0) | {9: -1.0}
    comparison = compare(a, dict.fromkeys(range(10), 0.0))
    # mean 0.8, sd √0.4, interval 0.8 ± 2.262157 · √(0.4 / 10) = 0.8 ± 2.262157 · 0.2
    assert comparison.summary.interval == pytest.approx((0.8 - 0.4524314, 0.8 + 0.4524314), abs=1e-7)
    assert (comparison.wins, comparison.clear) == (9, False)
    assert comparison.verdict(1) == (
        "no clear difference between A and B: A better on 9 of 10 seeds, "
        "difference +0.8 (range −1.0 to +1.0, 95 % interval +0.3 to +1.3)"
    )


def test_a_zero_difference_counts_as_disagreeing():
    a = dict.fromkeys(range(10), 1.0) | {9: 0.0}
    comparison = compare(a, dict.fromkeys(range(10), 0.0))
    assert comparison.summary.interval == pytest.approx((0.9 - 0.2262157, 0.9 + 0.2262157), abs=1e-7)
    assert (comparison.wins, comparison.clear) == (9, False)


def test_same_sign_with_an_interval_containing_zero_is_not_clear():
    comparison = compare({0: 1, 1: 9}, {0: 0, 1: 0})  # 5 ± 12.706205 · √32 / √2
    assert comparison.summary.interval == pytest.approx((5 - 4 * 12.706205, 5 + 4 * 12.706205))
    assert (comparison.wins, comparison.clear) == (2, False)


def test_no_clear_difference_verdict():
    a, b = {0: 10, 1: 12, 2: 11, 3: 9}, {0: 8, 1: 13, 2: 10, 3: 9}  # differences 2, −1, 1, 0
    comparison = compare(a, b)
    # mean 0.5, sd √(5/3), interval 0.5 ± 3.182446 · √(5/3) / 2
    assert comparison.summary.interval == pytest.approx((-1.554260, 2.554260), abs=1e-6)
    assert (comparison.wins, comparison.clear) == (2, False)
    assert comparison.verdict(1) == (
        "no clear difference between A and B: A better on 2 of 4 seeds, "
        "difference +0.5 (range −1.0 to +2.0, 95 % interval −1.6 to +2.6)"
    )
    assert compare(a, b, higher_is_better=False).wins == 1
    assert compare(a, b).verdict(0, percent=True) == (
        "no clear difference between A and B: A better on 2 of 4 seeds, "
        "difference +50 points (range −100 to +200, 95 % interval −155 to +255)"
    )


def test_one_seed_is_never_clear():
    comparison = compare({4: 2.0}, {4: 0.0})
    assert (comparison.wins, comparison.n, comparison.clear) == (1, 1, False)
    assert comparison.verdict(0) == (
        "no clear difference between A and B: A better on 1 of 1 seed, difference +2 (1 seed, no range or interval)"
    )


def test_compare_rejects_mismatched_seeds_and_bad_values():
    with pytest.raises(ValueError, match=r"same seeds.*only in LSTM: \[2\], only in RNN: \[5\]"):
        compare({0: 1, 1: 1, 2: 1}, {0: 1, 1: 1, 5: 1}, names=("LSTM", "RNN"))
    with pytest.raises(ValueError, match=r"finite number for every seed in RNN, got \{1: nan\}"):
        compare({0: 1, 1: 1}, {0: 1, 1: math.nan}, names=("LSTM", "RNN"))
    with pytest.raises(ValueError, match="empty mapping"):
        compare({}, {})


# printing


@pytest.mark.parametrize(
    "spread, decimals",
    [(0.03, 1), (0.3, 0), (0.0004, 3), (0.00004, 4), (0.01, 2), (0.1, 1), (0.1000001, 0), (1, 0), (6, 0), (0, 4)],
)
def test_stable_decimals(spread, decimals):
    assert stable_decimals(spread) == decimals


def test_stable_decimals_respects_most_and_rejects_bad_input():
    assert stable_decimals(0, most=2) == 2 and stable_decimals(0.00004, most=2) == 2
    assert stable_decimals(0.5, most=0) == 0
    for spread in (-0.1, math.nan):
        with pytest.raises(ValueError, match="spread ≥ 0"):
            stable_decimals(spread)
    with pytest.raises(ValueError, match="most ≥ 0"):
        stable_decimals(0.1, most=-1)


@pytest.mark.parametrize(
    "args, text",
    [
        ((0.8312, 2), "0.83"),
        ((3.0, 0), "3"),
        ((-0.04, 2), "−0.04"),
        ((0.8312, 0, True), "83 %"),
        ((0.8312, 1, True), "83.1 %"),
        ((0.12, 2, False, True), "+0.12"),
        ((-0.04, 2, False, True), "−0.04"),
        ((0.05, 1, True, True), "+5.0 %"),
        ((0.004, 2, False, True), "0.00"),
        ((-0.004, 2, False, True), "0.00"),  # rounds to zero: no sign
    ],
)
def test_format_number(args, text):
    assert format_number(*args) == text


def test_format_number_rejects_bad_decimals():
    for decimals in (-1, 1.5):
        with pytest.raises(ValueError, match="decimals to be an integer ≥ 0"):
            format_number(0.5, decimals)


# Student's t


@pytest.mark.parametrize(
    "df, t",
    [
        (1, 12.706205),
        (2, 4.302653),
        (4, 2.776445),
        (10, 2.228139),
        (30, 2.042272),
        (40, 2.021075),
        (120, 1.979930),
        (math.inf, 1.959964),
    ],
)
def test_t_quantile_table_values(df, t):
    assert t_quantile(df) == pytest.approx(t, abs=1e-12)


@pytest.mark.parametrize("df, t", [(35, 2.030108), (50, 2.008559), (200, 1.971896), (1000, 1.962339)])
def test_t_quantile_between_rows(df, t):
    assert t_quantile(df) == pytest.approx(t, abs=1e-4)


def test_t_quantile_falls_towards_the_normal_and_needs_one_degree_of_freedom():
    ts = [t_quantile(df) for df in range(1, 2001)]
    assert all(earlier > later for earlier, later in zip(ts, ts[1:]))
    assert t_quantile(1000) == pytest.approx(1.96, abs=3e-3)
    for df in (0, 0.5, math.nan):
        with pytest.raises(ValueError, match="at least 1 degree of freedom"):
            t_quantile(df)


def test_range_text_shows_the_seeds_range_alone():
    summary = summarise({0: 0.80, 1: 0.86, 2: 0.83})
    assert summary.range_text(2) == "0.80–0.86" and summary.range_text(0, percent=True) == "80–86 %"
    assert summarise({0: -3.14, 1: -0.6}).range_text(1) == "−3.1 to −0.6"
    assert summarise({0: 0.999, 1: 1.0}).range_text(0, percent=True) == "100 %"
