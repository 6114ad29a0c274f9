"""The OpenAPI schema and the documentation page, served by the portal under a strict CSP."""

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_schema_is_json_with_the_paths(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/dossiers/",
        "/api/v1/dossiers/{number}/",
        "/api/v1/dossiers/{number}/transitions/",
        "/api/v1/decisions/",
        "/api/v1/payments/",
        "/api/v1/schemes/",
    ]:
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/dossiers/{number}/transitions/"]
    assert "post" not in schema["paths"]["/api/v1/dossiers/"]
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    parameters = {p["name"] for p in schema["paths"]["/api/v1/dossiers/"]["get"]["parameters"]}
    assert {"updated_since", "scheme", "state", "cursor"} <= parameters


@pytest.mark.django_db
def test_docs_page_has_no_inline_script_and_loads_local_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and ' style="' not in html
    assert "https://" not in html  # no CDN
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for src in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(src), src
