"""What each agent makes of the queue: the columns shown, filters saved (and shared with the
team), coloured labels on dossiers (« à relancer », « prêt pour la commission »)."""

from django.conf import settings
from django.db import models


class LabelColour(models.TextChoices):
    """A fixed palette: dark text on light backgrounds (contrast above 7:1), the name always
    printed next to the colour (colour is never the only cue)."""

    GREY = "grey", "gris"
    BLUE = "blue", "bleu"
    GREEN = "green", "vert"
    YELLOW = "yellow", "jaune"
    ORANGE = "orange", "orange"
    RED = "red", "rouge"
    PURPLE = "purple", "violet"


class QueueLabel(models.Model):
    """A label of a region's team: every agent of the region sees and uses it."""

    region = models.ForeignKey(
        "territories.Region", on_delete=models.CASCADE, related_name="queue_labels"
    )
    name = models.CharField("nom", max_length=40)
    colour = models.CharField(
        "couleur", max_length=10, choices=LabelColour.choices, default=LabelColour.BLUE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "étiquette"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_label_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class DossierLabel(models.Model):
    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="labels"
    )
    label = models.ForeignKey(QueueLabel, on_delete=models.CASCADE, related_name="dossiers")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "étiquette d'un dossier"
        verbose_name_plural = "étiquettes des dossiers"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "label"], name="one_label_once_per_dossier")
        ]
        indexes = [models.Index(fields=["label", "dossier"], name="dossierlabel_label_idx")]


class SavedFilter(models.Model):
    """A search of the queue kept under a name: the agent's own, or shared with the region."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_filters"
    )
    region = models.ForeignKey(
        "territories.Region", null=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("nom", max_length=80)
    query = models.CharField("paramètres", max_length=1000)
    shared = models.BooleanField("partagé avec l'équipe", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "filtre enregistré"
        verbose_name_plural = "filtres enregistrés"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_filter_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class QueuePreference(models.Model):
    """The columns an agent chose to see in the queue (in the order of the list)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="queue_preference",
    )
    columns = models.JSONField("colonnes", default=list)

    class Meta:
        verbose_name = "colonnes de la file"
        verbose_name_plural = "colonnes de la file"
