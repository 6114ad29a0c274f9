"""Helpers and values shared by several schemes' parameters (de minimis regimes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .catalog import REG_1407, REG_2831
from .model import Param, Source

D = Decimal


def p(value: Any, document: str, passage: str, note: str = "") -> Param:
    return Param(value=value, source=Source(document, passage), note=note)


def doc(code: str, label: str, when: str | None = None) -> dict[str, str]:
    """A required document; `when` is a condition code (see documents.WHEN)."""
    entry = {"code": code, "label": label}
    if when:
        entry["when"] = when
    return entry


# De minimis: the regime is chosen by the filing date. 1407/2013 applies to aid granted until
# 2023-12-31 (article 8 as amended by Regulation 2020/972), 2023/2831 from 2024-01-01 (article 8).
DE_MINIMIS_REGIMES = p(
    [
        {
            "regulation": REG_1407,
            "valid_from": date(2014, 1, 1),
            "valid_to": date(2023, 12, 31),
            "ceiling": D("200000"),
            "window": "fiscal_years",
            "years": 3,
        },
        {
            "regulation": REG_2831,
            "valid_from": date(2024, 1, 1),
            "valid_to": None,
            "ceiling": D("300000"),
            "window": "rolling",
            "years": 3,
        },
    ],
    f"{REG_1407} ; {REG_2831}",
    "1407/2013 article 3, paragraphes 2 et 7 (200 000 € sur l'exercice en cours et les deux "
    "précédents ; une aide qui ferait dépasser le plafond ne peut bénéficier du règlement pour "
    "aucune de ses fractions) ; 2023/2831 article 3, paragraphes 2 et 7 (300 000 € sur toute "
    "période de trois ans)",
    "Régime retenu selon la date de dépôt du dossier. Interprétation : l'exercice fiscal est "
    "l'année civile (le dossier ne donne pas les dates d'exercice) ; les trois années glissantes "
    "de 2023/2831 sont les trois ans précédant la date de dépôt, celle-ci incluse.",
)


def de_minimis_source(regulation: str) -> Source:
    return Source(regulation, "article 3, paragraphes 2 et 7")


def regime_at(regimes: list[dict[str, Any]], day: date) -> dict[str, Any] | None:
    for regime in regimes:
        if regime["valid_from"] <= day and (
            regime["valid_to"] is None or day <= regime["valid_to"]
        ):
            return regime
    return None


# Every version carries every parameter name (stable schema for the Django side); a rule the
# text does not provide is None, with the text cited as silent on it.
OPTIONAL_NAMES = (
    "max_award_years",
    "max_awards_per_year",
    "micro_certified_accounts_required",
    "micro_min_turnover",
    "min_age_years",
    "min_market_activity_share",
    "one_dossier_per_project",
    "sme_aggregation",
    "sme_max_balance_sheet",
    "sme_max_headcount",
    "sme_max_turnover",
    "ess_capital_forms",
    "ess_cooperative_forms",
    "ess_employer_group_forms",
    # Open readings (docs/rules.md): decided per version, None where the question does not arise.
    "hardware_one_per_type",
    "non_cumulative_years",
    "cap_counts_years",
    "early_commitment",
    "floor_on_prorated_base",
    "region_share_before_cap",
)


def complete(params: dict[str, Param], document: str) -> dict[str, Param]:
    for name in OPTIONAL_NAMES:
        if name not in params:
            params[name] = p(None, document, "le texte ne prévoit pas cette règle")
    return params
