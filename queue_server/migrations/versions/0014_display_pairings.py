"""display pairings: a one-time link exchanged for a browser display's cookie (issue 15)

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

UTC = queue_server.adapters.tables.UtcDateTime


def upgrade() -> None:
    op.create_table('display_pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('code_expires_at', UTC(), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('paired_at', UTC(), nullable=True),
    sa.Column('session_hash', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_display_pairings_created_by_staff')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_display_pairings_device_id_devices'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_display_pairings')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_display_pairings_code_hash')),
    sa.UniqueConstraint('session_hash', name=op.f('uq_display_pairings_session_hash'))
    )
    with op.batch_alter_table('display_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_display_pairings_device_id'), ['device_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('display_pairings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_display_pairings_device_id'))
    op.drop_table('display_pairings')
