"""audit log of staff, manager and admin actions, append-only

Revision ID: 0004
Revises: 0003_request_key
Create Date: 2026-11-22 07:50:00
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0004'
down_revision = '0003_request_key'
branch_labels = None
depends_on = None

# Nobody, the application included, may change or remove an entry once written.
PG_GUARD = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""
SQLITE_GUARD = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), server_default='', nullable=False),
    sa.Column('role', sa.String(length=16), server_default='', nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=200), nullable=False),
    sa.Column('target', sa.String(length=300), server_default='', nullable=False),
    sa.Column('address', sa.String(length=64), server_default='', nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_site_at', ['site_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_staff_at', ['staff_id', 'at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_GUARD)
    else:
        for statement in SQLITE_GUARD:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_staff_at')
        batch_op.drop_index('ix_audit_log_site_at')
        batch_op.drop_index('ix_audit_log_at')
    op.drop_table('audit_log')
