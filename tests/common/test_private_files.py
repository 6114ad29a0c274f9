"""Private files through the storage API on an S3 store: streamed by the portal after the
permission check, or handed over as a short-lived pre-signed URL; never to someone without rights.

Against the S3 server .ci/run starts (TEST_S3_ENDPOINT_URL), or moto's in-process S3 otherwise.
"""

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.urls import reverse

from applications.services import dossier_submit
from common.files import is_object_store, move, walk
from portal.management.commands.seed_demo import Command as SeedDemo
from portal.settings import s3_storage_options
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3(settings):
    """The tests' S3 storage: the real server's bucket, or moto's in-process one."""
    if settings.TEST_S3_ENDPOINT_URL:
        yield
        return
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="aides-files")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    **s3_storage_options("aides-files", "prive"),
                    "region_name": "us-east-1",
                    "access_key": "testing",
                    "secret_key": "testing",
                },
            },
        }
        yield


@pytest.fixture
def dossier(s3):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = dossier.organisation.memberships.first().user
    return dossier_submit(user=member, dossier=dossier, sworn=True)


def open_url(dossier):
    attachment = dossier.attachments.first()
    return attachment, reverse("instruction:attachment", args=[dossier.pk, attachment.pk])


def test_files_are_objects_of_the_bucket(dossier):
    from django.core.files.storage import default_storage

    assert is_object_store(default_storage)
    names = list(walk(default_storage))
    assert sorted(names) == sorted(a.file.name for a in dossier.attachments.all())
    moved = move(names[0], "quarantine/essai.pdf")
    with default_storage.open(moved, "rb") as handle:
        assert handle.read() == PDF_BYTES
    assert not default_storage.exists(names[0])


def test_agent_gets_the_file_streamed_by_the_portal(client, dossier):
    attachment, url = open_url(dossier)
    client.force_login(RoleAssignmentFactory(role="agent", region_code="PDL").user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Cache-Control"] == "private, no-store"


def test_with_presigned_downloads_agent_is_sent_to_a_short_lived_signed_url(
    client, settings, dossier
):
    settings.S3_PRESIGNED_DOWNLOADS = True
    attachment, url = open_url(dossier)
    client.force_login(RoleAssignmentFactory(role="agent", region_code="PDL").user)
    response = client.get(url)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == [str(settings.S3_URL_EXPIRE)] and query["X-Amz-Signature"]
    assert "attachment" in query["response-content-disposition"][0]
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == PDF_BYTES
    # The object itself is not public: without the signature, refused.
    bare = response["Location"].split("?", 1)[0]
    assert requests.get(bare, timeout=10).status_code == 403


def test_agent_of_another_region_gets_no_file_and_no_url(client, settings, dossier):
    settings.S3_PRESIGNED_DOWNLOADS = True
    _, url = open_url(dossier)
    client.force_login(RoleAssignmentFactory(role="agent", region_code="HDF").user)
    response = client.get(url)
    assert response.status_code == 404
    assert "Location" not in response
