"""Every form of the portal rendered one way: Django's form and field templates, written once for
Bootstrap 5 in Jinja2 (portal/jinja2/portal/forms/), and widgets rendered with Jinja2, which
Django ships templates for; Django templates for the rest (the admin's widget wrappers exist only
as Django templates).

A page prints a whole form with `{{ form }}` or one field with `{{ form.field.as_field_group }}`:
label (with the required mark), widget, errors and help text, the widget described by its help
text and its errors (`aria-describedby`, `aria-invalid`), radio buttons and checkbox lists in a
fieldset whose legend is the label. The error summary at the top of the page is base.html's
(portal/templatetags/error_summary.py); its links point to the ids these templates print.

Django renders every widget, and every <option> of a select, through its template engine; with
Django templates that was up to half the time of the pages with forms (simulator, dossier steps).
Jinja2 compiles templates to Python and renders the same HTML several times faster.

Every `<input type="date">` of the portal gets its value in ISO format (2026-12-02), whatever
its widget's `format`: a browser empties a date input whose value is not ISO, and Django's
DateInput formats dates the French way (02/12/2026) unless told otherwise.
"""

import datetime
import re
from functools import cached_property

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date_value(value):
    """A date input's value as the browser wants it: ISO, or unchanged when it is not a date."""
    if not isinstance(value, str) or not value or ISO_DATE.fullmatch(value):
        return value
    try:
        parsed = forms.DateField().to_python(value)
    except forms.ValidationError:
        return value  # what the person typed, shown back as it was
    return parsed.isoformat() if isinstance(parsed, datetime.date) else value


# The Bootstrap class of each kind of widget; the layout of its field group (field.html).
CHOICE_LIST_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def bootstrap_class(widget: forms.Widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, *CHOICE_LIST_WIDGETS)):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class PortalBoundField(BoundField):
    """A bound field that, once printed through the field template (`as_field_group`), gives its
    widget the Bootstrap classes (`form-control`, `form-select`, `form-check-input`, and
    `is-invalid` when it has errors). A widget that is only printed alone (`{{ form.field }}`,
    the admin's fields) keeps its own attributes."""

    in_field_group = False

    def as_field_group(self):
        self.in_field_group = True
        return super().as_field_group()

    @property
    def layout(self) -> str:
        """How field.html lays the field out: "hidden", "check", "choices" or "control"."""
        widget = self.field.widget
        if self.is_hidden:
            return "hidden"
        if isinstance(widget, CHOICE_LIST_WIDGETS):
            return "choices"
        if isinstance(widget, forms.CheckboxInput):
            return "check"
        return "control"

    @property
    def aria_describedby(self) -> str:
        """What describes the widget: what its own attrs name first (a list of limits on the
        page), then its help text and its errors (Django drops the latter two when the widget
        names its own)."""
        ids = (self.field.widget.attrs.get("aria-describedby") or "").split()
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
        return " ".join(dict.fromkeys(ids))

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.in_field_group and not widget.is_hidden:
            classes = (attrs.get("class") or widget.attrs.get("class") or "").split()
            wanted = [bootstrap_class(widget)] + (["is-invalid"] if self.errors else [])
            attrs["class"] = " ".join(classes + [c for c in wanted if c not in classes])
        return attrs


class FormRenderer(BaseRenderer):
    form_template_name = "portal/forms/div.html"
    field_template_name = "portal/forms/field.html"
    bound_field_class = PortalBoundField

    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict) and widget.get("type") == "date":
            widget["value"] = iso_date_value(widget.get("value"))
        return super().render(template_name, context, request=request)

    def get_template(self, template_name: str):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
