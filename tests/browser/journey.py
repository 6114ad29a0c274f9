"""Shared steps of the journey tests (tests/browser/test_journey_*.py).

A journey drives the portal in Chromium as its people do (labels, buttons, the keyboard) and, on
every page it reaches, calls `visit_check(page)`: axe-core (WCAG 2.1 A/AA, 0 violations), the
WCAG 1.4.10 reflow check at 320 CSS px (the page never scrolls sideways) and no Python value
printed to the reader (`datetime.`, `Decimal(`, `None`, `True`, `False`).

These page checks are collected rather than raised at once, so that one journey reports every
page that fails them (and goes on to the steps after); so are the hindrances a person works
around (a field to type again, a CSP refusal in the console). `finish(page)` fails the test
listing them all. What the person relies on (amounts, lines kept, states, documents) is asserted
at once, as they would stop there.

Each page is checked once per journey (by URL path). The checks run at the desktop size
(1280 × 900); the reflow check resizes to 320 px and back.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD

REFLOW_WIDTH = 320
DESKTOP = {"width": 1280, "height": 900}
# A Python value shown as text: the repr of a date or a Decimal, or a bare None/True/False.
PYTHON_REPR = re.compile(r"datetime\.|Decimal\(|\bNone\b|\bTrue\b|\bFalse\b")
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def findings(page) -> list[str]:
    """The page-check failures collected so far on this page (one browser tab per journey)."""
    return page.__dict__.setdefault("_journey_findings", [])


def watch_console(page) -> None:
    """Records the Content-Security-Policy refusals the browser logs (issue 21, point 9)."""

    def on_console(message) -> None:
        if page.__dict__.get("_axe_running"):
            # axe-core inserts <style> elements to read the stylesheets (Django admin's
            # forms.css @import): the policy rightly refuses them; they are not the page's.
            return
        if message.type == "error" and "Content Security Policy" in message.text:
            findings(page).append(f"{page.url}: CSP console error: {message.text[:200]}")

    page.on("console", on_console)


def french(text: str) -> str:
    """Text as read: non-breaking and narrow non-breaking spaces read as spaces."""
    return " ".join(text.translate(SPACES).split())


def visible_text(page, selector: str = "body") -> str:
    return french(page.locator(selector).first.inner_text())


def text_of(locator) -> str:
    return french(locator.first.inner_text())


def header_text(page) -> str:
    """The page's header as read: its h1 and what follows it up to the first section."""
    return french(
        page.evaluate(
            """() => {
              const h1 = document.querySelector('main h1');
              if (!h1) return '';
              let text = h1.innerText;
              for (let n = h1.nextElementSibling; n && !['SECTION', 'H2'].includes(n.tagName);
                   n = n.nextElementSibling) text += ' ' + n.innerText;
              return text;
            }"""
        )
    )


def overflowing(page) -> list[str]:
    """The widest elements that stick out of a 320 px page (to say what to fix)."""
    return page.evaluate(
        """(limit) => {
          const out = [];
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > limit + 1 && r.width > 0) {
              const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.className && typeof el.className === 'string'
                   ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
              out.push([Math.round(r.right), name]);
            }
          }
          out.sort((a, b) => b[0] - a[0]);
          return out.slice(0, 3).map(([right, name]) => name + ' (' + right + ' px)');
        }""",
        REFLOW_WIDTH,
    )


def reflow_width(page) -> tuple[int, list[str]]:
    """The page's scroll width at 320 CSS px wide (then back to the desktop viewport)."""
    size = page.viewport_size or DESKTOP
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        culprits = overflowing(page) if width > REFLOW_WIDTH else []
    finally:
        page.set_viewport_size(size)
    return width, culprits


def visit_check(page) -> None:
    """Checks the page a person just reached: axe (0 violations), reflow at 320 px, no repr.

    Each page (URL path) is checked once per journey: a page reached again after a save shows
    the same template (the journey's own assertions check what changed).
    """
    page.wait_for_load_state()
    url = page.url
    path = urlsplit(url).path
    checked = page.__dict__.setdefault("_journey_checked", set())
    if path in checked:
        return
    checked.add(path)
    page.__dict__["_axe_running"] = True
    try:
        violations = axe_violations(page)
        page.evaluate("0")  # a round trip: the console messages axe caused are delivered first
    finally:
        page.__dict__["_axe_running"] = False
    for violation in violations:
        targets = "; ".join(
            ", ".join(str(t) for t in node["target"]) for node in violation["nodes"][:3]
        )
        findings(page).append(
            f"{url}: axe {violation['id']} ({violation.get('impact')}, "
            f"{len(violation['nodes'])} node(s)): {violation['help']} — at {targets}"
        )
    width, culprits = reflow_width(page)
    if width > REFLOW_WIDTH:
        findings(page).append(
            f"{url}: reflow: the page is {width} px wide at {REFLOW_WIDTH} px "
            f"(scrolls sideways; widest: {', '.join(culprits)})"
        )
    text = page.locator("main").first.inner_text() if page.locator("main").count() else ""
    for match in set(PYTHON_REPR.findall(text)):
        where = text.find(match)
        findings(page).append(
            f"{url}: Python value shown to the reader: {match!r} in "
            f"«{french(text[max(0, where - 60) : where + 40])}»"
        )


def form_errors(page) -> list[str]:
    """The error messages the page shows next to fields or at the top of a form."""
    selector = ".invalid-feedback, .alert-danger, .errorlist, [role=alert]"
    return [french(text) for text in page.locator(selector).all_inner_texts() if text.strip()]


def assert_reached(page, path_part: str, when: str) -> None:
    """The person expected to be on the next page; if not, says what the form refused."""
    assert path_part in page.url, (
        f"{when}: still on {page.url}, the page refused: {form_errors(page)}"
    )


def finish(page) -> None:
    """Fails the journey if any page it visited failed axe, reflow or showed a Python value."""
    found = findings(page)
    if found:
        pytest.fail(
            f"{len(found)} page check(s) failed along the journey:\n- " + "\n- ".join(found),
            pytrace=False,
        )


def goto(page, url: str) -> None:
    """Opens a URL typed or bookmarked by the person, then checks the page."""
    page.goto(url)
    visit_check(page)


def click(page, locator, *, check: bool = True) -> None:
    """Clicks a link or a button that loads a page, then checks the page reached."""
    with page.expect_navigation():
        locator.click()
    if check:
        visit_check(page)


def press_enter(page, locator, *, check: bool = True) -> None:
    """Submits with the keyboard: focus the control (as with Tab), then Enter."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if check:
        visit_check(page)


def login(page, base: str, email: str, password: str = PASSWORD) -> None:
    goto(page, f"{base}/comptes/login/")
    page.locator("input[name=login]").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    press_enter(page, page.get_by_label("Mot de passe"), check=False)
    page.wait_for_url(re.compile(r"/espace/$"))
    visit_check(page)


def logout(page) -> None:
    nav = page.get_by_role("navigation", name="Navigation principale")
    click(page, nav.get_by_role("button", name=re.compile("Se déconnecter")), check=False)


def nav_link(page, name) -> None:
    """Follows a link of the main navigation."""
    nav = page.get_by_role("navigation", name="Navigation principale")
    click(page, nav.get_by_role("link", name=name))


def open_from_queue(page, number: str) -> None:
    """The agent opens a dossier from the instruction queue (tab « Tous », then its number)."""
    nav_link(page, "Instruction")
    main = page.get_by_role("main")
    click(page, main.get_by_role("link", name=re.compile(r"^Tous\b")).first)
    click(page, main.get_by_role("link", name=number, exact=True))


def reload_until(page, listed: Callable[[], bool], *, timeout: float = 30) -> None:
    """Reloads the page until `listed()` holds, as a person refreshes to see a document the
    portal is still preparing (with a real Celery worker, acts are generated after the redirect).
    """
    deadline = time.monotonic() + timeout
    while not listed() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()


def download(page, locator) -> tuple[str, bytes]:
    """Clicks a document's link on the page; returns the file's name and bytes."""
    with page.expect_download() as info:
        locator.click()
    value = info.value
    with open(value.path(), "rb") as handle:
        content = handle.read()
    return value.suggested_filename, content


def assert_pdf(name_and_content: tuple[str, bytes], *, starts: str | None = None) -> None:
    name, content = name_and_content
    assert content[:5] == b"%PDF-", f"{name} is not a PDF: {content[:60]!r}"
    if starts:
        assert name.startswith(starts), name


def pdf_text(content: bytes) -> str:
    """The text of a PDF as read (pypdf, tests/pdf.py): to check what the document says."""
    from tests.pdf import pdf_text as read

    return french(read(content))
