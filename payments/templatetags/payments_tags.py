"""Payment data for the pages of lower apps (the applicant's dossier page, the agent's review page):
templates include the payments panels, which load these tags; Python of those apps never imports
payments."""

from django import template

from payments import selectors, services
from payments.enums import PaymentKind

register = template.Library()


@register.simple_tag
def payment_kinds(dossier) -> list[dict]:
    """What the beneficiary may ask for now: [{"code": "advance", "label": "Avance"}, ...]."""
    return [{"code": k, "label": PaymentKind(k).label} for k in services.request_kinds(dossier)]


@register.simple_tag
def payment_overview(dossier) -> dict:
    """Requests, payments, recovery orders, provider changes and the proof deadline of a dossier
    (payments.selectors.dossier_payment_overview)."""
    return selectors.dossier_payment_overview(dossier=dossier)
