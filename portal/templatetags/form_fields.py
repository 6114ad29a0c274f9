"""`{{ form.field|as_field }}`: the markup of crispy-forms' `as_crispy_field` (Bootstrap 5 pack),
written out in Python for the common widgets.

crispy-forms renders each field through a Django template of some seventy lines of conditions;
on the simulator and the dossier steps, that was two thirds of the page's time, for thirty fields
or more. Text inputs, selects and single checkboxes get here the same HTML (tests/portal/
test_form_fields.py compares both on every form that uses this filter, with and without errors);
any other case (radio buttons, checkbox lists, files, multi-widgets, a form helper) goes to crispy.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CRISPY_ONLY = (forms.RadioSelect, forms.FileInput, forms.MultiWidget)


def _add_classes(widget: forms.Widget, classes: str) -> None:
    """As crispy's {% crispy_field %}: the widget's class name, then the Bootstrap classes."""
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    for extra in classes.split():
        if extra not in css.split():
            css += f" {extra}"
    widget.attrs["class"] = css


def _errors_and_help(field: BoundField) -> SafeString:
    parts = []
    if field.errors:
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                field.errors.field_id,
                format_html_join(
                    "",
                    '<p id="error_{}_{}"><strong>{}</strong></p>',
                    ((n, field.auto_id, error) for n, error in enumerate(field.errors, 1)),
                ),
            )
        )
    if field.help_text:
        help_id = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        parts.append(
            format_html('<div {}class="form-text">{}</div>', help_id, mark_safe(field.help_text))
        )
    return mark_safe("".join(parts))


def _required_mark(field: BoundField) -> SafeString:
    return mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""


@register.filter
def as_field(field: BoundField) -> SafeString:
    if (
        not isinstance(field, BoundField)
        or isinstance(field.field.widget, CRISPY_ONLY)
        or getattr(field.form, "helper", None) is not None
    ):
        return as_crispy_field(field)  # which also says what is wrong with a non-field
    widget = field.field.widget
    if field.is_hidden:
        return SafeString(str(field))
    required = " requiredField" if field.field.required else ""
    extra = f" {field.css_classes()}" if field.css_classes() else ""
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, forms.CheckboxInput):
        _add_classes(widget, f"form-check-input{invalid}")
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}'
            '<label for="{}" class="form-check-label{}">{}{}</label>{}</div></div>',
            field.auto_id,
            extra,
            str(field),
            field.id_for_label,
            required,
            field.label,
            _required_mark(field),
            _errors_and_help(field),
        )
    if isinstance(widget, forms.Select):
        _add_classes(widget, f"form-select{invalid}")
    else:
        _add_classes(widget, f"form-control{invalid}")
    label = ""
    if field.label:
        label = format_html(
            '<label {}class="form-label{}">{}{}</label>',
            format_html('for="{}" ', field.id_for_label) if field.id_for_label else "",
            required,
            field.label,
            _required_mark(field),
        )
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        field.auto_id,
        extra,
        label,
        str(field),
        _errors_and_help(field),
    )
