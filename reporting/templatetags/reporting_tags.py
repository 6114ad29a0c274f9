"""Reporting data for the pages of lower apps (the agent's review page): the include
`reporting/_deminimis_panel.html` loads these tags; instruction's Python never imports reporting."""

from decimal import Decimal

from django import template
from django.utils import timezone

from reporting.deminimis import de_minimis_summary, is_concerned

register = template.Library()


def _this_aid(dossier) -> Decimal | None:
    """The aid of the dossier: awarded, else proposed by the agent, else the engine's estimate."""
    if dossier.awarded_amount is not None:
        return dossier.awarded_amount
    review = getattr(dossier, "review", None)
    if review is not None and review.proposed_award is not None:
        return review.proposed_award
    estimate = (dossier.result or {}).get("award")
    try:
        return Decimal(str(estimate)) if estimate not in (None, "") else None
    except ArithmeticError:
        return None


@register.simple_tag
def de_minimis_panel(dossier) -> dict:
    """The beneficiary's de minimis summary at the filing date (today before filing), and the
    total with this dossier's aid: {"concerned", "summary", "this_aid", "total_with", ...}."""
    if not is_concerned(dossier):
        return {"concerned": False}
    on = dossier.filed_on or timezone.localdate()
    summary = de_minimis_summary(dossier.organisation, on)
    if summary is None:
        return {"concerned": True, "summary": None, "on": on}
    this_aid = _this_aid(dossier)
    total_with = summary.total + (this_aid or Decimal("0"))
    return {
        "concerned": True,
        "on": on,
        "summary": summary,
        "this_aid": this_aid,
        "total_with": total_with,
        "remaining_with": summary.ceiling - total_with,
        "exceeded_with": total_with > summary.ceiling,
        "overflow": total_with - summary.ceiling,
    }
