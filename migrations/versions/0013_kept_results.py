"""Kept results: what one app process counted for a dashboard, for every other process

The dashboards keep what they counted under the round's change stamp
(``services/review/counted.py``). Kept only in the process that counted it,
a count served one of the five workers of one server: after a change, each
worker of each server counted the same dashboard again. On PostgreSQL the
result is now also written here, one row per dashboard page (``family``: a
hash of what the page shows, the stamp aside), replaced when a newer stamp
is counted: the table holds one row per page shown, never a history, and
rows untouched for two days are swept out (pages are keyed by the day).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 11:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_results',
    sa.Column('family', sa.String(length=64), nullable=False),
    sa.Column('stamp_top', sa.Integer(), nullable=False),
    sa.Column('stamp_recent', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('kept_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('family', name=op.f('pk_kept_results'))
    )


def downgrade():
    op.drop_table('kept_results')
