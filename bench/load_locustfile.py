"""Locust scenario of bench/load.py: applicants, agents and finance officers on a live portal.

Run by bench/load.py (`locust -f bench/load_locustfile.py --headless …`); it needs the demo
accounts of `manage.py seed_demo` (password Demo-Aides-2026) and, for the staff, a portal started
with STAFF_OTP_REQUIRED=0 (no second factor during the load test).

Each virtual user sends its requests from its own loopback address (127.0.0.2, 127.0.0.3, …) to
the portal on 127.0.0.1, like users behind distinct addresses: allauth limits logins to 30 a minute
per IP address, which 50 users starting within seconds from one address would exceed. Requests
are named by route ("/instruction/ [queue]") so that the statistics group by page; redirects are
not followed, and any status but the expected one counts as a failure.
"""

import itertools
import os
import random
import re
import sys
from pathlib import Path

# bench/ holds queue.py, which would shadow the standard library's `queue`.
_BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH_DIR]

from locust import HttpUser, between, events, task  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402

PASSWORD = "Demo-Aides-2026"
DOMAIN = "demo.aides-numeriques.fr"
REGIONS = ["hdf", "pdl", "idf"]
SCHEMES = {"hdf": ["INAC", "INESS"], "pdl": ["PDL-IN"], "idf": ["IDF-CN2"]}
QUEUE_STATES = ["submitted", "in_instruction", "complements_requested", "admissible"]
SEARCH_WORDS = ["Dupré", "Hélène", "Moreau", "Château", "Lumière", "Garnier", "Océan"]
# A valid test IBAN/BIC (the one of the test suite's factories).
BANK = {"iban": "FR7630006000011234567890189", "bic": "AGRIFRPPXXX"}
SIMULATION = {
    "kind": "company",
    "legal_form": "SARL",
    "naf": "47.71Z",
    "headcount": "4",
    "turnover": "380000",
    "registered_rcs": "on",
    "project_certified": "on",
    "tax_social_up_to_date": "on",
    "expense_basis": "HT",
    "other_public_funding": "0",
    "filed_on": "2022-05-10",
    "expenses-TOTAL_FORMS": "2",
    "expenses-INITIAL_FORMS": "0",
    "expenses-MIN_NUM_FORMS": "0",
    "expenses-MAX_NUM_FORMS": "30",
    "expenses-0-category": "ecommerce_site",
    "expenses-0-amount": "6000",
    "expenses-0-mode": "purchase",
    "expenses-1-category": "hardware",
    "expenses-1-amount": "1200",
    "expenses-1-mode": "purchase",
    "expenses-1-device": "computer",
}

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_addresses = itertools.count(2)
_claimed_validations: set[str] = set()  # one validation per certified request, whole run


# Every request, for bench/load.py's own statistics (whole run and steady state).
_EVENTS = os.environ.get("BENCH_LOAD_EVENTS")
_record = open(_EVENTS, "a", buffering=1, encoding="utf-8") if _EVENTS else None  # noqa: SIM115


@events.request.add_listener
def record_request(request_type, name, response_time, exception=None, start_time=None, **_):
    if _record is not None:
        failed = 1 if exception else 0
        _record.write(f"{start_time:.3f}\t{request_type}\t{name}\t{response_time:.1f}\t{failed}\n")


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a given local address (a loopback alias: 127.0.0.0/8 is all local)."""

    def __init__(self, address: str, **kwargs) -> None:
        self.source_address = (address, 0)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = self.source_address
        return super().init_poolmanager(*args, **kwargs)


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    account_prefix = ""

    def on_start(self) -> None:
        number = next(_addresses)
        address = f"127.0.{(number // 250) % 250}.{2 + number % 250}"
        adapter = SourceAddressAdapter(address)
        self.client.mount("http://", adapter)
        self.region = REGIONS[number % len(REGIONS)]
        self.login(f"{self.account_prefix}.{self.region}@{DOMAIN}")

    # --- helpers ---------------------------------------------------------------------------------

    def page(self, path: str, name: str, *, params=None, expect: int = 200, contains: str = ""):
        """GET without following redirects; a failure unless the status (and text) is expected."""
        with self.client.get(
            path, params=params, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                location = response.headers.get("Location", "")
                response.failure(f"status {response.status_code} {location}".strip())
            elif contains and contains not in response.text:
                response.failure(f"{contains!r} not in the page")
            else:
                response.success()
            return response

    def post(self, path: str, name: str, data: dict, *, referer: str, expect=(302,), **kwargs):
        with self.client.post(
            path,
            data=data,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + referer, **kwargs.pop("headers", {})},
            **kwargs,
        ) as response:
            if response.status_code not in expect:
                response.failure(f"status {response.status_code}: {response.text[:200]!r}")
            else:
                response.success()
            return response

    @staticmethod
    def csrf(response) -> str:
        match = CSRF_RE.search(response.text or "")
        return match.group(1) if match else ""

    def login(self, email: str) -> None:
        form = self.page("/comptes/login/", "/comptes/login/ [form]")
        response = self.post(
            "/comptes/login/",
            "/comptes/login/ [POST]",
            {"csrfmiddlewaretoken": self.csrf(form), "login": email, "password": PASSWORD},
            referer="/comptes/login/",
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or "login" in location:
            raise RuntimeError(f"login of {email} failed: {response.status_code} {location}")


class Applicant(PortalUser):
    """Browses the portal and files: home, own dossiers, a step, the simulator, a draft save."""

    weight = 6
    account_prefix = "demandeur"

    def on_start(self) -> None:
        super().on_start()
        listing = self.page("/dossiers/", "/dossiers/ [mes dossiers]")
        self.dossiers, self.drafts = [], []
        for row in (listing.text or "").split("<tr>"):
            match = re.search(r'href="/dossiers/(\d+)/"', row)
            if match:
                self.dossiers.append(match.group(1))
                if "Compléter et déposer" in row:
                    self.drafts.append(match.group(1))
        self.department = ""

    @task(3)
    def home(self) -> None:
        self.page("/", "/ [home]", contains="Aides numériques")

    @task(3)
    def my_dossiers(self) -> None:
        self.page("/dossiers/", "/dossiers/ [mes dossiers]")

    @task(4)
    def dossier(self) -> None:
        if self.dossiers:
            pk = random.choice(self.dossiers)
            self.page(f"/dossiers/{pk}/", "/dossiers/<id>/ [dossier]")

    @task(3)
    def step(self) -> None:
        if self.drafts:
            pk = random.choice(self.drafts)
            self.page(f"/dossiers/{pk}/projet/", "/dossiers/<id>/projet/ [step]")

    @task(2)
    def simulator(self) -> None:
        form = self.page("/dispositifs/simulateur/", "/dispositifs/simulateur/ [form]")
        if not self.department:
            match = re.search(r'<option value="(\d+)"[^>]*>[^<]*\b59\b', form.text or "")
            self.department = match.group(1) if match else ""
        data = {**SIMULATION, "department": self.department}
        data["csrfmiddlewaretoken"] = self.csrf(form)
        response = self.post(
            "/dispositifs/simulateur/",
            "/dispositifs/simulateur/ [POST]",
            data,
            referer="/dispositifs/simulateur/",
            expect=(200,),
        )
        if response.status_code == 200 and "€" not in (response.text or ""):
            response.failure("no estimate in the simulator's answer")

    @task(2)
    def save_draft(self) -> None:
        if not self.drafts:
            return
        pk = random.choice(self.drafts)
        form = self.page(f"/dossiers/{pk}/banque/", "/dossiers/<id>/banque/ [step]")
        response = self.post(
            f"/dossiers/{pk}/banque/",
            "/dossiers/<id>/banque/ [save draft]",
            {**BANK, "account_holder": "Charge test", "csrfmiddlewaretoken": self.csrf(form)},
            referer=f"/dossiers/{pk}/banque/",
            expect=(200,),
            headers={"X-Requested-With": "autosave"},
        )
        if response.status_code == 200 and '"ok": true' not in response.text.replace(
            '"ok":true', '"ok": true'
        ):
            response.failure(f"draft not saved: {response.text[:200]!r}")


class Agent(PortalUser):
    """Works the queue: first page, a filtered page, a search, a review page, an export."""

    weight = 3
    account_prefix = "instructeur"

    def on_start(self) -> None:
        super().on_start()
        self.reviews: list[str] = []
        self.queue()

    def _collect(self, response) -> None:
        found = re.findall(r'href="/instruction/dossiers/(\d+)/"', response.text or "")
        if found:
            self.reviews = found[:50]

    @task(4)
    def queue(self) -> None:
        self._collect(self.page("/instruction/", "/instruction/ [queue]"))

    @task(3)
    def filtered(self) -> None:
        params = {
            "scheme": random.choice(SCHEMES[self.region]),
            "state": random.choice(QUEUE_STATES),
            "tab": "all",
            "sort": random.choice(["-submitted_at", "amount", "organisation"]),
        }
        self._collect(self.page("/instruction/", "/instruction/?filters [filtered]", params=params))

    @task(2)
    def search(self) -> None:
        params = {"q": random.choice(SEARCH_WORDS), "tab": "all"}
        self.page("/instruction/", "/instruction/?q= [search]", params=params)

    @task(4)
    def review(self) -> None:
        if self.reviews:
            pk = random.choice(self.reviews)
            self.page(f"/instruction/dossiers/{pk}/", "/instruction/dossiers/<id>/ [review]")

    @task(1)
    def export(self) -> None:
        # Occasionally: the CSV of one scheme's dossiers to decide (a filtered export).
        params = {"format": "csv", "tab": "to_decide", "scheme": SCHEMES[self.region][0]}
        self.page("/instruction/export/", "/instruction/export/ [csv]", params=params)


class FinanceOfficer(PortalUser):
    """Reads the finance queue, the batches and the dashboard; validates certified requests."""

    weight = 1
    account_prefix = "finance"

    @task(4)
    def finance_queue(self) -> None:
        response = self.page("/paiements/finance/", "/paiements/finance/ [finance queue]")
        for pk in re.findall(r'action="/paiements/finance/(\d+)/valider/"', response.text or ""):
            key = f"{self.host}|{pk}"
            if key in _claimed_validations:
                continue
            _claimed_validations.add(key)  # gevent: no other user runs between these lines
            self.post(
                f"/paiements/finance/{pk}/valider/",
                "/paiements/finance/<id>/valider/ [validate]",
                {"csrfmiddlewaretoken": self.csrf(response)},
                referer="/paiements/finance/",
            )

    @task(2)
    def batches(self) -> None:
        self.page("/paiements/finance/lots/", "/paiements/finance/lots/ [batches]")

    @task(2)
    def dashboard(self) -> None:
        self.page("/paiements/tableau-de-bord/", "/paiements/tableau-de-bord/ [dashboard]")
