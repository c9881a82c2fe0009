"""A workshop's wall can be held: while it is, the wall shows only reports a moderator approved
(a facilitator's answer to a phone flooding it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "workshop_sessions",
        sa.Column("wall_held", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("workshop_sessions") as batch:
        batch.drop_column("wall_held")
