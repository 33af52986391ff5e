"""rules stamp: processes cache each conference's watch list and running chats by it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rules_stamp", sa.String(length=32), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_column("rules_stamp")
