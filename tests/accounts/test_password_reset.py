"""Password reset tells nobody which addresses have an account (issue 14, finding 7).

The page, status and redirect are the same for a known and an unknown address, and the request
does the same database work in both cases (one outbox row: the lookup and the e-mail happen in
the task, after the response). No timing is measured: equal work is what is asserted.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

UNKNOWN = "personne.inconnue@exemple.fr"


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def reset(client, email: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_reset_password"), {"email": email})
    # The statements, with the address and the numbers (ids, dates) written alike.
    sql = [q["sql"].replace(email, "EMAIL") for q in queries.captured_queries]
    return response, [re.sub(r"\d+", "N", q) for q in sql]


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_queries(client, applicant):
    known, known_sql = reset(client, applicant.email)
    unknown, unknown_sql = reset(client, UNKNOWN)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert sorted(known.headers) == sorted(unknown.headers)
    assert known_sql == unknown_sql  # same statements, same order: no lookup in the request
    assert not [q for q in known_sql if "accounts_user" in q or "account_emailaddress" in q]
    assert OutboxMessage.objects.filter(task="accounts.tasks.send_password_reset").count() == 2
    pages = [without_tokens(client.get(r["Location"]).content.decode()) for r in (known, unknown)]
    assert pages[0] == pages[1]


def test_the_reset_form_page_is_the_same_after_either_address(client, applicant):
    client.post(reverse("account_reset_password"), {"email": applicant.email})
    after_known = without_tokens(client.get(reverse("account_reset_password")).content.decode())
    client.post(reverse("account_reset_password"), {"email": UNKNOWN})
    after_unknown = without_tokens(client.get(reverse("account_reset_password")).content.decode())
    assert after_known == after_unknown


def test_the_link_goes_to_a_known_address_only_and_resets_the_password(
    client, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": UNKNOWN})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": applicant.email.upper()})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert message.subject == "[Aides numériques] Réinitialisation de votre mot de passe"
    assert "ignorez ce courriel" in message.body
    path = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+/)", message.body)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()
    new = "Un-nouveau-mot-de-passe-9"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": new, "password2": new},
    )
    assert done.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password(new)


def test_a_badly_typed_address_gets_a_french_message_whoever_it_is(client):
    response = client.post(reverse("account_reset_password"), {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "adresse électronique valide" in response.content.decode()
    assert not OutboxMessage.objects.exists()
