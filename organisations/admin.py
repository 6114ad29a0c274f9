from django.contrib import admin

from accounts.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from organisations.models import Membership, Organisation


class MembershipInline(ScopedTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    administrators = True


@admin.register(Organisation)
class OrganisationAdmin(ScopedModelAdmin):
    """Organisations belong to no region: administrators (and superusers) only."""

    administrators = True
    list_display = ["name", "kind", "siret", "department", "naf"]
    list_filter = ["kind", "department__region"]
    search_fields = ["name", "siret", "siren"]
    inlines = [MembershipInline]
