from django.db.models import Prefetch
from django.http import Http404

from applications.models import Dossier, ExpenseLine
from instruction.permissions import agent_scope_q


def expenses_with_retention() -> Prefetch:
    """A dossier's expense lines with what the agent retained of each (one query)."""
    return Prefetch("expenses", queryset=ExpenseLine.objects.select_related("retention"))


def dossiers_for_agent(user):
    return Dossier.objects.filter(agent_scope_q(user))


def get_dossier_for_agent(user, pk: int) -> Dossier:
    """The dossier if it is in the agent's region and schemes; 404 otherwise."""
    try:
        return (
            dossiers_for_agent(user)
            .select_related(
                "scheme__region",
                "organisation__department",
                "rule_version",
                "review__agent",
                "submitted_by",
            )
            # Read several times by the review page (situation, estimate, retained expenses).
            .prefetch_related(expenses_with_retention(), "de_minimis_aids")
            .get(pk=pk)
        )
    except Dossier.DoesNotExist as exc:
        raise Http404("Dossier introuvable.") from exc


def colleagues(user):
    """Agents of the user's regions, to whom dossiers may be assigned."""
    from accounts.enums import Role
    from accounts.models import User
    from accounts.permissions import regions_for_role

    regions = regions_for_role(user, Role.AGENT)
    return (
        User.objects.filter(
            role_assignments__role=Role.AGENT,
            role_assignments__region_id__in=regions,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def team_emails(dossier: Dossier) -> list[str]:
    """The addresses of the agents who may instruct the dossier (its region, and its scheme when
    their role is limited to some schemes): told when the dossier has no agent yet."""
    from accounts.enums import Role
    from accounts.models import RoleAssignment

    assignments = RoleAssignment.objects.filter(
        role=Role.AGENT, region_id=dossier.scheme.region_id, user__is_active=True
    ).values_list("user__email", "scheme_codes")
    return sorted(
        {
            email
            for email, schemes in assignments
            if email and (not schemes or dossier.scheme.code in schemes)
        }
    )


def instructors_emails(dossier: Dossier) -> list[str]:
    """The dossier's agent, or its team when nobody has taken it yet."""
    agent = getattr(getattr(dossier, "review", None), "agent", None)
    return [agent.email] if agent else team_emails(dossier)
