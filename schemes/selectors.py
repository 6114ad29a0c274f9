from datetime import date

from django.http import Http404

from schemes import core
from schemes.models import RuleVersion, Scheme


def rule_versions(*, scheme_code: str | None = None) -> list[core.RuleVersion]:
    """The stored rule versions, as the rules core expects them (one query)."""
    rows = RuleVersion.objects.select_related("scheme").order_by("scheme__code", "valid_from")
    if scheme_code:
        rows = rows.filter(scheme__code=scheme_code)
    return [row.as_core() for row in rows]


def version_to_show(*, scheme_code: str, day: date) -> core.RuleVersion | None:
    """The version in force on `day`, else the most recent one (for public pages)."""
    versions = rule_versions(scheme_code=scheme_code)
    for version in versions:
        if version.covers(day):
            return version
    return versions[-1] if versions else None


def get_scheme(code: str) -> Scheme:
    try:
        return (
            Scheme.objects.select_related("region")
            .prefetch_related("call_periods")
            .get(code__iexact=code)
        )
    except Scheme.DoesNotExist as exc:
        raise Http404("Dispositif introuvable.") from exc
