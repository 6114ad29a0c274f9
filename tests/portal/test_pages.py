import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from organisations.models import Membership, Organisation
from territories.models import Department, Region
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, title",
    [
        ("portal:home", "Financez la transition numérique"),
        ("portal:legal_notice", "Mentions légales"),
        ("portal:accessibility", "partiellement conforme"),
        ("portal:personal_data", "Données personnelles"),
        ("account_login", "Connexion"),
        ("account_signup", "Création de compte"),
    ],
)
def test_public_pages_answer_in_french(client, name, title):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html


def test_space_requires_login(client):
    response = client.get(reverse("portal:space"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


@pytest.mark.parametrize(
    "role, section",
    [
        (Role.AGENT, "Instruction des dossiers"),
        (Role.FINANCE, "Paiements à valider"),
        (Role.SCHEME_MANAGER, "Gestion des dispositifs"),
    ],
)
def test_space_shows_the_sections_of_the_users_roles(client, role, section):
    user = RoleAssignmentFactory(role=role, region_code="PDL").user
    client.force_login(user)
    html = client.get(reverse("portal:space")).content.decode()
    assert section in html
    assert "Pays de la Loire" in html


def test_applicant_space_has_no_staff_sections(client, applicant):
    client.force_login(applicant)
    html = client.get(reverse("portal:space")).content.decode()
    assert "Mes organisations" in html
    assert "Instruction des dossiers" not in html
    assert "Paiements à valider" not in html


def test_regions_and_their_departments_are_seeded():
    assert set(Region.objects.values_list("code", flat=True)) == {"HDF", "PDL", "IDF"}
    assert sorted(Department.objects.filter(region__code="PDL").values_list("code", flat=True)) == [
        "44",
        "49",
        "53",
        "72",
        "85",
    ]
    assert Department.objects.get(code="2A").region is None


def test_seed_demo_is_idempotent_and_covers_every_role_and_region():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        RoleAssignment.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        RoleAssignment.objects.count(),
    )
    for region in Region.objects.all():
        for role in (Role.AGENT, Role.FINANCE, Role.SCHEME_MANAGER):
            assert RoleAssignment.objects.filter(role=role, region=region).exists()
    admin = User.objects.get(email="admin@demo.aides-numeriques.fr")
    assert admin.has_role(Role.ADMIN)
    assert admin.check_password("Demo-Aides-2026")


def test_private_files_are_never_served_as_static_or_media(client, settings):
    name = default_storage.save("dossiers/secret.pdf", ContentFile(b"%PDF-1.4 confidentiel"))
    assert str(settings.PRIVATE_MEDIA_ROOT) in default_storage.path(name)
    assert not str(default_storage.path(name)).startswith(str(settings.STATIC_ROOT))
    for url in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/private/{name}"):
        assert client.get(url).status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_role_assignment_requires_a_region_for_regional_roles():
    from django.core.exceptions import ValidationError

    assignment = RoleAssignment(user=User.objects.create_user("x@exemple.fr"), role=Role.AGENT)
    with pytest.raises(ValidationError):
        assignment.full_clean()
