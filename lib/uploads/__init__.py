"""Read a user's own file (CSV, GeoJSON, GeoPackage, zipped shapefile) safely, and say where
its features fall against London's policy areas and boroughs.

Never imports streamlit, folium or matplotlib: the UI layer holds the upload in the session
and draws it. Nothing read here is written to disk beyond a temporary folder that is removed.
"""

from lib.uploads.bounded import read_upload_bounded
from lib.uploads.geometry import London
from lib.uploads.model import (
    BNG,
    CRS_CHOICES,
    ERROR,
    INFO,
    ROW_COLUMN,
    WARNING,
    WGS84,
    Problem,
    UploadResult,
    max_upload_bytes,
)
from lib.uploads.reader import read_upload
from lib.uploads.summary import (
    annotate,
    download_geojson,
    download_table,
    london_shares,
    summarise,
)
from lib.uploads.tabular import Postcodes

__all__ = [
    "BNG",
    "CRS_CHOICES",
    "ERROR",
    "INFO",
    "ROW_COLUMN",
    "WARNING",
    "WGS84",
    "London",
    "Postcodes",
    "Problem",
    "UploadResult",
    "annotate",
    "download_geojson",
    "download_table",
    "london_shares",
    "max_upload_bytes",
    "read_upload",
    "read_upload_bounded",
    "summarise",
]
