import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Dossier
from applications.retention import purge_drafts
from audit.models import AuditEvent
from tests.applications.factories import DossierFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def age(dossier, days: int) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(
        last_saved_at=timezone.now() - timedelta(days=days)
    )


def test_old_drafts_get_a_notice_two_weeks_before_then_are_deleted(
    django_capture_on_commit_callbacks,
):
    draft = DossierFactory()
    retention = draft.scheme.region.draft_retention_days
    submitted = DossierFactory(state="submitted")
    age(draft, retention - 10)
    age(submitted, retention + 100)
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_drafts() == {"warned": 1, "deleted": 0}
    assert "sera supprimé" in mail.outbox[-1].subject
    assert draft.organisation.memberships.first().user.email in mail.outbox[-1].to
    assert purge_drafts() == {"warned": 0, "deleted": 0}  # one notice only
    later = (timezone.localdate() + timedelta(days=15)).isoformat()
    assert purge_drafts(later) == {"warned": 0, "deleted": 1}
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert Dossier.objects.filter(pk=submitted.pk).exists()  # submitted dossiers are kept
    assert AuditEvent.objects.filter(action="draft_deleted", object_id=str(draft.pk)).exists()


def test_saving_a_draft_after_the_notice_keeps_it(django_capture_on_commit_callbacks):
    draft = DossierFactory()
    age(draft, draft.scheme.region.draft_retention_days - 5)
    with django_capture_on_commit_callbacks(execute=True):
        purge_drafts()
    draft.refresh_from_db()
    draft.title = "Toujours d'actualité"
    draft.save()
    assert draft.deletion_notice_at is None
    assert purge_drafts((timezone.localdate() + timedelta(days=30)).isoformat())["deleted"] == 0


def test_retention_is_configurable_per_region():
    draft = DossierFactory(scheme_code="PDL-IN")
    region = draft.scheme.region
    region.draft_retention_days = 30
    region.save()
    age(draft, 25)
    assert purge_drafts()["warned"] == 1


def test_a_person_downloads_their_data(client):
    dossier = DossierFactory()
    user = dossier.organisation.memberships.first().user
    Dossier.objects.filter(pk=dossier.pk).update(created_by=user)
    client.force_login(user)
    response = client.get(reverse("portal:my_data"), {"format": "json"})
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["compte"]["adresse"] == user.email
    assert data["organisations"][0]["siret"] == dossier.organisation.siret
    assert data["dossiers"][0]["numero"] == dossier.number


def test_closing_the_account_keeps_the_dossiers_detached_from_the_person(client, password):
    dossier = DossierFactory(state="submitted")
    user = dossier.organisation.memberships.first().user
    other = MembershipFactory(organisation=dossier.organisation).user
    Dossier.objects.filter(pk=dossier.pk).update(created_by=user, submitted_by=user)
    old_email = user.email
    client.force_login(user)
    wrong = client.post(reverse("portal:close_account"), {"password": "faux", "confirm": "on"})
    assert "Mot de passe incorrect" in wrong.content.decode()
    response = client.post(
        reverse("portal:close_account"), {"password": password, "confirm": "on"}, follow=True
    )
    assert "Votre compte est fermé" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@aides-numeriques.invalid") and not user.first_name
    assert not user.memberships.exists()
    dossier.refresh_from_db()
    assert dossier.submitted_by_id == user.pk  # the record stays, now anonymous
    assert other.memberships.filter(organisation=dossier.organisation).exists()
    # The old address no longer opens anything.
    response = client.post(reverse("account_login"), {"login": old_email, "password": password})
    assert response.status_code == 200 and not User.objects.filter(email=old_email).exists()
