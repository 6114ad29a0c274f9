"""Company certificates fetched from API Entreprise, not uploaded (issue 20, point 2).

The `api` backend is tested against recorded answers (`responses`), shaped as the public
documentation and the DINUM staging payloads show them: success, unknown SIREN (404), server
error, timeout, a document that is not a PDF, no token. The `fixture` backend is the offline default
of the tests and the demo.
"""

from datetime import date, timedelta

import pytest
import requests
import responses
from django.urls import reverse
from responses import matchers

from applications.certificates import (
    certificates_cover,
    certificates_fetch_missing,
    certificates_overview,
)
from applications.completeness import missing_items
from applications.models import CompanyCertificate
from applications.tasks import CertificatesPending, fetch_company_certificates
from audit.models import AuditEvent
from organisations import api_entreprise
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db

BASE = "https://entreprise.api.gouv.fr"
PDF = b"%PDF-1.7\n% attestation\n%%EOF\n"
TODAY = date(2026, 12, 2)
PIECE = "Attestations de régularité fiscale et sociale"

URSSAF_OK = {
    "data": {
        "entity_status": {"code": "ok", "libelle": "En règle", "description": "À jour."},
        "date_debut_validite": "2026-11-30",
        "date_fin_validite": "2027-05-31",
        "code_securite": "ABCDEFGHIJKLMNO",
        "document_url": "https://storage.entreprise.api.gouv.fr/siade/vigilance.pdf",
    },
    "links": {},
    "meta": {},
}
DGFIP_OK = {
    "data": {
        "document_url": "https://storage.entreprise.api.gouv.fr/siade/fiscale.pdf",
        "document_url_expires_in": 86400,
        "date_delivrance_attestation": "2026-11-20",
        "date_periode_analysee": "2026-10-31",
    },
    "links": {},
    "meta": {},
}
NOT_FOUND = {
    "errors": [
        {
            "code": "04003",
            "title": "Entité non trouvée",
            "detail": "Le siret ou siren indiqué n'existe pas, n'est pas connu ou ne comporte "
            "aucune information pour cet appel",
        }
    ]
}


@pytest.fixture
def api(settings):
    settings.API_ENTREPRISE_BACKEND = "api"
    settings.API_ENTREPRISE_TOKEN = "jeton-de-test"
    settings.API_ENTREPRISE_URL = BASE
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def dossier(open_calls):
    """An INAC company dossier (Hauts-de-France requires the fiscal and social certificates),
    with every piece but those certificates."""
    dossier = DossierFactory(scheme_code="INAC", complete=True)
    dossier.attachments.filter(document_code="tax_social_certificates").delete()
    return dossier


def urssaf_url(dossier):
    return f"{BASE}/v4/urssaf/unites_legales/{dossier.organisation.siren}/attestation_vigilance"


def dgfip_url(dossier):
    return f"{BASE}/v4/dgfip/unites_legales/{dossier.organisation.siren}/attestation_fiscale"


def record_success(api, dossier):
    required = matchers.query_param_matcher(
        {
            "context": "Instruction d'une aide régionale",
            "recipient": dossier.scheme.region.siret,
            "object": dossier.number,
        }
    )
    bearer = matchers.header_matcher({"Authorization": "Bearer jeton-de-test"})
    api.get(urssaf_url(dossier), json=URSSAF_OK, match=[required, bearer])
    api.get(dgfip_url(dossier), json=DGFIP_OK, match=[required, bearer])
    api.get(URSSAF_OK["data"]["document_url"], body=PDF, content_type="application/pdf")
    api.get(DGFIP_OK["data"]["document_url"], body=PDF, content_type="application/pdf")


def missing_messages(dossier):
    return [item.message for item in missing_items(dossier)]


def test_both_certificates_fetched_with_the_required_parameters_and_stored(api, dossier):
    assert dossier.scheme.region.siret  # the recipient the API requires
    assert f"Joignez la pièce « {PIECE} »." in missing_messages(dossier)
    record_success(api, dossier)

    assert certificates_fetch_missing(dossier=dossier, today=TODAY) == []

    urssaf = dossier.certificates.get(kind="urssaf_vigilance")
    dgfip = dossier.certificates.get(kind="dgfip_fiscal")
    assert (urssaf.issued_on, urssaf.valid_until) == (date(2026, 11, 30), date(2027, 5, 31))
    assert urssaf.status == "En règle"
    # The DGFIP answer gives no end date: six months from its delivery.
    assert (dgfip.issued_on, dgfip.valid_until) == (date(2026, 11, 20), date(2027, 5, 20))
    for certificate in (urssaf, dgfip):
        assert certificate.source == "api_entreprise"
        assert certificate.siren == dossier.organisation.siren
        with certificate.file.open("rb") as stored:  # through the storage API
            assert stored.read() == PDF
    assert AuditEvent.objects.filter(action="certificate_fetch").count() == 2
    assert certificates_cover(dossier, today=TODAY)
    assert f"Joignez la pièce « {PIECE} »." not in missing_messages(dossier)


def test_unknown_company_stores_nothing_and_the_applicant_uploads(api, dossier):
    api.get(urssaf_url(dossier), json=NOT_FOUND, status=404)
    api.get(dgfip_url(dossier), json=NOT_FOUND, status=404)

    # Not a passing failure: no retry is asked for.
    assert certificates_fetch_missing(dossier=dossier, today=TODAY) == []
    assert not dossier.certificates.exists()
    assert f"Joignez la pièce « {PIECE} »." in missing_messages(dossier)


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"errors": [{"code": "04501", "title": "Erreur du fournisseur"}]}},
        {"status": 502, "body": "Bad Gateway"},
        {"body": requests.Timeout("read timed out")},
        {"body": requests.ConnectionError("refused")},
        {"status": 200, "body": "pas du JSON"},
    ],
    ids=["provider-error", "bad-gateway", "timeout", "connection", "not-json"],
)
def test_api_failure_is_retried_by_the_task_and_loses_nothing(api, dossier, failure):
    api.get(urssaf_url(dossier), **failure)
    api.get(dgfip_url(dossier), **failure)

    with pytest.raises(CertificatesPending):
        fetch_company_certificates(dossier.pk)
    assert not dossier.certificates.exists()
    assert f"Joignez la pièce « {PIECE} »." in missing_messages(dossier)

    # The retry, once the API answers again, gets them.
    api.reset()
    record_success(api, dossier)
    fetch_company_certificates(dossier.pk)
    assert dossier.certificates.count() == 2


def test_task_retries_with_backoff():
    assert CertificatesPending in fetch_company_certificates.autoretry_for
    assert fetch_company_certificates.max_retries == 5
    assert fetch_company_certificates.retry_backoff


def test_a_document_that_is_not_a_pdf_is_refused(api, dossier):
    api.get(urssaf_url(dossier), json=URSSAF_OK)
    api.get(URSSAF_OK["data"]["document_url"], body=b"<html>login</html>")
    with pytest.raises(api_entreprise.CertificateUnavailable):
        api_entreprise.get_client().fetch(
            "urssaf_vigilance",
            siren=dossier.organisation.siren,
            recipient="20005374200017",
            object_=dossier.number,
            today=TODAY,
        )


def test_without_a_token_nothing_is_called_and_the_applicant_uploads(api, settings, dossier):
    settings.API_ENTREPRISE_TOKEN = ""
    assert certificates_fetch_missing(dossier=dossier, today=TODAY) == [
        "urssaf_vigilance",
        "dgfip_fiscal",
    ]
    assert len(api.calls) == 0
    assert not dossier.certificates.exists()


def test_fixture_backend_works_offline(settings, dossier):
    settings.API_ENTREPRISE_BACKEND = "fixture"
    assert certificates_fetch_missing(dossier=dossier, today=TODAY) == []
    kinds = set(dossier.certificates.values_list("kind", "source"))
    assert kinds == {("urssaf_vigilance", "fixture"), ("dgfip_fiscal", "fixture")}
    assert certificates_cover(dossier, today=TODAY)


def test_fixture_backend_knows_no_unknown_siren():
    with pytest.raises(api_entreprise.CompanyNotCovered):
        api_entreprise.FixtureClient().fetch(
            "dgfip_fiscal", siren="000000000", recipient="x", object_="y", today=TODAY
        )


def test_expired_certificate_is_fetched_again_and_the_old_one_kept(settings, dossier):
    settings.API_ENTREPRISE_BACKEND = "fixture"
    certificates_fetch_missing(dossier=dossier, today=TODAY - timedelta(days=400))
    assert not certificates_cover(dossier, today=TODAY)
    overview = {
        row["label"]: row["freshness"] for row in certificates_overview(dossier, today=TODAY)
    }
    assert all(text.startswith("expirée depuis le ") for text in overview.values())

    certificates_fetch_missing(dossier=dossier, today=TODAY)

    assert dossier.certificates.count() == 4
    assert certificates_cover(dossier, today=TODAY)
    # A valid certificate is not fetched twice (a double click makes nothing more).
    certificates_fetch_missing(dossier=dossier, today=TODAY)
    assert dossier.certificates.count() == 4


def test_associations_are_not_served(settings, open_calls):
    settings.API_ENTREPRISE_BACKEND = "fixture"
    association = DossierFactory(scheme_code="INESS", complete=True)
    assert certificates_fetch_missing(dossier=association, today=TODAY) == []
    assert not CompanyCertificate.objects.filter(dossier=association).exists()


def test_new_company_dossier_fetches_them_and_the_pieces_page_says_so(
    client, settings, open_calls, django_capture_on_commit_callbacks
):
    from applications.services import dossier_create
    from tests.applications.factories import organisation_for
    from tests.factories import MembershipFactory

    settings.API_ENTREPRISE_BACKEND = "fixture"
    organisation = organisation_for("INAC")
    user = MembershipFactory(organisation=organisation).user
    template = DossierFactory.build(scheme_code="INAC")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_create(
            user=user, organisation=organisation, scheme=template.scheme, today=date.today()
        )
    assert dossier.certificates.count() == 2

    client.force_login(user)
    page = client.get(reverse("applications:step_documents", args=[dossier.pk])).content.decode()
    start = page.index(PIECE)
    card = page[start : page.index("</li>", start)]
    assert "Fournie" in card
    assert "Récupérées directement auprès de l'URSSAF et de la DGFIP" in card
