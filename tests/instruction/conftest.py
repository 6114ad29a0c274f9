import pytest

from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory
from tests.factories import RoleAssignmentFactory

REGION_OF = {"INAC": "HDF", "INESS": "HDF", "PDL-IN": "PDL", "IDF-CN2": "IDF"}


@pytest.fixture
def open_calls(db):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()


@pytest.fixture
def submitted(open_calls):
    """A submitted dossier of a scheme: `submitted("PDL-IN")`."""

    def make(code="PDL-IN"):
        return DossierFactory(scheme_code=code, submitted=True)

    return make


@pytest.fixture
def agent_of():
    def make(region_code="PDL", **kwargs):
        return RoleAssignmentFactory(role="agent", region_code=region_code, **kwargs).user

    return make
