"""Hauts-de-France: INAC (volet 1) and INESS (volet 2) of deliberation 2021.01652.

Where a fiche and the deliberation differ, the deliberation is followed and the Param's note says
so (see also DISAGREEMENTS, rendered in docs/rules.md).
"""

from __future__ import annotations

from datetime import date

from .catalog import DELIB, FICHE_INAC, FICHE_INESS, HDF_DEPARTMENTS
from .model import Param, RuleVersion
from .params_common import DE_MINIMIS_REGIMES, D, complete, doc, p

V1 = "1) Volet destiné aux artisans-commerçants"
V2 = "2) Volet destiné aux entreprises de l'ESS (INESS)"

INAC_CATEGORIES = [
    "ecommerce_site",
    "webmarketing",
    "crm",
    "erp",
    "business_software",
    "data",
    "collaboration",
    "cloud",
    "mobile_app",
    "connected_equipment",
    "additive_manufacturing",
    "augmented_reality",
    "hardware",
]
INESS_CATEGORIES = [
    "ecommerce_site",
    "crm",
    "erp",
    "collaboration",
    "cloud",
    "augmented_reality",
    "hardware",
]
INAC_EXCLUDED = [
    "liberal_regulated",
    "liberal_unregulated",
    "pharmacy",
    "bank",
    "insurance",
    "real_estate",
    "training",
    "consulting",
    "design_office",
    "wholesale",
    "purchasing_centre",
]
INESS_EXCLUDED = [
    "liberal_regulated",
    "liberal_unregulated",
    "pharmacy",
    "bank",
    "insurance",
    "real_estate",
    "training",
    "consulting",
    "design_office",
    "purchasing_centre",
    "digital_core",
]
CAPITAL_FORMS = ["SARL", "SA", "SAS", "SASU", "EURL", "SCIC", "SCA", "SELARL", "SELAS"]

ESS_CERTIFIERS = (
    "CRESS, IRIAE, URSCOP, structures d'accompagnement partenaires de la Région, "
    "Hauts-de-France Innovation Développement, OPCO, EPCI, cabinet conseil spécialisé"
)
AC_CERTIFIERS = (
    "CCI, CMA, Hauts-de-France Innovation Développement, OPCO, EPCI, cabinet conseil spécialisé"
)


AMOUNTS_HEADING = {
    V1: "Montant et intensité des aides",
    V2: "Montant, intensité et cumul des aides",
}


def _common(volet: str, fiche: str) -> dict[str, Param]:
    amounts = f"{volet}, « {AMOUNTS_HEADING[volet]} »"
    return {
        "departments": p(
            list(HDF_DEPARTMENTS),
            DELIB,
            f"{volet} : « situées sur le territoire des Hauts-de-France »",
        ),
        "expense_bases": p(["HT"], DELIB, f"{amounts} : « 40 % des investissements éligibles HT »"),
        "rate": p(D("0.40"), DELIB, f"{amounts} : « Taux d'intervention de 40 % »"),
        "floor": p(D("3000"), DELIB, f"{amounts} : « minimum d'investissement fixé à 3 000 € »"),
        "base_ceiling": p(D("30000"), DELIB, f"{amounts} : « et un maximum à 30 000 € »"),
        "ceiling": p(
            D("12000"),
            DELIB,
            f"{amounts} : « soit une aide régionale comprise entre 1 200 € et 12 000 € »",
        ),
        "public_aid_cap_rate": p(
            D("0.80"),
            DELIB,
            f"{amounts} : « Le cumul des aides publiques ne "
            "peut dépasser 80% des dépenses éligibles »",
        ),
        "max_turnover": p(
            D("2000000"),
            DELIB,
            f"{volet} : « < 2 M€ de CA »",
            "Seuil strict : le chiffre d'affaires doit être inférieur à 2 M€.",
        ),
        "max_headcount": p(
            D("20"), DELIB, f"{volet} : « < 20 salariés »", "Seuil strict : moins de 20 salariés."
        ),
        "tax_social_required": p(
            True, DELIB, f"{volet} : « A jour de ses obligations fiscales et sociales »"
        ),
        "not_in_difficulty_required": p(
            True,
            DELIB,
            f"{volet} : « Ne répondant pas à la définition d'entreprise en difficulté »",
            f"La fiche ({fiche}, « Critères complémentaires ») dit « Situation financière saine » "
            "pour INAC ; la délibération est suivie (définition d'entreprise en difficulté).",
        ),
        "eligible_modes": p(
            ["purchase", "service", "subscription"],
            DELIB,
            f"{volet}, « Dépenses éligibles » : « de l'acquisition, de la prestation "
            "ou de l'abonnement » ; « Dépenses inéligibles » : « Acquisition par "
            "crédit-bail (leasing) ou location financière »",
        ),
        "hardware_max_devices": p(
            2,
            DELIB,
            f"{volet}, « Dépenses éligibles » : « ne seront retenus "
            "au maximum que deux des trois matériels évoqués ci-dessus »",
            "Interprétation : au plus un matériel de chaque type et deux au "
            "total ; les deux plus favorables au demandeur sont retenus.",
        ),
        "expenses_after_filing": p(
            True,
            DELIB,
            f"{volet} : « Ne pourront être éligibles que les "
            "dépenses réalisées a posteriori de la date de création du "
            "dossier de demande d'aide »",
            "Interprétation : une dépense engagée le jour du dépôt est "
            "retenue (l'heure n'est pas connue).",
        ),
        "expenses_from_acknowledgment": p(
            False,
            DELIB,
            f"{volet} : « dépenses réalisées a posteriori de la date de création du dossier de "
            "demande d'aide » : le dépôt, non l'accusé de réception",
        ),
        "expenses_from": p(None, DELIB, f"{volet} : pas de date fixe, seulement le dépôt"),
        "expense_period_months": p(None, DELIB, f"{volet} : pas de durée maximale des dépenses"),
        "reapplication_wait_years": p(
            2,
            DELIB,
            f"{amounts} : « Une entreprise ne peut déposer "
            "qu'une seule demande d'aide sur ce dispositif dans un délai "
            "de 2 ans »",
            "Interprétation : toute demande déposée sur le même "
            "dispositif compte, quelle qu'en soit l'issue.",
        ),
        "de_minimis": p(
            True,
            DELIB,
            f"{amounts} : « Le dispositif s'appuie sur le régime de "
            "minimis. (règlement n° 1407/2013 ...) »",
            f"La fiche ({fiche}, « Critères complémentaires ») cite la « Règle de "
            "minimis n°2023/2831 » ; la délibération cite le règlement 1407/2013. Le "
            "régime est choisi par la date de dépôt : tous les dossiers de cette "
            "version (2021-2022) relèvent du 1407/2013, comme le dit la délibération.",
        ),
        "de_minimis_regimes": DE_MINIMIS_REGIMES,
        "advance_rate": p(
            D("0"),
            DELIB,
            f"{volet}, « Modalités » : « Versement de l'aide en une "
            "fois, sur présentation des factures acquittées »",
        ),
        "advance_threshold": p(None, DELIB, f"{volet}, « Modalités » : versement en une fois"),
        "realisation_months_after_award": p(
            None, DELIB, f"{volet} : la délibération ne fixe pas de délai de réalisation"
        ),
        "realisation_months_after_start": p(
            None, DELIB, f"{volet} : la délibération ne fixe pas de durée des dépenses"
        ),
        "proofs_months": p(
            None,
            DELIB,
            f"{volet}, « Modalités » : « Versement de l'aide en une fois, sur présentation des "
            "factures acquittées » (sans délai fixé)",
        ),
        "commission_permanente": p(
            False,
            DELIB,
            f"{volet}, « Modalités » : « pas de délibération individuelle par dossier, "
            "délégation donnée au Président du Conseil régional »",
        ),
        "closing_documents": p(
            False,
            DELIB,
            f"{volet}, « Modalités » : « Versement de l'aide en une fois, sur présentation des "
            "factures acquittées »",
        ),
        "hardware_one_per_type": p(
            True,
            DELIB,
            f"{volet}, « Dépenses éligibles » : « ne seront retenus au maximum que deux des trois "
            "matériels évoqués ci-dessus »",
            "Lecture retenue : « deux des trois matériels » compte les trois sortes de matériel "
            "nommées juste avant (ordinateur, tablette, smartphone) ; deux ordinateurs ne sont "
            "donc pas « deux des trois matériels » : un seul matériel de chaque sorte, deux "
            "sortes au plus, les plus favorables. Une région qui lirait « deux appareils "
            "quelconques » met ce paramètre à faux.",
        ),
        "non_cumulative_years": p(
            None,
            DELIB,
            f"{volet}, « {AMOUNTS_HEADING[volet]} » : « Ce dispositif n'est pas cumulable avec "
            "d'autres aides "
            "financières individuelles régionales à la transition numérique des entreprises »",
            "Lecture retenue : le texte ne borne pas le non-cumul dans le temps (il le fait pour "
            "la nouvelle demande sur le même dispositif : « dans un délai de 2 ans ») ; un "
            "dossier de l'autre volet en cours ou aidé bloque, quelle que soit sa date. Une "
            "région peut fixer ici un nombre d'années (par exemple 2, comme le délai de "
            "redépôt).",
        ),
        "early_commitment": p(
            "line",
            DELIB,
            f"{volet} : « Ne pourront être éligibles que les dépenses réalisées a posteriori de la "
            "date de création du dossier de demande d'aide »",
            "Le texte vise « les dépenses » : seule la dépense engagée avant le dépôt est écartée "
            "(valeur « line ») ; « dossier » refuserait tout le dossier.",
        ),
        "final_proration": p(
            True,
            DELIB,
            f"{volet}, « Modalités » : « Versement de l'aide en une fois, sur présentation des "
            f"factures acquittées » ; {AMOUNTS_HEADING[volet]} : « Taux d'intervention de 40 % "
            "des investissements éligibles HT »",
            "Interprétation : l'aide est recalculée au taux sur les factures acquittées retenues, "
            "jamais au-dessus de l'aide accordée.",
        ),
        "payment_terms": p(
            "Versement en une fois, sur présentation des factures acquittées.",
            DELIB,
            f"{volet}, « Modalités »",
        ),
        "region_share_proration": p(
            False, DELIB, f"{volet} : pas de proratisation par établissement"
        ),
        "tiers": p(None, DELIB, f"{amounts} : taux unique, pas de barème"),
        "validity": p(
            {"valid_from": date(2021, 11, 1), "valid_to": date(2022, 12, 31)},
            DELIB,
            f"{volet}, dernier alinéa : « s'appliqueront pour tout dossier déposé à "
            "compter du 1er novembre 2021 jusqu'à l'arrêt du cadre d'intervention prévu "
            "le 31 décembre 2022 »",
            "Dates de dépôt, bornes incluses.",
        ),
        "ceiling_per_company": p(False, DELIB, f"{amounts} : plafond par dossier"),
        "cap_wait_years": p(None, DELIB, f"{amounts} : pas de délai lié au plafond"),
    }


def _documents(volet: str, certification: bool) -> list[dict[str, str]]:
    docs = [
        doc(
            "registration_extract",
            "Extrait Kbis ou extrait du Répertoire des métiers (RNE) de moins de trois mois",
            "company",
        ),
        doc("statutes_esus", "Statuts et, pour une société commerciale, agrément ESUS", "ess"),
        doc("quotes", "Devis détaillés des dépenses, au nom de la structure bénéficiaire"),
        doc("tax_social_certificates", "Attestations de régularité fiscale et sociale"),
        doc(
            "de_minimis_declaration",
            "Déclaration des aides de minimis reçues sur l'exercice en "
            "cours et les deux précédents",
        ),
        doc(
            "public_funding_plan",
            "Plan de financement indiquant les autres aides publiques sollicitées pour le projet",
        ),
        doc("rib", "Relevé d'identité bancaire (RIB) au nom de la structure"),
        doc("paid_invoices", "Factures acquittées", "payment"),
    ]
    if certification:
        docs.insert(
            2,
            doc(
                "project_certification",
                "Attestation de certification du projet de "
                "transformation numérique par un tiers de confiance",
            ),
        )
    return docs


def inac_version() -> RuleVersion:
    params = _common(V1, FICHE_INAC)
    params.update(
        {
            "applicant_kinds": p(
                ["company", "association"],
                DELIB,
                f"{V1} : « Entreprises artisanales "
                "et commerciales » et « Entreprise de l'Economie Sociale et "
                "Solidaire »",
                f"La fiche ({FICHE_INAC}) ne vise que les artisans/commerçants ; la "
                "délibération (volet 1) admet aussi les entreprises de l'ESS, dont "
                "les associations employeuses : la délibération est suivie.",
            ),
            "profiles": p(
                ["artisan_commercant", "ess"],
                DELIB,
                f"{V1} : « Entreprises artisanales et "
                "commerciales » ; « Entreprise de l'Economie Sociale et Solidaire »",
            ),
            "registration_required": p(
                True,
                DELIB,
                f"{V1} : « Inscrites au RCS et/ou au RM pour les artisans-commerçants »",
            ),
            "ess_capital_forms": p(
                CAPITAL_FORMS,
                DELIB,
                f"{V1} : « Sociétés de capitaux (SARL, SA, SAS, …) ayant obtenu l'agrément ESUS »",
            ),
            "ess_cooperative_forms": p(
                ["SCOP"], DELIB, f"{V1} : « Sociétés coopératives de production »"
            ),
            "ess_employer_group_forms": p(
                ["GE", "GEIQ"],
                DELIB,
                f"{V1} : « groupements d'employeurs "
                "et les groupements d'employeurs d'insertion qualification »",
            ),
            "eligible_categories": p(
                INAC_CATEGORIES,
                DELIB,
                f"{V1}, « Dépenses éligibles »",
                f"La fiche ({FICHE_INAC}, « Dépenses concernées ») ne cite que "
                "les sites de vente en ligne et le matériel informatique ; la "
                "délibération en liste treize : la délibération est suivie.",
            ),
            "excluded_activities": p(
                INAC_EXCLUDED,
                DELIB,
                f"{V1}, « Exclusions »",
                f"La fiche ({FICHE_INAC}, « Entreprises inéligibles ») omet le "
                "commerce de gros et les ACI ; la délibération les exclut : la "
                "délibération est suivie.",
            ),
            "aci_excluded": p(
                True,
                DELIB,
                f"{V1}, « Exclusions » : « Structures agréées ACI »",
                f"Absent de la fiche {FICHE_INAC} ; la délibération est suivie.",
            ),
            "digital_core_excluded": p(
                "ess",
                DELIB,
                f"{V1}, « Exclusions » : « Pour les Entreprises "
                "de l'ESS, Toute entreprise ayant le numérique pour cœur "
                "d'activité »",
            ),
            "project_certification_required": p(
                True,
                DELIB,
                f"{V1} : « ce projet doit être « certifié » par un tiers de confiance »",
                f"La fiche {FICHE_INAC} ne mentionne pas la "
                "certification ; la délibération l'exige : elle est "
                "suivie.",
            ),
            "certifiers": p(
                f"artisans-commerçants : {AC_CERTIFIERS} ; ESS : {ESS_CERTIFIERS}",
                DELIB,
                f"{V1} : « tiers de confiance : CCI, CMA, ... » et « CRESS, IRIAE, URSCOP, ... »",
            ),
            "subscription_months_cap": p(
                12,
                DELIB,
                f"{V1}, « Dépenses éligibles » : « de l'abonnement (limité à 12 mois) »",
                "Un abonnement plus long est retenu au prorata : montant × 12 / durée en mois.",
            ),
            "hardware_device_cap": p(
                D("800"),
                DELIB,
                f"{V1}, « Dépenses éligibles » : « dans la limite de 800 € HT par matériel »",
            ),
            "non_cumulative_with": p(
                ["INESS"],
                DELIB,
                f"{V1}, « Montant et intensité des aides » : « Ce "
                "dispositif n'est pas cumulable avec d'autres aides financières "
                "individuelles régionales à la transition numérique »",
                "Interprétation : un dossier INESS en cours ou aidé, quelle qu'en "
                "soit la date, empêche l'aide INAC.",
            ),
            "required_documents": p(
                _documents(V1, True),
                DELIB,
                f"{V1} : inscription RCS/RM, certification par un tiers de "
                "confiance, facturation au nom de l'entreprise, obligations "
                "fiscales et sociales, régime de minimis, « Versement de l'aide en "
                "une fois, sur présentation des factures acquittées »",
                "Interprétation : les textes ne listent pas les pièces ; chaque "
                "pièce prouve une condition du texte.",
            ),
        }
    )
    return RuleVersion(
        scheme="INAC",
        ident="INAC/2021-11-01",
        valid_from=date(2021, 11, 1),
        valid_to=date(2022, 12, 31),
        label="Cadre « Soutien régional à la transition numérique », volet artisans-commerçants "
        "(délibération n° 2021.01652), dossiers déposés du 01/11/2021 au 31/12/2022",
        parameters=complete(params, DELIB),
    )


def iness_version() -> RuleVersion:
    params = _common(V2, FICHE_INESS)
    params.update(
        {
            "applicant_kinds": p(
                ["company", "association"],
                DELIB,
                f"{V2} : « entreprises de l'ESS et associations employeuses »",
            ),
            "profiles": p(
                ["ess"], DELIB, f"{V2}, « Entreprise de l'Economie Sociale et Solidaire »"
            ),
            "registration_required": p(
                False, DELIB, f"{V2} : pas de condition d'inscription RCS/RM"
            ),
            "ess_capital_forms": p(
                CAPITAL_FORMS,
                DELIB,
                f"{V2} : « Sociétés de capitaux (SARL, SA, SAS, …) ayant obtenu l'agrément ESUS »",
                f"La fiche ({FICHE_INESS}, « Forme juridique ») liste SARL, SA, SAS "
                "sans rappeler l'agrément ESUS ; la délibération l'exige.",
            ),
            "ess_cooperative_forms": p(
                ["SCOP"], DELIB, f"{V2} : « Sociétés coopératives de production »"
            ),
            "ess_employer_group_forms": p(
                ["GE", "GEIQ"],
                DELIB,
                f"{V2} : « groupements d'employeurs "
                "et les groupements d'employeurs d'insertion qualification »",
            ),
            "eligible_categories": p(INESS_CATEGORIES, DELIB, f"{V2}, « Dépenses éligibles »"),
            "excluded_activities": p(
                INESS_EXCLUDED,
                DELIB,
                f"{V2}, « Exclusions »",
                "Le volet 2 n'exclut pas le commerce de gros (seulement la "
                "« Centrale d'achat ») ; la fiche dit de même.",
            ),
            "aci_excluded": p(True, DELIB, f"{V2}, « Exclusions » : « Structures agréées ACI »"),
            "digital_core_excluded": p(
                "all",
                DELIB,
                f"{V2}, « Exclusions » : « Toute entreprise ayant "
                "le numérique pour cœur d'activité »",
            ),
            "project_certification_required": p(
                False,
                DELIB,
                f"{V2} : le paragraphe « Entreprise de l'Economie Sociale et Solidaire » "
                "du volet 2 ne reprend pas l'exigence de certification du volet 1",
                f"Interprétation : ni le volet 2 ni la fiche {FICHE_INESS} n'exigent la certification "
                "par un tiers de confiance ; elle n'est donc pas exigée pour INESS.",
            ),
            "certifiers": p("", DELIB, f"{V2} : pas de certification"),
            "subscription_months_cap": p(
                None,
                DELIB,
                f"{V2}, « Dépenses éligibles » : « de "
                "l'acquisition, de la prestation ou de l'abonnement » (sans "
                "limite de durée)",
                f"La fiche ({FICHE_INESS}, « Dépenses concernées ») limite "
                "l'abonnement à 12 mois ; le volet 2 de la délibération ne le "
                "limite pas : la délibération est suivie, aucun plafond.",
            ),
            "hardware_device_cap": p(
                D("800"),
                DELIB,
                f"{V2}, « Dépenses éligibles » : « dans la limite de 800 € par matériel »",
                "Le volet 2 et la fiche disent « 800 € » sans « HT » ; les "
                "dépenses étant retenues HT (taux sur les investissements HT), "
                "800 € HT.",
            ),
            "non_cumulative_with": p(
                ["INAC"],
                DELIB,
                f"{V2}, « Montant, intensité et cumul des aides » "
                ": « Ce dispositif n'est pas cumulable avec d'autres aides "
                "financières individuelles régionales à la transition numérique »",
                "Interprétation : un dossier INAC en cours ou aidé, quelle qu'en "
                "soit la date, empêche l'aide INESS.",
            ),
            "required_documents": p(
                _documents(V2, False),
                DELIB,
                f"{V2} : statuts ESS, facturation au nom de l'entreprise, "
                "obligations fiscales et sociales, régime de minimis, versement "
                "sur factures acquittées",
                "Interprétation : les textes ne listent pas les pièces ; chaque "
                "pièce prouve une condition du texte.",
            ),
        }
    )
    return RuleVersion(
        scheme="INESS",
        ident="INESS/2021-11-01",
        valid_from=date(2021, 11, 1),
        valid_to=date(2022, 12, 31),
        label="Cadre « Soutien régional à la transition numérique », volet entreprises de l'ESS "
        "(délibération n° 2021.01652), dossiers déposés du 01/11/2021 au 31/12/2022",
        parameters=complete(params, DELIB),
    )
