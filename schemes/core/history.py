"""Earlier applications: waits between applications, non-cumulation between schemes, the
PDL-IN per-company cap (remainder, two full years after the acknowledgment), IDF-CN2 once a year
for at most three years; and the de minimis ceiling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .checks import Criterion
from .fmt import ZERO, add_years, fr_date, fr_eur, fr_eur_round
from .inputs import PastApplication, Situation
from .model import RuleVersion
from .params_common import de_minimis_source
from .procedure import de_minimis_window
from .reasons import Trace

STATUS_FR = {"pending": "en cours", "awarded": "aidé", "refused": "refusé", "withdrawn": "retiré"}


@dataclass
class CapState:
    remaining: Decimal | None
    blocked_categories: frozenset[str]


def _earlier(s: Situation, scheme: str) -> list[PastApplication]:
    apps = [a for a in s.history.applications if a.scheme == scheme and a.filed_on <= s.filed_on]
    return sorted(apps, key=lambda a: (a.filed_on, a.acknowledged_on or a.filed_on))


def check_history(s: Situation, v: RuleVersion, t: Trace) -> CapState:
    _reapplication_wait(s, v, t)
    _non_cumulation(s, v, t)
    _per_year(s, v, t)
    return _company_cap(s, v, t)


def _reapplication_wait(s: Situation, v: RuleVersion, t: Trace) -> None:
    years = v.value("reapplication_wait_years")
    if not years:
        return
    c = Criterion(
        t,
        "reapplication_wait",
        v.source("reapplication_wait_years"),
        f"Pas d'autre demande {s.scheme} dans les {years} ans précédant le dépôt",
    )
    for a in _earlier(s, s.scheme):
        ready = add_years(a.filed_on, years)
        if s.filed_on < ready:
            c.refuse(
                "reapplication_wait",
                f"Demande {s.scheme} déclarée le {fr_date(a.filed_on)}.",
                years=years,
                date=fr_date(a.filed_on),
                ready=fr_date(ready),
            )
            return
    t.say(f"Aucune demande {s.scheme} dans les {years} ans précédant le dépôt.")
    c.passed(f"Aucune demande {s.scheme} déclarée dans les {years} ans précédant le dépôt.")


def _non_cumulation(s: Situation, v: RuleVersion, t: Trace) -> None:
    others = v.value("non_cumulative_with", [])
    if not others:
        return
    c = Criterion(
        t,
        "non_cumulation",
        v.source("non_cumulative_with"),
        f"Pas de dossier {' ou '.join(others)} en cours ou aidé (aides régionales non cumulables)",
    )
    years = v.value("non_cumulative_years")
    for other in others:
        for a in s.history.applications:
            if years and add_years(a.filed_on, years) <= s.filed_on:
                continue  # older than the period a region set for the non-cumulation
            if a.scheme == other and a.status in ("pending", "awarded"):
                c.refuse(
                    "not_cumulative",
                    f"Dossier {other} du {fr_date(a.filed_on)} déclaré {STATUS_FR[a.status]}.",
                    other=other,
                    status=STATUS_FR[a.status],
                    date=fr_date(a.filed_on),
                )
                return
    c.passed(f"Aucun dossier {' ou '.join(others)} en cours ou aidé déclaré.")


def _per_year(s: Situation, v: RuleVersion, t: Trace) -> None:
    per_year = v.value("max_awards_per_year")
    if per_year:
        c = Criterion(
            t,
            "once_per_year",
            v.source("max_awards_per_year"),
            "Une seule aide par an pour un même porteur"
            if per_year == 1
            else f"Au plus {per_year} aides par an pour un même porteur",
        )
        same_year = [
            a
            for a in _earlier(s, s.scheme)
            if a.filed_on.year == s.filed_on.year and a.status in ("pending", "awarded")
        ]
        found = (
            f"Dossiers {s.scheme} en cours ou aidés déposés en {s.filed_on.year} : "
            f"{len(same_year)}."
        )
        if len(same_year) >= per_year:
            c.refuse("once_per_year", found, date=fr_date(same_year[-1].filed_on))
        else:
            c.passed(found)
    max_years = v.value("max_award_years")
    if max_years:
        c = Criterion(
            t,
            "max_years",
            v.source("max_award_years"),
            f"Aide sur {max_years} années au maximum",
        )
        years = {
            a.filed_on.year
            for a in s.history.applications
            if a.scheme == s.scheme and a.status == "awarded"
        }
        found = f"Années déjà aidées ({s.scheme}) : " + (
            ", ".join(str(y) for y in sorted(years)) + "." if years else "aucune."
        )
        if len(years) >= max_years and s.filed_on.year not in years:
            c.refuse("max_years_reached", found, years=max_years, count=len(years))
        else:
            c.passed(found)


def _company_cap(s: Situation, v: RuleVersion, t: Trace) -> CapState:
    if not v.value("ceiling_per_company"):
        return CapState(None, frozenset())
    cap = v.value("ceiling")
    wait = v.value("cap_wait_years") or 0
    apps = _earlier(s, s.scheme)
    if v.value("one_dossier_per_project"):
        pending = Criterion(
            t,
            "pending_dossier",
            v.source("one_dossier_per_project"),
            f"Pas d'autre dossier {s.scheme} en cours (un seul dossier pour l'ensemble des "
            "investissements)",
        )
        dates = [fr_date(a.filed_on) for a in apps if a.status == "pending"]
        found = (
            f"Dossier(s) {s.scheme} en cours déclaré(s) : déposé(s) le {', '.join(dates)}."
            if dates
            else f"Aucun dossier {s.scheme} en cours déclaré."
        )
        for a in apps:
            if a.status == "pending":
                pending.refuse(
                    "application_pending", found, scheme=s.scheme, date=fr_date(a.filed_on)
                )
        if not dates:
            pending.passed(found)
    cycle = Criterion(
        t,
        "cap_cycle",
        v.source("cap_wait_years"),
        f"Plafond de {fr_eur_round(cap)} par entreprise non atteint, ou atteint depuis au moins "
        f"{wait} ans révolus",
    )
    total = ZERO
    reached: date | None = None
    categories: set[str] = set()
    counted = v.value("cap_counts_years")
    if counted:  # a region's choice: an aid older than `counted` years no longer counts
        apps = [a for a in apps if add_years(a.acknowledged_on or a.filed_on, counted) > s.filed_on]
    for a in apps:
        if reached is not None and a.filed_on >= add_years(reached, wait):
            total, reached, categories = ZERO, None, set()
        if a.status == "awarded" and a.awarded:
            total += a.awarded
            categories.update(a.categories)
            if total >= cap and reached is None:
                reached = a.acknowledged_on or a.filed_on
    if reached is not None:
        ready = add_years(reached, wait)
        if s.filed_on < ready:
            cycle.refuse(
                "cap_wait",
                f"Plafond atteint (accusé de réception du {fr_date(reached)}) ; dossier déposé "
                f"le {fr_date(s.filed_on)}.",
                cap=fr_eur(cap),
                ack=fr_date(reached),
                ready=fr_date(ready),
            )
            return CapState(ZERO, frozenset(categories))
        t.say(
            f"Plafond de {fr_eur(cap)} atteint (accusé de réception du {fr_date(reached)}) : "
            f"plus de {wait} ans révolus au dépôt, le plafond est de nouveau disponible."
        )
        cycle.passed(
            f"Plafond atteint (accusé de réception du {fr_date(reached)}), plus de {wait} ans "
            "révolus au dépôt : plafond de nouveau disponible."
        )
        return CapState(cap, frozenset())
    if total > 0:
        t.say(
            f"Aides {s.scheme} déjà obtenues : {fr_eur(total)} ; reliquat du plafond de "
            f"{fr_eur(cap)} : {fr_eur(cap - total)} (nouveau projet)."
        )
    cycle.passed(
        f"Aides {s.scheme} déjà obtenues dans le cycle : {fr_eur(total)} ; reliquat : "
        f"{fr_eur(cap - total)}."
    )
    return CapState(cap - total, frozenset(categories))


def check_de_minimis(s: Situation, v: RuleVersion, t: Trace, award: Decimal) -> bool:
    """False when the new aid would exceed the de minimis ceiling (it cannot be granted at all)."""
    if not v.value("de_minimis"):
        return True
    c = Criterion(t, "de_minimis", v.source("de_minimis"))
    if s.applicant.kind not in ("company", "association"):
        c.not_applicable("Non concerné : le demandeur n'est pas une entreprise.")
        return True
    window = de_minimis_window(v.value("de_minimis_regimes", []), s.filed_on)
    if window is None:
        c.not_applicable("Aucun régime de minimis en vigueur à la date de dépôt.")
        return True
    regime, start, _end = window
    c.source = de_minimis_source(regime["regulation"])
    c.label = (
        f"Aides de minimis : plafond de {fr_eur_round(regime['ceiling'])} non dépassé avec la "
        f"nouvelle aide ({regime['regulation']})"
    )
    if award <= 0:
        c.not_applicable("Non évalué : aucune aide n'est calculée.")
        return True
    years = regime["years"]
    if regime["window"] == "fiscal_years":
        period = (
            f"les exercices {s.filed_on.year - years + 1} à {s.filed_on.year} (exercice en "
            "cours et deux précédents)"
        )
    else:
        period = f"les trois ans du {fr_date(start)} au {fr_date(s.filed_on)}"
    previous = _de_minimis_received(
        ((a.granted_on, a.amount) for a in s.history.de_minimis), start, s.filed_on
    )
    total = previous + award
    ceiling = regime["ceiling"]
    source = de_minimis_source(regime["regulation"])
    found = (
        f"Aides de minimis déclarées sur {period} : {fr_eur(previous)} ; avec l'aide de "
        f"{fr_eur(award)} : {fr_eur(total)}."
    )
    if total > ceiling:
        c.refuse(
            "de_minimis_exceeded",
            found,
            source,
            previous=fr_eur(previous),
            period=period,
            award=fr_eur(award),
            total=fr_eur(total),
            ceiling=fr_eur(ceiling),
        )
        return False
    t.say(
        f"De minimis ({regime['regulation']}) : {fr_eur(previous)} reçus sur {period} + "
        f"{fr_eur(award)} = {fr_eur(total)}, sous le plafond de {fr_eur(ceiling)}."
    )
    c.passed(found)
    return True


def _de_minimis_received(aids, start: date, end: date) -> Decimal:
    """The de minimis aids (granted_on, amount) received in the window, both days included."""
    return sum((amount for granted_on, amount in aids if start <= granted_on <= end), ZERO)


def de_minimis_headroom(
    v: RuleVersion | None,
    *,
    kind: str,
    filed_on: date,
    aids: Sequence[tuple[date, Decimal]],
    award: Decimal,
) -> Decimal | None:
    """What stays under the de minimis ceiling once `award` is granted (negative: exceeded),
    counted as `check_de_minimis` counts it: the regime in force on the filing date, the aids
    declared in its window (1407/2013 and 2023/2831, article 3, paragraphs 2 and 7; the
    version's `de_minimis` and `de_minimis_regimes` parameters).

    None where the ceiling does not apply: no rules, an aid not granted under de minimis, an
    applicant that is not a company (nor an association), no regime in force."""
    if v is None or not v.value("de_minimis") or kind not in ("company", "association"):
        return None
    window = de_minimis_window(v.value("de_minimis_regimes", []), filed_on)
    if window is None:
        return None
    regime, start, _end = window
    return regime["ceiling"] - _de_minimis_received(aids, start, filed_on) - award
