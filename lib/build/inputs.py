"""The build's input kit: reading each raw input through the catalogue, the build report, and
the text repairs every reader shares. A missing or malformed input stops the build with the
file named (InputError)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import make_valid

from lib.vocab.sources import SOURCES

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


class InputError(Exception):
    """A raw input is missing or not in the expected form."""


@dataclass
class Report:
    rows: list[dict] = field(default_factory=list)

    def add(self, step, source, rows_in, rows_out, repaired=0, dropped=0, note=""):
        self.rows.append(
            dict(
                step=step,
                source=source,
                rows_in=int(rows_in),
                rows_out=int(rows_out),
                repaired=int(repaired),
                dropped=int(dropped),
                note=note,
            )
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            self.rows,
            columns=["step", "source", "rows_in", "rows_out", "repaired", "dropped", "note"],
        )


def source_path(source_dir: Path, key: str) -> Path:
    src = SOURCES[key]
    path = source_dir / src.path
    if not path.exists():
        raise InputError(
            f"Missing input {path}: expected {src.title} ({src.publisher}). "
            f"Download it from {src.upstream} or point --source / GEODATA_SOURCE at the folder "
            "that holds it."
        )
    return path


def require_columns(frame: pd.DataFrame, columns, path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"Malformed input {path}: missing column(s) {', '.join(map(str, missing))}"
        )


def read_csv(source_dir: Path, key: str, columns, **kwargs) -> pd.DataFrame:
    path = source_path(source_dir, key)
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"Malformed input {path}: not a readable CSV ({exc})") from exc
    require_columns(frame, columns, path)
    return frame


def read_layer(source_dir: Path, key: str, columns, path: Path | None = None) -> gpd.GeoDataFrame:
    path = path or source_path(source_dir, key)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"Malformed input {path}: not a readable vector file ({exc})") from exc
    require_columns(frame, columns, path)
    if frame.empty:
        raise InputError(f"Malformed input {path}: no features")
    # A truncated shapefile still opens, with the features past the cut left without geometry.
    missing = int((frame.geometry.isna() | frame.geometry.is_empty).sum())
    if missing:
        raise InputError(
            f"Malformed input {path}: {missing} of {len(frame)} features have no "
            "geometry (truncated or damaged file?)"
        )
    return frame


def read_postcodes(src: Path) -> pd.DataFrame:
    """Code-Point Open, current and terminated: the one reader of these files (the app reads
    the `postcodes` layer the build writes from this)."""
    columns = ["postcode_nospace", "easting", "northing", "admin_district_code"]
    current = read_csv(src, "postcodes", columns, usecols=columns).assign(terminated=False)
    old = read_csv(src, "postcodes_2014", columns, usecols=columns).assign(terminated=True)
    # Current postcodes win where a postcode is in both.
    return (
        pd.concat([current, old])
        .drop_duplicates("postcode_nospace")
        .rename(columns={"postcode_nospace": "postcode", "admin_district_code": "gss_code"})
        .set_index("postcode")
    )


def repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        frame = frame.copy()
        frame.loc[invalid, "geometry"] = make_valid(frame.geometry[invalid].values)
    return frame, int(invalid.sum())


def stable_id(prefix: str, *parts) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


MOJIBAKE = re.compile("Ã|â€|Â")


def repair_text(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("CafÃ©" -> "Café"); other text is left as it is."""
    if not MOJIBAKE.search(text):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text


def normalise_name(name: str) -> str:
    name = re.sub(r"[^a-z0-9 ]", " ", str(name).lower().replace("&", " and "))
    return " ".join(name.split())
