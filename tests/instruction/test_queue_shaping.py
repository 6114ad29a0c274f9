"""The queue each agent shapes: coloured labels (page, filter, exports, API), saved filters shared
with the region's team, chosen columns with the engine's own (criteria failing, de minimis
headroom), all within the queue's constant query budget."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import DossierState as S
from applications.models import DeMinimisAid, Dossier
from audit.models import AuditEvent
from instruction.management.commands.seed_load import seed_load
from instruction.models import DossierLabel, QueueLabel, SavedFilter
from instruction.shaping import dossier_label, label_create
from organisations.models import Membership
from territories.models import Region
from tests.factories import RoleAssignmentFactory
from tests.instruction.test_queue import counters, export, get_queue, make, rows


@pytest.fixture
def hdf(db):
    return Region.objects.get(code="HDF")


@pytest.fixture
def relancer(agent_hdf, hdf):
    return label_create(user=agent_hdf, region=hdf, name="À relancer", colour="orange")


def _post(client, name, data, **kwargs):
    return client.post(reverse(f"instruction:{name}", kwargs=kwargs), data)


# --- Labels -------------------------------------------------------------------------------------


def test_labels_are_put_from_the_queue_shown_filtered_and_exported(client, agent_hdf, relancer):
    tagged, other = make(S.SUBMITTED, name="Boulangerie Dupré"), make(S.SUBMITTED)
    pdl = make(S.SUBMITTED, scheme="PDL-IN")
    client.force_login(agent_hdf)
    response = _post(
        client,
        "bulk_label",
        {"label": relancer.pk, "dossiers": [tagged.pk, pdl.pk], "next": "/instruction/"},
    )
    assert response.status_code == 302
    # The PDL dossier is outside the agent's scope: left alone.
    assert set(DossierLabel.objects.values_list("dossier_id", flat=True)) == {tagged.pk}
    page = get_queue(client)
    by_number = {row["number"]: row for row in rows(page)}
    assert by_number[tagged.number]["label_names"] == "À relancer"
    assert by_number[other.number]["labels"] == []
    assert '<span class="queue-label label-orange">À relancer</span>' in page.text

    filtered = get_queue(client, label=relancer.pk)
    assert [row["number"] for row in rows(filtered)] == [tagged.number]
    assert counters(filtered)["to_take"] == 1 and counters(filtered)["all"] == 1

    lines = export(client, tab="to_take", sort="number")
    assert lines[0][-1] == "Étiquettes"
    assert {line[0]: line[-1] for line in lines[1:]} == {
        tagged.number: "À relancer",
        other.number: "",
    }
    assert AuditEvent.objects.filter(action="dossier_label_add").count() == 1


def test_taking_a_label_off_updates_the_filtered_counters(client, agent_hdf, relancer):
    dossier = make(S.SUBMITTED)
    dossier_label(user=agent_hdf, dossier=dossier, label=relancer)
    client.force_login(agent_hdf)
    assert counters(get_queue(client, label=relancer.pk))["all"] == 1
    _post(client, "bulk_label", {"label": relancer.pk, "dossiers": [dossier.pk], "remove": "1"})
    assert counters(get_queue(client, label=relancer.pk))["all"] == 0


def test_labelling_twice_changes_nothing_the_second_time(agent_hdf, relancer):
    dossier = make(S.SUBMITTED)
    assert dossier_label(user=agent_hdf, dossier=dossier, label=relancer) is True
    assert dossier_label(user=agent_hdf, dossier=dossier, label=relancer) is False
    assert DossierLabel.objects.count() == 1
    assert AuditEvent.objects.filter(action="dossier_label_add").count() == 1


def test_a_label_of_another_region_cannot_be_put(agent_hdf, db):
    pdl_agent = RoleAssignmentFactory(region_code="PDL").user
    pdl_label = label_create(
        user=pdl_agent, region=Region.objects.get(code="PDL"), name="Prêt", colour="green"
    )
    with pytest.raises(PermissionDenied):
        dossier_label(user=agent_hdf, dossier=make(S.SUBMITTED), label=pdl_label)
    with pytest.raises(PermissionDenied):
        label_create(user=agent_hdf, region=Region.objects.get(code="PDL"), name="x", colour="red")


def test_an_agent_member_of_the_organisation_cannot_label_its_dossier(agent_hdf, relancer):
    dossier = make(S.SUBMITTED)
    Membership.objects.create(user=agent_hdf, organisation=dossier.organisation)
    with pytest.raises(PermissionDenied):
        dossier_label(user=agent_hdf, dossier=dossier, label=relancer)
    assert not DossierLabel.objects.exists()


def test_labels_page_creates_refuses_a_duplicate_and_deletes(client, agent_hdf, relancer):
    client.force_login(agent_hdf)
    response = _post(client, "labels", {"name": "  Prêt pour la   commission ", "colour": "green"})
    assert response.status_code == 302
    assert QueueLabel.objects.filter(name="Prêt pour la commission", colour="green").exists()
    response = _post(client, "labels", {"name": "À relancer", "colour": "red"})
    assert response.status_code == 400
    assert "L&#x27;étiquette « À relancer » existe déjà dans la Région." in response.text
    assert 'value="À relancer"' in response.text  # what was typed is kept
    dossier_label(user=agent_hdf, dossier=make(S.SUBMITTED), label=relancer)
    _post(client, "label_delete", {}, pk=relancer.pk)
    assert not QueueLabel.objects.filter(pk=relancer.pk).exists()
    assert not DossierLabel.objects.exists()


def test_labels_are_set_from_the_dossier_page(client, agent_hdf, relancer, hdf):
    ready = label_create(user=agent_hdf, region=hdf, name="Prêt pour la commission", colour="green")
    dossier = make(S.IN_INSTRUCTION, agent=agent_hdf)
    client.force_login(agent_hdf)
    url = reverse("instruction:action", args=[dossier.pk, "labels"])
    client.post(url, {"labels": [relancer.pk, ready.pk]})
    assert set(dossier.labels.values_list("label__name", flat=True)) == {
        "À relancer",
        "Prêt pour la commission",
    }
    client.post(url, {"labels": [ready.pk]})
    assert list(dossier.labels.values_list("label__name", flat=True)) == ["Prêt pour la commission"]
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).text
    assert f'value="{ready.pk}" id="label-{ready.pk}" checked' in page


def test_the_api_carries_the_labels(agent_hdf, relancer, db):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.test import APIClient

    from api.services import token_create

    dossier = make(S.SUBMITTED)
    dossier_label(user=agent_hdf, dossier=dossier, label=relancer)
    _, secret = token_create(
        name="Outil",
        region=Region.objects.get(code="HDF"),
        expires_on=timezone.localdate() + timedelta(days=30),
        created_by=RoleAssignmentFactory(role="admin", region_code=None).user,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = api.get("/api/v1/dossiers/").json()["results"]
    assert listed[0]["labels"] == [
        {"name": "À relancer", "colour": "orange", "colour_label": "orange"}
    ]
    detail = api.get(f"/api/v1/dossiers/{dossier.number}/").json()
    assert detail["labels"][0]["name"] == "À relancer"


# --- Saved filters ------------------------------------------------------------------------------


def test_a_shared_filter_is_offered_to_the_team_and_only_its_author_deletes_it(client, agent_hdf):
    make(S.SUBMITTED)
    colleague = RoleAssignmentFactory(region_code="HDF").user
    pdl_agent = RoleAssignmentFactory(region_code="PDL").user
    client.force_login(agent_hdf)
    query = "tab=all&scheme=INESS&page=3&csrfmiddlewaretoken=x&sort=-amount"
    for _ in range(2):  # saved twice: one filter
        _post(client, "filter_save", {"name": "INESS en cours", "query": query, "shared": "1"})
    _post(client, "filter_save", {"name": "Perso", "query": "overdue=yes"})
    saved = SavedFilter.objects.get(name="INESS en cours")
    assert saved.query == "tab=all&scheme=INESS&sort=-amount" and saved.shared
    assert SavedFilter.objects.count() == 2

    client.force_login(colleague)
    page = get_queue(client)
    names = [f["name"] for f in page.context["saved_filters"]]
    assert names == ["INESS en cours"]  # the personal one stays personal
    assert f'href="?{saved.query.replace("&", "&amp;")}"' in page.text
    assert _post(client, "filter_delete", {}, pk=saved.pk).status_code == 404
    client.force_login(pdl_agent)
    assert get_queue(client).context["saved_filters"] == []

    client.force_login(agent_hdf)
    page = get_queue(client, tab="all", scheme="INESS", sort="-amount")
    assert [f["current"] for f in page.context["saved_filters"]] == [True, False]
    _post(client, "filter_delete", {}, pk=saved.pk)
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Perso"]


def test_an_empty_filter_or_name_is_refused_with_a_message(client, agent_hdf):
    client.force_login(agent_hdf)
    response = client.post(
        reverse("instruction:filter_save"), {"name": "x", "query": "page=2"}, follow=True
    )
    assert "Choisissez au moins un filtre" in response.text
    response = client.post(
        reverse("instruction:filter_save"), {"name": " ", "query": "tab=all"}, follow=True
    )
    assert "Donnez un nom au filtre." in response.text
    assert not SavedFilter.objects.exists()


# --- Columns and the engine's columns ------------------------------------------------------------


def test_chosen_columns_are_kept_and_the_engine_columns_computed(client, agent_hdf, db):
    checks = [
        {"code": "headcount", "label": "Effectif sous le seuil du dispositif", "passed": False},
        {"code": "kind", "label": "Type de demandeur admis", "passed": True},
    ]
    failing = make(S.SUBMITTED, award="4000.00")
    failing.result = {"award": "4000.00", "rules": None, "checks": checks}
    failing.save(update_fields=["result"])
    client.force_login(agent_hdf)
    _post(client, "columns", {"columns": ["state", "failing", "de_minimis", "amount"]})
    page = get_queue(client)
    assert [c["key"] for c in page.context["columns"]] == [
        "number", "state", "amount", "failing", "de_minimis"
    ]  # fmt: skip
    row = rows(page)[0]
    assert row["failing"] == ["Effectif sous le seuil du dispositif"]
    assert "1 critère" in page.text and "Organisation" not in page.context["columns"]
    assert row["de_minimis_text"] == "non concerné"  # no rules recorded for this dossier

    _post(client, "columns", {"reset": "1"})
    keys = [c["key"] for c in get_queue(client).context["columns"]]
    assert "failing" not in keys and "organisation" in keys
    response = client.post(reverse("instruction:columns"), {"columns": ["bogus"]}, follow=True)
    assert "Gardez au moins une colonne" in response.text


def test_de_minimis_headroom_follows_the_declared_aids(client, agent_hdf, submitted):
    dossier = submitted("INAC")  # granted under de minimis (2023/2831: 300 000 € over 3 years)
    Dossier.objects.filter(pk=dossier.pk).update(state=S.SUBMITTED)
    client.force_login(agent_hdf)
    _post(client, "columns", {"columns": ["de_minimis"]})
    award = Decimal(dossier.result["award"])
    assert award > 0
    row = rows(get_queue(client))[0]
    already = sum(a.amount for a in dossier.de_minimis_aids.all())
    assert row["de_minimis"] == Decimal("300000") - already - award
    DeMinimisAid.objects.create(
        dossier=dossier, granting_body="État", granted_on=dossier.filed_on, amount=Decimal("299000")
    )
    row = rows(get_queue(client))[0]
    assert row["de_minimis"] == Decimal("1000") - already - award
    assert row["de_minimis_exceeded"] == (row["de_minimis"] < 0)


def test_query_count_with_labels_and_engine_columns_does_not_grow(
    client, db, django_assert_num_queries
):
    agent = RoleAssignmentFactory(region_code="HDF").user
    hdf = Region.objects.get(code="HDF")
    label = label_create(user=agent, region=hdf, name="À relancer", colour="red")
    seed_load(10, region_code="HDF")
    client.force_login(agent)
    _post(client, "columns", {"columns": ["organisation", "labels", "failing", "de_minimis"]})
    _post(client, "filter_save", {"name": "Tout", "query": "tab=all", "shared": "1"})

    def measure():
        cache.clear()
        response = get_queue(client, tab="all", label="")
        assert len(rows(response)) > 0
        return response

    for dossier in Dossier.objects.exclude(state=S.DRAFT)[:5]:
        dossier_label(user=agent, dossier=dossier, label=label)
    measure()
    with CaptureQueriesContext(connection) as at_10:
        measure()
    seed_load(490, region_code="HDF")
    for dossier in Dossier.objects.exclude(state=S.DRAFT).exclude(labels__label=label)[:200]:
        DossierLabel.objects.create(dossier=dossier, label=label)
    with django_assert_num_queries(len(at_10)):
        response = measure()
    assert sum(1 for row in rows(response) if row["labels"]) > 5
    assert response.context["saved_filters"][0]["name"] == "Tout"


def test_headroom_rule_in_the_core():
    from schemes.core.history import de_minimis_headroom
    from schemes.core.versions import default_versions

    inac = next(v for v in default_versions() if v.scheme == "INAC")
    filed = date(2025, 6, 1)
    aids = [(date(2022, 6, 1), Decimal("50000")), (date(2023, 1, 10), Decimal("20000"))]
    # 2023/2831: three rolling years ending on the filing day; the 2022 aid is out of the window.
    assert de_minimis_headroom(
        inac, kind="company", filed_on=filed, aids=aids, award=Decimal("5000")
    ) == Decimal("275000")
    assert de_minimis_headroom(inac, kind="commune", filed_on=filed, aids=aids, award=1) is None
    assert de_minimis_headroom(None, kind="company", filed_on=filed, aids=aids, award=1) is None
