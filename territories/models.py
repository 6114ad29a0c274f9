from django.core.exceptions import ValidationError
from django.db import models
from stdnum.fr import siret as siret_number


def validate_region_siret(value: str) -> None:
    if value and not siret_number.is_valid(value):
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (14 chiffres avec leur clé de contrôle).",
            code="siret",
        )


class Region(models.Model):
    """A funding region. `code` is stable (HDF, PDL, IDF); names are for display."""

    code = models.CharField("code", max_length=8, unique=True)
    name = models.CharField("nom", max_length=80)
    colour = models.CharField(
        "couleur", max_length=7, help_text="Couleur d'accent, contraste AA avec du texte blanc."
    )
    draft_retention_days = models.PositiveIntegerField(
        "conservation des brouillons (jours)",
        default=180,
        help_text="Un brouillon non modifié depuis ce délai est supprimé, après un avis deux semaines avant.",
    )
    dossier_retention_years = models.PositiveSmallIntegerField(
        "conservation des dossiers déposés (années)",
        default=10,
        help_text="Durée imposée par les règles de la comptabilité publique avant archivage ou suppression.",
    )

    siret = models.CharField(
        "SIRET du conseil régional",
        max_length=14,
        blank=True,
        validators=[validate_region_siret],
        help_text="Établissement siège au répertoire SIRENE : identifiant de l'attribuant dans les "
        "données ouvertes (SCDL). Vide : les aides de la région ne sont pas publiées.",
    )
    award_prefix = models.CharField(
        "préfixe des actes d'attribution",
        max_length=8,
        default="ARR",
        help_text="Début de la référence des décisions d'attribution : ARR (arrêté), DEL "
        "(délibération de la commission permanente)…",
    )
    court_name = models.CharField(
        "juridiction des recours",
        max_length=120,
        blank=True,
        help_text="Tribunal administratif compétent, tel qu'il est cité dans les voies de "
        "recours : « tribunal administratif de Lille ».",
    )
    court_address = models.CharField(
        "adresse de la juridiction",
        max_length=200,
        blank=True,
        help_text="Adresse postale du tribunal, sur une ligne.",
    )

    signatory_delegation = models.CharField(
        "formule de délégation des actes",
        max_length=120,
        default="Pour le Président et par délégation",
        help_text="Première ligne du bloc de signature des arrêtés et lettres, par exemple "
        "« Pour la Présidente et par délégation ».",
    )
    signatory_name = models.CharField(
        "nom du signataire des actes",
        max_length=120,
        blank=True,
        help_text="Prénom et nom de la personne qui signe par délégation les actes du portail.",
    )
    signatory_title = models.CharField(
        "qualité du signataire",
        max_length=200,
        blank=True,
        help_text="Par exemple « Directrice de l'économie et de l'innovation ».",
    )

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def accent(self) -> str:
        """The accent colour of the region's pages and documents."""
        return self.colour

    @property
    def court(self) -> str:
        """The court as the redress paragraphs cite it (with its address when known)."""
        name = self.court_name or "tribunal administratif territorialement compétent"
        return f"{name} ({self.court_address})" if self.court_address else name


class Department(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=80)
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
        help_text="Vide pour les départements des régions qui ne publient pas d'aide ici.",
    )

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
