from django.db import models


class OrganisationKind(models.TextChoices):
    COMPANY = "company", "Entreprise"
    ASSOCIATION = "association", "Association"
    COMMUNE = "commune", "Commune"
    INTERCOMMUNALITY = "intercommunality", "Groupement de communes"


class MemberRole(models.TextChoices):
    OWNER = "owner", "Responsable"
    MEMBER = "member", "Membre"
