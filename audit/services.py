from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Write one audit row, chained to the previous one by its hash."""
    with transaction.atomic():
        previous = AuditEvent.objects.select_for_update().order_by("-id").first()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            data=data or {},
            prev_hash=previous.hash if previous else "",
        )
        event.hash = event.compute_hash()
        event.save()
    return event
