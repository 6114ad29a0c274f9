from django.contrib import admin

from organisations.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "department", "naf"]
    list_filter = ["kind", "department__region"]
    search_fields = ["name", "siret", "siren"]
    inlines = [MembershipInline]
