import pytest

from portal.management.commands.seed_demo import Command as SeedDemo


@pytest.fixture
def open_calls(db):
    """The Hauts-de-France texts ended in 2022: open them today with the demo extension."""
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
