"""`{% upload_limits %}`: the data- attributes of a file input that static/js/upload-check.js
reads to check a chosen file before it is sent, from the server's own settings."""

from django import template
from django.utils.html import format_html_join

from applications.uploads import browser_check_attrs

register = template.Library()


@register.simple_tag
def upload_limits():
    return format_html_join(" ", '{}="{}"', browser_check_attrs().items())
