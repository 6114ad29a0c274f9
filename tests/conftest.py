import os
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory


@pytest.fixture(scope="session")
def _s3_bucket():
    """With TEST_S3_ENDPOINT_URL, the tests' bucket on the S3 server (created once)."""
    from django.conf import settings

    if not settings.TEST_S3_ENDPOINT_URL:
        return None
    import boto3

    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    if options["bucket_name"] not in existing:
        client.create_bucket(Bucket=options["bucket_name"])
    return options["bucket_name"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path, _s3_bucket):
    """Uploaded files of each test go to a temporary private folder, or, against an S3 server
    (TEST_S3_ENDPOINT_URL), to a prefix of the bucket of their own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    options = {"location": tmp_path / "private", "base_url": None}
    if _s3_bucket:
        prefix = f"{tmp_path.name}-{uuid.uuid4().hex[:8]}"
        options = {**settings.STORAGES["default"]["OPTIONS"], "location": prefix}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }


@pytest.fixture(autouse=True)
def _audit_anchors(settings, tmp_path):
    """Signed audit anchors of each test go to their own file (the chain starts empty too)."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit-anchors.jsonl"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached lookups never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


FROZEN_TODAY = date(2026, 6, 15)


@pytest.fixture
def frozen_today(time_machine):
    """Today is 15/06/2026 (Paris) whatever day the suite runs, for the tests whose expectations
    depend on the date (deadlines counted in years, the current year's open data, the day's
    figures): the clock is frozen at 10:00 that day and ticks on from there (time-machine).
    Request it before the fixtures that create data, or with `usefixtures` on the module."""
    time_machine.move_to(datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))
    return FROZEN_TODAY


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


# Property tests: deterministic in CI (a red CI must be reproducible), no per-example deadline
# (a loaded 2-core machine is slow, not wrong).
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")
