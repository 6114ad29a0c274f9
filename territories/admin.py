from django.contrib import admin

from territories.models import Department, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "colour", "siret", "court_name", "signatory_name"]
    fieldsets = [
        (None, {"fields": ["code", "name", "colour", "siret"]}),
        ("Actes et recours", {"fields": ["award_prefix", "court_name", "court_address"]}),
        (
            "Signature des actes",
            {"fields": ["signatory_delegation", "signatory_name", "signatory_title"]},
        ),
        ("Conservation", {"fields": ["draft_retention_days", "dossier_retention_years"]}),
    ]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
