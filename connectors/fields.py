"""Small field conversions the mappers share (dates, periods, currencies)."""

from __future__ import annotations

import time
from functools import lru_cache

from tieout.connectors.errors import MappingError
from tieout.storage.money import normalize_currency

_MONTHS = {name: i for i, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def utc_date(ts: int | None) -> str | None:
    """Unix seconds -> ``YYYY-MM-DD`` in UTC (Stripe timestamps)."""
    return None if ts is None else _utc_day(ts // 86400)


@lru_cache(maxsize=8192)
def _utc_day(day: int) -> str:
    """Days since the epoch -> ``YYYY-MM-DD``; cached, as a sync meets the same few hundred days again and again."""
    tm = time.gmtime(day * 86400)
    return f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"


def period(date: str | None) -> str | None:
    """``YYYY-MM-DD`` -> ``YYYY-MM``."""
    return date[:7] if date else None


def period_from_name(name: str | None) -> str | None:
    """NetSuite posting period name ``"Oct 2026"`` -> ``"2026-10"``."""
    if not name:
        return None
    month, _, year = name.partition(" ")
    if month not in _MONTHS or not year.isdigit():
        raise MappingError(f"posting period name {name!r} is not 'Mon YYYY'")
    return f"{int(year):04d}-{_MONTHS[month]:02d}"


def currency(code: str | None) -> str | None:
    return normalize_currency(code) if code else None
