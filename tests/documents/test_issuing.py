"""One document path (issue 17 point 4): every official document is rendered, hashed and stored
once through the `documents` foundation, by kind and version, through Django's storage API."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from applications.models import DossierDocument
from applications.receipt import ensure_receipt
from documents import issuing, pdf
from instruction.documents import ensure_document
from payments.documents import ensure_recovery_document, ensure_statement
from reporting.deminimis import ensure_attestation
from tests.documents.conftest import recovery_order
from tests.pdf import pdf_text

Kind = DossierDocument.Kind

# Their dossiers come through request.getfixturevalue: marked here so that pytest-django runs
# them with the database tests, before the transactional ones flush the reference data.
pytestmark = pytest.mark.django_db


# What each kind is issued from, and a sentence its PDF must show.
ISSUERS = {
    Kind.RECEIPT: (lambda d: ensure_receipt(d), "award", "Récépissé de dépôt"),
    Kind.ACKNOWLEDGMENT: (
        lambda d: ensure_document(d, Kind.ACKNOWLEDGMENT),
        "award",
        "Accusé de réception",
    ),
    Kind.AWARD: (lambda d: ensure_document(d, Kind.AWARD), "award", "Arrêté attributif"),
    Kind.REJECTION: (
        lambda d: ensure_document(d, Kind.REJECTION),
        "rejection",
        "ne sont pas éligibles",
    ),
    Kind.RECOVERY: (
        lambda d: ensure_recovery_document(recovery_order(d)),  # one order per dossier
        "award",
        "Titre de recette",
    ),
    Kind.STATEMENT: (lambda d: ensure_statement(d), "award", "État récapitulatif des dépenses"),
    Kind.DE_MINIMIS: (lambda d: ensure_attestation(d), "award", "Attestation d'aide de minimis"),
}


@pytest.fixture
def in_memory_storage(settings):
    """Private files in memory: nothing may open a stored document by a local path."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


@pytest.mark.parametrize("kind", list(ISSUERS))
def test_each_kind_renders_is_stored_once_with_the_hash_of_its_bytes(
    kind, request, in_memory_storage, monkeypatch
):
    issue, fixture, sentence = ISSUERS[kind]
    dossier = request.getfixturevalue(fixture)

    first = issue(dossier)
    assert first.kind == kind and first.version == 1
    with in_memory_storage.open(first.file.name, "rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"%PDF")
    assert first.sha256 == hashlib.sha256(stored).hexdigest()
    assert sentence in " ".join(pdf_text(stored).split())

    def must_not_render(*args, **kwargs):
        raise AssertionError("an official document must not be rendered twice")

    monkeypatch.setattr(pdf, "HTML", must_not_render)  # the one WeasyPrint call
    second = issue(dossier)
    assert second.pk == first.pk and second.file.name == first.file.name
    assert DossierDocument.objects.filter(dossier=dossier, kind=kind).count() == 1
    assert issuing.stored_bytes(second) == stored


def test_the_renderer_is_the_single_weasyprint_call(award, monkeypatch):
    """Every kind goes through documents.pdf.render_pdf, the one place that calls WeasyPrint."""
    calls = []
    real = pdf.render_to_string

    def spy(template, context):
        calls.append(template)
        return real(template, context)

    monkeypatch.setattr(pdf, "render_to_string", spy)
    for kind in (Kind.RECEIPT, Kind.AWARD, Kind.STATEMENT, Kind.DE_MINIMIS):
        ISSUERS[kind][0](award)
    assert calls == [
        "applications/pdf/receipt.html",
        # The region's own wording first, else the common one (a region added as data only).
        ["instruction/pdf/HDF/award.html", "instruction/pdf/award_base.html"],
        "payments/pdf/statement.html",
        "reporting/pdf/attestation.html",
    ]


def test_a_superseded_document_is_followed_by_version_two(award):
    first = ensure_document(award, Kind.AWARD)
    DossierDocument.objects.filter(pk=first.pk).update(superseded_at=timezone.now())
    second = ensure_document(award, Kind.AWARD)
    assert (first.version, second.version) == (1, 2)
    assert second.reference == f"{first.reference}-2"
    assert second.sha256 == hashlib.sha256(issuing.stored_bytes(second)).hexdigest()
    assert issuing.current_document(DossierDocument, kind=Kind.AWARD, dossier=award) == second


def test_a_failed_render_stores_nothing(award, in_memory_storage):
    def broken(reference):
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        issuing.issue_once(
            model=DossierDocument,
            owner={"dossier": award},
            kind=Kind.AWARD,
            reference_base="ARR-X",
            render=broken,
            filename=lambda reference: f"{reference}.pdf",
        )
    assert not DossierDocument.objects.filter(dossier=award).exists()
    assert in_memory_storage.listdir("")[1] == []


def test_an_accepted_change_of_provider_issues_a_new_statement(award):
    from payments.enums import ChangeState
    from payments.models import ProviderChange

    first = ensure_statement(award)
    line = award.expenses.first()
    change = ProviderChange.objects.create(
        dossier=award,
        expense_line=line,
        new_supplier="Nouvel Éditeur SAS",
        new_amount=line.amount,
        reason="Le premier éditeur a cessé son activité.",
        state=ChangeState.PENDING,
    )
    assert ensure_statement(award).pk == first.pk  # a pending change changes nothing
    ProviderChange.objects.filter(pk=change.pk).update(
        state=ChangeState.ACCEPTED, decided_at=timezone.now()
    )
    second = ensure_statement(award)
    assert second.version == 2 and second.reference == f"{first.reference}-2"
    assert "Nouvel Éditeur SAS" in " ".join(pdf_text(issuing.stored_bytes(second)).split())
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert ensure_statement(award).pk == second.pk  # and then stored once again
