"""IDF-CN2 commission permanente: the vote waits for the session's date; the agenda keeps what it shows."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from applications.workflow import TransitionError
from instruction import services
from instruction.commission import (
    dossier_schedule,
    fr_long_date,
    session_create,
    vote_record,
    vote_refusal,
)
from instruction.models import AgendaItem, CommissionSession
from territories.models import Region

pytestmark = pytest.mark.django_db


def proposed(submitted, agent, award="5000"):
    dossier = submitted("IDF-CN2")
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    return services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Favorable.", award=Decimal(award)
    )


def session_on(agent, day, number="CP-1"):
    return session_create(
        user=agent, region=Region.objects.get(code="IDF"), number=number, date=day
    )


def page(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&#39;", "'")


def test_long_dates_are_french():
    assert fr_long_date(date(2026, 12, 23)) == "23 décembre 2026"
    assert fr_long_date(date(2027, 2, 1)) == "1er février 2027"


def test_vote_refusal_is_a_rule_of_the_dates_given():
    session_day = date(2026, 12, 23)
    assert vote_refusal(session_date=session_day, today=date(2026, 12, 2)) == (
        "Le vote ne peut être enregistré qu'à partir du 23 décembre 2026, date de la séance."
    )
    assert vote_refusal(session_date=session_day, today=session_day) == ""
    assert vote_refusal(session_date=session_day, today=date(2027, 1, 5)) == ""


def test_a_vote_before_the_session_date_is_refused_and_changes_nothing(submitted, agent_of):
    agent = agent_of("IDF")
    dossier = proposed(submitted, agent)
    today = timezone.localdate()
    session = session_on(agent, today + timedelta(days=21))
    item = dossier_schedule(user=agent, dossier=dossier, session=session)
    with pytest.raises(TransitionError) as refused:
        vote_record(user=agent, item=item, vote="for", today=today)
    assert refused.value.message == (
        f"Le vote ne peut être enregistré qu'à partir du {fr_long_date(session.date)}, "
        "date de la séance."
    )
    item.refresh_from_db()
    dossier.refresh_from_db()
    assert item.vote == "pending" and item.recorded_at is None
    assert dossier.state == S.ON_AGENDA and dossier.awarded_amount is None
    # On the session's day, the same vote goes through.
    dossier = vote_record(user=agent, item=item, vote="for", today=session.date)
    assert dossier.state == S.ACCEPTED


def test_the_session_page_refuses_an_early_vote_in_french(client, submitted, agent_of):
    agent = agent_of("IDF")
    dossier = proposed(submitted, agent)
    session = session_on(agent, timezone.localdate() + timedelta(days=21))
    item = dossier_schedule(user=agent, dossier=dossier, session=session)
    client.force_login(agent)
    shown = page(client.get(reverse("instruction:session", args=[session.pk])))
    assert "Le vote pourra être enregistré à partir du" in shown
    assert "Enregistrer le vote" not in shown
    response = client.post(
        reverse("instruction:session_vote", args=[session.pk]),
        {"items": [item.pk], "vote": "for", "deliberation_number": "CP-1-001"},
        follow=True,
    )
    assert "Le vote ne peut être enregistré qu'à partir du" in page(response)
    dossier.refresh_from_db()
    assert dossier.state == S.ON_AGENDA


def agenda_numbers(shown: str) -> list[str]:
    """The dossier numbers the agenda table of the session page shows."""
    table = re.split(r"<caption[^>]*>Ordre du jour</caption>", shown)[1].split("</table>")[0]
    return sorted(re.findall(r">([A-Z0-9]+-\d{4}-\d+)</a>", table))


def stored_numbers(session) -> list[str]:
    return sorted(
        AgendaItem.objects.filter(session=session).values_list("dossier__number", flat=True)
    )


def test_agenda_keeps_what_the_page_showed_add_twice_remove_one_add_one(
    client, submitted, agent_of
):
    agent = agent_of("IDF")
    first, second, third = (proposed(submitted, agent) for _ in range(3))
    session = session_on(agent, timezone.localdate() + timedelta(days=7))
    client.force_login(agent)
    url = reverse("instruction:session", args=[session.pk])
    schedule = reverse("instruction:session_schedule", args=[session.pk])

    # Add two, then the same submission again (a double click, or back and resubmit).
    for _ in range(2):
        client.post(schedule, {"dossiers": [first.pk, second.pk]}, follow=True)
    shown = page(client.get(url))
    assert agenda_numbers(shown) == stored_numbers(session) == sorted([first.number, second.number])

    # Remove one: it leaves the agenda and returns to « proposé », offered again.
    item = AgendaItem.objects.get(session=session, dossier=first)
    response = client.post(
        reverse("instruction:session_unschedule", args=[session.pk]),
        {"items": [item.pk]},
        follow=True,
    )
    shown = page(response)
    assert f"1 dossier(s) traité(s) : {first.number}" in shown
    assert agenda_numbers(shown) == stored_numbers(session) == [second.number]
    first.refresh_from_db()
    assert first.state == S.PROPOSED
    assert f'id="cand-{first.pk}"' in shown

    # Add one more (and the removed one back).
    client.post(schedule, {"dossiers": [third.pk, first.pk]}, follow=True)
    shown = page(client.get(url))
    expected = sorted([first.number, second.number, third.number])
    assert agenda_numbers(shown) == stored_numbers(session) == expected

    # Removing twice the same item: the second time there is nothing left to remove.
    item = AgendaItem.objects.get(session=session, dossier=third)
    unschedule = reverse("instruction:session_unschedule", args=[session.pk])
    client.post(unschedule, {"items": [item.pk]})
    shown = page(client.post(unschedule, {"items": [item.pk]}, follow=True))
    assert "Cochez au moins un dossier." in shown
    assert agenda_numbers(shown) == stored_numbers(session) == sorted([first.number, second.number])


def test_a_voted_item_stays_on_the_agenda(submitted, agent_of):
    from instruction.commission import dossier_unschedule

    agent = agent_of("IDF")
    dossier = proposed(submitted, agent)
    session = session_on(agent, timezone.localdate())
    item = dossier_schedule(user=agent, dossier=dossier, session=session)
    vote_record(user=agent, item=item, vote="for", today=session.date)
    with pytest.raises(TransitionError):
        dossier_unschedule(user=agent, item=item)
    assert CommissionSession.objects.get(pk=session.pk).items.count() == 1
