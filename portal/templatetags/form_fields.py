"""`{{ form.field|as_field }}`: the field printed through the portal's field template, as
`{{ form.field.as_field_group }}` does (portal/form_renderer.py, portal/jinja2/portal/forms/).

Kept for the templates that still use the filter; new templates call `as_field_group`.
"""

from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def as_field(field: BoundField) -> SafeString:
    if not isinstance(field, BoundField):
        raise template.TemplateSyntaxError(
            f"as_field expects a form field, not {type(field).__name__}"
        )
    return field.as_field_group()
