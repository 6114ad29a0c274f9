"""Company certificates fetched from API Entreprise (DINUM), behind one adapter.

Two certificates, both by SIREN (https://entreprise.api.gouv.fr/catalogue):
- URSSAF « attestation de vigilance »: `GET /v4/urssaf/unites_legales/{siren}/attestation_vigilance`,
  answer `data.entity_status`, `data.date_debut_validite`, `data.date_fin_validite`,
  `data.document_url` (the PDF, to download within its short lifetime);
- DGFIP « attestation de régularité fiscale »: `GET /v4/dgfip/unites_legales/{siren}/attestation_fiscale`,
  answer `data.date_delivrance_attestation`, `data.document_url`. The answer states no end of
  validity: the portal holds it for API_ENTREPRISE_FISCAL_VALIDITY_MONTHS (6) from its delivery,
  the age public buyers accept (art. R. 2143-7 and R. 2144-1 code de la commande publique).

Every call carries the parameters the API requires: `context` (why), `recipient` (the SIRET of the
region asking) and `object` (the dossier number), and the token in `Authorization: Bearer`.

`ApiClient` calls the API with a timeout; `FixtureClient` answers offline from
organisations/fixtures/api_entreprise.json (same shapes), for the tests and the demo.
`get_client()` picks one from settings.API_ENTREPRISE_BACKEND ("api" or "fixture").
An unknown company raises `CompanyNotCovered`; a failure, a timeout or a missing token raise
`CertificateUnavailable`: the caller then asks the applicant to upload the document.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
from dateutil.relativedelta import relativedelta
from django.conf import settings

logger = logging.getLogger(__name__)

FIXTURE_FILE = Path(__file__).parent / "fixtures" / "api_entreprise.json"

URSSAF_VIGILANCE = "urssaf_vigilance"
DGFIP_FISCAL = "dgfip_fiscal"
KINDS = (URSSAF_VIGILANCE, DGFIP_FISCAL)
PATHS = {
    URSSAF_VIGILANCE: "/v4/urssaf/unites_legales/{siren}/attestation_vigilance",
    DGFIP_FISCAL: "/v4/dgfip/unites_legales/{siren}/attestation_fiscale",
}
MAX_PDF_BYTES = 10 * 1024 * 1024

# A one-page PDF standing for the certificate in the fixture backend (offline demo and tests).
FIXTURE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n178\n%%EOF\n"
)


class CertificateUnavailable(Exception):
    """API Entreprise failed, timed out or is not configured: the applicant uploads the document."""


class CompanyNotCovered(CertificateUnavailable):
    """API Entreprise does not know this SIREN (404) or it is out of its scope (micro-entrepreneurs...)."""


@dataclass(frozen=True)
class Certificate:
    kind: str
    siren: str
    content: bytes
    issued_on: date
    valid_until: date
    source: str  # "api_entreprise" or "fixture"
    status: str = ""  # URSSAF entity status, as the API words it


def _parse(kind: str, siren: str, payload: dict, content: bytes, source: str) -> Certificate:
    data = payload.get("data") or {}
    try:
        if kind == URSSAF_VIGILANCE:
            issued = date.fromisoformat(data["date_debut_validite"])
            until = date.fromisoformat(data["date_fin_validite"])
            status = (data.get("entity_status") or {}).get("libelle", "")
        else:
            issued = date.fromisoformat(data["date_delivrance_attestation"])
            until = issued + relativedelta(months=settings.API_ENTREPRISE_FISCAL_VALIDITY_MONTHS)
            status = ""
    except (KeyError, TypeError, ValueError) as exc:
        raise CertificateUnavailable(f"Réponse illisible pour {kind}") from exc
    return Certificate(kind, siren, content, issued, until, source, status)


def _params(*, recipient: str, object_: str) -> dict:
    return {
        "context": settings.API_ENTREPRISE_CONTEXT,
        "recipient": recipient,
        "object": object_,
    }


class FixtureClient:
    source = "fixture"

    def fetch(self, kind: str, *, siren: str, recipient: str, object_: str, today: date):
        fixture = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
        if siren in fixture["unknown_sirens"]:
            raise CompanyNotCovered(fixture["not_found"]["errors"][0]["title"])
        text = json.dumps(fixture[kind])
        text = text.replace("{issued}", today.isoformat()).replace(
            "{valid_until}",
            (today + relativedelta(months=fixture["fixture_validity_months"])).isoformat(),
        )
        return _parse(kind, siren, json.loads(text), FIXTURE_PDF, self.source)


class ApiClient:
    source = "api_entreprise"

    def fetch(self, kind: str, *, siren: str, recipient: str, object_: str, today: date):
        token = settings.API_ENTREPRISE_TOKEN
        if not token or not recipient:
            raise CertificateUnavailable("API Entreprise n'est pas configurée (jeton ou SIRET).")
        url = settings.API_ENTREPRISE_URL.rstrip("/") + PATHS[kind].format(siren=siren)
        timeout = settings.API_ENTREPRISE_TIMEOUT
        try:
            response = requests.get(
                url,
                params=_params(recipient=recipient, object_=object_),
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=timeout,
            )
            if response.status_code == 404:
                raise CompanyNotCovered(f"{kind}: SIREN {siren} inconnu d'API Entreprise")
            response.raise_for_status()
            payload = response.json()
            document_url = (payload.get("data") or {}).get("document_url")
            if not document_url:
                raise CertificateUnavailable(f"{kind}: pas de document dans la réponse")
            document = requests.get(document_url, timeout=timeout)
            document.raise_for_status()
            content = document.content
        except (requests.RequestException, ValueError) as exc:
            logger.warning("API Entreprise %s failed for %s: %s", kind, siren, exc)
            raise CertificateUnavailable(str(exc)) from exc
        if not content.startswith(b"%PDF-") or len(content) > MAX_PDF_BYTES:
            raise CertificateUnavailable(f"{kind}: le document reçu n'est pas un PDF")
        return _parse(kind, siren, payload, content, self.source)


def get_client():
    backend = settings.API_ENTREPRISE_BACKEND
    if backend == "fixture":
        return FixtureClient()
    if backend == "api":
        return ApiClient()
    raise ValueError(f"Unknown API_ENTREPRISE_BACKEND {backend!r}")
