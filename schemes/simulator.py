from datetime import date

from schemes.core.reasons import INELIGIBLE
from schemes.engine import simulate
from schemes.models import Scheme

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


def exclusive_choice(rows: list[dict]) -> dict | None:
    """When two eligible schemes of the region do not combine, which one fits.

    The scheme to recommend carries the words in its data (`Scheme.choice`: `over` names the
    other scheme, with a note and the citations); for example INESS, the Hauts-de-France volet
    meant for ESS enterprises, over INAC, which also admits them. The visitor chooses one,
    knowing both estimates."""
    eligible = {row["scheme"].code: row for row in rows if row["result"].get("eligible")}
    for row in eligible.values():
        choice = row["scheme"].choice or {}
        other = eligible.get(choice.get("over", ""))
        if other is not None and other is not row:
            return {
                "preferred": row,
                "other": other,
                "codes": sorted((row["scheme"].code, other["scheme"].code)),
                "note": choice.get("note", ""),
                "note_source": choice.get("note_source"),
                "non_cumul": choice.get("non_cumul_source"),
                "compare": choice.get("compare", ""),
            }
    return None
