from datetime import date

from schemes.engine import simulate
from schemes.models import Scheme


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
    return [
        {
            "scheme": scheme,
            "open": any(period.is_open_on(filed_on) for period in scheme.call_periods.all()),
            "result": result,
        }
        for scheme, result in zip(schemes, results, strict=True)
    ]
