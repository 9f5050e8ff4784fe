"""Initial schema: sources, sync runs, raw payload versions, canonical records, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash'),
    sa.UniqueConstraint('prev_hash')
    )

    op.create_table('fx_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rate_date', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('base', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('quote', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rate', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rate_date', 'base', 'quote')
    )

    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_name'), ['name'], unique=True)

    op.create_table('sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cursor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('counts', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_run_source_id'), ['source_id'], unique=False)

    op.create_table('raw_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'object_type', 'external_id', 'version')
    )
    with op.batch_alter_table('raw_record', schema=None) as batch_op:
        batch_op.create_index('ix_raw_record_key', ['source_id', 'object_type', 'external_id', 'payload_hash'], unique=False)

    op.create_table('bank_deposit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_period', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_bank_deposit_source_external')
    )
    with op.batch_alter_table('bank_deposit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_deposit_counterpart_ref'), ['counterpart_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_deposit_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('bank_deposit_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('deposit_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payment_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_bank_deposit_line_source_external')
    )
    with op.batch_alter_table('bank_deposit_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_deposit_line_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('invoice_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_billing_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_period', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('subtotal', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_credit_note_source_external')
    )
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_counterpart_ref'), ['counterpart_ref'], unique=False)
        batch_op.create_index('ix_credit_note_period', ['side', 'posting_period', 'entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('credit_note_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('credit_note_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('invoice_line_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_credit_note_line_source_external')
    )
    with op.batch_alter_table('credit_note_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_line_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('customer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_customer_source_external')
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_billing_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('posting_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_period', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('due_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('subtotal', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('amount_paid', sa.Integer(), nullable=False),
    sa.Column('amount_due', sa.Integer(), nullable=False),
    sa.Column('memo', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_invoice_source_external')
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_counterpart_ref'), ['counterpart_ref'], unique=False)
        batch_op.create_index('ix_invoice_period', ['side', 'posting_period', 'entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('invoice_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('product_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('discount_amount', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.Column('service_start', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('service_end', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_invoice_line_source_external')
    )
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_line_invoice_ref'), ['invoice_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_line_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_billing_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('invoice_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('payout_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_period', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('fee', sa.Integer(), nullable=False),
    sa.Column('net', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_payment_source_external')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_counterpart_ref'), ['counterpart_ref'], unique=False)
        batch_op.create_index('ix_payment_period', ['side', 'posting_period', 'entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('payment_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('payment_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('invoice_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_payment_application_source_external')
    )
    with op.batch_alter_table('payment_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_application_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('payout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('counterpart_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('arrival_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('posting_period', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('fee', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_payout_source_external')
    )
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('payout_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('payout_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('fee', sa.Integer(), nullable=False),
    sa.Column('net', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_payout_item_source_external')
    )
    with op.batch_alter_table('payout_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_item_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('unit_amount', sa.Integer(), nullable=True),
    sa.Column('interval', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_product_source_external')
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_raw_record_id'), ['raw_record_id'], unique=False)

    op.create_table('revenue_schedule_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('raw_record_id', sa.Integer(), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('invoice_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('invoice_line_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raw_record_id'], ['raw_record.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_revenue_schedule_line_source_external')
    )
    with op.batch_alter_table('revenue_schedule_line', schema=None) as batch_op:
        batch_op.create_index('ix_revenue_period', ['side', 'period', 'entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_revenue_schedule_line_raw_record_id'), ['raw_record_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('revenue_schedule_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revenue_schedule_line_raw_record_id'))
        batch_op.drop_index('ix_revenue_period')

    op.drop_table('revenue_schedule_line')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_raw_record_id'))

    op.drop_table('product')

    with op.batch_alter_table('payout_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_item_raw_record_id'))

    op.drop_table('payout_item')

    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_raw_record_id'))

    op.drop_table('payout')

    with op.batch_alter_table('payment_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_application_raw_record_id'))

    op.drop_table('payment_application')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_raw_record_id'))
        batch_op.drop_index('ix_payment_period')
        batch_op.drop_index(batch_op.f('ix_payment_counterpart_ref'))

    op.drop_table('payment')

    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_line_raw_record_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_line_invoice_ref'))

    op.drop_table('invoice_line')

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_raw_record_id'))
        batch_op.drop_index('ix_invoice_period')
        batch_op.drop_index(batch_op.f('ix_invoice_counterpart_ref'))

    op.drop_table('invoice')

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_raw_record_id'))

    op.drop_table('customer')

    with op.batch_alter_table('credit_note_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_line_raw_record_id'))

    op.drop_table('credit_note_line')

    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_raw_record_id'))
        batch_op.drop_index('ix_credit_note_period')
        batch_op.drop_index(batch_op.f('ix_credit_note_counterpart_ref'))

    op.drop_table('credit_note')

    with op.batch_alter_table('bank_deposit_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_deposit_line_raw_record_id'))

    op.drop_table('bank_deposit_line')

    with op.batch_alter_table('bank_deposit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_deposit_raw_record_id'))
        batch_op.drop_index(batch_op.f('ix_bank_deposit_counterpart_ref'))

    op.drop_table('bank_deposit')

    with op.batch_alter_table('raw_record', schema=None) as batch_op:
        batch_op.drop_index('ix_raw_record_key')

    op.drop_table('raw_record')

    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_run_source_id'))

    op.drop_table('sync_run')

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_name'))

    op.drop_table('source')

    op.drop_table('fx_rate')

    op.drop_table('audit_event')
