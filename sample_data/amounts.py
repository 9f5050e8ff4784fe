"""NetSuite decimal text <-> integer minor units (exact; never floats)."""

from __future__ import annotations

from typing import Callable

EXPONENT = {"usd": 2, "eur": 2, "jpy": 0}


def dec2(v: int) -> str:
    """Minor units of a 2-decimal currency -> ``"1234.50"``."""
    if v < 0:
        v = -v
        return f"-{v // 100}.{v % 100:02d}"
    return f"{v // 100}.{v % 100:02d}"


def dec0(v: int) -> str:
    """Minor units of a 0-decimal currency (JPY) -> ``"1234"``."""
    return str(v)


# formatter per lowercase Stripe currency: looked up once per document, called per amount
DEC: dict[str, Callable[[int], str]] = {"usd": dec2, "eur": dec2, "jpy": dec0}


def ns_decimal(v: int, currency: str) -> str:
    """Integer minor units -> NetSuite decimal text in the transaction currency."""
    return DEC[currency.lower()](v)


def parse_ns_decimal(s: str, currency: str) -> int:
    """NetSuite decimal text -> integer minor units (exact; raises on extra precision)."""
    exp = EXPONENT[currency.lower()]
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    whole, _, frac = s.partition(".")
    if len(frac) > exp:
        raise ValueError(f"{s!r} has more than {exp} decimals for {currency}")
    v = int(whole or "0") * 10 ** exp + int((frac + "0" * exp)[:exp] or "0")
    return -v if neg else v
