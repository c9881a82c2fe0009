"""The contributions store: what communities add to the map, kept apart from the built data.

SQLite file by default, PostgreSQL/PostGIS when DATABASE_URL is set (lib/store/engine.py);
the schema is made by Alembic migrations (lib/store/migrations) when the store is opened.
This package never imports streamlit. The public read path is `public_contributions`.

The public read path is imported on first use, so a process that only submits does not load
geopandas.
"""

from importlib import import_module

from lib.store.engine import database_url, open_store, writing
from lib.store.submit import DEFAULT_LIMITS, RateLimits, Stored, submit
from lib.store.validation import Refused, Submission, ValidationError, check_bots, validate

_LAZY = {"PUBLIC_COLUMNS", "PublicFilter", "public_contributions", "public_version"}
__all__ = [
    "DEFAULT_LIMITS",
    "PUBLIC_COLUMNS",
    "PublicFilter",
    "RateLimits",
    "Refused",
    "Stored",
    "Submission",
    "ValidationError",
    "check_bots",
    "database_url",
    "open_store",
    "public_contributions",
    "public_version",
    "submit",
    "validate",
    "writing",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module("lib.store.public"), name)
    raise AttributeError(f"module 'lib.store' has no attribute {name!r}")
