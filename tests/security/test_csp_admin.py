"""The Content-Security-Policy: the Django admin's one addition under /admin/, nowhere else."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/login/",
        "/admin/schemes/ruleversion/",
        "/admin/schemes/callperiod/add/",
        "/admin/schemes/scheme/1/history/",
    ],
)
def test_admin_pages_allow_style_attributes_and_nothing_more(url, superuser_client):
    policy = directives(superuser_client.get(url))
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    # Scripts, <style> elements and everything else stay as strict as on the portal.
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.parametrize(
    "url", ["/", "/dispositifs/", "/dispositifs/simulateur/", "/comptes/login/", "/adminx/"]
)
def test_other_pages_keep_the_strict_policy(url, superuser_client):
    response = superuser_client.get(url)
    policy = directives(response)
    assert "style-src-attr" not in policy
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["style-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
