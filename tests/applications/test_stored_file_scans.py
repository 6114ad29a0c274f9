"""Files uploaded by applicants outside the attachments (payment documents, message attachments):
scanned like attachments, never served infected, and where CLAMAV_REQUIRED only once clean."""

import datetime
import html
from decimal import Decimal

import pytest
from clamav_client.scanner import ScanResult
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications import scanning
from applications.enums import ScanStatus
from applications.models import StoredFileScan
from applications.services import dossier_submit
from audit.models import AuditEvent
from instruction.models import Message
from payments.enums import PaymentKind, RequestState
from payments.models import PaymentRequest
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


class FakeScanner:
    def __init__(self, state, details=None):
        self.state, self.details, self.scanned = state, details, []

    def scan(self, filename):
        self.scanned.append(filename)
        return ScanResult(filename, self.state, self.details, None)


@pytest.fixture
def scanner(settings, monkeypatch):
    settings.CLAMAV_ADDRESS = "127.0.0.1:3310"

    def install(state, details=None):
        fake = FakeScanner(state, details)
        monkeypatch.setattr(scanning, "get_scanner", lambda: fake)
        return fake

    return install


@pytest.fixture
def dossier(db):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = dossier.organisation.memberships.first().user
    return dossier_submit(user=member, dossier=dossier, sworn=True)


@pytest.fixture
def agent(db):
    return RoleAssignmentFactory(role="agent", region_code="PDL").user


@pytest.fixture
def message(dossier):
    member = dossier.organisation.memberships.first().user
    message = Message(dossier=dossier, author=member, from_region=False, body="Voici le devis.")
    message.attachment.save("devis.pdf", ContentFile(PDF_BYTES), save=False)
    message.attachment_name = "devis.pdf"
    message.save()
    return message


@pytest.fixture
def payment_request(dossier):
    member = dossier.organisation.memberships.first().user
    request = PaymentRequest(
        dossier=dossier,
        kind=PaymentKind.SINGLE,
        state=RequestState.SUBMITTED,
        requested_by=member,
        amount=Decimal("1000.00"),
        to_recover=Decimal("0"),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
    )
    request.quote.save("devis.pdf", ContentFile(PDF_BYTES), save=False)
    request.save()
    return request


def message_url(message):
    return reverse(
        "instruction_applicant:message_attachment", args=[message.dossier_id, message.pk]
    )


def quote_url(payment_request):
    return reverse(
        "payments:payment_file", args=[payment_request.dossier_id, "devis", payment_request.pk]
    )


def test_with_clamav_required_a_message_attachment_is_served_only_once_scanned_clean(
    settings, client, agent, message, scanner, django_capture_on_commit_callbacks
):
    settings.CLAMAV_REQUIRED = True
    fake = scanner("OK")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=False):  # the scan is queued, not run yet
        response = client.get(message_url(message))
    assert response.status_code == 403
    assert "Analyse antivirus en cours" in response.content.decode()
    assert StoredFileScan.objects.get(name=message.attachment.name).status == ScanStatus.PENDING
    scanning.scan_stored_file.delay(message.attachment.name)  # the worker's turn
    assert fake.scanned and StoredFileScan.objects.get().status == ScanStatus.CLEAN
    response = client.get(message_url(message))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_with_clamav_required_a_payment_quote_is_not_served_before_its_scan(
    settings, client, agent, payment_request, django_capture_on_commit_callbacks
):
    settings.CLAMAV_REQUIRED = True
    settings.CLAMAV_ADDRESS = ""  # no daemon answering yet: never served meanwhile
    client.force_login(agent)
    response = client.get(quote_url(payment_request))
    assert response.status_code == 403
    assert "Analyse antivirus en cours" in response.content.decode()
    StoredFileScan.objects.create(name=payment_request.quote.name, status=ScanStatus.CLEAN)
    assert client.get(quote_url(payment_request)).status_code == 200


@pytest.mark.parametrize("required", [True, False])
def test_an_infected_stored_file_is_never_served(
    settings, client, agent, message, payment_request, scanner, required
):
    settings.CLAMAV_REQUIRED = required
    scanner("FOUND", "Eicar-Test-Signature")
    for name in (message.attachment.name, payment_request.quote.name):
        assert scanning.scan_stored_file.delay(name).get() == ScanStatus.INFECTED
    assert AuditEvent.objects.filter(action="stored_file_scan", to_state="infected").count() == 2
    client.force_login(agent)
    for url in (message_url(message), quote_url(payment_request)):
        response = client.get(url)
        assert response.status_code == 403
        assert "infecté par l'antivirus" in html.unescape(response.content.decode())


def test_without_clamav_required_an_unscanned_stored_file_is_served(
    settings, client, agent, message
):
    settings.CLAMAV_REQUIRED = False
    client.force_login(agent)
    assert client.get(message_url(message)).status_code == 200


def test_the_sweep_scans_every_stored_file_without_a_verdict(
    settings, scanner, message, payment_request
):
    settings.CLAMAV_REQUIRED = True
    fake = scanner("OK")
    queued = scanning.rescan_unscanned.delay().get()
    verdicts = dict(StoredFileScan.objects.values_list("name", "status"))
    assert verdicts[message.attachment.name] == ScanStatus.CLEAN
    assert verdicts[payment_request.quote.name] == ScanStatus.CLEAN
    assert queued == len(fake.scanned) >= 2
    # Nothing new: the next sweep scans nothing; a failed scan is tried again later.
    assert scanning.rescan_unscanned.delay().get() == 0
    StoredFileScan.objects.filter(name=message.attachment.name).update(
        status=ScanStatus.ERROR,
        created_at=timezone.now() - datetime.timedelta(hours=1),
        scanned_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert scanning.rescan_unscanned.delay().get() == 1
    assert StoredFileScan.objects.get(name=message.attachment.name).status == ScanStatus.CLEAN
