"""Dossiers through the API: filters, pagination, query budget and writes via the services."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Dossier, DossierTransitionLog
from audit.models import AuditEvent

DOSSIERS = "/api/v1/dossiers/"


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def test_updated_since_filters_on_last_saved_at(api, make_token, filed):
    old, recent = filed("PDL-IN"), filed("PDL-IN")
    now = timezone.now()
    Dossier.objects.filter(pk=old.pk).update(last_saved_at=now - datetime.timedelta(days=3))
    Dossier.objects.filter(pk=recent.pk).update(last_saved_at=now - datetime.timedelta(hours=1))
    _, secret = make_token("PDL")
    since = (now - datetime.timedelta(days=1)).isoformat()
    assert numbers(api(secret).get(DOSSIERS, {"updated_since": since})) == [recent.number]
    assert numbers(api(secret).get(DOSSIERS)) == [old.number, recent.number]


def test_invalid_updated_since_is_a_400(api, make_token):
    _, secret = make_token("PDL")
    response = api(secret).get(DOSSIERS, {"updated_since": "hier"})
    assert response.status_code == 400
    assert "updated_since" in response.json()


def test_filter_by_state(api, make_token, filed):
    submitted, taken = filed("PDL-IN"), filed("PDL-IN", state="in_instruction")
    _, secret = make_token("PDL")
    assert numbers(api(secret).get(DOSSIERS, {"state": "in_instruction"})) == [taken.number]
    assert submitted.number in numbers(api(secret).get(DOSSIERS, {"state": "submitted"}))


def test_cursor_pagination_walks_every_dossier(api, make_token, filed):
    created = {filed("PDL-IN").number for _ in range(5)}
    _, secret = make_token("PDL")
    seen, page = [], api(secret).get(DOSSIERS, {"page_size": 2}).json()
    while True:
        seen += [row["number"] for row in page["results"]]
        if not page["next"]:
            break
        page = api(secret).get(page["next"]).json()
    assert sorted(seen) == sorted(created)


def test_detail_shows_staff_data_but_no_bank_details(api, make_token, submitted):
    dossier = submitted("PDL-IN")
    _, secret = make_token("PDL")
    data = api(secret).get(f"{DOSSIERS}{dossier.number}/").json()
    assert data["number"] == dossier.number and data["state"] == "submitted"
    assert data["state_label"] == "Déposé"
    assert data["organisation"]["siret"] == dossier.organisation.siret
    assert data["rule_version"] and data["result"]["award"] == data["estimated_award"]
    assert "iban" not in data and "iban" not in str(data["organisation"])


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_constant(api, make_token, filed, count, django_assert_num_queries):
    _, secret = make_token("PDL")
    for _ in range(count):
        filed("PDL-IN")
    client = api(secret)
    client.get(DOSSIERS, {"page_size": 200})  # the first call also records last_used_at
    # Token, page of dossiers, call log.
    with django_assert_num_queries(3):
        response = client.get(DOSSIERS, {"page_size": 200})
    assert len(response.json()["results"]) == count


def test_detail_query_count_does_not_grow(api, make_token, submitted):
    dossier = submitted("PDL-IN")
    _, secret = make_token("PDL")
    client = api(secret)
    client.get(f"{DOSSIERS}{dossier.number}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{DOSSIERS}{dossier.number}/")
    assert len(queries.captured_queries) <= 3


def test_take_then_declare_admissible_through_the_services(api, make_token, submitted):
    dossier = submitted("PDL-IN")
    token, secret = make_token("PDL", schemes=["PDL-IN"], read_only=False)
    url = f"{DOSSIERS}{dossier.number}/transitions/"

    response = api(secret).post(url, {"transition": "take"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_instruction"
    response = api(secret).post(url, {"transition": "declare_admissible"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "admissible"

    dossier.refresh_from_db()
    assert dossier.review.agent == token.user
    assert dossier.acknowledged_on == timezone.localdate()
    logs = list(
        DossierTransitionLog.objects.filter(dossier=dossier)
        .exclude(transition="submit")
        .values_list("transition", "actor")
    )
    assert logs == [("take", token.user.pk), ("declare_admissible", token.user.pk)]
    actions = set(
        AuditEvent.objects.filter(object_id=str(dossier.pk), actor=token.user).values_list(
            "action", flat=True
        )
    )
    assert {"dossier_take", "dossier_declare_admissible"} <= actions


def test_invalid_transition_is_a_409_in_french(api, make_token, submitted):
    dossier = submitted("PDL-IN")
    _, secret = make_token("PDL", read_only=False)
    response = api(secret).post(
        f"{DOSSIERS}{dossier.number}/transitions/", {"transition": "declare_admissible"}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Action impossible : le dossier est à l'état « Déposé »."


def test_unknown_transition_is_a_400(api, make_token, filed):
    dossier = filed("PDL-IN")
    _, secret = make_token("PDL", read_only=False)
    response = api(secret).post(
        f"{DOSSIERS}{dossier.number}/transitions/", {"transition": "tout_accepter"}
    )
    assert response.status_code == 400
    assert response.json()["transition"] == ["Transition inconnue : « tout_accepter »."]


def test_reject_without_motivation_is_a_400_in_french(api, make_token, submitted):
    dossier = submitted("PDL-IN")
    _, secret = make_token("PDL", read_only=False)
    url = f"{DOSSIERS}{dossier.number}/transitions/"
    api(secret).post(url, {"transition": "take"})
    response = api(secret).post(url, {"transition": "reject", "motivation": " "})
    assert response.status_code == 400
    assert "motivation du refus est obligatoire" in response.json()["detail"]


def test_stale_lock_version_is_a_409(api, make_token, submitted):
    dossier = submitted("PDL-IN")
    _, secret = make_token("PDL", read_only=False)
    response = api(secret).post(
        f"{DOSSIERS}{dossier.number}/transitions/",
        {"transition": "take", "lock_version": dossier.lock_version - 1},
    )
    assert response.status_code == 409
    assert "Un autre instructeur a modifié ce dossier" in response.json()["detail"]
    dossier.refresh_from_db()
    assert dossier.state == "submitted"


def test_write_outside_the_token_schemes_is_a_404(api, make_token, submitted):
    dossier = submitted("INAC")
    _, secret = make_token("HDF", schemes=["INESS"], read_only=False)
    response = api(secret).post(f"{DOSSIERS}{dossier.number}/transitions/", {"transition": "take"})
    assert response.status_code == 404
