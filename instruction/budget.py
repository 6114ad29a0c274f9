"""Budget envelopes seen from decisions: what is committed is the sum of the aids awarded."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from applications.enums import AWARDED_STATES
from applications.models import Dossier
from schemes.models import BudgetEnvelope, Scheme

# Once awarded, an aid stays committed through its payment (a reopening frees it).
COMMITTED_STATES = AWARDED_STATES  # the old name, for existing callers


@dataclass(frozen=True)
class EnvelopeUse:
    envelope: BudgetEnvelope
    committed: Decimal

    @property
    def available(self) -> Decimal:
        return self.envelope.voted_amount - self.committed


def committed_amount(*, scheme: Scheme, year: int) -> Decimal:
    total = Dossier.objects.filter(
        scheme=scheme, state__in=AWARDED_STATES, review__decided_at__year=year
    ).aggregate(total=Sum("awarded_amount"))["total"]
    return total or Decimal("0")


def envelope_use(*, scheme: Scheme, year: int, lock: bool = False) -> EnvelopeUse | None:
    """The envelope and what is committed on it. With `lock`, the envelope row is locked
    (SELECT ... FOR UPDATE) first, so the committed sum is read after any concurrent award
    holding the lock has committed: call it inside the award's transaction."""
    envelopes = BudgetEnvelope.objects.filter(scheme=scheme, year=year)
    if lock:
        envelopes = envelopes.select_for_update()
    envelope = envelopes.order_by("pk").first()
    if envelope is None:
        return None
    return EnvelopeUse(envelope=envelope, committed=committed_amount(scheme=scheme, year=year))


def envelope_refusal(*, scheme: Scheme, year: int, amount: Decimal, lock: bool = False) -> str:
    """Why an award of `amount` cannot be committed this year, or "" when it can.

    The award passes `lock=True` inside its transaction: the check and the award then commit
    together, and a second award waits for the first before it reads what is left."""
    use = envelope_use(scheme=scheme, year=year, lock=lock)
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
