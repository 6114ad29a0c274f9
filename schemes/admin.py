from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.enums import Role
from schemes.models import CallPeriod, RuleVersion, Scheme


class SchemeManagerPermissions:
    """Scheme managers edit the schemes of their region; administrators edit all."""

    def _regions(self, request):
        user = request.user
        if not user.is_active or not user.is_staff:
            return None
        if user.has_role(Role.ADMIN):
            return "all"
        return set(
            user.role_assignments.filter(role=Role.SCHEME_MANAGER).values_list(
                "region_id", flat=True
            )
        )

    def _region_of(self, obj):
        return obj.region_id if isinstance(obj, Scheme) else obj.scheme.region_id

    def has_module_permission(self, request):
        return bool(self._regions(request))

    def has_view_permission(self, request, obj=None):
        regions = self._regions(request)
        if not regions:
            return False
        return obj is None or regions == "all" or self._region_of(obj) in regions

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        regions = self._regions(request)
        if regions == "all":
            return queryset
        field = "region_id__in" if queryset.model is Scheme else "scheme__region_id__in"
        return queryset.filter(**{field: regions or []})


class CallPeriodInline(admin.TabularInline):
    model = CallPeriod
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(SchemeManagerPermissions, SimpleHistoryAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    readonly_fields = ["code"]
    inlines = [CallPeriodInline]

    def has_add_permission(self, request):
        return False


@admin.register(RuleVersion)
class RuleVersionAdmin(SchemeManagerPermissions, SimpleHistoryAdmin):
    list_display = ["ident", "scheme", "valid_from", "valid_to", "is_demo"]
    list_filter = ["scheme", "is_demo"]


@admin.register(CallPeriod)
class CallPeriodAdmin(SchemeManagerPermissions, SimpleHistoryAdmin):
    list_display = ["scheme", "opens_on", "closes_on", "label"]
    list_filter = ["scheme"]
