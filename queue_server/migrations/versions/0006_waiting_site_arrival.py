"""tickets: line counts and the newest arrival of a site from the index alone

- ix_tickets_waiting_site_arrival: the newest arrival in a site's line (issuing a
  ticket read it by scanning every waiting ticket of the site);
- ix_tickets_waiting_rank also stores `status`, so counting a line (the estimate on a
  new ticket, the waiting counts every event carries) reads the index alone on SQLite.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

WAITING = "status = 'waiting'"
RANK_COLUMNS = ['site_id', 'service_id', sa.text('rank DESC'), 'arrived_at', 'id']


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_waiting_site_arrival', ['site_id', 'arrived_at'], unique=False,
                              sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
        batch_op.drop_index('ix_tickets_waiting_rank', sqlite_where=sa.text(WAITING),
                            postgresql_where=sa.text(WAITING))
        batch_op.create_index('ix_tickets_waiting_rank', [*RANK_COLUMNS, 'status'], unique=False,
                              sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_waiting_rank', sqlite_where=sa.text(WAITING),
                            postgresql_where=sa.text(WAITING))
        batch_op.create_index('ix_tickets_waiting_rank', RANK_COLUMNS, unique=False,
                              sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
        batch_op.drop_index('ix_tickets_waiting_site_arrival', sqlite_where=sa.text(WAITING),
                            postgresql_where=sa.text(WAITING))
