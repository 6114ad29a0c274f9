from typing import Any

from django.db import models

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
    """Write one audit row, chained to the previous one by its hash.

    `AuditEvent.save()` takes the chain lock, links `prev_hash` and computes `hash` in one
    transaction (see the model's docstring for the canonical form).
    """
    authenticated = getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor=actor if authenticated else None,
        actor_label=actor.get_username() if authenticated else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
    )
    event.save()
    return event
