"""Bottleneck register with natural key and lead rows; index derived on read

The register is derived data: its old rows (labels in a text ``detail``, lead
agencies in a JSON list) cannot be keyed reliably, so they are dropped here and
rebuilt with ``flask scores recompute --round <code>`` after the upgrade. The
unit's index is no longer stored: it is derived on read from the group scores.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 01:37:42.465655

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM bottlenecks")  # rebuilt by `flask scores recompute`
    op.create_table('bottleneck_leads',
    sa.Column('bottleneck_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bottleneck_id'], ['bottlenecks.id'], name=op.f('fk_bottleneck_leads_bottleneck_id_bottlenecks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_bottleneck_leads_unit_id_units')),
    sa.PrimaryKeyConstraint('bottleneck_id', 'unit_id', name=op.f('pk_bottleneck_leads'))
    )
    with op.batch_alter_table('bottleneck_leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bottleneck_leads_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('bottlenecks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('item_key', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('row', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_bottlenecks_response_id'), ['response_id'], unique=False)
        batch_op.create_unique_constraint('uq_bottlenecks_natural_key', ['response_id', 'question_code', 'kind', 'item_key'])
        batch_op.create_foreign_key(batch_op.f('fk_bottlenecks_response_id_responses'), 'responses', ['response_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('detail')
        batch_op.drop_column('lead_agencies')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('overall_index')
        batch_op.drop_column('band')



def downgrade():
    op.execute("DELETE FROM bottleneck_leads")
    op.execute("DELETE FROM bottlenecks")  # rebuilt by `flask scores recompute`
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('band', sa.VARCHAR(length=10), nullable=True))
        batch_op.add_column(sa.Column('overall_index', sa.FLOAT(), nullable=True))

    with op.batch_alter_table('bottlenecks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_agencies', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('detail', sa.TEXT(), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_bottlenecks_response_id_responses'), type_='foreignkey')
        batch_op.drop_constraint('uq_bottlenecks_natural_key', type_='unique')
        batch_op.drop_index(batch_op.f('ix_bottlenecks_response_id'))
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('first_seen_at')
        batch_op.drop_column('row')
        batch_op.drop_column('item_key')
        batch_op.drop_column('response_id')

    with op.batch_alter_table('bottleneck_leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bottleneck_leads_unit_id'))

    op.drop_table('bottleneck_leads')
