"""The statistics kernel: Wilson intervals, rate ratios, Fisher exact tests (also stratified),
Mantel-Haenszel pooling and correlations with intervals. Numbers in, numbers out.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd


def wilson_interval(k, n, z: float = 1.96):
    """Wilson score interval for a proportion k/n; returns (lo, hi).

    Works on scalars (returns floats) or array-likes (returns arrays). Where n is 0 the
    bounds are NaN.
    """
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        z2 = z * z
        denom = 1 + z2 / n_arr
        centre = (p + z2 / (2 * n_arr)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n_arr + z2 / (4 * n_arr * n_arr))
        lo = np.where(n_arr > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n_arr > 0, np.clip(centre + half, 0, 1), np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


class RateRatio(NamedTuple):
    ratio: float
    lo: float
    hi: float
    note: str  # "" when the plain Katz interval applies; otherwise what was done and why


def rate_ratio(
    a: int, n1: int, b: int, n2: int, z: float = 1.96, correction: float = 0.5
) -> RateRatio:
    """Ratio of two proportions (a/n1) / (b/n2) with a Katz log interval.

    log RR +/- z * sqrt(1/a - 1/n1 + 1/b - 1/n2). When a cell of the 2x2 table is zero (no
    closures on a side, or every site on a side closed) the log interval is undefined or
    collapses, so ``correction`` (0.5, the Haldane-Anscombe correction) is added to every cell
    (closed and still-open, on each side: a+0.5 of n1+1, b+0.5 of n2+1) and both the ratio and
    its interval come from the corrected counts; ``note`` says so. With no sites on a side, or
    no closures on either side, there is no ratio: all three figures are NaN and ``note``
    explains. Nothing raises on zero counts.
    """
    a, n1, b, n2 = (int(x) for x in (a, n1, b, n2))
    nan = float("nan")
    if min(a, n1, b, n2) < 0 or a > n1 or b > n2:
        raise ValueError(f"closures must lie between 0 and the sites: {a}/{n1}, {b}/{n2}")
    if n1 == 0 or n2 == 0:
        side = "inside" if n1 == 0 else "outside"
        return RateRatio(nan, nan, nan, f"no sites {side}, so no ratio")
    if a == 0 and b == 0:
        return RateRatio(nan, nan, nan, "no closures on either side, so no ratio")
    note = ""
    fa, fn1, fb, fn2 = float(a), float(n1), float(b), float(n2)
    zero_cells = [
        text
        for text, hit in [
            ("no closures inside", a == 0),
            ("every site inside closed", a == n1),
            ("no closures outside", b == 0),
            ("every site outside closed", b == n2),
        ]
        if hit
    ]
    if zero_cells:
        if not correction:
            ratio = (fa / fn1) / (fb / fn2) if b else math.inf
            return RateRatio(
                ratio, nan, nan, f"{'; '.join(zero_cells)}: the log interval is undefined"
            )
        fa, fb = fa + correction, fb + correction
        fn1, fn2 = fn1 + 2 * correction, fn2 + 2 * correction
        note = (
            f"{'; '.join(zero_cells)}: {correction:g} added to every cell of the 2x2 table "
            "(Haldane-Anscombe correction) before computing the ratio and its interval"
        )
    ratio = (fa / fn1) / (fb / fn2)
    se = math.sqrt(max(1 / fa - 1 / fn1 + 1 / fb - 1 / fn2, 0.0))
    lo = math.exp(math.log(ratio) - z * se)
    hi = math.exp(math.log(ratio) + z * se)
    return RateRatio(ratio, lo, hi, note)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, n1: int, b: int, n2: int) -> float:
    """Two-sided Fisher exact test p-value for a/n1 against b/n2 (NaN when a side is empty).

    Sums the hypergeometric probabilities of every table with the same margins that is no
    more likely than the observed one (the usual two-sided definition, as in R and SciPy).
    Used as a check on the Katz interval when counts are small.
    """
    a, n1, b, n2 = (int(x) for x in (a, n1, b, n2))
    if n1 <= 0 or n2 <= 0:
        return float("nan")
    total, closed = n1 + n2, a + b
    low, high = max(0, closed - n2), min(closed, n1)
    log_den = _log_comb(total, closed)
    xs = np.arange(low, high + 1)
    log_p = np.array([_log_comb(n1, int(x)) + _log_comb(n2, int(closed - x)) - log_den for x in xs])
    observed = log_p[a - low]
    p = float(np.exp(log_p[log_p <= observed + 1e-7]).sum())
    return min(p, 1.0)


def mh_rate_ratio(strata, z: float = 1.96, correction: float = 0.5) -> RateRatio:
    """Mantel-Haenszel rate ratio over strata of (a, n1, b, n2), with the Greenland-Robins
    interval: var(ln RR) = sum((n1 n2 (a+b) - a b N) / N²) / (R S), R = sum(a n2 / N),
    S = sum(b n1 / N). With one stratum this is exactly the Katz interval. Strata with no sites
    on a side carry no information and drop out. If R or S is zero (no closures on a side in
    any stratum) ``correction`` is added to every cell of each informative stratum first.
    """
    strata = [tuple(float(x) for x in st) for st in strata if st[1] > 0 and st[3] > 0]
    nan = float("nan")
    if not strata:
        return RateRatio(nan, nan, nan, "no category has sites on both sides, so no ratio")
    if sum(a + b for a, _, b, _ in strata) == 0:
        return RateRatio(nan, nan, nan, "no closures on either side, so no ratio")

    def sums(rows):
        r = sum(a * n2 / (n1 + n2) for a, n1, b, n2 in rows)
        s_ = sum(b * n1 / (n1 + n2) for a, n1, b, n2 in rows)
        v = sum((n1 * n2 * (a + b) - a * b * (n1 + n2)) / (n1 + n2) ** 2 for a, n1, b, n2 in rows)
        return r, s_, v

    r, s_, v = sums(strata)
    note = ""
    if r == 0 or s_ == 0:
        c = correction
        strata = [(a + c, n1 + 2 * c, b + c, n2 + 2 * c) for a, n1, b, n2 in strata]
        r, s_, v = sums(strata)
        note = (
            f"a side has no closures: {c:g} added to every cell of each category's 2x2 "
            "table before computing the ratio and its interval"
        )
    ratio = r / s_
    se = math.sqrt(max(v / (r * s_), 0.0))
    return RateRatio(
        ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se), note
    )


def _hypergeom_pmf(a_low: int, a_high: int, n1: int, n2: int, closed: int) -> np.ndarray:
    log_den = _log_comb(n1 + n2, closed)
    return np.exp(
        [_log_comb(n1, x) + _log_comb(n2, closed - x) - log_den for x in range(a_low, a_high + 1)]
    )


def fisher_exact_stratified(strata) -> float:
    """Two-sided exact test of no difference inside/outside, conditional on each stratum's
    margins: the distribution of the total closures inside is the convolution of each
    stratum's hypergeometric distribution (one stratum: Fisher's exact test)."""
    strata = [tuple(int(x) for x in st) for st in strata if st[1] > 0 and st[3] > 0]
    if not strata:
        return float("nan")
    dist, offset, observed = np.ones(1), 0, 0
    for a, n1, b, n2 in strata:
        closed = a + b
        low, high = max(0, closed - n2), min(closed, n1)
        dist = np.convolve(dist, _hypergeom_pmf(low, high, n1, n2, closed))
        offset += low
        observed += a
    p_observed = dist[observed - offset]
    return min(float(dist[dist <= p_observed * (1 + 1e-7)].sum()), 1.0)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _fisher_interval(r: float, n: int, z: float, se_scale: float = 1.0) -> tuple[float, float]:
    if n <= 3 or pd.isna(r):
        return float("nan"), float("nan")
    if abs(r) >= 1:  # a perfect correlation: Fisher's z is infinite, the interval a point
        return float(r), float(r)
    fz, se = math.atanh(r), se_scale / math.sqrt(n - 3)
    return math.tanh(fz - z * se), math.tanh(fz + z * se)


def correlation(x, y, z: float = 1.96) -> dict:
    """Pearson r and Spearman rho (Pearson on ranks), each with a 95% interval, NaN-safe.

    Pearson's interval is Fisher's z; Spearman's uses Fisher's z with the Bonett-Wright
    standard error sqrt((1 + rho²/2) / (n - 3)). Returns n, r, r_lo, r_hi, rho, rho_lo, rho_hi.
    """
    frame = pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)})
    frame = frame.dropna()
    n = len(frame)
    r = _pearson(frame["x"].to_numpy(), frame["y"].to_numpy())
    rho = _pearson(frame["x"].rank().to_numpy(), frame["y"].rank().to_numpy())
    r_lo, r_hi = _fisher_interval(r, n, z)
    rho_lo, rho_hi = (
        _fisher_interval(rho, n, z, math.sqrt(1 + rho * rho / 2))
        if not pd.isna(rho)
        else (float("nan"), float("nan"))
    )
    return dict(n=n, r=r, r_lo=r_lo, r_hi=r_hi, rho=rho, rho_lo=rho_lo, rho_hi=rho_hi)
