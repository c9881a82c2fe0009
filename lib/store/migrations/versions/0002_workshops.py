"""Workshop sessions: a sessions table, the session a contribution was sent in, and whether a
facilitator typed it in for someone (scribed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

A session's code is short and typed on phones; it is unique among the sessions this store
started (an imported session keeps its code and its `uid`, the id that travels in a bundle,
so two instances' sessions never merge). `origin` says where an imported contribution came
from (the bundle's id for it), so importing a bundle twice stores nothing new. None of these
columns is in the public view: a room sees its session's wall, the public maps see only what
a moderator approved, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("imported_at", sa.DateTime),
        sa.UniqueConstraint("uid", name="uq_workshop_sessions_uid"),
    )
    op.create_index("ix_workshop_sessions_code", "workshop_sessions", ["code"])
    # Plain ALTER TABLE ... ADD COLUMN on both engines (no batch copy of the table on SQLite,
    # which the public view and the triggers depend on).
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(
            "contributions",
            sa.Column(
                "session_id",
                sa.Integer,
                sa.ForeignKey("workshop_sessions.id", name="fk_contributions_session"),
            ),
        )
    else:  # SQLite adds a column's foreign key only written inline
        op.execute(
            "ALTER TABLE contributions ADD COLUMN session_id INTEGER "
            "CONSTRAINT fk_contributions_session REFERENCES workshop_sessions (id)"
        )
    op.add_column(
        "contributions",
        sa.Column("scribed", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("contributions", sa.Column("origin", sa.String(64)))
    op.create_index("ix_contributions_session_id", "contributions", ["session_id"])
    op.create_index("ix_contributions_origin", "contributions", ["origin"], unique=True)


# The public view as 0001 made it: SQLite copies the table to drop a column, so the view that
# reads it is dropped first and made again.
PUBLIC_VIEW = """
CREATE VIEW public_contributions AS
SELECT id, kind, correction, site_id, category, name, event_date, evidence_url, description,
       where_source,
       CASE WHEN kind = 'area_need' THEN NULL ELSE x END AS x,
       CASE WHEN kind = 'area_need' THEN NULL ELSE y END AS y,
       gss_code, ward_code, outcome, duplicate_of, licence, created_at, updated_at
FROM contributions
WHERE moderation = 'approved'
"""


def downgrade() -> None:
    op.drop_index("ix_contributions_origin", "contributions")
    op.drop_index("ix_contributions_session_id", "contributions")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_contributions_session", "contributions", type_="foreignkey")
        for name in ("origin", "scribed", "session_id"):
            op.drop_column("contributions", name)
    else:
        op.execute("DROP VIEW public_contributions")
        with op.batch_alter_table("contributions") as batch:
            for name in ("origin", "scribed", "session_id"):
                batch.drop_column(name)
        op.execute(PUBLIC_VIEW)
    op.drop_index("ix_workshop_sessions_code", "workshop_sessions")
    op.drop_table("workshop_sessions")
