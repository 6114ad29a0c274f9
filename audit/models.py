import datetime
import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.utils import timezone

# Any 64-bit constant: the key of the PostgreSQL advisory lock that serialises chain writers.
CHAIN_LOCK_KEY = 0x41554449545F4348  # "AUDIT_CH"


class AuditTrailImmutable(Exception):
    """Raised when code tries to change or delete an audit row."""


def _refuse(what: str) -> None:
    raise AuditTrailImmutable(
        f"Le journal d'audit est en ajout seul : {what} refusé(e). "
        "Enregistrez un nouvel événement avec audit_record() pour corriger."
    )


def canonical_at(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def normalise_data(data: Any) -> Any:
    """JSON-native form of `data`: Decimal, date, UUID, floats become strings, tuples lists."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder), parse_float=str)


def compute_event_hash(event: Any) -> str:
    """SHA-256 of the canonical form of one row (see AuditEvent). Used by the migration too."""
    payload = {
        "prev": event.prev_hash,
        "at": canonical_at(event.at),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": str(event.action),
        "object": [str(event.object_type), str(event.object_id)],
        "states": [str(event.from_state), str(event.to_state)],
        "comment": str(event.comment),
        "data": event.data,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def update(self, **kwargs):
        _refuse("la modification en masse")

    def delete(self):
        _refuse("la suppression en masse")

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse("la modification en masse")

    def bulk_create(self, objs, *args, **kwargs):
        _refuse("la création en masse hors chaîne")

    def _raw_delete(self, using):
        _refuse("la suppression en masse")


class AuditEvent(models.Model):
    """One row per state change or sensitive action: append-only, chained by hash.

    Immutability: `save()` only inserts, `delete()` and the queryset's `update()`, `delete()`,
    `bulk_update()` and `bulk_create()` raise `AuditTrailImmutable`; on PostgreSQL a trigger also
    refuses UPDATE and DELETE (TRUNCATE stays a DBA operation, and is what test flushes use).

    The author is kept by id (no database constraint, nothing done on user deletion, so deleting
    an account never rewrites history) and by `actor_label`, the e-mail at the time.

    Chain: inserting stamps `at` and takes a lock (`pg_advisory_xact_lock(CHAIN_LOCK_KEY)` on
    PostgreSQL, the database write lock on SQLite), sets `prev_hash` to the hash of the row with the highest id
    ("" for the first row) and `hash` to SHA-256 of the UTF-8 JSON (keys sorted, separators
    "," and ":", no ASCII escaping) of:
        prev, at (UTC ISO 8601 with microseconds, "2026-11-22T09:27:03.000123+00:00"),
        actor (id or null), actor_label, action, object [type, id], states [from, to], comment,
        data (stored JSON-native: Decimal, date, datetime, UUID and floats become strings).
    `manage.py verify_audit` recomputes it row by row.
    """

    at = models.DateTimeField("date", default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField("auteur (au moment de l'action)", max_length=254, blank=True)
    action = models.CharField("action", max_length=80, db_index=True)
    object_type = models.CharField("type d'objet", max_length=80, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    from_state = models.CharField("état avant", max_length=40, blank=True)
    to_state = models.CharField("état après", max_length=40, blank=True)
    comment = models.TextField("commentaire", blank=True)
    data = models.JSONField("données", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}"

    def compute_hash(self) -> str:
        return compute_event_hash(self)

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse("la modification d'un événement")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            self._chain(using)
            kwargs.pop("force_insert", None)
            super().save(*args, force_insert=True, **kwargs)

    save.alters_data = True

    def _chain(self, using: str) -> None:
        connection = transaction.get_connection(using)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            last = AuditEvent.objects.using(using).order_by("-id").only("hash").first()
        else:
            last = AuditEvent.objects.using(using).select_for_update().order_by("-id").first()
        if self.actor_id and not self.actor_label:
            self.actor_label = self.actor.get_username()
        self.at = timezone.now()  # taken under the lock: dates follow the chain order
        self.data = normalise_data(self.data)
        self.prev_hash = last.hash if last else ""
        self.hash = compute_event_hash(self)

    def delete(self, *args, **kwargs):
        _refuse("la suppression d'un événement")

    delete.alters_data = True
