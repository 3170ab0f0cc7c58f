"""the kiosk menu of a site (issue 14): a manager's pins, hides, names and order

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

UTC = queue_server.adapters.tables.UtcDateTime


def upgrade() -> None:
    op.create_table('site_menu_items',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('name_vi', sa.String(length=300), server_default='', nullable=False),
    sa.Column('name_en', sa.String(length=300), server_default='', nullable=False),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'],
                            name=op.f('fk_site_menu_items_procedure_id_procedures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_menu_items_site_id_sites'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff.id'], name=op.f('fk_site_menu_items_updated_by_staff')),
    sa.PrimaryKeyConstraint('site_id', 'procedure_id', name=op.f('pk_site_menu_items'))
    )


def downgrade() -> None:
    op.drop_table('site_menu_items')
