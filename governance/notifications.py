"""E-mails about rule versions (from Celery tasks, through the one notification path)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from audit.services import audit_record
from outbox.notifications import notify
from schemes.models import RuleVersion

# The three events of a rule version, one template pair: templates/emails/rule_version_notice.
EVENTS = ("submitted", "published", "withdrawn")


def recipients(version: RuleVersion, event: str, actor_id: int | None) -> list[str]:
    """Managers of the scheme's region (of its code, when their assignment names codes), the
    author for a publication or a withdrawal; never the person who acted."""
    emails = set()
    for assignment in RoleAssignment.objects.filter(
        role=Role.SCHEME_MANAGER, region_id=version.scheme.region_id, user__is_active=True
    ).select_related("user"):
        if assignment.scheme_codes and version.scheme.code not in assignment.scheme_codes:
            continue
        if assignment.user_id != actor_id:
            emails.add(assignment.user.email)
    if event != "submitted" and version.created_by and version.created_by_id != actor_id:
        emails.add(version.created_by.email)
    return sorted(emails, key=str.lower)


def send_rule_version_notice(*, version_id: int, event: str, actor_id: int | None) -> None:
    version = RuleVersion.objects.select_related("scheme", "created_by").get(pk=version_id)
    actor = User.objects.filter(pk=actor_id).first()
    to = recipients(version, event, actor_id)
    if not to:
        return
    facts = {
        "ident": version.ident,
        "scheme": f"{version.scheme.name} ({version.scheme.code})",
        "label": version.label,
        "start": f"{version.valid_from:%d/%m/%Y}",
        "actor": str(actor) if actor else "un gestionnaire",
    }
    url = settings.SITE_URL + reverse("governance:preview", args=[version.scheme.code, version.pk])
    with transaction.atomic():  # the outbox row and the audit row commit together
        notify(
            "rule_version_notice",
            to=to,
            context={**facts, "event": event, "url": url},
            region=version.scheme.region,
        )
        audit_record(
            actor=None,
            action="rule_version_notice_sent",
            obj=version,
            data={"event": event, "to": to},
        )
