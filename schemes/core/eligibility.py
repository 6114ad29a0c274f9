"""Who may apply: kind, place, profile (artisan-commerçant, ESS, market enterprise, commune),
size, age, activity exclusions (NAF), financial health and project certification."""

from __future__ import annotations

from decimal import Decimal

from .catalog import KINDS, REGION_NAMES, SCHEMES
from .fmt import add_years, fr_date, fr_eur, fr_int, fr_pct
from .inputs import Applicant, Situation
from .model import RuleVersion
from .naf import FAMILIES, display_naf, excluded_family
from .reasons import Trace


def check_applicant(s: Situation, v: RuleVersion, t: Trace) -> None:
    a = s.applicant
    _kind(a, v, t)
    _place(s, v, t)
    profiles = v.value("profiles", [])
    ess = False
    if "artisan_commercant" in profiles or "ess" in profiles:
        ess = _hdf_profile(a, v, t, profiles)
    if "market_enterprise" in profiles:
        _market_enterprise(s, v, t)
    _size(a, v, t)
    _activity(a, v, t, ess)
    _health(a, v, t)
    if v.value("project_certification_required") and not a.project_certified:
        t.refuse(
            "project_not_certified",
            v.source("project_certification_required"),
            certifiers=v.value("certifiers"),
        )


def _kind(a: Applicant, v: RuleVersion, t: Trace) -> None:
    allowed = v.value("applicant_kinds", [])
    if a.kind not in allowed:
        names = " ou aux ".join(KINDS[k] + "s" for k in allowed)
        t.refuse("kind_not_allowed", v.source("applicant_kinds"), allowed=names, kind=KINDS[a.kind])
    else:
        t.say(
            f"Demandeur : {KINDS[a.kind]}"
            + (f" ({a.legal_form})" if a.legal_form else "")
            + (f", code NAF {display_naf(a.naf)}" if a.naf else "")
            + " ; ce type de demandeur est admis."
        )


def _place(s: Situation, v: RuleVersion, t: Trace) -> None:
    a = s.applicant
    departments = v.value("departments", [])
    region = REGION_NAMES[SCHEMES[s.scheme].region]
    if a.department is None:
        t.refuse("department_missing", v.source("departments"))
    elif a.department not in departments:
        t.refuse(
            "department_not_eligible",
            v.source("departments"),
            region=region,
            departments=", ".join(departments),
            department=a.department,
        )
    else:
        t.say(
            f"Établissement porteur du projet dans le département {a.department} ({region}) : "
            "condition de localisation remplie."
        )


def ess_status(a: Applicant, v: RuleVersion) -> str | None:
    """Why the applicant is an ESS enterprise in the deliberation's sense, or None."""
    form = a.legal_form
    if form in v.value("ess_cooperative_forms", []):
        return "société coopérative de production (SCOP)"
    if form in v.value("ess_employer_group_forms", []):
        return "groupement d'employeurs"
    if a.siae:
        return "structure de l'insertion par l'activité économique"
    if form in v.value("ess_capital_forms", []) and a.esus:
        return "société de capitaux agréée ESUS"
    if a.kind == "association" and a.headcount > 0 and a.market_activity_share > 0:
        return "association employeuse ayant une activité économique"
    return None


def _ess_refusal(a: Applicant, v: RuleVersion) -> str:
    if a.kind == "association":
        if a.headcount <= 0:
            return "une association doit être employeuse (au moins un salarié)"
        return "une association doit avoir une activité économique"
    if a.legal_form in v.value("ess_capital_forms", []):
        return "une société de capitaux doit avoir obtenu l'agrément ESUS"
    return (
        "la structure doit être une société de capitaux agréée ESUS, une SCOP, une association "
        "employeuse ayant une activité économique, une structure de l'insertion par l'activité "
        "économique ou un groupement d'employeurs"
    )


def _hdf_profile(a: Applicant, v: RuleVersion, t: Trace, profiles: list[str]) -> bool:
    """Returns True when the applicant is admitted as an ESS enterprise."""
    status = ess_status(a, v) if "ess" in profiles else None
    registered = a.registered_rcs or a.registered_rm
    if "artisan_commercant" in profiles and a.kind == "company" and registered:
        regs = " et ".join(
            x for x, ok in (("RCS", a.registered_rcs), ("RM", a.registered_rm)) if ok
        )
        t.say(f"Artisan ou commerçant inscrit au {regs} : profil admis.")
        return False
    if status:
        t.say(f"Entreprise de l'économie sociale et solidaire : {status}.")
        return True
    if "artisan_commercant" in profiles:
        if a.kind == "company" and v.value("registration_required"):
            t.refuse("not_registered", v.source("registration_required"))
        else:
            t.refuse(
                "profile_not_eligible",
                v.source("profiles"),
                detail="Le demandeur n'est ni un artisan-commerçant inscrit au RCS ou au RM, "
                f"ni une entreprise de l'ESS : {_ess_refusal(a, v)}.",
            )
    else:
        t.refuse(
            "profile_not_eligible",
            v.source("profiles"),
            detail=f"Le dispositif est réservé aux entreprises de l'ESS : {_ess_refusal(a, v)}.",
        )
    return False


def _market_enterprise(s: Situation, v: RuleVersion, t: Trace) -> None:
    a = s.applicant
    years = v.value("min_age_years")
    if years:
        if a.created_on is None:
            t.refuse("creation_date_missing", v.source("min_age_years"), years=years)
        else:
            ready = add_years(a.created_on, years)
            if s.filed_on < ready:
                t.refuse(
                    "too_young",
                    v.source("min_age_years"),
                    years=years,
                    created=fr_date(a.created_on),
                    ready=fr_date(ready),
                )
            else:
                t.say(
                    f"Immatriculée le {fr_date(a.created_on)} : au moins {years} ans "
                    "d'existence au dépôt."
                )
    share = v.value("min_market_activity_share")
    if share is not None:
        if a.market_activity_share <= share:
            t.refuse(
                "market_activity_too_low",
                v.source("min_market_activity_share"),
                detail=f"Plus de {fr_pct(share)} des produits doivent provenir d'une activité "
                f"économique (activité marchande majoritaire) ; part déclarée : "
                f"{fr_pct(a.market_activity_share)}.",
            )
        else:
            t.say(
                f"Activité marchande majoritaire ({fr_pct(a.market_activity_share)} des produits)."
            )
    if a.micro_enterprise:
        if v.value("micro_certified_accounts_required") and not a.certified_accounts:
            t.refuse("micro_accounts_missing", v.source("micro_certified_accounts_required"))
        minimum = v.value("micro_min_turnover")
        if minimum is not None and a.turnover < minimum:
            t.refuse(
                "micro_turnover_too_low",
                v.source("micro_min_turnover"),
                limit=fr_eur(minimum),
                turnover=fr_eur(a.turnover),
            )


def aggregated_size(a: Applicant) -> tuple[Decimal, Decimal, Decimal | None]:
    """Headcount, turnover, balance sheet of the applicant with its partner and linked
    enterprises (EU SME definition: 25-50 % partner, prorated; above 50 % linked, in full)."""
    headcount, turnover = a.headcount, a.turnover
    balance = a.balance_sheet_total
    for h in a.holdings:
        if h.share > Decimal("0.5"):
            factor = Decimal(1)
        elif h.share >= Decimal("0.25"):
            factor = h.share
        else:
            continue
        headcount += h.headcount * factor
        turnover += h.turnover * factor
        if balance is not None:
            balance = (
                None if h.balance_sheet_total is None else balance + h.balance_sheet_total * factor
            )
    return headcount, turnover, balance


def _size(a: Applicant, v: RuleVersion, t: Trace) -> None:
    max_turnover = v.value("max_turnover")
    if max_turnover is not None:
        if a.turnover >= max_turnover:
            t.refuse(
                "turnover_too_high",
                v.source("max_turnover"),
                turnover=fr_eur(a.turnover),
                limit=fr_eur(max_turnover),
            )
        else:
            t.say(
                f"Chiffre d'affaires de {fr_eur(a.turnover)}, inférieur à {fr_eur(max_turnover)}."
            )
    max_headcount = v.value("max_headcount")
    if max_headcount is not None:
        if a.headcount >= max_headcount:
            t.refuse(
                "headcount_too_high",
                v.source("max_headcount"),
                headcount=fr_int(a.headcount),
                limit=fr_int(max_headcount),
            )
        else:
            t.say(
                f"Effectif de {fr_int(a.headcount)} salarié(s), inférieur à "
                f"{fr_int(max_headcount)}."
            )
    sme_headcount = v.value("sme_max_headcount")
    if sme_headcount is None:
        return
    if v.value("sme_aggregation"):
        headcount, turnover, balance = aggregated_size(a)
    else:
        headcount, turnover, balance = a.headcount, a.turnover, a.balance_sheet_total
    group = " (avec les entreprises partenaires et liées)" if a.holdings else ""
    max_turn = v.value("sme_max_turnover")
    max_balance = v.value("sme_max_balance_sheet")
    if headcount >= sme_headcount:
        t.refuse(
            "not_sme",
            v.source("sme_max_headcount"),
            detail=f"Une PME compte moins de {fr_int(sme_headcount)} salariés ; effectif "
            f"retenu{group} : {fr_int(headcount)}.",
        )
    elif turnover > max_turn and (balance is None or balance > max_balance):
        detail = (
            f"Le chiffre d'affaires d'une PME ne dépasse pas {fr_eur(max_turn)} ; chiffre "
            f"d'affaires retenu{group} : {fr_eur(turnover)}"
        )
        if balance is not None:
            detail += f", total du bilan : {fr_eur(balance)}"
        t.refuse("not_sme", v.source("sme_max_turnover"), detail=detail + ".")
    else:
        t.say(
            f"Petite entreprise au sens européen{group} : effectif {fr_int(headcount)}, "
            f"chiffre d'affaires {fr_eur(turnover)}."
        )


def _activity(a: Applicant, v: RuleVersion, t: Trace, ess: bool) -> None:
    families = list(v.value("excluded_activities", []))
    digital = v.value("digital_core_excluded", "none")
    applies_digital = digital == "all" or (digital == "ess" and ess)
    if applies_digital and "digital_core" not in families:
        families.append("digital_core")
    if not applies_digital and "digital_core" in families:
        families.remove("digital_core")
    if a.naf and families:
        hit = excluded_family(a.naf, families)
        if hit:
            family, _prefix, label = hit
            t.refuse(
                "activity_excluded",
                family.source,
                naf=display_naf(a.naf),
                label=label,
                family=family.label,
            )
        else:
            t.say(f"Le code NAF {display_naf(a.naf)} ne relève d'aucune activité exclue.")
    if a.aci and v.value("aci_excluded"):
        t.refuse("aci_excluded", v.source("aci_excluded"))
    if a.digital_core and applies_digital:
        t.refuse("digital_core_excluded", FAMILIES["digital_core"].source)


def _health(a: Applicant, v: RuleVersion, t: Trace) -> None:
    if v.value("not_in_difficulty_required") and a.in_difficulty:
        t.refuse("in_difficulty", v.source("not_in_difficulty_required"))
    if v.value("tax_social_required") and not a.tax_social_up_to_date:
        t.refuse("tax_social_not_up_to_date", v.source("tax_social_required"))
