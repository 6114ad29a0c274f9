"""Security headers on every page, and templates that a strict Content-Security-Policy allows."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PDF_TEMPLATES = re.compile(r"/pdf/")  # rendered by WeasyPrint, never served to a browser


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal:home", "account_login", "schemes:simulator"])
def test_pages_carry_the_security_headers(client, name):
    response = client.get(reverse(name))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def served_templates():
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or PDF_TEMPLATES.search(str(path)):
            continue
        yield path


@pytest.mark.parametrize("path", list(served_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_style_or_handler(path):
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), (
        "inline <script> (blocked by the CSP)"
    )
    assert not re.search(r"\sstyle=\"", html), "inline style attribute (blocked by the CSP)"
    assert not re.search(r"<style[\s>]", html), "inline <style> element (blocked by the CSP)"
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handler (blocked by the CSP)"
