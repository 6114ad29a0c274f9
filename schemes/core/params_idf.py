"""Île-de-France chèque numérique volet 2 (IDF-CN2), communes and their groupings."""

from __future__ import annotations

from datetime import date

from .catalog import IDF_DEPARTMENTS, IDF_TEXT
from .model import RuleVersion
from .params_common import DE_MINIMIS_REGIMES, D, complete, doc, p

T = IDF_TEXT
IDF_CATEGORIES = [
    "commerce_solution",
    "solution_training",
    "communication",
    "project_assistance",
    "collective_training",
]
TIERS = [
    (2000, 1000),
    (4000, 2000),
    (6000, 3000),
    (8000, 4000),
    (10000, 5000),
    (12000, 6000),
    (14000, 7000),
    (16000, 8000),
    (18000, 9000),
    (20000, 10000),
]
VALIDITY_NOTE = (
    "Le texte ne fixe ni date d'ouverture ni date de clôture ; sa seule date est celle des "
    "dépenses éligibles (« engagées à partir du 12/03/2020 ») : les règles sont appliquées aux "
    "dossiers déposés à partir du 12/03/2020, sans date de fin (à clore côté Django quand le "
    "dispositif s'arrête)."
)


def idf_version() -> RuleVersion:
    params = {
        "applicant_kinds": p(
            ["commune", "intercommunality"],
            T,
            "« SONT ELIGIBLES » : « les communes du territoire francilien ou leurs groupements »",
        ),
        "profiles": p(["local_authority"], T, "« SONT ELIGIBLES »"),
        "departments": p(
            list(IDF_DEPARTMENTS), T, "« SONT ELIGIBLES » : « communes du territoire francilien »"
        ),
        "expense_bases": p(
            ["HT", "TTC"],
            T,
            "« TYPES DE DEPENSES » : « soit des dépenses de "
            "fonctionnement (en TTC) soit des dépenses d'investissement (en HT), "
            "mais pas les deux »",
        ),
        "rate": p(None, T, "barème par tranches, pas de taux"),
        "validity": p(
            {"valid_from": date(2020, 3, 12), "valid_to": None},
            T,
            "« TYPES DE DEPENSES » : « engagées à partir du 12/03/2020 »",
            VALIDITY_NOTE,
        ),
        "tiers": p(
            [{"from": D(a), "award": D(b)} for a, b in TIERS],
            T,
            "tableau « MONTANT DES DEPENSES ELIGIBLES » / « MONTANT DU CHEQUE » : de « A "
            "partir de 2 000 € » (chèque de 1 000 €) à « A partir de 20 000 € » (chèque de "
            "10 000 €)",
            "Le chèque est celui de la plus haute tranche atteinte par l'assiette.",
        ),
        "floor": p(D("2000"), T, "barème : « A partir de 2 000 € »"),
        "base_ceiling": p(None, T, "barème : pas d'assiette maximale"),
        "ceiling": p(
            D("10000"), T, "tableau, dernière ligne : « A partir de 20 000 € » (chèque de 10 000 €)"
        ),
        "ceiling_per_company": p(False, T, "plafond par dossier"),
        "cap_wait_years": p(None, T, "pas de délai lié au plafond"),
        "public_aid_cap_rate": p(None, T, "le texte ne fixe pas de plafond de cumul"),
        "max_turnover": p(None, T, "collectivités : pas de seuil"),
        "max_headcount": p(None, T, "collectivités : pas de seuil"),
        "tax_social_required": p(False, T, "collectivités : non applicable"),
        "not_in_difficulty_required": p(False, T, "collectivités : non applicable"),
        "excluded_activities": p([], T, "pas d'exclusion par activité"),
        "aci_excluded": p(False, T, "non applicable"),
        "digital_core_excluded": p("none", T, "non applicable"),
        "project_certification_required": p(False, T, "pas de certification"),
        "certifiers": p("", T, "pas de certification"),
        "registration_required": p(False, T, "non applicable"),
        "eligible_categories": p(
            IDF_CATEGORIES,
            T,
            "« PROJETS ELIGIBLES » et « TYPES DE DEPENSES "
            "» : abonnement, formation liée à la solution, hébergement, "
            "installation, licence, communication, assistance à maîtrise "
            "d'ouvrage, formations collectives en ligne",
        ),
        "eligible_modes": p(
            ["purchase", "service", "subscription"],
            T,
            "« TYPES DE DEPENSES » : « abonnement », « licence, acquisition, développement »",
            "Interprétation : le texte cite l'abonnement, la licence, l'acquisition et le "
            "développement, pas le crédit-bail : il n'est pas retenu.",
        ),
        "subscription_months_cap": p(
            12,
            T,
            "« TYPES DE DEPENSES » : « abonnement sur 12 mois maximum »",
            "Au-delà : montant × 12 / durée en mois.",
        ),
        "hardware_max_devices": p(None, T, "matériel non cité"),
        "hardware_device_cap": p(None, T, "matériel non cité"),
        "expenses_after_filing": p(
            False,
            T,
            "« Les dépenses (engagées à partir du 12/03/2020) »",
            "Le texte admet des dépenses antérieures au dépôt.",
        ),
        "expenses_from_acknowledgment": p(
            False, T, "« Les dépenses (engagées à partir du 12/03/2020) » : une date fixe"
        ),
        "expenses_from": p(
            date(2020, 3, 12), T, "« Les dépenses (engagées à partir du 12/03/2020) »"
        ),
        "expense_period_months": p(
            12,
            T,
            "« portent sur une durée maximale d'un an »",
            "Interprétation : une ligne engagée plus de 12 mois après la "
            "première ligne datée n'est pas retenue.",
        ),
        "max_awards_per_year": p(
            1,
            T,
            "« Un même porteur ne peut être bénéficiaire de l'aide qu'une fois par an »",
            "Interprétation : par année civile de dépôt ; un dossier en "
            "cours ou aidé la même année bloque.",
        ),
        "max_award_years": p(
            3,
            T,
            "« dans la limite maximale de 3 années »",
            "Interprétation : au plus trois aides (une par an) au total.",
        ),
        "reapplication_wait_years": p(None, T, "voir max_awards_per_year"),
        "non_cumulative_with": p([], T, "pas de non-cumul prévu"),
        "region_share_proration": p(False, T, "non applicable"),
        "de_minimis": p(
            False,
            T,
            "le texte ne cite pas de régime d'aides d'État",
            "Interprétation : les communes ne sont pas des entreprises ; pas de "
            "contrôle de minimis.",
        ),
        "de_minimis_regimes": DE_MINIMIS_REGIMES,
        "advance_rate": p(
            D("0"),
            T,
            "« DEMARCHES » : le texte ne prévoit pas d'avance",
            "Interprétation : versement unique sur justification des dépenses.",
        ),
        "advance_threshold": p(None, T, "pas d'avance"),
        "realisation_months_after_award": p(
            None, T, "le texte fixe la durée des dépenses, pas un délai après la décision"
        ),
        "realisation_months_after_start": p(
            12,
            T,
            "« TYPES DE DEPENSES » : « Les dépenses (engagées à partir du 12/03/2020) portent "
            "sur une durée maximale d'un an »",
            "La réalisation s'achève un an après le début des dépenses.",
        ),
        "proofs_months": p(
            6,
            T,
            "« DEMARCHES » : le texte ne fixe pas de délai de transmission des justificatifs",
            "Interprétation : six mois après la fin de la réalisation, comme le fait la FAQ des "
            "Pays de la Loire (question 27) ; la région peut le changer "
            "(settings.INSTRUCTION_DEADLINES ou une nouvelle version).",
        ),
        "commission_permanente": p(
            True,
            T,
            "« DEMARCHES » : « En cas d'avis favorable, votre projet sera soumis aux élus à la "
            "prochaine commission permanente »",
        ),
        "closing_documents": p(
            False, T, "« DEMARCHES » : le texte ne demande pas d'autre pièce que les dépenses"
        ),
        "final_proration": p(
            True,
            T,
            "tableau « MONTANT DES DEPENSES ELIGIBLES » / « MONTANT DU CHEQUE »",
            "Interprétation : le chèque est recalculé avec le même barème sur les dépenses "
            "justifiées, jamais au-dessus du chèque accordé.",
        ),
        "payment_terms": p(
            "Versement unique du chèque sur justification des dépenses (le texte "
            "ne prévoit pas d'avance).",
            T,
            "« DEMARCHES »",
        ),
        "required_documents": p(
            [
                doc(
                    "council_deliberation",
                    "Délibération de l'organe délibérant (conseil municipal ou "
                    "communautaire) approuvant le projet et son plan de financement",
                ),
                doc(
                    "project_description",
                    "Présentation du projet et de la solution digitale retenue",
                ),
                doc(
                    "quotes",
                    "Devis ou estimatif des dépenses, en TTC (fonctionnement) ou en HT "
                    "(investissement)",
                ),
                doc("rib", "Relevé d'identité bancaire (RIB) de la collectivité"),
                doc(
                    "paid_invoices",
                    "Factures acquittées ou état des dépenses visé par le comptable public",
                    "payment",
                ),
            ],
            T,
            "« DEMARCHES » : « votre projet sera soumis aux élus à la prochaine commission "
            "permanente » ; « TYPES DE DEPENSES »",
            "Interprétation : le texte ne liste pas les pièces ; la délibération de la collectivité "
            "est la pièce usuelle d'engagement d'une commune.",
        ),
    }
    return RuleVersion(
        scheme="IDF-CN2",
        ident="IDF-CN2/2020-03-12",
        valid_from=date(2020, 3, 12),
        valid_to=None,
        label="Chèque numérique volet 2 – communes et leurs groupements, dossiers déposés à partir "
        "du 12/03/2020",
        parameters=complete(params, T),
    )
