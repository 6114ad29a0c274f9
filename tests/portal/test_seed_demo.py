"""The newcomer's path: `make demo` ends with a summary, and every demo applicant can start a
dossier on each scheme of its region; the README says what the demo holds."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.selectors import open_dossiers_by_pair
from applications.services import dossier_create
from organisations.models import Organisation
from portal.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD
from schemes.models import Scheme
from territories.models import Region

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
REGIONS = ("HDF", "PDL", "IDF")


@pytest.fixture
def seeded(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(BASE / "var" / "mail")
    out = io.StringIO()
    call_command("seed_demo", url="http://127.0.0.1:8001/", stdout=out)
    return out.getvalue()


def test_seed_demo_ends_with_a_short_summary(seeded):
    lines = seeded.rstrip().splitlines()
    summary = "\n".join(lines[lines.index(next(x for x in lines if "Démonstration prête" in x)) :])
    assert len(summary.splitlines()) <= 14, summary
    assert lines[-1].startswith("Arrêter le portail")
    assert "Portail : http://127.0.0.1:8001/" in summary
    assert f"Mot de passe de tous les comptes : {DEMO_PASSWORD}" in summary
    for region in REGIONS:
        assert f"demandeur.{region.lower()}@{DEMO_DOMAIN}" in summary
    assert "manage.py demo_otp ADRESSE" in summary
    assert "Courriels envoyés : un fichier par message dans var/mail/" in summary


@pytest.mark.parametrize("region_code", REGIONS)
def test_each_applicant_can_start_a_dossier_on_every_scheme_of_its_region(seeded, region_code):
    today = timezone.localdate()
    applicant = User.objects.get(email=f"demandeur.{region_code.lower()}@{DEMO_DOMAIN}")
    organisations = list(Organisation.objects.for_user(applicant).select_related("department"))
    in_progress = open_dossiers_by_pair(organisations)
    schemes = Scheme.objects.open_on(today).filter(region__code=region_code)
    assert schemes.exists()
    for scheme in schemes.prefetch_related("call_periods"):
        free = [
            o
            for o in organisations
            if o.region
            and o.region.pk == scheme.region_id
            and o.kind in scheme.applicant_kinds
            and (o.pk, scheme.pk) not in in_progress
        ]
        assert free, f"{applicant.email} cannot start a {scheme.code} dossier"
        # And the portal agrees: the dossier opens.
        dossier = dossier_create(user=applicant, organisation=free[0], scheme=scheme, today=today)
        assert dossier.number.startswith(scheme.code)


def test_readme_says_how_many_organisations_each_applicant_has(seeded):
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    for region in Region.objects.filter(code__in=REGIONS):
        email = f"demandeur.{region.code.lower()}@{DEMO_DOMAIN}"
        count = Organisation.objects.filter(memberships__user__email=email).count()
        row = next(line for line in readme.splitlines() if f"`{email}`" in line)
        assert f"{count} organisations" in row, (email, count, row)


def test_readme_says_how_to_change_the_port_and_where_the_mails_go():
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    assert "make demo PORT=8001" in readme
    assert "var/mail/" in readme
    assert "courriels affichés dans la console" not in readme
    assert "`/paiements/`" in readme


def test_readme_urls_are_pages_of_the_portal(client, seeded):
    """Every portal path the README names answers (no 404), e.g. the payments home."""
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`(/[a-z0-9\-/]*/)`", readme)) - {"/admin/"}
    assert "/paiements/" in paths
    client.force_login(User.objects.get(email=f"finance.pdl@{DEMO_DOMAIN}"))
    for path in sorted(paths):
        assert client.get(path).status_code != 404, path
    assert reverse("payments:home") == "/paiements/"


def test_make_demo_takes_a_port_and_writes_mails_under_var():
    dry_run = subprocess.run(
        # --no-print-directory: under `make test` this make is a sub-make, which would print
        # « Entering/Leaving directory » lines around the commands.
        ["make", "-n", "--no-print-directory", "demo", "PORT=8001"],
        cwd=BASE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "seed_demo --url http://127.0.0.1:8001/" in dry_run
    assert "runserver 127.0.0.1:8001" in dry_run
    assert f"EMAIL_FILE_PATH={BASE}/var/mail" in dry_run
    last = [line for line in dry_run.splitlines() if line.strip()][-1]
    assert "runserver" in last


def test_seed_demo_runs_twice_on_the_same_database(seeded, settings):
    """`make demo` a second time: the demo rule extensions already exist (published), the second
    run leaves them as they are instead of failing."""
    from schemes.models import RuleVersion

    before = list(RuleVersion.objects.filter(is_demo=True).values_list("ident", "parameters"))
    assert before
    # The rules the demo extensions copied were corrected since (as migration 0006 did): the
    # published demo extensions stay as they were.
    for ident, _ in before:
        code = ident.split("/")[0]
        source = (
            RuleVersion.objects.filter(scheme__code=code, is_demo=False)
            .order_by("valid_from")
            .last()
        )
        RuleVersion.objects.filter(pk=source.pk).update(
            parameters={**source.parameters, "corrected": True}
        )
    out = io.StringIO()
    call_command("seed_demo", url="http://127.0.0.1:8001/", stdout=out)
    assert "Démonstration prête" in out.getvalue()
    after = list(RuleVersion.objects.filter(is_demo=True).values_list("ident", "parameters"))
    assert sorted(after) == sorted(before)
