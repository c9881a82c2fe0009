"""Read a GeoPackage or a shapefile with pyogrio, safely.

The bytes are written to a temporary folder that is always removed. Only a file whose content
was recognised (sniff.py) is opened, GeoPackages with the "GPKG:" prefix so that no other
driver can claim them, and every read runs with GDAL options that keep it off the network and
away from other local files.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pyogrio

from lib.uploads.model import MAX_FEATURES

#: GDAL configuration while an upload is read. Any URL GDAL might try goes nowhere: /vsicurl/
#: may only open a file name that cannot exist, through a proxy on a closed local port, with
#: no retries. SQLite-based formats (GeoPackage) may not reach external files or load
#: extensions, and no remote or virtual resource may refer to a local file.
SAFE_GDAL_OPTIONS = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/nonexistent/joined-up-london-upload",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "GDAL_VRT_ENABLE_RAWRASTERBAND": "NO",
    "GDAL_ENABLE_PYTHON_PATH": "NO",
}
DRIVERS = {"gpkg": "GPKG", "shapefile": "ESRI Shapefile"}
# GDAL configuration is process-wide: uploads read one at a time, the options restored after.
# The app reads uploads only in a child process of their own (bounded.py), so this lock is
# never held in the server while a read runs.
_LOCK = threading.Lock()


@contextlib.contextmanager
def safe_gdal() -> Iterator[None]:
    with _LOCK:
        before = {key: pyogrio.get_gdal_config_option(key) for key in SAFE_GDAL_OPTIONS}
        pyogrio.set_gdal_config_options(SAFE_GDAL_OPTIONS)
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options(before)


@contextlib.contextmanager
def temporary_folder() -> Iterator[Path]:
    """A private folder for one upload's files, removed however the read ends."""
    with tempfile.TemporaryDirectory(prefix="joined-up-upload-") as folder:
        yield Path(folder)


class GdalRead:
    """One opened upload: its layers, and each layer read as a GeoDataFrame."""

    def __init__(self, path: Path, fmt: str):
        self.path = path
        self.format = fmt
        # "GPKG:path" makes GDAL use the GeoPackage driver and no other.
        self.source = f"GPKG:{path}" if fmt == "gpkg" else str(path)

    def layers(self) -> list[tuple[str, str | None]]:
        """(name, geometry type or None for a table without geometry) for each layer."""
        return [(str(name), geom) for name, geom in pyogrio.list_layers(self.source)]

    def info(self, layer: str | None = None) -> dict:
        info = pyogrio.read_info(self.source, layer=layer)
        if info.get("driver") != DRIVERS[self.format]:
            raise ValueError(f"opened by the {info.get('driver')} driver")
        return info

    def read(self, layer: str | None = None, encoding: str | None = None):
        """The layer, at most MAX_FEATURES + 1 rows (one more says there are too many)."""
        return pyogrio.read_dataframe(
            self.source,
            layer=layer,
            encoding=encoding,
            on_invalid="ignore",
            max_features=MAX_FEATURES + 1,
        )


def clean_message(exc: BaseException, folder: Path, name: str) -> str:
    """The gist of GDAL's message: its last clause, without SQL or the temporary folder
    ("sqlite3_prepare_v2(SELECT ...) failed: database disk image is malformed" -> "database
    disk image is malformed")."""
    text = str(exc).replace(f"GPKG:{folder}", name).replace(str(folder), name)
    clauses = [c.strip() for c in text.split(";") if c.strip()]
    gist = clauses[-1].rsplit("failed: ", 1)[-1] if clauses else ""
    gist = gist.strip().rstrip(".")
    if len(gist) > 160:
        gist = gist[:159] + "…"
    return gist or type(exc).__name__
