"""In Chromium: an agent exports the filtered queue as a job — the confirmation page, the button
(keyboard), the status page with its progress bar, the file; back a step and asking again gives
the same job; every page passes axe, reflow at 320 px and shows no Python value."""

import csv
import io
import re

import pytest

from applications.services import dossier_submit
from portal.management.commands.seed_demo import Command as SeedDemo
from reporting.models import ExportJob
from tests.applications.factories import DossierFactory
from tests.browser.journey import (
    click,
    download,
    finish,
    login,
    nav_link,
    press_enter,
    reload_until,
)
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submitted(code: str):
    dossier = DossierFactory(scheme_code=code, complete=True)
    member = dossier.organisation.memberships.first().user
    return dossier_submit(user=member, dossier=dossier, sworn=True)


def test_agent_exports_the_queue_as_a_job(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossiers = [submitted("INAC"), submitted("INAC")]
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    base = live_server.url
    login(page, base, agent.email)
    nav_link(page, "Instruction")
    main = page.get_by_role("main")
    click(page, main.get_by_role("link", name=re.compile(r"^Tous\b")).first)
    click(page, main.get_by_role("link", name=re.compile(r"^CSV")))
    assert "Préparer le fichier CSV" in page.content()
    press_enter(page, page.get_by_role("button", name="Préparer le fichier CSV"))
    reload_until(page, lambda: "Télécharger" in page.content())
    assert page.locator("progress").get_attribute("value") == "100"
    name, content = download(page, page.get_by_role("link", name=re.compile("^Télécharger")))
    assert name.endswith(".csv")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(line[0] for line in lines[1:]) == sorted(d.number for d in dossiers)
    # Back a step and ask again: the same job, not a second one.
    page.go_back()
    press_enter(page, page.get_by_role("button", name="Préparer le fichier CSV"), check=False)
    assert ExportJob.objects.count() == 1
    finish(page)
