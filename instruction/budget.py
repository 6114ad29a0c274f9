"""Budget envelopes seen from decisions: what is committed is the sum of the aids awarded."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from applications.enums import DossierState as S
from applications.models import Dossier
from schemes.models import BudgetEnvelope, Scheme

# Once awarded, an aid stays committed through its payment (a reopening frees it).
COMMITTED_STATES = [S.ACCEPTED, S.ADVANCE_PAID, S.CLOSED]


@dataclass(frozen=True)
class EnvelopeUse:
    envelope: BudgetEnvelope
    committed: Decimal

    @property
    def available(self) -> Decimal:
        return self.envelope.voted_amount - self.committed


def committed_amount(*, scheme: Scheme, year: int) -> Decimal:
    total = Dossier.objects.filter(
        scheme=scheme, state__in=COMMITTED_STATES, review__decided_at__year=year
    ).aggregate(total=Sum("awarded_amount"))["total"]
    return total or Decimal("0")


def envelope_use(*, scheme: Scheme, year: int) -> EnvelopeUse | None:
    envelope = BudgetEnvelope.objects.filter(scheme=scheme, year=year).first()
    if envelope is None:
        return None
    return EnvelopeUse(envelope=envelope, committed=committed_amount(scheme=scheme, year=year))


def envelope_refusal(*, scheme: Scheme, year: int, amount: Decimal) -> str:
    """Why an award of `amount` cannot be committed this year, or "" when it can."""
    use = envelope_use(scheme=scheme, year=year)
    if use is None:
        return (
            f"Aucune enveloppe budgétaire n'est ouverte pour {scheme.code} en {year} : "
            "un gestionnaire du dispositif doit la créer avant toute attribution."
        )
    if amount > use.available:
        from schemes.templatetags.aides import euros

        return (
            f"L'enveloppe budgétaire {year} de {scheme.code} est insuffisante : il reste {euros(use.available)} "
            f"pour une aide de {euros(amount)}. Un gestionnaire du dispositif doit relever l'enveloppe."
        )
    return ""
