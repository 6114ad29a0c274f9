"""Agents know what moved (issue 22 point 5): the daily digest with the computed deadlines,
per-event preferences, and the team told when a dossier has no agent yet."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from instruction import services
from instruction.digest import send_agent_digests
from instruction.models import Review
from instruction.review import message_post
from outbox.models import NotificationPreference
from outbox.notifications import preferences_of, preferences_set
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


def member(dossier):
    return dossier.organisation.memberships.first().user


def test_an_applicants_message_on_a_dossier_without_agent_goes_to_the_team(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    dossier = submitted("PDL-IN")
    first, second = agent_of("PDL"), agent_of("PDL")
    other_scheme = RoleAssignmentFactory(
        role="agent", region_code="PDL", scheme_codes=["PDL-XX"]
    ).user
    other_region = agent_of("HDF")
    quiet = agent_of("PDL")
    preferences_set(user=quiet, enabled=[])  # turned every staff e-mail off
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(user=member(dossier), dossier=dossier, body="Une question.", from_region=False)
    [email] = mail.outbox
    assert sorted(email.to) == sorted([first.email, second.email])
    assert other_scheme.email not in email.to and other_region.email not in email.to
    assert quiet.email not in email.to
    assert reverse("instruction:dossier", args=[dossier.pk]) in email.body

    services.dossier_take(user=first, dossier=dossier)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(user=member(dossier), dossier=dossier, body="Merci.", from_region=False)
    assert [m.to for m in mail.outbox] == [[first.email]]  # taken: its agent only


def test_an_agent_who_turned_off_messages_is_not_emailed_but_applicants_always_are(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    preferences_set(user=agent, enabled=["agent_digest"])
    assert preferences_of(agent)["dossier_message"] is False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(user=member(dossier), dossier=dossier, body="Bonjour.", from_region=False)
        message_post(user=agent, dossier=dossier, body="Réponse.", from_region=True)
    assert [m.to for m in mail.outbox] == [[member(dossier).email]]


def test_the_daily_digest_lists_late_dossiers_coming_deadlines_and_the_unassigned_once(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    agent = agent_of("PDL")
    late, coming, waiting = submitted("PDL-IN"), submitted("PDL-IN"), submitted("PDL-IN")
    today = timezone.localdate()
    services.dossier_take(user=agent, dossier=late)
    services.complements_request(
        user=agent, dossier=late, items="Kbis", due_on=today + timedelta(days=1)
    )
    services.dossier_take(user=agent, dossier=coming)
    Review.objects.filter(dossier=coming).update(first_contact_due_on=today + timedelta(days=3))
    day = today + timedelta(days=2)  # the complements are one day late, the contact due tomorrow
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_agent_digests(day.isoformat()) == 1
        assert send_agent_digests(day.isoformat()) == 0  # once a day
    [email] = mail.outbox
    assert email.to == [agent.email]
    assert email.subject == f"[Aides numériques] Vos dossiers au {day:%d/%m/%Y}"
    text = " ".join(email.body.split())
    assert (
        f"{late.number}" in text
        and f"Compléments attendus avant le {today + timedelta(days=1):%d/%m/%Y}" in text
    )
    assert (
        f"{coming.number}" in text
        and f"Premier contact avant le {today + timedelta(days=3):%d/%m/%Y}" in text
    )
    assert "Un dossier déposé attend un instructeur" in text and waiting.number not in text
    assert "La Région Pays de la Loire" in email.body
    html = email.alternatives[0][0]
    assert late.number in html and coming.number in html


def test_no_digest_for_an_agent_who_turned_it_off_or_has_nothing(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    busy, idle = agent_of("PDL"), agent_of("HDF")
    submitted("PDL-IN")  # unassigned in PDL: only the PDL agent hears of it
    preferences_set(user=busy, enabled=["dossier_message"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_agent_digests()
    assert mail.outbox == []
    NotificationPreference.objects.filter(user=busy).delete()  # back to the default: on
    with django_capture_on_commit_callbacks(execute=True):
        send_agent_digests((timezone.localdate() + timedelta(days=1)).isoformat())
    assert [m.to for m in mail.outbox] == [[busy.email]]
    assert idle.email not in {a for m in mail.outbox for a in m.to}


def test_preferences_page_saves_each_event_and_is_for_staff_only(client, agent_of, applicant):
    agent = agent_of("PDL")
    url = reverse("portal:notifications")
    client.force_login(applicant)
    assert client.get(url).status_code == 403
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "Le récapitulatif quotidien de vos dossiers" in page and "checked" in page
    response = client.post(url, {"events": ["agent_digest", "dossier_message"]})
    assert response.status_code == 302
    assert preferences_of(agent) == {
        "dossier_message": True,
        "complements_received": False,
        "payment_request_received": False,
        "deadline_reminder": False,
        "agent_digest": True,
    }
    client.post(url, {"events": ["agent_digest", "dossier_message"]})  # saved twice: same result
    assert NotificationPreference.objects.filter(user=agent).count() == 5
