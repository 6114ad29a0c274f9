"""Form widgets rendered with Jinja2, which Django ships templates for, and Django templates for
the rest (the admin's widget wrappers exist only as Django templates).

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


class FormRenderer(BaseRenderer):
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
