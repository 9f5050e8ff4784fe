"""tieout's words, defined once: domains, break kinds, statuses, reason codes, periods, column lists.

Every layer imports these names instead of spelling the strings out, so "open"
means the same thing on the dashboard, in the queue, the CLI and the
workpaper.  It lives in storage, the lowest layer, because storage's queries
need the same definitions (which statuses count as open) as everything above.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from tieout.storage.errors import PeriodError

# ------------------------------------------------------------------ domains

DOMAINS: Final = ("invoice", "payment", "revenue")
"""Every domain tieout knows; a sync can pull what each needs.  Which ones are
*matched* is the registry in :mod:`tieout.reconcile.domains`."""

COMMON_KINDS: Final = ("missing_in_erp", "missing_in_billing", "amount_mismatch")

BREAK_KINDS: Final[dict[str, tuple[str, ...]]] = {
    "invoice": ("missing_in_erp", "missing_in_billing", "amount_mismatch", "tax_mismatch", "currency_mismatch",
                "status_mismatch", "customer_mismatch", "period_mismatch", "duplicate_in_billing",
                "duplicate_in_erp", "ambiguous"),
    "payment": ("missing_in_erp", "missing_in_billing", "amount_mismatch", "wrong_invoice", "currency_mismatch",
                "customer_mismatch", "date_mismatch", "partially_applied",
                "over_applied", "unapplied", "fee_mismatch", "payout_sum_mismatch", "payout_item_missing",
                "payout_missing_in_erp", "deposit_missing_in_billing", "payout_failed", "in_transit",
                "dispute_missing_in_erp", "dispute_amount_mismatch", "fx_difference", "ambiguous"),
    "revenue": ("schedule_missing", "period_amount_mismatch", "schedule_total_mismatch", "rollforward_difference",
                "schedule_shifted", "convention_drift"),
}
"""Break kinds per domain, with the names the sample month's answer key uses."""


# ------------------------------------------------------------------ statuses


class Status(StrEnum):
    """A break's review status.  ``auto_resolved`` is set only by a match run."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    EXPLAINED = "explained"
    RESOLVED = "resolved"
    AUTO_RESOLVED = "auto_resolved"


STATUSES: Final = tuple(s.value for s in Status)
REVIEW_STATUSES: Final = ("open", "investigating", "explained", "resolved")
"""What a reviewer may set."""
OPEN_STATUSES: Final = ("open", "investigating")
"""Still to be worked: the dashboard's and summary's "open" figures count exactly these."""
CLOSED_STATUSES: Final = ("explained", "resolved", "auto_resolved")
SETTLED_STATUSES: Final = ("resolved", "auto_resolved")
"""No longer a difference: fixed in a source, matched by hand, or gone on a re-run."""
UNSETTLED_STATUSES: Final = ("open", "investigating", "explained")
"""Still a difference between the books (explained ones too): what a new manual match resolves."""
NEEDS_REASON: Final = ("explained", "resolved")

REASON_CODES: Final[dict[str, str]] = {
    "timing": "timing difference, clears next period",
    "data_entry": "keyed wrongly in one system",
    "fx": "exchange-rate difference",
    "rounding": "rounding",
    "duplicate": "duplicate document",
    "missing_document": "document not created in one system",
    "mapping": "customer/item/account mapping",
    "write_off": "written off / uncollectible",
    "fixed_in_source": "corrected in the source system",
    "manual_match": "matched by hand",
    "other": "other (see note)",
}

# ------------------------------------------------------------------ periods

PERIOD_PATTERN: Final = r"\d{4}-(0[1-9]|1[0-2])"
"""A calendar month, ``YYYY-MM``: the unit of close."""
_PERIOD = re.compile(rf"^{PERIOD_PATTERN}$")


def check_period(period: str) -> str:
    """``period`` if it is a calendar month ``YYYY-MM``; a clear error otherwise."""
    if not _PERIOD.match(period or ""):
        raise PeriodError(f"period {period!r}: expected YYYY-MM (a calendar month), e.g. 2026-10")
    return period


# ------------------------------------------------------------------ column lists

BREAK_COLUMNS: Final = ("id", "domain", "object_type", "kind", "period", "entity", "currency", "amount",
                        "billing_amount", "erp_amount", "billing_ids", "erp_ids", "rule", "details")
"""A break as a match run produces it (before review fields exist)."""
BREAK_LIST_COLUMNS: Final = ("id", "domain", "object_type", "kind", "status", "period", "entity", "currency",
                             "amount", "billing_amount", "erp_amount", "billing_ids", "erp_ids", "rule", "assignee",
                             "reason", "note", "opened_at", "updated_at", "resolved_at")
"""A stored break as listed (CLI, queue, workpaper, Python API)."""
MATCH_COLUMNS: Final = ("domain", "object_type", "period", "entity", "currency", "rule", "billing_ids", "erp_ids",
                        "billing_amount", "erp_amount", "differences")
"""A match as a match run produces it."""
MATCH_LIST_COLUMNS: Final = ("id", "match_run_id", "domain", "object_type", "period", "entity", "currency", "rule",
                             "billing_ids", "erp_ids", "billing_amount", "erp_amount", "differences", "manual",
                             "created_by", "reason", "created_at")
"""A stored match as listed."""
