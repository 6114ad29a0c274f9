"""The one notification path: every e-mail of the portal is a pair of templates sent from here.

`notify("dossier_message", to=[...], context={...}, region=region)` renders
`templates/emails/dossier_message.txt` and `.html` (French, signed with the region's name and
service) and records the message in the outbox, in the caller's transaction: if the transaction
rolls back, nothing is sent; once it commits, the outbox hands the message to the sending task
(`outbox.tasks.send_notification`), and the relay retries while the broker is down.

Each `.txt` template extends `emails/base.txt` and fills `subject` and `body`; each `.html`
template extends `emails/base.html` and fills `body`. Nothing else in the portal builds an e-mail
(tests/outbox/test_notifications.py scans the code for it).
"""

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import translation

from outbox.models import NotificationPreference, OutboxMessage
from outbox.services import enqueue
from outbox.tasks import send_bulk_notification, send_notification

PORTAL_NAME = "Aides numériques"
SUBJECT_PREFIX = f"[{PORTAL_NAME}] "

# The e-mails staff may turn off, one by one (their « Notifications » page). Each call that
# e-mails staff about one of these passes `event=`; applicants' e-mails are always sent.
STAFF_EVENTS = {
    "dossier_message": "Un demandeur écrit sur un dossier",
    "complements_received": "Un demandeur répond à une demande de compléments",
    "payment_request_received": "Une demande de paiement attend la vérification du service fait",
    "deadline_reminder": "Un premier contact est en retard",
    "agent_digest": "Le récapitulatif quotidien de vos dossiers et de leurs échéances",
}


def opted_out(event: str, addresses: Sequence[str]) -> set[str]:
    """The addresses (lower case) of the people who turned off the e-mails of `event`."""
    if not addresses:
        return set()
    lowered = [address.lower() for address in addresses]
    rows = NotificationPreference.objects.filter(event=event, enabled=False).values_list(
        "user__email", flat=True
    )
    return {email.lower() for email in rows if email and email.lower() in lowered}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Attachment:
    """A file joined to an e-mail: a stored file (read when sending) or bytes (kept in the outbox)."""

    filename: str
    mimetype: str
    file: FieldFile | None = None
    content: bytes | None = None

    def as_kwargs(self) -> dict:
        data = {"filename": self.filename, "mimetype": self.mimetype}
        if self.file is not None:
            data["storage_name"] = self.file.name
        else:
            data["base64"] = base64.b64encode(self.content or b"").decode("ascii")
        return data


def template_names(name: str) -> tuple[str, str]:
    """The pair of templates of the e-mail `name`."""
    return f"emails/{name}.txt", f"emails/{name}.html"


def render_email(name: str, context: Mapping | None = None, *, region=None) -> RenderedEmail:
    """Subject, plain text and HTML of the e-mail `name`, in French.

    The text template's first paragraph is the subject (emails/base.txt puts the `subject` block
    there); the rest is the body. The HTML template receives the subject for its title.
    """
    text_name, html_name = template_names(name)
    data = {
        "PORTAL_NAME": PORTAL_NAME,
        "SITE_URL": settings.SITE_URL,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "region": region,
        **(context or {}),
    }
    with translation.override("fr"):
        rendered = render_to_string(text_name, data)
        head, _, body = rendered.strip().partition("\n\n")
        subject = SUBJECT_PREFIX + " ".join(head.split())
        html = render_to_string(html_name, {**data, "subject": subject})
    body = re.sub(r"[ \t]+\n", "\n", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return RenderedEmail(subject=subject, text=body, html=html.strip() + "\n")


def _addresses(to: Iterable[str]) -> list[str]:
    """Non-empty addresses, each once (case-insensitive), in their first order."""
    seen: dict[str, str] = {}
    for address in to:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


def notify(
    name: str,
    *,
    to: Iterable[str],
    context: Mapping | None = None,
    region=None,
    attachments: Sequence[Attachment] = (),
    separately: bool = False,
    bulk: bool = False,
    event: str | None = None,
) -> list[OutboxMessage]:
    """Render the e-mail `name` and record it in the outbox (sent after the caller's commit).

    `separately`: one message per recipient (they do not see each other's addresses); `bulk`:
    the messages go through the throttled sending task; `event` (one of STAFF_EVENTS): the staff
    who turned that e-mail off are left out. Returns the outbox rows (none when there is no
    address).
    """
    recipients = _addresses(to)
    if event is not None:
        if event not in STAFF_EVENTS:
            raise ValueError(f"Unknown staff event: {event}")
        off = opted_out(event, recipients)
        recipients = [address for address in recipients if address.lower() not in off]
    if not recipients:
        return []
    email = render_email(name, context, region=region)
    return enqueue_rendered(
        email,
        to=recipients,
        attachments=attachments,
        separately=separately,
        bulk=bulk,
    )


def enqueue_rendered(
    email: RenderedEmail,
    *,
    to: Sequence[str],
    attachments: Sequence[Attachment] = (),
    separately: bool = False,
    bulk: bool = False,
    from_email: str | None = None,
) -> list[OutboxMessage]:
    """Record an already rendered e-mail in the outbox. Only `notify` and allauth's adapter (whose
    e-mails are allauth's own template pairs, account/email/*) call it."""
    task = send_bulk_notification if bulk else send_notification
    kwargs = {
        "subject": email.subject,
        "body": email.text,
        "html": email.html,
        "attachments": [attachment.as_kwargs() for attachment in attachments],
    }
    if from_email:
        kwargs["from_email"] = from_email
    groups = [[address] for address in to] if separately else [list(to)]
    return [enqueue(task, to=group, **kwargs) for group in groups]


def preferences_of(user) -> dict[str, bool]:
    """Each staff event and whether `user` receives its e-mail (yes unless turned off)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("event", "enabled"))
    return {event: chosen.get(event, True) for event in STAFF_EVENTS}


def preferences_set(*, user, enabled: Iterable[str]) -> dict[str, bool]:
    """Record the staff events `user` wants e-mails for (the others are turned off)."""
    wanted = set(enabled)
    unknown = wanted - set(STAFF_EVENTS)
    if unknown:
        raise ValueError(f"Unknown staff events: {sorted(unknown)}")
    for event in STAFF_EVENTS:
        NotificationPreference.objects.update_or_create(
            user=user, event=event, defaults={"enabled": event in wanted}
        )
    return preferences_of(user)
