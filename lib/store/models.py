"""SQLAlchemy models of the contributions store.

The schema itself is made by the Alembic migrations in lib/store/migrations (the same on SQLite
and PostgreSQL); these classes map it. On PostgreSQL the migration adds to `contributions` a
generated PostGIS column `geom` (Point, EPSG:27700, from x and y) with a GiST index; it is not
mapped here, so the code is the same on both engines. Coordinates are British National Grid
(EPSG:27700) metres, like the built GeoPackage. Times are UTC, stored without a zone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Contribution(Base):
    """One report. Every column here is public once approved except `moderation` details
    the public view leaves out (see PUBLIC_COLUMNS in lib/store/public.py)."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    correction: Mapped[str | None] = mapped_column(String(20))
    site_id: Mapped[str | None] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(80), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    where_source: Mapped[str] = mapped_column(String(10), nullable=False)
    postcode: Mapped[str | None] = mapped_column(String(8))
    x: Mapped[float | None] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float)
    gss_code: Mapped[str | None] = mapped_column(String(9), index=True)
    ward_code: Mapped[str | None] = mapped_column(String(9), index=True)
    moderation: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    outcome: Mapped[str] = mapped_column(String(12), nullable=False, default="reported")
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("contributions.id"))
    licence: Mapped[str] = mapped_column(String(40), nullable=False)
    consent: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    # Workshop mode (migration 0002); none of these is public.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_sessions.id"), index=True)
    scribed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    origin: Mapped[str | None] = mapped_column(String(64), unique=True)


class WorkshopSession(Base):
    """A workshop: a short code people type on their phones to send contributions into it.
    `uid` travels in the session's bundle; `imported_at` is set on a session made by importing
    one (never joinable: it ended where it ran)."""

    __tablename__ = "workshop_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    code: Mapped[str] = mapped_column(String(8), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    started_by: Mapped[str] = mapped_column(String(200), nullable=False)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    imported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Held (migration 0003): the wall shows only approved reports.
    wall_held: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The needs index's weights the facilitator adopted for the session (0004), JSON.
    weights: Mapped[str | None] = mapped_column(Text)


class RoomWeights(Base):
    """One phone's weights for the needs index in a workshop (0004): `phone` is a hash of a
    random id the phone's browser session holds, nothing personal; one row per phone."""

    __tablename__ = "room_weights"
    __table_args__ = (UniqueConstraint("session_id", "phone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id"), nullable=False)
    phone: Mapped[str] = mapped_column(String(64), nullable=False)
    weights: Mapped[str] = mapped_column(Text, nullable=False)  # JSON: domain -> 0..MAX_WEIGHT
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class Contact(Base):
    """Optional contact details, for the moderators only. Never joined into anything public;
    the only row the store ever deletes (erase_contact, on request)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id"), unique=True, nullable=False
    )
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class Revision(Base):
    """Append-only: revision 1 is what was submitted; each edit adds the full new content.
    Database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("contribution_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id"), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)  # JSON of the editable fields
    edited_by: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class ModerationEntry(Base):
    """Who did what, when and why. Append-only (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id"), nullable=False, index=True
    )
    moderator: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_value: Mapped[str | None] = mapped_column(String(20))
    to_value: Mapped[str | None] = mapped_column(String(20))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class Moderator(Base):
    """A local account: the password is stored as a salted scrypt hash."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(300), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class RateEvent(Base):
    """One accepted submission (or failed sign-in) per key, for rate limits shared by every app
    process. The key is a hash (of a session id or a client address), never the address."""

    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
