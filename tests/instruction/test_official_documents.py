"""Official documents of the instruction: the PDFs say the right things, are stored once, are
e-mailed once and are downloaded only by the organisation's members and the region's agents."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import DossierDocument
from instruction import documents
from instruction.documents import ensure_document, expense_start_date, render_document_pdf
from instruction.enums import RetentionStatus, Vote
from instruction.models import AgendaItem, CommissionSession, ExpenseRetention, Review
from instruction.tasks import generate_document
from tests.applications.factories import DossierFactory
from tests.factories import MembershipFactory, RoleAssignmentFactory, UserFactory, region
from tests.pdf import pdf_text

PARIS = ZoneInfo("Europe/Paris")
Kind = DossierDocument.Kind


def decided(dossier, *, amount, on, retained=None, motivation="", state="accepted", **review):
    """Put a dossier in its decided state directly (no services): amounts, review, retentions."""
    dossier.state = state
    dossier.filed_on = dossier.filed_on or date(on.year, 1, 10)
    dossier.acknowledged_on = date(on.year, 2, 1)
    dossier.awarded_amount = Decimal(amount) if amount is not None else None
    dossier.save()
    Review.objects.create(
        dossier=dossier,
        decided_at=datetime(on.year, on.month, on.day, 11, 0, tzinfo=PARIS),
        decision_motivation=motivation,
        **review,
    )
    for line, kept in zip(dossier.expenses.all(), retained or [], strict=False):
        amount_kept, reason = kept if isinstance(kept, tuple) else (kept, "")
        status = (
            RetentionStatus.FULL
            if Decimal(amount_kept) == line.amount
            else (RetentionStatus.PARTIAL if Decimal(amount_kept) else RetentionStatus.NONE)
        )
        ExpenseRetention.objects.create(
            line=line, status=status, amount=Decimal(amount_kept), reason=reason
        )
    return dossier


def award_text(dossier) -> str:
    return pdf_text(render_document_pdf(dossier, Kind.AWARD))


@pytest.fixture
def hdf_award(db):
    dossier = DossierFactory(scheme_code="INAC", complete=True, filed_on=date(2022, 5, 10))
    return decided(
        dossier,
        amount="3200.00",
        on=date(2022, 6, 15),
        retained=["6000", ("2000", "Abonnement au-delà de douze mois non retenu")],
        realisation_deadline=date(2023, 6, 15),
        proofs_deadline=date(2023, 12, 15),
    )


@pytest.fixture
def pdl_award(db):
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    return decided(
        dossier,
        amount="9000.00",
        on=date(2024, 3, 20),
        retained=["14000", ("4000", "Matériel surdimensionné")],
        realisation_deadline=date(2026, 3, 20),
        proofs_deadline=date(2026, 9, 20),
    )


@pytest.fixture
def idf_award(db):
    dossier = DossierFactory(scheme_code="IDF-CN2", complete=True, filed_on=date(2024, 1, 15))
    decided(dossier, amount="6000.00", on=date(2024, 5, 22), retained=["9600", "2400"])
    session = CommissionSession.objects.create(
        region=region("IDF"), number="CP 2024-05", date=date(2024, 5, 22)
    )
    AgendaItem.objects.create(
        session=session, dossier=dossier, vote=Vote.FOR, deliberation_number="CP2024-187"
    )
    return dossier


def test_hdf_award_states_amount_rate_base_expenses_deadlines_and_de_minimis(hdf_award):
    text = award_text(hdf_award)
    assert "Arrêté attributif de subvention" in text
    assert "3 200,00 €" in text
    assert "40 %" in text
    assert "8 000,00 € HT" in text  # retained base: 6 000 + 2 000
    assert "6 000,00 €" in text and "2 000,00 €" in text
    assert "Abonnement au-delà de douze mois non retenu" in text
    assert "15/06/2023" in text and "15/12/2023" in text
    assert "1407/2013" in text and "2023/2831" not in text
    assert "dix ans" in text
    assert "Une avance" not in text
    assert "Versement en une fois, sur présentation des factures acquittées." in text
    assert "Pour le Président et par délégation" in text
    assert f"ARR-{hdf_award.number}" in text


def test_de_minimis_regulation_follows_the_decision_date(pdl_award):
    text = award_text(pdl_award)  # decided on 20/03/2024
    assert "2023/2831" in text and "1407/2013" not in text


def test_pdl_award_states_advance_above_4000(pdl_award):
    text = award_text(pdl_award)
    assert "Arrêté d'attribution de subvention" in text
    assert "9 000,00 €" in text
    assert "50 %" in text
    assert "18 000,00 € HT" in text
    assert "Matériel surdimensionné" in text
    assert "20/03/2026" in text and "20/09/2026" in text
    assert "Une avance de 30 % de la subvention, soit 2 700,00 €" in text


def test_pdl_award_of_4000_or_less_is_paid_at_once(pdl_award):
    pdl_award.awarded_amount = Decimal("4000.00")
    pdl_award.save()
    text = award_text(pdl_award)
    assert "Une avance" not in text
    assert "en une seule fois" in text


def test_deadlines_not_recorded_are_filled_from_the_scheme_texts(pdl_award):
    """PDL FAQ: realisation up to two years after the award, then six months for the proofs."""
    Review.objects.filter(dossier=pdl_award).update(realisation_deadline=None, proofs_deadline=None)
    text = award_text(pdl_award)
    assert "non fixé" not in text
    assert "Fin du délai de réalisation 20/03/2026" in text
    assert "Justificatifs à transmettre avant le 20/09/2026" in text


def test_a_scheme_whose_texts_set_no_deadline_says_so(hdf_award):
    Review.objects.filter(dossier=hdf_award).update(realisation_deadline=None, proofs_deadline=None)
    text = award_text(hdf_award)
    assert "non fixé" not in text
    assert "Fin du délai de réalisation aucun délai fixé par les textes du dispositif" in text


# Marked: its database fixtures are requested by name, which pytest-django cannot see when it
# orders the tests (unmarked, it would run after the transactional tests, which empty the tables).
@pytest.mark.django_db
@pytest.mark.parametrize(
    "fixture, delegation",
    [
        ("hdf_award", "Pour le Président et par délégation"),
        ("pdl_award", "Pour la Présidente et par délégation"),
        ("idf_award", "Pour la Présidente et par délégation"),
    ],
)
def test_the_award_names_its_signatory_from_the_regions_settings(request, fixture, delegation):
    dossier = request.getfixturevalue(fixture)
    region_row = dossier.scheme.region
    region_row.signatory_name = "Camille Durand"
    region_row.signatory_title = "Directrice de l'économie numérique"
    region_row.save()
    dossier.refresh_from_db()
    text = award_text(dossier)
    assert f"{delegation}, Directrice de l'économie numérique Camille Durand" in text
    assert "Le service instructeur du dispositif" not in text


def test_demo_seed_gives_each_region_a_signatory(db):
    from territories.data import seed_demo_signatories
    from territories.models import Region as RegionModel

    assert seed_demo_signatories() == 3
    assert not RegionModel.objects.filter(
        code__in=["HDF", "PDL", "IDF"], signatory_name=""
    ).exists()
    assert seed_demo_signatories() == 0  # a name set by the administrator is kept


def test_acts_and_receipt_of_demo_rules_are_flagged_and_others_are_not(hdf_award, pdl_award):
    from applications.receipt import render_receipt_pdf
    from portal.management.commands.seed_demo import Command as SeedDemo
    from schemes.models import RuleVersion

    SeedDemo().extend_expired_schemes()
    demo = RuleVersion.objects.get(scheme__code="INAC", is_demo=True)
    hdf_award.rule_version = demo
    hdf_award.save(update_fields=["rule_version"])
    flag = "Version de démonstration : ce calcul et ce document n'ont pas de valeur juridique"
    assert flag in award_text(hdf_award)
    assert flag in pdf_text(render_document_pdf(hdf_award, Kind.ACKNOWLEDGMENT))
    hdf_award.submitted_at = timezone.now()
    assert flag in pdf_text(render_receipt_pdf(hdf_award))
    assert "démonstration" not in award_text(pdl_award)


def test_idf_award_states_the_commission_vote_and_the_scale(idf_award):
    text = award_text(idf_award)
    assert "6 000,00 €" in text
    assert "chèque forfaitaire selon le barème" in text
    assert "12 000,00 € TTC" in text
    assert "CP 2024-05" in text and "22/05/2024" in text and "CP2024-187" in text
    assert "minimis" not in text


def test_idf_award_without_favourable_vote_is_not_generated(idf_award):
    AgendaItem.objects.filter(dossier=idf_award).update(vote=Vote.PENDING)
    with pytest.raises(documents.DocumentNotApplicable):
        ensure_document(idf_award, Kind.AWARD)
    assert not DossierDocument.objects.filter(dossier=idf_award).exists()


@pytest.mark.parametrize(
    ("fixture", "start"),
    [("hdf_award", "10/05/2022"), ("pdl_award", "01/02/2024"), ("idf_award", "12/03/2020")],
)
@pytest.mark.django_db
def test_acknowledgment_states_the_expense_start_date(request, fixture, start):
    dossier = request.getfixturevalue(fixture)
    assert f"{expense_start_date(dossier):%d/%m/%Y}" == start
    text = pdf_text(render_document_pdf(dossier, Kind.ACKNOWLEDGMENT))
    assert "complète et recevable" in text
    assert f"Date de début de prise en compte des dépenses : {start}" in text
    assert "n'engage pas la Région à accorder l'aide" in text
    assert f"AR-{dossier.number}" in text


@pytest.mark.parametrize(
    ("scheme_code", "tribunal"),
    [("INAC", "Lille"), ("PDL-IN", "Nantes"), ("IDF-CN2", "Paris")],
)
def test_rejection_letter_states_motivation_and_appeal_routes(db, scheme_code, tribunal):
    motivation = (
        "Le projet ne relève pas des dépenses éligibles : site vitrine sans vente en ligne."
    )
    dossier = decided(
        DossierFactory(scheme_code=scheme_code, complete=True),
        amount=None,
        on=date(2024, 4, 2),
        motivation=motivation,
        state="rejected",
    )
    document = ensure_document(dossier, Kind.REJECTION)
    text = pdf_text(document.file.read())
    assert document.reference == f"REF-{dossier.number}"
    assert motivation in text
    assert "recours gracieux" in text and "deux mois" in text
    assert f"tribunal administratif de {tribunal}" in text
    assert "Télérecours" in text


def test_ensure_document_twice_keeps_one_file(hdf_award):
    first = ensure_document(hdf_award, Kind.AWARD)
    second = ensure_document(hdf_award, Kind.AWARD)
    assert second.pk == first.pk and second.file.name == first.file.name
    assert DossierDocument.objects.filter(dossier=hdf_award, kind=Kind.AWARD).count() == 1
    assert first.reference == f"ARR-{hdf_award.number}"


def test_document_after_a_superseded_one_gets_suffix(pdl_award):
    first = ensure_document(pdl_award, Kind.AWARD)
    DossierDocument.objects.filter(pk=first.pk).update(superseded_at=timezone.now())
    second = ensure_document(pdl_award, Kind.AWARD)
    assert second.pk != first.pk
    assert second.reference == f"ARR-{pdl_award.number}-2"


def test_task_emails_members_once_even_if_run_twice(pdl_award, django_capture_on_commit_callbacks):
    MembershipFactory(organisation=pdl_award.organisation, user__email="associe@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        generate_document.delay(pdl_award.pk, Kind.AWARD)
        generate_document.delay(pdl_award.pk, Kind.AWARD)
    # One award, and its de minimis attestation (PDL-IN) stored once too (issue 17 point 4).
    kinds = sorted(DossierDocument.objects.filter(dossier=pdl_award).values_list("kind", flat=True))
    assert kinds == [Kind.AWARD, Kind.DE_MINIMIS]
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject == (
        f"[Aides numériques] Décision d'attribution — dossier {pdl_award.number}"
    )
    assert reverse("applications:detail", args=[pdl_award.pk]) in message.body
    assert message.attachments[0][2] == "application/pdf"
    assert {m.to[0] for m in mail.outbox} == {
        m.user.email for m in pdl_award.organisation.memberships.all()
    }


@pytest.fixture
def stored(pdl_award):
    return ensure_document(pdl_award, Kind.AWARD)


def member_url(document):
    return reverse("applications:official_document", args=[document.dossier_id, document.pk])


def agent_url(document):
    return reverse("instruction:document", args=[document.dossier_id, document.pk])


def test_member_downloads_the_stored_pdf(client, stored):
    client.force_login(stored.dossier.organisation.memberships.first().user)
    response = client.get(member_url(stored))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_non_member_gets_404(client, stored):
    client.force_login(UserFactory())
    assert client.get(member_url(stored)).status_code == 404


def test_member_gets_404_for_a_document_of_another_dossier(client, stored, hdf_award):
    other = ensure_document(hdf_award, Kind.AWARD)
    client.force_login(stored.dossier.organisation.memberships.first().user)
    url = reverse("applications:official_document", args=[stored.dossier_id, other.pk])
    assert client.get(url).status_code == 404


def test_agent_of_the_region_downloads(client, stored):
    client.force_login(RoleAssignmentFactory(role="agent", region_code="PDL").user)
    response = client.get(agent_url(stored))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_agent_of_another_region_gets_404(client, stored):
    client.force_login(RoleAssignmentFactory(role="agent", region_code="HDF").user)
    assert client.get(agent_url(stored)).status_code == 404
