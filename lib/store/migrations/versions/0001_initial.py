"""The contributions store: contributions, contacts, revisions, moderation log, moderators,
rate-limit events, and the one public view.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

The value lists are copied from lib/vocab/contributions.py as they were at this revision (a migration
must not change when the code does). On PostgreSQL: a PostGIS point column generated from x and
y, with a GiST index. On both engines: triggers that make revisions and the moderation log
append-only and refuse to delete a contribution.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KINDS = ("closed", "under_threat", "missing", "correction", "area_need")
CORRECTIONS = ("wrong_place", "wrong_name", "not_closed")
MODERATION = ("pending", "approved", "rejected", "needs_edit", "hidden")
OUTCOMES = ("reported", "confirmed", "reopened", "duplicate")
WHERE = ("postcode", "site", "map", "ward")

# Public columns of approved contributions. An area need is about a ward: its point (which may
# be near the contributor's home) is not published.
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

APPEND_ONLY = ("revisions", "moderation_log")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql":
        installed = bind.exec_driver_sql(
            "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"
        ).scalar()
        if not installed:  # needs a role allowed to create it; .ci/postgres.sh does it first
            op.execute("CREATE EXTENSION postgis")
    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("correction", sa.String(20)),
        sa.Column("site_id", sa.String(80)),
        sa.Column("category", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("event_date", sa.Date),
        sa.Column("evidence_url", sa.String(500)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("where_source", sa.String(10), nullable=False),
        sa.Column("postcode", sa.String(8)),
        sa.Column("x", sa.Float),
        sa.Column("y", sa.Float),
        sa.Column("gss_code", sa.String(9)),
        sa.Column("ward_code", sa.String(9)),
        sa.Column("moderation", sa.String(12), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("contributions.id")),
        sa.Column("licence", sa.String(40), nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("token", name="uq_contributions_token"),
        sa.CheckConstraint(_in("kind", KINDS), name="ck_contributions_kind"),
        sa.CheckConstraint(_in("moderation", MODERATION), name="ck_contributions_moderation"),
        sa.CheckConstraint(_in("outcome", OUTCOMES), name="ck_contributions_outcome"),
        sa.CheckConstraint(_in("where_source", WHERE), name="ck_contributions_where"),
        sa.CheckConstraint(
            f"correction IS NULL OR {_in('correction', CORRECTIONS)}",
            name="ck_contributions_correction_value",
        ),
        sa.CheckConstraint(
            "kind <> 'correction' OR (correction IS NOT NULL AND site_id IS NOT NULL)",
            name="ck_contributions_correction_site",
        ),
        sa.CheckConstraint(
            "kind <> 'area_need' OR ward_code IS NOT NULL", name="ck_contributions_area_ward"
        ),
        sa.CheckConstraint("consent", name="ck_contributions_consent"),
    )
    op.create_index("ix_contributions_moderation", "contributions", ["moderation"])
    op.create_index("ix_contributions_site_id", "contributions", ["site_id"])
    op.create_index("ix_contributions_gss_code", "contributions", ["gss_code"])
    op.create_index("ix_contributions_ward_code", "contributions", ["ward_code"])
    op.create_index("ix_contributions_xy", "contributions", ["x", "y"])

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("contribution_id", sa.Integer, sa.ForeignKey("contributions.id"), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("contact", sa.String(320)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("contribution_id", name="uq_contacts_contribution"),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("contribution_id", sa.Integer, sa.ForeignKey("contributions.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("edited_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("contribution_id", "revision", name="uq_revisions_number"),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("contribution_id", sa.Integer, sa.ForeignKey("contributions.id"), nullable=False),
        sa.Column("moderator", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_value", sa.String(20)),
        sa.Column("to_value", sa.String(20)),
        sa.Column("reason_code", sa.String(30)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_moderation_log_contribution_id", "moderation_log", ["contribution_id"])
    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("name", name="uq_moderators_name"),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_rate_events_key_time", "rate_events", ["key", "created_at"])

    op.execute(PUBLIC_VIEW)

    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE contributions ADD COLUMN geom geometry(Point, 27700) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 27700)) STORED"
        )
        op.execute("CREATE INDEX ix_contributions_geom ON contributions USING gist (geom)")
        op.execute(
            "CREATE FUNCTION store_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% refuses %: it is append-only', TG_TABLE_NAME, TG_OP; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION store_refuse_change()"
            )
        op.execute(
            "CREATE TRIGGER contributions_never_deleted BEFORE DELETE ON contributions "
            "FOR EACH ROW EXECUTE FUNCTION store_refuse_change()"
        )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} refuses {event}: it is append-only'); "
                    "END"
                )
        op.execute(
            "CREATE TRIGGER contributions_never_deleted BEFORE DELETE ON contributions "
            "BEGIN SELECT RAISE(ABORT, 'contributions refuses DELETE'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW public_contributions")
    for table in (
        "rate_events",
        "moderators",
        "moderation_log",
        "revisions",
        "contacts",
        "contributions",
    ):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION store_refuse_change()")
