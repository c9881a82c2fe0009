"""The contributions store: what communities add to the map, kept apart from the built data.

SQLite file by default, PostgreSQL/PostGIS when DATABASE_URL is set (lib/store/engine.py);
the schema is made by Alembic migrations (lib/store/migrations) when the store is opened.
This package never imports streamlit. The public read path is `public_contributions`.
"""

from lib.store.engine import database_url, open_store, writing
from lib.store.public import PUBLIC_COLUMNS, PublicFilter, public_contributions
from lib.store.submit import DEFAULT_LIMITS, RateLimits, Stored, submit
from lib.store.validation import Refused, Submission, ValidationError, check_bots, validate

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
    "submit",
    "validate",
    "writing",
]
