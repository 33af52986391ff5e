"""mastodon limit: each person's Mastodon instance post limit, kept with their profile

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, no default: NULL means "not stated" and counts as Mastodon's 500. Adding a
    # column does not rebuild the users table on SQLite.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mastodon_limit", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mastodon_limit")
