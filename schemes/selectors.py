from datetime import date
from functools import cache

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import Http404

from schemes import core
from schemes.enums import RuleStatus
from schemes.models import RuleVersion, Scheme

# Rule versions read from the database, parsed once per process and kept behind a cheap version
# stamp: the number of stored versions and the latest row of their history (every save through
# the model -- the admin, a revert, a service -- and every delete writes one). Reading the stamp
# is one indexed query instead of reading, decoding and hashing every version on each call. An
# edit in this process also empties the cache at once (signals below); an edit made by another
# process is seen through the stamp. An update that bypasses the model (queryset.update(), raw
# SQL) writes no history: call `forget_rule_versions()` after one.
_cached: tuple[tuple, list[core.RuleVersion]] | None = None


def forget_rule_versions(**_kwargs) -> None:
    global _cached
    _cached = None


@cache
def _stamp_sql() -> str:
    versions = RuleVersion._meta.db_table
    history = RuleVersion.history.model._meta.db_table
    schemes = Scheme._meta.db_table
    return (
        f"SELECT (SELECT COUNT(*) FROM {versions}), (SELECT COUNT(*) FROM {schemes}), "
        "h.history_id, h.history_date FROM (SELECT 1) AS one LEFT JOIN "
        f"(SELECT history_id, history_date FROM {history} ORDER BY history_id DESC LIMIT 1) "
        "AS h ON 1 = 1"
    )


def _stamp() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql())
        return tuple(cursor.fetchone())


def _load() -> list[core.RuleVersion]:
    # Only published versions apply: drafts, versions awaiting publication and withdrawn ones
    # never reach the engine.
    rows = (
        RuleVersion.objects.filter(status=RuleStatus.PUBLISHED)
        .select_related("scheme")
        .order_by("scheme__code", "valid_from")
    )
    return [row.as_core() for row in rows]


def rule_versions(*, scheme_code: str | None = None) -> list[core.RuleVersion]:
    """The stored rule versions, as the rules core expects them (one cheap query when unchanged).

    Every simulation (simulator, dossier pages, review page) needs the versions, and reading and
    converting them cost more than the simulation itself: they are converted again only when
    the stamp changed. The core's versions are frozen dataclasses, safe to share."""
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is None or cached[0] != stamp:
        cached = (stamp, _load())
        _cached = cached
    versions = cached[1]
    if scheme_code:
        return [v for v in versions if v.scheme == scheme_code]
    return list(versions)


post_save.connect(forget_rule_versions, sender=RuleVersion, dispatch_uid="forget_rule_versions")
post_delete.connect(forget_rule_versions, sender=RuleVersion, dispatch_uid="forget_rv_deleted")
post_save.connect(forget_rule_versions, sender=Scheme, dispatch_uid="forget_rv_scheme")


def version_to_show(*, scheme_code: str, day: date) -> core.RuleVersion | None:
    """The version in force on `day`, else the most recent one (for public pages)."""
    versions = rule_versions(scheme_code=scheme_code)
    for version in versions:
        if version.covers(day):
            return version
    return versions[-1] if versions else None


def is_demo_rules(ident) -> bool:
    """True when `ident` names a rule version marked « extension de démonstration »."""
    if not ident:
        return False
    return RuleVersion.objects.filter(ident=str(ident), is_demo=True).exists()


def get_scheme(code: str) -> Scheme:
    try:
        return (
            Scheme.objects.select_related("region")
            .prefetch_related("call_periods")
            .get(code__iexact=code)
        )
    except Scheme.DoesNotExist as exc:
        raise Http404("Dispositif introuvable.") from exc
