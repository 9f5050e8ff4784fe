"""Turning frame values into safe Excel cell values.

Text that a spreadsheet could evaluate (OWASP: a leading ``=``, ``+``, ``-``,
``@``, tab or carriage return) is written as a string cell with Excel's
quote-prefix flag, so it shows exactly what the source said and can never
become a formula, not even after the user edits the cell.  Amounts are
numbers in major units (``minor / 10**exponent``: correctly rounded, so the
double read back rounds to the exact minor units below 2**53).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from tieout.storage.money import exponent

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could evaluate ``text`` as a formula (OWASP CSV injection)."""
    return text.startswith(DANGEROUS_PREFIXES)


@lru_cache(maxsize=None)
def money_format(currency: str | None) -> str:
    """Excel number format with the currency's decimals; negatives in red with a minus sign.

    An amount without a currency cannot be scaled, so it is shown as labelled minor units.
    """
    if not currency:
        return '#,##0" minor";[Red]-#,##0" minor"'
    exp = exponent(currency)
    body = "#,##0" + ("." + "0" * exp if exp else "")
    return f"{body};[Red]-{body}"


@lru_cache(maxsize=None)
def _scale(currency: str | None) -> int:
    return 10 ** exponent(currency) if currency else 1


def major_units(minor: int, currency: str | None) -> float | int:
    """Minor units as a number of major units (int stays int for 0-decimal currencies)."""
    scale = _scale(currency)
    return minor if scale == 1 else minor / scale


def parse_timestamp(text: str | None) -> datetime | None:
    """ISO-8601 text as a naive UTC datetime (Excel has no time zones)."""
    if not text:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
