"""online bookings: booking_slots (capacity per site, service and slot) and bookings

Reviewed autogenerate output: the spurious re-creation of ix_tickets_waiting_rank (an
expression index Alembic cannot compare) was removed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:34:55.692770
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_slots',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('slot_start', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_booking_slots_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_booking_slots_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', 'service_id', 'slot_start', name=op.f('pk_booking_slots'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('slot_start', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('slot_day', sa.Date(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('id_number', sa.String(length=20), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', queue_server.adapters.tables.UtcDateTime(), nullable=False),
    sa.Column('cancelled_at', queue_server.adapters.tables.UtcDateTime(), nullable=True),
    sa.Column('checked_in_at', queue_server.adapters.tables.UtcDateTime(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_bookings_device_id_devices')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_bookings_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_bookings_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_bookings_site_id_sites')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_bookings_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code')),
    sa.UniqueConstraint('token', name=op.f('uq_bookings_token'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_site_slot', ['site_id', 'slot_start'], unique=False)
        batch_op.create_index('uq_bookings_active_id_number', ['id_number'], unique=True, sqlite_where=sa.text("status = 'booked' AND id_number != ''"), postgresql_where=sa.text("status = 'booked' AND id_number != ''"))
        batch_op.create_index('uq_bookings_active_phone', ['phone'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))


def downgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_active_phone', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('uq_bookings_active_id_number', sqlite_where=sa.text("status = 'booked' AND id_number != ''"), postgresql_where=sa.text("status = 'booked' AND id_number != ''"))
        batch_op.drop_index('ix_bookings_site_slot')

    op.drop_table('bookings')
    op.drop_table('booking_slots')
