"""Pays de la Loire Investissement Numérique (PDL-IN), from the FAQ (the only seed text)."""

from __future__ import annotations

from datetime import date

from .catalog import PDL_DEPARTMENTS, PDL_FAQ, REG_651
from .model import RuleVersion
from .params_common import DE_MINIMIS_REGIMES, D, complete, doc, p

F = PDL_FAQ
VALIDITY_NOTE = (
    "La FAQ ne donne pas de date d'ouverture ; son exemple de la question 15 cite un accusé de "
    "réception du 15/03/2019 pour des dépenses autorisées dès le 01/03/2019 : le dispositif était "
    "donc ouvert début 2019, d'où le 01/01/2019. La question 19 dit « Il n'y a pas de date limite "
    "de dépôt de dossier » : pas de date de fin."
)
PDL_CATEGORIES = [
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
]


def pdl_version() -> RuleVersion:
    params = {
        "applicant_kinds": p(
            ["company", "association"],
            F,
            "question 3 : « une association est "
            "éligible si elle répond aux critères du règlement et exerce une "
            "activité marchande majoritaire »",
        ),
        "profiles": p(
            ["market_enterprise"],
            F,
            "question 2 : « réservé aux entreprises et aux "
            "structures exerçant une activité économique majoritairement »",
        ),
        "departments": p(
            list(PDL_DEPARTMENTS),
            F,
            "question 6 : « si le projet concerne l'implantation en Pays de la Loire »",
            "Le département est celui de l'établissement qui porte le projet ; un "
            "établissement secondaire en Pays de la Loire suffit.",
        ),
        "expense_bases": p(["HT"], F, "questions 10 et 11 : coûts éligibles « HT »"),
        "rate": p(D("0.50"), F, "question 10 : « Le taux d'aide est de 50% des coûts éligibles »"),
        "floor": p(
            D("5000"),
            F,
            "questions 11 et 13 : « le seuil minimal est de 5 000€HT de coûts "
            "éligibles » ; « Il n'est pas prévu de dérogation »",
        ),
        "base_ceiling": p(
            D("30000"),
            F,
            "question 10 : « le taux d'aide de 50% sera basé sur des "
            "coûts éligibles de maximum 30 000€HT »",
        ),
        "ceiling": p(D("15000"), F, "question 10 : « L'aide étant plafonnée à 15 000€ »"),
        "ceiling_per_company": p(
            True,
            F,
            "question 14 : « Une entreprise qui n'a pas atteint les "
            "15 000€ d'aide lors de sa première demande peut déposer un "
            "deuxième dossier » (nouvelle aide à hauteur du reliquat)",
        ),
        "cap_wait_years": p(
            2,
            F,
            "question 15 : « ne pourra bénéficier à nouveau du dispositif "
            "qu'après 2 ans révolus » « à compter de la date de cet accusé »",
        ),
        "one_dossier_per_project": p(
            True,
            F,
            "question 18 : « il est demandé de ne déposer qu'un seul dossier pour l'ensemble »",
            "Interprétation : un dossier PDL-IN encore en cours "
            "(statut pending) empêche d'en déposer un autre ; une ligne "
            "dont la catégorie a déjà été aidée dans le cycle en cours "
            "n'est pas retenue (question 14).",
        ),
        "public_aid_cap_rate": p(
            None, F, "la FAQ ne fixe pas de plafond de cumul des aides publiques"
        ),
        "max_turnover": p(None, F, "pas de seuil propre au-delà de la définition de la PME"),
        "max_headcount": p(None, F, "pas de seuil propre au-delà de la définition de la PME"),
        "sme_max_headcount": p(
            D("50"),
            F,
            "questions 4 et 5 : « seuils de 50 salariés et 10 millions d'euros de CA »",
            f"{REG_651}, annexe I, article 2, paragraphe 2 : « moins de 50 "
            "personnes » (seuil strict).",
        ),
        "sme_max_turnover": p(
            D("10000000"),
            F,
            "questions 4 et 5 : « 10 millions d'euros de CA »",
            f"{REG_651}, annexe I, article 2, paragraphe 2 : chiffre d'affaires "
            "« n'excède pas 10 millions d'euros » (ou total du bilan, s'il est "
            "donné, n'excédant pas ce montant).",
        ),
        "sme_max_balance_sheet": p(
            D("10000000"),
            REG_651,
            "annexe I, article 2, paragraphe 2 "
            "(« et/ou le total du bilan annuel n'excède pas 10 millions "
            "d'euros »)",
        ),
        "sme_aggregation": p(
            True,
            F,
            "questions 4 et 5 : partenaire entre 25 et 50 % (au prorata), "
            "liée au-delà de 50 % (100 %)",
        ),
        "tax_social_required": p(
            True,
            F,
            "question 8 : « à jour de leurs obligations fiscales, "
            "sociales, environnementales et sanitaires »",
        ),
        "not_in_difficulty_required": p(
            True,
            F,
            "question 8 : « ne pas être en difficulté au sens du règlement (UE) n°651/2014 »",
        ),
        "min_age_years": p(
            2,
            F,
            "question 1 : « Mon entreprise doit avoir deux ans d'existence » ; "
            "« La date d'immatriculation de l'entreprise est la date de "
            "référence »",
            "Les deux ans s'apprécient à la date de dépôt.",
        ),
        "min_market_activity_share": p(
            D("0.5"),
            F,
            "question 2 : « plus de 50% de vos produits proviennent d'une activité économique »",
            "Seuil strict : plus de 50 %.",
        ),
        "micro_certified_accounts_required": p(
            True,
            F,
            "question 9 : « les deux derniers comptes "
            "de résultat certifiés par un comptable et "
            "l'attestation fiscale »",
        ),
        "micro_min_turnover": p(
            D("20000"),
            F,
            "question 9 : « il est demandé un minimum de 20 000€ "
            "de chiffre d'affaires sur l'année »",
        ),
        "excluded_activities": p(
            [],
            F,
            "question 7 : « Le règlement d'intervention ne prévoit pas "
            "de dérogation possible en cas de code NAF inéligible »",
            "Interprétation : la liste des codes NAF inéligibles est dans le "
            "règlement d'intervention, absent des sources ; aucune famille "
            "n'est exclue par défaut. Une version enregistrée côté Django "
            "peut en ajouter (familles de la table NAF).",
        ),
        "aci_excluded": p(False, F, "la FAQ n'exclut pas les ACI"),
        "digital_core_excluded": p("none", F, "la FAQ n'exclut pas les entreprises du numérique"),
        "project_certification_required": p(
            False, F, "la FAQ ne demande pas de certification par un tiers"
        ),
        "certifiers": p("", F, "pas de certification"),
        "registration_required": p(
            False,
            F,
            "question 1 : l'immatriculation sert de date de référence, pas de registre imposé",
        ),
        "eligible_categories": p(
            PDL_CATEGORIES,
            F,
            "questions 12, 14 et 18 (ERP, CRM, site "
            "e-commerce) ; question 12 : l'ordinateur fait « partie des "
            "dépenses inéligibles »",
            "Interprétation : l'annexe 1 du règlement d'intervention n'est "
            "pas dans les sources ; sont retenus les investissements "
            "numériques de la table du contrat hors matériel informatique "
            "(question 12), site vitrine, bureautique, matériel non lié et "
            "cybersécurité.",
        ),
        "eligible_modes": p(
            ["purchase", "service", "subscription"],
            F,
            "questions 31 et 33 : paiement sur factures acquittées",
            "Interprétation : le crédit-bail ou la location financière ne donnent pas de "
            "facture d'investissement acquittée (questions 31 et 33) : ils ne sont pas retenus.",
        ),
        "subscription_months_cap": p(None, F, "la FAQ ne limite pas la durée des abonnements"),
        "hardware_max_devices": p(
            None, F, "question 12 : le matériel informatique n'est pas éligible"
        ),
        "hardware_device_cap": p(None, F, "question 12"),
        "expenses_after_filing": p(
            True,
            F,
            "question 16 : « Le dossier de demande d'aide doit être "
            "déposé avant l'engagement des dépenses »",
            "Interprétation : la date de début des dépenses est fixée par "
            "l'accusé de réception (question 25), inconnue au dépôt ; la "
            "date de dépôt est retenue, jour même compris.",
        ),
        "expenses_from_acknowledgment": p(
            True,
            F,
            "question 25 : « un accusé de réception vous sera envoyé en vous indiquant la date "
            "de début de prise en compte des dépenses »",
            "Le portail retient la date de l'accusé de réception (question 15 : il indique « à "
            "partir de quelle date les dépenses sont autorisées »).",
        ),
        "expenses_from": p(None, F, "question 16 : pas de date fixe"),
        "expense_period_months": p(
            None,
            F,
            "question 27 : réalisation jusqu'à deux ans après l'arrêté (contrôlé au paiement)",
        ),
        "reapplication_wait_years": p(
            None, F, "question 14 : une deuxième demande est possible pour un nouveau projet"
        ),
        "non_cumulative_with": p(
            [], F, "la FAQ ne prévoit pas de non-cumul avec un autre dispositif du portail"
        ),
        "region_share_proration": p(
            True,
            F,
            "question 6 : « Nous appliquerons alors une "
            "proratisation en fonction de l'activité économique réalisée "
            "en Pays de la Loire »",
            "Formule retenue (la FAQ n'en donne pas) : aide = min(taux × "
            "min(assiette, 30 000 €) × part régionale, reliquat du "
            "plafond) ; le seuil de 5 000 € s'apprécie sur l'assiette "
            "entière du projet. L'agent peut fournir une autre part.",
        ),
        "tiers": p(None, F, "question 10 : taux unique"),
        "validity": p(
            {"valid_from": date(2019, 1, 1), "valid_to": None},
            F,
            "questions 15 et 19",
            VALIDITY_NOTE,
        ),
        "de_minimis": p(
            True,
            F,
            "question 23 : « ne pas dépasser 200 000€ d'aides publiques tous "
            "les 3 ans par entreprise »",
            "Le plafond et la période dépendent du règlement en vigueur à la date de "
            "dépôt (1407/2013 jusqu'au 31/12/2023, 2023/2831 ensuite).",
        ),
        "de_minimis_regimes": DE_MINIMIS_REGIMES,
        "advance_rate": p(
            D("0.30"),
            F,
            "question 31 : « Une avance de 30% de la subvention sur "
            "présentation d'un devis ou bon de commande signé »",
        ),
        "advance_threshold": p(
            D("4000"),
            F,
            "question 31 : « Toute aide inférieure ou égale à 4000€ est versée en une seule fois »",
        ),
        "realisation_months_after_award": p(
            24,
            F,
            "question 27 : « Le délai de réalisation court de la date retenue comme début des "
            "dépenses et jusqu'à deux ans après l'édition de l'arrêté d'attribution »",
        ),
        "realisation_months_after_start": p(
            None, F, "question 27 : le délai court jusqu'à deux ans après l'arrêté"
        ),
        "proofs_months": p(
            6,
            F,
            "question 27 : « Suite à cela, vous avez six mois pour nous transmettre les "
            "justificatifs »",
        ),
        "commission_permanente": p(
            False,
            F,
            "question 25 : « Un arrêté officiel vous sera ensuite adressé portant attribution de "
            "la subvention »",
            "Interprétation : la FAQ ne cite aucune commission ; l'aide est attribuée par arrêté.",
        ),
        "closing_documents": p(
            True,
            F,
            "question 31 : « Pour le solde » : « un état récapitulatif des factures des "
            "dépenses » ; « une attestation de fin d'engagement des dépenses » ; « Toute aide "
            "inférieure ou égale à 4000€ est versée en une seule fois avec les mêmes "
            "justificatifs de ceux du solde »",
        ),
        "cap_counts_years": p(
            None,
            F,
            "questions 14 et 15 : « Une entreprise qui n'a pas atteint les 15 000€ d'aide lors de "
            "sa première demande peut déposer un deuxième dossier » ; « Une entreprise ayant "
            "atteint le plafond d'aide de 15 000 €, ne pourra bénéficier à nouveau du dispositif "
            "qu'après 2 ans révolus »",
            "Lecture retenue : le plafond est « par entreprise » et la FAQ ne le rouvre qu'une "
            "fois atteint (question 15) : une première aide de 10 000 € limite les projets "
            "suivants à 5 000 € tant que le plafond n'est pas atteint, sans limite de temps. Une "
            "région peut fixer ici un nombre d'années au-delà duquel une aide ne compte plus.",
        ),
        "early_commitment": p(
            "line",
            F,
            "questions 16 et 12 : « Le dossier de demande d'aide doit être déposé avant "
            "l'engagement des dépenses » ; « toutes les dépenses ne sont pas nécessairement "
            "retenues sur un projet »",
            "Lecture retenue : la question 16 répond pour le devis signé (« Vous ne pouvez donc "
            "pas bénéficier de l'aide » pour cette dépense) ; la question 12 montre qu'un projet "
            "garde ses autres coûts éligibles : seule la dépense engagée est écartée (« line »). "
            "« dossier » refuse tout le dossier dès qu'une dépense a été engagée avant le dépôt.",
        ),
        "floor_on_prorated_base": p(
            False,
            F,
            "questions 6 et 11 : « Nous appliquerons alors une proratisation en fonction de "
            "l'activité économique réalisée en Pays de la Loire » ; « le seuil minimal est de "
            "5 000€HT de coûts éligibles »",
            "Lecture retenue : le seuil porte sur les « coûts éligibles » du projet, la "
            "proratisation sur l'aide : le seuil s'apprécie sur l'assiette entière. Vrai : sur "
            "l'assiette proratisée.",
        ),
        "region_share_before_cap": p(
            True,
            F,
            "questions 6 et 14 : proratisation « en fonction de l'activité économique réalisée en "
            "Pays de la Loire » ; « une nouvelle aide à hauteur de 5 000€ maximum »",
            "Lecture retenue : la proratisation calcule l'aide du projet, le plafond (ou son "
            "reliquat) borne ce que l'entreprise reçoit : proratiser d'abord, plafonner ensuite. "
            "Faux : plafonner l'aide du projet, puis proratiser.",
        ),
        "final_proration": p(
            True,
            F,
            "question 37 : « la subvention pourra être proratisée si le montant de dépenses "
            "prévues n'a pas été atteint »",
            "L'aide finale est le taux appliqué aux dépenses justifiées, jamais au-dessus de "
            "l'aide accordée (exemple de la question 37 : 15 000 € prévus sur 30 000 € HT, "
            "20 000 € HT justifiés, 10 000 € versés).",
        ),
        "payment_terms": p(
            "Avance de 30 % sur devis signé pour une aide de plus de 4 000 €, solde "
            "sur état récapitulatif, attestation de fin d'engagement et factures "
            "acquittées ; aide proratisée si les dépenses prévues ne sont pas "
            "atteintes.",
            F,
            "questions 31 et 37",
        ),
        "required_documents": p(
            [
                doc("registration_extract", "Extrait Kbis (date d'immatriculation)"),
                doc(
                    "company_presentation",
                    "Présentation de l'entreprise (historique, activités, "
                    "marché, ressources humaines, situation financière)",
                ),
                doc("reflection_report", "Rapport de réflexion sur le projet numérique"),
                doc("quotes", "Devis des dépenses prévues"),
                doc(
                    "de_minimis_declaration",
                    "Déclaration des aides publiques de minimis reçues les trois dernières années",
                ),
                doc(
                    "micro_income_statements",
                    "Deux derniers comptes de résultat certifiés par un "
                    "comptable et attestation fiscale",
                    "micro_enterprise",
                ),
                doc(
                    "group_structure",
                    "Détention du capital et chiffres des entreprises partenaires ou liées",
                    "holdings",
                ),
                doc(
                    "establishment_split",
                    "Répartition du chiffre d'affaires et des salariés par établissement",
                    "region_share_below_one",
                ),
                doc("rib", "Relevé d'identité bancaire (RIB)"),
                doc(
                    "signed_quote",
                    "Devis ou bon de commande signé, daté et tamponné (avance)",
                    "payment",
                ),
                doc(
                    "expense_statement",
                    "État récapitulatif des factures, attestation de fin "
                    "d'engagement des dépenses et factures acquittées (solde)",
                    "payment",
                ),
            ],
            F,
            "questions 1, 6, 9, 20, 21, 23 et 31",
        ),
    }
    return RuleVersion(
        scheme="PDL-IN",
        ident="PDL-IN/2019-01-01",
        valid_from=date(2019, 1, 1),
        valid_to=None,
        label="Pays de la Loire Investissement Numérique (FAQ du dispositif), dossiers déposés à "
        "partir du 01/01/2019, sans date limite",
        parameters=complete(params, F),
    )
