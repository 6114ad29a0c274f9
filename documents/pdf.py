"""The one place the portal calls WeasyPrint: a template and its context in, PDF bytes out.

With `sign_as`, the act is signed by the region's certificate (documents.signing) when one is
configured: the template then gets `signed=True` and leaves room for the visible signature at the
element whose id is `SIGNATURE_ANCHOR`. Without a certificate the PDF is the unsigned one.
"""

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, URLFetcher

from documents import signing


class OfflineURLFetcher(URLFetcher):
    """Refuses every URL except inline `data:` ones: rendering never reaches the network or disk."""

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise ValueError(f"External resource refused while rendering a PDF: {url}")
        return super().fetch(url, headers)


def render_pdf(template: str, context: dict, *, sign_as: signing.Signatory | None = None) -> bytes:
    """Render `template` in French with `context` to tagged PDF bytes (no storage, no writes);
    signed for `sign_as` when the region has a certificate."""
    signer = signing.load_signer(sign_as.region_code) if sign_as is not None else None
    context = {
        **context,
        "signed": signer is not None,
        "signature_anchor": signing.SIGNATURE_ANCHOR,
    }
    with translation.override("fr"):
        html = render_to_string(template, context)
    page = HTML(string=html, url_fetcher=OfflineURLFetcher(timeout=1))
    if signer is None:
        return page.write_pdf(pdf_tags=True)
    document = page.render(pdf_tags=True)
    pdf = document.write_pdf(pdf_tags=True)
    placement = signing.placement_from_anchor(document)
    return signing.sign_pdf(pdf, signer=signer, signatory=sign_as, placement=placement)
