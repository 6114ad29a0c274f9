import hashlib
import json
from datetime import date

from django.http import Http404

from schemes import core
from schemes.models import RuleVersion, Scheme

# Rule versions read from the database, parsed once per process: {digest of the stored row: version}.
# A row edited in the admin has another digest, so it is parsed again; the core's versions are
# frozen dataclasses, safe to share between requests.
_parsed: dict[str, core.RuleVersion] = {}
_PARSED_MAX = 256


def _digest(row: RuleVersion) -> str:
    stored = [row.scheme.code, row.ident, row.valid_from, row.valid_to, row.label, row.parameters]
    text = json.dumps(stored, default=str, sort_keys=True)
    return hashlib.sha256(text.encode(), usedforsecurity=False).hexdigest()


def rule_versions(*, scheme_code: str | None = None) -> list[core.RuleVersion]:
    """The stored rule versions, as the rules core expects them (one query).

    A version is turned into the core's objects only when its stored content was never seen by
    this process: every simulation (simulator, dossier pages, review page) needs the versions,
    and that conversion cost more than the simulation itself.
    """
    rows = RuleVersion.objects.select_related("scheme").order_by("scheme__code", "valid_from")
    if scheme_code:
        rows = rows.filter(scheme__code=scheme_code)
    versions = []
    for row in rows:
        digest = _digest(row)
        if digest not in _parsed:
            if len(_parsed) >= _PARSED_MAX:
                _parsed.clear()
            _parsed[digest] = row.as_core()
        versions.append(_parsed[digest])
    return versions


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
