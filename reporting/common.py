"""What the reporting pages share: which dossiers count as awarded, which schemes rely on the de
minimis regulation, and the machine formats of the open-data files."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from applications.enums import AWARDED_STATES
from documents.formats import PARIS
from schemes.core import procedure
from schemes.selectors import rule_versions

__all__ = ["AWARDED_STATES"]  # (applications.enums) re-exported for the reporting modules


def de_minimis_schemes() -> tuple[str, ...]:
    """Schemes whose rule versions set the cited `de_minimis` parameter (a scheme funding
    communes, which are not undertakings, does not)."""
    return procedure.de_minimis_schemes(rule_versions())


def local_date(value: datetime | None) -> date | None:
    """An aware datetime as its calendar day in Paris."""
    return timezone.localtime(value, PARIS).date() if value else None


def iso(value: date | None) -> str:
    """ISO 8601 calendar date (YYYY-MM-DD), as machine formats require; "" when unknown."""
    return value.isoformat() if value else ""


def decimal_point(value: Decimal | None, places: int = 2) -> str:
    """1234.5 -> "1234.50": point as decimal separator, no thousands separator."""
    if value is None:
        return ""
    return f"{Decimal(value):.{places}f}"
