"""Conflicts of interest: the one rule every money and instruction action asks before it acts.

A person may not act on a dossier's money, nor instruct it, when they are already a party to it:
- a member of the beneficiary organisation (its own aid);
- the dossier's instructing agent (for the finance side: validating, batching, recovery);
- the agent who certified the service fait (for the finance side);
- the person who asked for the payment (or who filed the dossier, for the award).

Which of these relations conflict depends on the action: the instructing agent certifies the
service fait and awards the aid (that is their job), finance must be someone else. The table
`CONFLICTS` says it once; services call `check_conflict` (raises) or `conflict_of_interest`
(allowed, French reason) for display. The objects are read by attribute, so any app above
`organisations` (instruction, payments) passes its dossier and payment request.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied

from organisations.models import Membership


class Action(StrEnum):
    INSTRUCT = "instruct"  # take, review, propose (the agent's work on a dossier)
    AWARD = "award"  # accept the dossier or record the commission's vote
    CERTIFY = "certify"  # service fait on a payment request
    VALIDATE = "validate"  # finance validates a payment
    BATCH = "batch"  # finance puts payments in a batch or exports (freezes) it
    RECOVERY = "recovery"  # finance records the titre de recette's reimbursement


class Relation(StrEnum):
    MEMBER = "member"
    INSTRUCTING_AGENT = "instructing_agent"
    CERTIFIER = "certifier"
    REQUESTER = "requester"


ALL = frozenset(Relation)
# For each action, the relations that forbid it. Absent pairs are the person's own duty:
# the instructing agent certifies the service fait and awards; the certifier certifies again
# after a send-back. The finance side is always someone with no part in the dossier.
CONFLICTS: dict[Action, frozenset[Relation]] = {
    Action.INSTRUCT: frozenset({Relation.MEMBER, Relation.REQUESTER}),
    Action.AWARD: frozenset({Relation.MEMBER, Relation.REQUESTER}),
    Action.CERTIFY: frozenset({Relation.MEMBER, Relation.REQUESTER}),
    Action.VALIDATE: ALL,
    Action.BATCH: ALL,
    Action.RECOVERY: ALL,
}

ACTION_PHRASES = {
    Action.INSTRUCT: "instruire ce dossier",
    Action.AWARD: "attribuer cette aide",
    Action.CERTIFY: "certifier le service fait de cette demande",
    Action.VALIDATE: "valider ce paiement",
    Action.BATCH: "mettre ce paiement en lot",
    Action.RECOVERY: "enregistrer ce reversement",
}

# Who must act instead: the start of the message's last sentence.
WHO_ELSE = {
    Action.INSTRUCT: "Un autre instructeur",
    Action.AWARD: "Un autre instructeur",
    Action.CERTIFY: "Un autre instructeur",
    Action.VALIDATE: "Un autre agent financier",
    Action.BATCH: "Un autre agent financier",
    Action.RECOVERY: "Un autre agent financier",
}

REASONS = {
    Relation.MEMBER: "vous êtes membre de l'organisation bénéficiaire ({organisation})",
    Relation.INSTRUCTING_AGENT: "vous avez instruit ce dossier",
    Relation.CERTIFIER: "vous avez certifié le service fait",
    Relation.REQUESTER: "vous avez vous-même fait la demande",
}


@dataclass(frozen=True)
class Parties:
    """Who already has a part in a dossier (ids of users; the organisation's id)."""

    organisation_id: int | None
    organisation_name: str = ""
    instructing_agent_id: int | None = None
    certifier_id: int | None = None
    requester_id: int | None = None


def parties_of(dossier, request=None) -> Parties:
    """The parties of `dossier` and, when given, of its payment request (read by attribute)."""
    review = getattr(dossier, "review", None)  # a missing review raises an AttributeError
    organisation = getattr(dossier, "organisation", None)
    if request is not None:
        requester = request.requested_by_id
    else:
        requester = getattr(dossier, "submitted_by_id", None)
    return Parties(
        organisation_id=dossier.organisation_id,
        organisation_name=str(organisation) if organisation is not None else "",
        instructing_agent_id=getattr(review, "agent_id", None),
        certifier_id=getattr(request, "certified_by_id", None),
        requester_id=requester,
    )


def member_organisation_ids(user) -> set[int]:
    """The organisations `user` belongs to: read once for a list page, passed as `member_of`."""
    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def relations(user, parties: Parties, *, member_of: set[int] | None = None) -> list[Relation]:
    """Every part `user` already has in the dossier, in the order of `Relation`."""
    if user is None or not user.is_authenticated:
        return []
    found = []
    if parties.organisation_id is not None:
        if member_of is None:
            member = Membership.objects.filter(
                user=user, organisation_id=parties.organisation_id
            ).exists()
        else:
            member = parties.organisation_id in member_of
        if member:
            found.append(Relation.MEMBER)
    for relation, user_id in (
        (Relation.INSTRUCTING_AGENT, parties.instructing_agent_id),
        (Relation.CERTIFIER, parties.certifier_id),
        (Relation.REQUESTER, parties.requester_id),
    ):
        if user_id is not None and user_id == user.pk:
            found.append(relation)
    return found


def conflict_of_interest(
    user, action: Action, parties: Parties, *, member_of: set[int] | None = None
) -> tuple[bool, str]:
    """(allowed, why): why is a French sentence naming the conflict and who must act instead."""
    action = Action(action)
    for relation in relations(user, parties, member_of=member_of):
        if relation in CONFLICTS[action]:
            reason = REASONS[relation].format(organisation=parties.organisation_name or "—")
            return False, (
                f"Conflit d'intérêts : {reason}, vous ne pouvez pas {ACTION_PHRASES[action]}. "
                f"{WHO_ELSE[action]} de la Région doit s'en charger."
            )
    return True, ""


def check_conflict(user, action: Action, dossier, request=None) -> None:
    """Raise PermissionDenied (French message) when `user` has a conflict of interest."""
    allowed, why = conflict_of_interest(user, action, parties_of(dossier, request))
    if not allowed:
        raise PermissionDenied(why)
