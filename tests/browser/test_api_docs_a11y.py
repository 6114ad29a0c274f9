"""The API documentation page: 0 axe violations (Swagger UI had 22), and it reflows at 320 px."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_page_is_accessible(live_server, page):
    page.goto(live_server.url + "/api/v1/docs/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Documentation de l'API")
    # Every endpoint of the API is documented, and the objects it returns.
    expect(page.locator("#dossiers_list")).to_contain_text("GET /api/v1/dossiers/")
    expect(
        page.locator("h3", has_text="POST /api/v1/dossiers/{number}/transitions/")
    ).to_be_visible()
    expect(page.locator("#objet-DossierDetail")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
