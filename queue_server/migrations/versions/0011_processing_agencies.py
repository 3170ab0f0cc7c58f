"""after the counter: processing agencies, processors, hand-offs, the legal clock, alerts

- agencies (mapped from the catalog's agency text, admin-editable) and procedure_agencies
  (an admin's choice for one procedure);
- staff.agency_id / staff.agency_head for accounts of role `processor`;
- dossiers: agency, officer holding it, the 15:00 rule's forwarding day, the clock stopped
  for a supplement, the apology's new date;
- dossier_handoffs (one row per hand-off: the control slip, form 06), dossier_milestones
  (the control room's typed ledger) and dossier_alerts;
- ix_dossier_events_action_at for the control room's month reads.

Revision ID: 0011
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None

UtcDateTime = queue_server.adapters.tables.UtcDateTime


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('governing_body', sa.String(length=200), server_default='', nullable=False),
    sa.Column('catalog_terms', sa.JSON(), nullable=False),
    sa.Column('field_names', sa.JSON(), nullable=False),
    sa.Column('site_codes', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    op.create_table('procedure_agencies',
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_procedure_agencies_agency_id_agencies'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'],
                            name=op.f('fk_procedure_agencies_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('procedure_id', name=op.f('pk_procedure_agencies'))
    )
    with op.batch_alter_table('procedure_agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_agencies_agency_id'), ['agency_id'], unique=False)

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agency_head', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_staff_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('forward_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('forwarded_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('clock_days_left', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('new_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('apologized_at', UtcDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_assigned_staff_id_staff'), 'staff',
                                    ['assigned_staff_id'], ['id'])
        batch_op.create_index('ix_dossiers_status_agency', ['status', 'agency_id'], unique=False)

    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_events_action_at', ['action', 'at'], unique=False)

    op.create_table('dossier_handoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('from_kind', sa.String(length=12), nullable=False),
    sa.Column('from_name', sa.String(length=200), nullable=False),
    sa.Column('from_staff_id', sa.Integer(), nullable=True),
    sa.Column('to_kind', sa.String(length=12), nullable=False),
    sa.Column('to_name', sa.String(length=200), nullable=False),
    sa.Column('to_staff_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('timeliness', sa.String(length=8), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossier_handoffs_agency_id_agencies')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_handoffs_dossier_id_dossiers'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_staff_id'], ['staff.id'], name=op.f('fk_dossier_handoffs_from_staff_id_staff')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_dossier_handoffs_site_id_sites')),
    sa.ForeignKeyConstraint(['to_staff_id'], ['staff.id'], name=op.f('fk_dossier_handoffs_to_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_handoffs'))
    )
    with op.batch_alter_table('dossier_handoffs', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_handoffs_dossier', ['dossier_id', 'at'], unique=False)

    op.create_table('dossier_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('legal_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossier_milestones_agency_id_agencies')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'],
                            name=op.f('fk_dossier_milestones_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_dossier_milestones_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_milestones'))
    )
    with op.batch_alter_table('dossier_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_milestones_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index('ix_dossier_milestones_received', ['kind', 'received_on'], unique=False)
        batch_op.create_index('ix_dossier_milestones_at', ['kind', 'at'], unique=False)

    op.create_table('dossier_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('dossier_codes', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sent_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_dossier_alerts_staff_id_staff'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_alerts')),
    sa.UniqueConstraint('staff_id', 'day', 'kind', name='uq_dossier_alerts_once')
    )


def downgrade() -> None:
    op.drop_table('dossier_alerts')
    op.drop_table('dossier_milestones')
    with op.batch_alter_table('dossier_handoffs', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_handoffs_dossier')
    op.drop_table('dossier_handoffs')
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_events_action_at')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_status_agency')
        batch_op.drop_constraint(batch_op.f('fk_dossiers_assigned_staff_id_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_dossiers_agency_id_agencies'), type_='foreignkey')
        for column in ('apologized_at', 'new_due_date', 'clock_days_left', 'forwarded_at', 'forward_deadline',
                       'assigned_staff_id', 'agency_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_column('agency_head')
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('procedure_agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_agencies_agency_id'))
    op.drop_table('procedure_agencies')
    op.drop_table('agencies')
