from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def support_email() -> str:
    """The address people write to when a message does not arrive (settings.SUPPORT_EMAIL)."""
    return settings.SUPPORT_EMAIL
