"""Each instruction transition with allowed and forbidden roles, region isolation, concurrency."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import DossierTransitionLog
from applications.workflow import TransitionError
from audit.models import AuditEvent
from instruction import review, services
from instruction.commission import dossier_schedule, session_create, vote_record
from instruction.deadlines import flag_overdue_and_remind
from instruction.models import CommissionSession, CriterionCheck, Reminder, Review
from territories.models import Region
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(dossier):
    return dossier.organisation.memberships.first().user


def advance_to_admissible(dossier, agent):
    services.dossier_take(user=agent, dossier=dossier)
    return services.dossier_declare_admissible(user=agent, dossier=dossier)


def test_full_path_to_award_writes_one_log_and_audit_row_per_transition(
    frozen_today, submitted, agent_of, django_capture_on_commit_callbacks
):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_take(user=agent, dossier=dossier)
        services.complements_request(
            user=agent,
            dossier=dossier,
            items="Devis signé\nKbis",
            due_on=timezone.localdate() + timedelta(days=15),
        )
        services.complements_answer(
            user=member(dossier), dossier=dossier, answer="Voici les pièces."
        )
        services.dossier_declare_admissible(user=agent, dossier=dossier)
        estimate = review.review_estimate(dossier)
        services.dossier_propose(
            user=agent,
            dossier=dossier,
            favourable=True,
            comment="Projet solide.",
            award=Decimal(estimate["award"]),
        )
        dossier = services.dossier_accept(user=agent, dossier=dossier)
    assert dossier.state == S.ACCEPTED
    assert dossier.awarded_amount == Decimal(estimate["award"]) == Decimal("10000.00")
    assert dossier.acknowledged_on == timezone.localdate()
    names = list(
        DossierTransitionLog.objects.filter(dossier=dossier).values_list("transition", flat=True)
    )
    assert names == [
        "submit",
        "take",
        "request_complements",
        "answer_complements",
        "declare_admissible",
        "propose",
        "accept",
    ]
    actions = set(AuditEvent.objects.for_object(dossier).values_list("action", flat=True))
    assert {f"dossier_{n}" for n in names} <= actions
    review_row = Review.objects.get(dossier=dossier)
    # Two years from the decision, taken today (a frozen day: "the same day two years later"
    # does not exist for every day of the calendar).
    assert review_row.realisation_deadline == date(2028, 6, 15)
    assert review_row.proofs_deadline is not None
    kinds = set(dossier.documents.values_list("kind", flat=True))
    assert {"acknowledgment", "award"} <= kinds
    assert any("Compléments demandés" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(
    "role, region", [("agent", "HDF"), ("finance", "PDL"), ("scheme_manager", "PDL"), (None, None)]
)
def test_only_an_agent_of_the_region_can_take(submitted, role, region):
    dossier = submitted("PDL-IN")
    user = RoleAssignmentFactory(role=role, region_code=region).user if role else member(dossier)
    with pytest.raises(PermissionDenied):
        services.dossier_take(user=user, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED


def test_an_agent_scoped_to_other_schemes_cannot_instruct(submitted):
    dossier = submitted("INAC")
    agent = RoleAssignmentFactory(role="agent", region_code="HDF", scheme_codes=["INESS"]).user
    with pytest.raises(PermissionDenied):
        services.dossier_take(user=agent, dossier=dossier)


def test_an_administrator_can_instruct_everywhere(submitted):
    dossier = submitted("IDF-CN2")
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert services.dossier_take(user=admin, dossier=dossier).state == S.IN_INSTRUCTION


def test_only_members_answer_complements(submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    services.complements_request(
        user=agent, dossier=dossier, items="RIB", due_on=timezone.localdate() + timedelta(days=7)
    )
    with pytest.raises(PermissionDenied):
        services.complements_answer(user=agent, dossier=dossier, answer="...")


@pytest.mark.parametrize("transition", ["accept", "reject"])
def test_decisions_need_the_right_state(submitted, agent_of, transition):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    with pytest.raises(TransitionError) as exc:
        if transition == "accept":
            services.dossier_accept(user=agent, dossier=dossier)
        else:
            services.dossier_reject(user=agent, dossier=dossier, motivation="Hors cadre.")
    assert "Action impossible" in exc.value.message or "proposition" in exc.value.message


def test_a_rejection_needs_a_motivation(submitted, agent_of):
    dossier = submitted("INAC")
    agent = agent_of("HDF")
    services.dossier_take(user=agent, dossier=dossier)
    with pytest.raises(ValidationError):
        services.dossier_reject(user=agent, dossier=dossier, motivation=" ")
    dossier = services.dossier_reject(
        user=agent, dossier=dossier, motivation="Activité exclue (code NAF)."
    )
    assert dossier.state == S.REJECTED
    assert Review.objects.get(dossier=dossier).decision_motivation == "Activité exclue (code NAF)."


def test_reopening_is_explicit_and_supersedes_the_acts(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    dossier = submitted("INAC")
    agent = agent_of("HDF")
    services.dossier_take(user=agent, dossier=dossier)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_reject(user=agent, dossier=dossier, motivation="Pièces manquantes.")
    with pytest.raises(ValidationError):
        services.dossier_reopen(user=agent, dossier=dossier, reason="")
    dossier = services.dossier_reopen(
        user=agent, dossier=dossier, reason="Pièces reçues par courrier."
    )
    assert dossier.state == S.IN_INSTRUCTION
    assert dossier.documents.get(kind="rejection").superseded_at is not None
    assert DossierTransitionLog.objects.filter(
        dossier=dossier, transition="reopen", comment="Pièces reçues par courrier."
    ).exists()


def test_idf_awards_go_through_the_commission_permanente(submitted, agent_of):
    dossier = submitted("IDF-CN2")
    agent = agent_of("IDF")
    advance_to_admissible(dossier, agent)
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Favorable.", award=Decimal("5000")
    )
    with pytest.raises(TransitionError):
        services.dossier_accept(user=agent, dossier=dossier)
    session = session_create(
        user=agent,
        region=Region.objects.get(code="IDF"),
        number="CP2026-12",
        date=timezone.localdate() + timedelta(days=10),
    )
    item = dossier_schedule(user=agent, dossier=dossier, session=session)
    dossier.refresh_from_db()
    assert dossier.state == S.ON_AGENDA and dossier.awarded_amount is None
    dossier = vote_record(
        user=agent,
        item=item,
        vote="for",
        deliberation_number="CP2026-12-045",
        today=session.date,
    )
    assert dossier.state == S.ACCEPTED and dossier.awarded_amount == Decimal("5000")
    with pytest.raises(TransitionError):
        vote_record(user=agent, item=item, vote="for", today=session.date)


def test_an_agent_of_another_region_gets_404_on_the_review_page_and_files(
    client, submitted, agent_of
):
    dossier = submitted("PDL-IN")
    client.force_login(agent_of("HDF"))
    attachment = dossier.attachments.first()
    assert client.get(reverse("instruction:dossier", args=[dossier.pk])).status_code == 404
    assert (
        client.get(reverse("instruction:attachment", args=[dossier.pk, attachment.pk])).status_code
        == 404
    )
    assert client.post(reverse("instruction:action", args=[dossier.pk, "take"])).status_code == 404
    receipt = dossier.documents.first()
    if receipt:
        assert (
            client.get(reverse("instruction:document", args=[dossier.pk, receipt.pk])).status_code
            == 404
        )


def test_applicants_cannot_reach_the_review_page(client, submitted):
    dossier = submitted("PDL-IN")
    client.force_login(member(dossier))
    assert client.get(reverse("instruction:dossier", args=[dossier.pk])).status_code == 403


def test_review_page_shows_checks_expenses_and_live_award(client, submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    client.force_login(agent)
    client.post(reverse("instruction:action", args=[dossier.pk, "take"]))
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    assert "Critères d'éligibilité" in page and "Aide recalculée" in page
    assert "10\xa0000,00\xa0€" in page
    line = dossier.expenses.get(category="connected_equipment")
    dossier.refresh_from_db()
    response = client.post(
        reverse("instruction:action", args=[dossier.pk, "retain"]),
        {
            "version": dossier.lock_version,
            "line": line.pk,
            "status": "none",
            "reason": "Matériel non lié au projet.",
        },
    )
    assert response.status_code == 302
    assert review.review_estimate(dossier)["award"] == "7000.00"  # 50 % of 14 000 € HT


def test_checklist_is_stored_once_when_a_colleague_opens_the_dossier_at_the_same_time(
    client, submitted, agent_of, monkeypatch
):
    dossier = submitted("PDL-IN")
    client.force_login(agent_of("PDL"))
    real_bulk_create = CriterionCheck.objects.bulk_create

    def colleague_first(checks, **kwargs):
        # The colleague's page stores the first criterion between our read and our INSERT.
        first = checks[0]
        CriterionCheck.objects.create(
            dossier=dossier, code=first.code, label=first.label, engine_passed=first.engine_passed
        )
        return real_bulk_create(checks, **kwargs)

    monkeypatch.setattr(CriterionCheck.objects, "bulk_create", colleague_first)
    response = client.get(reverse("instruction:dossier", args=[dossier.pk]))
    assert response.status_code == 200
    codes = [check.code for check in response.context["checks"]]
    assert codes and len(codes) == len(set(codes))
    assert sorted(codes) == sorted(c["code"] for c in review.review_estimate(dossier)["checks"])
    assert CriterionCheck.objects.filter(dossier=dossier).count() == len(codes)


def test_two_agents_editing_at_once_get_a_conflict_and_lose_nothing(client, submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    other = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    dossier.refresh_from_db()
    seen_version = dossier.lock_version
    line = dossier.expenses.first()
    review.expense_retain(
        user=other,
        dossier=dossier,
        line=line,
        status="full",
        amount=None,
        reason="",
        version=seen_version,
    )
    client.force_login(agent)
    response = client.post(
        reverse("instruction:action", args=[dossier.pk, "retain"]),
        {
            "version": seen_version,
            "line": line.pk,
            "status": "partial",
            "amount": "1000",
            "reason": "Devis trop élevé",
        },
    )
    assert response.status_code == 409
    html = response.content.decode().replace("&#x27;", "'")
    assert "Un autre instructeur a modifié ce dossier" in html
    assert 'value="Devis trop élevé"' in html
    assert line.retention.status == "full"


def test_daily_task_flags_overdue_dossiers_and_reminds_once(
    submitted, agent_of, django_capture_on_commit_callbacks
):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    services.complements_request(
        user=agent, dossier=dossier, items="Kbis", due_on=timezone.localdate() + timedelta(days=3)
    )
    later = (timezone.localdate() + timedelta(days=10)).isoformat()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        assert flag_overdue_and_remind(later) == 1
        assert flag_overdue_and_remind(later) == 0
    review_row = Review.objects.get(dossier=dossier)
    assert (
        review_row.overdue_since is not None and "Compléments attendus" in review_row.overdue_reason
    )
    assert Reminder.objects.filter(dossier=dossier).count() == 1
    assert len(mail.outbox) == 1 and member(dossier).email in mail.outbox[0].to


def test_bulk_assignment_reports_each_dossier(client, submitted, agent_of):
    taken = submitted("PDL-IN")
    fresh = submitted("PDL-IN")
    other_region = submitted("INAC")
    agent, colleague = agent_of("PDL"), agent_of("PDL")
    services.dossier_take(user=agent, dossier=taken)
    services.dossier_reject(user=agent, dossier=taken, motivation="Hors cadre.")
    client.force_login(agent)
    response = client.post(
        reverse("instruction:bulk_assign"),
        {
            "agent": colleague.pk,
            "dossiers": [taken.pk, fresh.pk, other_region.pk],
            "next": "/instruction/?tab=all",
        },
        follow=True,
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert f"1 dossier(s) traité(s) : {fresh.number}" in page
    assert f"{taken.number} : Un dossier décidé ou en brouillon ne se réattribue pas." in page
    reported = [str(m) for m in response.context["messages"]]
    assert not any(other_region.number in m for m in reported)  # outside the scope: not even named
    fresh.refresh_from_db()
    assert fresh.state == S.IN_INSTRUCTION and Review.objects.get(dossier=fresh).agent == colleague
    other_region.refresh_from_db()
    assert other_region.state == S.SUBMITTED


def test_commission_session_bulk_agenda_and_vote_report_per_dossier(client, submitted, agent_of):
    agent = agent_of("IDF")
    favourable, unfavourable = submitted("IDF-CN2"), submitted("IDF-CN2")
    for dossier, favourable_opinion in ((favourable, True), (unfavourable, False)):
        advance_to_admissible(dossier, agent)
        services.dossier_propose(
            user=agent,
            dossier=dossier,
            favourable=favourable_opinion,
            comment="Avis.",
            award=Decimal("5000"),
        )
    client.force_login(agent)
    response = client.post(
        reverse("instruction:sessions"),
        {
            "region": Region.objects.get(code="IDF").pk,
            "number": "CP-42",
            "date": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    session_url = response.url
    page = client.get(session_url).content.decode()
    assert (
        favourable.number in page and unfavourable.number not in page
    )  # only favourable proposals are offered
    pk = int(session_url.rstrip("/").split("/")[-1])
    response = client.post(
        reverse("instruction:session_schedule", args=[pk]),
        {"dossiers": [favourable.pk, unfavourable.pk]},
        follow=True,
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert f"1 dossier(s) traité(s) : {favourable.number}" in page
    assert f"{unfavourable.number} : Seules les propositions favorables sont inscrites" in page
    item = favourable.agenda_items.get()
    # The session's day comes: the vote can be recorded.
    CommissionSession.objects.filter(pk=pk).update(date=timezone.localdate())
    response = client.post(
        reverse("instruction:session_vote", args=[pk]),
        {"items": [item.pk], "vote": "for", "deliberation_number": "CP-42-007"},
        follow=True,
    )
    favourable.refresh_from_db()
    assert favourable.state == S.ACCEPTED and favourable.awarded_amount == Decimal("5000")
    item.refresh_from_db()
    assert (item.vote, item.deliberation_number) == ("for", "CP-42-007")
    assert f"1 dossier(s) traité(s) : {favourable.number}" in response.content.decode()


def test_idf_expenses_run_over_one_year_from_the_project_start_not_from_2020(submitted, agent_of):
    dossier = submitted("IDF-CN2")
    agent = agent_of("IDF")
    advance_to_admissible(dossier, agent)
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Favorable.", award=Decimal("5000")
    )
    session = session_create(
        user=agent,
        region=Region.objects.get(code="IDF"),
        number="CP-1",
        date=timezone.localdate() + timedelta(days=1),
    )
    vote_record(
        user=agent,
        item=dossier_schedule(user=agent, dossier=dossier, session=session),
        vote="for",
        today=session.date,
    )
    review_row = Review.objects.get(dossier=dossier)
    voted_on = session.date  # no signed quote: the project starts with the vote
    assert review_row.realisation_deadline == voted_on + relativedelta(years=1)
    assert review_row.proofs_deadline > voted_on
