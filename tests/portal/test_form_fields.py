"""Every form of the portal is printed by one set of templates (portal/jinja2/portal/forms/): each
field has its label (or its legend), its help text and its errors tied to the widget by
aria-describedby, and a field in error is marked invalid, blank and with errors."""

import lxml.html
import pytest
from django import forms
from django.contrib.auth import get_user_model

from applications.forms import BankForm, ProjectForm
from applications.forms import ExpenseForm as DossierExpenseForm
from organisations.forms import OrganisationForm
from payments.forms import InvoiceForm, PaymentBankForm, ProviderChangeForm
from portal.form_renderer import PortalBoundField
from portal.templatetags.form_fields import as_field
from schemes.forms import ExpenseForm as SimulatorExpenseForm
from schemes.forms import SimulatorForm
from tests.applications.factories import DossierFactory

BAD = {
    "department": "not-a-department",
    "headcount": "-3",
    "turnover": "beaucoup",
    "amount": "abc",
    "months": "x",
    "quote_date": "31/02/2026",
    "issued_on": "hier",
    "paid_on": "demain",
    "iban": "FR00 0000",
    "bic": "??",
    "new_amount": "-1",
    "category": "nope",
    "mode": "nope",
    "expense_line": "999999",
    "bank_confirmed": "",
    "siret": "123",
}


def forms_to_check(dossier):
    """(name, make) pairs: `make(data)` builds a fresh form, bound to `data` or unbound."""
    return [
        ("simulator", lambda data: SimulatorForm(data)),
        ("simulator expense", lambda data: SimulatorExpenseForm(data)),
        (
            "project",
            lambda data: ProjectForm(data, scheme_code="IDF-CN2", expense_bases=["HT", "TTC"]),
        ),
        ("dossier expense", lambda data: DossierExpenseForm(data, categories=["hardware"])),
        ("bank step", lambda data: BankForm(data)),
        ("organisation", lambda data: OrganisationForm(data)),
        ("invoice", lambda data: InvoiceForm(data, dossier=dossier)),
        ("payment bank", lambda data: PaymentBankForm(data, dossier=dossier)),
        ("provider change", lambda data: ProviderChangeForm(data, dossier=dossier)),
    ]


def check_field(page, field, where: str) -> None:
    widget = field.field.widget
    if field.is_hidden:
        assert page.xpath(f'//input[@type="hidden"][@name="{field.html_name}"]'), where
        return
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        (group,) = page.xpath(f'//div[@id="div_{field.auto_id}"]/fieldset')
        assert group.xpath("legend")[0].text_content().strip().startswith(str(field.label)), where
        inputs = group.xpath(".//input")
        for one in inputs:
            assert page.xpath(f'//label[@for="{one.get("id")}"]'), where
        described = group.get("aria-describedby", "").split()
    else:
        (control,) = page.xpath(f'//*[@id="{field.id_for_label}"]')
        (label,) = page.xpath(f'//label[@for="{field.id_for_label}"]')
        assert label.text_content().strip().startswith(str(field.label)), where
        inputs = [control]
        described = control.get("aria-describedby", "").split()
    for target in described:
        assert page.xpath(f'//*[@id="{target}"]'), f"{where}: aria-describedby={target} missing"
    if field.help_text:
        assert f"{field.auto_id}_helptext" in described, where
    for one in inputs:
        if field.errors:
            assert one.get("aria-invalid") == "true" and "is-invalid" in one.get("class"), where
        else:
            assert one.get("aria-invalid") is None and "is-invalid" not in one.get("class"), where
    if field.errors:
        assert f"{field.auto_id}_error" in described, where
        shown = page.xpath(f'//*[@id="{field.auto_id}_error"]')[0].text_content()
        assert all(str(error) in shown for error in field.errors), where


@pytest.mark.parametrize("data", [None, BAD], ids=["blank", "with errors"])
def test_every_field_is_labelled_described_and_marked_invalid(db, data):
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    checked = errors = 0
    for name, make in forms_to_check(dossier):
        form = make(data)
        if data is not None:
            form.is_valid()
        page = lxml.html.fragment_fromstring(str(form), create_parent="div")
        for field in form:
            check_field(page, field, f"{name}.{field.name}")
            checked += 1
            errors += bool(field.errors)
    assert checked > 40
    assert (errors > 10) if data else errors == 0


def test_one_field_prints_the_same_through_the_filter_and_as_field_group(db):
    form = SimulatorForm({"headcount": "-3"})
    form.is_valid()
    assert as_field(form["headcount"]) == form["headcount"].as_field_group()
    assert 'class="invalid-feedback d-block"' in as_field(form["headcount"])


def test_a_form_error_that_belongs_to_no_field_is_shown_above_the_fields(db):
    class Form(forms.Form):
        name = forms.CharField(label="Nom")

        def clean(self):
            raise forms.ValidationError("Ces informations ne vont pas ensemble.")

    form = Form({"name": "x"})
    form.is_valid()
    html = str(form)
    assert html.index("Ces informations ne vont pas ensemble.") < html.index('for="id_name"')


def test_the_admin_widgets_keep_their_own_classes(admin_client):
    """The admin prints widgets alone: no Bootstrap class is added to them."""
    user = get_user_model().objects.get(is_superuser=True)
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    if page.status_code == 404:  # the user model is registered under its own app label
        page = admin_client.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    assert b"form-control" not in page.content and b"form-select" not in page.content


def test_bound_fields_of_every_form_are_the_portals(db):
    assert isinstance(SimulatorForm()["department"], PortalBoundField)
