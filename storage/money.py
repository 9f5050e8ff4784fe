"""Exact money: integer minor units plus an ISO 4217 currency code.

Parsing never rounds: text with more decimals than the currency allows is
refused, as are exponents, stray characters and unknown currencies.  Float
never enters; :class:`decimal.Decimal` is used only where text is involved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tieout.storage.errors import MoneyError, UnknownCurrency

__all__ = [
    "CURRENCY_EXPONENTS",
    "MONEY_FIELDS",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "exponent",
    "format_amount",
    "format_field",
    "normalize_currency",
    "parse_amount",
]




# Active ISO 4217 codes with their minor-unit exponent (ISO 4217 amendment 176+).
_EXP0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXP3 = "BHD IQD JOD KWD LYD OMR TND"
_EXP4 = "CLF UYW"
_EXP2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
CURRENCY_EXPONENTS: dict[str, int] = {
    code: exp
    for codes, exp in ((_EXP0, 0), (_EXP2, 2), (_EXP3, 3), (_EXP4, 4))
    for code in codes.split()
}


MONEY_FIELDS = frozenset({"subtotal", "tax", "total", "amount", "amount_paid", "amount_due", "fee", "net",
                          "discount_amount", "unit_amount", "billing_amount", "erp_amount"})
"""Names of the integer minor-unit columns of canonical rows and breaks: shown formatted in the row's currency."""


def normalize_currency(code: str) -> str:
    """Upper-case ``code`` and check it is a known ISO 4217 code (Stripe sends ``usd``)."""
    norm = (code or "").strip().upper()
    if norm not in CURRENCY_EXPONENTS:
        raise UnknownCurrency(f"unknown currency {code!r} (not an ISO 4217 code)")
    return norm


def exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (JPY 0, USD 2, KWD 3)."""
    return CURRENCY_EXPONENTS[normalize_currency(currency)]


_NUMBER = re.compile(r"^(?P<int>\d+)(?:\.(?P<frac>\d*))?$|^\.(?P<onlyfrac>\d+)$")
_MACHINE = re.compile(r"(-?)(\d+)(?:\.(\d+))?\Z")  # "1234.50", "-7": what APIs and exports send


def parse_amount(
    text: str | int,
    currency: str,
    *,
    decimal_sep: str = ".",
    thousands_sep: str | None = ",",
) -> int:
    """Parse human or export text into integer minor units of ``currency``.

    Accepts a leading ``-`` or ``+``, a trailing ``-`` (some ERPs), accounting
    parentheses ``(12.00)``, a currency symbol-free number with optional
    thousands separators.  An ``int`` is taken as *major* units.  Refuses
    exponents, more decimals than the currency has, and empty text.
    """
    exp = exponent(currency)
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise MoneyError(f"amount must be text, got {type(text).__name__}")
    scale: int = 10**exp
    if isinstance(text, int):
        return text * scale
    machine = _MACHINE.match(text) if decimal_sep == "." else None
    if machine and len(machine.group(3) or "") <= exp:  # fast path for bulk sync
        sign, whole, frac = machine.groups()
        minor = int(whole) * scale + (int((frac or "").ljust(exp, "0")) if exp else 0)
        return -minor if sign else minor
    raw = text
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        raise MoneyError("empty amount")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s[:1] in "+-":
        negative, s = negative ^ (s[0] == "-"), s[1:]
    elif s.endswith("-"):
        negative, s = not negative, s[:-1]
    if thousands_sep:
        s = _strip_thousands(s, thousands_sep, decimal_sep, raw)
    if decimal_sep != ".":
        if "." in s:
            raise MoneyError(f"unexpected '.' in amount {raw!r} (decimal separator is {decimal_sep!r})")
        s = s.replace(decimal_sep, ".")
    m = _NUMBER.match(s)
    if not m:
        raise MoneyError(f"not a plain decimal amount: {raw!r}")
    whole = m.group("int") or "0"
    frac = (m.group("frac") if m.group("int") is not None else m.group("onlyfrac")) or ""
    if len(frac) > exp:
        frac = frac.rstrip("0")  # "1.500" is exact in USD; "1.005" is not
    if len(frac) > exp:
        raise MoneyError(
            f"amount {raw!r} has more decimals than {normalize_currency(currency)} allows ({exp}); "
            "refusing to round"
        )
    minor = int(whole) * scale + (int(frac.ljust(exp, "0")) if exp else 0)
    return -minor if negative else minor


def _strip_thousands(s: str, sep: str, decimal_sep: str, raw: str) -> str:
    """Remove thousands separators, checking they group by three digits."""
    if sep not in s:
        return s
    head, _, tail = s.partition(decimal_sep)
    groups = head.split(sep)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise MoneyError(f"misplaced thousands separator {sep!r} in amount {raw!r}")
    if sep in tail:
        raise MoneyError(f"thousands separator {sep!r} after the decimal point in {raw!r}")
    return "".join(groups) + (decimal_sep + tail if decimal_sep in s else "")


def format_amount(minor: int, currency: str, *, thousands_sep: str = ",", code: bool = False) -> str:
    """Format minor units for people: ``format_amount(-123456, "USD") == "-1,234.56"``."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise MoneyError(f"minor units must be int, got {type(minor).__name__}")
    exp = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp) if exp else (abs(minor), 0)
    text = f"{whole:,}".replace(",", thousands_sep)
    if exp:
        text += "." + str(frac).rjust(exp, "0")
    text = sign + text
    return f"{text} {normalize_currency(currency)}" if code else text


def format_field(name: str, value: object, currency: str | None, *, code: bool = False) -> str:
    """A row's field for people: a money column (:data:`MONEY_FIELDS`) formatted in the row's currency,
    anything else as text (None as "")."""
    if name in MONEY_FIELDS and isinstance(value, int) and not isinstance(value, bool) and currency:
        return format_amount(value, currency, code=code)
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency; arithmetic only within a currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise MoneyError(f"Money.amount must be int minor units, got {self.amount!r}")
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    @classmethod
    def parse(cls, text: str, currency: str, **kwargs: str | None) -> "Money":
        return cls(parse_amount(text, currency, **kwargs), currency)  # type: ignore[arg-type]

    def _same(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency, code=True)
