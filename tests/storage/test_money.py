"""storage.money: exact parsing and formatting of amounts in minor units."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tieout.storage.money import (
    CURRENCY_EXPONENTS,
    Money,
    MoneyError,
    UnknownCurrency,
    exponent,
    format_amount,
    parse_amount,
)


@pytest.mark.parametrize(
    ("code", "exp"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3), ("JOD", 3), ("OMR", 3), ("TND", 3), ("usd", 2)],
)
def test_exponents(code: str, exp: int) -> None:
    assert exponent(code) == exp


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1,234.56", "USD", 123456),
        ("-0.29", "USD", -29),
        ("(12.00)", "USD", -1200),
        ("12.00-", "USD", -1200),
        ("1,234.56-", "USD", -123456),  # a trailing minus drops one character, not two
        ("+7", "USD", 700),
        ("1.500", "USD", 150),
        (".5", "EUR", 50),
        ("1,000", "JPY", 1000),
        ("1.234", "KWD", 1234),
        ("0", "KWD", 0),
        ("  9\u00a0999.10 ", "USD", 999910),
    ],
)
def test_parse_exact(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "why"),
    [
        ("1.2e3", "USD", "not a plain decimal"),
        ("1.005", "USD", "more decimals"),
        ("1.5", "JPY", "more decimals"),
        ("1.2345", "KWD", "more decimals"),
        ("", "USD", "empty"),
        ("12,34.00", "USD", "thousands separator"),
        ("1.234,56", "USD", "thousands separator"),
        ("abc", "USD", "not a plain decimal"),
        ("--1", "USD", "not a plain decimal"),
        ("NaN", "USD", "not a plain decimal"),
        ("1234,567.00", "USD", "thousands separator"),  # the first group has at most three digits
    ],
)
def test_parse_refuses(text: str, currency: str, why: str) -> None:
    with pytest.raises(MoneyError, match=why):
        parse_amount(text, currency)


@pytest.mark.parametrize("value", [True, 12.5, None, b"12"])
def test_parse_refuses_what_is_neither_text_nor_whole_major_units(value: object) -> None:
    with pytest.raises(MoneyError, match="amount must be text"):
        parse_amount(value, "USD")  # type: ignore[arg-type]


def test_unknown_currency_refused() -> None:
    with pytest.raises(UnknownCurrency, match="XYZ"):
        parse_amount("1.00", "XYZ")
    with pytest.raises(UnknownCurrency):
        Money(100, "BTC")


def test_european_separators() -> None:
    assert parse_amount("1.234,56", "EUR", decimal_sep=",", thousands_sep=".") == 123456
    with pytest.raises(MoneyError):
        parse_amount("1,005", "EUR", decimal_sep=",", thousands_sep=".")


def test_format() -> None:
    assert format_amount(-123456, "USD") == "-1,234.56"
    assert format_amount(0, "USD") == "0.00" and format_amount(-1, "KWD") == "-0.001"
    assert format_amount(5, "KWD") == "0.005"
    assert format_amount(1000, "JPY", code=True) == "1,000 JPY"
    with pytest.raises(MoneyError):
        format_amount(1.5, "USD")  # type: ignore[arg-type]


def test_money_arithmetic_stays_in_one_currency() -> None:
    assert Money(150, "usd") + Money(-50, "USD") == Money(100, "USD")
    with pytest.raises(MoneyError, match="EUR"):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(MoneyError):
        Money(1.0, "USD")  # type: ignore[arg-type]


currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))
minors = st.integers(min_value=-(10**15), max_value=10**15)


@given(minor=minors, currency=currencies)
def test_format_then_parse_round_trips(minor: int, currency: str) -> None:
    assert parse_amount(format_amount(minor, currency), currency) == minor


@given(minor=minors, currency=currencies)
def test_parse_without_separators_round_trips(minor: int, currency: str) -> None:
    text = format_amount(minor, currency, thousands_sep="")
    assert parse_amount(text, currency, thousands_sep=None) == minor


@given(whole=st.integers(min_value=0, max_value=10**9), extra=st.integers(min_value=1, max_value=9), currency=currencies)
def test_one_digit_too_many_is_refused(whole: int, extra: int, currency: str) -> None:
    exp = exponent(currency)
    text = f"{whole}." + "0" * exp + str(extra)
    with pytest.raises(MoneyError):
        parse_amount(text, currency)


def test_fast_path_respects_a_comma_decimal_separator() -> None:
    """"1.234" is one thousand two hundred thirty-four where '.' groups thousands."""
    assert parse_amount("1.234", "EUR", decimal_sep=",", thousands_sep=".") == 123400
    assert parse_amount("-1234.5", "USD") == -123450
