"""The queue each agent shapes: labels on dossiers, saved filters, chosen columns (services).

Labels belong to a region's team: any agent of the region creates them and puts them on the
region's dossiers (same checks as any work on a dossier: scope and conflict of interest), each
change audited. A label's names travel with the dossier's row: one correlated sub-query
(`labels_text`) carries them into the queue's page, its exports and the API without a query
per row.
"""

from urllib.parse import parse_qsl, urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Aggregate, F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Concat

from accounts.enums import Role
from accounts.permissions import regions_for_role
from applications.models import Dossier
from audit.services import audit_record
from instruction.models_queue import (
    DossierLabel,
    LabelColour,
    QueueLabel,
    QueuePreference,
    SavedFilter,
)
from instruction.queue_cache import labels_changed, queue_changed, saved_filters_changed
from instruction.services import require_agent

SEPARATOR = "\x1f"  # the unit separator: never typed in a label's name
COLOUR_LABELS = dict(LabelColour.choices)


class _StringAgg(Aggregate):
    """Strings joined by one separator: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def labels_text():
    """The dossier's labels as one text, `colour:name` joined by SEPARATOR (None: no label)."""
    pairs = (
        DossierLabel.objects.filter(dossier_id=OuterRef("pk"))
        .order_by()
        .values("dossier_id")
        .annotate(
            text=_StringAgg(
                Concat(F("label__colour"), Value(":"), F("label__name"), output_field=TextField()),
                Value(SEPARATOR),
            )
        )
        .values("text")
    )
    return Subquery(pairs, output_field=TextField())


def parse_labels(text: str | None) -> list[dict]:
    """`labels_text` read back: [{"name", "colour", "colour_label"}], sorted by name."""
    labels = []
    for pair in (text or "").split(SEPARATOR):
        colour, _, name = pair.partition(":")
        if name:
            labels.append(
                {"name": name, "colour": colour, "colour_label": COLOUR_LABELS.get(colour, "")}
            )
    return sorted(labels, key=lambda label: label["name"].lower())


def labels_for(user):
    """The labels of the regions where the user instructs (all of them for an administrator)."""
    return QueueLabel.objects.filter(region_id__in=regions_for_role(user, Role.AGENT)).order_by(
        "name", "region__code"
    )


def _require_region(user, region) -> None:
    if region is None or region.pk not in regions_for_role(user, Role.AGENT):
        raise PermissionDenied("Seuls les instructeurs de la Région gèrent ses étiquettes.")


def label_create(*, user, region, name: str, colour: str) -> QueueLabel:
    _require_region(user, region)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Donnez un nom à l'étiquette.")
    if len(name) > 40:
        raise ValidationError("Le nom d'une étiquette tient en 40 caractères au plus.")
    if colour not in COLOUR_LABELS:
        raise ValidationError("Choisissez une couleur dans la liste.")
    try:
        with transaction.atomic():
            label = QueueLabel.objects.create(
                region=region, name=name, colour=colour, created_by=user
            )
    except IntegrityError as exc:
        raise ValidationError(f"L'étiquette « {name} » existe déjà dans la Région.") from exc
    audit_record(actor=user, action="queue_label_create", obj=label, data={"name": name})
    labels_changed()
    return label


@transaction.atomic
def label_delete(*, user, label: QueueLabel) -> None:
    _require_region(user, label.region)
    audit_record(actor=user, action="queue_label_delete", obj=label, data={"name": label.name})
    label.delete()
    labels_changed()
    queue_changed()


@transaction.atomic
def dossier_label(*, user, dossier: Dossier, label: QueueLabel, on: bool = True) -> bool:
    """Put `label` on the dossier (or take it off, `on=False`); True when something changed.

    The same checks as any work on the dossier (region, schemes, conflict of interest); a
    second click changes nothing."""
    require_agent(user, dossier)
    if label.region_id != dossier.scheme.region_id:
        raise PermissionDenied("Cette étiquette est celle d'une autre Région.")
    if on:
        _, changed = DossierLabel.objects.get_or_create(
            dossier=dossier, label=label, defaults={"added_by": user}
        )
    else:
        changed = bool(DossierLabel.objects.filter(dossier=dossier, label=label).delete()[0])
    if changed:
        audit_record(
            actor=user,
            action="dossier_label_add" if on else "dossier_label_remove",
            obj=dossier,
            data={"label": label.name},
        )
        queue_changed()  # the counters of a label filter
    return changed


def label_panel(dossier: Dossier) -> dict:
    """The labels of the dossier's region, each marked when the dossier carries it."""
    carried = set(DossierLabel.objects.filter(dossier=dossier).values_list("label_id", flat=True))
    labels = QueueLabel.objects.filter(region_id=dossier.scheme.region_id).order_by("name")
    return {"labels": [{"label": label, "on": label.pk in carried} for label in labels]}


def dossier_labels_set(*, user, dossier: Dossier, labels) -> int:
    """The dossier's labels become exactly `labels` (among those of its region); changes count."""
    wanted = {label.pk: label for label in labels}
    links = DossierLabel.objects.filter(dossier=dossier).select_related("label")
    current = {link.label_id: link.label for link in links}
    changed = 0
    for pk, label in wanted.items():
        if pk not in current:
            changed += dossier_label(user=user, dossier=dossier, label=label, on=True)
    for pk, label in current.items():
        if pk not in wanted:
            changed += dossier_label(user=user, dossier=dossier, label=label, on=False)
    return changed


# --- Saved filters -------------------------------------------------------------------------------

# What a saved filter keeps of the page's query string: the filters, the tab and the sort.
SAVED_KEYS = {
    "q",
    "scheme",
    "state",
    "agent",
    "department",
    "label",
    "filed_from",
    "filed_to",
    "amount_min",
    "amount_max",
    "overdue",
    "tab",
    "sort",
}


def clean_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k in SAVED_KEYS and v]
    return urlencode(pairs)


def saved_filter_save(*, user, name: str, query: str, shared: bool) -> SavedFilter:
    """Keep the current search under a name; the same name again replaces it (one row)."""
    regions = regions_for_role(user, Role.AGENT)
    if not regions:
        raise PermissionDenied("Réservé aux instructeurs.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Donnez un nom au filtre.")
    if len(name) > 80:
        raise ValidationError("Le nom d'un filtre tient en 80 caractères au plus.")
    query = clean_query(query)
    if not query:
        raise ValidationError("Choisissez au moins un filtre, un onglet ou un tri à enregistrer.")
    # Shared with the agents of the region (the first one, for an agent of several regions).
    region_id = None if user.has_role(Role.ADMIN) and not shared else regions[0]
    with transaction.atomic():
        saved, _ = SavedFilter.objects.update_or_create(
            owner=user,
            name=name,
            defaults={"query": query, "shared": shared, "region_id": region_id},
        )
    saved_filters_changed()
    return saved


def saved_filter_delete(*, user, saved: SavedFilter) -> None:
    if saved.owner_id != user.pk:
        raise PermissionDenied("Seul l'auteur d'un filtre peut le supprimer.")
    saved.delete()
    saved_filters_changed()


def saved_filters_for(user) -> list[dict]:
    """The user's filters and those their region's colleagues shared, ready to print."""
    from django.db.models import Q

    regions = regions_for_role(user, Role.AGENT)
    rows = (
        SavedFilter.objects.filter(Q(owner=user) | Q(shared=True, region_id__in=regions))
        .select_related("owner")
        .order_by("name", "id")
    )
    return [
        {
            "pk": row.pk,
            "name": row.name,
            "query": row.query,
            "shared": row.shared,
            "mine": row.owner_id == user.pk,
            "owner": row.owner.get_full_name() or row.owner.email,
        }
        for row in rows
    ]


def cached_saved_filters(user) -> list[dict]:
    from instruction.queue_cache import saved_filters_key

    return cache.get_or_set(saved_filters_key(user.pk), lambda: saved_filters_for(user), 300)


# --- Columns ---------------------------------------------------------------------------------


def queue_columns_set(*, user, columns: list[str], allowed) -> list[str]:
    """Keep the agent's choice of columns (unknown keys dropped, the list's order kept)."""
    from instruction.queue_cache import columns_key

    chosen = [key for key in allowed if key in set(columns)]
    if not chosen:
        raise ValidationError("Gardez au moins une colonne en plus du numéro.")
    QueuePreference.objects.update_or_create(user=user, defaults={"columns": chosen})
    cache.delete(columns_key(user.pk))
    return chosen


def queue_columns_of(user, *, default: list[str]) -> list[str]:
    from instruction.queue_cache import columns_key

    def read():
        row = QueuePreference.objects.filter(user=user).values_list("columns", flat=True).first()
        return row or None

    chosen = cache.get_or_set(columns_key(user.pk), lambda: read() or "", 300)
    return list(chosen) if chosen else list(default)


__all__ = [
    "dossier_label",
    "dossier_labels_set",
    "label_create",
    "label_delete",
    "labels_for",
    "labels_text",
    "parse_labels",
    "queue_columns_set",
    "saved_filter_delete",
    "saved_filter_save",
    "saved_filters_for",
]
