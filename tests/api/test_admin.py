"""Tokens are created by administrators only; the secret is shown once and never stored."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.models import ApiToken, hash_secret
from tests.factories import region


def test_administrator_creates_a_token_and_sees_the_secret_once(client, administrator):
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    client.force_login(administrator)
    expires = timezone.localdate() + datetime.timedelta(days=90)
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "Outil de suivi PDL",
            "region": region("PDL").pk,
            "scheme_codes": '["PDL-IN"]',
            "read_only": "",
            "expires_on": expires.isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert token.key_hash == hash_secret(secret) and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token.created_by == administrator and not token.read_only
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page


def test_unknown_scheme_of_the_region_is_refused(client, administrator):
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    client.force_login(administrator)
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "Outil",
            "region": region("PDL").pk,
            "scheme_codes": '["INAC"]',
            "expires_on": "2099-01-01",
        },
    )
    assert "Dispositifs inconnus dans cette région : INAC" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_scheme_manager_cannot_reach_the_tokens(client, db):
    from tests.factories import RoleAssignmentFactory

    manager = RoleAssignmentFactory(role="scheme_manager", region_code="PDL").user
    client.force_login(manager)
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    assert client.get("/admin/api/webhook/").status_code == 403


def test_management_command_prints_the_secret(administrator, capsys):
    call_command(
        "create_api_token",
        "--name=Export",
        "--region=HDF",
        "--scheme=INAC",
        "--expires-on=2099-12-31",
        f"--by={administrator.email}",
    )
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get(key_hash=hash_secret(secret))
    assert token.read_only and token.scheme_codes == ["INAC"]


def test_management_command_refuses_non_administrators(applicant):
    with pytest.raises(CommandError, match="Seul un administrateur"):
        call_command(
            "create_api_token",
            "--name=Export",
            "--region=HDF",
            "--expires-on=2099-12-31",
            f"--by={applicant.email}",
        )


def test_a_webhook_created_or_edited_in_the_admin_is_audited(client, administrator):
    from api.models import Webhook
    from audit.models import AuditEvent
    from schemes.models import Scheme

    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    client.force_login(administrator)
    scheme = Scheme.objects.get(code="PDL-IN")
    data = {"scheme": scheme.pk, "target_url": "http://127.0.0.1:9/hook", "active": "on"}
    data["allow_private"] = "on"
    response = client.post("/admin/api/webhook/add/", data)
    assert response.status_code == 302, response.content
    webhook = Webhook.objects.get()
    assert webhook.created_by == administrator
    created = AuditEvent.objects.get(action="webhook_create")
    assert created.actor_id == administrator.pk and created.object_id == str(webhook.pk)
    assert created.data == {"url": "http://127.0.0.1:9/hook", "allow_private": True}

    data.pop("active")
    response = client.post(f"/admin/api/webhook/{webhook.pk}/change/", data)
    assert response.status_code == 302, response.content
    updated = AuditEvent.objects.get(action="webhook_update")
    assert updated.data["changed"] == ["active"] and updated.data["active"] is False
    webhook.refresh_from_db()
    assert not webhook.active


def test_a_webhook_to_a_private_address_is_refused_in_the_admin(client, administrator):
    from api.models import Webhook
    from schemes.models import Scheme

    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    client.force_login(administrator)
    scheme = Scheme.objects.get(code="PDL-IN")
    data = {"scheme": scheme.pk, "target_url": "https://127.0.0.1/hook", "active": "on"}
    response = client.post("/admin/api/webhook/add/", data)
    assert response.status_code == 200
    assert not Webhook.objects.exists()
