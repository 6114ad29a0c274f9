"""Flag figures computed by a demo rule version (an extension without legal basis)."""

from django import template

from schemes.models import RuleVersion

register = template.Library()


@register.filter
def is_demo_rules(ident) -> bool:
    """True when `ident` names a rule version marked « extension de démonstration »."""
    if not ident:
        return False
    return RuleVersion.objects.filter(ident=str(ident), is_demo=True).exists()
