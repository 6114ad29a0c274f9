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

from outbox.models import OutboxMessage
from outbox.services import enqueue
from outbox.tasks import send_bulk_notification, send_notification

PORTAL_NAME = "Aides numériques"
SUBJECT_PREFIX = f"[{PORTAL_NAME}] "


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
) -> list[OutboxMessage]:
    """Render the e-mail `name` and record it in the outbox (sent after the caller's commit).

    `separately`: one message per recipient (they do not see each other's addresses); `bulk`:
    the messages go through the throttled sending task. Returns the outbox rows (none when there
    is no address).
    """
    recipients = _addresses(to)
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
