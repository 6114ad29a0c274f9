"""`{% company_certificates dossier %}`: the certificates fetched from API Entreprise, with their
source and freshness, for the agent's review page (instruction includes it: templates are not
imports)."""

from django import template

from applications.certificates import certificates_apply, certificates_overview

register = template.Library()


@register.inclusion_tag("applications/_company_certificates.html")
def company_certificates(dossier):
    if not certificates_apply(dossier):
        return {"rows": [], "dossier": dossier}
    return {"rows": certificates_overview(dossier), "dossier": dossier}
