from django.http import Http404

from organisations.models import Organisation


def get_organisation_for_member(user, pk: int) -> Organisation:
    """The organisation if the user is one of its members, else 404."""
    try:
        return Organisation.objects.for_user(user).select_related("department__region").get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404("Organisation introuvable.") from exc
