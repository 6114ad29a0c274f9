"""Writes of the API app: tokens (with their technical user) and webhooks."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from api.models import ApiToken, Webhook, hash_secret, new_secret
from audit.services import audit_record

TECHNICAL_EMAIL = "api-{pk}@aides-numeriques.invalid"


@transaction.atomic
def token_create(
    *,
    name: str,
    region,
    expires_on: date,
    created_by,
    scheme_codes: list[str] | None = None,
    read_only: bool = True,
    token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and its technical user; return the token and its secret (shown once).

    A writable token's user is an agent of the token's region and schemes: the instruction
    services check its rights, audit its actions and apply separation of duties as for a person.
    A read-only token's user has no role at all.
    """
    secret = new_secret()
    token = token or ApiToken()
    token.name, token.region, token.expires_on = name, region, expires_on
    token.scheme_codes, token.read_only = list(scheme_codes or []), read_only
    token.key_hash, token.key_prefix = hash_secret(secret), secret[:10]
    token.created_by = created_by
    token.full_clean()
    token.save()
    user = User(
        email=TECHNICAL_EMAIL.format(pk=token.pk),
        first_name="API",
        last_name=name[:150],
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    if not read_only:
        RoleAssignment.objects.create(
            user=user, role=Role.AGENT, region=region, scheme_codes=token.scheme_codes
        )
    token.user = user
    token.save(update_fields=["user"])
    audit_record(
        actor=created_by,
        action="api_token_create",
        obj=token,
        data={
            "name": name,
            "region": region.code,
            "scheme_codes": token.scheme_codes,
            "read_only": read_only,
            "expires_on": expires_on.isoformat(),
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token for good; its technical user can no longer act."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        if token.user_id:
            User.objects.filter(pk=token.user_id).update(is_active=False)
        audit_record(actor=by, action="api_token_revoke", obj=token)
    return token


def webhook_create(
    *,
    scheme,
    target_url: str,
    created_by,
    allow_private: bool = False,
    active: bool = True,
    webhook: Webhook | None = None,
) -> Webhook:
    """Create a webhook (audited). `webhook`: an unsaved instance to fill (the admin's form)."""
    webhook = webhook or Webhook()
    webhook.scheme = scheme
    webhook.target_url = target_url
    webhook.allow_private = allow_private
    webhook.active = active
    webhook.created_by = created_by
    webhook.full_clean()
    webhook.save()
    audit_record(
        actor=created_by,
        action="webhook_create",
        obj=webhook,
        data={"url": target_url, "allow_private": allow_private},
    )
    return webhook


def webhook_update(*, webhook: Webhook, by, changed: list[str]) -> Webhook:
    """Save an edited webhook (target, scheme, active, private targets), audited with the fields."""
    webhook.full_clean()
    webhook.save()
    audit_record(
        actor=by,
        action="webhook_update",
        obj=webhook,
        data={
            "changed": sorted(changed),
            "url": webhook.target_url,
            "active": webhook.active,
            "allow_private": webhook.allow_private,
        },
    )
    return webhook
