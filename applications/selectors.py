from django.db.models import Prefetch
from django.http import Http404

from applications.models import Attachment, Dossier


def get_dossier_for_member(user, pk: int) -> Dossier:
    """The dossier if the user belongs to its organisation; 404 otherwise (no hint it exists)."""
    try:
        return (
            Dossier.objects.for_member(user)
            .select_related(
                "scheme__region", "organisation__department__region", "rule_version", "created_by"
            )
            .prefetch_related(
                "expenses",
                "de_minimis_aids",
                Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at")),
            )
            .get(pk=pk)
        )
    except Dossier.DoesNotExist as exc:
        raise Http404("Dossier introuvable.") from exc


def dossiers_of_member(user):
    return (
        Dossier.objects.for_member(user)
        .select_related("scheme__region", "organisation")
        .order_by("-created_at")
        .distinct()
    )


def open_dossiers_by_pair(organisations) -> dict[tuple[int, int], Dossier]:
    """The dossier in progress of each (organisation id, scheme id) pair, if any."""
    dossiers = (
        Dossier.objects.open()
        .filter(organisation__in=organisations)
        .only("pk", "number", "state", "organisation_id", "scheme_id")
    )
    return {(d.organisation_id, d.scheme_id): d for d in dossiers}
