"""The statistics kernel: Wilson intervals, correlations with intervals, and closures per
site-year: mid-p exact Poisson intervals, the Mantel-Haenszel rate ratio with a mid-p exact
conditional interval and test over strata, and Holm's correction. Numbers in, numbers out.
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


# ---------------------------------------------------------------- closures per site-year


_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _midp_root(tail, target: float, lo: float = -30.0, hi: float = 30.0) -> float:
    """The x in [lo, hi] where the increasing function ``tail(x)`` equals ``target``, by
    bisection (to about 1e-10 on the log scale)."""
    for _ in range(40):
        mid = (lo + hi) / 2
        if tail(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _poisson_pmf(k: int, mean: float) -> np.ndarray:
    """P(X = 0..k) for a Poisson count with this mean."""
    x = np.arange(k + 1)
    if mean <= 0:
        return (x == 0).astype(float)
    return np.exp(x * math.log(mean) - mean - _lgamma(x + 1.0))


def poisson_midp_interval(k: int, z: float = 1.96) -> tuple[float, float]:
    """Mid-p exact interval for the mean of a Poisson count k (95% with z = 1.96): the means
    at which P(X > k) + P(X = k)/2, and P(X < k) + P(X = k)/2, equal 2.5%. Divide by the
    site-years for a rate's interval. k = 0 gives (0, ln 20 = 3.00)."""
    k = int(k)
    alpha = math.erfc(z / math.sqrt(2)) / 2  # one tail: 0.025 for z = 1.96

    def upper_tail(log_mean: float) -> float:  # P(X > k) + P(X = k)/2, rising with the mean
        pmf = _poisson_pmf(k, math.exp(log_mean))
        return float(1 - pmf.sum() + pmf[-1] / 2)

    def lower_tail(log_mean: float) -> float:  # P(X < k) + P(X = k)/2, falling with the mean
        pmf = _poisson_pmf(k, math.exp(log_mean))
        return float(pmf[:-1].sum() + pmf[-1] / 2)

    hi = math.exp(_midp_root(lambda m: -lower_tail(m), -alpha, -30, 10))
    lo = 0.0 if k == 0 else math.exp(_midp_root(upper_tail, alpha, -30, 10))
    return lo, hi


def poisson_rate_interval(k, years, z: float = 1.96):
    """Mid-p intervals of closures k per site-year over ``years`` (array-likes; NaN where no
    years)."""
    k_arr = np.atleast_1d(np.asarray(k, dtype=int))
    y_arr = np.atleast_1d(np.asarray(years, dtype=float))
    lo, hi = np.full(len(k_arr), np.nan), np.full(len(k_arr), np.nan)
    for i, (count, t) in enumerate(zip(k_arr, y_arr, strict=True)):
        if t > 0:
            m_lo, m_hi = poisson_midp_interval(int(count), z)
            lo[i], hi[i] = m_lo / t, m_hi / t
    return lo, hi


class RateRatioTest(NamedTuple):
    """A rate ratio of closures per site-year inside against elsewhere, over strata."""

    ratio: float  # Mantel-Haenszel (one stratum: the plain ratio of the two rates)
    lo: float  # mid-p exact conditional interval
    hi: float
    p: float  # two-sided mid-p exact conditional test of ratio 1
    closed_in: int
    closed_out: int
    expected_in: float  # closures inside if the rate inside were the rate elsewhere
    note: str


def _informative(strata) -> list[tuple[int, float, int, float]]:
    """Strata (closures inside, site-years inside, closures elsewhere, site-years elsewhere)
    with site-years on both sides and at least one closure: the others carry no information
    on the ratio."""
    out = []
    for a, t1, b, t2 in strata:
        if t1 > 0 and t2 > 0 and a + b > 0:
            out.append((int(a), float(t1), int(b), float(t2)))
    return out


def _log_combs(n: int) -> np.ndarray:
    """log C(n, x) for x = 0..n."""
    x = np.arange(n + 1, dtype=float)
    return math.lgamma(n + 1) - _lgamma(x + 1) - _lgamma(n - x + 1)


def _conditional_pmf(prepared, log_ratio: float) -> np.ndarray:
    """P(total closures inside = 0..N) given each stratum's closures, at this rate ratio: the
    convolution of the strata's binomials, Bin(a+b, r t1 / (r t1 + t2)). ``prepared``: per
    stratum (x = 0..n, log C(n, x), t1, t2)."""
    dist = np.ones(1)
    for x, log_c, t1, t2 in prepared:
        w = math.exp(log_ratio) * t1
        log_p, log_q = math.log(w / (w + t2)), math.log(t2 / (w + t2))
        dist = np.convolve(dist, np.exp(log_c + x * log_p + (x[-1] - x) * log_q))
    return dist / dist.sum()


def person_time_mh(strata) -> float:
    """Mantel-Haenszel rate ratio over strata of (a, t1, b, t2): sum(a t2 / T) / sum(b t1 / T)."""
    r = sum(a * t2 / (t1 + t2) for a, t1, b, t2 in strata)
    s_ = sum(b * t1 / (t1 + t2) for a, t1, b, t2 in strata)
    return r / s_ if s_ > 0 else (math.inf if r > 0 else float("nan"))


def rate_ratio_test(strata, z: float = 1.96, interval: bool = True) -> RateRatioTest:
    """Rate ratio of closures per site-year, inside against elsewhere, over strata of
    (closures inside, site-years inside, closures elsewhere, site-years elsewhere): categories,
    or categories by borough; one stratum is the plain comparison.

    The point is the Mantel-Haenszel estimate. The interval and the test are exact and
    conditional: given each stratum's closures, those inside follow a binomial with
    probability r t1 / (r t1 + t2) at rate ratio r, so their total follows the convolution of
    the strata's binomials; the mid-p interval is the r at which each mid-p tail is 2.5%
    (no continuity correction, no 0.5 added to empty cells), and p is twice the smaller mid-p
    tail at r = 1. With no closures inside the interval starts at 0; with none elsewhere it
    has no upper end (inf). expected_in sums a stratum's closures times its share of
    site-years inside. With ``interval`` False only the ratio and the test are computed (lo
    and hi are NaN): a family of comparisons needs only their p-values.
    """
    nan = float("nan")
    strata = list(strata)
    closed_in = int(sum(a for a, _, _, _ in strata))
    closed_out = int(sum(b for _, _, b, _ in strata))
    years_in = sum(t for _, t, _, _ in strata)
    years_out = sum(t for _, _, _, t in strata)
    if years_in <= 0 or years_out <= 0:
        if years_in <= 0 and years_out <= 0:
            note = "no site-years in the window"
        else:
            note = f"no sites {'inside' if years_in <= 0 else 'elsewhere'}"
        return RateRatioTest(nan, nan, nan, nan, closed_in, closed_out, nan, note)
    useful = _informative(strata)
    expected = float(sum((a + b) * t1 / (t1 + t2) for a, t1, b, t2 in useful))
    if not useful:
        return RateRatioTest(
            nan, nan, nan, nan, closed_in, closed_out, expected, "no closures on either side"
        )
    a_sum = sum(a for a, _, _, _ in useful)
    n_sum = sum(a + b for a, _, b, _ in useful)
    alpha = math.erfc(z / math.sqrt(2)) / 2

    prepared = [
        (np.arange(a + b + 1, dtype=float), _log_combs(a + b), t1, t2) for a, t1, b, t2 in useful
    ]

    def upper(log_r: float) -> float:  # P(S > s) + P(S = s)/2: rises with the ratio
        pmf = _conditional_pmf(prepared, log_r)
        return float(pmf[a_sum + 1 :].sum() + pmf[a_sum] / 2)

    def lower(log_r: float) -> float:  # P(S < s) + P(S = s)/2: falls as the ratio rises
        pmf = _conditional_pmf(prepared, log_r)
        return float(pmf[:a_sum].sum() + pmf[a_sum] / 2)

    lo = hi = nan
    if interval:
        lo = 0.0 if a_sum == 0 else math.exp(_midp_root(upper, alpha))
        hi = math.inf if a_sum == n_sum else math.exp(_midp_root(lambda x: -lower(x), -alpha))
    p = min(1.0, 2 * min(upper(0.0), lower(0.0)))
    return RateRatioTest(person_time_mh(useful), lo, hi, p, closed_in, closed_out, expected, "")


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error over the values given; NaN
    values are left out of the family and stay NaN)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for i, idx in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[idx]))
        out[idx] = running
    return out


def cluster_bootstrap_mh(
    clusters, strata, units, draws: int = 2000, seed: int = 17, z: float = 1.96
) -> tuple[float, float]:
    """Percentile interval of the Mantel-Haenszel rate ratio when whole clusters are
    resampled with replacement (each cluster's sites together): for closures that are not
    independent, such as one chain's branches closing together.

    ``clusters`` and ``strata``: a label per unit (site); ``units``: per unit (closures inside,
    site-years inside, closures elsewhere, site-years elsewhere). Deterministic for a seed.
    """
    cluster_codes, cluster_of = np.unique(np.asarray(clusters, dtype=object), return_inverse=True)
    _, stratum_of = np.unique(np.asarray(strata, dtype=object), return_inverse=True)
    values = np.asarray(units, dtype=float).reshape(-1, 4)
    n_clusters, n_strata = len(cluster_codes), int(stratum_of.max()) + 1 if len(values) else 0
    if n_clusters == 0:
        return float("nan"), float("nan")
    # Each cluster's sums per stratum: (clusters, strata x 4), so a draw is a matrix product.
    by_stratum = np.zeros((n_clusters, n_strata, 4))
    np.add.at(by_stratum, (cluster_of, stratum_of), values)
    totals = by_stratum.reshape(n_clusters, -1)
    rng = np.random.default_rng(seed)
    drawn = np.empty((draws, n_strata * 4))
    chunk = 250  # draws at a time: a draws x clusters matrix of counts would be large
    for first in range(0, draws, chunk):
        size = min(chunk, draws - first)
        picked = rng.integers(0, n_clusters, size=(size, n_clusters))
        picked += np.arange(size)[:, None] * n_clusters
        counts = np.bincount(picked.ravel(), minlength=size * n_clusters).astype(float)
        drawn[first : first + size] = counts.reshape(size, n_clusters) @ totals
    a, t1, b, t2 = (drawn.reshape(draws, n_strata, 4)[..., k] for k in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(t1 + t2 > 0, t1 + t2, np.nan)
        r = np.nansum(a * t2 / t, axis=1)
        s = np.nansum(b * t1 / t, axis=1)
        ratios = np.where(s > 0, r / s, np.inf)
    alpha = math.erfc(z / math.sqrt(2)) / 2
    lo, hi = np.quantile(ratios, [alpha, 1 - alpha])
    return float(lo), float(hi)


class TrendTest(NamedTuple):
    """A log-linear trend in rates across ordered groups, within strata."""

    ratio: float  # the rate ratio per step of the score (conditional maximum likelihood)
    lo: float  # Wald interval on the log scale
    hi: float
    p: float  # two-sided score test of no trend (chi-squared, 1 df)


def rate_trend_test(closures, years, scores, z: float = 1.96) -> TrendTest:
    """Trend in closures per site-year across ordered groups (columns, e.g. deprivation fifths
    scored 1-5), within strata (rows, e.g. categories): closures inside each stratum, given
    its total, split over the groups in proportion to site-years times exp(beta * score). The
    score test of beta = 0 is the Mantel extension (the test for trend in person-time rates);
    the estimate is the conditional maximum likelihood, by Newton's method."""
    d = np.atleast_2d(np.asarray(closures, dtype=float))
    t = np.atleast_2d(np.asarray(years, dtype=float))
    x = np.asarray(scores, dtype=float)
    keep = (d.sum(axis=1) > 0) & ((t > 0).sum(axis=1) > 1)
    d, t = d[keep], t[keep]
    nan = float("nan")
    if not len(d):
        return TrendTest(nan, nan, nan, nan)
    total = d.sum(axis=1)

    def score_info(beta: float) -> tuple[float, float]:
        w = t * np.exp(beta * x)
        p = w / w.sum(axis=1, keepdims=True)
        mean = (p * x).sum(axis=1)
        var = (p * x * x).sum(axis=1) - mean**2
        return float((d @ x - total * mean).sum()), float((total * var).sum())

    u0, v0 = score_info(0.0)
    p_value = math.erfc(abs(u0) / math.sqrt(2 * v0)) if v0 > 0 else nan
    beta = 0.0
    for _ in range(50):
        u, v = score_info(beta)
        if v <= 0:
            return TrendTest(nan, nan, nan, p_value)
        step = u / v
        beta += step
        if abs(step) < 1e-10:
            break
    _, v = score_info(beta)
    half = z / math.sqrt(v)
    return TrendTest(math.exp(beta), math.exp(beta - half), math.exp(beta + half), p_value)
