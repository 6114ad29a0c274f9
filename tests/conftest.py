import pytest

from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of each test go to a temporary private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.QUARANTINE_ROOT = tmp_path / "quarantine"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def membership(db):
    return MembershipFactory()


@pytest.fixture
def agent_hdf(db):
    return RoleAssignmentFactory(region_code="HDF").user
