"""French formats for amounts and links from rule citations to their source texts."""

from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

SOURCES_DIR = Path(__file__).resolve().parent.parent / "sources"
NBSP = "\u00a0"


@register.filter
def euros(value, decimals: int = 2) -> str:
    """1234.5 -> "1 234,50 €" (non-breaking spaces, French decimal comma)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.{int(decimals)}f}".replace(",", NBSP).replace(".", ",")
    return f"{text}{NBSP}€"


@register.filter
def percent(value) -> str:
    """0.4 -> "40 %"."""
    amount = Decimal(str(value)) * 100
    text = f"{amount.normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"


def source_document_exists(document: str) -> bool:
    return bool(document) and "/" not in document and (SOURCES_DIR / document).is_file()


@register.simple_tag
def source_link(source) -> str:
    """A citation as a link to its text, highlighting the passage when the browser can."""
    if isinstance(source, dict):
        document, passage = source.get("document", ""), source.get("passage", "")
    elif hasattr(source, "document"):
        document, passage = source.document, source.passage
    else:
        document, _, passage = str(source).partition(", ")
    if not source_document_exists(document):
        return format_html("{}{}", document, f", {passage}" if passage else "")
    url = reverse("schemes:source_text", args=[document])
    fragment = ""
    quoted = passage.strip('«» "')
    if quoted and len(quoted) > 12:
        fragment = "#:~:text=" + quote(quoted[:80])
    return format_html('<a href="{}{}">{}</a>, {}', url, fragment, document, passage)
