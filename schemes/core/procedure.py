"""Rules of the procedure after the eligibility: realisation and proof deadlines, who decides
(commission permanente or delegation), de minimis, the advance, the closing documents.

Each is a cited parameter of the rule versions (params_*.py), read here; the portal's apps call
these functions instead of naming a scheme. A version stored before a parameter existed takes
the value of the cited default version with the same ident (or of the same scheme).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from .fmt import ZERO, add_months, add_years, cents, fr_pct
from .model import Param, RuleVersion
from .params_common import regime_at
from .versions import default_versions, select_version

PROCEDURE_NAMES = (
    "realisation_months_after_award",
    "realisation_months_after_start",
    "proofs_months",
    "commission_permanente",
    "closing_documents",
    "final_proration",
    "expenses_from_acknowledgment",
)


@cache
def _defaults() -> tuple[RuleVersion, ...]:
    return tuple(default_versions())


def param(v: RuleVersion, name: str) -> Param | None:
    """The version's parameter, else the cited default's (a version stored before it existed)."""
    if name in v.parameters:
        return v.parameters[name]
    same = [d for d in _defaults() if d.ident == v.ident] or [
        d for d in _defaults() if d.scheme == v.scheme
    ]
    return same[0].parameters.get(name) if same else None


def value(v: RuleVersion, name: str, default: Any = None) -> Any:
    found = param(v, name)
    return default if found is None else found.value


def version_for(
    scheme: str, day: date, versions: Sequence[RuleVersion] | None = None
) -> RuleVersion | None:
    """The version of `scheme` in force on `day`, else its latest one (a decision or a payment
    may come after the end of the filing period), else None."""
    pool = list(_defaults()) if versions is None else list(versions)
    found = select_version(pool, scheme, day)
    if found is not None:
        return found
    own = [v for v in pool if v.scheme == scheme]
    return max(own, key=lambda v: v.valid_from) if own else None


def _latest(versions: Sequence[RuleVersion] | None) -> dict[str, RuleVersion]:
    pool = list(_defaults()) if versions is None else list(versions)
    latest: dict[str, RuleVersion] = {}
    for v in sorted(pool, key=lambda v: v.valid_from):
        latest[v.scheme] = v
    return latest


# --- deadlines --------------------------------------------------------------------------------


def realisation_months(v: RuleVersion) -> dict[str, int | None]:
    return {name: value(v, name) for name in PROCEDURE_NAMES[:3]}


def realisation_deadlines(
    v: RuleVersion, *, decided_on: date, expense_start: date | None
) -> tuple[date | None, date | None]:
    """(end of the realisation, end of the period to send the proofs) of an award decided on
    `decided_on` under version `v`."""
    return months_deadlines(
        realisation_months(v), decided_on=decided_on, expense_start=expense_start
    )


def months_deadlines(
    m: dict[str, Any], *, decided_on: date, expense_start: date | None
) -> tuple[date | None, date | None]:
    """The same from the three durations (the version's, or a region's configuration)."""
    end = None
    if m["realisation_months_after_award"]:
        end = add_months(decided_on, m["realisation_months_after_award"])
    elif m["realisation_months_after_start"] and expense_start:
        end = add_months(expense_start, m["realisation_months_after_start"])
    proofs = add_months(end, m["proofs_months"]) if end and m["proofs_months"] else None
    return end, proofs


def expenses_from_acknowledgment(v: RuleVersion) -> bool:
    """Whether expenses count from the dated acknowledgment of receipt (PDL-IN FAQ 15 and 25),
    rather than from the filing or a fixed date."""
    return bool(value(v, "expenses_from_acknowledgment", False))


# --- who decides --------------------------------------------------------------------------------


def goes_to_commission(v: RuleVersion) -> bool:
    """Awards voted by the region's commission permanente (else decided by delegation)."""
    return bool(value(v, "commission_permanente", False))


def commission_schemes(versions: Sequence[RuleVersion] | None = None) -> frozenset[str]:
    return frozenset(code for code, v in _latest(versions).items() if goes_to_commission(v))


# --- de minimis ---------------------------------------------------------------------------------


def under_de_minimis(v: RuleVersion) -> bool:
    return bool(v.value("de_minimis"))


def de_minimis_schemes(versions: Sequence[RuleVersion] | None = None) -> tuple[str, ...]:
    """Schemes whose latest rules grant their aid under the de minimis regulation."""
    return tuple(sorted(code for code, v in _latest(versions).items() if under_de_minimis(v)))


def de_minimis_window(
    regimes: list[dict[str, Any]], on: date
) -> tuple[dict[str, Any], date, date] | None:
    """The de minimis regime in force on `on` and its window (start, end), both days included:
    the current fiscal year and the two before (1407/2013, fiscal year read as the calendar
    year), or the three years ending on `on` (2023/2831)."""
    regime = regime_at(regimes, on)
    if regime is None:
        return None
    years = regime["years"]
    if regime["window"] == "fiscal_years":
        start = date(on.year - (years - 1), 1, 1)
    else:
        start = add_years(on, -years) + timedelta(days=1)
    return regime, start, on


# --- payment ------------------------------------------------------------------------------------


def advance(v: RuleVersion, award: Decimal) -> tuple[bool, Decimal]:
    """Whether an aid of `award` opens an advance, and its amount (PDL-IN FAQ 31: 30 % above
    4 000 €; the other texts pay once)."""
    rate = v.value("advance_rate") or ZERO
    threshold = v.value("advance_threshold")
    allowed = rate > 0 and (threshold is None or award > threshold)
    return allowed, cents(award * rate) if allowed else ZERO


def advance_rate_label(v: RuleVersion) -> str:
    """« 30 % » for the pages that describe the advance; "" when the scheme has none."""
    rate = v.value("advance_rate") or ZERO
    return fr_pct(rate) if rate > 0 else ""


def needs_closing_documents(v: RuleVersion) -> bool:
    """The balance (or single payment) needs the signed statement of expenses and the
    end-of-expenses certificate besides the invoices (PDL-IN FAQ 31)."""
    return bool(value(v, "closing_documents", False))
