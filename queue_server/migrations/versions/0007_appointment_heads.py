"""tickets: the appointments of each line, for the ordering policy's candidate heads

- ix_tickets_waiting_appointment: call-next reads the first due and the first early
  appointment of every served line; without it each probe would walk the whole line.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

WAITING_APPOINTMENT = "status = 'waiting' AND priority = 'appointment'"


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_waiting_appointment', ['site_id', 'service_id', 'arrived_at', 'id'],
                              unique=False, sqlite_where=sa.text(WAITING_APPOINTMENT),
                              postgresql_where=sa.text(WAITING_APPOINTMENT))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_waiting_appointment', sqlite_where=sa.text(WAITING_APPOINTMENT),
                            postgresql_where=sa.text(WAITING_APPOINTMENT))
