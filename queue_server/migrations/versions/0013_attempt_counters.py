"""attempt counters for every guessable secret (issue 15)

dossier_lookup_failures (per dossier code) becomes attempt_counters: one row per key
(a login account or address, a dossier code from one address, a booking phone, ...),
counted before the secret is checked. Old counts are only minutes old and are dropped.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UTC = queue_server.adapters.tables.UtcDateTime


def upgrade() -> None:
    op.create_table('attempt_counters',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('window_started_at', UTC(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_attempt_counters'))
    )
    with op.batch_alter_table('attempt_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_counters_window_started_at'), ['window_started_at'], unique=False)
    with op.batch_alter_table('dossier_lookup_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_lookup_failures_window_started_at'))
    op.drop_table('dossier_lookup_failures')


def downgrade() -> None:
    op.create_table('dossier_lookup_failures',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('window_started_at', UTC(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dossier_lookup_failures'))
    )
    with op.batch_alter_table('dossier_lookup_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_lookup_failures_window_started_at'), ['window_started_at'], unique=False)
    with op.batch_alter_table('attempt_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_counters_window_started_at'))
    op.drop_table('attempt_counters')
