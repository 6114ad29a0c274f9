"""French formats for amounts and links from rule citations to their source texts."""

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html

from schemes.core.fmt import NBSP, fr_eur, fr_number

register = template.Library()

SOURCES_DIR = Path(__file__).resolve().parent.parent / "sources"


@register.filter
def euros(value, decimals: int = 2) -> str:
    """1234.125 -> "1 234,13 €": the portal's one amount format (schemes.core.fmt.fr_eur)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return fr_eur(amount, int(decimals))


@register.filter
def percent(value) -> str:
    """0.4 -> "40 %"."""
    amount = Decimal(str(value)) * 100
    text = f"{amount.normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"


@register.filter
def plain(value) -> str:
    """Any rule parameter as a person reads it: « Oui », « Non », 01/11/2021, 200 000, lists and
    records spelled out, « — » for a value the text does not set; never a Python repr."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | int | float):
        amount = Decimal(str(value))
        places = max(0, -amount.normalize().as_tuple().exponent)
        return fr_number(amount, places)
    if isinstance(value, dict):
        if "label" in value:
            return plain(value["label"])
        return " ; ".join(f"{key} : {plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return " ; ".join(plain(item) for item in value) if value else "—"
    return str(value)


def source_document_exists(document: str) -> bool:
    if not document or "/" in document or len(document) > 200:
        return False
    try:
        return (SOURCES_DIR / document).is_file()
    except (OSError, ValueError):  # a name the file system refuses (NUL, too long)
        return False


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
