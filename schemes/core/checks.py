"""The criteria checklist: every eligibility criterion a version evaluates, as the agent reads it.

Each criterion is evaluated once, by the rule function that also emits its reason: a
`Criterion` is bound to the trace, and its `refuse` records the reason (through `Trace.refuse`)
and the failed check with the same source. A check is `passed` True, False, or None (not
applicable to this applicant, or not evaluable at this stage of the computation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import Source
from .reasons import REASONS, Trace


@dataclass(frozen=True)
class CheckDef:
    """A criterion: generic French statement and the reason codes its failure emits (the
    first one's source is cited when the version has no parameter for the criterion)."""

    title: str
    reasons: tuple[str, ...]

    def default_source(self) -> Source:
        return REASONS[self.reasons[0]][1]


# Registry order is the checklist order (stable across situations).
CHECKS: dict[str, CheckDef] = {
    "rules_in_force": CheckDef(
        "Règles du dispositif en vigueur à la date de dépôt", ("no_rules_in_force",)
    ),
    "kind": CheckDef("Type de demandeur admis", ("kind_not_allowed",)),
    "department": CheckDef(
        "Établissement porteur du projet situé dans la région",
        ("department_missing", "department_not_eligible"),
    ),
    "profile": CheckDef(
        "Profil admis (artisan-commerçant, entreprise de l'ESS : société de capitaux agréée "
        "ESUS, SCOP, association employeuse ayant une activité économique, SIAE, GE/GEIQ)",
        ("profile_not_eligible",),
    ),
    "registration": CheckDef("Artisan-commerçant inscrit au RCS ou au RM", ("not_registered",)),
    "min_age": CheckDef(
        "Ancienneté minimale à la date de dépôt", ("creation_date_missing", "too_young")
    ),
    "market_activity": CheckDef(
        "Activité économique (marchande) majoritaire", ("market_activity_too_low",)
    ),
    "micro_accounts": CheckDef(
        "Micro-entreprise : comptes de résultat certifiés et attestation fiscale",
        ("micro_accounts_missing",),
    ),
    "micro_turnover": CheckDef(
        "Micro-entreprise : chiffre d'affaires annuel minimal", ("micro_turnover_too_low",)
    ),
    "headcount": CheckDef("Effectif sous le seuil du dispositif", ("headcount_too_high",)),
    "turnover": CheckDef("Chiffre d'affaires sous le seuil du dispositif", ("turnover_too_high",)),
    "sme_headcount": CheckDef(
        "PME : effectif (avec les entreprises partenaires et liées) sous le seuil", ("not_sme",)
    ),
    "sme_turnover": CheckDef(
        "PME : chiffre d'affaires ou total du bilan (avec les entreprises partenaires et "
        "liées) sous le seuil",
        ("not_sme",),
    ),
    "excluded_activity": CheckDef(
        "Activité (code NAF) hors des activités exclues", ("activity_excluded",)
    ),
    "aci": CheckDef("Structure non agréée Atelier Chantier d'Insertion (ACI)", ("aci_excluded",)),
    "digital_core": CheckDef(
        "Numérique non cœur d'activité (entreprises de l'ESS)", ("digital_core_excluded",)
    ),
    "in_difficulty": CheckDef("Entreprise non en difficulté", ("in_difficulty",)),
    "tax_social": CheckDef(
        "À jour des obligations fiscales et sociales", ("tax_social_not_up_to_date",)
    ),
    "certification": CheckDef(
        "Projet certifié par un tiers de confiance", ("project_not_certified",)
    ),
    "expense_basis": CheckDef(
        "Dépenses présentées sur la base (HT ou TTC) admise", ("basis_not_accepted",)
    ),
    "reapplication_wait": CheckDef(
        "Pas d'autre demande sur le dispositif pendant le délai fixé", ("reapplication_wait",)
    ),
    "non_cumulation": CheckDef(
        "Pas d'autre aide individuelle régionale à la transition numérique (non-cumul "
        "INAC / INESS)",
        ("not_cumulative",),
    ),
    "once_per_year": CheckDef("Une seule aide par an pour un même porteur", ("once_per_year",)),
    "max_years": CheckDef("Aide sur trois années au maximum", ("max_years_reached",)),
    "pending_dossier": CheckDef(
        "Pas d'autre dossier du dispositif en cours (un seul dossier pour l'ensemble)",
        ("application_pending",),
    ),
    "cap_cycle": CheckDef(
        "Plafond par entreprise disponible (ou atteint depuis le délai fixé)", ("cap_wait",)
    ),
    "floor": CheckDef("Dépenses éligibles au moins égales au minimum", ("below_floor",)),
    "regional_activity": CheckDef(
        "Activité du projet réalisée au moins en partie dans la région",
        ("no_regional_activity",),
    ),
    "public_aid_cap": CheckDef("Cumul des aides publiques sous le plafond", ("public_aid_cap",)),
    "de_minimis": CheckDef(
        "Aides de minimis : plafond non dépassé avec la nouvelle aide", ("de_minimis_exceeded",)
    ),
}

# Ineligibility that comes from no criterion: the computation leaves nothing to pay.
NOT_A_CRITERION = ("no_aid",)

_ORDER = {code: i for i, code in enumerate(CHECKS)}


@dataclass
class Criterion:
    """One criterion being evaluated on a trace; resolve it with passed / not_applicable /
    refuse. `source` is the version's parameter that drives it (None: registry default)."""

    t: Trace
    code: str
    source: Source | None = None
    label: str | None = None

    def passed(self, finding: str, source: Source | None = None) -> None:
        self._record(True, finding, source or self.source)

    def not_applicable(self, finding: str, source: Source | None = None) -> None:
        self._record(None, finding, source or self.source)

    def refuse(
        self, reason: str, finding: str | None = None, cite: Source | None = None, **values: Any
    ) -> str:
        """Make the situation ineligible with `reason` and record this check as failed,
        citing the same source as the reason."""
        source = cite or self.source
        message = self.t.refuse(reason, source, **values)
        self._record(False, finding or message, source or REASONS[reason][1])
        return message

    def _record(self, passed: bool | None, finding: str, source: Source | None) -> None:
        at = self.t.check_at.get(self.code)
        if at is not None and (passed is not False or self.t.checks[at]["passed"] is False):
            return  # a criterion is recorded once; only a failure replaces an earlier result
        entry = {
            "code": self.code,
            "label": self.label or CHECKS[self.code].title,
            "passed": passed,
            "detail": finding,
            "source": (source or CHECKS[self.code].default_source()).cite(),
        }
        if at is None:
            self.t.check_at[self.code] = len(self.t.checks)
            self.t.checks.append(entry)
        else:
            self.t.checks[at] = entry


def checklist(t: Trace) -> list[dict[str, Any]]:
    """The recorded checks in the registry's order."""
    return sorted(t.checks, key=lambda c: _ORDER[c["code"]])
