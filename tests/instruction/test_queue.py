"""The agents' queue: scope, tabs and counters, filters, search, sort, exports, query budget."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from applications.enums import TERMINAL_STATES
from applications.enums import DossierState as S
from applications.models import Dossier
from applications.workflow import apply_transition
from instruction.management.commands.seed_load import seed_load
from instruction.models import Review
from instruction.queue import SORTS, TAB_CODES
from instruction.services import dossier_assign, dossier_take
from tests.applications.factories import DossierFactory, organisation_for
from tests.factories import RoleAssignmentFactory, UserFactory

STATE_POSITION = {value: i for i, value in enumerate(S.values)}


def get_queue(client, **params):
    response = client.get(reverse("instruction:queue"), params)
    assert response.status_code == 200
    return response


def rows(response) -> list[dict]:
    return list(response.context["page_obj"].object_list)


def counters(response) -> dict[str, int]:
    return {tab["code"]: tab["count"] for tab in response.context["tabs"]}


def export(client, fmt="csv", **params) -> list[list[str]]:
    response = client.get(reverse("instruction:export"), {"format": fmt, **params})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def make(
    state, *, scheme="INAC", agent=None, award="1000.00", awarded=None, overdue=None, name=None
):
    submitted_at = timezone.make_aware(datetime(2026, 3, 10, 10, 0))
    organisation = organisation_for(scheme, **({"name": name} if name else {}))
    dossier = DossierFactory(
        scheme_code=scheme,
        organisation=organisation,
        state=state,
        submitted_at=submitted_at,
        filed_on=submitted_at.date(),
        result={"award": award},
        awarded_amount=awarded,
    )
    if agent is not None or overdue is not None:
        Review.objects.create(dossier=dossier, agent=agent, overdue_since=overdue)
    return dossier


@pytest.fixture
def hdf_queue(db, agent_hdf):
    """A small HDF queue with known contents, plus a PDL dossier the agent must never see."""
    colleague = RoleAssignmentFactory(region_code="HDF").user
    return {
        "to_take": make(S.SUBMITTED, award="500.00", name="Boulangerie Dupré"),
        "mine": make(S.IN_INSTRUCTION, agent=agent_hdf, overdue=date(2026, 4, 1)),
        "admissible": make(S.ADMISSIBLE, scheme="INESS", agent=agent_hdf, award="8000.00"),
        "colleague": make(S.IN_INSTRUCTION, agent=colleague, award="3000.00"),
        "complements": make(S.COMPLEMENTS_REQUESTED, agent=agent_hdf),
        "proposed": make(S.PROPOSED, scheme="INESS", agent=colleague),
        "accepted": make(S.ACCEPTED, agent=agent_hdf, awarded=Decimal("1234.56")),
        "rejected": make(S.REJECTED, agent=colleague, award="0.00"),
        "draft": make(S.DRAFT),
        "pdl": make(S.SUBMITTED, scheme="PDL-IN", name="Scierie nantaise"),
        "colleague_user": colleague,
    }


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("instruction:queue"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", [None, Role.FINANCE])
def test_applicants_and_finance_officers_get_403(client, db, role):
    user = RoleAssignmentFactory(role=role).user if role else UserFactory()
    client.force_login(user)
    assert client.get(reverse("instruction:queue")).status_code == 403
    assert client.get(reverse("instruction:export")).status_code == 403


def test_agent_of_pdl_never_sees_hdf_dossiers(client, db):
    seed_load(120)
    agent = RoleAssignmentFactory(region_code="PDL").user
    client.force_login(agent)
    expected = Dossier.objects.filter(scheme__region__code="PDL").exclude(state=S.DRAFT).count()
    response = get_queue(client, tab="all")
    assert counters(response)["all"] == expected
    assert {row["scheme_code"] for row in rows(response)} == {"PDL-IN"}
    assert response.context["region"].code == "PDL"
    lines = export(client, tab="all")[1:]
    assert len(lines) == expected
    assert all(line[4] == "PDL-IN" for line in lines)
    response = get_queue(client, tab="all", q="LOAD-")
    assert {row["scheme_code"] for row in rows(response)} == {"PDL-IN"}


def test_agent_scoped_to_schemes_sees_only_those(client, db):
    seed_load(120, region_code="HDF")
    agent = RoleAssignmentFactory(region_code="HDF", scheme_codes=["INESS"]).user
    client.force_login(agent)
    response = get_queue(client, tab="all")
    assert counters(response)["all"] == Dossier.objects.filter(scheme__code="INESS").count()
    assert {row["scheme_code"] for row in rows(response)} == {"INESS"}
    assert [s.code for s in response.context["filter"].form.fields["scheme"].queryset] == ["INESS"]
    assert scheme_options(response) == ["", "INESS"]
    # The option lists are cached per scope: a colleague with the whole region gets its own.
    client.force_login(RoleAssignmentFactory(region_code="HDF").user)
    assert scheme_options(get_queue(client, tab="all")) == ["", "INAC", "INESS"]
    client.force_login(agent)
    assert scheme_options(get_queue(client, tab="all")) == ["", "INESS"]


def scheme_options(response) -> list[str]:
    select = re.search(r'<select name="scheme".*?</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def test_queue_scope_is_the_permission_rule_for_every_kind_of_assignment(db):
    """The queue filters on the list of the agent's schemes: the same dossiers as agent_scope_q."""
    from instruction.permissions import agent_scope_q
    from instruction.queue import Scope

    seed_load(160)
    one_region = RoleAssignmentFactory(region_code="HDF").user
    some_schemes = RoleAssignmentFactory(region_code="HDF", scheme_codes=["INESS"]).user
    two_regions = RoleAssignmentFactory(region_code="PDL").user
    RoleAssignmentFactory(user=two_regions, region_code="IDF", scheme_codes=["IDF-CN2"])
    for agent in (one_region, some_schemes, two_regions):
        expected = set(
            Dossier.objects.filter(agent_scope_q(agent)).exclude(state=S.DRAFT).values_list("pk")
        )
        assert expected
        assert set(Scope.for_user(agent).dossiers().values_list("pk")) == expected


# --- Tabs and counters --------------------------------------------------------------------------


def test_counters_count_each_tab_of_the_agents_scope(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    response = get_queue(client)
    assert counters(response) == {
        "to_take": 1,
        "mine": 3,  # in instruction, admissible, complements requested
        "complements": 1,
        "to_decide": 1,
        "decided": 2,
        "all": 8,  # the draft and the PDL dossier are not in the queue
    }
    numbers = {
        tab: {r["number"] for r in rows(get_queue(client, tab=tab))} for tab in counters(response)
    }
    assert numbers["to_take"] == {hdf_queue["to_take"].number}
    assert numbers["mine"] == {hdf_queue[k].number for k in ("mine", "admissible", "complements")}
    assert numbers["to_decide"] == {hdf_queue["proposed"].number}
    assert numbers["decided"] == {hdf_queue[k].number for k in ("accepted", "rejected")}


def test_a_dossier_whose_advance_is_paid_is_decided_not_mine(client, agent_hdf, db):
    """The « decided » group is the one of applications.enums: an advance paid (or a closed
    dossier) left instruction; it was once missing from the queue's own list."""
    paid = make(S.ADVANCE_PAID, agent=agent_hdf, awarded=Decimal("1000.00"))
    closed = make(S.CLOSED, agent=agent_hdf, awarded=Decimal("1000.00"))
    client.force_login(agent_hdf)
    response = get_queue(client)
    assert counters(response)["mine"] == 0 and counters(response)["decided"] == 2
    decided = {r["number"] for r in rows(get_queue(client, tab="decided"))}
    assert decided == {paid.number, closed.number}


def test_counters_follow_the_current_filters(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    response = get_queue(client, scheme="INESS")
    assert counters(response) == {
        "to_take": 0, "mine": 1, "complements": 0, "to_decide": 1, "decided": 0, "all": 2
    }  # fmt: skip


def test_a_submitted_dossier_given_to_an_agent_is_no_longer_to_take(client, agent_hdf, db):
    make(S.SUBMITTED, agent=agent_hdf)
    client.force_login(agent_hdf)
    assert counters(get_queue(client)) == {
        "to_take": 0, "mine": 1, "complements": 0, "to_decide": 0, "decided": 0, "all": 1
    }  # fmt: skip


def _counter_queries(client, **params) -> tuple[dict[str, int], int]:
    with CaptureQueriesContext(connection) as captured:
        response = get_queue(client, **params)
    aggregates = [q for q in captured.captured_queries if 'AS "to_take"' in q["sql"]]
    return counters(response), len(aggregates)


def test_counters_are_reused_until_a_dossier_is_taken(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    first, computed = _counter_queries(client)
    assert (first["to_take"], first["mine"], computed) == (1, 3, 1)
    again, computed = _counter_queries(client, tab="mine", sort="-amount")  # same filters
    assert (again, computed) == (first, 0)
    _, computed = _counter_queries(client, scheme="INESS")  # other filters: other counters
    assert computed == 1

    dossier_take(user=agent_hdf, dossier=hdf_queue["to_take"])
    after, computed = _counter_queries(client)
    assert (after["to_take"], after["mine"], computed) == (0, 4, 1)


def test_reading_a_dossier_to_take_keeps_the_counters(client, agent_hdf, hdf_queue):
    # Agents open the dossiers "à prendre" all day: reading one writes no review, so the
    # counters computed before stay valid and are not recomputed.
    client.force_login(agent_hdf)
    before, computed = _counter_queries(client)
    assert computed == 1
    to_take = hdf_queue["to_take"]
    response = client.get(reverse("instruction:dossier", args=[to_take.pk]))
    assert response.status_code == 200
    assert "Instructeur : non attribué" in response.content.decode()
    assert not Review.objects.filter(dossier=to_take).exists()
    again, computed = _counter_queries(client)
    assert (again, computed) == (before, 0)


def test_counters_survive_review_changes_that_cannot_alter_them(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    before, _ = _counter_queries(client)
    Review.objects.create(dossier=make(S.CLOSED))  # a blank review: counts like none
    review = Review.objects.get(dossier=hdf_queue["mine"])
    review.region_share = Decimal("0.5")
    review.save(update_fields=["region_share"])
    assert _counter_queries(client) == (before, 0)

    review.overdue_since = date(2026, 4, 1)  # the "retard" filter counts it now
    review.save(update_fields=["overdue_since", "overdue_reason"])
    assert _counter_queries(client)[1] == 1
    blank = Review.objects.get(dossier__state=S.CLOSED)
    blank.agent = agent_hdf
    blank.save()  # a save of every field: the agent may have changed
    assert _counter_queries(client)[1] == 1


def test_agents_of_a_scope_share_the_counters_but_not_their_own(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    first, computed = _counter_queries(client)
    assert (first["mine"], computed) == (3, 1)
    client.force_login(hdf_queue["colleague_user"])  # same region, no scheme restriction
    with CaptureQueriesContext(connection) as captured:
        response = get_queue(client)
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in sqls if 'AS "to_take"' in sql]  # the region's counters reused
    assert counters(response) == {**first, "mine": 2}  # their own dossiers, counted for them


def test_counters_follow_a_hand_over_between_agents(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    assert counters(get_queue(client))["mine"] == 3
    dossier_assign(user=agent_hdf, dossier=hdf_queue["mine"], agent=hdf_queue["colleague_user"])
    assert counters(get_queue(client))["mine"] == 2


def test_counters_of_an_agent_are_never_shown_to_another(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    assert counters(get_queue(client))["mine"] == 3
    client.force_login(hdf_queue["colleague_user"])
    assert counters(get_queue(client))["mine"] == 2  # in instruction, proposed (not the rejected)
    pdl_agent = RoleAssignmentFactory(region_code="PDL").user
    client.force_login(pdl_agent)
    assert counters(get_queue(client))["all"] == 1  # the PDL dossier only


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"scheme": "INESS"}, {"admissible", "proposed"}),
        ({"state": S.IN_INSTRUCTION}, {"mine", "colleague"}),
        ({"agent": "null"}, {"to_take"}),
        ({"department": "80"}, {"admissible", "proposed"}),  # INESS profile: Somme
        ({"filed_from": "2026-03-11"}, {"accepted"}),
        ({"filed_to": "10/03/2026"}, "all_but_accepted"),
        ({"amount_min": "1200", "amount_max": "5000"}, {"colleague", "accepted"}),
        ({"overdue": "yes"}, {"mine"}),
    ],
)
def test_each_filter_narrows_the_list(client, agent_hdf, hdf_queue, params, expected):
    Dossier.objects.filter(pk=hdf_queue["accepted"].pk).update(
        submitted_at=timezone.make_aware(datetime(2026, 3, 11, 0, 30))
    )
    client.force_login(agent_hdf)
    got = {r["number"] for r in rows(get_queue(client, tab="all", **params))}
    visible = ["to_take", "mine", "admissible", "colleague", "complements", "proposed", "accepted"]
    visible.append("rejected")
    if expected == "all_but_accepted":
        expected = set(visible) - {"accepted"}
    assert got == {hdf_queue[key].number for key in expected}


def test_filter_by_agent(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    colleague = hdf_queue["colleague_user"]
    got = {r["number"] for r in rows(get_queue(client, tab="all", agent=colleague.pk))}
    assert got == {hdf_queue[k].number for k in ("colleague", "proposed", "rejected")}


def test_overdue_no_keeps_the_others(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    response = get_queue(client, tab="all", overdue="no")
    assert hdf_queue["mine"].number not in {r["number"] for r in rows(response)}
    assert counters(response)["all"] == 7


# --- Sort ---------------------------------------------------------------------------------------

SORT_VALUE = {
    "number": lambda r: r["number"],
    "organisation": lambda r: r["organisation_name"],
    "scheme": lambda r: r["scheme_code"],
    "state": lambda r: STATE_POSITION[r["state"]],
    "submitted_at": lambda r: r["submitted_at"],
    "amount": lambda r: r["amount"],
    "agent": lambda r: r["agent_last_name"],
    "department": lambda r: r["department_code"],
    "overdue": lambda r: r["overdue_since"],
}


@pytest.mark.parametrize("key", list(SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_both_ways_with_empty_values_last(client, db, key, descending):
    seed_load(40, region_code="HDF")
    agent = RoleAssignmentFactory(region_code="HDF").user
    client.force_login(agent)
    response = get_queue(client, tab="all", sort=f"-{key}" if descending else key)
    values = [SORT_VALUE[key](r) for r in rows(response)]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=descending)
    assert values == present + [None] * (len(values) - len(present))
    header = next(c for c in response.context["columns"] if c["key"] == key)
    assert header["active"] and header["descending"] == descending
    assert f'aria-sort="{"descending" if descending else "ascending"}"' in response.text


def test_unknown_sort_falls_back_to_filing_date(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    assert get_queue(client, sort="password").context["columns"][4]["active"]


# --- Search -------------------------------------------------------------------------------------


def test_search_by_number_siret_siren_and_name(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    dossier = hdf_queue["to_take"]
    siret = dossier.organisation.siret

    def found(text):
        return {r["number"] for r in rows(get_queue(client, tab="all", q=text))}

    assert found(dossier.number) == {dossier.number}
    assert dossier.number in found(dossier.number[:-2])
    assert found(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}") == {dossier.number}
    assert found(siret[:9]) == {dossier.number}
    assert found("dupré BOULANGERIE") == {dossier.number}
    assert found("Scierie") == set()  # PDL: out of scope


@pytest.mark.skipif(connection.vendor != "postgresql", reason="unaccent: PostgreSQL only")
def test_search_by_name_ignores_accents_on_postgresql(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    got = {r["number"] for r in rows(get_queue(client, tab="all", q="boulangerie dupre"))}
    assert got == {hdf_queue["to_take"].number}
    got = {r["number"] for r in rows(get_queue(client, tab="all", q="dupr"))}
    assert got == {hdf_queue["to_take"].number}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search indexes: PostgreSQL only")
def test_search_uses_the_name_and_number_indexes_on_postgresql(agent_hdf, hdf_queue, monkeypatch):
    """The expressions of the search must stay those of the indexes (instruction migration 0004),
    or every search reads all the organisations and all the dossiers."""
    from instruction import queue

    as_lists = set(Dossier.objects.filter(queue.search_q("dupré")).values_list("pk", flat=True))
    monkeypatch.setattr(queue, "SEARCH_LIST_MAX", -1)  # keep the look-ups as sub-queries
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: force what can be used
        plan = Dossier.objects.filter(queue.search_q("Boulangerie Dupré")).explain()
    assert "organisation_name_search_idx" in plan
    assert "dossier_number_prefix_idx" in plan
    as_queries = set(Dossier.objects.filter(queue.search_q("dupré")).values_list("pk", flat=True))
    assert as_lists == as_queries == {hdf_queue["to_take"].pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="look-ups as lists: PostgreSQL only")
def test_a_search_reuses_its_look_ups_until_a_dossier_is_submitted(
    client, agent_hdf, hdf_queue, django_capture_on_commit_callbacks
):
    client.force_login(agent_hdf)

    def search(text):
        with CaptureQueriesContext(connection) as captured:
            found = {r["number"] for r in rows(get_queue(client, tab="all", q=text))}
        lookups = [q for q in captured.captured_queries if "to_tsvector" in q["sql"]]
        return found, len(lookups)

    first = hdf_queue["to_take"].number
    assert search("Boulangerie") == ({first}, 1)
    assert search("boulangerie") == ({first}, 0)  # the organisations found are reused
    late = make(S.DRAFT, name="Boulangerie Martin")
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(dossier=late, name="submit", actor=agent_hdf)
    assert search("Boulangerie") == ({first, late.number}, 1)  # looked up again: found


# --- Exports ------------------------------------------------------------------------------------


def test_csv_export_has_french_headers_and_formats(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    lines = export(client, tab="decided", sort="number")
    assert lines[0] == [
        "Numéro", "Organisation", "SIRET", "Département", "Dispositif", "État", "Déposé le",
        "Montant (€)", "Instructeur", "En retard depuis", "Motif du retard", "Étiquettes",
    ]  # fmt: skip
    accepted = next(line for line in lines if line[0] == hdf_queue["accepted"].number)
    assert accepted[5] == "Aide attribuée"
    assert accepted[6] == "10/03/2026"
    assert accepted[7] == "1234,56"
    assert accepted[8] == f"{agent_hdf.first_name} {agent_hdf.last_name}"
    assert len(lines) == 3


def test_xlsx_export_has_the_same_rows_as_csv(client, agent_hdf, hdf_queue):
    client.force_login(agent_hdf)
    csv_lines = export(client, tab="all", sort="number")
    xlsx_lines = export(client, "xlsx", tab="all", sort="number")
    assert xlsx_lines[0] == csv_lines[0]
    assert [r[0] for r in xlsx_lines[1:]] == [line[0] for line in csv_lines[1:]]
    mine = next(r for r in xlsx_lines if r[0] == hdf_queue["mine"].number)
    assert mine[7] == 1000 and mine[9] == datetime(2026, 4, 1)


# --- Query budget -------------------------------------------------------------------------------


def _cover_every_tab(agent) -> dict:
    """Give the 10 load dossiers one of each open state, so that every case below shows rows."""
    recent = timezone.now() - timedelta(days=10)
    open_ones = list(Dossier.objects.exclude(state__in=TERMINAL_STATES).order_by("pk")[:4])
    states = [S.SUBMITTED, S.COMPLEMENTS_REQUESTED, S.PROPOSED, S.IN_INSTRUCTION]
    for dossier, state in zip(open_ones, states, strict=True):
        Dossier.objects.filter(pk=dossier.pk).update(state=state, submitted_at=recent)
        agent_of = None if state == S.SUBMITTED else agent
        Review.objects.update_or_create(dossier=dossier, defaults={"agent": agent_of})
    Review.objects.filter(agent__isnull=False).update(agent=agent)
    mine = Dossier.objects.select_related("organisation__department").get(pk=open_ones[3].pk)
    return {
        "scheme": mine.scheme.code,
        "department": mine.organisation.department.code,
        "name": mine.organisation.name.split()[1],
        "siren": mine.organisation.siren,
    }


CASES = {
    **{f"tab {code}": lambda c, code=code: {"tab": code} for code in TAB_CODES},
    "tab decided sorted by amount": lambda c: {"tab": "decided", "sort": "-amount"},
    "tab all, page 2, by agent": lambda c: {"tab": "all", "page": "2", "sort": "agent"},
    "filtered by scheme and state": lambda c: {
        "tab": "all",
        "scheme": c["scheme"],
        "state": S.IN_INSTRUCTION,
        "department": c["department"],
    },
    "filtered by agent, dates, overdue": lambda c: {
        "agent": "null",
        "filed_from": "2025-01-01",
        "overdue": "no",
        "amount_min": "1",
    },
    "search by name": lambda c: {"tab": "all", "q": c["name"]},
    "search by SIREN": lambda c: {"tab": "all", "q": c["siren"]},
    "csv export": lambda c: {"tab": "all", "format": "csv", "scheme": c["scheme"]},
    "xlsx export": lambda c: {"tab": "all", "format": "xlsx", "q": c["name"]},
}


def _measure(client, case, context) -> int:
    cache.clear()  # the counters are computed, not read from the cache
    params = CASES[case](context)
    if "export" in case:
        response = client.get(reverse("instruction:export"), params)
        assert response.status_code == 200
        b"".join(response.streaming_content)
        return 1
    response = client.get(reverse("instruction:queue"), params)
    assert response.status_code == 200
    return response.context["page_obj"].paginator.count


@pytest.mark.parametrize("case", list(CASES))
def test_query_count_is_the_same_at_10_and_500_dossiers(
    client, db, case, django_assert_num_queries
):
    agent = RoleAssignmentFactory(region_code="HDF").user
    seed_load(10, region_code="HDF")
    context = _cover_every_tab(agent)
    client.force_login(agent)
    assert _measure(client, case, context) > 0  # warm-up (session), and rows to show
    with CaptureQueriesContext(connection) as at_10:
        _measure(client, case, context)
    seed_load(490, region_code="HDF")
    Review.objects.filter(agent__isnull=False).update(agent=agent)
    assert Dossier.objects.count() == 500
    with django_assert_num_queries(len(at_10)):
        _measure(client, case, context)
