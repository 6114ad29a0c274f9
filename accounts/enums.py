from django.db import models


class Role(models.TextChoices):
    """Stable role codes; labels are for display only and never used in checks."""

    APPLICANT = "applicant", "Demandeur"
    AGENT = "agent", "Instructeur"
    FINANCE = "finance", "Agent financier"
    SCHEME_MANAGER = "scheme_manager", "Gestionnaire de dispositif"
    ADMIN = "admin", "Administrateur"


STAFF_ROLES = {Role.AGENT, Role.FINANCE, Role.SCHEME_MANAGER, Role.ADMIN}
REGION_SCOPED_ROLES = {Role.AGENT, Role.FINANCE, Role.SCHEME_MANAGER}
