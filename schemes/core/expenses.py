"""Line rules: eligible categories and modes, commitment dates, subscription length cap,
hardware caps (800 € per device, two most favourable devices)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .catalog import CATEGORIES, DEVICES, MODES
from .fmt import ZERO, add_months, cents, fr_date, fr_eur, money
from .inputs import Expense, Situation
from .model import RuleVersion
from .reasons import Trace, lines_phrase

_COUNT_FR = {1: "un", 2: "deux", 3: "trois"}


@dataclass
class Line:
    retained: Decimal
    note: str


def retain_lines(
    s: Situation, v: RuleVersion, t: Trace, blocked_categories: frozenset[str] = frozenset()
) -> list[Line]:
    basis = s.project.expense_basis
    categories = v.value("eligible_categories", [])
    modes = v.value("eligible_modes", [])
    lines: list[Line] = []
    for e in s.project.expenses:
        lines.append(_line(e, s, v, t, categories, modes, blocked_categories, basis))
    _period(s, v, t, lines)
    _hardware(s, v, t, lines, basis)
    for e, line in zip(s.project.expenses, lines, strict=True):
        label = CATEGORIES[e.category]
        if e.category == "hardware" and e.device:
            label = f"Matériel informatique : {DEVICES[e.device].lower()}"
        t.say(
            f"Ligne {e.index + 1} — {label}, {MODES[e.mode].lower()}, {fr_eur(e.amount)} "
            f"{basis} : {fr_eur(line.retained)} retenus. {line.note}".rstrip()
        )
    early = t._line_reasons.get("committed_before_filing")
    t.flush_line_reasons()
    if early and v.value("early_commitment") == "dossier":
        t.refuse(
            "committed_before_filing",
            v.source("expenses_after_filing"),
            lines=lines_phrase(sorted(early[0])),
        )
    return lines


def _line(
    e: Expense,
    s: Situation,
    v: RuleVersion,
    t: Trace,
    categories: list[str],
    modes: list[str],
    blocked: frozenset[str],
    basis: str,
) -> Line:
    n = e.index + 1
    if e.category not in categories:
        t.line_reason("category_not_eligible", n, v.source("eligible_categories"))
        return Line(ZERO, f"Catégorie « {CATEGORIES[e.category]} » non éligible à ce dispositif.")
    if e.mode not in modes:
        why = leasing_why(v)
        t.line_reason("leasing_excluded", n, v.source("eligible_modes"), detail=why)
        return Line(ZERO, f"Crédit-bail ou location financière : non retenu. {why}.")
    if e.committed_on is not None:
        if v.value("expenses_after_filing") and e.committed_on < s.filed_on:
            t.line_reason("committed_before_filing", n, v.source("expenses_after_filing"))
            return Line(
                ZERO,
                f"Dépense engagée le {fr_date(e.committed_on)}, avant le dépôt du "
                f"{fr_date(s.filed_on)} : non éligible.",
            )
        start = v.value("expenses_from")
        if start is not None and e.committed_on < start:
            t.line_reason(
                "committed_before_date", n, v.source("expenses_from"), date=fr_date(start)
            )
            return Line(
                ZERO,
                f"Dépense engagée le {fr_date(e.committed_on)}, avant le "
                f"{fr_date(start)} : non éligible.",
            )
    if e.category in blocked:
        t.line_reason("same_project_already_funded", n, v.source("one_dossier_per_project"))
        return Line(ZERO, "Projet déjà aidé par un précédent dossier : non retenu.")
    amount = e.amount
    note = ""
    cap = v.value("subscription_months_cap")
    if e.mode == "subscription" and cap and e.months > cap:
        amount = cents(e.amount * cap / e.months)
        t.line_reason("subscription_capped", n, v.source("subscription_months_cap"), months=cap)
        note = (
            f"Abonnement de {e.months} mois limité à {cap} mois : {fr_eur(e.amount)} × {cap} / "
            f"{e.months} = {fr_eur(amount)}."
        )
    return Line(cents(amount), note or "Retenue en totalité.")


def leasing_why(v: RuleVersion) -> str:
    """Why a leasing line is not retained: the text's own exclusion, or (when the text says
    nothing of leasing) the interpretation recorded on `eligible_modes`, said as such."""
    param = v.parameters["eligible_modes"]
    if not param.note:
        return (
            "L'acquisition par crédit-bail (leasing) ou location financière est exclue par le texte"
        )
    note = param.note.removeprefix("Interprétation : ").rstrip(".")
    return (
        "Le texte du dispositif ne parle pas du crédit-bail (leasing) ni de la location "
        f"financière ; interprétation retenue : {note}"
    )


def _period(s: Situation, v: RuleVersion, t: Trace, lines: list[Line]) -> None:
    months = v.value("expense_period_months")
    if not months:
        return
    dated = [
        e
        for e, line in zip(s.project.expenses, lines, strict=True)
        if e.committed_on is not None and line.retained > 0
    ]
    if not dated:
        return
    first = min(e.committed_on for e in dated if e.committed_on)
    limit = add_months(first, months)
    for e in dated:
        if e.committed_on and e.committed_on >= limit:
            t.line_reason("outside_expense_period", e.index + 1, v.source("expense_period_months"))
            lines[e.index] = Line(
                ZERO,
                f"Engagée le {fr_date(e.committed_on)}, plus de {months} "
                f"mois après la première dépense ({fr_date(first)}) : non "
                "retenue.",
            )


def _hardware(s: Situation, v: RuleVersion, t: Trace, lines: list[Line], basis: str) -> None:
    device_cap = v.value("hardware_device_cap")
    max_devices = v.value("hardware_max_devices")
    candidates = [
        e for e in s.project.expenses if e.category == "hardware" and lines[e.index].retained > 0
    ]
    for e in candidates:
        if device_cap is not None and lines[e.index].retained > device_cap:
            t.line_reason(
                "hardware_capped",
                e.index + 1,
                v.source("hardware_device_cap"),
                cap=f"{fr_eur(device_cap)} {basis}",
            )
            lines[e.index] = Line(
                device_cap, f"Plafonné à {fr_eur(device_cap)} {basis} par matériel."
            )
    if max_devices is None:
        return
    # The most favourable first; equal devices are told apart by what was declared (mode,
    # duration, date), never by their position in the list: the order of the lines changes
    # nothing.
    ranked = sorted(
        candidates,
        key=lambda e: (
            -lines[e.index].retained,
            -e.amount,
            e.device or "",
            e.mode,
            e.months,
            e.committed_on or date.min,
            e.index,
        ),
    )
    one_per_type = v.value("hardware_one_per_type") is not False
    kept_types: set[str] = set()
    for e in ranked:
        kind = (e.device if one_per_type else None) or f"line-{e.index}"
        if kind in kept_types or len(kept_types) >= max_devices:
            if kind in kept_types:
                t.line_reason("hardware_same_type", e.index + 1, v.source("hardware_max_devices"))
            else:
                t.line_reason(
                    "hardware_limit",
                    e.index + 1,
                    v.source("hardware_max_devices"),
                    count=_COUNT_FR.get(max_devices, str(max_devices)),
                )
            why = (
                "un seul matériel de ce type est retenu"
                if kind in kept_types
                else f"au plus {max_devices} matériels sont retenus, les plus favorables"
            )
            lines[e.index] = Line(ZERO, f"Non retenu : {why}.")
        else:
            kept_types.add(kind)


def lines_json(lines: list[Line]) -> list[dict[str, str]]:
    return [{"retained": money(line.retained) or "0.00", "note": line.note} for line in lines]
