from datetime import date

from schemes.core.reasons import INELIGIBLE
from schemes.engine import simulate
from schemes.models import Scheme

HDF_DELIBERATION = "hdf-deliberation-2021-01652-annexe.txt"
# Both Hauts-de-France volets say it, INAC (volet 1) and INESS (volet 2) alike.
NON_CUMUL = {
    "document": HDF_DELIBERATION,
    "passage": "volets 1 et 2 : « Ce dispositif n'est pas cumulable avec d'autres aides "
    "financières individuelles régionales à la transition numérique des entreprises »",
}
ESS_VOLET = {
    "document": HDF_DELIBERATION,
    "passage": "« 2) Volet destiné aux entreprises de l'économie sociale et solidaire –INESS »",
}


# Refusals that depend on the amounts retained, hence on what reduced them.
AMOUNT_REFUSALS = {"below_floor", "no_aid"}


def _split_reasons(result: dict) -> tuple[list[dict], list[dict]]:
    """(why it is ineligible, what reduced the award): a capped line is not a reason to refuse."""
    why = [r for r in result.get("reasons", []) if r.get("effect") == INELIGIBLE]
    reductions = [r for r in result.get("reasons", []) if r.get("effect") != INELIGIBLE]
    return why, reductions


def simulator_results(
    *, applicant: dict, project: dict, filed_on: date, region_id: int
) -> list[dict]:
    """The engine's answer for every scheme of the region, with whether its call is open."""
    schemes = list(Scheme.objects.filter(region_id=region_id).prefetch_related("call_periods"))
    situations = [
        {
            "scheme": scheme.code,
            "filed_on": filed_on.isoformat(),
            "applicant": applicant,
            "project": project,
        }
        for scheme in schemes
    ]
    results = simulate(situations) if situations else []
    rows = []
    for scheme, result in zip(schemes, results, strict=True):
        why, reductions = _split_reasons(result)
        rows.append(
            {
                "scheme": scheme,
                "open": any(period.is_open_on(filed_on) for period in scheme.call_periods.all()),
                "result": result,
                "why": why,
                "reductions": reductions,
                # Refused for its amount (under the floor, nothing left): the reductions are
                # part of why, and are listed apart from the reasons.
                "zeroed": any(r["code"] in AMOUNT_REFUSALS for r in why),
            }
        )
    return rows


def hdf_choice(rows: list[dict]) -> dict | None:
    """When INAC and INESS are both eligible: they cannot be combined, and which one fits.

    Both are eligible only for an enterprise of the ESS (INESS admits no other); volet 1 (INAC)
    admits ESS enterprises next to artisans-commerçants, volet 2 (INESS) is the one meant for
    them. The visitor chooses one, knowing both estimates."""
    eligible = {row["scheme"].code: row for row in rows if row["result"].get("eligible")}
    if not {"INAC", "INESS"} <= set(eligible):
        return None
    return {
        "inac": eligible["INAC"],
        "iness": eligible["INESS"],
        "non_cumul": NON_CUMUL,
        "ess_volet": ESS_VOLET,
    }
