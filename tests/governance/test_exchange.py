"""Rules as data (issue 18 point 6): export a version as JSON or YAML and import it back,
validated like the editor."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schemes.enums import RuleStatus
from schemes.models import RuleVersion
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(RoleAssignmentFactory(role="scheme_manager", region_code="PDL").user)
    return client


def _export(client, fmt):
    version = RuleVersion.objects.get(ident="PDL-IN/2019-01-01")
    response = client.get(reverse("governance:export", args=["PDL-IN", version.pk, fmt]))
    assert response.status_code == 200
    return version, response.content


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_then_import_gives_the_same_rules(manager_client, fmt):
    version, content = _export(manager_client, fmt)
    upload = SimpleUploadedFile(f"pdl.{fmt}", content)
    response = manager_client.post(
        reverse("governance:import", args=["PDL-IN"]), {"document": upload}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = RuleVersion.objects.filter(status=RuleStatus.DRAFT).get()
    assert draft.as_core().parameters == version.as_core().parameters
    assert draft.valid_from == date(2019, 1, 1) and not draft.is_demo


def test_import_of_invalid_rules_is_refused_in_french_on_the_parameter(manager_client):
    _, content = _export(manager_client, "yaml")
    text = content.decode().replace("value: '0.50'", "value: '1.5'", 1)
    assert text != content.decode()
    upload = SimpleUploadedFile("pdl.yaml", text.encode())
    response = manager_client.post(
        reverse("governance:import", args=["PDL-IN"]), {"document": upload}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Taux d&#x27;aide : le taux doit être supérieur à 0" in page
    assert "(paramètre « rate »)" in page
    assert not RuleVersion.objects.filter(status=RuleStatus.DRAFT).exists()


def test_import_of_another_schemes_rules_is_refused(manager_client):
    _, content = _export(manager_client, "json")
    upload = SimpleUploadedFile("inac.json", content.replace(b'"PDL-IN"', b'"INAC"', 1))
    page = manager_client.post(
        reverse("governance:import", args=["PDL-IN"]), {"document": upload}
    ).content.decode()
    assert "Ce fichier décrit les règles du dispositif « INAC », pas de PDL-IN." in page


def test_import_of_unreadable_file_is_refused(manager_client):
    upload = SimpleUploadedFile("x.yaml", b"\xff\xfe")
    page = manager_client.post(
        reverse("governance:import", args=["PDL-IN"]), {"document": upload}
    ).content.decode()
    assert "encodé en UTF-8" in page
