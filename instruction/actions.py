"""What an agent can do on a dossier: the agent's transitions of the dossier's table
(applications/workflow.py). The review page shows the buttons of `agent_actions(dossier)`, the
API accepts `API_TRANSITIONS`, and both run them through `run_agent_transition`, which calls
the service of each transition (permission checks, validation, side effects)."""

from datetime import date

from applications.models import Dossier
from applications.workflow import DOSSIER_WORKFLOW, TransitionError
from instruction import services
from instruction.commission import dossier_schedule

# The dossier transitions an agent starts from the review page. The others belong to the
# applicant (submit, answer_complements), the commission's votes (instruction.commission) and
# the payments (pay_advance, close).
AGENT_TRANSITIONS = (
    "take",
    "request_complements",
    "declare_admissible",
    "propose",
    "withdraw_proposal",
    "accept",
    "reject",
    "abandon",
    "reopen",
    "schedule",
)
# Through the API, all but the commission's agenda (its sessions are chosen on the pages).
API_TRANSITIONS = tuple(name for name in AGENT_TRANSITIONS if name != "schedule")

assert set(AGENT_TRANSITIONS) <= set(DOSSIER_WORKFLOW.transitions)


def agent_actions(dossier: Dossier) -> frozenset[str]:
    """The agent transitions the dossier's state allows now (the service still checks who)."""
    return frozenset(
        t.name for t in DOSSIER_WORKFLOW.available(dossier.state) if t.name in AGENT_TRANSITIONS
    )


def run_agent_transition(
    *,
    user,
    dossier: Dossier,
    name: str,
    motivation: str = "",
    items: str = "",
    due_on: date | None = None,
    on: date | None = None,
    favourable: bool = True,
    session=None,
) -> Dossier:
    """Run agent transition `name`; `motivation` is the proposal's comment, the refusal's
    motivation or the reason of a withdrawal, an abandonment or a reopening."""
    if name not in AGENT_TRANSITIONS:
        raise TransitionError("Transition inconnue.")
    if name == "take":
        return services.dossier_take(user=user, dossier=dossier)
    if name == "request_complements":
        services.complements_request(user=user, dossier=dossier, items=items, due_on=due_on)
        return dossier
    if name == "declare_admissible":
        return services.dossier_declare_admissible(user=user, dossier=dossier, on=on)
    if name == "propose":
        return services.dossier_propose(
            user=user, dossier=dossier, favourable=favourable, comment=motivation
        )
    if name == "withdraw_proposal":
        return services.dossier_withdraw_proposal(user=user, dossier=dossier, reason=motivation)
    if name == "accept":
        return services.dossier_accept(user=user, dossier=dossier, comment=motivation)
    if name == "reject":
        return services.dossier_reject(user=user, dossier=dossier, motivation=motivation)
    if name == "abandon":
        return services.dossier_abandon(user=user, dossier=dossier, reason=motivation)
    if name == "reopen":
        return services.dossier_reopen(user=user, dossier=dossier, reason=motivation)
    return dossier_schedule(user=user, dossier=dossier, session=session)
