"""Tokens: scope, expiry, revocation, read-only, the call log and the rate limit."""

import datetime

import pytest
from django.utils import timezone

from api.models import ApiCall, ApiToken
from api.services import token_revoke

DOSSIERS = "/api/v1/dossiers/"


def numbers(response) -> set[str]:
    return {row["number"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_unknown_token_gets_401_in_french(api):
    response = api("an_nimportequoi").get(DOSSIERS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API inconnu."
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_missing_token_gets_401(api):
    response = api(None).get(DOSSIERS)
    assert response.status_code == 401


def test_expired_token_gets_401_with_the_date(api, make_token):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    _, secret = make_token(expires_on=yesterday)
    response = api(secret).get(DOSSIERS)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(f"Ce jeton d'API a expiré le {yesterday:%d/%m/%Y}")


def test_token_valid_through_its_last_day(api, make_token):
    _, secret = make_token(expires_on=timezone.localdate())
    assert api(secret).get(DOSSIERS).status_code == 200


def test_revoked_token_gets_401_and_its_user_is_deactivated(api, make_token, administrator):
    token, secret = make_token(read_only=False)
    token_revoke(token=token, by=administrator)
    response = api(secret).get(DOSSIERS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Ce jeton d'API a été révoqué."
    token.user.refresh_from_db()
    assert not token.user.is_active


def test_only_the_hash_of_the_secret_is_stored(make_token):
    token, secret = make_token()
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.key_hash, stored.key_prefix, stored.name}
    assert len(stored.key_hash) == 64


def test_technical_user_of_a_writable_token(make_token):
    token, _ = make_token("PDL", schemes=["PDL-IN"], read_only=False)
    user = token.user
    assert user.email == f"api-{token.pk}@aides-numeriques.invalid"
    assert user.is_active and not user.has_usable_password()
    assignment = user.role_assignments.get()
    assert (assignment.role, assignment.region.code, assignment.scheme_codes) == (
        "agent",
        "PDL",
        ["PDL-IN"],
    )


def test_read_only_token_user_has_no_role(make_token):
    token, _ = make_token(read_only=True)
    assert not token.user.role_assignments.exists()


def test_pdl_token_never_sees_hdf_dossiers(api, make_token, filed, awarded_pair):
    pdl, hdf = filed("PDL-IN"), filed("INAC")
    _, secret = make_token("PDL")
    client = api(secret)
    assert numbers(client.get(DOSSIERS)) >= {pdl.number}
    assert hdf.number not in numbers(client.get(DOSSIERS))
    assert client.get(f"{DOSSIERS}{pdl.number}/").status_code == 200
    assert client.get(f"{DOSSIERS}{hdf.number}/").status_code == 404
    assert client.get(DOSSIERS, {"scheme": "INAC"}).json()["results"] == []

    pdl_awarded, hdf_awarded = awarded_pair
    decisions = {row["number"] for row in client.get("/api/v1/decisions/").json()["results"]}
    assert pdl_awarded.number in decisions and hdf_awarded.number not in decisions
    assert client.get(f"/api/v1/decisions/{hdf_awarded.number}/").status_code == 404
    schemes = {row["code"] for row in client.get("/api/v1/schemes/").json()}
    assert "PDL-IN" in schemes and not schemes & {"INAC", "INESS", "IDF-CN2"}


def test_scheme_codes_narrow_the_region(api, make_token, filed):
    inac, iness = filed("INAC"), filed("INESS")
    _, secret = make_token("HDF", schemes=["INESS"])
    seen = numbers(api(secret).get(DOSSIERS))
    assert iness.number in seen and inac.number not in seen


def test_drafts_are_not_shown(api, make_token, filed):
    draft = filed("PDL-IN", state="draft", submitted_at=None)
    _, secret = make_token("PDL")
    assert draft.number not in numbers(api(secret).get(DOSSIERS))


def test_read_only_token_cannot_post(api, make_token, filed):
    dossier = filed("PDL-IN")
    _, secret = make_token("PDL", read_only=True)
    response = api(secret).post(f"{DOSSIERS}{dossier.number}/transitions/", {"transition": "take"})
    assert response.status_code == 403
    assert "lecture seule" in response.json()["detail"]
    dossier.refresh_from_db()
    assert dossier.state == "submitted"


def test_every_call_is_logged(api, make_token):
    token, secret = make_token()
    api(secret).get(DOSSIERS)
    api(secret).get(f"{DOSSIERS}NEXISTEPAS/")
    api("an_inconnu").get(DOSSIERS)
    calls = list(ApiCall.objects.order_by("id").values_list("token_id", "method", "path", "status"))
    assert calls == [
        (token.pk, "GET", DOSSIERS, 200),
        (token.pk, "GET", f"{DOSSIERS}NEXISTEPAS/", 404),
        (None, "GET", DOSSIERS, 401),
    ]
    assert all(call.duration_ms >= 0 for call in ApiCall.objects.all())
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_rate_limit_returns_429_in_french(api, make_token, settings):
    settings.API_RATE_LIMIT = "2/min"
    token, secret = make_token()
    other_token, other_secret = make_token(name="Autre")
    client = api(secret)
    assert [client.get(DOSSIERS).status_code for _ in range(3)] == [200, 200, 429]
    response = client.get(DOSSIERS)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Trop d'appels avec ce jeton")
    assert "Retry-After" in response
    # The limit is per token.
    assert api(other_secret).get(DOSSIERS).status_code == 200
    assert ApiCall.objects.filter(token=token, status=429).count() == 2


def test_payments_of_the_scope_only(api, make_token, awarded_pair):
    pdl, hdf = awarded_pair
    _, secret = make_token("PDL")
    rows = api(secret).get("/api/v1/payments/").json()["results"]
    assert [row["dossier"] for row in rows] == [pdl.number]
    assert rows[0]["amount"] == "1000.00" and rows[0]["kind"] == "advance"
    assert "iban" not in rows[0]
    hdf_payment = hdf.payments.get()
    assert api(secret).get(f"/api/v1/payments/{hdf_payment.pk}/").status_code == 404
