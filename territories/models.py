from django.db import models


class Region(models.Model):
    """A funding region. `code` is stable (HDF, PDL, IDF); names are for display."""

    code = models.CharField("code", max_length=8, unique=True)
    name = models.CharField("nom", max_length=80)
    colour = models.CharField(
        "couleur", max_length=7, help_text="Couleur d'accent, contraste AA avec du texte blanc."
    )

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
