"""Where a fiche and the deliberation disagree (the deliberation wins), and the interpretations
made where the texts are silent. Rendered in docs/rules.md."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import CONTRACT, DELIB, FICHE_INAC, FICHE_INESS, IDF_TEXT, PDL_FAQ
from .model import Source


@dataclass(frozen=True)
class Disagreement:
    scheme: str
    topic: str
    fiche: Source
    deliberation: Source
    choice: str
    parameter: str


V1 = "1) Volet destiné aux artisans-commerçants"
V2 = "2) Volet INESS"

DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement(
        "INAC",
        "Dépenses éligibles",
        Source(
            FICHE_INAC,
            "« Dépenses concernées » : sites de vente en ligne et matériel informatique seulement",
        ),
        Source(
            DELIB,
            f"{V1}, « Dépenses éligibles » : treize catégories (site de vente, "
            "webmarketing, GRC, PGI, progiciels métiers, données, collaboratif, cloud, "
            "application mobile, matériel connecté, impression 3D, réalité augmentée, matériel "
            "informatique)",
        ),
        "Délibération suivie : les treize catégories sont éligibles.",
        "eligible_categories",
    ),
    Disagreement(
        "INAC",
        "Matériel informatique visé",
        Source(FICHE_INAC, "« tablette, smartphone, terminal mobile... »"),
        Source(DELIB, f"{V1} : « ordinateur et/ou tablette et/ou smartphone »"),
        "Délibération suivie : ordinateur, tablette, smartphone.",
        "hardware_max_devices",
    ),
    Disagreement(
        "INAC",
        "Activités exclues",
        Source(
            FICHE_INAC,
            "« Entreprises inéligibles » : professions libérales, activités "
            "financières et immobilières, formation, conseil, bureaux d'études, centrales "
            "d'achats",
        ),
        Source(
            DELIB,
            f"{V1}, « Exclusions » : en plus, « Commerce de gros », « Structures agréées "
            "ACI » et, pour l'ESS, le numérique comme cœur d'activité",
        ),
        "Délibération suivie : commerce de gros, ACI et (pour l'ESS) numérique cœur d'activité "
        "exclus.",
        "excluded_activities",
    ),
    Disagreement(
        "INAC",
        "Bénéficiaires",
        Source(FICHE_INAC, "« Entreprises éligibles » : les artisans/commerçants"),
        Source(
            DELIB,
            f"{V1} : « Entreprises artisanales et commerciales » et « Entreprise de "
            "l'Economie Sociale et Solidaire »",
        ),
        "Délibération suivie : les entreprises de l'ESS (dont associations employeuses) sont "
        "admises à INAC.",
        "applicant_kinds",
    ),
    Disagreement(
        "INAC",
        "Certification du projet",
        Source(FICHE_INAC, "« Critères d'éligibilité » : pas de certification"),
        Source(DELIB, f"{V1} : « ce projet doit être « certifié » par un tiers de confiance »"),
        "Délibération suivie : certification exigée.",
        "project_certification_required",
    ),
    Disagreement(
        "INAC",
        "Situation financière",
        Source(FICHE_INAC, "« Critères complémentaires » : « Situation financière saine »"),
        Source(DELIB, f"{V1} : « Ne répondant pas à la définition d'entreprise en difficulté »"),
        "Délibération suivie : seule l'entreprise en difficulté est exclue.",
        "not_in_difficulty_required",
    ),
    Disagreement(
        "INAC",
        "Règlement de minimis",
        Source(FICHE_INAC, "« Aides soumises au règlement » : « Règle de minimis n°2023/2831 »"),
        Source(DELIB, f"{V1} : « règlement n° 1407/2013 »"),
        "Délibération suivie ; le régime est de toute façon choisi par la date de dépôt, et tous "
        "les dossiers de la version (2021-2022) relèvent du 1407/2013.",
        "de_minimis",
    ),
    Disagreement(
        "INESS",
        "Durée des abonnements",
        Source(FICHE_INESS, "« Dépenses concernées » : « de l'abonnement (limité à 12 mois) »"),
        Source(
            DELIB,
            f"{V2}, « Dépenses éligibles » : « de l'acquisition, de la prestation ou de "
            "l'abonnement » (sans limite)",
        ),
        "Délibération suivie : pas de plafond de durée pour INESS.",
        "subscription_months_cap",
    ),
    Disagreement(
        "INESS",
        "Agrément ESUS des sociétés de capitaux",
        Source(
            FICHE_INESS,
            "« Critères complémentaires », « Forme juridique » : SARL, SA, SAS, "
            "SCOP, SIAE, associations, sans condition",
        ),
        Source(
            DELIB,
            f"{V2} : « Sociétés de capitaux (SARL, SA, SAS, …) ayant obtenu l'agrément ESUS »",
        ),
        "Délibération suivie : une SARL, SA ou SAS doit être agréée ESUS.",
        "ess_capital_forms",
    ),
    Disagreement(
        "INESS",
        "Règlement de minimis",
        Source(FICHE_INESS, "« Aides soumises au règlement » : « Règle de minimis n°2023/2831 »"),
        Source(DELIB, f"{V2} : « règlement n° 1407/2013 »"),
        "Délibération suivie (voir INAC).",
        "de_minimis",
    ),
)

INTERPRETATIONS: tuple[tuple[str, Source, str], ...] = (
    (
        "Tous",
        Source(CONTRACT, "section 2, « history.applications »"),
        "Statut d'une demande antérieure : champ facultatif « status » (pending, awarded, refused, "
        "withdrawn) ; à défaut, « awarded » > 0 vaut aidé, 0 vaut refusé, absent vaut en cours.",
    ),
    (
        "Tous",
        Source(CONTRACT, "section 2, « Expense categories »"),
        "Un code de catégorie, de mode, d'appareil ou de type de demandeur inconnu de la table du "
        "contrat est une erreur de saisie ; une catégorie connue mais non prévue par le dispositif "
        "est retenue à 0,00 €.",
    ),
    (
        "Tous",
        Source(CONTRACT, "section 2, « months »"),
        "Un abonnement sans durée (« months » absent ou 0) est retenu pour son montant.",
    ),
    (
        "INAC, INESS",
        Source(DELIB, "« Montant et intensité des aides »"),
        "Le plafond de 80 % de cumul s'applique aux dépenses éligibles totales (avant la limite de "
        "30 000 €) ; si d'autres aides publiques l'atteignent déjà, la situation n'est pas "
        "éligible.",
    ),
    (
        "INAC, INESS",
        Source(DELIB, "profil ESS"),
        "Association employeuse : au moins un salarié ; activité économique : part marchande non "
        "nulle ; sociétés de capitaux : SARL, SA, SAS, SASU, EURL, SCIC, SCA, SELARL, SELAS.",
    ),
    (
        "PDL-IN",
        Source(PDL_FAQ, "question 37"),
        "Paiement : l'aide finale est recalculée avec les règles (taux, assiette maximale, plafond, "
        "part régionale) sur les dépenses justifiées, sans le seuil de dépôt de 5 000 €, et jamais "
        "au-dessus de l'aide accordée.",
    ),
    (
        "PDL-IN",
        Source(PDL_FAQ, "questions 14 et 15"),
        "Cycle du plafond : les aides accordées s'additionnent jusqu'à 15 000 € ; le cycle se "
        "rouvre deux ans révolus après l'accusé de réception (à défaut, la date de dépôt) de la "
        "demande qui a atteint le plafond.",
    ),
    (
        "IDF-CN2",
        Source(IDF_TEXT, "« DEMARCHES »"),
        "Paiement : ni avance ni proratisation décrites ; le chèque final est celui de la tranche "
        "atteinte par les dépenses justifiées, sans dépasser le chèque accordé.",
    ),
    (
        "Tous",
        Source(CONTRACT, "section 2, « filed_on »"),
        "Les dates « 2 ans » et « 2 ans révolus » : une nouvelle demande est possible à partir du "
        "même jour deux ans plus tard (FAQ PDL question 15 : accusé du 15/03/2019, nouvelle demande "
        "à partir du 15/03/2021).",
    ),
)
