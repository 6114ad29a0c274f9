"""Webhooks: every state change of a dossier is queued for the active webhooks of its scheme."""

import hashlib
import hmac
import json

from applications.enums import DossierState
from applications.models import Dossier

EVENT = "dossier.state_changed"


def state_label(state: str) -> str:
    return DossierState(state).label if state in DossierState.values else state


def signature(secret: str, body: bytes) -> str:
    """The value of X-Aides-Signature: `sha256=` then the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def on_transition_logged(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save receiver of DossierTransitionLog: one delivery per active webhook."""
    if not created or raw:
        return
    from api.models import Webhook, WebhookDelivery
    from api.tasks import deliver_webhook
    from outbox.services import enqueue

    dossier = instance.dossier
    webhooks = list(Webhook.objects.filter(scheme_id=dossier.scheme_id, active=True))
    if not webhooks:
        return
    number, scheme_code = (
        Dossier.objects.filter(pk=dossier.pk).values_list("number", "scheme__code").get()
    )
    payload = {
        "event": EVENT,
        "at": instance.at.isoformat(),
        "dossier": {"number": number, "scheme": scheme_code},
        "transition": instance.transition,
        "from": instance.from_state,
        "to": instance.to_state,
        "to_label": state_label(instance.to_state),
    }
    for webhook in webhooks:
        delivery = WebhookDelivery.objects.create(
            webhook=webhook,
            dossier_id=dossier.pk,
            event=EVENT,
            transition=instance.transition,
            from_state=instance.from_state,
            to_state=instance.to_state,
            payload=payload,
        )
        enqueue(deliver_webhook, delivery_id=delivery.pk)
