"""Flag figures computed by a demo rule version (an extension without legal basis)."""

from django import template

from schemes import selectors

register = template.Library()


@register.filter
def is_demo_rules(ident) -> bool:
    """True when `ident` names a rule version marked « extension de démonstration »."""
    return selectors.is_demo_rules(ident)
