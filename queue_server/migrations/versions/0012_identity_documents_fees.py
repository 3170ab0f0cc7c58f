"""identity, the citizen's document store and fees (issue 17)

- dossiers: the applicant's birth date and sex (from the ID card's QR);
- dossier_attachments.reused_from_dossier_id: a file linked by reference, not re-scanned;
- citizen_documents: every digitized checklist line, kept against the applicant's ID;
- procedure_fees (a manager's structured fee), dossier_fees (confirmed, paid, receipt
  number), fee_receipt_sequence (numbers per site and year).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

import queue_server.adapters.tables

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

UTC = queue_server.adapters.tables.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('applicant_sex', sa.String(length=8), server_default='', nullable=False))
    with op.batch_alter_table('dossier_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reused_from_dossier_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dossier_attachments_reused_from_dossier_id_dossiers'),
                                    'dossiers', ['reused_from_dossier_id'], ['id'])

    op.create_table('citizen_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id_kind', sa.String(length=16), nullable=False),
    sa.Column('holder_id_number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=500), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('source_dossier_id', sa.Integer(), nullable=False),
    sa.Column('source_document_index', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('expires_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_citizen_documents_site_id_sites')),
    sa.ForeignKeyConstraint(['source_dossier_id'], ['dossiers.id'],
                            name=op.f('fk_citizen_documents_source_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_documents')),
    sa.UniqueConstraint('source_dossier_id', 'source_document_index', name='uq_citizen_documents_source')
    )
    with op.batch_alter_table('citizen_documents', schema=None) as batch_op:
        batch_op.create_index('ix_citizen_documents_holder', ['holder_id_number', 'holder_id_kind'], unique=False)
        batch_op.create_index('ix_citizen_documents_expires', ['expires_at'], unique=False)

    op.create_table('procedure_fees',
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=300), server_default='', nullable=False),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'],
                            name=op.f('fk_procedure_fees_procedure_id_procedures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff.id'], name=op.f('fk_procedure_fees_updated_by_staff')),
    sa.PrimaryKeyConstraint('procedure_id', name=op.f('pk_procedure_fees'))
    )
    op.create_table('dossier_fees',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
    sa.Column('catalog_amount_vnd', sa.BigInteger(), nullable=True),
    sa.Column('confirmed_by', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', UTC(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('paid_at', UTC(), nullable=True),
    sa.Column('paid_by', sa.Integer(), nullable=True),
    sa.Column('bank_ref', sa.String(length=80), nullable=True),
    sa.Column('receipt_series', sa.String(length=24), nullable=True),
    sa.Column('receipt_number', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by'], ['staff.id'], name=op.f('fk_dossier_fees_confirmed_by_staff')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_fees_dossier_id_dossiers'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paid_by'], ['staff.id'], name=op.f('fk_dossier_fees_paid_by_staff')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_dossier_fees_site_id_sites')),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_dossier_fees')),
    sa.UniqueConstraint('receipt_series', 'receipt_number', name='uq_dossier_fees_receipt')
    )
    with op.batch_alter_table('dossier_fees', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_fees_site_paid', ['site_id', 'paid_at'], unique=False)
        batch_op.create_index('ix_dossier_fees_status', ['status'], unique=False)
        batch_op.create_index('uq_dossier_fees_bank_ref', ['bank_ref'], unique=True,
                              sqlite_where=sa.text('bank_ref IS NOT NULL'),
                              postgresql_where=sa.text('bank_ref IS NOT NULL'))
    op.create_table('fee_receipt_sequence',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_fee_receipt_sequence_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', 'year', name=op.f('pk_fee_receipt_sequence'))
    )


def downgrade() -> None:
    op.drop_table('fee_receipt_sequence')
    with op.batch_alter_table('dossier_fees', schema=None) as batch_op:
        batch_op.drop_index('uq_dossier_fees_bank_ref', sqlite_where=sa.text('bank_ref IS NOT NULL'),
                            postgresql_where=sa.text('bank_ref IS NOT NULL'))
        batch_op.drop_index('ix_dossier_fees_status')
        batch_op.drop_index('ix_dossier_fees_site_paid')
    op.drop_table('dossier_fees')
    op.drop_table('procedure_fees')
    with op.batch_alter_table('citizen_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_citizen_documents_expires')
        batch_op.drop_index('ix_citizen_documents_holder')
    op.drop_table('citizen_documents')
    with op.batch_alter_table('dossier_attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dossier_attachments_reused_from_dossier_id_dossiers'),
                                 type_='foreignkey')
        batch_op.drop_column('reused_from_dossier_id')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('applicant_sex')
        batch_op.drop_column('applicant_birth_date')
