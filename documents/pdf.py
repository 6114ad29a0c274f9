"""The one place the portal calls WeasyPrint: a template and its context in, PDF bytes out."""

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, URLFetcher


class OfflineURLFetcher(URLFetcher):
    """Refuses every URL except inline `data:` ones: rendering never reaches the network or disk."""

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise ValueError(f"External resource refused while rendering a PDF: {url}")
        return super().fetch(url, headers)


def render_pdf(template: str, context: dict) -> bytes:
    """Render `template` in French with `context` to tagged PDF bytes (no storage, no writes)."""
    with translation.override("fr"):
        html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=OfflineURLFetcher(timeout=1)).write_pdf(pdf_tags=True)
