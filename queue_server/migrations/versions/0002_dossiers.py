"""dossiers, digitized files, return visits and satisfaction ratings

Reviewed autogenerate output: the spurious re-creation of ix_tickets_waiting_rank (an
expression index Alembic cannot compare) was removed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:51:53.155053
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossier_lookup_failures',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('window_started_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dossier_lookup_failures'))
    )
    with op.batch_alter_table('dossier_lookup_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_lookup_failures_window_started_at'), ['window_started_at'], unique=False)

    op.create_table('dossier_sequence',
    sa.Column('agency_code', sa.String(length=40), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', 'business_day', name=op.f('pk_dossier_sequence'))
    )
    op.create_table('stored_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('stored_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_files'))
    )
    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('agency_code', sa.String(length=40), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('sequence_number', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('legal_time_value', sa.Float(), nullable=True),
    sa.Column('legal_time_unit_vi', sa.String(length=40), server_default='', nullable=False),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('applicant_id_kind', sa.String(length=16), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=40), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('applicant_address', sa.String(length=300), server_default='', nullable=False),
    sa.Column('applicant_email', sa.String(length=200), server_default='', nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('received_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('received_by', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_at', queue_server.adapters.tables.UtcDateTime(), nullable=True),
    sa.Column('lookup_pin_digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_dossiers_counter_id_counters')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossiers_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['received_by'], ['staff.id'], name=op.f('fk_dossiers_received_by_staff')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_dossiers_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('agency_code', 'business_day', 'sequence_number', name='uq_dossiers_number'),
    sa.UniqueConstraint('code', name=op.f('uq_dossiers_code'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_due', ['status', 'due_date'], unique=False)
        batch_op.create_index('ix_dossiers_site_status', ['site_id', 'status'], unique=False)

    op.create_table('dossier_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('document_index', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_attachments_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_dossier_attachments_sha256_stored_files')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['staff.id'], name=op.f('fk_dossier_attachments_uploaded_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_attachments'))
    )
    with op.batch_alter_table('dossier_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_attachments_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_attachments_sha256'), ['sha256'], unique=False)

    op.create_table('dossier_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_dossier_events_counter_id_counters')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_events_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_dossier_events_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_events'))
    )
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_events_dossier', ['dossier_id', 'at'], unique=False)

    op.create_table('dossier_tickets',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('created_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_tickets_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_dossier_tickets_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', 'ticket_id', name=op.f('pk_dossier_tickets'))
    )
    with op.batch_alter_table('dossier_tickets', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_tickets_ticket', ['ticket_id'], unique=False)

    op.create_table('ticket_ratings',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('rated_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_ticket_ratings_counter_id_counters')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_ticket_ratings_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_ticket_ratings_site_id_sites')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_ticket_ratings_staff_id_staff')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_ratings_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_ratings'))
    )
    with op.batch_alter_table('ticket_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_ratings_site_at', ['site_id', 'rated_at'], unique=False)
        batch_op.create_index('ix_ticket_ratings_staff_at', ['staff_id', 'rated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_ratings_staff_at')
        batch_op.drop_index('ix_ticket_ratings_site_at')

    op.drop_table('ticket_ratings')
    with op.batch_alter_table('dossier_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_tickets_ticket')

    op.drop_table('dossier_tickets')
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_events_dossier')

    op.drop_table('dossier_events')
    with op.batch_alter_table('dossier_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_dossier_attachments_dossier_id'))

    op.drop_table('dossier_attachments')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_site_status')
        batch_op.drop_index('ix_dossiers_due')

    op.drop_table('dossiers')
    op.drop_table('stored_files')
    op.drop_table('dossier_sequence')
    with op.batch_alter_table('dossier_lookup_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_lookup_failures_window_started_at'))

    op.drop_table('dossier_lookup_failures')
