"""Form widgets rendered with Jinja2, which Django ships templates for, and Django templates for
the rest (the admin's widget wrappers exist only as Django templates).

Django renders every widget, and every <option> of a select, through its template engine; with
Django templates that was up to half the time of the pages with forms (simulator, dossier steps).
Jinja2 compiles templates to Python and renders the same HTML several times faster.
"""

from functools import cached_property

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
