"""The error summary of every form of the portal, written once in base.html.

`{% form_errors as form_errors %}` gathers the errors of the forms and formsets the view put in
the context (at the top level, or in a list, tuple or dict there); base.html then prefixes the
page's title with « Erreur : » and shows, at the top of the content, a summary that lists each
error as a link to its field and takes the focus (GOV.UK and DSFR error summary pattern; WCAG
3.3.1, RGAA 11.10).

A submission refused by a view that answers with an error message (a form written in the
template, an action button) gets the same treatment: `{% error_message as error_message %}` makes
the title start with « Erreur : » and the message take the focus.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms, template
from django.contrib.messages import ERROR
from django.forms.formsets import BaseFormSet

register = template.Library()

# Widgets whose label points to no single input: the link goes to their first choice.
FIRST_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@dataclass(frozen=True)
class FormError:
    label: str
    message: str
    anchor: str


def _field_anchor(field: forms.BoundField) -> str:
    widget = field.field.widget
    anchor = field.id_for_label or field.auto_id or ""
    if isinstance(widget, FIRST_CHOICE_WIDGETS) and field.auto_id:
        anchor = f"{field.auto_id}_0"
    return anchor


def _form_errors(form: forms.BaseForm) -> list[FormError]:
    if not form.is_bound or not form.errors:
        return []
    found = []
    visible = [f for f in form.visible_fields() if not f.field.disabled]
    first_anchor = _field_anchor(visible[0]) if visible else ""
    for message in form.non_field_errors():
        found.append(FormError(label="", message=message, anchor=first_anchor))
    for name, messages in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS:
            continue
        if name not in form.fields:
            found += [FormError(label="", message=m, anchor=first_anchor) for m in messages]
            continue
        field = form[name]
        anchor = first_anchor if field.is_hidden else _field_anchor(field)
        label = "" if field.is_hidden else str(field.label or "")
        found += [FormError(label=label, message=m, anchor=anchor) for m in messages]
    return found


def _formset_errors(formset: BaseFormSet) -> list[FormError]:
    if not formset.is_bound:
        return []
    found = []
    anchor = ""
    for number, form in enumerate(formset.forms, 1):
        for error in _form_errors(form):
            found.append(
                FormError(
                    label=f"Ligne {number}{' — ' + error.label if error.label else ''}",
                    message=error.message,
                    anchor=error.anchor,
                )
            )
        if not anchor and form.visible_fields():
            anchor = _field_anchor(form.visible_fields()[0])
    found += [FormError(label="", message=m, anchor=anchor) for m in formset.non_form_errors()]
    return found


def _candidates(value) -> Iterable:
    """The forms and formsets of a context value: itself, or those in its list, tuple or dict."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list | tuple):
        value = [value]
    return (item for item in value if isinstance(item, forms.BaseForm | BaseFormSet))


def errors_in(context_values: Iterable) -> list[FormError]:
    """The errors of the forms and formsets among the values, each form once, in order."""
    seen, errors = set(), []
    for value in context_values:
        for item in _candidates(value):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, BaseFormSet):
                errors += _formset_errors(item)
            else:
                errors += _form_errors(item)
    return errors


@register.simple_tag(takes_context=True)
def form_errors(context) -> list[FormError]:
    values = []
    for layer in context.dicts:
        values += [v for k, v in layer.items() if not k.startswith("_")]
    return errors_in(values)


@register.simple_tag(takes_context=True)
def error_message(context) -> bool:
    """Whether the page shows an error message (iterating keeps them for the page to show)."""
    messages = context.get("messages") or []
    return any(message.level >= ERROR for message in messages)
