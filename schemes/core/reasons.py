"""Registry of reason codes (publicodes style: every rule has a reference) and the trace.

A reason is emitted with the source of the parameter that drove it when there is one (the
scheme's own text), else with the registry's default source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import CONTRACT, DELIB, IDF_TEXT, PDL_FAQ, REG_1407
from .model import Source

_D1 = "1) volet artisans-commerçants"

REASONS: dict[str, tuple[str, Source]] = {
    "no_rules_in_force": (
        "Aucune règle du dispositif {scheme} n'est en vigueur pour un dossier déposé le {date}.",
        # Cited only when the portal stores no version at all of the scheme; otherwise the
        # reason cites the validity passage of the scheme's own text (versions.validity_source).
        Source(CONTRACT, "section 2, champ « filed_on »"),
    ),
    "kind_not_allowed": (
        "Ce dispositif est réservé aux {allowed} : un demandeur de type « {kind} » ne peut pas "
        "en bénéficier.",
        Source(CONTRACT, "section 1, tableau des dispositifs"),
    ),
    "department_missing": (
        "Le département de l'établissement qui porte le projet n'est pas renseigné : "
        "l'éligibilité géographique ne peut pas être vérifiée.",
        Source(CONTRACT, "section 2, champ « department »"),
    ),
    "department_not_eligible": (
        "L'établissement qui porte le projet doit être situé en {region} (départements "
        "{departments}) ; le département {department} n'en fait pas partie.",
        Source(DELIB, f"{_D1} : « situées sur le territoire des Hauts-de-France »"),
    ),
    "profile_not_eligible": (
        "{detail}",
        Source(
            DELIB,
            f"{_D1}, « Entreprises artisanales et commerciales » et « Entreprise de "
            "l'Economie Sociale et Solidaire »",
        ),
    ),
    "not_registered": (
        "Un artisan ou commerçant doit être inscrit au registre du commerce et des sociétés (RCS) "
        "ou au répertoire des métiers (RM).",
        Source(DELIB, f"{_D1} : « Inscrites au RCS et/ou au RM pour les artisans-commerçants »"),
    ),
    "turnover_too_high": (
        "Le chiffre d'affaires ({turnover}) doit être inférieur à {limit}.",
        Source(DELIB, f"{_D1} : « < 2 M€ de CA »"),
    ),
    "headcount_too_high": (
        "L'effectif ({headcount} salariés) doit être inférieur à {limit} salariés.",
        Source(DELIB, f"{_D1} : « < 20 salariés »"),
    ),
    "not_sme": (
        "{detail}",
        Source(PDL_FAQ, "questions 4 et 5 (définition communautaire de la PME)"),
    ),
    "activity_excluded": (
        "L'activité {naf} ({label}) relève des activités exclues du dispositif : {family}.",
        Source(DELIB, f"{_D1}, « Exclusions »"),
    ),
    "aci_excluded": (
        "Les structures agréées Ateliers Chantiers d'Insertion (ACI) sont exclues du dispositif.",
        Source(
            DELIB, "« Exclusions » : « Structures agréées ACI (Ateliers Chantiers d'Insertion) »"
        ),
    ),
    "digital_core_excluded": (
        "Une entreprise de l'ESS dont le numérique est le cœur d'activité est exclue du dispositif.",
        Source(
            DELIB, "« Exclusions » : « Toute entreprise ayant le numérique pour cœur d'activité »"
        ),
    ),
    "in_difficulty": (
        "Une entreprise en difficulté (au sens du droit européen) ne peut pas bénéficier de l'aide.",
        Source(DELIB, f"{_D1} : « Ne répondant pas à la définition d'entreprise en difficulté »"),
    ),
    "tax_social_not_up_to_date": (
        "Le demandeur doit être à jour de ses obligations fiscales et sociales.",
        Source(DELIB, f"{_D1} : « A jour de ses obligations fiscales et sociales »"),
    ),
    "project_not_certified": (
        "Le projet de transformation numérique doit être certifié par un tiers de confiance "
        "({certifiers}).",
        Source(DELIB, f"{_D1} : « ce projet doit être « certifié » par un tiers de confiance »"),
    ),
    "creation_date_missing": (
        "La date d'immatriculation n'est pas renseignée : l'ancienneté de {years} ans ne peut pas "
        "être vérifiée.",
        Source(PDL_FAQ, "question 1"),
    ),
    "too_young": (
        "L'entreprise doit avoir au moins {years} ans d'existence au dépôt du dossier : immatriculée "
        "le {created}, elle les aura le {ready}.",
        Source(
            PDL_FAQ,
            "question 1 : « La date d'immatriculation de l'entreprise est la date de référence »",
        ),
    ),
    "market_activity_too_low": (
        "{detail}",
        Source(
            PDL_FAQ,
            "question 2 : « plus de 50% de vos produits proviennent d'une activité économique »",
        ),
    ),
    "micro_accounts_missing": (
        "Une micro-entreprise doit fournir ses deux derniers comptes de résultat certifiés par un "
        "comptable et l'attestation fiscale.",
        Source(PDL_FAQ, "question 9"),
    ),
    "micro_turnover_too_low": (
        "Une micro-entreprise doit réaliser au moins {limit} de chiffre d'affaires sur l'année "
        "(activité à temps plein) ; chiffre d'affaires déclaré : {turnover}.",
        Source(
            PDL_FAQ,
            "question 9 : « il est demandé un minimum de 20 000€ de chiffre "
            "d'affaires sur l'année »",
        ),
    ),
    "basis_not_accepted": (
        "Les dépenses de ce dispositif doivent être présentées {expected} ; le montant {given} ne "
        "peut pas être retenu tel quel.",
        Source(DELIB, f"{_D1} : « Taux d'intervention de 40 % des investissements éligibles HT »"),
    ),
    "category_not_eligible": (
        "Dépense non retenue ({lines}) : sa catégorie n'est pas prévue par le dispositif ou "
        "en est exclue.",
        Source(DELIB, f"{_D1}, « Dépenses éligibles » et « Dépenses inéligibles »"),
    ),
    "leasing_excluded": (
        "{detail} ({lines}).",
        Source(
            DELIB,
            f"{_D1}, « Dépenses inéligibles » : « Acquisition par crédit-bail (leasing) "
            "ou location financière »",
        ),
    ),
    "subscription_capped": (
        "Les abonnements ne sont retenus que sur {months} mois ({lines}).",
        Source(DELIB, f"{_D1}, « Dépenses éligibles » : « de l'abonnement (limité à 12 mois) »"),
    ),
    "hardware_capped": (
        "Le matériel informatique est retenu dans la limite de {cap} par matériel ({lines}).",
        Source(
            DELIB, f"{_D1}, « Dépenses éligibles » : « dans la limite de 800 € HT par matériel »"
        ),
    ),
    "hardware_limit": (
        "Sur un même projet, seuls {count} des trois matériels (ordinateur, tablette, "
        "smartphone) sont retenus, les {count} plus favorables au demandeur ; les autres ne "
        "sont pas retenus ({lines}).",
        Source(
            DELIB,
            f"{_D1}, « Dépenses éligibles » : « ne seront retenus au maximum que deux "
            "des trois matériels »",
        ),
    ),
    "hardware_same_type": (
        "Un seul matériel de chaque type (ordinateur, tablette, smartphone) est retenu sur un "
        "même projet, le plus favorable au demandeur ; les autres ne sont pas retenus "
        "({lines}).",
        Source(
            DELIB,
            f"{_D1}, « Dépenses éligibles » : « ne seront retenus au maximum que deux "
            "des trois matériels »",
        ),
    ),
    "committed_before_filing": (
        "Une dépense engagée avant le dépôt du dossier n'est pas éligible ({lines}).",
        Source(
            DELIB,
            f"{_D1} : « Ne pourront être éligibles que les dépenses réalisées a "
            "posteriori de la date de création du dossier »",
        ),
    ),
    "committed_before_date": (
        "Seules les dépenses engagées à partir du {date} sont éligibles ({lines}).",
        Source(
            IDF_TEXT, "« TYPES DE DEPENSES » : « Les dépenses (engagées à partir du 12/03/2020) »"
        ),
    ),
    "outside_expense_period": (
        "Les dépenses doivent porter sur une durée maximale d'un an : une dépense engagée plus "
        "d'un an après la première n'est pas retenue ({lines}).",
        Source(IDF_TEXT, "« TYPES DE DEPENSES » : « portent sur une durée maximale d'un an »"),
    ),
    "same_project_already_funded": (
        "Un projet déjà aidé par ce dispositif ne peut pas faire l'objet d'une deuxième aide "
        "({lines}).",
        Source(
            PDL_FAQ,
            "question 14 : « Elle ne pourra toutefois pas redemander une deuxième aide "
            "sur le projet d'ERP »",
        ),
    ),
    "below_floor": (
        "Les dépenses éligibles ({base}) n'atteignent pas le minimum de {floor}.",
        Source(DELIB, f"{_D1} : « avec un minimum d'investissement fixé à 3 000 € »"),
    ),
    "ceiling_reached": (
        "L'aide est plafonnée à {ceiling}.",
        Source(DELIB, f"{_D1} : « soit une aide régionale comprise entre 1 200 € et 12 000 € »"),
    ),
    "cap_remaining": (
        "Le plafond de {cap} par entreprise est déjà consommé à hauteur de {used} : l'aide est "
        "limitée au reliquat de {remaining}.",
        Source(PDL_FAQ, "question 14"),
    ),
    "cap_wait": (
        "Le plafond de {cap} a été atteint (accusé de réception du {ack}) : une nouvelle demande "
        "n'est possible qu'à partir du {ready}.",
        Source(PDL_FAQ, "question 15"),
    ),
    "application_pending": (
        "Un dossier {scheme} déposé le {date} est encore en cours : un seul dossier doit regrouper "
        "l'ensemble des investissements.",
        Source(PDL_FAQ, "question 18"),
    ),
    "reapplication_wait": (
        "Une seule demande est possible sur ce dispositif par période de {years} ans : la demande "
        "du {date} ne permet de redéposer qu'à partir du {ready}.",
        Source(
            DELIB,
            f"{_D1} : « Une entreprise ne peut déposer qu'une seule demande d'aide sur ce "
            "dispositif dans un délai de 2 ans »",
        ),
    ),
    "once_per_year": (
        "Un même porteur ne peut bénéficier de l'aide qu'une fois par an : une demande a déjà été "
        "déposée le {date}.",
        Source(
            IDF_TEXT, "« Un même porteur ne peut être bénéficiaire de l'aide qu'une fois par an »"
        ),
    ),
    "max_years_reached": (
        "Un même porteur ne peut bénéficier de l'aide que {years} années au maximum : c'est déjà le "
        "cas ({count} aides).",
        Source(IDF_TEXT, "« dans la limite maximale de 3 années »"),
    ),
    "not_cumulative": (
        "Cette aide n'est pas cumulable avec une autre aide individuelle régionale à la transition "
        "numérique : un dossier {other} ({status}) du {date} existe déjà.",
        Source(
            DELIB,
            f"{_D1} : « Ce dispositif n'est pas cumulable avec d'autres aides financières "
            "individuelles régionales à la transition numérique des entreprises »",
        ),
    ),
    "public_aid_cap": (
        "Le cumul des aides publiques ne peut dépasser {rate} des dépenses éligibles, soit {cap} ; "
        "avec {other} d'autres aides publiques, l'aide est limitée à {limit}.",
        Source(
            DELIB,
            f"{_D1} : « Le cumul des aides publiques ne peut dépasser 80% des dépenses éligibles »",
        ),
    ),
    "region_share_prorated": (
        "Le projet sert aussi un établissement hors région : l'aide est proratisée à {share} de "
        "l'activité réalisée dans la région.",
        Source(
            PDL_FAQ,
            "question 6 : « Nous appliquerons alors une proratisation en fonction de "
            "l'activité économique réalisée en Pays de la Loire »",
        ),
    ),
    "no_regional_activity": (
        "Aucune part de l'activité du projet n'est réalisée dans la région : l'aide serait nulle.",
        Source(PDL_FAQ, "question 6"),
    ),
    "de_minimis_exceeded": (
        "Aide de minimis : avec {previous} déjà reçus sur {period}, l'aide de {award} porterait le "
        "total à {total}, au-delà du plafond de {ceiling} ; elle ne peut pas être accordée, même "
        "en partie.",
        Source(REG_1407, "article 3, paragraphes 2 et 7"),
    ),
    "no_aid": (
        "Le calcul ne laisse aucune aide à verser.",
        Source(CONTRACT, "section 2b, « award »"),
    ),
    # settle
    "advance_not_provided": (
        "Ce dispositif ne prévoit pas d'avance : {detail}.",
        Source(
            DELIB,
            f"{_D1}, « Modalités » : « Versement de l'aide en une fois, sur présentation "
            "des factures acquittées »",
        ),
    ),
    "advance_below_threshold": (
        "Une aide inférieure ou égale à {threshold} est versée en une seule fois, sans avance.",
        Source(
            PDL_FAQ,
            "question 31 : « Toute aide inférieure ou égale à 4000€ est versée en une seule fois »",
        ),
    ),
    "final_prorated": (
        "Les dépenses justifiées ({actual}) sont inférieures aux dépenses prévues ({planned}) : "
        "l'aide est recalculée à {final}.",
        Source(
            PDL_FAQ,
            "question 37 : « la subvention pourra être proratisée si le montant de "
            "dépenses prévues n'a pas été atteint »",
        ),
    ),
    "advance_to_recover": (
        "L'avance versée ({advance}) dépasse l'aide finale ({final}) : {recover} doivent être "
        "reversés.",
        Source(PDL_FAQ, "question 37"),
    ),
}


# What a reason did: made the situation ineligible, or reduced the award (a capped line, a
# ceiling). Contract: "every rule that made the situation ineligible or reduced the award"
# (contracts/simulate.md, section 2b, « reasons »).
INELIGIBLE = "ineligible"
REDUCES = "reduces"
REASON_EFFECTS = (INELIGIBLE, REDUCES)


@dataclass
class Trace:
    """Reasons, explanation and criteria checks (see checks.py) collected while applying
    the rules."""

    reasons: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    check_at: dict[str, int] = field(default_factory=dict)  # criterion code -> index in checks
    ineligible: bool = False
    _line_reasons: dict[str, tuple[list[int], Source | None, dict[str, Any]]] = field(
        default_factory=dict
    )

    def say(self, text: str) -> None:
        self.explanation.append(text)

    def reason(
        self, code: str, source: Source | None = None, *, effect: str = REDUCES, **values: Any
    ) -> str:
        """Record a reason (by default a rule that reduced the award); returns its message.

        Each reason says its `effect` (REASON_EFFECTS): the contract's reasons are "every rule
        that made the situation ineligible or reduced the award" (contracts/simulate.md,
        section 2b, « reasons »), and a reader must tell the two apart: a device cap is not
        why a situation is ineligible."""
        template, default = REASONS[code]
        message = template.format(**values)
        cite = (source or default).cite()
        for existing in self.reasons:
            if existing["code"] == code and existing["message"] == message:
                if effect == INELIGIBLE:
                    existing["effect"] = INELIGIBLE
                return message
        self.reasons.append({"code": code, "message": message, "source": cite, "effect": effect})
        return message

    def refuse(self, code: str, source: Source | None = None, **values: Any) -> str:
        """Record a reason that makes the situation ineligible."""
        self.ineligible = True
        message = self.reason(code, source, effect=INELIGIBLE, **values)
        self.say(f"Condition non remplie : {message}")
        return message

    def line_reason(
        self, code: str, line: int, source: Source | None = None, **values: Any
    ) -> None:
        """Group line-level reasons: one reason per code listing its lines."""
        lines, _, _ = self._line_reasons.setdefault(code, ([], source, values))
        lines.append(line)

    def flush_line_reasons(self) -> None:
        for code, (lines, source, values) in self._line_reasons.items():
            self.reason(code, source, lines=lines_phrase(sorted(lines)), **values)
        self._line_reasons.clear()


def lines_phrase(numbers: list[int]) -> str:
    """« ligne 3 » or « lignes 3 et 5 »."""
    items = [str(n) for n in numbers]
    if len(items) == 1:
        return f"ligne {items[0]}"
    return "lignes " + ", ".join(items[:-1]) + " et " + items[-1]
