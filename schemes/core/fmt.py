"""Decimal rounding and French formatting (1 234,56 €, 22/11/2026, 40 %).

`fr_eur` is the portal's one amount format, for every place a person reads an amount (pages,
PDFs, e-mails, exports, the engine's explanations): rounded half up to the cent, thousands
grouped and the euro sign attached with a no-break space (U+00A0), so an amount never wraps.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0")
NBSP = "\u00a0"  # between digit groups and before the unit: an amount never wraps


def cents(amount: Decimal) -> Decimal:
    """Round to the cent, half up (only at the end of a step the text defines)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal | None) -> str | None:
    """JSON amount: a string with exactly two decimals ("1234.50")."""
    if amount is None:
        return None
    return format(cents(amount), "f")


_TO_FRENCH = str.maketrans({",": NBSP, ".": ","})
_QUANTUM = {0: Decimal(1), 1: Decimal("0.1"), 2: CENT}


@lru_cache(maxsize=8192)
def _fr_number(value: Decimal, places: int, _signed: bool) -> str:
    # `_signed` keeps -0 and 0 (equal, so one cache key otherwise) apart.
    q = _QUANTUM.get(places) or Decimal(1).scaleb(-places)
    # Round half up first; the grouping format then only lays the digits out.
    return format(value.quantize(q, rounding=ROUND_HALF_UP), ",f").translate(_TO_FRENCH)


def fr_number(value: Decimal, places: int = 2) -> str:
    """1234.125 -> "1 234,13" (half up to `places`, no-break spaces between groups)."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    return _fr_number(value, places, value.is_signed())


@lru_cache(maxsize=8192)
def _fr_eur(amount: Decimal, places: int, signed: bool) -> str:
    return _fr_number(amount, places, signed) + NBSP + "€"


def fr_eur(amount: Decimal, places: int = 2) -> str:
    """1234.125 -> "1 234,13 €" (half up; no-break spaces)."""
    if not isinstance(amount, Decimal):
        amount = Decimal(amount)
    return _fr_eur(amount, places, amount.is_signed())


def fr_eur_round(amount: Decimal) -> str:
    """1 234 € for a whole amount (thresholds in labels), else 1 234,56 €"""
    if amount == amount.to_integral_value():
        return fr_eur(amount, 0)
    return fr_eur(amount)


def fr_int(value: Decimal | int) -> str:
    d = Decimal(value)
    if d == d.to_integral_value():
        return fr_number(d, 0)
    return fr_number(d.normalize(), max(0, -d.normalize().as_tuple().exponent))


def fr_pct(rate: Decimal) -> str:
    """0.40 -> 40 %; 0.125 -> 12,5 %"""
    return fr_int(rate * 100) + " %"


@lru_cache(maxsize=4096)
def fr_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def add_years(day: date, years: int) -> date:
    """Same day `years` later (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (31/01 + 1 month -> 28/02)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
