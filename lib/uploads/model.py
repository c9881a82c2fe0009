"""What reading an upload returns: the features, the problems found, and any question to ask.

Row numbers in messages are the ones a person can find in their file: for a CSV the row as a
spreadsheet numbers it (the header is row 1, so the first record is row 2); for GeoJSON,
GeoPackage and shapefiles the feature's position in the layer, counting from 1.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
#: The coordinate systems a user can choose when a file does not say which it uses.
CRS_CHOICES = {
    BNG: "British National Grid (eastings and northings in metres)",
    WGS84: "WGS84 longitude and latitude (degrees)",
}
DEFAULT_MAX_MB = 25
#: The work one upload may make, whatever its size on disk (a small GeoPackage can hold a view
#: of millions of rows; a polygon's repair grows with the square of its vertices).
MAX_FEATURES = 200_000
MAX_FEATURE_VERTICES = 100_000
MAX_VERTICES = 2_000_000
MAX_MB_VARIABLE = "JOINED_UP_UPLOAD_MAX_MB"
#: The column of the features (and of every download) holding the row or feature number.
ROW_COLUMN = "source_row"
FORMAT_LABELS = {
    "csv": "CSV",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shapefile": "zipped shapefile",
}

ERROR = "error"  # nothing (or these rows) could be read
WARNING = "warning"  # read, but changed or dropped: the user should look
INFO = "info"  # how the file was read


def max_upload_bytes() -> int:
    """The largest upload accepted, from JOINED_UP_UPLOAD_MAX_MB (megabytes; default 25)."""
    raw = os.environ.get(MAX_MB_VARIABLE, "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    if not mb > 0:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def megabytes(n_bytes: int) -> str:
    """A size as people read it: '25 MB', '1.5 MB', '293.0 KB'."""
    mb = n_bytes / (1024 * 1024)
    if mb < 1:
        return f"{n_bytes / 1024:,.1f} KB"
    return f"{mb:,.0f} MB" if mb == int(mb) else f"{mb:,.1f} MB"


def number_list(numbers: Iterable[int], limit: int = 12) -> str:
    """2, 3, 4, 7 -> '2–4, 7'; past `limit` runs, '… and N more'."""
    values = sorted(set(int(n) for n in numbers))
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    parts = [f"{a}" if a == b else f"{a}, {b}" if b == a + 1 else f"{a}–{b}" for a, b in runs]
    if len(parts) > limit:
        rest = sum(b - a + 1 for a, b in runs[limit:])
        return ", ".join(parts[:limit]) + f" … and {rest:,} more"
    return ", ".join(parts)


def where(label: str, rows: Iterable[int]) -> str:
    """'Row 3', 'Rows 2–4, 7', 'Feature 1', 'Features 1, 2'."""
    rows = sorted(set(rows))
    return f"{label}{'s' if len(rows) > 1 else ''} {number_list(rows)}"


def where_in_sentence(label: str, rows: Iterable[int]) -> str:
    """'rows 2–4, 7', for inside a sentence."""
    text = where(label, rows)
    return text[0].lower() + text[1:]


@dataclass(frozen=True)
class Problem:
    """One thing found while reading: a sentence that names the rows it is about."""

    message: str
    level: str = ERROR
    rows: tuple[int, ...] = ()


@dataclass
class UploadResult:
    """An upload read (or not): features in EPSG:27700, problems, and any question to ask.

    `needs_crs`: the file does not say which coordinate system it uses; ask, then read again
    with `crs=` one of CRS_CHOICES (`crs_suggestion` is the one its values fit).
    `needs_layer`: the file has several layers (`layers`); ask, then read again with `layer=`.
    """

    name: str
    format: str | None = None
    features: gpd.GeoDataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    row_label: str = "Feature"
    crs: str | None = None  # the coordinate system the file was read in
    needs_crs: bool = False
    crs_suggestion: str | None = None
    layers: tuple[str, ...] = ()
    layer: str | None = None
    needs_layer: bool = False
    used_postcodes: bool = False  # some rows placed by Code-Point Open: credit it

    @property
    def ok(self) -> bool:
        return self.features is not None and not self.features.empty

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    def add(self, message: str, level: str = ERROR, rows: Iterable[int] = ()) -> None:
        self.problems.append(Problem(message, level, tuple(sorted(set(int(r) for r in rows)))))

    def add_rows(self, rows: Iterable[int], text: str, level: str = ERROR) -> None:
        """A problem about some rows: 'Rows 2–4: {text}'. Nothing when there are no rows."""
        rows = sorted(set(int(r) for r in rows))
        if rows:
            self.add(f"{where(self.row_label, rows)}: {text}", level, rows)

    def fail(self, message: str) -> UploadResult:
        self.add(message, ERROR)
        self.features = None
        return self

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format or "", "file")
