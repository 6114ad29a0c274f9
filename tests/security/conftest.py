"""One shared world for the security tests: two organisations, two regions, every kind of object.

The world is built once per module inside an outer transaction that is rolled back at the end;
each test still runs in its own savepoint (pytest-django's `db`), so a POST never leaks into the
next test. Files go to a temporary private folder for the whole module.
"""

import secrets
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.enums import Role
from applications.models import DossierDocument
from applications.receipt import ensure_receipt
from applications.services import dossier_submit
from instruction import review
from instruction import services as instruction_services
from instruction.commission import session_create
from instruction.documents import ensure_document
from instruction.models import (
    BatchItem,
    BatchJob,
    DossierLabel,
    Message,
    QueueLabel,
    SavedFilter,
)
from organisations.models import Invitation
from payments import batches
from payments import services as payment_services
from payments.enums import PaymentKind, RequestState
from payments.models import Invoice, PaymentRequest, ProviderChange, RecoveryOrder
from portal.management.commands.seed_demo import Command as SeedDemo
from reporting.models import ExportJob
from territories.models import Region
from tests.applications.factories import PDF_BYTES, DossierFactory, organisation_for
from tests.factories import RoleAssignmentFactory, UserFactory

ROLES = (
    "anonymous",
    "member_a",
    "member_b",
    "agent_hdf",
    "agent_pdl",
    "finance_hdf",
    "manager_hdf",
    "admin",
)


@dataclass
class Side:
    """Everything one organisation owns: A (HDF, INAC) or B (PDL, PDL-IN)."""

    organisation: object = None
    member: object = None
    draft: object = None
    dossier: object = None
    attachment: object = None
    draft_attachment: object = None
    receipt: object = None
    acknowledgment: object = None
    award: object = None
    advance: object = None
    balance: object = None
    invoice: object = None
    payment: object = None
    batch: object = None
    recovery: object = None
    message: object = None
    change: object = None
    invitation: object = None
    label: object = None  # a queue label of the side's region
    saved_filter: object = None  # a saved queue filter of the side's agent, shared
    job: object = None  # a batch operation launched by the side's agent
    export_job: object = None  # a finished export of the queue, asked by the side's agent


@dataclass
class World:
    users: dict = field(default_factory=dict)
    a: Side = field(default_factory=Side)
    b: Side = field(default_factory=Side)
    session: object = None  # an IDF commission session (neither A's region nor B's)
    year: int = 0


def _file(name: str) -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


def _award(dossier, agent):
    dossier = dossier_submit(
        user=dossier.organisation.memberships.first().user, dossier=dossier, sworn=True
    )
    instruction_services.dossier_take(user=agent, dossier=dossier)
    instruction_services.dossier_declare_admissible(user=agent, dossier=dossier)
    award = Decimal(review.review_estimate(dossier)["award"])
    instruction_services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Projet solide.", award=award
    )
    return instruction_services.dossier_accept(user=agent, dossier=dossier)


def _side(code: str, draft_code: str, region_code: str, agent, finance, member) -> Side:
    side = Side()
    side.organisation = organisation_for(code)
    side.member = member
    # One dossier per organisation and scheme: the draft is filed under another scheme.
    side.draft = DossierFactory(
        scheme_code=draft_code, organisation=side.organisation, member=member, with_content=True
    )
    side.draft_attachment = side.draft.attachments.first()
    dossier = DossierFactory(scheme_code=code, organisation=side.organisation, complete=True)
    dossier.organisation.memberships.exclude(user=member).delete()
    dossier = _award(dossier, agent)
    side.dossier = dossier
    side.attachment = dossier.attachments.first()
    side.receipt = ensure_receipt(dossier)
    side.acknowledgment = ensure_document(dossier, DossierDocument.Kind.ACKNOWLEDGMENT)
    side.award = ensure_document(dossier, DossierDocument.Kind.AWARD)
    bank = {"iban": dossier.iban, "bic": dossier.bic, "account_holder": "Titulaire"}
    # A single payment, certified by the agent, then validated by finance and batched.
    advance = PaymentRequest(
        dossier=dossier,
        kind=PaymentKind.SINGLE,
        state=RequestState.CERTIFIED,
        requested_by=member,
        amount=Decimal("1000.00"),
        to_recover=Decimal("0"),
        certified_by=agent,
        certified_at=timezone.now(),
        **bank,
    )
    advance.quote.save("devis.pdf", ContentFile(PDF_BYTES), save=False)
    advance.rib.save("rib.pdf", ContentFile(PDF_BYTES), save=False)
    advance.save()
    side.advance = advance
    side.payment = payment_services.payment_validate(user=finance, request=side.advance)
    region = Region.objects.get(code=region_code)
    batch = batches.batch_create(user=finance, region=region, payments=[side.payment])
    side.batch = batches.batch_export(user=finance, batch=batch)
    side.balance = PaymentRequest.objects.create(
        dossier=dossier,
        kind=PaymentKind.BALANCE,
        state=RequestState.CERTIFIED,
        requested_by=member,
        amount=Decimal("100.00"),
        to_recover=Decimal("0"),
        certified_by=agent,
        certified_at=timezone.now(),
        statement_confirmed=True,
        completion_confirmed=True,
        **bank,
    )
    day = timezone.localdate() - timedelta(days=5)
    invoice = Invoice(
        request=side.balance,
        supplier="Prestataire",
        number=f"F-{code}",
        issued_on=day,
        paid_on=day,
        amount=Decimal("2000.00"),
    )
    invoice.file.save("facture.pdf", ContentFile(PDF_BYTES), save=True)
    side.invoice = invoice
    side.recovery = RecoveryOrder.objects.create(
        dossier=dossier, request=side.balance, amount=Decimal("500.00")
    )
    message = Message(dossier=dossier, author=agent, from_region=True, body="Bonjour.")
    message.attachment.save("courrier.pdf", ContentFile(PDF_BYTES), save=False)
    message.attachment_name = "courrier.pdf"
    message.save()
    side.message = message
    change = ProviderChange(
        dossier=dossier,
        expense_line=dossier.expenses.order_by("position").first(),
        new_supplier="Nouvel Éditeur",
        new_amount=Decimal("1000.00"),
        reason="Le premier a cessé son activité.",
        declared_by=member,
    )
    change.quote.save("nouveau-devis.pdf", ContentFile(PDF_BYTES), save=False)
    change.save()
    side.change = change
    side.export_job = ExportJob.objects.create(
        user=agent,
        kind=ExportJob.Kind.QUEUE,
        fmt=ExportJob.Format.CSV,
        status=ExportJob.Status.DONE,
        total=1,
        done=1,
        filename="dossiers-all.csv",
        expires_at=timezone.now() + timedelta(days=1),
    )
    side.export_job.file.save("export.csv", ContentFile(f"Numéro\r\n{dossier.number}\r\n"))
    side.invitation = Invitation.objects.create(
        organisation=side.organisation,
        email=f"invite-{code.lower()}@exemple.fr",
        token=secrets.token_urlsafe(32),
        invited_by=member,
    )
    side.label = QueueLabel.objects.create(region=region, name=f"À relancer {code}")
    DossierLabel.objects.create(dossier=dossier, label=side.label, added_by=agent)
    side.saved_filter = SavedFilter.objects.create(
        owner=agent, region=region, name=f"Mes retards {code}", query="overdue=yes", shared=True
    )
    side.job = BatchJob.objects.create(
        action="message", params={"body": "Bonjour"}, token=f"authz-{code}", created_by=agent
    )
    BatchItem.objects.create(job=side.job, dossier=dossier, position=0)
    return side


def build_world() -> World:
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    world = World(year=timezone.localdate().year)
    users = world.users
    users["member_a"] = UserFactory(email="membre-a@exemple.fr")
    users["member_b"] = UserFactory(email="membre-b@exemple.fr")
    users["agent_hdf"] = RoleAssignmentFactory(role=Role.AGENT, region_code="HDF").user
    users["agent_pdl"] = RoleAssignmentFactory(role=Role.AGENT, region_code="PDL").user
    users["finance_hdf"] = RoleAssignmentFactory(role=Role.FINANCE, region_code="HDF").user
    users["manager_hdf"] = RoleAssignmentFactory(role=Role.SCHEME_MANAGER, region_code="HDF").user
    users["admin"] = UserFactory(is_staff=True, is_superuser=True, email="admin@exemple.fr")
    # Helpers outside the matrix: PDL finance (validates B's payment), an IDF agent (session).
    finance_pdl = RoleAssignmentFactory(role=Role.FINANCE, region_code="PDL").user
    agent_idf = RoleAssignmentFactory(role=Role.AGENT, region_code="IDF").user
    world.a = _side(
        "INAC", "INESS", "HDF", users["agent_hdf"], users["finance_hdf"], users["member_a"]
    )
    world.b = _side("PDL-IN", "IDF-CN2", "PDL", users["agent_pdl"], finance_pdl, users["member_b"])
    world.session = session_create(
        user=agent_idf,
        region=Region.objects.get(code="IDF"),
        number="CP-AUTHZ-1",
        date=timezone.localdate() + timedelta(days=10),
    )
    for user in users.values():
        user.__dict__.pop("_assignments_cache", None)
    return world


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory):
    root = tmp_path_factory.mktemp("security-media")
    storages = {
        **django_settings.STORAGES,
        "default": {
            **django_settings.STORAGES["default"],
            "OPTIONS": {"location": root / "private", "base_url": None},
        },
    }
    with override_settings(
        PRIVATE_MEDIA_ROOT=root / "private", QUARANTINE_ROOT=root / "quarantine", STORAGES=storages
    ):
        yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_media(_module_media):
    """Replaces the suite's per-test media folder: the module's world keeps its files."""
    return _module_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _module_media):
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)
