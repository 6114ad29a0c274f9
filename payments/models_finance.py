"""The finance software's numbers, both ways: the budget imputation of each scheme (the region's
export profile), the supplier (tiers) and legal commitment (EJ) numbers of a dossier, and the
mandate of each payment read back from the software's return file."""

from django.conf import settings
from django.db import models


class BudgetImputation(models.Model):
    """Where a scheme's payments are charged in the region's budget (export profile)."""

    scheme = models.OneToOneField(
        "schemes.Scheme", on_delete=models.CASCADE, related_name="budget_imputation"
    )
    chapter = models.CharField("chapitre", max_length=10, blank=True)
    article = models.CharField("article (nature)", max_length=12, blank=True)
    function = models.CharField("fonction", max_length=10, blank=True)
    programme = models.CharField(
        "autorisation de programme ou d'engagement (AP/AE)", max_length=30, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "imputation budgétaire"
        verbose_name_plural = "imputations budgétaires"


class FinanceNumbers(models.Model):
    """The dossier as the finance software knows it: its supplier and its legal commitment."""

    dossier = models.OneToOneField(
        "applications.Dossier", on_delete=models.CASCADE, related_name="finance_numbers"
    )
    supplier_number = models.CharField("numéro de tiers", max_length=30, blank=True)
    commitment_number = models.CharField(
        "numéro d'engagement juridique (EJ)", max_length=30, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "numéros du logiciel financier"
        verbose_name_plural = "numéros du logiciel financier"


class PaymentMandate(models.Model):
    """A payment's mandate, read from the finance software's return file."""

    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.PROTECT, related_name="mandate"
    )
    number = models.CharField("numéro de mandat", max_length=30)
    paid_on = models.DateField("payé le")
    return_sha256 = models.CharField("SHA-256 du fichier de retour", max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "mandat"
