"""A workshop's weights: each phone's weights for the needs index (one row per phone, changed
in place), and the weights the facilitator adopted for the session.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_weights",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("workshop_sessions.id"), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("weights", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("session_id", "phone"),
    )
    op.add_column("workshop_sessions", sa.Column("weights", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workshop_sessions") as batch:
        batch.drop_column("weights")
    op.drop_table("room_weights")
