"""account erasure: a post outlives its erased author as a tombstone without an author

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # Deleting an account keeps its posts' rows (status "deleted", no text, no author) so
    # that walls which showed them learn of the removal on catch-up (removed_seq).
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.alter_column("author_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM posts WHERE author_id IS NULL")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.alter_column("author_id", existing_type=sa.Integer(), nullable=False)
