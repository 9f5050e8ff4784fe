"""The sample's calendar: periods, the snapshot instant, NetSuite accounting period ids.

All times are unix seconds UTC; a period is ``"YYYY-MM"``.
"""

from __future__ import annotations

import calendar
import time

DAY = 86400
PERIODS = ("2026-09", "2026-10")  # months billed in Stripe (billing went live 2026-09-01)
PLANT_PERIOD = "2026-10"  # every planted break is in this period
SNAPSHOT = calendar.timegm((2026, 11, 3, 0, 0, 0))  # data is "as of" this instant


def ts(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> int:
    """UTC calendar time -> unix seconds."""
    return calendar.timegm((y, m, d, hh, mm, ss))


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    """(year, month) k months later."""
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _months(first: tuple[int, int], n: int) -> list[tuple[int, int]]:
    return [add_months(*first, i) for i in range(n)]


# revenue allocation table: (period, day number of the month's first day), 2026-08 .. 2028-01
MONTHS: list[tuple[str, int]] = [(f"{y:04d}-{m:02d}", ts(y, m, 1) // DAY) for y, m in _months((2026, 8), 18)]
# NetSuite accounting periods 2026-08 .. 2027-12: "Oct 2026" and id "202" …
MONTH_NAMES = {f"{y:04d}-{m:02d}": f"{calendar.month_abbr[m]} {y}" for y, m in _months((2026, 8), 17)}
PERIOD_IDS = {p: str(200 + i) for i, p in enumerate(MONTH_NAMES)}


def period_of(t: int) -> str:
    """``"YYYY-MM"`` of a unix time (UTC)."""
    tm = time.gmtime(t)
    return f"{tm.tm_year:04d}-{tm.tm_mon:02d}"


def date_of(t: int) -> str:
    """``"YYYY-MM-DD"`` of a unix time (UTC), as NetSuite's trandate."""
    tm = time.gmtime(t)
    return f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"
