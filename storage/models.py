"""Canonical SQLModel tables of a tieout workspace.

Every canonical business row (customer, invoice, payment, ...) carries its
lineage through :class:`Canonical`: which side and source it came from, the
external id it has there, the entity and currency it belongs to, the sync run
that brought it and the raw payload version it was mapped from.

Money columns are ``int`` minor units named ``*amount``/``total``/``tax``/...;
a schema test asserts that every one of them is an INTEGER column.  Dates are
ISO-8601 text (``YYYY-MM-DD``), timestamps ISO-8601 UTC text, periods
``YYYY-MM``.  Lists of ids are JSON text.  Child rows (lines, applications, payout items)
refer to their parent by its external id on the same source (``*_ref``), so
a page can be upserted in bulk without looking up surrogate keys.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

# ---------------------------------------------------------------- lineage


class Source(SQLModel, table=True):
    """A configured system (mirrors ``[sources.NAME]`` in tieout.toml)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str  # stripe | netsuite | file
    side: str  # billing | erp
    url: Optional[str] = None
    entity: Optional[str] = None
    created_at: str


class SyncRun(SQLModel, table=True):
    __tablename__ = "sync_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    started_at: str
    finished_at: Optional[str] = None
    status: str = "running"  # running | ok | failed
    cursor: str = "{}"  # JSON: per object type, where the next run resumes
    counts: str = "{}"  # JSON: per object type {new, changed, unchanged}
    pages: int = 0
    error: Optional[str] = None


class RawBlock(SQLModel, table=True):
    """Payload texts of one object type from one sync page, zstd-compressed together; see :mod:`storage.rawstore`."""

    __tablename__ = "raw_block"

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    sync_run_id: Optional[int] = Field(default=None, foreign_key="sync_run.id")
    fetched_at: str
    body: bytes  # zstd of the records' canonical JSON texts joined by newlines


class RawRecord(SQLModel, table=True):
    """One version of a payload as the source sent it; never overwritten.  Its text is ``slot`` of ``block_id``."""

    __tablename__ = "raw_record"
    __table_args__ = (
        # also serves the latest-version lookup of a sync page (source, type, ids)
        UniqueConstraint("source_id", "object_type", "external_id", "version"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    object_type: str
    external_id: str
    version: int = 1
    payload_hash: bytes  # sha256 (32 bytes) of the canonical JSON text of the payload
    sync_run_id: Optional[int] = Field(default=None, foreign_key="sync_run.id")
    block_id: int = Field(foreign_key="raw_block.id")
    slot: int  # position of the payload in its block


class Quarantine(SQLModel, table=True):
    """A source record that could not be mapped, waiting to be retried; see :mod:`storage.quarantine`."""

    __table_args__ = (UniqueConstraint("source_id", "object_type", "external_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    object_type: str
    external_id: str
    raw_version: Optional[int] = None  # the newest version the store holds (None: never stored)
    payload_hash: str  # sha256 of the refused payload's JSON text
    payload: str  # the refused payload, JSON text
    error: str
    attempts: int = 1
    first_seen_at: str
    last_seen_at: str
    sync_run_id: Optional[int] = Field(default=None, foreign_key="sync_run.id")


class Canonical(SQLModel):
    """Columns every canonical business row carries (lineage + scope)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    side: str  # billing | erp
    source_id: int = Field(foreign_key="source.id")
    external_id: str
    entity: Optional[str] = None
    currency: Optional[str] = None  # ISO 4217, upper case
    raw_record_id: Optional[int] = Field(default=None, foreign_key="raw_record.id", index=True)
    sync_run_id: Optional[int] = Field(default=None, foreign_key="sync_run.id")


def _unique_key(table: str) -> tuple[UniqueConstraint]:
    return (UniqueConstraint("source_id", "external_id", name=f"uq_{table}_source_external"),)


# ---------------------------------------------------------------- parties and catalogue


class Customer(Canonical, table=True):
    __table_args__ = _unique_key("customer")

    name: Optional[str] = None
    email: Optional[str] = None
    counterpart_ref: Optional[str] = None  # the other system's id (NetSuite externalid = Stripe cus_)


class Product(Canonical, table=True):
    __table_args__ = _unique_key("product")

    name: Optional[str] = None
    unit_amount: Optional[int] = None
    interval: Optional[str] = None  # month | year | None for one-off/usage


# ---------------------------------------------------------------- documents


class Invoice(Canonical, table=True):
    __table_args__ = _unique_key("invoice") + (
        Index("ix_invoice_period", "side", "posting_period", "entity"),
    )

    number: Optional[str] = None
    counterpart_ref: Optional[str] = Field(default=None, index=True)  # ERP externalId = Stripe id
    customer_ref: Optional[str] = None  # the customer's external id on this side
    customer_billing_ref: Optional[str] = None  # the customer's billing (Stripe) id, when known
    status: str = "open"  # draft | open | paid | void | uncollectible
    posting_date: Optional[str] = None
    posting_period: Optional[str] = None
    due_date: Optional[str] = None
    subtotal: int = 0
    tax: int = 0
    total: int = 0
    amount_paid: int = 0
    amount_due: int = 0
    memo: Optional[str] = None


class InvoiceLine(Canonical, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = _unique_key("invoice_line")

    invoice_ref: str = Field(index=True)  # external id of the invoice on this side
    counterpart_ref: Optional[str] = None  # billing line id (e.g. NetSuite custcol = Stripe il_)
    line_no: int = 0
    description: Optional[str] = None
    product_ref: Optional[str] = None
    quantity: int = 1
    amount: int = 0
    discount_amount: int = 0
    tax: int = 0
    service_start: Optional[str] = None
    service_end: Optional[str] = None  # inclusive


class CreditNote(Canonical, table=True):
    __tablename__ = "credit_note"
    __table_args__ = _unique_key("credit_note") + (
        Index("ix_credit_note_period", "side", "posting_period", "entity"),
    )

    number: Optional[str] = None
    counterpart_ref: Optional[str] = Field(default=None, index=True)
    invoice_ref: Optional[str] = None
    customer_ref: Optional[str] = None
    customer_billing_ref: Optional[str] = None
    status: str = "issued"  # issued | void | open | applied
    reason: Optional[str] = None
    posting_date: Optional[str] = None
    posting_period: Optional[str] = None
    subtotal: int = 0
    tax: int = 0
    total: int = 0


class CreditNoteLine(Canonical, table=True):
    __tablename__ = "credit_note_line"
    __table_args__ = _unique_key("credit_note_line")

    credit_note_ref: str
    invoice_line_ref: Optional[str] = None
    description: Optional[str] = None
    amount: int = 0
    tax: int = 0


# ---------------------------------------------------------------- cash


class Payment(Canonical, table=True):
    """A charge, invoice payment or refund (billing) / customer payment or refund (ERP)."""

    __table_args__ = _unique_key("payment") + (
        Index("ix_payment_period", "side", "posting_period", "entity"),
    )

    kind: str  # charge | payment | refund
    counterpart_ref: Optional[str] = Field(default=None, index=True)
    customer_ref: Optional[str] = None
    customer_billing_ref: Optional[str] = None
    invoice_ref: Optional[str] = None  # the invoice it pays (billing side)
    payout_ref: Optional[str] = None
    status: Optional[str] = None
    posting_date: Optional[str] = None
    posting_period: Optional[str] = None
    amount: int = 0  # positive for money in; refunds are positive amounts of kind refund
    fee: int = 0
    net: int = 0


class PaymentApplication(Canonical, table=True):
    __tablename__ = "payment_application"
    __table_args__ = _unique_key("payment_application")

    payment_ref: str
    invoice_ref: str  # invoice external id on this side
    amount: int = 0


class Payout(Canonical, table=True):
    __table_args__ = _unique_key("payout")

    counterpart_ref: Optional[str] = None
    status: Optional[str] = None
    arrival_date: Optional[str] = None
    posting_period: Optional[str] = None
    amount: int = 0  # net amount paid to the bank
    fee: int = 0


class PayoutItem(Canonical, table=True):
    """A Stripe balance transaction (charge, refund, fee, adjustment) in a payout."""

    __tablename__ = "payout_item"
    __table_args__ = _unique_key("payout_item")

    payout_ref: Optional[str] = None
    type: str = "charge"
    source_ref: Optional[str] = None  # ch_/re_ id
    created_date: Optional[str] = None
    amount: int = 0
    fee: int = 0
    net: int = 0


class BankDeposit(Canonical, table=True):
    __tablename__ = "bank_deposit"
    __table_args__ = _unique_key("bank_deposit")

    counterpart_ref: Optional[str] = Field(default=None, index=True)  # Stripe po_
    account: Optional[str] = None
    posting_date: Optional[str] = None
    posting_period: Optional[str] = None
    amount: int = 0


class BankDepositLine(Canonical, table=True):
    __tablename__ = "bank_deposit_line"
    __table_args__ = _unique_key("bank_deposit_line")

    deposit_ref: str
    kind: str = "payment"  # payment | fee | other
    payment_ref: Optional[str] = None
    amount: int = 0


class RevenueScheduleLine(Canonical, table=True):
    """Recognised revenue of one invoice line in one period (ERP plan, or expected on billing side)."""

    __tablename__ = "revenue_schedule_line"
    __table_args__ = _unique_key("revenue_schedule_line") + (
        Index("ix_revenue_period", "side", "period", "entity"),
    )

    invoice_ref: Optional[str] = None
    invoice_line_ref: Optional[str] = None  # billing line id (il_) the schedule belongs to
    period: str
    amount: int = 0


class FxRate(SQLModel, table=True):
    """Exchange rate as an exact decimal string (rates are not money)."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("rate_date", "base", "quote"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    rate_date: str
    base: str
    quote: str
    rate: str  # decimal text, e.g. "1.0834"
    source: Optional[str] = None


# ---------------------------------------------------------------- reconciliation


class MatchRun(SQLModel, table=True):
    __tablename__ = "match_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    period: str
    entity: Optional[str] = None
    domain: Optional[str] = None
    started_at: str
    finished_at: Optional[str] = None
    user: Optional[str] = None
    status: str = "running"  # running | ok | failed
    ruleset_hash: str = ""
    input_fingerprint: str = ""
    summary: str = "{}"  # JSON


class Match(SQLModel, table=True):
    __table_args__ = (Index("ix_match_run", "match_run_id", "domain"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    match_run_id: Optional[int] = Field(default=None, foreign_key="match_run.id")
    domain: str
    object_type: str = "invoice"
    period: Optional[str] = None
    entity: Optional[str] = None
    currency: Optional[str] = None
    rule: str
    billing_ids: str = "[]"  # JSON list of external ids
    erp_ids: str = "[]"
    billing_amount: int = 0
    erp_amount: int = 0
    differences: str = "{}"  # JSON: field -> [billing, erp] accepted by the rule
    manual: bool = False
    created_by: Optional[str] = None
    reason: Optional[str] = None
    created_at: Optional[str] = None
    active: bool = True  # False once unmatched


class Break(SQLModel, table=True):
    """A classified difference; ``id`` is stable: a hash of kind and record keys."""

    __table_args__ = (
        Index("ix_break_queue", "period", "domain", "status"),
        Index("ix_break_page", "period", "amount"),  # the queue's first page: largest amounts of a period
    )

    id: str = Field(primary_key=True)
    domain: str  # invoice | payment | revenue
    object_type: str = "invoice"
    kind: str
    status: str = "open"  # open | investigating | explained | resolved | auto_resolved
    period: str
    entity: Optional[str] = None
    currency: Optional[str] = None
    amount: int = 0  # the amount at stake, minor units of `currency`
    billing_ids: str = "[]"
    erp_ids: str = "[]"
    billing_amount: Optional[int] = None
    erp_amount: Optional[int] = None
    rule: Optional[str] = None
    details: str = "{}"  # JSON: differing fields etc.
    assignee: Optional[str] = None
    reason: Optional[str] = None
    note: Optional[str] = None  # latest note, full history in break_event
    first_run_id: Optional[int] = Field(default=None, foreign_key="match_run.id")
    last_run_id: Optional[int] = Field(default=None, foreign_key="match_run.id")
    opened_at: str
    updated_at: str
    resolved_at: Optional[str] = None


class BreakEvent(SQLModel, table=True):
    __tablename__ = "break_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    break_id: str = Field(foreign_key="break.id", index=True)
    at: str
    user: Optional[str] = None
    action: str  # opened | status | assign | note | auto_resolved | reopened
    from_status: Optional[str] = None
    to_status: Optional[str] = None
    reason: Optional[str] = None
    note: Optional[str] = None
    assignee: Optional[str] = None


class Correction(SQLModel, table=True):
    """A write-back proposed for a break: the exact request, who made and checked it, and what came back.

    Lifecycle (see :mod:`reconcile.corrections.lifecycle`): draft → proposed → approved → pushed, or failed
    (``retryable``) or cancelled.  ``payload`` is the request as it will be sent (method, path, body, key);
    ``target_modified`` the target's lastModifiedDate when proposed (the stale check compares it).
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    break_id: Optional[str] = Field(default=None, foreign_key="break.id", index=True)
    source_id: Optional[int] = Field(default=None, foreign_key="source.id")
    domain: Optional[str] = None
    period: Optional[str] = None
    entity: Optional[str] = None
    action: str  # the correction type, e.g. create_erp_document, adjust_amount, link_erp_id, write_off
    target_ref: Optional[str] = None
    payload: str = "{}"  # JSON: the request {method, path, body, idempotency_key, keyless}; {} when record-only
    expect: str = "{}"  # JSON: what reading the target back after the write must show
    target_path: Optional[str] = None  # where the target is read (stale check, read-back, lookup)
    target_modified: Optional[str] = None  # the target's lastModifiedDate when proposed
    currency: Optional[str] = None
    amount: Optional[int] = None
    note: Optional[str] = None
    status: str = "proposed"  # draft | proposed | approved | pushed | failed | cancelled
    maker: str
    proposed_at: str
    checker: Optional[str] = None
    approved_at: Optional[str] = None
    checker2: Optional[str] = None  # the second approver, above the workspace threshold
    approved2_at: Optional[str] = None
    pushed_at: Optional[str] = None
    idempotency_key: Optional[str] = Field(default=None, unique=True)
    attempts: int = 0
    outcome_unknown: bool = False  # a request went out and no answer was recorded: look it up before re-sending
    retryable: bool = True
    reason: Optional[str] = None  # why it failed, or was rejected / cancelled
    target_id: Optional[str] = None  # the written record's id in the target system
    plan_hash: Optional[str] = None  # the signed plan it was pushed under
    result: Optional[str] = None  # JSON: the response (and read-back) of the last attempt


class CorrectionPlan(SQLModel, table=True):
    """A signed write-back plan: the canonical JSON of its corrections' requests and its SHA-256."""

    __tablename__ = "correction_plan"

    hash: str = Field(primary_key=True)
    period: Optional[str] = None
    body: str  # the plan's canonical JSON text; ``hash`` is its SHA-256
    signed_by: str
    signed_at: str


class CarryForward(SQLModel, table=True):
    """An open break taken into the next period on purpose, with a reason, when its period was prepared."""

    __tablename__ = "carry_forward"
    __table_args__ = (UniqueConstraint("break_id", "period"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    break_id: str = Field(foreign_key="break.id", index=True)
    period: str  # the period it was carried out of
    to_period: str
    reason: str
    user: str
    at: str


class Period(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("period", "entity"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    period: str
    entity: str = ""  # "" = all entities
    status: str = "open"  # open | locked
    preparer: Optional[str] = None
    prepared_at: Optional[str] = None
    reviewer: Optional[str] = None
    reviewed_at: Optional[str] = None
    locked_by: Optional[str] = None
    locked_at: Optional[str] = None


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained log; see :mod:`storage.audit`."""

    __tablename__ = "audit_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: str
    user: Optional[str] = None
    action: str
    object_type: Optional[str] = None
    object_id: Optional[str] = None
    details: str = "{}"
    prev_hash: str = Field(unique=True)
    hash: str = Field(unique=True)


CANONICAL_TABLES: dict[str, type[Canonical]] = {
    "customer": Customer,
    "product": Product,
    "invoice": Invoice,
    "invoice_line": InvoiceLine,
    "credit_note": CreditNote,
    "credit_note_line": CreditNoteLine,
    "payment": Payment,
    "payment_application": PaymentApplication,
    "payout": Payout,
    "payout_item": PayoutItem,
    "bank_deposit": BankDeposit,
    "bank_deposit_line": BankDepositLine,
    "revenue_schedule_line": RevenueScheduleLine,
}
"""Canonical table name -> model, for bulk ingest and lineage lookups."""
