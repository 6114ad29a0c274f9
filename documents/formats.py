"""French formats shared by every official document (dates in Paris time, sizes, amounts)."""

from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")
PORTAL_NAME = "Aides numériques"
NBSP = "\u00a0"
NOT_SET = "non fixé"


def fr_datetime(value) -> str:
    """An aware datetime as "22/11/2026 à 14:05", in Paris time."""
    local = timezone.localtime(value, PARIS)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def fr_date(value: date | None, default: str = NOT_SET) -> str:
    """A date as "22/11/2026"; `default` when there is none."""
    return f"{value:%d/%m/%Y}" if value else default


def fr_size(size: int) -> str:
    """1536 -> "1,5 Ko" (French units, decimal comma)."""
    if size < 1024:
        return f"{size}{NBSP}octet" + ("s" if size > 1 else "")
    for unit in ("Ko", "Mo", "Go"):
        size /= 1024
        if size < 1024 or unit == "Go":
            return f"{size:.1f}".replace(".", ",") + f"{NBSP}{unit}"
    raise AssertionError("unreachable")


def decimal_or_none(value) -> Decimal | None:
    """A stored JSON amount as a Decimal; None when empty or not a number."""
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
