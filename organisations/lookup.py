"""Company lookup by SIRET, behind one adapter.

`ApiLookup` calls the public "API Recherche d'entreprises" with a timeout and caches answers;
`FixtureLookup` reads an offline file, for the tests and the demo. `get_lookup()` picks one from
settings.COMPANY_LOOKUP_BACKEND ("api" or "fixture").
"""

import json
import logging
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import requests
from django.conf import settings
from django.core.cache import cache

from organisations.enums import OrganisationKind
from territories.data import department_from_postal_code

logger = logging.getLogger(__name__)

FIXTURE_FILE = Path(__file__).parent / "fixtures" / "companies.json"

# INSEE "catégories juridiques" (level III) that the portal needs to name.
LEGAL_FORMS = {
    "1000": "EI",
    "5410": "SARL",
    "5415": "SARL",
    "5422": "SARL",
    "5426": "SARL",
    "5430": "SARL",
    "5458": "SCOP",
    "5460": "SARL",
    "5485": "SELARL",
    "5498": "EURL",
    "5499": "SARL",
    "5505": "SA",
    "5510": "SA",
    "5515": "SA",
    "5558": "SCOP",
    "5560": "SA",
    "5599": "SA",
    "5658": "SCOP",
    "5699": "SA",
    "5710": "SAS",
    "5720": "SASU",
    "5785": "SELAS",
    "9210": "ASSOCIATION",
    "9220": "ASSOCIATION",
    "9221": "ASSOCIATION",
    "9222": "ASSOCIATION",
    "9223": "GE",
    "9230": "ASSOCIATION",
    "9260": "ASSOCIATION",
    "7210": "COMMUNE",
    "7312": "COMMUNE",
    "7343": "CU",
    "7344": "METROPOLE",
    "7346": "CC",
    "7348": "CA",
    "7353": "SIVU",
    "7354": "SIVOM",
    "7355": "SYNDICAT MIXTE",
    "7356": "SYNDICAT MIXTE",
    "7357": "PETR",
    "7364": "EPT",
}

HEADCOUNT_BANDS = {
    "NN": "Unité non employeuse",
    "00": "0 salarié",
    "01": "1 ou 2 salariés",
    "02": "3 à 5 salariés",
    "03": "6 à 9 salariés",
    "11": "10 à 19 salariés",
    "12": "20 à 49 salariés",
    "21": "50 à 99 salariés",
    "22": "100 à 199 salariés",
    "31": "200 à 249 salariés",
    "32": "250 à 499 salariés",
    "41": "500 à 999 salariés",
    "42": "1 000 à 1 999 salariés",
    "51": "2 000 à 4 999 salariés",
    "52": "5 000 à 9 999 salariés",
    "53": "10 000 salariés et plus",
}


class CompanyLookupUnavailable(Exception):
    """The lookup service did not answer; the user can type the data instead."""

    message = (
        "Le service de recherche d'entreprises ne répond pas pour le moment. "
        "Vous pouvez saisir vous-même les informations de votre organisation."
    )


@dataclass
class CompanyInfo:
    siret: str
    name: str
    kind: str
    legal_form: str
    legal_form_code: str
    naf: str
    address: str
    postal_code: str
    city: str
    department: str
    created_on: date | None
    headcount_band: str
    is_ess: bool

    def as_initial(self) -> dict:
        return asdict(self)


def kind_from_legal_code(code: str) -> str:
    if code.startswith("92"):
        return OrganisationKind.ASSOCIATION
    if code in {"7210", "7312"}:
        return OrganisationKind.COMMUNE
    if code.startswith("73"):
        return OrganisationKind.INTERCOMMUNALITY
    return OrganisationKind.COMPANY


def parse_result(siret: str, result: dict) -> CompanyInfo:
    """Turn one result of the API Recherche d'entreprises into a CompanyInfo."""
    establishment = (
        next(
            (e for e in result.get("matching_etablissements") or [] if e.get("siret") == siret),
            None,
        )
        or result.get("siege")
        or {}
    )
    code = str(result.get("nature_juridique") or "")
    postal_code = establishment.get("code_postal") or ""
    created = result.get("date_creation")
    complements = result.get("complements") or {}
    return CompanyInfo(
        siret=siret,
        name=result.get("nom_raison_sociale") or result.get("nom_complet") or "",
        kind=kind_from_legal_code(code),
        legal_form=LEGAL_FORMS.get(code, ""),
        legal_form_code=code,
        naf=establishment.get("activite_principale") or result.get("activite_principale") or "",
        address=establishment.get("adresse") or "",
        postal_code=postal_code,
        city=establishment.get("libelle_commune") or "",
        department=establishment.get("departement") or department_from_postal_code(postal_code),
        created_on=date.fromisoformat(created) if created else None,
        headcount_band=HEADCOUNT_BANDS.get(result.get("tranche_effectif_salarie") or "", ""),
        is_ess=bool(complements.get("est_ess")),
    )


class FixtureLookup:
    """Answers from organisations/fixtures/companies.json (same format as the API)."""

    def find(self, siret: str) -> CompanyInfo | None:
        results = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))["results"]
        for result in results:
            sirets = {e.get("siret") for e in result.get("matching_etablissements") or []}
            sirets.add((result.get("siege") or {}).get("siret"))
            if siret in sirets:
                return parse_result(siret, result)
        return None


class ApiLookup:
    def find(self, siret: str) -> CompanyInfo | None:
        key = f"company-lookup:{siret}"
        cached = cache.get(key)
        if cached is not None:
            return parse_result(siret, cached) if cached else None
        try:
            response = requests.get(
                settings.COMPANY_LOOKUP_URL,
                params={"q": siret, "page": 1, "per_page": 1},
                timeout=settings.COMPANY_LOOKUP_TIMEOUT,
                headers={"Accept": "application/json"},
            )
            response.raise_for_status()
            results = response.json().get("results") or []
        except (requests.RequestException, ValueError) as exc:
            logger.warning("Company lookup failed for %s: %s", siret, exc)
            raise CompanyLookupUnavailable() from exc
        result = results[0] if results else {}
        cache.set(key, result, settings.COMPANY_LOOKUP_CACHE_SECONDS)
        return parse_result(siret, result) if result else None


def get_lookup():
    backend = settings.COMPANY_LOOKUP_BACKEND
    if backend == "fixture":
        return FixtureLookup()
    if backend == "api":
        return ApiLookup()
    raise ValueError(f"Unknown COMPANY_LOOKUP_BACKEND {backend!r}")
