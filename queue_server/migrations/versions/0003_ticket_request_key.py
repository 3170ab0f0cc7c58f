"""tickets.request_key: a kiosk's retry of an issue whose answer was lost gets the same ticket

Revision ID: 0003_request_key
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_request_key'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=40), nullable=True))
        batch_op.create_index('uq_tickets_device_request', ['device_id', 'request_key'], unique=True,
                              sqlite_where=sa.text('request_key IS NOT NULL'),
                              postgresql_where=sa.text('request_key IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('uq_tickets_device_request', sqlite_where=sa.text('request_key IS NOT NULL'),
                            postgresql_where=sa.text('request_key IS NOT NULL'))
        batch_op.drop_column('request_key')
