"""Text that a spreadsheet would run: a CSV cell starting with =, +, -, @, a tab or a carriage
return is a formula to Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`, `@SUM(...)`).
Every CSV the app writes from contributed or downloaded text passes through `safe_text`, which
prefixes such a cell with a single quote, as OWASP advises ("CSV Injection"); numbers stay
numbers."""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """A text value a spreadsheet shows as text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell made safe (a copy; numeric columns untouched)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_text)
    return out
