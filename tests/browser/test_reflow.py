"""Reflow at 320 CSS px (WCAG 1.4.10): no page of the portal scrolls sideways.

At 390 px « Mes dossiers » was 687 px wide and the queue 930 px. Wide tables now scroll inside
their own region (`.table-scroll`, labelled by the caption, focusable). This test opens, in
Chromium at 320 px, one page of every kind the URL conf lists (the same walk as
tests/portal/test_no_python_values.py) as a visitor and as each role of a region, and measures
`document.documentElement.scrollWidth`.
"""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.management.commands.seed_demo import DEMO_DOMAIN
from tests.portal.test_no_python_values import pages_to_read, sample_kwargs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 320
READERS = ["visiteur", "demandeur.hdf", "instructeur.hdf", "finance.pdl", "gestionnaire.idf"]

MEASURE = """() => {
  const width = document.documentElement.scrollWidth;
  const wide = [];
  if (width > window.innerWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > window.innerWidth + 1 && !el.closest('.table-scroll')) {
        wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
          ' right=' + Math.round(box.right));
      }
      if (wide.length > 6) break;
    }
  }
  return {width, wide};
}"""


def one_page_of_each_kind(client: Client) -> list[str]:
    """The first URL of each pattern that shows this reader an HTML page."""
    urls = []
    for name, kwargs in pages_to_read():
        for params in sample_kwargs(name, kwargs):
            url = reverse(name, kwargs=params)
            response = client.get(url)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                urls.append(url)
                break
    return urls


@pytest.fixture
def demo(reference_data):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("reader", READERS)
def test_no_page_scrolls_sideways_at_320_px(live_server, browser_context, demo, reader):
    client = Client()
    if reader != "visiteur":
        client.force_login(User.objects.get(email=f"{reader}@{DEMO_DOMAIN}"))
        cookie = client.cookies["sessionid"]
        browser_context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )
    urls = one_page_of_each_kind(client)
    assert len(urls) >= 8, urls
    page = browser_context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    faults = []
    for url in urls:
        page.goto(live_server.url + url)
        measure = page.evaluate(MEASURE)
        if measure["width"] > WIDTH:
            faults.append(f"{url}: {measure['width']} px — {', '.join(measure['wide'])}")
        regions = page.locator(".table-scroll")
        for index in range(regions.count()):
            region = regions.nth(index)
            label = region.get_attribute("aria-labelledby")
            assert region.get_attribute("role") == "region", url
            assert region.get_attribute("tabindex") == "0", url
            assert label and page.locator(f"[id='{label}']").count() == 1, (url, label)
    assert not faults, "\n".join(faults)


def test_every_table_of_the_templates_uses_the_scroll_region():
    """The one pattern, everywhere: a table sits directly in a labelled `.table-scroll`."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR).glob("**/templates/**/*.html"):
        # PDFs and e-mails are not pages; the Django admin keeps its own layout.
        if {".venv", "pdf", "emails", "email", "admin"} & set(path.parts) or "pdf" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            before = text[: match.start()].rstrip()
            opening = re.search(r"<div[^>]*>$", before)
            if not (opening and 'class="table-scroll"' in opening.group(0)):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
            elif 'role="region"' not in opening.group(0) or "aria-labelledby" not in opening.group(
                0
            ):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert not offenders, offenders
