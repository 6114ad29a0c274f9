from django.conf import settings
from django.core.checks import Warning, register
from django.core.exceptions import ImproperlyConfigured


@register("security", deploy=True)
def audit_signing_key_check(app_configs, **kwargs):
    """Without a signing key the audit trail is not anchored: its tail could be lost unseen."""
    from audit.anchors import key_configured, signing_key

    if not key_configured():
        if getattr(settings, "AUDIT_SIGNING_KEY_AUTOGENERATE", False):
            return []
        return [
            Warning(
                "Aucune clé de signature du journal d'audit (AUDIT_SIGNING_KEY ou "
                "AUDIT_SIGNING_KEY_FILE) : les ancres signées ne sont pas écrites et la "
                "suppression des dernières entrées du journal passerait inaperçue.",
                hint="python manage.py anchor_audit --generate-key, puis rangez la clé dans "
                "le coffre des secrets et définissez AUDIT_SIGNING_KEY_FILE.",
                id="audit.W001",
            )
        ]
    try:
        signing_key()
    except ImproperlyConfigured as exc:
        return [Warning(str(exc), id="audit.W002")]
    return []
