"""Scheme managers govern their rules (issue 18): scoping matrix, the editor, four eyes,
golden cases, immutability of published versions, impact counts on a known set."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.enums import Role
from applications.enums import DossierState as S
from applications.models import ExpenseLine
from governance import services
from governance.forms import initial_text
from governance.impact import compute_impact
from schemes.core.schema import PARAMETERS
from schemes.enums import RuleStatus
from schemes.models import PublishedVersionImmutable, RuleVersion, Scheme
from schemes.selectors import rule_versions
from tests.applications.factories import DossierFactory
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)


def manager(region="PDL", **kwargs):
    return RoleAssignmentFactory(role=Role.SCHEME_MANAGER, region_code=region, **kwargs).user


def editor_data(version, **changes):
    """The editor's fields as the page shows them, with some changed."""
    from governance.forms import VersionEditorForm

    form = VersionEditorForm(version=version, base=version.based_on.as_core())
    data = {}
    for name, field in form.fields.items():
        value = field.initial
        if value is None:
            value = ""
        if isinstance(value, date):
            value = value.isoformat()
        data[name] = value
    data["is_demo"] = ""
    data.update(changes)
    return {k: v for k, v in data.items() if v not in (False,)}


@pytest.fixture
def pdl():
    return Scheme.objects.get(code="PDL-IN")


@pytest.fixture
def draft(pdl):
    author = manager()
    return services.draft_create(user=author, scheme=pdl, today=TODAY)


# --- Scoping matrix ---------------------------------------------------------------------------

PAGES = ["governance:scheme", "governance:import", "governance:case_new"]


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("pdl_manager", "PDL-IN", 200),
        ("pdl_manager", "INAC", 404),
        ("hdf_manager", "PDL-IN", 404),
        ("hdf_manager", "INAC", 200),
        ("administrator", "PDL-IN", 200),
        ("administrator", "IDF-CN2", 200),
        ("agent", "PDL-IN", 404),
        ("applicant", "PDL-IN", 404),
    ],
)
@pytest.mark.parametrize("page", PAGES)
def test_scoping_matrix(client, who, code, status, page):
    users = {
        "pdl_manager": lambda: manager("PDL"),
        "hdf_manager": lambda: manager("HDF"),
        "administrator": lambda: RoleAssignmentFactory(role=Role.ADMIN, region_code=None).user,
        "agent": lambda: RoleAssignmentFactory(role=Role.AGENT, region_code="PDL").user,
        "applicant": lambda: UserFactory(),
    }
    client.force_login(users[who]())
    assert client.get(reverse(page, args=[code])).status_code == status


def test_manager_home_lists_only_the_schemes_of_the_region(client):
    client.force_login(manager("HDF"))
    page = client.get(reverse("governance:home")).content.decode()
    assert "INAC" in page and "INESS" in page and "PDL-IN" not in page
    client.force_login(UserFactory())
    assert client.get(reverse("governance:home")).status_code == 403


def test_manager_of_other_region_cannot_see_nor_publish_a_draft(client, draft):
    client.force_login(manager("HDF"))
    for name in ("governance:preview", "governance:edit"):
        assert client.get(reverse(name, args=["PDL-IN", draft.pk])).status_code == 404
    assert client.post(reverse("governance:publish", args=["PDL-IN", draft.pk])).status_code == 404


# --- The editor -------------------------------------------------------------------------------


def test_a_draft_is_a_copy_of_the_version_in_force_and_never_a_demo(draft):
    in_force = RuleVersion.objects.get(ident="PDL-IN/2019-01-01")
    assert draft.parameters == in_force.parameters and draft.based_on == in_force
    assert draft.status == RuleStatus.DRAFT and not draft.is_demo
    # A draft never reaches the engine.
    assert draft.ident not in {v.ident for v in rule_versions(scheme_code="PDL-IN")}


def test_editor_shows_french_values(client, draft):
    client.force_login(draft.created_by)
    page = client.get(reverse("governance:edit", args=["PDL-IN", draft.pk])).content.decode()
    assert 'value="50"' in page  # rate in %
    assert 'value="15 000"' in page  # ceiling in French format
    assert "47.73Z — Commerce de détail de produits pharmaceutiques" in page
    assert initial_text(PARAMETERS["rate"], Decimal("0.125")) == "12,50"


def test_changed_parameter_requires_new_citation_and_reason(client, draft):
    client.force_login(draft.created_by)
    url = reverse("governance:edit", args=["PDL-IN", draft.pk])
    response = client.post(url, editor_data(draft, p_rate="40"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Taux d&#x27;aide : indiquez la raison de ce changement." in page
    assert "Taux d&#x27;aide : citez le texte et le passage qui fondent la nouvelle valeur." in page
    draft.refresh_from_db()
    assert draft.parameters["rate"]["value"] == "0.50"  # nothing saved


def test_invalid_value_is_refused_on_its_field_and_kept(client, draft):
    client.force_login(draft.created_by)
    url = reverse("governance:edit", args=["PDL-IN", draft.pk])
    data = editor_data(
        draft,
        p_floor="40 000",
        c_floor__passage="délibération 2027, article 3",
        r_floor="Nouveau seuil",
    )
    page = client.post(url, data).content.decode()
    assert "le seuil (40\xa0000,00\xa0€) dépasse l&#x27;assiette maximale" in page
    assert 'value="40 000"' in page


def test_editor_saves_a_new_rate_with_its_citation(client, draft):
    client.force_login(draft.created_by)
    url = reverse("governance:edit", args=["PDL-IN", draft.pk])
    data = editor_data(
        draft,
        valid_from="2027-01-01",
        p_rate="40",
        c_rate__document="Délibération 2026-123",
        c_rate__passage="article 2 : « taux de 40 % »",
        r_rate="Baisse votée pour 2027",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert Decimal(draft.parameters["rate"]["value"]) == Decimal("0.4")
    assert draft.parameters["rate"]["source"]["document"] == "Délibération 2026-123"
    assert draft.change_reasons == {"rate": "Baisse votée pour 2027"}
    # Saving twice unchanged changes nothing and still saves.
    assert client.post(url, editor_data(draft)).status_code == 302
    draft.refresh_from_db()
    assert Decimal(draft.parameters["rate"]["value"]) == Decimal("0.4")


def test_a_tier_table_is_edited_row_by_row(client):
    idf = Scheme.objects.get(code="IDF-CN2")
    author = manager("IDF")
    draft = services.draft_create(user=author, scheme=idf, today=TODAY)
    client.force_login(author)
    url = reverse("governance:edit", args=["IDF-CN2", draft.pk])
    data = editor_data(
        draft,
        **{
            "p_tiers__9__from": "",
            "p_tiers__9__award": "",
            "p_tiers__1__from": "1 000",  # not ascending any more
            "c_tiers__passage": "délibération 2027",
            "r_tiers": "Nouveau barème",
        },
    )
    page = client.post(url, data).content.decode()
    assert "les tranches doivent être croissantes" in page
    data["p_tiers__1__from"] = "4 000"
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert len(draft.parameters["tiers"]["value"]) == 9  # the emptied last row is gone


# --- Four eyes, immutability, golden cases ----------------------------------------------------


def _rate_40(draft):
    params = json.loads(json.dumps(draft.parameters))
    params["rate"]["value"] = "0.40"
    params["rate"]["source"] = {"document": "Délibération 2026-123", "passage": "article 2"}
    params["validity"]["value"] = {"valid_from": "2027-01-01", "valid_to": None}
    return services.draft_save(
        user=draft.created_by,
        version=draft,
        label="PDL-IN 2027",
        valid_from=date(2027, 1, 1),
        valid_to=None,
        is_demo=False,
        parameters=params,
        reasons={"rate": "Baisse votée"},
    )


def test_publishing_needs_golden_cases_updated_and_a_second_manager(draft):
    draft = _rate_40(draft)
    failing = services.failing_cases(draft)
    assert {run.case.name for run in failing} >= {
        "FAQ 10 : projet de 20 000 € HT, aide de 10 000 €",
        "FAQ 37 : 20 000 € HT justifiés sur 30 000 € prévus, 10 000 € versés",
    }
    with pytest.raises(services.GovernanceError):
        services.version_submit(user=draft.created_by, version=draft)
    for run in failing:
        services.golden_amend(
            user=draft.created_by,
            version=draft,
            case=run.case,
            expected=run.actual,
            reason="Taux de 40 % en 2027",
        )
    assert services.failing_cases(draft) == []
    submitted = services.version_submit(user=draft.created_by, version=draft)
    assert submitted.status == RuleStatus.SUBMITTED and submitted.ident == "PDL-IN/2027-01-01"
    with pytest.raises(PermissionDenied):
        services.version_publish(user=draft.created_by, version=submitted)
    with pytest.raises(PermissionDenied):
        services.version_publish(user=manager("HDF"), version=submitted)
    published = services.version_publish(user=manager("PDL"), version=submitted)
    assert published.status == RuleStatus.PUBLISHED
    faq10 = published.scheme.golden_cases.get(name__startswith="FAQ 10 : projet de 20")
    assert faq10.expected["award"] == "8000.00"
    assert [t.transition for t in published.transitions.all()] == ["submit", "publish"]
    # The engine applies it from its date, the old rules before.
    from schemes.engine import simulate

    case = faq10.situation
    assert simulate({**case, "filed_on": "2027-01-05"})["award"] == "8000.00"
    assert simulate({**case, "filed_on": "2026-12-31"})["award"] == "10000.00"


def test_a_published_version_is_immutable():
    version = RuleVersion.objects.get(ident="PDL-IN/2019-01-01")
    version.parameters["rate"]["value"] = "0.40"
    with pytest.raises(PublishedVersionImmutable):
        version.save()
    version.refresh_from_db()
    version.label = "autre libellé"
    with pytest.raises(PublishedVersionImmutable):
        version.save()


def test_a_scheduled_version_can_be_withdrawn_before_it_starts(draft):
    draft = _rate_40(draft)
    for run in services.failing_cases(draft):
        services.golden_amend(
            user=draft.created_by, version=draft, case=run.case, expected=run.actual, reason="x"
        )
    published = services.version_publish(
        user=manager("PDL"), version=services.version_submit(user=draft.created_by, version=draft)
    )
    other = manager("PDL")
    with pytest.raises(PermissionDenied):
        services.version_withdraw(user=other, version=published, today=date(2027, 1, 1), reason="x")
    withdrawn = services.version_withdraw(
        user=other, version=published, today=TODAY, reason="Délibération annulée"
    )
    assert withdrawn.status == RuleStatus.WITHDRAWN
    assert "PDL-IN/2027-01-01" not in {v.ident for v in rule_versions(scheme_code="PDL-IN")}


def test_each_step_is_notified_through_the_outbox(
    draft, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = manager("PDL")
    draft = _rate_40(draft)
    for run in services.failing_cases(draft):
        services.golden_amend(
            user=draft.created_by, version=draft, case=run.case, expected=run.actual, reason="x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.version_submit(user=draft.created_by, version=draft)
    assert any(colleague.email in m.to and "à relire" in m.subject for m in mailoutbox)


# --- Impact on a known set --------------------------------------------------------------------


def _dossier(state, filed_on, amount):
    dossier = DossierFactory(scheme_code="PDL-IN", state=state, filed_on=filed_on)
    dossier.expenses.all().delete()
    ExpenseLine.objects.create(dossier=dossier, category="erp", amount=Decimal(amount))
    return dossier


def test_impact_counts_on_a_known_set(draft):
    draft = _rate_40(draft)
    params = json.loads(json.dumps(draft.parameters))
    params["floor"]["value"] = "3000"
    params["floor"]["source"] = {"document": "Délibération 2026-123", "passage": "article 3"}
    draft = services.draft_save(
        user=draft.created_by,
        version=draft,
        label=draft.label,
        valid_from=draft.valid_from,
        valid_to=None,
        is_demo=False,
        parameters=params,
        reasons={"rate": "x", "floor": "y"},
    )
    _dossier(S.SUBMITTED, date(2027, 1, 10), "20000")  # 10 000 -> 8 000
    _dossier(S.IN_INSTRUCTION, date(2027, 2, 1), "6000")  # 3 000 -> 2 400
    _dossier(S.ADMISSIBLE, date(2027, 3, 1), "4000")  # under the old floor -> 1 600
    _dossier(S.ACCEPTED, date(2027, 3, 1), "20000")  # decided: not counted
    _dossier(S.SUBMITTED, date(2026, 12, 1), "20000")  # filed before the draft: not counted
    result = compute_impact(draft, today=date(2027, 3, 31))
    pending = result["pending"]
    assert pending["dossiers"] == 3
    assert (pending["to_eligible"], pending["to_ineligible"]) == (1, 0)
    assert (pending["up"], pending["down"]) == (1, 2)
    assert Decimal(pending["change"]) == Decimal("-1000.00")
    # What-if over the last twelve months: the five dossiers, all under the draft's rules.
    assert result["recent"]["dossiers"] == 5
    assert Decimal(result["budget"]["pending_after"]) - Decimal(
        result["budget"]["pending_before"]
    ) == Decimal("-1000.00")


def test_a_manager_adds_a_golden_case_and_bad_json_is_refused_in_french(client):
    client.force_login(manager("PDL"))
    url = reverse("governance:case_new", args=["PDL-IN"])
    data = {"name": "Projet de 8 000 €", "situation": "{pas du json", "eligible": "true"}
    page = client.post(url, data).content.decode()
    assert "Le contenu n&#x27;est pas du JSON valide (ligne 1, colonne 2)." in page
    situation = Scheme.objects.get(code="PDL-IN").golden_cases.first().situation
    data["situation"] = json.dumps(situation)
    data["amount"] = "10 000,00"
    assert client.post(url, data).status_code == 302
    case = Scheme.objects.get(code="PDL-IN").golden_cases.get(name="Projet de 8 000 €")
    assert case.expected == {"eligible": True, "award": "10000.00"}


def test_publish_refuses_a_version_changed_since_the_reviewer_read_it(draft, client):
    """Four eyes: the reviewer publishes what the preview showed, not what the author resubmitted
    meanwhile."""
    draft = _rate_40(draft)
    for run in services.failing_cases(draft):
        services.golden_amend(
            user=draft.created_by, version=draft, case=run.case, expected=run.actual, reason="x"
        )
    submitted = services.version_submit(user=draft.created_by, version=draft)
    reviewer = manager("PDL")
    client.force_login(reviewer)
    page = client.get(reverse("governance:preview", args=["PDL-IN", submitted.pk]))
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode()).group(1)
    # The author takes it back, changes the rate and submits again while the reviewer reads.
    author = submitted.created_by
    reopened = services.version_reopen(user=author, version=submitted)
    params = json.loads(json.dumps(reopened.parameters))
    params["rate"]["value"] = "0.45"
    changed = services.draft_save(
        user=author,
        version=reopened,
        label=reopened.label,
        valid_from=reopened.valid_from,
        valid_to=None,
        is_demo=False,
        parameters=params,
        reasons={"rate": "Taux porté à 45 %"},
    )
    for run in services.failing_cases(changed):
        services.golden_amend(
            user=author, version=changed, case=run.case, expected=run.actual, reason="y"
        )
    services.version_submit(user=author, version=changed)
    url = reverse("governance:publish", args=["PDL-IN", submitted.pk])
    response = client.post(url, {"seen": seen}, follow=True)
    assert "a changé depuis votre lecture" in response.content.decode()
    assert RuleVersion.objects.get(pk=submitted.pk).status == RuleStatus.SUBMITTED
    # Read again, then published.
    page = client.get(reverse("governance:preview", args=["PDL-IN", submitted.pk]))
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode()).group(1)
    client.post(url, {"seen": seen})
    assert RuleVersion.objects.get(pk=submitted.pk).status == RuleStatus.PUBLISHED


def test_changing_a_golden_case_expectation_needs_a_reason_and_no_submitted_version(client, draft):
    from audit.models import AuditEvent

    client.force_login(manager("PDL"))
    case = Scheme.objects.get(code="PDL-IN").golden_cases.exclude(expected={}).first()
    url = reverse("governance:case_edit", args=["PDL-IN", case.pk])
    data = {
        "name": case.name,
        "document": case.document,
        "passage": case.passage,
        "situation": json.dumps(case.situation),
        "eligible": "false",
    }
    page = client.post(url, data).content.decode()
    assert "Indiquez la raison du changement du résultat attendu." in page
    case.refresh_from_db()
    assert case.expected.get("eligible") is not False
    before = case.expected
    # A draft of the scheme is under review: its checks must keep the expectation they ran on.
    draft = _rate_40(draft)
    for run in services.failing_cases(draft):
        services.golden_amend(
            user=draft.created_by, version=draft, case=run.case, expected=run.actual, reason="x"
        )
    services.version_submit(user=draft.created_by, version=draft)
    data["reason"] = "Erreur de lecture du texte"
    page = client.post(url, data).content.decode()
    assert "une version du dispositif est soumise" in page
    case.refresh_from_db()
    assert case.expected == before
    RuleVersion.objects.filter(pk=draft.pk).update(status=RuleStatus.WITHDRAWN)
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.expected == {"eligible": False}
    event = AuditEvent.objects.filter(action="golden_case_saved").last()
    assert event.comment == "Erreur de lecture du texte"
    assert event.data["before"] == before and event.data["after"] == {"eligible": False}
