from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_scoping import ScopedAdminMixin, ScopedTabularInline
from schemes.models import CallPeriod, RuleVersion, Scheme


class SchemeScope(ScopedAdminMixin):
    """Scheme managers work on the schemes of their regions (and of their scheme codes);
    administrators on all. Nobody deletes: the history of rules and calls is kept."""

    scope_region = "scheme__region"
    scope_scheme = "scheme__code"
    administrators = True
    # django-simple-history's list, without inline style or "None", scrolling at 320 px.
    object_history_list_template = "schemes/admin/object_history_list.html"


class CallPeriodInline(ScopedTabularInline):
    model = CallPeriod
    extra = 0
    scope_region = "scheme__region"
    scope_scheme = "scheme__code"
    administrators = True


@admin.register(Scheme)
class SchemeAdmin(SchemeScope, SimpleHistoryAdmin):
    scope_region = "region"
    scope_scheme = "code"
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    readonly_fields = ["code"]
    inlines = [CallPeriodInline]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RuleVersion)
class RuleVersionAdmin(SchemeScope, SimpleHistoryAdmin):
    """Read-only: rule versions are written in /gestion/ (typed editor, four-eyes publishing)."""

    list_display = ["ident", "scheme", "status", "valid_from", "valid_to", "is_demo"]
    list_filter = ["scheme", "status", "is_demo"]
    read_only = True


@admin.register(CallPeriod)
class CallPeriodAdmin(SchemeScope, SimpleHistoryAdmin):
    list_display = ["scheme", "opens_on", "closes_on", "label"]
    list_filter = ["scheme"]
