import hashlib
import json
from datetime import date

from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.http import Http404

from schemes import core
from schemes.models import RuleVersion, Scheme

# Rule versions read from the database, parsed once per process: {digest of the stored row: version}.
# A row edited in the admin has another digest, so it is parsed again; the core's versions are
# frozen dataclasses, safe to share between requests.
_parsed: dict[str, core.RuleVersion] = {}
_PARSED_MAX = 256


def _as_core(row: dict) -> core.RuleVersion:
    digest = hashlib.sha256(
        json.dumps(row, default=str, sort_keys=True).encode(), usedforsecurity=False
    ).hexdigest()
    version = _parsed.get(digest)
    if version is None:
        version = core.RuleVersion.from_json(
            {
                "scheme": row["scheme_code"],
                "ident": row["ident"],
                "valid_from": row["valid_from"].isoformat(),
                "valid_to": row["valid_to"].isoformat() if row["valid_to"] else None,
                "label": row["label"],
                "parameters": json.loads(row["parameters_text"]),
            }
        )
        if len(_parsed) >= _PARSED_MAX:
            _parsed.clear()
        _parsed[digest] = version
    return version


def rule_versions(*, scheme_code: str | None = None) -> list[core.RuleVersion]:
    """The stored rule versions, as the rules core expects them (one query).

    The parameters are read as text and parsed only when that text was never seen by this
    process: every simulation (simulator, dossier pages, review page) needs the versions, and
    parsing them cost more than the simulation itself.
    """
    rows = RuleVersion.objects.order_by("scheme__code", "valid_from")
    if scheme_code:
        rows = rows.filter(scheme__code=scheme_code)
    rows = rows.values(
        "ident",
        "valid_from",
        "valid_to",
        "label",
        scheme_code=F("scheme__code"),
        parameters_text=Cast("parameters", TextField()),
    )
    return [_as_core(row) for row in rows]


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
