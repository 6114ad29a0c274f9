"""Messages to many applicants at once: targeted by state, written in each thread, sent once."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from instruction.bulk_messages import audience_dossiers, audience_preview, bulk_message_create
from instruction.models import BulkMessage, BulkMessageRecipient, Message, Review
from outbox.models import OutboxMessage
from payments.enums import PaymentKind, RequestState
from tests.applications.factories import DossierFactory
from tests.factories import MembershipFactory, RoleAssignmentFactory
from tests.payments.conftest import awarded, member_of  # noqa: F401
from tests.payments.test_finance import proposed

pytestmark = pytest.mark.django_db


def agent(region="PDL"):
    return RoleAssignmentFactory(role="agent", region_code=region).user


@pytest.fixture
def drafts(open_calls):
    """PDL drafts: one without bank details (two members), one complete; an HDF one without."""
    no_bank = DossierFactory(scheme_code="PDL-IN", complete=True, iban="")
    MembershipFactory(organisation=no_bank.organisation)
    complete = DossierFactory(scheme_code="PDL-IN", complete=True)
    elsewhere = DossierFactory(scheme_code="INAC", complete=True, iban="")
    return no_bank, complete, elsewhere


def test_drafts_without_bank_details_are_counted_in_the_agents_region_only(drafts):
    no_bank, complete, elsewhere = drafts
    preview = audience_preview(agent("PDL"), "drafts_missing_bank_details")
    assert (preview["dossiers"], preview["people"]) == (1, 2)
    assert preview["sample"] == [no_bank]
    assert audience_dossiers(agent("HDF"), "drafts_missing_bank_details") == [elsewhere]


def test_drafts_missing_a_piece(drafts):
    no_bank, complete, _ = drafts
    complete.attachments.all().delete()
    assert audience_dossiers(agent("PDL"), "drafts_missing_piece") == [complete]


def test_awards_without_payment_request_before_the_proofs_deadline(awarded):  # noqa: F811
    waiting, claimed, late = awarded("PDL-IN"), awarded("PDL-IN"), awarded("PDL-IN")
    proposed(claimed, kind=PaymentKind.BALANCE)
    refused = awarded("PDL-IN")
    proposed(refused, kind=PaymentKind.SINGLE).__class__.objects.filter(dossier=refused).update(
        state=RequestState.REFUSED
    )
    today = timezone.localdate()
    Review.objects.filter(dossier=late).update(proofs_deadline=today - timedelta(days=1))
    Review.objects.filter(dossier__in=[waiting, claimed, refused]).update(
        proofs_deadline=today + timedelta(days=30)
    )
    found = audience_dossiers(waiting.agent, "awards_without_payment_request", today=today)
    assert {d.pk for d in found} == {waiting.pk, refused.pk}


def test_the_job_writes_in_each_thread_and_mails_through_the_throttled_task_once(
    drafts, django_capture_on_commit_callbacks
):
    no_bank, complete, elsewhere = drafts
    author = agent("PDL")
    token = uuid.uuid4()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bulk = bulk_message_create(
            user=author,
            audience="drafts_missing_bank_details",
            body="Pensez à saisir vos coordonnées bancaires.",
            token=token,
        )
        again = bulk_message_create(
            user=author, audience="drafts_missing_bank_details", body="Bis", token=token
        )
    assert again.pk == bulk.pk and BulkMessage.objects.count() == 1  # a double click sends once
    bulk.refresh_from_db()
    assert (bulk.total, bulk.sent, bulk.finished_at is not None) == (1, 1, True)
    [message] = Message.objects.filter(dossier=no_bank)
    assert message.from_region and message.author == author
    assert message.body == "Pensez à saisir vos coordonnées bancaires."
    assert not Message.objects.filter(dossier__in=[complete, elsewhere]).exists()
    rows = OutboxMessage.objects.filter(task="outbox.tasks.send_bulk_notification")
    assert rows.count() == 1
    [email] = mail.outbox
    assert sorted(email.to) == sorted(
        no_bank.organisation.memberships.values_list("user__email", flat=True)
    )
    assert "Pensez à saisir vos coordonnées bancaires." in email.body

    from instruction.bulk_messages import bulk_message_send

    BulkMessage.objects.filter(pk=bulk.pk).update(finished_at=None)
    assert bulk_message_send(bulk.pk) == 0  # a retried job reaches nobody twice
    assert BulkMessageRecipient.objects.filter(bulk=bulk).count() == 1


def test_an_empty_message_or_an_unknown_audience_is_refused_in_french(drafts):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Le message est vide"):
        bulk_message_create(
            user=agent(), audience="drafts_missing_piece", body="  ", token=uuid.uuid4()
        )
    with pytest.raises(ValidationError, match="Choisissez les destinataires"):
        bulk_message_create(user=agent(), audience="everyone", body="x", token=uuid.uuid4())


def test_page_shows_the_count_then_sends(client, drafts, django_capture_on_commit_callbacks):
    no_bank, *_ = drafts
    client.force_login(agent("PDL"))
    url = reverse("instruction:bulk_messages")
    page = client.get(url, {"audience": "drafts_missing_bank_details"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 dossier de votre périmètre, 2 personnes à prévenir" in text
    token = page.context["form"].initial["token"]
    empty = client.post(url, {"audience": "drafts_missing_bank_details", "token": token})
    assert empty.status_code == 400 and "Écrivez le message." in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url,
            {"audience": "drafts_missing_bank_details", "token": token, "body": "Bonjour."},
        )
    assert sent.status_code == 302
    assert Message.objects.filter(dossier=no_bank, body="Bonjour.").count() == 1
    listing = client.get(url).content.decode()
    assert "Terminé : 1 dossier" in listing


def test_applicants_and_finance_officers_get_403(client, drafts):
    no_bank, *_ = drafts
    url = reverse("instruction:bulk_messages")
    client.force_login(member_of(no_bank))
    assert client.get(url).status_code == 403
    client.force_login(RoleAssignmentFactory(role="finance", region_code="PDL").user)
    assert client.get(url, {"audience": "drafts_missing_bank_details"}).status_code == 403


def test_the_applicant_sees_the_message_in_the_drafts_thread(
    client, drafts, django_capture_on_commit_callbacks
):
    no_bank, *_ = drafts
    with django_capture_on_commit_callbacks(execute=True):
        bulk_message_create(
            user=agent(),
            audience="drafts_missing_bank_details",
            body="Il manque votre RIB.",
            token=uuid.uuid4(),
        )
    assert no_bank.state == S.DRAFT
    client.force_login(member_of(no_bank))
    page = client.get(reverse("applications:detail", args=[no_bank.pk])).content.decode()
    assert "Il manque votre RIB." in page


def test_a_dossier_of_the_authors_own_organisation_is_skipped_counted_and_each_message_audited(
    drafts, client, django_capture_on_commit_callbacks
):
    from audit.models import AuditEvent

    no_bank, complete, _ = drafts
    complete.iban = ""
    complete.save(update_fields=["iban"])
    author = agent("PDL")
    MembershipFactory(organisation=complete.organisation, user=author)  # conflict of interest
    with django_capture_on_commit_callbacks(execute=True):
        bulk = bulk_message_create(
            user=author, audience="drafts_missing_bank_details", body="RIB ?", token=uuid.uuid4()
        )
    bulk.refresh_from_db()
    assert (bulk.total, bulk.sent, bulk.refused) == (2, 1, 1)
    assert Message.objects.filter(dossier=no_bank).count() == 1
    assert not Message.objects.filter(dossier=complete).exists()
    [event] = AuditEvent.objects.filter(action="bulk_message_post")
    assert event.object_id == str(Message.objects.get(dossier=no_bank).pk)
    assert event.data["dossier"] == no_bank.number and event.data["bulk"] == bulk.pk
    client.force_login(author)
    page = client.get(reverse("instruction:bulk_messages")).content.decode()
    assert "1 dossier écarté (conflit d’intérêts ou hors de vos attributions)" in page
