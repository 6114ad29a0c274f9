"""The impact of a draft on dossiers: every dossier of the scheme not yet decided whose filing
date falls in the draft's validity, re-simulated under the rules in force and under the draft;
and the same what-if over the dossiers filed in the last twelve months."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from applications.enums import DossierState as S
from applications.models import Dossier
from applications.situation import dossier_situations
from governance.golden import versions_with
from instruction.budget import committed_amount
from schemes import core
from schemes.core.fmt import add_months
from schemes.models import BudgetEnvelope, RuleVersion
from schemes.selectors import rule_versions

# Filed and not decided yet: the draft would apply to them if published.
UNDECIDED = [
    S.SUBMITTED,
    S.IN_INSTRUCTION,
    S.COMPLEMENTS_REQUESTED,
    S.ADMISSIBLE,
    S.PROPOSED,
    S.ON_AGENDA,
]
BATCH = 2000
ZERO = Decimal("0")


@dataclass
class Tally:
    dossiers: int = 0
    to_ineligible: int = 0
    to_eligible: int = 0
    up: int = 0
    down: int = 0
    unchanged: int = 0
    before: Decimal = ZERO
    after: Decimal = ZERO
    examples: list = field(default_factory=list)

    def add(self, number: str, old: dict, new: dict) -> None:
        self.dossiers += 1
        old_ok, new_ok = bool(old.get("eligible")), bool(new.get("eligible"))
        old_award = Decimal(str(old.get("award") or "0")) if old_ok else ZERO
        new_award = Decimal(str(new.get("award") or "0")) if new_ok else ZERO
        self.before += old_award
        self.after += new_award
        if old_ok and not new_ok:
            self.to_ineligible += 1
        elif new_ok and not old_ok:
            self.to_eligible += 1
        if new_award > old_award:
            self.up += 1
        elif new_award < old_award:
            self.down += 1
        else:
            self.unchanged += 1
        if (old_ok != new_ok or old_award != new_award) and len(self.examples) < 20:
            self.examples.append(
                {"number": number, "before": str(old_award), "after": str(new_award)}
            )

    def as_json(self) -> dict:
        return {
            "dossiers": self.dossiers,
            "to_ineligible": self.to_ineligible,
            "to_eligible": self.to_eligible,
            "up": self.up,
            "down": self.down,
            "unchanged": self.unchanged,
            "before": str(self.before),
            "after": str(self.after),
            "change": str(self.after - self.before),
            "examples": self.examples,
        }


def pending_dossiers(version: RuleVersion):
    """Undecided dossiers of the scheme filed within the draft's validity."""
    query = Dossier.objects.filter(
        scheme_id=version.scheme_id, state__in=UNDECIDED, filed_on__gte=version.valid_from
    )
    if version.valid_to:
        query = query.filter(filed_on__lte=version.valid_to)
    return query


def recent_dossiers(version: RuleVersion, today: date):
    """Dossiers of the scheme filed in the twelve months before `today` (the what-if)."""
    return Dossier.objects.filter(
        scheme_id=version.scheme_id,
        filed_on__gte=add_months(today, -12),
        filed_on__lte=today,
    ).exclude(state=S.DRAFT)


def _run(
    version: RuleVersion,
    today: date,
    current,
    draft: core.RuleVersion,
    progress: Callable[[int], None],
) -> tuple[Tally, Tally]:
    """Each dossier of either population is read and simulated once under the rules in force
    and once under the draft; the pending count takes the draft only where, published, it
    would apply (a later scheduled version may take over)."""
    pending_ids = set(pending_dossiers(version).values_list("pk", flat=True))
    recent_ids = set(recent_dossiers(version, today).values_list("pk", flat=True))
    ids = sorted(pending_ids | recent_ids)
    scheduled = [*current, draft]
    anywhere = versions_with(draft)
    pending, recent = Tally(), Tally()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        pairs = dossier_situations(Dossier.objects.filter(pk__in=chunk))
        situations = [situation for _, situation in pairs]
        before = core.simulate(situations, versions=current) if situations else []
        after = core.simulate(situations, versions=anywhere) if situations else []
        for (dossier, situation), old, new in zip(pairs, before, after, strict=True):
            number = dossier.number or str(dossier.pk)
            if dossier.pk in recent_ids:
                recent.add(number, old, new)
            if dossier.pk in pending_ids:
                applies = core.select_version(scheduled, draft.scheme, dossier.filed_on)
                if applies is not None and applies.ident != draft.ident:
                    new = core.simulate(situation, versions=scheduled)
                pending.add(number, old, new)
        progress(len(chunk))
    return pending, recent


def count_targets(version: RuleVersion, today: date) -> int:
    """Dossiers to read and simulate (each once, whether pending, recent or both)."""
    return (pending_dossiers(version) | recent_dossiers(version, today)).distinct().count()


def compute_impact(
    version: RuleVersion, *, today: date, progress: Callable[[int], None] = lambda n: None
) -> dict:
    draft = version.as_core()
    current = list(rule_versions())
    pending, recent = _run(version, today, current, draft, progress)
    year = max(today, version.valid_from).year
    envelope = BudgetEnvelope.objects.filter(scheme_id=version.scheme_id, year=year).first()
    committed = committed_amount(scheme=version.scheme, year=year)
    voted = envelope.voted_amount if envelope else None
    budget = {
        "year": year,
        "voted": None if voted is None else str(voted),
        "committed": str(committed),
        "pending_before": str(pending.before),
        "pending_after": str(pending.after),
        "remaining_before": None if voted is None else str(voted - committed - pending.before),
        "remaining_after": None if voted is None else str(voted - committed - pending.after),
    }
    return {"pending": pending.as_json(), "recent": recent.as_json(), "budget": budget}
