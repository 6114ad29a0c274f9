"""Roles and the admin access they bring go through accounts.services (issue 17 point 7: no
business logic in Model.save())."""

import pytest

from accounts.enums import Role
from accounts.models import RoleAssignment
from accounts.services import role_assign, staff_access_grant
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db


def test_a_scheme_manager_gets_the_admin_access_once():
    person = UserFactory()
    assert not person.is_staff
    role_assign(user=person, role=Role.SCHEME_MANAGER, region=region("PDL"))
    role_assign(user=person, role=Role.SCHEME_MANAGER, region=region("PDL"))
    person.refresh_from_db()
    assert person.is_staff
    assert RoleAssignment.objects.filter(user=person).count() == 1


def test_an_agent_does_not_get_the_admin_access():
    person = UserFactory()
    role_assign(user=person, role=Role.AGENT, region=region("HDF"), scheme_codes=["INAC"])
    person.refresh_from_db()
    assert not person.is_staff
    assert RoleAssignment.objects.get(user=person).scheme_codes == ["INAC"]


def test_saving_a_role_row_alone_no_longer_changes_the_account():
    person = UserFactory()
    RoleAssignment.objects.create(user=person, role=Role.ADMIN)
    person.refresh_from_db()
    assert not person.is_staff  # the service decides, not Model.save()
    assert staff_access_grant(user=person) is True
    assert staff_access_grant(user=person) is False


def test_a_role_added_in_the_user_admin_gives_the_admin_access(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    person = UserFactory()
    client.force_login(superuser)
    url = f"/admin/accounts/user/{person.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in ("email", "first_name", "last_name", "is_active")
    }
    data.update(
        {
            "password": person.password,
            "date_joined_0": person.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-0-role": Role.SCHEME_MANAGER,
            "role_assignments-0-region": region("IDF").pk,
            "role_assignments-0-scheme_codes": "[]",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    person.refresh_from_db()
    assert person.is_staff
