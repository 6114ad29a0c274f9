"""GET /api/v1/schemes/<code>/versions/ (issue 18): the published versions, each parameter with
its value and citation, in the export format; drafts never listed; the token's scope holds."""

from datetime import date

from governance import services
from schemes.models import Scheme
from tests.factories import RoleAssignmentFactory


def test_versions_list_published_rules_with_citations(make_token, api):
    author = RoleAssignmentFactory(role="scheme_manager", region_code="PDL").user
    draft = services.draft_create(
        user=author, scheme=Scheme.objects.get(code="PDL-IN"), today=date(2026, 12, 2)
    )
    _, secret = make_token("PDL")
    response = api(secret).get("/api/v1/schemes/PDL-IN/versions/")
    assert response.status_code == 200
    versions = response.json()
    assert [v["ident"] for v in versions] == ["PDL-IN/2019-01-01"]
    assert draft.ident not in {v["ident"] for v in versions}
    rate = versions[0]["parameters"]["rate"]
    assert rate["value"] == "0.50"
    assert rate["source"]["document"] == "pdl-investissement-numerique-faq.md"
    assert rate["source"]["passage"].startswith("question 10")


def test_versions_of_another_regions_scheme_are_not_found(make_token, api):
    _, secret = make_token("PDL")
    assert api(secret).get("/api/v1/schemes/INAC/versions/").status_code == 404
    assert api(None).get("/api/v1/schemes/PDL-IN/versions/").status_code == 401
