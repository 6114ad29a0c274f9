"""Who may apply: kind, place, profile (artisan-commerçant, ESS, market enterprise, commune),
size, age, activity exclusions (NAF), financial health and project certification."""

from __future__ import annotations

from decimal import Decimal

from .catalog import KINDS, REGION_NAMES, SCHEMES
from .checks import Criterion
from .fmt import add_years, fr_date, fr_eur, fr_eur_round, fr_int, fr_pct
from .inputs import Applicant, Situation
from .model import RuleVersion
from .naf import FAMILIES, display_naf, excluded_family, family_source
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
    if v.value("project_certification_required"):
        c = Criterion(t, "certification", v.source("project_certification_required"))
        if not a.project_certified:
            c.refuse(
                "project_not_certified",
                "Certification du projet par un tiers de confiance non déclarée.",
                certifiers=v.value("certifiers"),
            )
        else:
            c.passed("Projet déclaré certifié par un tiers de confiance.")


def _kind(a: Applicant, v: RuleVersion, t: Trace) -> None:
    allowed = v.value("applicant_kinds", [])
    c = Criterion(
        t,
        "kind",
        v.source("applicant_kinds"),
        "Demandeur admis : " + " ou ".join(KINDS[k] for k in allowed),
    )
    declared = f"Type de demandeur déclaré : {KINDS[a.kind]}" + (
        f" ({a.legal_form})." if a.legal_form else "."
    )
    if a.kind not in allowed:
        names = " ou aux ".join(KINDS[k] + "s" for k in allowed)
        c.refuse("kind_not_allowed", declared, allowed=names, kind=KINDS[a.kind])
    else:
        c.passed(declared)
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
    c = Criterion(
        t,
        "department",
        v.source("departments"),
        f"Établissement porteur du projet en {region} (départements {', '.join(departments)})",
    )
    if a.department is None:
        c.refuse("department_missing", "Département non renseigné.")
    elif a.department not in departments:
        c.refuse(
            "department_not_eligible",
            f"Département déclaré : {a.department}.",
            region=region,
            departments=", ".join(departments),
            department=a.department,
        )
    else:
        t.say(
            f"Établissement porteur du projet dans le département {a.department} ({region}) : "
            "condition de localisation remplie."
        )
        c.passed(f"Département déclaré : {a.department}.")


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


def _staff(headcount: Decimal) -> str:
    return f"{fr_int(headcount)} salarié" + ("s" if headcount >= 2 else "")


def _ess_facts(a: Applicant) -> str:
    """The applicant's declared values that the ESS profile depends on."""
    return (
        f"forme juridique {a.legal_form or 'non renseignée'}, agrément ESUS "
        f"{'déclaré' if a.esus else 'non déclaré'}, SIAE {'oui' if a.siae else 'non'}, "
        f"{_staff(a.headcount)}, part d'activité économique "
        f"{fr_pct(a.market_activity_share)}"
    )


def _hdf_profile(a: Applicant, v: RuleVersion, t: Trace, profiles: list[str]) -> bool:
    """Returns True when the applicant is admitted as an ESS enterprise."""
    status = ess_status(a, v) if "ess" in profiles else None
    registered = a.registered_rcs or a.registered_rm
    artisan = "artisan_commercant" in profiles
    profile = Criterion(
        t,
        "profile",
        v.source("profiles"),
        "Artisan-commerçant ou entreprise de l'économie sociale et solidaire"
        if artisan
        else "Entreprise de l'économie sociale et solidaire (société de capitaux agréée ESUS, "
        "SCOP, association employeuse ayant une activité économique, SIAE, GE ou GEIQ)",
    )
    registration = None
    if artisan and v.value("registration_required"):
        registration = Criterion(t, "registration", v.source("registration_required"))
    if artisan and a.kind == "company" and registered:
        regs = " et ".join(
            x for x, ok in (("RCS", a.registered_rcs), ("RM", a.registered_rm)) if ok
        )
        t.say(f"Artisan ou commerçant inscrit au {regs} : profil admis.")
        profile.passed(f"Artisan ou commerçant inscrit au {regs}.")
        if registration:
            registration.passed(f"Inscription déclarée au {regs}.")
        if status:
            # An ESS enterprise stays one whatever route admits it: the ESS-only exclusions
            # (« Pour les Entreprises de l'ESS, ... ») apply to it (volet 1, « Exclusions »).
            t.say(
                "Le demandeur est aussi une entreprise de l'économie sociale et solidaire, "
                f"{status} : les exclusions propres aux entreprises de l'ESS s'appliquent."
            )
        return status is not None
    if status:
        t.say(f"Entreprise de l'économie sociale et solidaire : {status}.")
        profile.passed(f"Entreprise de l'ESS, {status} : {_ess_facts(a)}.")
        if registration:
            registration.not_applicable(
                "Non exigée : le demandeur est admis comme entreprise de l'ESS."
            )
        return True
    if artisan:
        if a.kind == "company" and registration:
            profile.not_applicable(
                "Société examinée comme artisan-commerçant, sans statut ESS "
                f"({_ess_facts(a)}) : le profil dépend de l'inscription au RCS ou au RM."
            )
            registration.refuse(
                "not_registered", "Ni inscription au RCS ni inscription au RM déclarée."
            )
        else:
            if registration:
                registration.not_applicable(
                    f"Non examinée : un demandeur de type « {KINDS[a.kind]} » n'est pas un "
                    "artisan-commerçant."
                )
            profile.refuse(
                "profile_not_eligible",
                f"Ni artisan-commerçant inscrit, ni entreprise de l'ESS : {_ess_facts(a)}.",
                detail="Le demandeur n'est ni un artisan-commerçant inscrit au RCS ou au RM, "
                f"ni une entreprise de l'ESS : {_ess_refusal(a, v)}.",
            )
    else:
        profile.refuse(
            "profile_not_eligible",
            f"Pas de statut ESS : {_ess_facts(a)}.",
            detail=f"Le dispositif est réservé aux entreprises de l'ESS : {_ess_refusal(a, v)}.",
        )
    return False


def _market_enterprise(s: Situation, v: RuleVersion, t: Trace) -> None:
    a = s.applicant
    years = v.value("min_age_years")
    if years:
        c = Criterion(
            t,
            "min_age",
            v.source("min_age_years"),
            f"Au moins {years} ans d'existence à la date de dépôt",
        )
        if a.created_on is None:
            c.refuse("creation_date_missing", "Date d'immatriculation non renseignée.", years=years)
        else:
            ready = add_years(a.created_on, years)
            found = (
                f"Immatriculée le {fr_date(a.created_on)}, dossier déposé le {fr_date(s.filed_on)}."
            )
            if s.filed_on < ready:
                c.refuse(
                    "too_young",
                    found,
                    years=years,
                    created=fr_date(a.created_on),
                    ready=fr_date(ready),
                )
            else:
                t.say(
                    f"Immatriculée le {fr_date(a.created_on)} : au moins {years} ans "
                    "d'existence au dépôt."
                )
                c.passed(found)
    share = v.value("min_market_activity_share")
    if share is not None:
        c = Criterion(
            t,
            "market_activity",
            v.source("min_market_activity_share"),
            f"Plus de {fr_pct(share)} des produits issus d'une activité économique",
        )
        found = (
            "Part des produits issus d'une activité économique déclarée : "
            f"{fr_pct(a.market_activity_share)}."
        )
        if a.market_activity_share <= share:
            c.refuse(
                "market_activity_too_low",
                found,
                detail=f"Plus de {fr_pct(share)} des produits doivent provenir d'une activité "
                f"économique (activité marchande majoritaire) ; part déclarée : "
                f"{fr_pct(a.market_activity_share)}.",
            )
        else:
            t.say(
                f"Activité marchande majoritaire ({fr_pct(a.market_activity_share)} des produits)."
            )
            c.passed(found)
    not_micro = "Non concerné : le demandeur n'est pas une micro-entreprise."
    if v.value("micro_certified_accounts_required"):
        c = Criterion(t, "micro_accounts", v.source("micro_certified_accounts_required"))
        if not a.micro_enterprise:
            c.not_applicable(not_micro)
        elif not a.certified_accounts:
            c.refuse("micro_accounts_missing", "Comptes certifiés non fournis.")
        else:
            c.passed("Micro-entreprise : comptes certifiés déclarés fournis.")
    minimum = v.value("micro_min_turnover")
    if minimum is not None:
        c = Criterion(
            t,
            "micro_turnover",
            v.source("micro_min_turnover"),
            f"Micro-entreprise : chiffre d'affaires annuel d'au moins {fr_eur_round(minimum)}",
        )
        found = f"Chiffre d'affaires déclaré : {fr_eur(a.turnover)}."
        if not a.micro_enterprise:
            c.not_applicable(not_micro)
        elif a.turnover < minimum:
            c.refuse(
                "micro_turnover_too_low",
                found,
                limit=fr_eur(minimum),
                turnover=fr_eur(a.turnover),
            )
        else:
            c.passed(found)


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
        c = Criterion(
            t,
            "turnover",
            v.source("max_turnover"),
            f"Chiffre d'affaires inférieur à {fr_eur_round(max_turnover)}",
        )
        found = f"Chiffre d'affaires déclaré : {fr_eur(a.turnover)}."
        if a.turnover >= max_turnover:
            c.refuse(
                "turnover_too_high",
                found,
                turnover=fr_eur(a.turnover),
                limit=fr_eur(max_turnover),
            )
        else:
            t.say(
                f"Chiffre d'affaires de {fr_eur(a.turnover)}, inférieur à {fr_eur(max_turnover)}."
            )
            c.passed(found)
    max_headcount = v.value("max_headcount")
    if max_headcount is not None:
        c = Criterion(
            t,
            "headcount",
            v.source("max_headcount"),
            f"Effectif inférieur à {fr_int(max_headcount)} salariés",
        )
        found = f"Effectif déclaré : {_staff(a.headcount)}."
        if a.headcount >= max_headcount:
            c.refuse(
                "headcount_too_high",
                found,
                headcount=fr_int(a.headcount),
                limit=fr_int(max_headcount),
            )
        else:
            t.say(
                f"Effectif de {fr_int(a.headcount)} salarié(s), inférieur à "
                f"{fr_int(max_headcount)}."
            )
            c.passed(found)
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
    linked = ", entreprises partenaires et liées incluses" if v.value("sme_aggregation") else ""
    staff = Criterion(
        t,
        "sme_headcount",
        v.source("sme_max_headcount"),
        f"PME : moins de {fr_int(sme_headcount)} salariés{linked}",
    )
    money = Criterion(
        t,
        "sme_turnover",
        v.source("sme_max_turnover"),
        f"PME : chiffre d'affaires n'excédant pas {fr_eur_round(max_turn)} (ou total du bilan "
        f"n'excédant pas {fr_eur_round(max_balance)}){linked}",
    )
    staff_found = f"Effectif déclaré : {fr_int(a.headcount)}" + (
        f" ; retenu{group} : {fr_int(headcount)}." if a.holdings else "."
    )
    money_found = f"Chiffre d'affaires déclaré : {fr_eur(a.turnover)}" + (
        f" ; retenu{group} : {fr_eur(turnover)}" if a.holdings else ""
    )
    if balance is not None:
        money_found += f" ; total du bilan retenu : {fr_eur(balance)}"
    money_found += "."
    if headcount >= sme_headcount:
        staff.refuse(
            "not_sme",
            staff_found,
            detail=f"Une PME compte moins de {fr_int(sme_headcount)} salariés ; effectif "
            f"retenu{group} : {fr_int(headcount)}.",
        )
        money.not_applicable(
            f"Non évalué : l'effectif exclut déjà la qualité de PME. {money_found}"
        )
    elif turnover > max_turn and (balance is None or balance > max_balance):
        staff.passed(staff_found)
        detail = (
            f"Le chiffre d'affaires d'une PME ne dépasse pas {fr_eur(max_turn)} ; chiffre "
            f"d'affaires retenu{group} : {fr_eur(turnover)}"
        )
        if balance is not None:
            detail += f", total du bilan : {fr_eur(balance)}"
        money.refuse("not_sme", money_found, detail=detail + ".")
    else:
        t.say(
            f"Petite entreprise au sens européen{group} : effectif {fr_int(headcount)}, "
            f"chiffre d'affaires {fr_eur(turnover)}."
        )
        staff.passed(staff_found)
        money.passed(money_found)


def _activity(a: Applicant, v: RuleVersion, t: Trace, ess: bool) -> None:
    families = list(v.value("excluded_activities", []))
    digital = v.value("digital_core_excluded", "none")
    applies_digital = digital == "all" or (digital == "ess" and ess)
    if applies_digital and "digital_core" not in families:
        families.append("digital_core")
    if not applies_digital and "digital_core" in families:
        families.remove("digital_core")
    if families:
        naf = Criterion(
            t,
            "excluded_activity",
            v.source("excluded_activities"),
            "Activité (code NAF) hors des activités exclues : "
            + ", ".join(FAMILIES[f].label for f in families),
        )
        hit = excluded_family(a.naf, families) if a.naf else None
        if not a.naf:
            naf.not_applicable("Code NAF non renseigné : l'activité ne peut pas être vérifiée.")
        elif hit:
            family, _prefix, label = hit
            naf.refuse(
                "activity_excluded",
                f"Code NAF déclaré : {display_naf(a.naf)} ({label}).",
                v.source("digital_core_excluded")
                if family.code == "digital_core"
                else family_source(family, v.source("excluded_activities")),
                naf=display_naf(a.naf),
                label=label,
                family=family.label,
            )
        else:
            t.say(f"Le code NAF {display_naf(a.naf)} ne relève d'aucune activité exclue.")
            naf.passed(f"Code NAF déclaré : {display_naf(a.naf)}.")
    if v.value("aci_excluded"):
        aci = Criterion(t, "aci", v.source("aci_excluded"))
        if a.aci:
            aci.refuse("aci_excluded", "Agrément Atelier Chantier d'Insertion déclaré.")
        else:
            aci.passed("Pas d'agrément Atelier Chantier d'Insertion déclaré.")
    if digital in ("all", "ess"):
        core = Criterion(
            t,
            "digital_core",
            v.source("digital_core_excluded"),
            "Numérique non cœur d'activité"
            + (" (entreprises de l'ESS)" if digital == "ess" else ""),
        )
        if not applies_digital:
            core.not_applicable(
                "Non concerné : l'exclusion ne vise que les entreprises de l'ESS, le demandeur "
                "n'en est pas une."
            )
        elif a.digital_core:
            core.refuse("digital_core_excluded", "Le numérique est déclaré cœur d'activité.")
        else:
            core.passed("Le numérique n'est pas déclaré cœur d'activité.")


def _health(a: Applicant, v: RuleVersion, t: Trace) -> None:
    if v.value("not_in_difficulty_required"):
        c = Criterion(
            t,
            "in_difficulty",
            v.source("not_in_difficulty_required"),
            "Entreprise non en difficulté au sens du droit européen",
        )
        if a.in_difficulty:
            c.refuse("in_difficulty", "Le demandeur se déclare en difficulté.")
        else:
            c.passed("Le demandeur ne se déclare pas en difficulté.")
    if v.value("tax_social_required"):
        c = Criterion(t, "tax_social", v.source("tax_social_required"))
        if not a.tax_social_up_to_date:
            c.refuse(
                "tax_social_not_up_to_date",
                "Le demandeur ne se déclare pas à jour de ses obligations fiscales et sociales.",
            )
        else:
            c.passed("Le demandeur se déclare à jour de ses obligations fiscales et sociales.")
