from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.enums import Role
from applications.selectors import dossiers_of_member
from organisations.models import Organisation
from schemes.audience import audience_of
from schemes.models import Scheme
from territories.models import Region


def home(request):
    today = timezone.localdate()
    schemes = Scheme.objects.open_on(today).select_related("region")
    cards = [{"scheme": scheme, "audience": audience_of(scheme)} for scheme in schemes]
    regions = Region.objects.all()
    return render(request, "portal/home.html", {"cards": cards, "regions": regions})


@login_required
def space(request):
    """ "Mon espace": one section per role the user holds."""
    user = request.user
    roles = user.roles()
    assignments = user.role_assignments.select_related("region").order_by("role", "region__name")
    context = {
        "roles": roles,
        "assignments": assignments,
        "organisations": Organisation.objects.for_user(user).select_related("department__region"),
        "dossiers": dossiers_of_member(user)[:10],
        "Role": Role,
    }
    return render(request, "portal/space.html", context)


def legal_notice(request):
    return render(request, "portal/legal_notice.html")


def accessibility(request):
    return render(request, "portal/accessibility.html")


def personal_data(request):
    return render(request, "portal/personal_data.html")


def healthz(request):
    """Liveness probe for the orchestrator: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
