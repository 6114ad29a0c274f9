"""Separation of duties: the conflict-of-interest rule (organisations.conflicts), as a matrix.

Each money action (and instruction) × each conflict kind: the conflicted person is refused by the
service with a French message, and someone with the same role and no part in the dossier is
allowed. The pages show the refusal as a message, never a server error.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from instruction import services as instruction_services
from instruction.models import Review
from organisations.conflicts import CONFLICTS, Action, Parties, Relation, conflict_of_interest
from organisations.models import Membership
from payments import batches, services
from payments.enums import PaymentKind, RequestState
from payments.models import Payment, PaymentBatch, PaymentRequest, ProviderChange, RecoveryOrder
from territories.models import Region
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.payments.conftest import member_of

pytestmark = pytest.mark.django_db

PHRASES = {
    Relation.MEMBER: "membre de l'organisation bénéficiaire",
    Relation.INSTRUCTING_AGENT: "vous avez instruit ce dossier",
    Relation.CERTIFIER: "vous avez certifié le service fait",
    Relation.REQUESTER: "vous avez vous-même fait la demande",
}
ROLE_OF = {
    Action.INSTRUCT: "agent",
    Action.AWARD: "agent",
    Action.CERTIFY: "agent",
    Action.VALIDATE: "finance",
    Action.BATCH: "finance",
    Action.RECOVERY: "finance",
}
MATRIX = [(action, relation) for action in Action for relation in sorted(CONFLICTS[action])]


def staff(action):
    return RoleAssignmentFactory(role=ROLE_OF[action], region_code="PDL").user


def certified(dossier, *, certifier, requester=None, amount="4000.00"):
    return PaymentRequest.objects.create(
        dossier=dossier,
        kind=PaymentKind.SINGLE,
        state=RequestState.CERTIFIED,
        requested_by=requester or member_of(dossier),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        amount=Decimal(amount),
        to_recover=Decimal("0"),
        certified_by=certifier,
        certified_at=timezone.now(),
    )


class Scenario:
    """One dossier at the step where `action` happens, and the call that performs it."""

    def __init__(self, action, submitted, awarded, agent_of):
        self.action = action
        self.request = None
        if action == Action.INSTRUCT:
            self.dossier = submitted("PDL-IN")
        elif action == Action.AWARD:
            dossier = submitted("PDL-IN")
            proposer = agent_of("PDL")
            instruction_services.dossier_take(user=proposer, dossier=dossier)
            instruction_services.dossier_declare_admissible(user=proposer, dossier=dossier)
            instruction_services.dossier_propose(
                user=proposer, dossier=dossier, favourable=True, comment="Solide.", award=Decimal(1)
            )
            self.dossier = dossier
        else:
            self.dossier = awarded("PDL-IN")
            if action == Action.CERTIFY:
                self.request = PaymentRequest.objects.create(
                    dossier=self.dossier,
                    kind=PaymentKind.SINGLE,
                    requested_by=member_of(self.dossier),
                    iban=self.dossier.iban,
                    bic=self.dossier.bic,
                    account_holder="Titulaire",
                )
            else:
                self.request = certified(self.dossier, certifier=agent_of("PDL"))
            if action == Action.BATCH:
                officer = RoleAssignmentFactory(role="finance", region_code="PDL").user
                self.payment = services.payment_validate(user=officer, request=self.request)
            if action == Action.RECOVERY:
                self.order = RecoveryOrder.objects.create(
                    dossier=self.dossier, request=self.request, amount=Decimal("500.00")
                )

    def give(self, user, relation):
        """Make `user` a party to the dossier in exactly one way."""
        if relation == Relation.MEMBER:
            Membership.objects.create(user=user, organisation=self.dossier.organisation)
        elif relation == Relation.INSTRUCTING_AGENT:
            Review.objects.update_or_create(dossier=self.dossier, defaults={"agent": user})
        elif relation == Relation.CERTIFIER:
            PaymentRequest.objects.filter(pk=self.request.pk).update(certified_by=user)
        elif self.request is not None:  # the requester of the payment
            PaymentRequest.objects.filter(pk=self.request.pk).update(requested_by=user)
        else:  # the person who filed the dossier asks for the award
            type(self.dossier).objects.filter(pk=self.dossier.pk).update(submitted_by=user)

    def perform(self, user):
        dossier = type(self.dossier).objects.get(pk=self.dossier.pk)
        if self.action == Action.INSTRUCT:
            return instruction_services.dossier_take(user=user, dossier=dossier)
        if self.action == Action.AWARD:
            return instruction_services.dossier_accept(user=user, dossier=dossier)
        request = PaymentRequest.objects.get(pk=self.request.pk)
        if self.action == Action.CERTIFY:
            return services.request_certify(user=user, request=request)
        if self.action == Action.VALIDATE:
            return services.payment_validate(user=user, request=request)
        if self.action == Action.BATCH:
            region = Region.objects.get(code="PDL")
            return batches.batch_create(user=user, region=region, payments=[self.payment.pk])
        return services.recovery_received(
            user=user, order=RecoveryOrder.objects.get(pk=self.order.pk), on=timezone.localdate()
        )

    def done(self) -> bool:
        dossier = type(self.dossier).objects.get(pk=self.dossier.pk)
        if self.action == Action.INSTRUCT:
            return dossier.state == S.IN_INSTRUCTION
        if self.action == Action.AWARD:
            return dossier.state == S.ACCEPTED
        if self.action == Action.CERTIFY:
            return PaymentRequest.objects.get(pk=self.request.pk).state == RequestState.CERTIFIED
        if self.action == Action.VALIDATE:
            return Payment.objects.filter(request=self.request).exists()
        if self.action == Action.BATCH:
            return Payment.objects.get(pk=self.payment.pk).batch_id is not None
        return RecoveryOrder.objects.get(pk=self.order.pk).received_on is not None


@pytest.mark.parametrize(("action", "relation"), MATRIX, ids=[f"{a}-{r}" for a, r in MATRIX])
def test_conflicted_person_is_refused_and_a_colleague_is_allowed(
    action, relation, submitted, awarded, agent_of
):
    scenario = Scenario(action, submitted, awarded, agent_of)
    conflicted = staff(action)
    scenario.give(conflicted, relation)
    with pytest.raises(PermissionDenied) as refusal:
        scenario.perform(conflicted)
    message = str(refusal.value)
    assert "Conflit d'intérêts : " in message
    assert PHRASES[relation] in message
    assert "de la Région doit s'en charger" in message
    assert not scenario.done()
    scenario.perform(staff(action))
    assert scenario.done()


def test_the_matrix_covers_every_relation_for_the_finance_side():
    """Finance never acts on a dossier it has any part in; instructors may certify and award
    what they instructed (their own duty), never their own organisation's or their own request."""
    for action in (Action.VALIDATE, Action.BATCH, Action.RECOVERY):
        assert CONFLICTS[action] == set(Relation)
    for action in (Action.INSTRUCT, Action.AWARD, Action.CERTIFY):
        assert CONFLICTS[action] == {Relation.MEMBER, Relation.REQUESTER}
    agent = UserFactory()
    own_work = Parties(organisation_id=None, instructing_agent_id=agent.pk, certifier_id=agent.pk)
    for action in (Action.INSTRUCT, Action.AWARD, Action.CERTIFY):
        assert conflict_of_interest(agent, action, own_work) == (True, "")


def test_an_agent_member_of_the_organisation_cannot_review_or_propose(submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    instruction_services.dossier_take(user=agent, dossier=dossier)
    Membership.objects.create(user=agent, organisation=dossier.organisation)
    with pytest.raises(PermissionDenied, match="vous ne pouvez pas instruire ce dossier"):
        instruction_services.dossier_propose(
            user=agent, dossier=dossier, favourable=True, comment="Bien.", award=Decimal(1)
        )
    colleague = agent_of("PDL")
    with pytest.raises(PermissionDenied, match="membre de l'organisation"):
        instruction_services.dossier_assign(user=colleague, dossier=dossier, agent=agent)


# --- The pages: a message, never a 500 ---------------------------------------------------------


def test_finance_member_sees_the_conflict_on_the_queue_and_confirmation_and_cannot_post(
    awarded, agent_of, client
):
    dossier = awarded("PDL-IN")
    request = certified(dossier, certifier=agent_of("PDL"), amount="5000.00")
    officer = staff(Action.VALIDATE)
    Membership.objects.create(user=officer, organisation=dossier.organisation)
    client.force_login(officer)
    queue = client.get(reverse("payments:finance_queue")).content.decode()
    assert "Conflit d&#x27;intérêts : vous êtes membre de l&#x27;organisation" in queue
    assert reverse("payments:finance_validate", args=[request.pk]) not in queue
    url = reverse("payments:finance_validate", args=[request.pk])
    page = client.get(url).content.decode()
    assert "vous ne pouvez pas valider ce paiement" in page
    assert "Confirmer la validation" not in page
    response = client.post(url, {"confirm": "yes", "version": "0"}, follow=True)
    assert response.status_code == 200
    assert "vous ne pouvez pas valider ce paiement" in response.content.decode()
    assert not Payment.objects.exists()


def test_batch_and_recovery_pages_refuse_a_conflicted_officer_with_a_message(
    awarded, agent_of, client
):
    dossier = awarded("PDL-IN")
    request = certified(dossier, certifier=agent_of("PDL"))
    payment = services.payment_validate(user=staff(Action.VALIDATE), request=request)
    order = RecoveryOrder.objects.create(dossier=dossier, request=request, amount=Decimal("10"))
    officer = staff(Action.BATCH)
    Review.objects.filter(dossier=dossier).update(agent=officer)
    client.force_login(officer)
    response = client.post(
        reverse("payments:batch_create"), {"payments": [payment.pk]}, follow=True
    )
    assert response.status_code == 200
    assert f"Dossier {dossier.number} : Conflit d&#x27;intérêts" in response.content.decode()
    assert not PaymentBatch.objects.exists()
    response = client.post(
        reverse("payments:recovery_received", args=[order.pk]),
        {"on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert "vous ne pouvez pas enregistrer ce reversement" in response.content.decode()
    order.refresh_from_db()
    assert order.received_on is None


def test_agent_member_taking_the_dossier_gets_a_message(submitted, agent_of, client):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    Membership.objects.create(user=agent, organisation=dossier.organisation)
    client.force_login(agent)
    response = client.post(reverse("instruction:action", args=[dossier.pk, "take"]), follow=True)
    assert response.status_code == 200
    assert "vous ne pouvez pas instruire ce dossier" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED


def test_the_commission_vote_of_a_member_agent_is_refused_and_a_colleague_records_it(
    submitted, agent_of
):
    from instruction.commission import dossier_schedule, session_create, vote_record

    instructor = agent_of("IDF")
    dossier = submitted("IDF-CN2")
    instruction_services.dossier_take(user=instructor, dossier=dossier)
    instruction_services.dossier_declare_admissible(user=instructor, dossier=dossier)
    instruction_services.dossier_propose(
        user=instructor, dossier=dossier, favourable=True, comment="Bien.", award=Decimal(5000)
    )
    today = timezone.localdate()
    session = session_create(
        user=instructor, region=Region.objects.get(code="IDF"), number="CP-9", date=today
    )
    item = dossier_schedule(user=instructor, dossier=dossier, session=session)
    member_agent = agent_of("IDF")
    Membership.objects.create(user=member_agent, organisation=dossier.organisation)
    with pytest.raises(PermissionDenied, match="Conflit d'intérêts : vous êtes membre"):
        vote_record(user=member_agent, item=item, vote="for", today=today)
    dossier.refresh_from_db()
    assert dossier.state == S.ON_AGENDA and dossier.awarded_amount is None
    dossier = vote_record(user=agent_of("IDF"), item=item, vote="for", today=today)
    assert dossier.state == S.ACCEPTED


def test_batch_list_offers_no_checkbox_for_a_payment_the_officer_has_a_part_in(
    awarded, agent_of, client
):
    dossier = awarded("PDL-IN")
    payment = services.payment_validate(
        user=staff(Action.VALIDATE), request=certified(dossier, certifier=agent_of("PDL"))
    )
    officer = staff(Action.BATCH)
    Membership.objects.create(user=officer, organisation=dossier.organisation)
    client.force_login(officer)
    page = client.get(reverse("payments:batches")).content.decode()
    assert dossier.number in page
    assert f'value="{payment.pk}"' not in page
    assert "vous ne pouvez pas mettre ce paiement en lot" in page
    client.force_login(staff(Action.BATCH))
    assert f'value="{payment.pk}"' in client.get(reverse("payments:batches")).content.decode()


def test_batch_freeze_page_names_the_conflict_and_offers_no_confirmation(awarded, agent_of, client):
    dossier = awarded("PDL-IN")
    payment = services.payment_validate(
        user=staff(Action.VALIDATE), request=certified(dossier, certifier=agent_of("PDL"))
    )
    creator = staff(Action.BATCH)
    batch = batches.batch_create(
        user=creator, region=Region.objects.get(code="PDL"), payments=[payment.pk]
    )
    officer = staff(Action.BATCH)
    Review.objects.filter(dossier=dossier).update(agent=officer)
    client.force_login(officer)
    url = reverse("payments:batch_export", args=[batch.pk])
    page = client.get(url).content.decode()
    assert f"Dossier {dossier.number} : Conflit d&#x27;intérêts : vous avez instruit" in page
    assert "Confirmer l'export" not in page
    fingerprint = batches.batch_fingerprint(batch)
    response = client.post(url, {"confirm": "yes", "fingerprint": fingerprint}, follow=True)
    assert "vous ne pouvez pas mettre ce paiement en lot" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == "open"
    client.force_login(creator)
    assert "Confirmer l'export" in client.get(url).content.decode()


def test_a_conflicted_officer_cannot_mark_an_exported_batch_paid(awarded, agent_of):
    dossier = awarded("PDL-IN")
    payment = services.payment_validate(
        user=staff(Action.VALIDATE), request=certified(dossier, certifier=agent_of("PDL"))
    )
    creator = staff(Action.BATCH)
    batch = batches.batch_create(
        user=creator, region=Region.objects.get(code="PDL"), payments=[payment.pk]
    )
    batch = batches.batch_export(user=creator, batch=batch)
    officer = staff(Action.BATCH)
    Membership.objects.create(user=officer, organisation=dossier.organisation)
    with pytest.raises(PermissionDenied, match="membre de l'organisation bénéficiaire"):
        batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate())
    batch.refresh_from_db()
    payment.refresh_from_db()
    assert batch.state == "exported" and payment.request.state == RequestState.VALIDATED
    batches.batch_mark_paid(user=creator, batch=batch, paid_on=timezone.localdate())
    batch.refresh_from_db()
    assert batch.state == "paid"


def test_an_agent_member_of_the_organisation_cannot_decide_its_provider_change(awarded, agent_of):
    dossier = awarded("PDL-IN")
    change = ProviderChange(
        dossier=dossier,
        expense_line=dossier.expenses.order_by("position").first(),
        new_supplier="Nouvel Éditeur SAS",
        new_amount=Decimal("1000.00"),
        reason="Le premier éditeur a cessé son activité.",
        declared_by=member_of(dossier),
    )
    change.quote.save("devis.pdf", ContentFile(b"%PDF-1.4"), save=False)
    change.save()
    agent = agent_of("PDL")
    Membership.objects.create(user=agent, organisation=dossier.organisation)
    with pytest.raises(PermissionDenied, match="membre de l'organisation bénéficiaire"):
        services.provider_change_decide(user=agent, change=change, accept=True, comment="")
    change.refresh_from_db()
    assert change.state == "pending"
    services.provider_change_decide(user=agent_of("PDL"), change=change, accept=True, comment="")
    change.refresh_from_db()
    assert change.state == "accepted"
