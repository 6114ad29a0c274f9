"""The Django admin works under the portal's Content-Security-Policy (issue 21, point 9).

A call period's change page (date fields with the admin's calendar widget; rule versions are
read-only in the admin since issue 18) is opened in Chromium
as a superuser: no CSP violation is reported (the browser's `securitypolicyviolation` events and
its console), and the calendar opens next to the date field.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.browser

VIOLATIONS_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def test_admin_change_page_with_a_date_field_has_no_csp_violation(
    live_server, browser_context, page, reference_data
):
    from accounts.models import User
    from schemes.models import CallPeriod, Scheme

    version, _ = CallPeriod.objects.get_or_create(
        scheme=Scheme.objects.get(code="INAC"), opens_on="2030-01-01"
    )
    admin = User.objects.create_superuser("admin-csp@exemple.fr", "mot-de-passe-solide-1")
    client = Client()
    client.force_login(admin)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(VIOLATIONS_PROBE)

    response = page.goto(f"{live_server.url}/admin/schemes/callperiod/{version.pk}/change/")
    assert response.status == 200
    assert (
        "unsafe-inline"
        not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    page.wait_for_load_state("load")
    # The admin's calendar shortcut next to the first date field, then its calendar.
    page.locator("#id_opens_on").wait_for()
    page.locator(".datetimeshortcuts a").first.wait_for()
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    calendar = page.locator(".calendarbox").first
    calendar.wait_for(state="visible")
    assert calendar.is_visible()

    violations = page.evaluate("window.__cspViolations")
    # The other pages of call periods: history (simple_history), the list, the add form.
    base = f"{live_server.url}/admin/schemes/callperiod/"
    for url in [f"{base}{version.pk}/history/", base, f"{base}add/"]:
        assert page.goto(url).status == 200, url
        page.wait_for_load_state("load")
        violations += [f"{url}: {line}" for line in page.evaluate("window.__cspViolations")]
    blocked = [line for line in console if "Content Security Policy" in line]
    assert not violations and not blocked, "\n".join([*violations, *blocked])
