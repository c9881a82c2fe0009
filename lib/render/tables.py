"""Display tables of the loss pages: readable column names and formatted figures.

The pages offer the analysis layer's full-precision tables as CSV; these are for reading.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import pandas as pd

from lib.store import spreadsheet
from lib.vocab.categories import (
    RECORDING,
    RECORDING_CATEGORIES,
)
from lib.vocab.policies import ANALYSED, policy_title


def pct(p: float, digits: int = 1) -> str:
    """A fraction as a percentage: 0.161 -> '16.1%'; NaN -> '–'."""
    return DASH if pd.isna(p) else f"{100 * p:.{digits}f}%"


def pct_interval(lo: float, hi: float, digits: int = 1) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return DASH
    return f"{100 * lo:.{digits}f}{DASH}{100 * hi:.{digits}f}%"


def ratio(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:.2f}"


def ratio_interval(lo: float, hi: float) -> str:
    """'0.90–1.50'; an interval with no upper end '0.35–∞'."""
    if pd.isna(lo) or pd.isna(hi):
        return DASH
    return f"{lo:.2f}{DASH}{'∞' if math.isinf(hi) else f'{hi:.2f}'}"


def per_100(rate: float, lo: float, hi: float) -> str:
    """Losses per 100 site-years with the interval: '1.75 (1.36–2.21)'."""
    if pd.isna(rate):
        return DASH
    return f"{rate:.2f} ({lo:.2f}{DASH}{hi:.2f})"


def p_value(p: float) -> str:
    if pd.isna(p):
        return DASH
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def number(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:,.0f}"


def undated_sentence(undated: dict[str, int], where: str = "") -> str:
    """'1 closed library has no recorded closure year, so it is not in the chart.' from
    ``closures_by_year(...).attrs["undated"]``; '' when every closure has a year."""
    parts = [
        f"{n} closed {RECORDING[c].singular if n == 1 else RECORDING[c].plural}"
        for c, n in undated.items()
        if n
    ]
    if not parts:
        return ""
    total = sum(undated.values())
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb, pronoun = ("has", "it is") if total == 1 else ("have", "they are")
    return (
        f"{what}{f' in {where}' if where else ''} {verb} no recorded closure year, so "
        f"{pronoun} not in the chart."
    )


def _rows(table: pd.DataFrame, *columns: str):
    """Tuples of ``columns`` row by row."""
    return zip(*(table[c] for c in columns), strict=True)


def rate_with_interval(rate: float, lo: float, hi: float) -> str:
    """'16.1% (12.8–20.1)'."""
    if pd.isna(rate):
        return DASH
    return f"{pct(rate)} ({100 * lo:.1f}{DASH}{100 * hi:.1f})"


def ratio_with_interval(value: float, lo: float, hi: float) -> str:
    """'1.16 (0.90–1.50)'."""
    if pd.isna(value):
        return DASH
    return f"{value:.2f} ({ratio_interval(lo, hi)})"


def _with_interval(table: pd.DataFrame, key: str, fmt=None) -> list[str]:
    """Column ``key`` with its ``key_lo`` and ``key_hi`` as text: a rate ('16.1% (12.8–20.1)')
    or, with ``fmt=ratio_with_interval``, a ratio."""
    fmt = fmt or rate_with_interval
    return [fmt(*v) for v in _rows(table, key, f"{key}_lo", f"{key}_hi")]


def _counts(table: pd.DataFrame, side: str) -> list[str]:
    return [f"{k:,} / {t:,.0f}" for k, t in _rows(table, f"closed_{side}", f"years_{side}")]


def rates_display(table: pd.DataFrame) -> pd.DataFrame:
    """``closure_table`` with readable columns, formatted as text: losses / site-years on each
    side, rates per 100 site-years and the ratio each with its 95% interval, p-values (the CSV
    has the numbers)."""
    return pd.DataFrame(
        {
            "Category": table["category"],
            "Inside: losses / site-years": _counts(table, "in"),
            "Per 100 site-years inside (95% CI)": _with_interval(table, "rate_in", per_100),
            "Elsewhere: losses / site-years": _counts(table, "out"),
            "Per 100 site-years elsewhere (95% CI)": _with_interval(table, "rate_out", per_100),
            "Rate ratio (95% CI)": _with_interval(table, "ratio", ratio_with_interval),
            "p (mid-p exact)": table["p_value"].map(p_value),
            "p (Holm)": table["p_holm"].map(p_value),
            "Verdict": table["verdict"],  # says why when there is no ratio
        }
    )


def robustness_display(table: pd.DataFrame) -> pd.DataFrame:
    """``losses.robustness`` with readable columns."""
    return pd.DataFrame(
        {
            "Choice": table["choice"],
            "Losses inside / elsewhere": [
                f"{a:,} / {b:,}" for a, b in _rows(table, "closed_in", "closed_out")
            ],
            "Site-years inside / elsewhere": [
                f"{a:,.0f} / {b:,.0f}" for a, b in _rows(table, "years_in", "years_out")
            ],
            "Rate ratio (95% CI)": _with_interval(table, "ratio", ratio_with_interval),
            "Against the headline": table["judgement"],
            "Flips": table["flips"].map({True: "flips", False: ""}),
            "Verdict": table["verdict"],
        }
    )


def shares_display(table: pd.DataFrame) -> pd.DataFrame:
    """``share_table`` with readable columns."""
    return pd.DataFrame(
        {
            "Measure": table["measure"],
            "Share inside (95% CI)": [
                pct(s) if pd.isna(lo) else rate_with_interval(s, lo, hi)
                for s, lo, hi in _rows(table, "share", "share_lo", "share_hi")
            ],
            "Inside": table["inside"].map(number),
            "London": table["total"].map(number),
            "Unit": table["unit"],
            "How measured": table["caveat"],
        }
    )


def bands_display(table: pd.DataFrame) -> pd.DataFrame:
    """``distance_bands`` with readable columns."""
    return pd.DataFrame(
        {
            "Distance to a town centre": table["band"],
            "Per 100 site-years (95% CI)": _with_interval(table, "rate", per_100),
            "Losses": table["closed"].astype(int),
            "Site-years": table["years"].round().astype(int),
        }
    )


def closures_by_year_wide(table: pd.DataFrame, categories=RECORDING_CATEGORIES) -> pd.DataFrame:
    """``closures_by_year`` as one row per year with a recorded closure: a column per
    category and a total."""
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    wide = (
        table.pivot_table(
            index="year", columns="category", values="closures", aggfunc="sum", fill_value=0
        )
        .reindex(columns=chosen, fill_value=0)
        .astype(int)
    )
    wide["Total"] = wide.sum(axis=1)
    wide = (
        wide.rename(columns={c: RECORDING[c].short for c in chosen})
        .reset_index()
        .rename(columns={"year": "Year"})
    )
    wide.columns.name = None
    return wide


def pubs_display(change: pd.DataFrame, start: int = 2001, end: int = 2018) -> pd.DataFrame:
    """``pubs_change`` (between ``start`` and ``end``) with London (the sum of boroughs)
    first, then boroughs by name."""
    london = change.attrs["london"]
    rows = [
        dict(
            name="London (sum of boroughs)", population=float(change["population"].sum()), **london
        )
    ]
    frame = pd.concat([pd.DataFrame(rows), change.sort_values("name")], ignore_index=True)
    return pd.DataFrame(
        {
            "Borough": frame["name"],
            f"Pubs {start}": frame["pubs_start"].astype(int),
            f"Pubs {end}": frame["pubs_end"].astype(int),
            "Change": frame["change"].astype(int),
            "% change": frame["pct_change"].round(1),
            "Change per 10,000 residents": frame["change_per_10k"].round(2),
        }
    )


def correlation_display(table: pd.DataFrame) -> pd.DataFrame:
    """``pubs_policy_correlation`` with readable columns."""

    def interval(lo, hi):
        return DASH if pd.isna(lo) or pd.isna(hi) else f"{lo:.2f} to {hi:.2f}"

    return pd.DataFrame(
        {
            "Share of borough area in": [
                policy_title(p) if p in ANALYSED else p for p in table["policy"]
            ],
            "Boroughs": table["n"].astype(int),
            "Pearson r": table["r"].round(2),
            "r 95% CI": [interval(lo, hi) for lo, hi in _rows(table, "r_lo", "r_hi")],
            "Spearman rho": table["rho"].round(2),
            "rho 95% CI": [interval(lo, hi) for lo, hi in _rows(table, "rho_lo", "rho_hi")],
            "Reading": table["verdict"],
        }
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN -> null)."""
    return json.loads(frame.to_json(orient="records"))


def pubs_and_shares(change: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """``pubs_change`` joined with ``policy_share_by_borough``: one row per borough."""
    return change.merge(shares.drop(columns=["name"], errors="ignore"), on="gss_code")


def peak_year(table: pd.DataFrame) -> tuple[int, int] | None:
    """(year, closures) of the year with most closures in ``closures_by_year``; None if empty."""
    if table.empty:
        return None
    totals = table.groupby("year")["closures"].sum()
    return int(totals.idxmax()), int(totals.max())


MINUS = "\u2212"


DASH = "\u2013"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV for a download (no index), no cell a spreadsheet would run."""
    return spreadsheet.safe_frame(frame).to_csv(index=False).encode("utf-8")


def compact(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """`columns` of `frame` (all when None) as a browser table is sent them, in fewer bytes
    and with every value the same: repeated text as categories (each text sent once), whole
    numbers in the smallest integer type that holds them (Arrow sends each at its width)."""
    out = frame[list(columns)] if columns is not None else frame
    changed = {}
    for name, column in out.items():
        if pd.api.types.is_integer_dtype(column) and len(column):
            changed[name] = pd.to_numeric(column, downcast="integer")
        elif pd.api.types.is_string_dtype(column) and column.nunique() <= len(column) // 2:
            changed[name] = column.astype("category")
    return out.assign(**changed) if changed else out
